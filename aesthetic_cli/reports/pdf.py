"""PDF for meetings: the HTML report printed by headless Chromium (its print CSS applies), so the
PDF and the HTML never disagree. Chromium rather than WeasyPrint: the tests already install it,
it draws the inline SVG charts and CJK text exactly as the browser view does, and it adds no
Python dependency (WeasyPrint needs Pango/cairo system libraries)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from aesthetic_cli.errors import UsageError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def browser() -> str:
    found = os.environ.get("AESOPS_CHROMIUM") or next((p for p in map(shutil.which, CANDIDATES) if p), None)
    if not found:
        raise UsageError(
            "--format pdf needs Chromium or Google Chrome, and neither is installed.",
            hint="Install one (e.g. apt-get install chromium), set AESOPS_CHROMIUM=/path/to/chrome, "
            "or ask for --format xlsx,html.",
        )
    return found


def write(report, path: Path, lang: str = "zh") -> None:
    from aesthetic_cli.reports import html

    exe = browser()
    with tempfile.TemporaryDirectory(prefix="aesops-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html.render(report, lang), encoding="utf-8")
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp}/profile",
            f"--print-to-pdf={path}",
            page.as_uri(),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0 or not path.exists() or path.stat().st_size == 0:
            raise UsageError(
                f"Chromium could not print the report to PDF (exit {done.returncode}).",
                hint=(done.stderr.strip().splitlines() or [""])[-1][:300],
            )
