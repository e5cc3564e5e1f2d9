"""Each messy-export feature of SPEC §1 on a file the test writes, against hand-worked values."""

from __future__ import annotations

from decimal import Decimal

import datetime as dt

import pytest

from aesthetic_cli.importer.load import import_file
from tests.conftest import write_csv, write_xlsx

D = dt.date


def orders(con):
    return con.execute(
        "SELECT order_date, customer_id, item, paid_amount, line_kind, stored_value, source_row "
        "FROM orders ORDER BY source_row"
    ).fetchall()


def test_xlsx_title_row_blank_rows_and_totals_row(con, ws):
    path = write_xlsx(
        ws / "收费.xlsx",
        [
            ["XX医美 2025年10月收费明细"],
            [],
            ["收费日期", "顾客编号", "项目", "实收金额", "支付方式"],
            ["2025-10-03", "C001", "水光针", "¥1,234.00", "微信"],
            [],
            ["2025/10/5", "C002", "玻尿酸", "3800元", "储值卡扣款"],
            ["合计", None, None, "5034", None],
        ],
    )
    r = import_file(con, path, clinic="本院")
    assert (r.dataset, r.rows_read, r.loaded, r.rejected, r.skipped) == ("orders", 4, 2, 0, 2)
    assert orders(con) == [
        (D(2025, 10, 3), "C001", "水光针", 1234.0, "sale", False, 4),
        (D(2025, 10, 5), "C002", "玻尿酸", 3800.0, "sale", True, 6),
    ]
    assert (r.date_min, r.date_max) == (D(2025, 10, 3), D(2025, 10, 5))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_signature_under_the_table_is_skipped_not_rejected(con, ws, fmt):
    # Exports end with who made them and when: such a row used to be rejected (its 制表人：张三 read as a
    # date), counting a reject for nothing and printing the name. A data row with a note in 备注 is data.
    rows = [
        ["收费日期", "顾客编号", "项目", "实收金额", "备注"],
        ["2025-10-03", "C001", "水光针", "1234", "备注：老带新"],
        ["2025-10-05", "C002", "玻尿酸", "3800", ""],
        ["合计", "", "", "5034", ""],
        ["制表人：张三", "", "打印时间：2025-11-01 10:00", "", ""],
        ["", "", "", "", "Printed by: Amy"],
    ]
    write = write_csv if fmt == "csv" else write_xlsx
    r = import_file(con, write(ws / f"收费.{fmt}", rows), clinic="本院")
    # 5 rows under the header: 2 loaded; 合计 and the two signature rows skipped.
    assert (r.rows_read, r.loaded, r.rejected, r.skipped) == (5, 2, 0, 3)
    assert [row[1] for row in orders(con)] == ["C001", "C002"]


def test_gbk_csv(con, ws):
    path = write_csv(
        ws / "gbk.csv",
        [
            ["消费日期", "客户编号", "项目名称", "实付金额", "门店"],
            ["2025年1月3日", "K9", "热玛吉", "12000", "静安店"],
        ],
        encoding="gbk",
    )
    import_file(con, path)
    assert con.execute("SELECT order_date, customer_id, item, paid_amount, clinic FROM orders").fetchall() == [
        (D(2025, 1, 3), "K9", "热玛吉", 12000.0, "静安店")
    ]


def test_utf8_bom_csv_with_english_headers(con, ws):
    path = ws / "bom.csv"
    path.write_bytes("\ufeffOrder Date,Customer ID,Item,Paid Amount\n2025-01-03 14:20,A1,Botox,2500.5\n".encode())
    import_file(con, path, clinic="本院")
    assert orders(con) == [(D(2025, 1, 3), "A1", "Botox", 2500.5, "sale", False, 2)]


@pytest.mark.parametrize(
    "cell,expected",
    [
        (45658, D(2025, 1, 1)),  # Excel serial: 1899-12-30 + 45658 days
        ("45658", D(2025, 1, 1)),
        ("2025/1/3", D(2025, 1, 3)),
        ("2025-01-03 14:20", D(2025, 1, 3)),
        ("2025年1月3日", D(2025, 1, 3)),
        ("20250103", D(2025, 1, 3)),
        ("2025.1.3", D(2025, 1, 3)),
        (dt.datetime(2025, 3, 9, 18, 5), D(2025, 3, 9)),
    ],
)
def test_date_forms(con, ws, cell, expected):
    path = write_xlsx(ws / "d.xlsx", [["收费日期", "顾客编号", "项目", "实收金额"], [cell, "C1", "x", 1]])
    import_file(con, path, clinic="本院")
    assert con.execute("SELECT order_date FROM orders").fetchone()[0] == expected


@pytest.mark.parametrize(
    "cell,expected",
    [
        ("¥1,234.00", 1234.0),
        ("1234元", 1234.0),
        ("￥ 88", 88.0),
        ("(500)", -500.0),
        ("-300", -300.0),
        ("1.2万", 12000.0),
        (1999.5, 1999.5),
        ("RMB 10", 10.0),
    ],
)
def test_amount_forms(con, ws, cell, expected):
    path = write_xlsx(ws / "a.xlsx", [["收费日期", "顾客编号", "项目", "实收金额"], ["2025-01-01", "C1", "x", cell]])
    import_file(con, path, clinic="本院")
    assert con.execute("SELECT paid_amount FROM orders").fetchone()[0] == expected


def test_amounts_in_fen(con, ws):
    path = write_csv(
        ws / "fen.csv", [["收费日期", "顾客编号", "项目", "实收金额"], ["2025-01-01", "C1", "x", "123456"]]
    )
    import_file(con, path, clinic="本院", amount_unit="fen")
    assert con.execute("SELECT paid_amount FROM orders").fetchone()[0] == Decimal("1234.56")


def test_line_kinds_topup_refund_and_card_payment(con, ws):
    path = write_csv(
        ws / "k.csv",
        [
            ["收费日期", "顾客编号", "项目", "实收金额", "支付方式", "收费类型"],
            ["2025-01-01", "C1", "储值卡充值", "10000", "微信", ""],
            ["2025-01-02", "C1", "光子嫩肤", "8000", "储值卡", ""],
            ["2025-01-03", "C2", "水光针", "-1500", "微信", ""],
            ["2025-01-04", "C3", "水光针", "900", "支付宝", "退款"],  # refund exported as a positive amount
        ],
    )
    import_file(con, path, clinic="本院")
    rows = con.execute("SELECT item, paid_amount, line_kind, stored_value FROM orders ORDER BY source_row").fetchall()
    assert rows == [
        ("储值卡充值", 10000.0, "topup", False),
        ("光子嫩肤", 8000.0, "sale", True),
        ("水光针", -1500.0, "refund", False),
        ("水光针", -900.0, "refund", False),
    ]


def test_bad_rows_rejected_with_row_numbers_good_rows_load(con, ws):
    path = write_xlsx(
        ws / "bad.xlsx",
        [
            ["某某医美收费明细"],
            ["收费日期", "顾客编号", "项目", "实收金额"],
            ["2025-01-01", "C1", "a", "100"],  # row 3 ok
            ["2025-02-30", "C2", "b", "100"],  # row 4 impossible date
            ["2025-01-02", None, "c", "100"],  # row 5 missing customer
            ["2025-01-03", "C4", "d", "一百"],  # row 6 not a number
            ["2025-01-04", "C5", "e", "200"],  # row 7 ok
            ["2025-01-05", "C6", "f", "300"],  # row 8 ok
            ["2025-01-06", "C7", "g", "400"],  # row 9 ok
        ],
        sheet="明细",
    )
    r = import_file(con, path, clinic="本院")
    assert (r.loaded, r.rejected) == (4, 3)
    got = con.execute('SELECT row_number, "column", reason, sheet FROM rejects ORDER BY row_number').fetchall()
    assert got == [
        (4, "收费日期", "not a date", "明细"),
        (5, "顾客编号", "missing required field", "明细"),
        (6, "实收金额", "not an amount", "明细"),
    ]
    assert con.execute("SELECT sum(paid_amount) FROM orders").fetchone()[0] == 1000.0


def test_bad_optional_cell_is_blanked_and_recorded(con, ws):
    path = write_csv(
        ws / "c.csv", [["顾客编号", "姓名", "生日", "手机号"], ["C1", "王五", "不详", "+86 138-1234-5678"]]
    )
    r = import_file(con, path)
    assert r.loaded == 1 and r.rejected == 0 and r.blanked == 1
    assert con.execute("SELECT birth_date, phone FROM customers").fetchone() == (None, "13812345678")
    assert con.execute("SELECT field, severity FROM rejects").fetchall() == [("birth_date", "blanked")]


def test_header_found_on_second_sheet_after_a_cover_sheet(con, ws):
    path = write_xlsx(
        ws / "x.xlsx",
        [["到院日期", "顾客编号", "现场咨询师", "初诊/复诊/复查"], ["2025-03-01", "C1", "李四", "初诊"]],
        sheet="到院",
        extra_sheets={"说明": [["本表由系统导出"], ["请勿修改"]]},
    )
    r = import_file(con, path, clinic="本院")
    assert (r.dataset, r.sheet) == ("visits", "到院")
    assert con.execute("SELECT visit_type, consultant FROM visits").fetchone() == ("初诊", "李四")


def test_spend_by_month_sums_campaigns(con, ws):
    path = write_csv(
        ws / "spend.csv",
        [
            ["月份", "渠道", "费用", "计划"],
            ["2025年10月", "抖音", "30000", "A"],
            ["2025年10月", "抖音", "12000", "B"],
            ["2025-11", "新氧", "8000", "A"],
        ],
    )
    r = import_file(con, path, clinic="本院")
    assert r.dataset == "spend"
    assert con.execute("SELECT period, channel, amount FROM spend ORDER BY period").fetchall() == [
        (D(2025, 10, 1), "抖音", 42000.0),
        (D(2025, 11, 1), "新氧", 8000.0),
    ]


def test_mapping_file_for_unknown_headers(con, ws):
    (ws / "map.toml").write_text(
        'kind = "orders"\n[columns]\n"收款日" = "order_date"\n"客人ID" = "customer_id"\n'
        '"服务" = "item"\n"实际收款" = "paid_amount"\n',
        encoding="utf-8",
    )
    path = write_csv(ws / "odd.csv", [["收款日", "客人ID", "服务", "实际收款"], ["2025-05-05", "Z1", "祛斑", "666"]])
    import_file(con, path, clinic="本院", mapping=ws / "map.toml")
    assert orders(con) == [(D(2025, 5, 5), "Z1", "祛斑", 666.0, "sale", False, 2)]


def test_strongest_synonym_wins_over_column_order(con, ws):
    path = write_csv(
        ws / "o.csv", [["收费日期", "顾客编号", "项目", "金额", "实收金额"], ["2025-01-01", "C1", "x", "5000", "4500"]]
    )
    import_file(con, path, clinic="本院")
    assert con.execute("SELECT paid_amount FROM orders").fetchone()[0] == 4500.0


def test_names_are_trimmed_and_new_names_listed(con, ws):
    path = write_csv(
        ws / "v.csv",
        [
            ["到院日期", "顾客编号", "咨询师", "渠道"],
            ["2025-01-01", "C1", " 张三 ", "抖音 "],
            ["2025-01-02", "C2", "张 三", "抖音"],
        ],
    )
    r = import_file(con, path, clinic="本院")
    assert r.new_names == {"channel": ["抖音"], "consultant": ["张 三", "张三"]}


def test_another_vendors_export(con, ws):
    # English headers, a header broken over two lines, ="..." cells keeping leading zeros (a CSV
    # convention of Excel exports), placeholders for "nothing", full-width digits, dotted dates.
    path = write_csv(
        ws / "other_crm.csv",
        [
            ["Sales Export - October"],
            ["Transaction Date", "Client ID", "Service", "Amount\nPaid", "Payment Type", "Advisor", "Location"],
            ["2025.1.3", '="000123"', "Hydrafacial", "１２３４．５", "WeChat", "-", "Downtown"],
            ["2025-01-04", '="000124"', "Botox", "2,000", "--", "Amy", "Downtown"],
            ["2025-01-05", "000125", "Filler", "N/A", "Card", "Amy", "Downtown"],  # no amount: rejected
            ["2025-01-06", "000126", "Peel", "300", "Card", "Amy", "Downtown"],
        ],
    )
    r = import_file(con, path)
    assert (r.dataset, r.loaded, r.rejected) == ("orders", 3, 1)
    rows = con.execute(
        "SELECT order_date, customer_id, item, paid_amount, payment_method, consultant, clinic "
        "FROM orders ORDER BY source_row"
    ).fetchall()
    assert rows[:2] == [
        (D(2025, 1, 3), "000123", "Hydrafacial", 1234.5, "WeChat", None, "Downtown"),
        (D(2025, 1, 4), "000124", "Botox", 2000.0, None, "Amy", "Downtown"),
    ]
    assert con.execute("SELECT row_number, reason FROM rejects").fetchall() == [(5, "missing required field")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_signature_in_a_text_only_table_is_no_item_or_employee(con, ws, fmt):
    # A catalogue or a roster needs only text, so 制表人：张三 under 项目名称 used to load as an item (CSV's
    # set-wise path read it as plain text) while the same sheet as xlsx skipped it.
    write = write_csv if fmt == "csv" else write_xlsx
    items = write(ws / f"项目目录.{fmt}", [["项目名称", "科室"], ["玻尿酸", "注射科"], ["制表人：张三", ""]])
    r = import_file(con, items, clinic="本院")
    assert (r.dataset, r.loaded, r.rejected, r.skipped) == ("items", 1, 0, 1)
    staff = write(
        ws / f"员工.{fmt}", [["姓名", "岗位"], ["周婷", "现场咨询"], ["制表人：张三", "打印时间：2026-11-01"]]
    )
    r = import_file(con, staff, clinic="本院")
    assert (r.dataset, r.loaded, r.rejected, r.skipped) == ("staff", 1, 0, 1)
    assert con.execute("SELECT item FROM items UNION ALL SELECT name FROM staff").fetchall() == [("玻尿酸",), ("周婷",)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_value_with_a_colon_is_no_signature(con, ws, fmt):
    # Ids and names may hold a colon: a customer known only by 会员号 VIP:002, or a catalogue item with no
    # price yet, is a row of data, loaded as on main; only a signer's or printer's label (制表人：, Printed by:)
    # makes a signature row. Worked by hand: customers 3 rows read, VIP:001, VIP:002 loaded, the 制表人 row
    # skipped; items 3 rows read, both items loaded, the 打印时间 row skipped.
    write = write_csv if fmt == "csv" else write_xlsx
    rows = [
        ["客户编号", "姓名", "手机号"],
        ["VIP:001", "张三", "13800000001"],
        ["VIP:002", "", ""],
        ["制表人：张三", "", ""],
    ]
    r = import_file(con, write(ws / f"客户档案.{fmt}", rows), clinic="本院")
    assert (r.dataset, r.loaded, r.rejected, r.skipped) == ("customers", 2, 0, 1)
    assert con.execute("SELECT customer_id FROM customers ORDER BY 1").fetchall() == [("VIP:001",), ("VIP:002",)]
    rows = [
        ["项目名称", "科室", "标准价"],
        ["水光针", "注射", "1280"],
        ["Botox: forehead", "", ""],
        ["打印时间：2026-11-01", "", ""],
    ]
    r = import_file(con, write(ws / f"项目目录.{fmt}", rows), clinic="本院")
    assert (r.dataset, r.loaded, r.rejected, r.skipped) == ("items", 2, 0, 1)
    assert con.execute("SELECT item FROM items ORDER BY 1").fetchall() == [("Botox: forehead",), ("水光针",)]
