"""What the machine, not aesops or a file, makes fail: a full disk, a folder aesops may not write in, a damaged
warehouse, Ctrl-C inside a query. Each is a message and an exit code, never a traceback; a bug's error keeps
its traceback. The failures are raised where DuckDB raises them (inside the import), with DuckDB's own words."""

from __future__ import annotations

import duckdb
import pytest

from aesthetic_cli.errors import LockedError, WorkspaceError
from tests.conftest import run_cli, write_csv

ROWS = [["收费日期", "顾客编号", "项目", "实收金额"], ["2026-10-01", "C1", "水光针", "1000"]]


def _failing_import(monkeypatch, exc: BaseException) -> None:
    def fail(*args, **kwargs):
        raise exc

    monkeypatch.setattr("aesthetic_cli.importer.load.import_file", fail)


@pytest.mark.parametrize(
    ("exc", "code", "said"),
    [
        (
            duckdb.TransactionException(
                'Failed to commit: Could not write file "/mnt/small/aesops.duckdb.wal": No space left on device'
            ),
            2,
            "磁盘空间不足",
        ),
        (
            duckdb.TransactionException(
                'Failed to commit: Cannot open file "/srv/ws/aesops.duckdb.wal": Permission denied'
            ),
            2,
            "没有权限",
        ),
        (
            duckdb.IOException(
                "IO Error: Corrupt database file: computed checksum 59 does not match stored checksum 11 in block "
                "at location 12333056"
            ),
            2,
            "仓库文件已损坏",
        ),
        (RuntimeError("Query interrupted"), 130, "已中断"),
    ],
)
def test_the_machines_failures_are_told_not_traced(ws, monkeypatch, exc, code, said):
    _failing_import(monkeypatch, exc)
    result = run_cli("import", str(write_csv(ws / "o.csv", ROWS)), env={"LANG": "zh_CN.UTF-8"})
    assert result.exit_code == code
    assert said in result.output and "Traceback" not in result.output


def test_a_bug_keeps_its_traceback(ws, monkeypatch):
    _failing_import(monkeypatch, duckdb.BinderException('Referenced column "c4" not found in FROM clause!'))
    with pytest.raises(duckdb.BinderException):
        run_cli("import", str(write_csv(ws / "o.csv", ROWS)))


def test_a_damaged_block_is_no_lock_held_by_another_process(tmp_path, monkeypatch):
    """DuckDB's checksum error names the "block" it read: matched as "lock", it said the warehouse was in use by
    another process (exit 3), and cron would wait for it forever."""
    from aesthetic_cli.warehouse import connection

    def damaged(*args, **kwargs):
        raise duckdb.IOException(
            "IO Error: Corrupt database file: computed checksum 1 does not match stored checksum 2 in block at "
            "location 4096"
        )

    monkeypatch.setattr(duckdb, "connect", damaged)
    with pytest.raises(WorkspaceError):
        connection._open(tmp_path / "w.duckdb", read_only=True)


def test_a_lock_held_by_another_process_is_still_one(tmp_path):
    from aesthetic_cli.warehouse import connection

    path = tmp_path / "w.duckdb"
    import subprocess
    import sys

    holder = subprocess.Popen(
        [sys.executable, "-uc", f"import duckdb, sys; c = duckdb.connect({str(path)!r}); print(1); sys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "1"
        with pytest.raises(LockedError):
            connection._open(path, read_only=False)
    finally:
        holder.communicate("")


def test_a_clinic_no_data_names_is_refused_with_the_clinics_there_are(ws):
    """--clinic 静安 for 静安店 gave empty tables and a monthly report of zeros, exit 0, ready to be mailed."""
    rows = [["收费日期", "门店", "顾客编号", "项目", "实收金额"], ["2026-10-01", "静安店", "C1", "水光针", "1000"]]
    rows.append(["2026-10-02", "浦东店", "C2", "热玛吉", "5000"])
    assert run_cli("import", str(write_csv(ws / "o.csv", rows))).exit_code == 0
    for args in (["funnel"], ["customers", "rfm"], ["report", "monthly", "--out", str(ws / "out")]):
        refused = run_cli(*args, "--clinic", "静安", env={"LANG": "zh_CN.UTF-8"})
        assert refused.exit_code == 2, refused.output
        assert "没有任何数据属于门店“静安”" in refused.output and "浦东店, 静安店" in refused.output
    assert not (ws / "out").exists() or not any((ws / "out").iterdir())
    ok = run_cli("funnel", "--clinic", "静安店", "--format", "json")
    assert ok.exit_code == 0 and '"sales": 1000' in ok.stdout


def test_words_that_only_mention_the_failures_are_no_such_failure():
    """A message naming an interrupt, or a path with "corrupt" in it, is not Ctrl-C or a damaged warehouse."""
    from aesthetic_cli.cli.errors import environment_failure

    assert environment_failure(RuntimeError("the interrupt handler of the worker failed")) is None
    assert environment_failure(duckdb.IOException('Cannot open file "/data/corrupt_exports/x.duckdb"')) is None
    assert environment_failure(duckdb.IOException("IO Error: Corrupt database file: x")) == ("warehouse_damaged", 2)


def test_a_month_wholly_before_the_data_is_refused_not_shown_as_zeros(ws):
    """As a month after the data is: funnel --month 2020-01 on data from 2026-10 showed empty tables, exit 0."""
    assert run_cli("import", str(write_csv(ws / "o.csv", ROWS)), "--clinic", "本院").exit_code == 0
    # Not channels or consultants: spend and leads may come before the first order or visit (a clinic that
    # advertised before it opened), and "the data" starts with those.
    for command in ("funnel", "items"):
        refused = run_cli(command, "--month", "2020-01")
        assert refused.exit_code == 2, (command, refused.output)
        assert "The data starts 2026-10-01; 2020-01 lies wholly before it" in refused.output
    assert run_cli("funnel", "--month", "2026-10").exit_code == 0
