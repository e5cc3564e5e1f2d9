"""The import's set-wise path (importer/stage.py + setwise.py) against convert.py, the reference.

The fast path converts only the rows it reads exactly as convert.py would and hands every other row
to convert.py, so a warehouse filled through it must equal, table for table, one filled through the
Polars path alone (forced here by declaring the file not plain / the mapping Polars-only)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from aesthetic_cli.errors import InputFileError
from aesthetic_cli.importer import bounds, load, stage
from aesthetic_cli.importer.load import import_file
from aesthetic_cli.warehouse import connect
from tests.conftest import snapshot, write_csv, write_xlsx

HEAD = ["收费日期", "单号", "顾客编号", "项目名称", "实收金额", "支付方式", "数量", "收费类型", "门店"]

# Plain rows and every kind of row the fast path must leave to convert.py, with their sheet rows
# (title on row 1, header on row 2).
ROWS = [
    ["2025-10-01", "S1", "C1", "水光针", "1000", "微信", "1", "收费", "静安店"],  # 3 plain
    ["2025-10-01", "S2", "C2", "水光针", "¥1234.00", "微信", "", "收费", "静安店"],  # 4 ¥ amount
    ["2025年10月3日", "S3", "C3", "热玛吉", "12000", "", "", "", "静安店"],  # 5 Chinese date
    [],  # 6 blank
    ["2025-10-04", "S4", "C4", "玻尿酸", "abc", "微信", "", "", "静安店"],  # 7 rejected
    ["2025-10-05", "S5", "C5", "光子嫩肤 ", "800", "储值卡扣", "2", "", "浦东店"],  # 8 trailing space
    ["2025-10-06", "S6", "C6", "储值卡充值", "5000", "微信", "1", "充值", "-"],  # 9 topup, no clinic
    ["2025-10-07", "S7", "C7", "水光针", "600", "支付宝", "x", "退款", "静安店"],  # 10 refund, bad quantity
    ["2025-10-08", "S8", "C8", "水光针", "1e12", "微信", "", "", "静安店"],  # 11 absurd amount
    ["2025-10-09", "S9", "C9", "水光针", "300", "微信", "", "", "静安店", "extra"],  # 12 ragged
    ["合计", "", "", "", "16934", "", "", "", ""],  # 13 totals
    HEAD,  # 14 header again
    ["2025-10-10", "S10", "C10", "水光针", "(200)", "微信", "", "", "静安店"],  # 15 (200)
    ["2025-10-11", "S11", "C11", "水光针", "250.5", "微信", "1.5", "收费", "静安店"],  # 16 plain
    # Plain rows whose meaning depends on wording: the dataset rules in SQL (setwise.derived).
    ["2025-10-12", "S12", "C12", "水光针", "700", "微信", "1", "退款", "静安店"],  # 17 refund
    ["2025-10-12", "S13", "C13", "储值卡充值", "3000", "微信", "1", "充值", "静安店"],  # 18 topup
    ["2025-10-13", "S14", "C14", "水光针", "500", "储值卡扣", "1", "收费", "静安店"],  # 19 stored value
]


def _write(ws, name="o.csv"):
    return write_csv(ws / name, [["收费明细 导出"], HEAD, *ROWS])


def _import_both(ws, monkeypatch, path, **kw):
    fast_db, ref_db = ws / "fast.duckdb", ws / "ref.duckdb"
    con = connect(fast_db)
    fast = import_file(con, path, **kw)
    fast_snap = snapshot(con)
    con.close()
    with monkeypatch.context() as m:
        m.setattr(stage, "plain_csv", lambda p: None)
        m.setattr(load, "_polars_only", lambda user: True)
        con = connect(ref_db)
        ref = import_file(con, path, **kw)
        ref_snap = snapshot(con)
        con.close()
    return fast, fast_snap, ref, ref_snap


def _without_times(snap):
    # The ledger's import time and path differ between the two runs; everything else must not.
    return {t: rows for t, rows in snap.items() if t != "import_batches"}


def test_fast_path_and_polars_path_fill_the_same_warehouse(ws, monkeypatch):
    path = _write(ws)
    assert stage.plain_csv(path) == ("utf-8", ",")  # no quotes: DuckDB reads it, set-wise
    fast, fast_snap, ref, ref_snap = _import_both(ws, monkeypatch, path, clinic="本院")
    assert _without_times(fast_snap) == _without_times(ref_snap)
    for attr in ("rows_read", "loaded", "rejected", "skipped", "blanked", "date_min", "date_max"):
        assert getattr(fast, attr) == getattr(ref, attr), attr


def test_fast_path_figures_worked_by_hand(con, ws):
    r = import_file(con, _write(ws), clinic="本院")
    # Rows 3..19 are 17 data rows. Skipped: 6 (blank), 13 (合计), 14 (header again) = 3. Rejected:
    # 7 (abc), 11 (1e12 beyond ±100亿), 12 (10 fields for 9 headers) = 3. Loaded: the other 11.
    assert (r.rows_read, r.skipped, r.rejected, r.loaded) == (17, 3, 3, 11)
    rejects = con.execute(
        "SELECT row_number, \"column\", reason FROM rejects WHERE severity = 'rejected' ORDER BY 1"
    ).fetchall()
    assert [(row, col) for row, col, _ in rejects] == [(7, "实收金额"), (11, "实收金额"), (12, "")]
    assert con.execute("SELECT file_name FROM rejects LIMIT 1").fetchone() == ("o.csv",)
    # Row 10's quantity "x" is blanked, not rejected.
    assert con.execute("SELECT row_number, field FROM rejects WHERE severity = 'blanked'").fetchall() == [
        (10, "quantity")
    ]
    got = dict(con.execute("SELECT source_row, paid_amount FROM orders").fetchall())
    # ¥1234.00 -> 1234; (200) -> -200; 退款 600 -> -600; 250.5 exact to the cent.
    assert {k: float(v) for k, v in got.items()} == {
        3: 1000.0,
        4: 1234.0,
        5: 12000.0,
        8: 800.0,
        9: 5000.0,
        10: -600.0,
        15: -200.0,
        16: 250.5,
        17: -700.0,
        18: 3000.0,
        19: 500.0,
    }
    kinds = dict(con.execute("SELECT source_row, line_kind FROM orders").fetchall())
    assert (kinds[9], kinds[10], kinds[15], kinds[3]) == ("topup", "refund", "refund", "sale")
    assert (kinds[17], kinds[18], kinds[19]) == ("refund", "topup", "sale")
    rows = dict(
        con.execute(
            "SELECT source_row, (clinic, quantity, item, customer_id, order_date, stored_value) FROM orders"
        ).fetchall()
    )
    assert rows[9][0] == "本院"  # "-" is no clinic: the default fills it
    assert rows[8][1:3] == (2.0, "光子嫩肤")  # the item's trailing space trimmed
    assert (rows[16][1], rows[10][1]) == (1.5, None)
    assert rows[5][4] == date(2025, 10, 3)
    assert rows[8][5] is True and rows[19][5] is True and rows[3][5] is False  # 储值卡扣 is paid from a card


def test_most_rows_take_the_fast_path(con, ws):
    """The plain rows of a large export are converted in SQL: only the odd ones reach convert.py."""
    seen = []
    real = stage.convert

    def counting(frame, *a, **kw):
        seen.append(frame.height)
        return real(frame, *a, **kw)

    rows = [["2025-10-01", f"S{i}", f"C{i}", "水光针", "100", "微信", "", "收费", "静安店"] for i in range(3000)]
    rows[1500][4] = "¥100"
    path = write_csv(ws / "big.csv", [HEAD, *rows])
    pytest.MonkeyPatch.setattr(pytest.MonkeyPatch(), stage, "convert", counting)
    try:
        r = import_file(con, path, clinic="本院")
    finally:
        stage.convert = real
    assert r.loaded == 3000 and seen == [1]


def test_spreadsheet_fast_path_and_polars_path_agree(ws, monkeypatch):
    rows = [[v if v != "" else None for v in r] for r in ROWS if r and len(r) <= len(HEAD)]
    rows[0][4] = 1000  # a number cell
    path = write_xlsx(ws / "o.xlsx", [["收费明细 导出"], HEAD, *rows])
    fast, fast_snap, ref, ref_snap = _import_both(ws, monkeypatch, path, clinic="本院")
    assert _without_times(fast_snap) == _without_times(ref_snap)
    assert (fast.loaded, fast.rejected, fast.skipped) == (ref.loaded, ref.rejected, ref.skipped)


def test_customers_upsert_through_the_fast_path(ws, monkeypatch):
    head = ["顾客编号", "姓名", "手机号", "性别", "建档日期", "会员等级"]
    rows = [
        ["C1", "王芳", "13800001111", "F", "2025-01-02", "金卡"],
        ["C2", "李娜", "+86 138 0000 2222", "男", "2025-01-03", ""],
        ["C3", "张三", "8613800003333", "", "2025-01-04", ""],
        ["C4", "李四", "12", "", "2025-01-04", ""],
        ["C1", "王芳", "", "女", "2025-01-05", "钻石卡"],
    ]  # C1 twice: the later row wins, blanks keep values
    path = write_csv(ws / "c.csv", [head, *rows])
    assert stage.plain_csv(path) is not None
    fast, fast_snap, ref, ref_snap = _import_both(ws, monkeypatch, path)
    assert _without_times(fast_snap) == _without_times(ref_snap)
    con = connect(ws / "fast.duckdb")
    assert con.execute("SELECT phone, gender, member_level FROM customers WHERE customer_id = 'C1'").fetchone() == (
        "13800001111",
        "女",
        "钻石卡",
    )
    # +86, spaces and the 86 prefix dropped; "12" is no phone (blanked)
    assert con.execute("SELECT customer_id, phone FROM customers WHERE customer_id <> 'C1' ORDER BY 1").fetchall() == [
        ("C2", "13800002222"),
        ("C3", "13800003333"),
        ("C4", None),
    ]
    con.close()


def test_progress_is_reported_by_rows(con, ws):
    calls = []
    import_file(con, _write(ws), clinic="本院", progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 17)  # 17 data rows below the title and header
    assert calls[-1] == (17, 17)  # done: the data rows read
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:], strict=False))


def test_failed_fast_import_leaves_no_trace(con, ws):
    before = snapshot(con)
    bad = [["2025-10-01", f"S{i}", f"C{i}", "水光针", "n/a?", "微信", "", "", "静安店"] for i in range(10)]
    with pytest.raises(InputFileError):
        import_file(con, write_csv(ws / "bad.csv", [HEAD, *bad]), clinic="本院")
    assert snapshot(con) == before
    # And no staging table is left behind in the session.
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'aesops_%'").fetchone() == (0,)


def _sheet_zip(path, sheet_xml: bytes):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.parametrize(
    "spelling",
    [
        b'<x:row r="3"><x:c r="XFD3" t="inlineStr"><x:is><x:t>n</x:t></x:is></x:c></x:row>',  # namespace prefix
        b'<row r="3"><c\nr="XFD3" t="inlineStr"><is><t>n</t></is></c></row>',  # newline before r=
        b'<row r="3"><c t="inlineStr" r="XFD3"><is><t>n</t></is></c></row>',  # r= not first
    ],
)
def test_far_cell_is_found_however_the_xml_is_spelled(ws, spelling):
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(4, 400))
    xml = (
        b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>' + spelling + rows + b"</sheetData></worksheet>"
    )
    with pytest.raises(InputFileError, match="XFD3"):
        bounds.check_zip(_sheet_zip(ws / "far.xlsx", xml))


def test_plain_sheet_scan_counts_like_the_general_one():
    chunk = b"".join(
        b'<row r="%d" spans="1:2"><c r="A%d" t="s"><v>1</v></c><c r="B%d"><v>2</v></c></row>' % (i, i, i)
        for i in range(1, 50)
    )
    plain = bounds._plain_counts(chunk)
    assert plain is not None
    assert plain[:3] == (len(bounds._ROW.findall(chunk)), len(bounds._CELL.findall(chunk)), 49)


def test_progress_bar_on_a_terminal_only(ws, monkeypatch):
    from aesthetic_cli.cli.commands import ingest
    from tests.conftest import run_cli

    path = _write(ws)
    piped = run_cli("import", str(path))
    assert piped.exit_code == 0 and "rows/s" not in piped.stderr and "17/17" not in piped.stderr
    drawn = []
    monkeypatch.setattr(ingest, "interactive", lambda: True)
    real = ingest._Rows.start

    def spy(self, p):
        report = real(self, p)
        return report and (lambda done, total: (drawn.append((done, total)), report(done, total)))

    monkeypatch.setattr(ingest._Rows, "start", spy)
    path2 = write_csv(ws / "o2.csv", [HEAD, ["2025-11-01", "T1", "C1", "水光针", "100", "微信", "1", "收费", "静安店"]])
    assert run_cli("import", str(path2)).exit_code == 0
    assert drawn and drawn[-1] == (1, 1)
    drawn.clear()
    path3 = write_csv(ws / "o3.csv", [HEAD, ["2025-11-02", "T2", "C2", "水光针", "100", "微信", "1", "收费", "静安店"]])
    assert run_cli("import", str(path3), "--quiet").exit_code == 0
    assert drawn == []
