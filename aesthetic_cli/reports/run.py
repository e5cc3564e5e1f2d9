"""Build a report and write it in each requested format, under the workspace lock."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from aesthetic_cli.errors import UsageError
from aesthetic_cli.reports import content
from aesthetic_cli.reports.safe import atomic_write, workspace_lock

FORMATS = ("xlsx", "html", "pdf")


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise UsageError(f"--format {text}: reports are written as xlsx, html and/or pdf, e.g. --format xlsx,html.")
    return formats


@dataclass
class Written:
    report: content.Report
    paths: list[Path]
    clinic: str | None  # a --per-clinic report's clinic; None for the report asked for
    main: bool = True


def clinics(con) -> list[str]:
    from aesthetic_cli.metrics.base import run

    return run(con, "reports", "clinics", {})["clinic"].to_list()


def _stem(report: content.Report, clinic: str | None) -> str:
    if not clinic:
        return report.file_stem()
    # A clinic's name goes into a file name: keep letters (Chinese included), digits, - and _.
    safe = re.sub(r"[^\w-]+", "_", clinic).strip("_") or "clinic"
    return f"{report.file_stem()}_{safe}"


def _write(report, out: Path, stem: str, formats: list[str], lang: str) -> list[Path]:
    from aesthetic_cli.reports import html, pdf, xlsx

    writers = {"xlsx": xlsx.write, "html": html.write, "pdf": pdf.write}
    paths = []
    for fmt in formats:
        target = out / f"{stem}.{fmt}"
        atomic_write(target, lambda tmp, fmt=fmt: writers[fmt](report, tmp, lang))
        paths.append(target)
    return paths


def produce(db_path: Path, kind: str, out: Path, *, formats: list[str], lang: str = "zh",
            wait_seconds: float = 600, per_clinic: bool = False, **options) -> list[Written]:
    """The report asked for, and with per_clinic one more per clinic (what [[delivery.route]] sends)."""
    from aesthetic_cli.warehouse import connect

    written = []
    with workspace_lock(db_path, wait_seconds):
        con = connect(db_path, read_only=True)
        try:
            reports = [(content.build(con, kind, lang=lang, **options), options.get("clinic"), True)]
            if per_clinic:
                for c in clinics(con):
                    if c != options.get("clinic"):
                        reports.append((content.build(con, kind, lang=lang, **{**options, "clinic": c}), c, False))
        finally:
            con.close()
        for report, clinic, main in reports:
            stem = _stem(report, None if main else clinic)
            written.append(Written(report, _write(report, out, stem, formats, lang), clinic, main))
    return written


def write_reports(db_path: Path, kind: str, out: Path, *, formats: list[str], lang: str = "zh",
                  wait_seconds: float = 600, **options) -> list[Path]:
    return [p for w in produce(db_path, kind, out, formats=formats, lang=lang, wait_seconds=wait_seconds, **options)
            for p in w.paths]
