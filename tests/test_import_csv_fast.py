"""The CSV fast path's cheap tests (issue 19): they must decide exactly as convert.py does.

- Totals rows: only a cell that starts with a totals word's first letter and ends with its last is
  tested by the regex (setwise._TOTAL_FIRST / _TOTAL_LAST); an order number SF… starts with one.
- The date order (d/m or m/d) is read from every line of the file in one pass, not from the first
  lines only: a day above 12 far below the head decides it."""

from __future__ import annotations

from datetime import date

import pytest

from aesthetic_cli.importer import stage
from tests.conftest import run_cli, write_csv
from tests.test_batches_mapping import _q
from tests.test_import_setwise import HEAD, _import_both, _without_times

PLAIN = ["2025-10-01", "SF1", "C1", "水光针", "1000", "微信", "1", "收费", "静安店"]


def _row(c0="2025-10-01", c1="SF1", c2="C1", c3="水光针"):
    return [c0, c1, c2, c3, *PLAIN[4:]]


# (row, skipped as a totals row?) worked out by hand from convert._TOTAL_WORDS: the lower-cased cell,
# whitespace removed, is one of the words, optionally after 本页/本表/全部/当日/本日/本月 and before a colon and a
# count with its unit or in brackets (合计：2笔, 合计(1条)); any of the first 4 cells of at most 12 characters.
ROWS = [
    (_row(), False),
    (_row(c1="SF20241101000685"), False),  # starts with s, ends with a digit
    (_row(c1="sum"), True),  # an "order number" that is a totals word
    (_row(c1="SUM:"), True),
    (_row(c1="sums"), False),
    (_row(c1="totals"), True),  # ends with s, in a text column (a date column would fail its parse anyway)
    (_row(c0="Total："), True),  # full-width colon
    (_row(c0="TOTALS"), True),
    (_row(c3="grand tot"), False),  # not a word
    (_row(c3="grandtotal"), True),  # 10 characters
    (_row(c3="grand total"), True),  # 11
    (_row(c3="grand  totals"), False),  # 13 characters: too long a cell to be a label
    (_row(c0="小 计"), True),  # inner space: removed before the test
    (_row(c0="合计"), True),
    (_row(c2="总合计"), True),
    (_row(c2="总计表"), False),
    (_row(c1="stl"), False),  # first and last letters of a word, not a word
    (_row(c3="total 1"), False),  # a bare number after the word: an id (SUM12, Total1), not a count
    (_row(c1="SUM12"), False),
    (_row(c0="合计(12)"), True),  # a count in brackets
    (_row(c0="合计：2笔"), True),
    (_row(c0="本页合计"), True),
    (_row(c1="合计(1条)"), True),
    (_row(c2="总计（共3笔）"), True),
    (_row(c0="本页合计(12条)"), True),  # 10 characters
    (_row(c2="合计金额"), False),  # a word after it: not a label
    (_row(c2="本店小计A"), False),
]


def test_totals_rows_read_as_convert_py_reads_them(ws, monkeypatch):
    path = write_csv(ws / "o.csv", [HEAD, *[r for r, _ in ROWS]])
    assert stage.plain_csv(path) == ("utf-8", ",")
    fast, fast_snap, ref, ref_snap = _import_both(ws, monkeypatch, path, clinic="本院")
    assert _without_times(fast_snap) == _without_times(ref_snap)
    skipped = sum(1 for _, total in ROWS if total)
    assert skipped == 16
    assert (fast.skipped, fast.loaded) == (ref.skipped, ref.loaded) == (skipped, len(ROWS) - skipped)


def test_date_order_decided_by_a_line_far_below_the_head(ws):
    # 900 lines whose dates read both ways (3/4/2025: 3 April or 4 March), then one with day 13: the
    # file is day first. The head (stage.HEAD_LINES) holds none that decides.
    rows = [["收费日期", "顾客编号", "项目", "实收金额"]]
    rows += [["3/4/2025", f"C{i}", "x", "1"] for i in range(900)]
    rows += [["13/4/2025", "C900", "x", "1"]]
    path = write_csv(ws / "o.csv", rows)
    assert stage.plain_csv(path) is not None and len(rows) > stage.HEAD_LINES
    r = run_cli("import", str(path))
    assert r.exit_code == 0, r.stderr
    days = _q(ws, "SELECT order_date, count(*) FROM orders GROUP BY 1 ORDER BY 1")
    assert days == [(date(2025, 4, 3), 900), (date(2025, 4, 13), 1)]


def test_date_order_of_the_second_date_column(ws):
    # Leads have two date columns; only the second (appointment) has a day above 12, on the last line.
    rows = [["日期", "渠道", "手机号", "预约日期", "门店"]]
    rows += [["2025-04-01", "抖音", f"1380000{i:04d}", "3/4/2025", "静安店"] for i in range(500)]
    rows += [["2025-04-02", "抖音", "13900000000", "14/4/2025", "静安店"]]
    path = write_csv(ws / "l.csv", rows)
    r = run_cli("import", str(path), "--kind", "leads")
    assert r.exit_code == 0, r.stderr
    days = _q(ws, "SELECT appointment_date, count(*) FROM leads GROUP BY 1 ORDER BY 1")
    assert days == [(date(2025, 4, 3), 500), (date(2025, 4, 14), 1)]


def _limits_during(monkeypatch, step: str) -> list[str]:
    """The memory_limit in force whenever derived.<step> runs (refresh_pending: the refresh after the last
    file; rebuild: the layer's rebuild when an older warehouse is opened)."""
    from aesthetic_cli.warehouse import derived

    seen: list[str] = []
    real = getattr(derived, step)

    def spy(con):
        seen.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        return real(con)

    monkeypatch.setattr(derived, step, spy)
    return seen


def _gib(setting: str) -> float:
    number, unit = setting.split()
    return float(number) * {"MiB": 1 / 1024, "GiB": 1.0, "TiB": 1024.0}[unit]


def test_the_layer_refresh_after_the_last_file_runs_under_the_import_memory_limit(ws, monkeypatch):
    # Unbounded (DuckDB's default, 80% of the machine), the refresh after the bench's six 10M-line
    # datasets peaked at 4.9 GB against the 4 GB budget; warehouse.memory.WRITE_MEMORY_LIMIT is 2 GB.
    seen = _limits_during(monkeypatch, "refresh_pending")
    a = write_csv(ws / "a.csv", [HEAD, PLAIN])
    b = write_csv(ws / "b.csv", [HEAD, _row(c1="SF2", c2="C2")])
    r = run_cli("import", str(a), str(b))
    assert r.exit_code == 0, r.stderr
    assert seen and all(_gib(s) <= 2.0 for s in seen), seen


def test_import_files_restores_the_memory_limit(ws, monkeypatch):
    from aesthetic_cli.importer.load import import_files
    from aesthetic_cli.warehouse import connect

    seen = _limits_during(monkeypatch, "refresh_pending")
    con = connect(ws / "w.duckdb")
    con.execute("SET memory_limit = '3GB'")
    before = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    import_files(con, [write_csv(ws / "a.csv", [HEAD, PLAIN])], clinic="本院")
    assert seen and all(_gib(s) <= 2.0 for s in seen), seen
    # Restored from DuckDB's own rounded text ('2.7 GiB' for 3GB), so to within its last digit.
    after = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert abs(_gib(after) - _gib(before)) <= 0.15 and _gib(after) > 2.5, (before, after)
    con.close()


def test_the_layer_rebuild_of_an_older_warehouse_runs_under_the_memory_limit(ws, monkeypatch):
    # Opening a 10M warehouse of layer version 5 rebuilt the layer unbounded: 4.7 GB peak.
    from aesthetic_cli.warehouse import connect, derived

    con = connect(ws / "w.duckdb")
    con.execute("UPDATE layer_meta SET value = '5' WHERE key = 'version'")
    con.close()
    seen = _limits_during(monkeypatch, "rebuild")
    reader = connect(ws / "w.duckdb", read_only=True)  # a reader brings it up to date first
    assert derived.version(reader) == derived.LAYER_VERSION
    reader.close()
    assert seen and all(_gib(s) <= 2.0 for s in seen), seen


def test_a_refresh_short_of_memory_under_the_write_limit_runs_again_with_more(ws, monkeypatch):
    """The full build after the 10M bench's six datasets ran out of memory under the 2 GB write limit; its
    batches stayed pending and every open retried and failed the same way. Here the first layer build does
    its work and then fails as DuckDB does: the import still ends well, the second try ran under a larger
    limit, nothing is pending and the layer is what a rebuild gives."""
    import duckdb

    from aesthetic_cli.warehouse import derived

    limits: list[float] = []
    calls: list = []
    real = derived.refresh

    def short_of_memory(con, **kw):
        limits.append(_gib(con.execute("SELECT current_setting('memory_limit')").fetchone()[0]))
        calls.append(kw)
        real(con, **kw)
        if len(limits) in (1, 3):  # the first try of each: the layer of the new warehouse, the import's refresh
            raise duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate data of size 256.0 KiB")

    monkeypatch.setattr(derived, "refresh", short_of_memory)
    a = write_csv(ws / "a.csv", [HEAD, PLAIN])
    b = write_csv(ws / "b.csv", [HEAD, _row(c1="SF2", c2="C2")])
    r = run_cli("import", str(a), str(b))
    assert r.exit_code == 0, r.stderr
    # Opening the new warehouse builds its (empty) layer: short of memory, then again with more. The import's
    # refresh after its two files: under the write limit again, short of memory, then again with more.
    assert [bool(c) for c in calls] == [False, False, True, True], calls
    assert limits[0] <= 2.0 < limits[1] and limits[2] == limits[0] < limits[3], limits
    monkeypatch.setattr(derived, "refresh", real)
    _nothing_pending_and_the_layer_a_rebuild_gives(ws)


def _nothing_pending_and_the_layer_a_rebuild_gives(ws) -> None:
    from aesthetic_cli.warehouse import connect, derived
    from tests.conftest import layer_rows

    con = connect(ws / "aesops.duckdb")
    try:
        assert derived.pending(con) == []
        layer = layer_rows(con)
        con.execute("BEGIN TRANSACTION")
        derived.rebuild(con)
        assert layer_rows(con) == layer
        con.execute("ROLLBACK")
    finally:
        con.close()


def _needs_room(con) -> None:
    # Some 70 MB that cannot spill: DuckDB's own OutOfMemoryException under the test's 20 MB write limit (which
    # aborts the transaction), done under the room the retry is given. RESET memory_limit, which the retry used,
    # changed the setting's text in DuckDB 1.5.5 but not the buffer pool's limit: the retry ran out again.
    assert con.execute("SELECT len(list(range::VARCHAR)) FROM range(3000000)").fetchone() == (3000000,)


@pytest.mark.parametrize("inside", ["layer tables", "rollups"])
def test_running_out_of_memory_inside_the_layer_build_is_retried_not_a_traceback(inside, ws, monkeypatch):
    """DuckDB's OutOfMemoryException aborts the transaction; the build's cleanup (dropping its temporary views and
    tables: derived.refresh, rollups._replace) then failed with "Current transaction is aborted", and that error
    took the place of the OOM, so memory.or_with_more_room did not retry: the 10M bench's orders import ended in
    that traceback. Here DuckDB runs out of memory for real, once, inside the build, and the second try needs the
    room it was given."""
    from aesthetic_cli.warehouse import derived, memory, rollups

    monkeypatch.setattr(memory, "WRITE_MEMORY_LIMIT", "20MB")
    tries: list[str] = []
    if inside == "layer tables":
        real = derived._rebuild_all

        def build(con):
            real(con)
            tries.append("build")
            _needs_room(con)

        monkeypatch.setattr(derived, "_rebuild_all", build)
    else:
        real_run = rollups._run

        def run(con, name, params=None):
            if name == "replace_days":
                tries.append(name)
                _needs_room(con)
            real_run(con, name, params)

        monkeypatch.setattr(rollups, "_run", run)
    a = write_csv(ws / "a.csv", [HEAD, PLAIN])
    r = run_cli("import", str(a))
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output and len(tries) >= 2, tries
    monkeypatch.undo()
    _nothing_pending_and_the_layer_a_rebuild_gives(ws)
