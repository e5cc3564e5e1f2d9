"""Reports under cron (issue 14): a run writes its whole set or nothing, naming the path that failed, and
a report waits for an import that still holds the warehouse, up to --wait."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import child_env, run_cli

MONTH = "2026-09"


@pytest.fixture
def report_db(sample_db, tmp_path):
    from aesthetic_cli import workspace

    workspace.init(tmp_path, clinic="静安店")
    db = tmp_path / "aesops.duckdb"
    shutil.copy(sample_db, db)
    return db


def test_failed_html_removes_the_xlsx_of_the_same_run_and_names_the_path(report_db, tmp_path):
    out = tmp_path / "out"
    blocked = out / f"aesops_monthly_{MONTH}.html"
    blocked.mkdir(parents=True)  # the html cannot take its place: a folder has that name
    r = run_cli(
        "report", "monthly", "--month", MONTH, "--format", "xlsx,html", "--out", str(out), "--db", str(report_db)
    )
    assert r.exit_code == 2, r.output
    assert str(blocked) in r.stderr and "None of this run's reports were kept" in r.stderr
    assert sorted(p.name for p in out.iterdir()) == [blocked.name]  # no xlsx, no temporary file


def _hold_warehouse(db: Path, seconds: float) -> subprocess.Popen:
    """A real second process with the warehouse open for writing, as a running import has it."""
    code = (
        f"import duckdb, sys, time; c = duckdb.connect({str(db)!r}); print('held', flush=True); time.sleep({seconds})"
    )
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    return p


def _report(db: Path, out: Path, wait: str):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "aesthetic_cli",
            "report",
            "monthly",
            "--month",
            MONTH,
            "--format",
            "xlsx",
            "--out",
            str(out),
            "--db",
            str(db),
            "--wait",
            wait,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=child_env("zh"),  # its assertions read the Chinese message
    )


def test_report_waits_for_a_running_import(report_db, tmp_path):
    # Held longer than the report's own start-up takes on a loaded machine, so it must really wait.
    holder = _hold_warehouse(report_db, 15)
    t0 = time.monotonic()
    done = _report(report_db, tmp_path / "waited", "120")
    holder.wait(timeout=30)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - t0 >= 14
    assert (tmp_path / "waited" / f"aesops_monthly_{MONTH}.xlsx").exists()


def test_report_gives_up_after_wait_while_an_import_holds_the_warehouse(report_db, tmp_path):
    holder = _hold_warehouse(report_db, 300)  # killed below, once the report has given up
    try:
        done = _report(report_db, tmp_path / "gaveup", "1")
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 3
    assert "仍在使用" in done.stderr and "Traceback" not in done.stderr
