"""Undo an import (aesops batches drop N) and the mapping file's features, through the CLI."""

from __future__ import annotations

import json
from decimal import Decimal

import openpyxl

from tests.conftest import run_cli, snapshot, write_csv


def _con(ws):
    from aesthetic_cli.warehouse import connect

    return connect(ws / "aesops.duckdb")


def _snap(ws):
    con = _con(ws)
    try:
        return snapshot(con)
    finally:
        con.close()


def _q(ws, sql):
    con = _con(ws)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _batch_ids(ws):
    r = run_cli("batches", "--format", "json")
    assert r.exit_code == 0, r.output
    return [(b["batch_id"], b["dataset"], b["file_name"]) for b in json.loads(r.stdout)["batches"]]


V1 = [
    ["客户编号", "客户姓名", "手机号", "来源渠道", "所属咨询师"],
    ["M001", "王丽", "13800001111", "抖音", "张敏"],
    ["M002", "李娜", "13800002222", "美团", "张敏"],
]
# M001 changes channel and consultant, M003 is new, M002 is the same: one update, one new, one unchanged.
V2 = [
    ["客户编号", "客户姓名", "手机号", "来源渠道", "所属咨询师"],
    ["M001", "王丽", "13800001111", "小红书", "李想"],
    ["M002", "李娜", "13800002222", "美团", "张敏"],
    ["M003", "赵雪", "13800003333", "百度", "李想"],
]
ORDERS = [
    ["收费日期", "顾客编号", "项目", "实收金额", "咨询师"],
    ["2025-10-01", "M001", "水光针", "1280", "张敏"],
    ["2025-10-02", "M002", "热玛吉", "oops", "张敏"],
]


def test_drop_an_upsert_batch_restores_every_table(ws):
    assert run_cli("import", str(write_csv(ws / "顾客v1.csv", V1))).exit_code == 0
    assert run_cli("import", str(write_csv(ws / "收费.csv", ORDERS))).exit_code == 0
    before = _snap(ws)
    r = run_cli("import", str(write_csv(ws / "顾客v2.csv", V2)))
    assert r.exit_code == 0 and "loaded 1 · updated 1" in r.stderr, r.stderr
    assert _q(ws, "SELECT source_channel, owner_consultant FROM customers WHERE customer_id = 'M001'") == [
        ("小红书", "李想")
    ]
    assert _q(ws, "SELECT count(*) FROM known_names WHERE name IN ('小红书', '百度', '李想')") == [(3,)]
    batch = _batch_ids(ws)[-1]
    assert batch[1:] == ("customers", "顾客v2.csv")
    r = run_cli("batches", "drop", str(batch[0]), env={"LANG": "zh_CN.UTF-8"})  # messages follow the locale
    assert r.exit_code == 0 and "恢复 1 条旧记录" in r.stderr, r.stderr
    assert _snap(ws) == before
    # The ledger entry went with it: the same file imports again.
    r = run_cli("import", str(ws / "顾客v2.csv"))
    assert r.exit_code == 0 and "updated 1" in r.stderr


def test_drop_an_append_batch_removes_rows_rejects_and_names(ws):
    before = _snap(ws)
    assert run_cli("import", str(write_csv(ws / "收费.csv", ORDERS))).exit_code == 0
    assert _q(ws, "SELECT count(*) FROM rejects") == [(1,)]
    ((batch_id, dataset, _),) = _batch_ids(ws)
    assert dataset == "orders"
    assert run_cli("batches", "drop", str(batch_id)).exit_code == 0
    assert _snap(ws) == before


def test_a_name_kept_by_a_later_batch_stays_known(ws):
    assert run_cli("import", str(write_csv(ws / "a.csv", ORDERS[:2]))).exit_code == 0
    assert (
        run_cli(
            "import", str(write_csv(ws / "b.csv", [ORDERS[0], ["2025-10-05", "M009", "x", "10", "张敏"]]))
        ).exit_code
        == 0
    )
    first, second = _batch_ids(ws)
    assert _q(ws, "SELECT batch_id FROM known_names WHERE name = '张敏'") == [(first[0],)]
    assert run_cli("batches", "drop", str(first[0])).exit_code == 0
    # As if a.csv had never been imported: b.csv introduced 张敏.
    assert _q(ws, "SELECT batch_id FROM known_names WHERE name = '张敏'") == [(second[0],)]


def test_drop_refuses_when_a_later_batch_built_on_it(ws):
    run_cli("import", str(write_csv(ws / "顾客v1.csv", V1)))
    run_cli("import", str(write_csv(ws / "顾客v2.csv", V2)))
    (b1, *_), (b2, *_) = _batch_ids(ws)
    before = _snap(ws)
    r = run_cli("batches", "drop", str(b1))
    assert r.exit_code == 2 and f"later batch(es) {b2}" in r.stderr
    assert _snap(ws) == before
    r = run_cli("batches", "drop", "99")
    assert r.exit_code == 2 and "no import batch 99" in r.stderr
    # Dropping the later one first, then the earlier, empties the warehouse.
    assert run_cli("batches", "drop", str(b2)).exit_code == 0
    assert run_cli("batches", "drop", str(b1)).exit_code == 0
    assert _q(ws, "SELECT count(*) FROM customers") == [(0,)]
    assert _q(ws, "SELECT count(*) FROM customers_prior") == [(0,)]


def test_batches_lists_as_a_table(ws):
    run_cli("import", str(write_csv(ws / "收费.csv", ORDERS)))
    r = run_cli("batches", "--format", "table")
    assert r.exit_code == 0 and "收费.csv" in r.stdout and "orders" in r.stdout


def test_batches_as_csv_and_as_a_workbook(ws):
    """--format csv and xlsx used to print the terminal's table: a spreadsheet was asked for and a table came."""
    run_cli("import", str(write_csv(ws / "收费.csv", ORDERS)))
    r = run_cli("batches", "--format", "csv", env={"LANG": "zh_CN.UTF-8"})
    assert r.exit_code == 0, r.output
    header, first = r.stdout.lstrip("\ufeff").splitlines()[:2]
    assert header.startswith("批次,数据集,文件,") and first.startswith("1,orders,收费.csv,"), r.stdout
    book = ws / "batches.xlsx"
    assert run_cli("batches", "--format", "xlsx", "--out", str(book)).exit_code == 0
    cells = [c for row in openpyxl.load_workbook(book).active.iter_rows(values_only=True) for c in row]
    assert "收费.csv" in cells


# ---------------------------------------------------------------- mapping files


def _map(ws, text, name="map.toml"):
    path = ws / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_mapping_constants_and_computed_amount(ws):
    # Raw transaction lines: no item, no paid amount, only quantity and unit price.
    path = write_csv(
        ws / "lines.csv",
        [
            ["InvoiceNo", "InvoiceDate", "CustomerID", "Quantity", "UnitPrice"],
            ["536365", "2010-12-01", "17850", "6", "2.55"],
            ["536366", "2010-12-01", "17850", "3", "(1.10)"],
            ["536367", "2010-12-02", "13047", "8", "¥1,000"],
        ],
    )
    mapping = _map(
        ws,
        """kind = "orders"
[columns]
InvoiceNo = "order_id"
InvoiceDate = "order_date"
CustomerID = "customer_id"
Quantity = "quantity"
[constants]
item = "CD"
clinic = "静安店"
[computed]
paid_amount = "Quantity * UnitPrice"
""",
    )
    r = run_cli("import", str(path), "--mapping", mapping)
    assert r.exit_code == 0, r.stderr
    # 6 × 2.55 = 15.30; 3 × −1.10 = −3.30 (a refund); 8 × 1000 = 8000.
    assert _q(ws, "SELECT order_id, item, clinic, paid_amount, line_kind FROM orders ORDER BY order_id") == [
        ("536365", "CD", "静安店", Decimal("15.30"), "sale"),
        ("536366", "CD", "静安店", Decimal("-3.30"), "refund"),
        ("536367", "CD", "静安店", Decimal("8000.00"), "sale"),
    ]


def test_mapping_formula_is_never_evaluated_as_python(ws):
    path = write_csv(ws / "o.csv", [["日期", "顾客", "数量"], ["2025-01-01", "C1", "1"]])
    for formula in ("__import__('os').system('echo hi')", "数量 ** 2", "数量.real", "[x for x in 数量]"):
        mapping = _map(
            ws,
            f'kind = "orders"\n[columns]\n"日期" = "order_date"\n"顾客" = "customer_id"\n'
            f'[constants]\nitem = "x"\n[computed]\npaid_amount = "{formula}"\n',
        )
        r = run_cli("import", str(path), "--mapping", mapping)
        assert r.exit_code == 2, (formula, r.output)
        # Refused as it stands, or read as a column name the file lacks: never run.
        assert any(w in r.stderr for w in ("column names, numbers", "is not a formula", "that the file does not have"))
    assert _q(ws, "SELECT count(*) FROM orders") == [(0,)]


def test_mapping_date_format(ws):
    path = write_csv(
        ws / "o.csv",
        [
            ["收费日期", "顾客编号", "项目", "实收金额"],
            ["20251003", "C1", "x", "100"],
            ["20251104", "C2", "y", "200"],
            ["2025-11-05", "C3", "z", "300"],
        ],
    )
    r = run_cli("import", str(path), "--mapping", _map(ws, 'kind = "orders"\ndate_format = "%Y%m%d"\n'))
    assert r.exit_code == 0, r.stderr
    assert [str(d) for (d,) in _q(ws, "SELECT order_date FROM orders ORDER BY 1")] == ["2025-10-03", "2025-11-04"]
    # With a format given, it is the only reading: the ISO date of row 4 is refused, not guessed.
    assert "row 4, column '收费日期'" in r.stderr


def test_mapping_date_order_mdy_and_dmy(ws):
    rows = [
        ["收费日期", "顾客编号", "项目", "实收金额"],
        ["12/6/2009", "C1", "x", "100"],
        ["1/2/2010", "C2", "y", "200"],
    ]
    path = write_csv(ws / "us.csv", rows)
    # Every date reads both ways: aesops asks rather than guesses.
    r = run_cli("import", str(path))
    assert r.exit_code == 1 and "12/6/2009" in r.stderr and "date_order" in r.stderr
    assert 'date_order = "mdy"' in (ws / "us.csv.aesops-mapping.toml").read_text(encoding="utf-8")
    r = run_cli("import", str(path), "--mapping", _map(ws, 'kind = "orders"\ndate_order = "mdy"\n'))
    assert r.exit_code == 0, r.stderr
    assert [str(d) for (d,) in _q(ws, "SELECT order_date FROM orders ORDER BY 1")] == ["2009-12-06", "2010-01-02"]
    path = write_csv(ws / "uk.csv", [rows[0], ["12/6/2009", "C5", "x", "100"]])
    r = run_cli("import", str(path), "--mapping", _map(ws, 'kind = "orders"\ndate_order = "dmy"\n', "dmy.toml"))
    assert r.exit_code == 0, r.stderr
    assert _q(ws, "SELECT CAST(order_date AS VARCHAR) FROM orders WHERE customer_id = 'C5'") == [("2009-06-12",)]


def test_date_order_read_from_a_day_above_12(ws):
    path = write_csv(
        ws / "o.csv",
        [["收费日期", "顾客编号", "项目", "实收金额"], ["10/7/2025", "C1", "x", "1"], ["10/21/2025", "C2", "x", "1"]],
    )
    r = run_cli("import", str(path))
    assert r.exit_code == 0, r.stderr
    assert [str(d) for (d,) in _q(ws, "SELECT order_date FROM orders ORDER BY 1")] == ["2025-10-07", "2025-10-21"]


def _workbook(path, sheets: dict[str, list[list]]):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return str(path)


HEAD = ["收费日期", "顾客编号", "项目", "实收金额"]


def test_all_sheets_of_one_dataset_import_and_others_are_named(ws):
    path = _workbook(
        ws / "收费2025.xlsx",
        {
            "说明": [["本文件由系统导出"], ["导出人：admin"]],
            "10月": [HEAD, ["2025-10-01", "C1", "x", 100], ["2025-10-02", "C2", "y", 200]],
            "11月": [HEAD, ["2025-11-01", "C1", "x", 300], ["2025-10-02", "C2", "y", 200]],
            "到院": [["到院日期", "顾客编号", "现场咨询师"], ["2025-10-01", "C1", "张敏"]],
        },
    )
    r = run_cli("import", path, "--lang", "zh")
    assert r.exit_code == 0, r.stderr
    assert "[10月] → orders（收费明细），批次" in r.stderr and "[11月] → orders（收费明细），批次" in r.stderr
    assert "工作表「到院」未导入" in r.stderr and "说明" not in r.stderr
    assert [(ds, f) for _, ds, f in _batch_ids(ws)] == [("orders", "收费2025.xlsx")] * 2
    # One batch per sheet; 11月 repeats a line of 10月, loaded once: 100 + 200 + 300.
    assert _q(ws, "SELECT count(*), sum(paid_amount) FROM orders") == [(3, Decimal("600.00"))]
    r = run_cli("import", path)
    assert r.exit_code == 0 and r.stderr.count("nothing changed") == 2


def test_mapping_sheets_list_header_row_and_values(ws):
    path = _workbook(
        ws / "book.xlsx",
        {
            "A": [
                ["标题 2025年10月"],
                ["备注：内部"],
                ["登记", "渠道来源", "到了吗"],
                ["2025-10-01", "抖音", "已到"],
                ["2025-10-02", "美团", "没来"],
            ],
            "B": [["x"], ["y"], ["登记", "渠道来源", "到了吗"], ["2025-10-03", "百度", "已到"]],
        },
    )
    mapping = _map(
        ws,
        """kind = "leads"
sheets = ["B"]
header_row = 3
[columns]
"登记" = "lead_date"
"渠道来源" = "channel"
"到了吗" = "arrived"
[values.arrived]
"已到" = true
"没来" = false
""",
    )
    r = run_cli("import", path, "--mapping", mapping)
    assert r.exit_code == 0, r.stderr
    assert _q(ws, "SELECT CAST(lead_date AS VARCHAR), channel, arrived FROM leads") == [("2025-10-03", "百度", True)]
    mapping_all = mapping.replace("map.toml", "all.toml")
    (ws / "all.toml").write_text(
        (ws / "map.toml").read_text(encoding="utf-8").replace('sheets = ["B"]', 'sheets = "all"'), encoding="utf-8"
    )
    r = run_cli("import", path, "--mapping", mapping_all)
    assert r.exit_code == 0, r.stderr
    assert _q(ws, "SELECT channel, arrived FROM leads ORDER BY lead_date") == [
        ("抖音", True),
        ("美团", False),
        ("百度", True),
    ]


def test_mapping_amount_unit_fen(ws):
    path = write_csv(ws / "o.csv", [HEAD, ["2025-10-01", "C1", "x", "12345"]])
    r = run_cli("import", str(path), "--mapping", _map(ws, 'kind = "orders"\namount_unit = "fen"\n'))
    assert r.exit_code == 0, r.stderr
    assert _q(ws, "SELECT paid_amount FROM orders") == [(Decimal("123.45"),)]


def test_bad_mapping_values_are_named(ws):
    path = write_csv(ws / "o.csv", [HEAD, ["2025-10-01", "C1", "x", "1"]])
    for text, words in (
        ('date_order = "ydm"\n', "date_order"),
        ("header_row = 0\n", "header_row"),
        ("sheets = 3\n", "sheets"),
        ('[constants]\nnope = "x"\n', "unknown fields: nope"),
    ):
        r = run_cli("import", str(path), "--mapping", _map(ws, 'kind = "orders"\n' + text))
        assert r.exit_code == 2 and words in r.stderr, (text, r.stderr)
