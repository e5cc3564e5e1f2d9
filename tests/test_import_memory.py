"""A large CSV stays on the set-wise path, and an import that has to spill fills the same warehouse (issue 19).

At 10M order lines DuckDB's parallel CSV reader refused the customers and visits exports ("does not support a
full read on this file", duckdb/duckdb#24237), and the import fell back to the Polars reader, which converts
every row in Python: the six-file command's 4.9 GB peak. The lines are now read serially. DuckDB's parallel
reader fails the same way on a small file read with a small buffer, which is how these tests meet it."""

from __future__ import annotations

import duckdb
import pytest

from aesthetic_cli.importer import load, read, stage
from aesthetic_cli.sqlfiles import query
from tests.conftest import run_cli

HEAD = ["收费日期", "单号", "顾客编号", "项目名称", "实收金额", "支付方式", "数量", "收费类型", "门店"]
LINES = 3000
# Every line is 60-70 bytes: a 2,000-byte buffer holds about 30 of them, so the file spans ~100 buffers.
SMALL_BUFFER = 2000


def _orders(ws):
    rows = [
        [
            f"2025-10-{i % 28 + 1:02d}",
            f"SF{i}",
            f"C{i % 97}",
            "水光针",
            str(100 + i % 50),
            "微信",
            "1",
            "收费",
            "静安店",
        ]
        for i in range(LINES)
    ]
    # LF line ends, as the generator's exports have them (DuckDB's parallel reader read this file with CRLF).
    path = ws / "orders.csv"
    path.write_text("".join(",".join(r) + "\n" for r in [HEAD, *rows]), encoding="utf-8")
    return path


def _no_polars_reader(monkeypatch):
    """The Polars readers fail the test: the file must be read by DuckDB's line reader."""

    def refused(*args, **kwargs):
        raise AssertionError("the CSV fell back to the Polars reader")

    monkeypatch.setattr(read, "read_csv", refused)
    monkeypatch.setattr(read, "csv_in_batches", refused)
    monkeypatch.setattr(load, "_staged", refused)


def test_duckdb_parallel_reader_refuses_this_file_with_a_small_buffer(ws):
    # The premise of the next test, with DuckDB's own reader: if a later DuckDB reads it in parallel, the
    # next test no longer guards anything and this one says so.
    path = _orders(ws)
    sql = query("import_stage", "read_lines").replace("parallel = false", "parallel = true")
    con = duckdb.connect()
    with pytest.raises(duckdb.NotImplementedException, match="parallel"):
        con.execute(sql, {"path": str(path), "buffer": SMALL_BUFFER})
    con.close()


def test_a_csv_spanning_many_read_buffers_is_read_by_duckdb_set_wise(ws, monkeypatch):
    path = _orders(ws)
    with monkeypatch.context() as m:
        _no_polars_reader(m)
        m.setattr(stage, "CSV_BUFFER_BYTES", SMALL_BUFFER)
        r = run_cli("import", str(path), "--clinic", "本院")
        assert r.exit_code == 0, r.stderr
    con = duckdb.connect(str(ws / "aesops.duckdb"), read_only=True)
    # 3,000 lines, every one plain and distinct (order number SF0..SF2999); the amounts 100..149 repeat
    # every 50 lines: 60 × (100 + ... + 149) = 60 × 6,225 = 373,500.
    assert con.execute("SELECT count(*), count(DISTINCT order_id), sum(paid_amount) FROM orders").fetchone() == (
        LINES,
        LINES,
        373500,
    )
    assert con.execute("SELECT min(source_row), max(source_row) FROM orders").fetchone() == (2, LINES + 1)
    con.close()
