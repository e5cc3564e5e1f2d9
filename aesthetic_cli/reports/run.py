"""Build a report and write it in each requested format, under the workspace lock."""

from __future__ import annotations

from pathlib import Path

from aesthetic_cli.errors import UsageError
from aesthetic_cli.reports import content
from aesthetic_cli.reports.safe import atomic_write, workspace_lock

FORMATS = ("xlsx", "html")


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise UsageError(f"--format {text}: reports are written as xlsx and/or html, e.g. --format xlsx,html.")
    return formats


def write_reports(db_path: Path, kind: str, out: Path, *, formats: list[str], lang: str = "zh",
                  wait_seconds: float = 600, **options) -> list[Path]:
    from aesthetic_cli.reports import html, xlsx
    from aesthetic_cli.warehouse import connect

    writers = {"xlsx": xlsx.write, "html": html.write}
    written = []
    with workspace_lock(db_path, wait_seconds):
        con = connect(db_path, read_only=True)
        try:
            report = content.build(con, kind, lang=lang, **options)
        finally:
            con.close()
        for fmt in formats:
            target = out / f"{report.file_stem()}.{fmt}"
            atomic_write(target, lambda tmp, fmt=fmt: writers[fmt](report, tmp, lang))
            written.append(target)
    return written
