"""One export imported by several processes at the same moment (two cron jobs, a retry while the first
still runs) is loaded once: one batch, every row and every reject once, the other processes told that
the file is already imported. The lake's case is in test_lake.py (it needs PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import child_env, run_cli, write_csv

SAME_FILE_IMPORTS = 3


def _import_at_once(db: Path, path: Path, n: int = SAME_FILE_IMPORTS) -> list[subprocess.CompletedProcess]:
    """n processes run `aesops import` on one file at the same moment (a second cron job, a retry)."""
    env = child_env("zh", PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "aesthetic_cli", "import", str(path), "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(n)
    ]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=300), *p.communicate()) for p in procs]


def _same_file_orders(path: Path) -> Path:
    # One rejected line (an unreadable amount) too: a double import would record its reject twice.
    rows = [["收费日期", "顾客编号", "项目", "实收金额", "单号", "门店"]]
    rows += [["2026-10-05", f"D{i:04d}", "水光针", 100 + i, f"D-O{i:04d}", "静安店"] for i in range(300)]
    rows.append(["2026-10-06", "D9999", "水光针", "不详", "D-O9999", "静安店"])
    return write_csv(path, rows)


def _loaded_once(con, ran: list[subprocess.CompletedProcess], lines: int = 300) -> None:
    for r in ran:
        assert r.returncode == 0, r.stderr
        assert "Traceback" not in r.stderr
    # Exactly one batch for the file, its rows and its one reject once; the other processes said
    # the file was already imported.
    assert con.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 1
    assert con.execute("SELECT count(*), count(DISTINCT row_key) FROM orders").fetchone() == (lines, lines)
    assert con.execute("SELECT count(*) FROM rejects").fetchone()[0] == 1
    said = sorted(
        "loaded"
        if "载入 300 " in r.stderr and "拒收 1 " in r.stderr
        else "unchanged"
        if "已导入过" in r.stderr
        else r.stderr
        for r in ran
    )
    assert said == ["loaded"] + ["unchanged"] * (len(ran) - 1)


def test_one_file_imported_by_several_processes_at_once_loads_once_on_a_file(tmp_path):
    assert run_cli("init", str(tmp_path / "ws"), "--clinic", "静安店").exit_code == 0
    db = tmp_path / "ws" / "aesops.duckdb"
    ran = _import_at_once(db, _same_file_orders(tmp_path / "orders.csv"))
    # DuckDB's file lock admits one writer process: one that finds the warehouse in use says so (exit 3)
    # and loads nothing; one that opens it after the first import finds the file imported.
    locked = [r for r in ran if r.returncode == 3]
    for r in locked:
        assert "in use" in r.stderr or "正在" in r.stderr or "占用" in r.stderr, r.stderr
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        _loaded_once(con, [r for r in ran if r.returncode != 3])
    finally:
        con.close()
