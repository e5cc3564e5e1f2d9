"""Build a report and write it in each requested format, under the workspace lock."""

from __future__ import annotations

import contextlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from aesthetic_cli import deferred
from aesthetic_cli.errors import OutputError, UsageError
from aesthetic_cli.reports import content
from aesthetic_cli.reports.safe import workspace_lock, write_temporary

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
    targets = [out / f"{stem}.{fmt}" for fmt in formats]
    return write_all(targets, [lambda tmp, fmt=fmt: writers[fmt](report, tmp, lang) for fmt in formats])


def load_writers(formats: list[str]) -> None:
    """What writing needs besides the report: xlsxwriter, Jinja2 and the compiled template (~0.1 CPU s)."""
    if "xlsx" in formats:
        import xlsxwriter  # noqa: F401

        from aesthetic_cli.reports import xlsx  # noqa: F401
    if "html" in formats or "pdf" in formats:
        from aesthetic_cli.reports import html

        html.template()


def produce(
    db_path: Path,
    kind: str,
    out: Path,
    *,
    formats: list[str],
    lang: str = "zh",
    wait_seconds: float = 600,
    per_clinic: bool = False,
    **options,
) -> list[Written]:
    """The report asked for, and with per_clinic one more per clinic (what [[delivery.route]] sends)."""

    written = []
    deadline = time.monotonic() + wait_seconds
    with workspace_lock(db_path, wait_seconds):
        from aesthetic_cli.warehouse.connection import connect_waiting

        con = connect_waiting(db_path, wait_seconds, read_only=True, deadline=deadline)
        # Polars imports on a thread while the first queries run (aesthetic_cli/deferred.py).
        deferred.start("polars")
        try:
            first = content.build(con, kind, lang=lang, meanwhile=lambda: load_writers(formats), **options)
            reports = [(first, options.get("clinic"), True)]
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


def write_reports(
    db_path: Path, kind: str, out: Path, *, formats: list[str], lang: str = "zh", wait_seconds: float = 600, **options
) -> list[Path]:
    return [
        p
        for w in produce(db_path, kind, out, formats=formats, lang=lang, wait_seconds=wait_seconds, **options)
        for p in w.paths
    ]


def write_all(targets: list[Path], writers: list) -> list[Path]:
    """All of a run's files or none: each is written beside its target first, and the set is moved in
    place only when every one is complete; on failure the partial set is removed and the path named."""
    temps: list[Path] = []
    placed: list[Path] = []
    try:
        for target, write in zip(targets, writers, strict=True):
            temps.append(write_temporary(target, write))
        for tmp, target in zip(temps, targets, strict=False):
            os.replace(tmp, target)
            placed.append(target)
    except OSError as exc:
        for path in [*temps, *placed]:
            with contextlib.suppress(OSError):
                path.unlink()
        failed = targets[len(temps)] if len(temps) < len(targets) else targets[len(placed)]
        raise OutputError(
            f"Could not write {failed} (cannot use it: {exc.strerror or exc}). None of this run's reports were kept "
            f"({', '.join(t.name for t in targets)}).",
            hint="Free disk space or fix the folder's permissions (--out), then run the report again.",
        ) from None
    except BaseException:
        for path in temps:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return placed
