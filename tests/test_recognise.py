"""Recognition of exports aesops has never seen: the corpus, refusals, --explain, and the traps
of issue 13 (a leads file with member ids, raw transaction lines)."""

from __future__ import annotations

import csv
import re
import shlex
import tomllib
from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import run_cli, snapshot, write_csv
from tests.data.corpus.layouts import LAYOUTS


def _write(path, layout):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([layout["header"], *layout["rows"]])
    return path


def _batches(ws):
    from aesthetic_cli.warehouse import connect

    con = connect(ws / "aesops.duckdb")
    try:
        return con.execute("SELECT file_name, dataset FROM import_batches ORDER BY batch_id").fetchall()
    finally:
        con.close()


def _table(ws, sql):
    from aesthetic_cli.warehouse import connect

    con = connect(ws / "aesops.duckdb")
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_corpus_recognised_without_mapping_or_refused(con, ws, capsys):
    """Every layout imported as a user would, with no mapping (the core's import_file, one warehouse
    connection for speed; the CLI paths are tested below)."""
    from aesthetic_cli.errors import InputFileError
    from aesthetic_cli.importer.load import import_file

    complete, failures = 0, []
    for i, layout in enumerate(LAYOUTS):
        folder = ws / f"v{i:02d}"
        folder.mkdir()
        path = _write(folder / layout["file"], layout)
        try:
            result = import_file(con, path, clinic="本院")
        except InputFileError as exc:
            # Refused: nothing loaded, and a mapping to check written next to the file.
            result = None
            proposal = folder / (layout["file"] + ".aesops-mapping.toml")
            assert proposal.exists(), (layout["file"], exc.message)
            doc = tomllib.loads(proposal.read_text(encoding="utf-8"))
            assert doc["kind"] and isinstance(doc.get("columns", {}), dict)
        loaded = [
            r[0]
            for r in con.execute(
                "SELECT dataset FROM import_batches WHERE file_name = $f", {"f": layout["file"]}
            ).fetchall()
        ]
        if result is None:
            assert not loaded, layout["file"]
            failures.append(f"{layout['vendor']} {layout['file']}")
            continue
        # Loaded: never into the wrong dataset.
        assert loaded == [layout["dataset"]], (layout["file"], loaded)
        lay = result.layout
        got = {lay.headers[c]: f for c, f in lay.mapping.items()}
        if all(got.get(h) == f for h, f in layout["expect"].items()):
            complete += 1
        else:
            failures.append(f"{layout['vendor']} {layout['file']} (columns missed)")
    share = complete / len(LAYOUTS)
    with capsys.disabled():
        print(
            f"\ncorpus: {complete} of {len(LAYOUTS)} layouts recognised complete with no mapping ({share:.0%}); "
            f"not: {failures}"
        )
    assert len(LAYOUTS) >= 30
    assert share >= 0.9


CUSTOMERS = [
    ["客户编号", "客户姓名", "手机号", "来源渠道", "所属咨询师"],
    ["M001", "王丽", "13800001111", "抖音", "张敏"],
    ["M002", "李娜", "13800002222", "美团", "张敏"],
]


def test_leads_with_member_ids_never_overwrite_customers(ws):
    assert run_cli("import", str(write_csv(ws / "顾客.csv", CUSTOMERS))).exit_code == 0
    before = _table(ws, "SELECT * FROM customers ORDER BY customer_id")
    # Every row carries a member id, a phone and a channel, like a customer file would.
    leads = write_csv(
        ws / "export_1.csv",
        [
            ["会员编号", "咨询日期", "客户姓名", "手机号", "来源", "网电咨询师", "是否到院"],
            ["M001", "2025-10-01", "王丽", "13899990000", "百度", "小周", "是"],
            ["M002", "2025-10-02", "李娜", "13899991111", "小红书", "小周", "否"],
        ],
    )
    r = run_cli("import", str(leads))
    assert _table(ws, "SELECT * FROM customers ORDER BY customer_id") == before
    assert _table(ws, "SELECT count(*) FROM customers_prior") == [(0,)]
    if r.exit_code == 0:
        assert _batches(ws)[-1] == ("export_1.csv", "leads")
        assert _table(ws, "SELECT count(*) FROM leads") == [(2,)]


def test_raw_transactions_never_load_as_customers(ws):
    for name, head in (
        ("tx.csv", ["ID", "Date", "Quantity", "Amount"]),
        ("流水.csv", ["编号", "日期", "数量", "金额"]),
        ("data.csv", ["CustomerID", "InvoiceDate", "Quantity", "Amount"]),
    ):
        path = write_csv(
            ws / name,
            [
                head,
                ["1001", "2010-12-01", "6", "15.30"],
                ["1002", "2010-12-01", "8", "22.00"],
                ["1003", "2010-12-02", "2", "7.50"],
            ],
        )
        r = run_cli("import", str(path))
        assert r.exit_code != 0, (name, r.stderr)
        assert (ws / (name + ".aesops-mapping.toml")).exists()
    assert _table(ws, "SELECT count(*) FROM customers") == [(0,)]
    assert _batches(ws) == []


def test_card_export_with_unknown_balance_header_is_refused_not_emptied(ws):
    path = write_csv(
        ws / "cards.csv",
        [["卡号", "客户编号", "卡类型", "卡内金额"], ["K1", "M001", "金卡", "5300.50"], ["K2", "M002", "银卡", "120"]],
    )
    r = run_cli("import", str(path), "--lang", "zh")
    assert r.exit_code == 1
    assert "卡内金额" in r.stderr and "未导入任何内容" in r.stderr and "aesops-mapping.toml" in r.stderr
    assert _table(ws, "SELECT count(*) FROM cards") == [(0,)]
    # The written guess, with the column mapped by the user, loads it.
    proposal = ws / "cards.csv.aesops-mapping.toml"
    text = proposal.read_text(encoding="utf-8").replace('# "卡内金额" = ""', '"卡内金额" = "balance"')
    proposal.write_text(text, encoding="utf-8")
    r = run_cli("import", str(path), "--mapping", str(proposal))
    assert r.exit_code == 0, r.stderr
    assert _table(ws, "SELECT card_id, balance FROM cards ORDER BY 1") == [
        ("K1", Decimal("5300.50")),
        ("K2", Decimal("120.00")),
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_command_a_refusal_suggests_runs_as_printed_from_where_aesops_ran(ws, lang):
    # The export sits in a folder below, with a space in its name: the suggested command names it as given
    # (it said `aesops import cards.csv --mapping cards.csv.aesops-mapping.toml`, which fails from here).
    (ws / "十月 导出").mkdir()
    path = write_csv(
        ws / "十月 导出" / "cards.csv",
        [["卡号", "客户编号", "卡类型", "卡内金额"], ["K1", "M001", "金卡", "5300.50"], ["K2", "M002", "银卡", "120"]],
    )
    r = run_cli("import", "十月 导出/cards.csv", "--lang", lang)
    assert r.exit_code == 1
    command = re.search(r"`(aesops import [^`]*)`", r.stderr).group(1)
    proposal = path.with_name("cards.csv.aesops-mapping.toml")
    text = proposal.read_text(encoding="utf-8").replace('# "卡内金额" = ""', '"卡内金额" = "balance"')
    proposal.write_text(text, encoding="utf-8")
    args = shlex.split(command)
    assert args[:2] == ["aesops", "import"]
    r = run_cli(*args[1:])
    assert r.exit_code == 0, r.stderr
    assert _table(ws, "SELECT card_id, balance FROM cards ORDER BY 1") == [
        ("K1", Decimal("5300.50")),
        ("K2", Decimal("120.00")),
    ]


def test_file_name_pointing_elsewhere_is_refused_in_english_too(ws):
    # Headers that fit visits, in a file named as a leads export.
    path = write_csv(ws / "网电线索.csv", [["到院日期", "顾客编号", "咨询师"], ["2025-10-01", "C1", "张敏"]])
    r = run_cli("import", str(path), "--lang", "en")
    assert r.exit_code == 1 and "not sure what this file is" in r.stderr and "points to leads" in r.stderr
    assert _batches(ws) == []


def test_explain_prints_each_column_with_evidence_and_loads_nothing(ws):
    path = write_csv(
        ws / "o.csv",
        [
            ["结账时间", "会员卡号", "消费项目", "实付金额", "备注"],
            ["2025-10-01 10:00", "VIP001", "水光针", "¥1,280.00", ""],
        ],
    )
    r = run_cli("import", "--explain", "--lang", "zh", str(path))
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "orders（收费明细）" in out
    assert "结账时间 [日期] → order_date（表头词组，数据吻合）" in out
    assert "实付金额 [金额/数字] → paid_amount" in out and "备注 → （不使用）" in out and "会导入" in out
    assert _batches(ws) == []
    r = run_cli("import", "--explain", "--lang", "en", str(path))
    assert "order_date (header words, values agree)" in r.stdout and "would import" in r.stdout


def test_refused_batch_leaves_warehouse_as_it_was(ws):
    assert run_cli("import", str(write_csv(ws / "顾客.csv", CUSTOMERS))).exit_code == 0
    from aesthetic_cli.warehouse import connect

    con = connect(ws / "aesops.duckdb")
    before = snapshot(con)
    con.close()
    bad = write_csv(ws / "x.csv", [["客户编号", "建档日期", "咨询日期"], ["M001", "2025-01-01", "2025-02-01"]])
    r = run_cli("import", str(bad))
    assert r.exit_code == 1
    con = connect(ws / "aesops.duckdb")
    assert snapshot(con) == before
    con.close()


def test_mostly_unreadable_file_gets_the_guess_written_too(ws):
    path = write_csv(
        ws / "o.csv",
        [
            ["收费日期", "顾客编号", "项目", "实收金额"],
            ["2025-10-01", "C1", "x", "见备注"],
            ["2025-10-02", "C2", "y", "见备注"],
        ],
    )
    r = run_cli("import", str(path))
    assert r.exit_code == 1 and "more than half" in r.stderr and "o.csv.aesops-mapping.toml" in r.stderr
    doc = tomllib.loads((ws / "o.csv.aesops-mapping.toml").read_text(encoding="utf-8"))
    assert doc["kind"] == "orders" and doc["columns"]["实收金额"] == "paid_amount"
    assert _batches(ws) == []


def test_no_header_found_still_writes_a_mapping_to_fill_in(ws):
    path = write_csv(ws / "w.csv", [["甲", "乙", "丙"], ["2025-10-01", "C1", "100"]])
    r = run_cli("import", str(path))
    assert r.exit_code == 1 and "no header row found" in r.stderr and "w.csv.aesops-mapping.toml" in r.stderr
    text = (ws / "w.csv.aesops-mapping.toml").read_text(encoding="utf-8")
    assert '# "甲" = ""' in text and '# ? = "paid_amount"' in text
    tomllib.loads(text)


# An export with grouped columns: 客户 merged over 编号 | 姓名, 金额 over 应收 | 实收, the others merged down.
TWO_ROW_HEAD = [
    ["日期", "客户", None, "项目", "金额", None, "支付方式"],
    [None, "编号", "姓名", None, "应收", "实收", None],
]
TWO_ROW_BODY = [
    ["2025-10-02", "M0001", "张小花", "水光针", "1680", "1500", "微信"],
    ["2025-10-03", "M0002", "王大明", "热玛吉", "19800", "18800.5", "刷卡"],
    ["合计", None, None, None, "21480", "20300.5", None],
]
TWO_ROW_ORDERS = [
    (date(2025, 10, 2), "M0001", "水光针", Decimal("1500.00"), Decimal("1680.00"), "微信", 3),
    (date(2025, 10, 3), "M0002", "热玛吉", Decimal("18800.50"), Decimal("19800.00"), "刷卡", 4),
]


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_a_header_over_two_rows_of_grouped_columns_is_read_as_one(ws, suffix):
    # Read as 日期, 客户编号, 客户姓名, 项目, 金额应收, 金额实收, 支付方式 with the data from the third row: it
    # used to be refused as an items file (项目 alone), so the director had to flatten the header in Excel.
    # A file name that says nothing: the upper row's 客户 is a header, not a title hinting at customers.
    if suffix == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        for row in [*TWO_ROW_HEAD, *TWO_ROW_BODY]:
            sheet.append(row)
        for cells in ("A1:A2", "B1:C1", "D1:D2", "E1:F1", "G1:G2"):
            sheet.merge_cells(cells)
        path = ws / "导出.xlsx"
        book.save(path)
    else:
        path = write_csv(ws / "导出.csv", [[c or "" for c in row] for row in [*TWO_ROW_HEAD, *TWO_ROW_BODY]])
    r = run_cli("import", str(path), "--lang", "zh")
    assert r.exit_code == 0, r.stderr
    assert "客户姓名" in r.stderr  # named among the columns not used, as the two rows read together
    assert (
        _table(
            ws,
            "SELECT order_date, customer_id, item, paid_amount, list_amount, payment_method, source_row FROM orders "
            "ORDER BY source_row",
        )
        == TWO_ROW_ORDERS
    )


def test_a_first_row_of_text_under_a_header_with_a_gap_is_data_not_a_second_header_row(ws):
    # A label sits below an empty header cell here too, but nothing below is a date or an amount: the row is
    # the first employee, not a sub-header (read as one, 姓名张三 and 岗位咨询师 would have named two columns).
    path = write_csv(
        ws / "员工.csv",
        [["姓名", "岗位", "", "门店"], ["张三", "咨询师", "兼职", "静安店"], ["李四", "医生", "全职", "浦东店"]],
    )
    r = run_cli("import", str(path))
    assert r.exit_code == 0, r.stderr
    assert _table(ws, "SELECT name FROM staff ORDER BY name") == [("张三",), ("李四",)]


def test_a_refused_two_row_header_is_proposed_and_imported_with_its_mapping(ws):
    # 卡 over 卡号 | 卡类型 reads 卡号 and 卡类型 (the group's word is already there); 卡内金额 is no known header,
    # so the file is refused with a mapping that names the columns as read; mapped, it loads.
    path = write_csv(
        ws / "卡.csv",
        [
            ["卡", "", "客户编号", "金额", ""],
            ["卡号", "卡类型", "", "卡内金额", "赠送"],
            ["K1", "金卡", "M001", "5300.50", "100"],
            ["K2", "银卡", "M002", "120", "0"],
        ],
    )
    r = run_cli("import", str(path))
    assert r.exit_code == 1 and "卡内金额" in r.stderr
    proposal = ws / "卡.csv.aesops-mapping.toml"
    doc = tomllib.loads(proposal.read_text(encoding="utf-8"))
    assert doc["header_row"] == 2
    assert doc["columns"] == {
        "卡号": "card_id",
        "卡类型": "card_type",
        "客户编号": "customer_id",
        "金额赠送": "bonus_total",
    }
    text = proposal.read_text(encoding="utf-8").replace('# "卡内金额" = ""', '"卡内金额" = "balance"')
    proposal.write_text(text, encoding="utf-8")
    r = run_cli("import", str(path), "--mapping", str(proposal))
    assert r.exit_code == 0, r.stderr
    assert _table(ws, "SELECT card_id, customer_id, card_type, balance, bonus_total FROM cards ORDER BY 1") == [
        ("K1", "M001", "金卡", Decimal("5300.50"), Decimal("100.00")),
        ("K2", "M002", "银卡", Decimal("120.00"), Decimal("0.00")),
    ]


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("实收金额(万元)", "万元"),
        ("实收金额（万元）", "万元"),
        ("销售额万元", "万元"),
        ("金额(千元)", "千元"),
        ("应收(分)", "分"),
    ]
    + [("应收（元）", "元"), ("积分", None), ("评分", None), ("实收金额", None), ("分店", None)]
    + [("实收金额（单位：万元）", "万元"), ("实收(万)", "万元"), ("金额[元]", "元"), ("金额【千元】", "千元")]
    + [
        ("单价(万元/支)", "万元"),
        ("价格（元/次）", "元"),
        ("单价(元 / 支)", "元"),
        ("数量(支)", None),
        ("金额(万元/", None),
    ]
    # After a separator, in English, or another currency (no factor converts it).
    + [("实收金额/分", "分"), ("实收金额_分", "分"), ("金额-万元", "万元"), ("会员 积分", None)]
    + [("Net Amount (cents)", "分"), ("Amount (K)", "千元"), ("金额(RMB)", "元"), ("Sales (¥)", "元")]
    + [("Amount in USD", "USD"), ("金额(美元)", "美元"), ("Paid (HK$)", "HK$"), ("Net Amount", None)],
)
def test_the_unit_a_header_declares(header, unit):
    from aesthetic_cli.importer.recognise import header_unit

    assert header_unit(header) == unit


def test_an_amount_in_wan_yuan_is_refused_and_its_mapping_converts_it(ws):
    # 0.15 万元 read as yuan would be ¥0.15, ten thousand times too small, and nothing would say so.
    path = write_csv(
        ws / "收费.csv",
        [
            ["收费日期", "顾客编号", "项目", "实收金额(万元)"],
            ["2025-10-02", "M1", "水光针", "0.15"],
            ["2025-10-03", "M2", "热玛吉", "1.88"],
            ["2025-10-04", "M3", "水光针", ""],
        ],
    )
    r = run_cli("import", str(path), "--lang", "zh")
    assert r.exit_code == 1 and "单位是万元" in r.stderr
    assert _table(ws, "SELECT count(*) FROM orders") == [(0,)]
    proposal = ws / "收费.csv.aesops-mapping.toml"
    assert tomllib.loads(proposal.read_text(encoding="utf-8"))["computed"] == {
        "paid_amount": "[实收金额(万元)] * 10000"
    }
    r = run_cli("import", str(path), "--mapping", str(proposal), "--lang", "zh")
    assert r.exit_code == 0, r.stderr
    # The empty amount on line 4 is named by the file's column, and the column the formula reads is used.
    assert "第 4 行，列“实收金额(万元)”：缺少必填字段" in r.stderr
    assert "未使用" not in r.stderr and "computed" not in r.stderr
    # 0.15 × 10,000 = 1,500.00; 1.88 × 10,000 = 18,800.00.
    assert _table(ws, "SELECT customer_id, paid_amount FROM orders ORDER BY 1") == [
        ("M1", Decimal("1500.00")),
        ("M2", Decimal("18800.00")),
    ]


def test_an_amount_in_fen_loads_with_amount_unit_fen_and_is_refused_without(ws):
    path = write_csv(
        ws / "收费.csv", [["收费日期", "顾客编号", "项目", "实收(分)"], ["2025-10-02", "M1", "水光针", "150000"]]
    )
    r = run_cli("import", str(path), "--lang", "en")
    assert r.exit_code == 1 and "is in 分" in r.stderr
    r = run_cli("import", str(path), "--amount-unit", "fen")
    assert r.exit_code == 0, r.stderr
    assert _table(ws, "SELECT paid_amount FROM orders") == [(Decimal("1500.00"),)]


def test_a_first_row_that_fills_a_gap_in_a_one_row_header_stays_data(ws):
    # C1 has no phone (未留) and a tag under the header's empty cell: read as a second header row (手机 over
    # 未留 | VIP, with phones below) C1 was lost without a word. A column that is no group is merged down in a
    # real two-row header, so C1 under 客户编号 says this is data; with header_row = 1 given it is data too.
    rows = [
        ["客户编号", "姓名", "手机", "", "生日"],
        ["C1", "张三", "未留", "VIP", ""],
        ["C2", "李四", "13800138000", "", "1990-01-02"],
        ["C3", "王五", "13900139000", "", "1991-03-04"],
    ]
    path = write_csv(ws / "t.csv", rows)
    r = run_cli("import", str(path))
    assert r.exit_code == 0, r.stderr
    assert _table(ws, "SELECT customer_id FROM customers ORDER BY 1") == [("C1",), ("C2",), ("C3",)]
    mapping = ws / "m.toml"
    mapping.write_text('kind = "customers"\nheader_row = 1\n[columns]\n"客户编号" = "customer_id"\n', encoding="utf-8")
    path2 = write_csv(ws / "t2.csv", [rows[0], ["C9", "赵六", "未留", "VIP", ""], *rows[2:]])
    r = run_cli("import", str(path2), "--mapping", str(mapping))
    assert r.exit_code == 0, r.stderr
    assert ("C9",) in _table(ws, "SELECT customer_id FROM customers")


def test_a_title_of_two_cells_above_the_header_is_no_group_row(ws):
    # 门店：北京店 over 备注 would read 门店：北京店备注 → clinic, and load 首次/复购 as the clinic.
    path = write_csv(
        ws / "t.csv",
        [
            ["收费明细", "门店：北京店", "", "", "", ""],
            ["订单号", "客户编号", "项目", "实收金额", "下单日期", "备注"],
            ["A1", "C1", "水光", "100", "2025-01-02", "首次"],
            ["A2", "C2", "水光", "200", "2025-01-03", "复购"],
        ],
    )
    r = run_cli("import", str(path), "--clinic", "本院")
    assert r.exit_code == 0, r.stderr
    assert _table(ws, "SELECT DISTINCT clinic FROM orders") == [("本院",)]


def test_amount_unit_fen_over_a_yuan_header_is_refused_naming_the_flag(ws):
    path = write_csv(
        ws / "t.csv", [["收费日期", "顾客编号", "项目", "实收金额(元)"], ["2025-10-02", "M1", "水光针", "1500"]]
    )
    r = run_cli("import", str(path), "--amount-unit", "fen", "--lang", "zh")
    assert r.exit_code == 1 and "去掉 --amount-unit fen" in r.stderr
    # The proposed mapping maps the column as it is (no conversion): imported without the flag, ¥1,500.00.
    proposal = ws / "t.csv.aesops-mapping.toml"
    assert "computed" not in tomllib.loads(proposal.read_text(encoding="utf-8"))
    r = run_cli("import", str(path), "--mapping", str(proposal))
    assert r.exit_code == 0, r.stderr
    assert _table(ws, "SELECT paid_amount FROM orders") == [(Decimal("1500.00"),)]


def test_a_unit_header_that_cannot_be_quoted_stays_refused_and_is_never_read_as_yuan(ws):
    # [实收金额[RMB](万元)] cannot be written as a computed field: the proposal leaves the column unmapped, so
    # importing with it refuses again instead of loading 0.15 as ¥0.15.
    path = write_csv(
        ws / "t.csv", [["收费日期", "顾客编号", "项目", "实收金额[RMB](万元)"], ["2025-10-02", "M1", "水光针", "0.15"]]
    )
    assert run_cli("import", str(path)).exit_code == 1
    proposal = ws / "t.csv.aesops-mapping.toml"
    doc = tomllib.loads(proposal.read_text(encoding="utf-8"))
    assert "实收金额[RMB](万元)" not in doc["columns"] and "computed" not in doc
    r = run_cli("import", str(path), "--mapping", str(proposal), "--lang", "zh")
    assert r.exit_code == 1 and "表头含 ]" in r.stderr
    assert _table(ws, "SELECT count(*) FROM orders") == [(0,)]


@pytest.mark.parametrize("name", ["10月到诊登记.csv", "export.csv"])
def test_a_visit_register_dated_by_a_leads_word_is_refused_and_guessed_as_visits(ws, name):
    # 登记日期 is a leads word, and a leads reading explains the phone, channel and name: it used to load these
    # arrivals as leads, leaving 初复诊, 接诊咨询师 and 未成交原因 unread. Visits lacks only its date, and 登记日期
    # is the one column of dates: so read, visits takes 8 columns against leads' 7, and the file is refused
    # with visits as the guess (the name 到诊, arrivals, says so too).
    rows = [
        ["登记日期", "客户卡号", "顾客姓名", "手机号", "初复诊", "渠道来源", "接诊咨询师", "意向项目", "未成交原因"],
        ["2026-10-01", "VIP0001", "张三", "13800001111", "初诊", "美团", "周婷", "玻尿酸", ""],
        ["2026-10-02", "VIP0007", "周九", "13900002222", "初诊", "抖音", "王芳", "热玛吉", "价格高"],
        ["2026-10-03", "VIP0003", "王五", "13700003333", "复诊", "老带新", "周婷", "水光针", ""],
    ]
    path = write_csv(ws / name, rows)
    r = run_cli("import", str(path), "--clinic", "朝阳店", "--lang", "zh")
    assert r.exit_code == 1 and "猜测是 visits" in r.stderr and "唯一的日期列" in r.stderr
    assert _table(ws, "SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM visits)") == [(0, 0)]
    proposal = ws / f"{name}.aesops-mapping.toml"
    doc = tomllib.loads(proposal.read_text(encoding="utf-8"))
    assert doc["kind"] == "visits" and doc["columns"]["登记日期"] == "visit_date"
    r = run_cli("import", str(path), "--mapping", str(proposal), "--clinic", "朝阳店")
    assert r.exit_code == 0, r.stderr
    assert _table(
        ws, "SELECT visit_date, customer_id, visit_type, consultant, no_deal_reason FROM visits ORDER BY visit_date"
    ) == [
        (date(2026, 10, 1), "VIP0001", "初诊", "周婷", None),
        (date(2026, 10, 2), "VIP0007", "初诊", "王芳", "价格高"),
        (date(2026, 10, 3), "VIP0003", "复诊", "周婷", None),
    ]


@pytest.mark.parametrize(
    ("name", "rows", "table", "date_column"),
    [
        # 到诊 (arrived for a consultation) names a visit date.
        (
            "接待.csv",
            [["到诊日期", "客户编号", "初复诊", "现场咨询师"], ["2026-10-01", "C1", "初诊", "周婷"]],
            "visits",
            "visit_date",
        ),
        # The same 登记日期 in a file whose name says 线索 (leads) is still read, and loaded, as leads.
        (
            "线索登记.csv",
            [["登记日期", "手机号", "渠道来源", "网络咨询"], ["2026-10-01", "13800001111", "美团", "小美"]],
            "leads",
            "lead_date",
        ),
    ],
)
def test_a_dated_register_loads_where_its_words_say(ws, name, rows, table, date_column):
    path = write_csv(ws / name, rows)
    r = run_cli("import", str(path), "--clinic", "朝阳店")
    assert r.exit_code == 0, r.stderr
    assert _table(ws, f"SELECT {date_column} FROM {table}") == [(date(2026, 10, 1),)]


def test_a_register_that_reads_as_well_as_visits_as_leads_is_refused_not_loaded(ws):
    # Without 未成交原因 both readings take six columns: leads leaves 初复诊 and 接诊咨询师 unread, visits the
    # name and the phone. Leads scores higher (its phone and date are confirmed by their values), so it stays
    # the guess, but the file is refused rather than loaded as leads.
    path = write_csv(
        ws / "export.csv",
        [
            ["登记日期", "客户卡号", "顾客姓名", "手机号", "初复诊", "渠道来源", "接诊咨询师", "意向项目"],
            ["2026-10-01", "VIP0001", "张三", "13800001111", "初诊", "美团", "周婷", "玻尿酸"],
            ["2026-10-02", "VIP0007", "周九", "13900002222", "初诊", "抖音", "王芳", "热玛吉"],
        ],
    )
    r = run_cli("import", str(path), "--clinic", "朝阳店", "--lang", "zh")
    assert r.exit_code == 1 and "猜测是 leads" in r.stderr and "visits（到院接诊） 的得分几乎一样" in r.stderr
    assert _table(ws, "SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM visits)") == [(0, 0)]


@pytest.mark.parametrize("name", ["客户档案.csv", "export.csv"])
def test_a_customer_list_with_its_registration_date_and_intended_item_stays_customers(ws, name):
    # 建档日期 is the customers' registration date, no event's date: a leads reading dated by it (which would
    # read 意向项目 that customers leaves unread) is no rival, so the list loads as customers, as on main.
    rows = [
        ["客户编号", "姓名", "手机号", "建档日期", "咨询师", "意向项目", "科室", "来源渠道"],
        ["C001", "张三", "13800000001", "2025-10-01", "小王", "水光针", "皮肤科", "抖音"],
        ["C002", "李四", "13800000002", "2025-10-02", "小李", "热玛吉", "光电科", "美团"],
    ]
    r = run_cli("import", str(write_csv(ws / name, rows)), "--clinic", "朝阳店", "--lang", "zh")
    assert r.exit_code == 0, r.stderr
    assert _table(ws, "SELECT customer_id, registered_at, source_channel FROM customers ORDER BY 1") == [
        ("C001", date(2025, 10, 1), "抖音"),
        ("C002", date(2025, 10, 2), "美团"),
    ]
    assert _table(ws, "SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM visits)") == [(0, 0)]


def test_an_ad_spend_export_named_so_is_proposed_as_spend_and_still_refused(ws):
    """投放消耗 (what an ad account spent) with an amount header spend does not know: the proposal follows the
    name and takes the one unread amount column as spend's amount, and the file is refused until the user
    confirms it. Without such a name the file stays a refused guess of leads, its amount flagged."""
    rows = [["日期", "渠道", "消费金额(元)"], ["2026-10-01", "抖音", "1200.50"], ["2026-10-02", "百度", "800"]]
    for name, kind in (("投放消耗.csv", "spend"), ("广告花费_10月.csv", "spend"), ("export.csv", "leads")):
        path = write_csv(ws / name, rows)
        r = run_cli("import", str(path), "--clinic", "本院", "--lang", "zh")
        assert r.exit_code == 1, (name, r.stderr)
        assert "未导入任何内容" in r.stderr
        proposal = tomllib.loads((ws / (name + ".aesops-mapping.toml")).read_text(encoding="utf-8"))
        assert proposal["kind"] == kind, (name, proposal)
        if kind == "spend":
            assert proposal["columns"] == {"日期": "period", "渠道": "channel", "消费金额(元)": "amount"}
            assert "只因它是唯一的金额/数字列才当作 amount" in r.stderr
            # The proposal, passed back as it is, loads the spend.
            mapping = str(ws / (name + ".aesops-mapping.toml"))
            done = run_cli("import", str(path), "--clinic", "本院", "--mapping", mapping)
            assert done.exit_code == 0, done.stderr
    # Both named files hold the same two days and channels: spend keeps one figure per day and channel.
    assert _table(ws, "SELECT sum(amount) FROM spend") == [(Decimal("2000.50"),)]
    assert _table(ws, "SELECT count(*) FROM leads") == [(0,)]
