"""Re-imports change nothing, overlapping exports load each line once, failures leave no trace."""

from __future__ import annotations

import pytest

from aesthetic_cli.errors import InputFileError
from aesthetic_cli.importer import load
from aesthetic_cli.importer.load import import_file
from tests.conftest import snapshot, write_csv, write_xlsx

HEAD = ["收费日期", "单号", "顾客编号", "项目", "实收金额"]


def test_same_file_twice_leaves_every_table_identical(con, ws):
    path = write_xlsx(
        ws / "o.xlsx",
        [
            HEAD,
            ["2025-10-01", "S1", "C1", "水光针", 1000],
            ["2025-10-02", "S2", "C2", "x", "bad"],
            ["2025-10-03", "S3", "C3", "y", 10],
            ["2025-10-04", "S4", "C4", "z", 20],
        ],
    )
    import_file(con, path, clinic="本院")
    before = snapshot(con)
    again = import_file(con, path, clinic="本院")
    assert again.status == "unchanged"
    assert snapshot(con) == before


def test_overlapping_reexport_loads_each_order_line_once(con, ws):
    oct_ = write_csv(
        ws / "oct.csv",
        [
            HEAD,
            ["2025-10-30", "S1", "C1", "水光针", "1000"],
            ["2025-10-31", "S2", "C2", "玻尿酸", "4000"],
            ["2025-10-31", "S2", "C2", "玻尿酸", "4000"],
        ],
    )  # two identical lines in one order
    octnov = write_csv(
        ws / "octnov.csv",
        [
            HEAD,
            ["2025-10-30", "S1", "C1", "水光针", "1000"],
            ["2025-10-31", "S2", "C2", "玻尿酸", "4000"],
            ["2025-10-31", "S2", "C2", "玻尿酸", "4000"],
            ["2025-11-01", "S3", "C3", "热玛吉", "12000"],
        ],
    )
    a = import_file(con, oct_, clinic="本院")
    b = import_file(con, octnov, clinic="本院")
    assert (a.loaded, b.loaded, b.duplicates) == (3, 1, 3)
    assert con.execute("SELECT count(*), sum(paid_amount) FROM orders").fetchone() == (4, 21000.0)


def test_overlap_without_order_ids_uses_row_content(con, ws):
    head = ["收费日期", "顾客编号", "项目", "实收金额"]
    a = write_csv(ws / "a.csv", [head, ["2025-10-30", "C1", "x", "100"], ["2025-10-30", "C1", "x", "100"]])
    b = write_csv(
        ws / "b.csv",
        [
            head,
            ["2025-10-30", "C1", "x", "100"],
            ["2025-10-30", "C1", "x", "100"],
            ["2025-10-30", "C1", "x", "100"],
            ["2025-10-31", "C1", "y", "5"],
        ],
    )
    import_file(con, a, clinic="本院")
    r = import_file(con, b, clinic="本院")
    # b has a third identical line the earlier export did not: it is new, the first two are not.
    assert (r.loaded, r.duplicates) == (2, 2)
    assert con.execute("SELECT count(*), sum(paid_amount) FROM orders").fetchone() == (4, 305.0)


def test_customer_reexport_updates_and_keeps_unexported_fields(con, ws):
    a = write_csv(ws / "c1.csv", [["顾客编号", "姓名", "手机号", "来源渠道"], ["C1", "王五", "13800000001", "抖音"]])
    b = write_csv(ws / "c2.csv", [["顾客编号", "手机号"], ["C1", "13900000002"], ["C2", "13900000003"]])
    import_file(con, a)
    r = import_file(con, b)
    assert (r.loaded, r.updated, r.duplicates) == (1, 1, 0)
    assert con.execute("SELECT customer_id, name, phone, source_channel FROM customers ORDER BY 1").fetchall() == [
        ("C1", "王五", "13900000002", "抖音"),
        ("C2", None, "13900000003", None),
    ]


def test_failure_half_way_leaves_every_table_identical(con, ws, monkeypatch):
    first = write_csv(ws / "a.csv", [HEAD, ["2025-10-01", "S1", "C1", "x", "100"]])
    import_file(con, first, clinic="本院")
    before = snapshot(con)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    # Rows, rejects are written by now; the failure comes before the batch is recorded.
    monkeypatch.setattr(load, "_record_names", boom)
    second = write_csv(
        ws / "b.csv",
        [
            HEAD,
            ["2025-10-02", "S2", "C2", "新项目", "200"],
            ["x", "S3", "C3", "y", "1"],
            ["2025-10-03", "S4", "C4", "z", "3"],
        ],
    )
    with pytest.raises(RuntimeError):
        import_file(con, second, clinic="本院")
    assert snapshot(con) == before


def test_mostly_bad_file_fails_whole_and_names_rows(con, ws):
    before = snapshot(con)
    path = write_csv(
        ws / "bad.csv",
        [
            HEAD,
            ["2025-10-01", "S1", "C1", "x", "abc"],
            ["nope", "S2", "C2", "y", "1"],
            ["2025-10-03", "S3", "C3", "z", "3"],
        ],
    )
    with pytest.raises(InputFileError) as info:
        import_file(con, path, clinic="本院")
    msg = str(info.value)
    assert "2 of 3 data rows" in msg and "row 2 column '实收金额'" in msg and "row 3 column '收费日期'" in msg
    assert snapshot(con) == before


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "utf-8-sig"])
def test_large_csv_in_batches_loads_exactly_what_one_pass_loads(tmp_path, monkeypatch, encoding):
    from aesthetic_cli.importer import read
    from aesthetic_cli.warehouse import connect

    rows = [["某医美 收费明细"], HEAD]
    for i in range(10):
        rows.append([f"2025-10-{i + 1:02d}", f"S{i}", f"C{i}", "水光针", str(100 + i)])
    rows.insert(5, ["2025-10-03", "S9", "C9", "水光针", "999"])  # identical to the line at row 13...
    rows.insert(13, ["2025-10-03", "S9", "C9", "水光针", "999"])  # ...in another batch
    rows.insert(9, ["bad-date", "SX", "CX", "y", "1"])  # a reject in a later batch: file line 10
    path = write_csv(tmp_path / "big.csv", rows, encoding=encoding)
    reexport = write_csv(
        tmp_path / "reexport.csv",
        [*rows, ["2025-10-03", "S9", "C9", "水光针", "999"], ["2025-10-31", "S10", "C10", "光子", "1"]],
        encoding=encoding,
    )

    def load_with(batched: bool):
        db = tmp_path / f"{batched}.duckdb"
        con = connect(db)
        if batched:
            monkeypatch.setattr(read, "LARGE_CSV_BYTES", 10)
            monkeypatch.setattr(read, "BATCH_ROWS", 3)
        r = import_file(con, path, clinic="本院")
        monkeypatch.undo()
        got = (
            sorted(con.execute("SELECT order_date, order_id, paid_amount, source_row FROM orders").fetchall()),
            con.execute("SELECT row_number, field, reason FROM rejects").fetchall(),
            (r.rows_read, r.loaded, r.rejected, r.skipped, r.date_min, r.date_max),
        )
        again = import_file(con, path, clinic="本院")  # and idempotent either way
        assert again.status == "unchanged"
        # An overlapping re-export with a third identical line and one new line: exactly those two
        # load. This is what the rank among equal keys is for, so it must hold across batches too.
        if batched:
            monkeypatch.setattr(read, "LARGE_CSV_BYTES", 10)
            monkeypatch.setattr(read, "BATCH_ROWS", 3)
        more = import_file(con, reexport, clinic="本院")
        monkeypatch.undo()
        got += ((more.loaded, more.duplicates),)
        con.close()
        return got

    one_pass, batched = load_with(False), load_with(True)
    assert batched == one_pass
    assert one_pass[1] == [(10, "order_date", "not a date")]
    assert sum(1 for r in one_pass[0] if r[1] == "S9") == 3  # two identical lines and the original S9
    assert one_pass[3] == (2, 12)  # the third identical line and the new one; the 12 known lines skipped
