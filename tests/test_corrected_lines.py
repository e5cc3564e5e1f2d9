"""A later export that corrects a bill's line (another amount or date, the same 单号 and item) replaces the line instead
of adding it beside the old one (trial 5's D4: sales counted both versions). Expected figures are worked out by hand
from the rows below; every import runs through the CLI."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import month_kpis, run_cli, write_csv
from tests.test_batches_mapping import _q

HEAD = ["收费日期", "单号", "顾客编号", "项目名称", "实收金额", "咨询师"]
# The first export, 10-03 to 10-05.
FIRST = [
    HEAD,
    ["2026-10-03", "B1", "C1", "水光针", "880", "张敏"],
    ["2026-10-03", "B2", "C2", "热玛吉", "12000", "李娜"],
    ["2026-10-03", "B2", "C2", "面部护理", "300", "李娜"],
    ["2026-10-05", "B3", "C3", "光子嫩肤", "1500", "张敏"],
]
# The same days exported again later (to 10-07): B1's amount corrected to 980, B2's 面部护理 to 350, B3 moved to
# 10-06; one new bill.
LATER = [
    HEAD,
    ["2026-10-03", "B1", "C1", "水光针", "980", "张敏"],
    ["2026-10-03", "B2", "C2", "热玛吉", "12000", "李娜"],
    ["2026-10-03", "B2", "C2", "面部护理", "350", "李娜"],
    ["2026-10-06", "B3", "C3", "光子嫩肤", "1500", "张敏"],
    ["2026-10-07", "B4", "C4", "水光针", "1500", "张敏"],
]
LINES = "SELECT order_date::VARCHAR, order_id, item, paid_amount FROM orders ORDER BY 2, 3, 1, 4"


def _import(ws, name: str, rows: list[list]):
    result = run_cli("import", str(write_csv(ws / f"{name}.csv", rows)), "--kind", "orders")
    assert result.exit_code == 0, result.output
    return result


def test_a_corrected_amount_or_date_replaces_the_line(ws):
    _import(ws, "收费_1003-1005", FIRST)
    later = _import(ws, "收费_1003-1007", LATER)
    assert "loaded 1 · updated 3 · duplicates skipped 1" in later.output, later.output
    # 980 + 12000 + 350 + 1500 + 1500 (both versions kept: 880 + 300 + 1500 more, 19,010).
    assert Decimal(str(month_kpis("2026-10")["sales"])) == Decimal("16330")
    assert _q(ws, LINES) == [
        ("2026-10-03", "B1", "水光针", Decimal("980.00")),
        ("2026-10-03", "B2", "热玛吉", Decimal("12000.00")),
        ("2026-10-03", "B2", "面部护理", Decimal("350.00")),
        ("2026-10-06", "B3", "光子嫩肤", Decimal("1500.00")),
        ("2026-10-07", "B4", "水光针", Decimal("1500.00")),
    ]
    # The correction is a batch like any other: dropping it brings the first export's lines back.
    dropped = run_cli("batches", "drop", "2")
    assert dropped.exit_code == 0, dropped.output
    assert _q(ws, LINES) == [
        ("2026-10-03", "B1", "水光针", Decimal("880.00")),
        ("2026-10-03", "B2", "热玛吉", Decimal("12000.00")),
        ("2026-10-03", "B2", "面部护理", Decimal("300.00")),
        ("2026-10-05", "B3", "光子嫩肤", Decimal("1500.00")),
    ]
    assert Decimal(str(month_kpis("2026-10")["sales"])) == Decimal("14680")


def test_a_bills_lines_on_a_later_day_are_added(ws):
    """An export of 10-05 to 10-20 with B1's refund and second session and B2's refund: B1's and B2's 10-03 lines are
    outside its days, so nothing of theirs is corrected (B3's 10-05 line, inside them, is as stored)."""
    _import(ws, "收费_1003-1005", FIRST)
    later = _import(
        ws,
        "收费_1005-1020",
        [
            HEAD,
            ["2026-10-05", "B3", "C3", "光子嫩肤", "1500", "张敏"],
            ["2026-10-12", "B1", "C1", "水光针", "880", "张敏"],
            ["2026-10-20", "B1", "C1", "水光针", "-880", "张敏"],
            ["2026-10-20", "B2", "C2", "面部护理", "-300", "李娜"],
        ],
    )
    assert "loaded 3 · updated 0 · duplicates skipped 1" in later.output, later.output
    # 880 + 12000 + 300 + 1500, then 880 - 880 - 300.
    assert Decimal(str(month_kpis("2026-10")["sales"])) == Decimal("14380")


def test_a_refund_never_replaces_the_sale_it_refunds(ws):
    """The same day exported again with B1's sale gone (voided at the source) and its refund: the refund is added,
    the sale stays (a sale and a refund are not one line whose amount changed)."""
    _import(ws, "收费_1003-1005", FIRST)
    _import(ws, "收费_1003", [HEAD, ["2026-10-03", "B1", "C1", "水光针", "-880", "张敏"]])
    assert _q(ws, "SELECT paid_amount FROM orders WHERE order_id = 'B1' ORDER BY 1") == [
        (Decimal("-880.00"),),
        (Decimal("880.00"),),
    ]


def test_one_of_a_pair_corrected_replaces_one_of_the_two(ws):
    """Two 水光针 lines of one bill, 500 each; the later export sends one again and gives the other 450 (review9 F4:
    both 500s stayed beside the 450, 1,450 where the export says 950)."""
    line = ["2026-10-03", "B5", "C5", "水光针", "500", "张敏"]
    _import(ws, "a", [HEAD, line, line])
    _import(ws, "b", [HEAD, line, [*line[:4], "450", "张敏"]])
    assert _q(ws, "SELECT paid_amount FROM orders ORDER BY 1") == [(Decimal("450.00"),), (Decimal("500.00"),)]


def test_an_installment_corrected_leaves_the_other_one(ws):
    """B1's 水光针 paid in two, 3,000 on 09-01 and 1,000 on 09-05; the later export corrects the first to 2,800."""
    first = [
        HEAD,
        ["2026-09-01", "B1", "C1", "水光针", "3000", "张敏"],
        ["2026-09-05", "B1", "C1", "水光针", "1000", "张敏"],
    ]
    later = [
        *first[:1],
        [*first[1][:4], "2800", "张敏"],
        first[2],
        ["2026-09-08", "B3", "C3", "光子嫩肤", "500", "张敏"],
    ]
    _import(ws, "a", first)
    _import(ws, "b", later)
    # 2,800 + 1,000 + 500 (3,000 kept beside them: 7,300).
    assert Decimal(str(month_kpis("2026-09")["sales"])) == Decimal("4300")


def test_a_bill_exported_by_department_keeps_both_departments_lines(ws):
    """Bill B001 has a 皮肤科 line and a 整形科 line, each in its department's export (review9 F1: the second
    replaced the first, or was taken back out as older)."""
    head = ["单号", "收费日期", "顾客编号", "项目", "实收金额", "科室"]
    derm = [
        head,
        ["B001", "2026-10-05", "C1", "水光针", "1000", "皮肤科"],
        ["B002", "2026-10-06", "C2", "光子嫩肤", "800", "皮肤科"],
        ["B003", "2026-10-31", "C3", "热玛吉", "9000", "皮肤科"],
    ]
    surg = [
        head,
        ["B001", "2026-10-05", "C1", "双眼皮", "8000", "整形科"],
        ["B004", "2026-10-20", "C4", "隆鼻", "20000", "整形科"],
    ]
    _import(ws, "皮肤科", derm)
    _import(ws, "整形科", surg)
    # 1,000 + 800 + 9,000 + 8,000 + 20,000.
    assert Decimal(str(month_kpis("2026-10")["sales"])) == Decimal("38800")


def test_an_older_export_after_a_correction_changes_nothing(ws):
    """The corrected export first, then the first one (its days end earlier): B1's 880 and 面部护理's 300 are the
    old versions, skipped and said, not added beside 980 and 350."""
    first = [r for r in FIRST if r[1] != "B3"]
    later = [r for r in LATER if r[1] != "B3"]
    _import(ws, "收费_1003-1007", later)
    old = _import(ws, "收费_1003", first)
    assert "loaded 0 · updated 0" in old.output, old.output
    assert "2 of them differ from the lines stored" in old.output, old.output
    # 980 + 12000 + 350 + 1500.
    assert Decimal(str(month_kpis("2026-10")["sales"])) == Decimal("14830")


def test_an_older_export_over_a_group_of_two_ages_removes_nothing(ws):
    """B1's 水光针 stored from two exports (10-03's 500 from the first, 10-04's 300 from the second, which reaches
    10-10); a third export ending 10-05 gives them 450 and 280. It is older than the second: nothing changes (review10
    R1: the first export's 500 was deleted with nothing in its place)."""
    _import(
        ws,
        "a",
        [
            HEAD,
            ["2026-10-03", "B1", "C1", "水光针", "500", "张敏"],
            ["2026-10-05", "B2", "C2", "热玛吉", "800", "张敏"],
        ],
    )
    _import(
        ws,
        "b",
        [
            HEAD,
            ["2026-10-03", "B1", "C1", "水光针", "500", "张敏"],
            ["2026-10-04", "B1", "C1", "水光针", "300", "张敏"],
            ["2026-10-05", "B2", "C2", "热玛吉", "800", "张敏"],
            ["2026-10-10", "B3", "C3", "光子嫩肤", "600", "张敏"],
        ],
    )
    _import(
        ws,
        "c",
        [
            HEAD,
            ["2026-10-03", "B1", "C1", "水光针", "450", "张敏"],
            ["2026-10-04", "B1", "C1", "水光针", "280", "张敏"],
            ["2026-10-05", "B2", "C2", "热玛吉", "800", "张敏"],
        ],
    )
    # 500 + 300 + 800 + 600.
    assert Decimal(str(month_kpis("2026-10")["sales"])) == Decimal("2200")


def test_a_bill_moved_to_another_customer_with_a_line_corrected(ws):
    """The later export moves B1 to C2 (its 500, same key, is updated in place) and corrects its 300 to 280 (review10
    R3: the updated line counted on the file's side, so 280 was added beside 300)."""
    head = HEAD[:5]
    _import(ws, "a", [head, ["2026-10-03", "B1", "C1", "水光针", "500"], ["2026-10-04", "B1", "C1", "水光针", "300"]])
    _import(ws, "b", [head, ["2026-10-03", "B1", "C2", "水光针", "500"], ["2026-10-04", "B1", "C2", "水光针", "280"]])
    assert _q(ws, "SELECT customer_id, paid_amount FROM orders ORDER BY 2") == [
        ("C2", Decimal("280.00")),
        ("C2", Decimal("500.00")),
    ]


def test_a_correction_beside_a_new_installment_of_the_item(ws):
    """The same night's export corrects B1's 09-03 肉毒素 and adds its 09-06 installment; the next corrects it again
    (review10 R2: the counts over the days differed, so every version was kept: 7,700, then 11,000)."""
    head = HEAD[:5]
    b2 = ["2026-09-05", "B2", "C2", "热玛吉", "800"]
    _import(ws, "a", [head, ["2026-09-03", "B1", "C1", "肉毒素", "3000"], b2])
    later = [head, ["2026-09-03", "B1", "C1", "肉毒素", "2900"], b2, ["2026-09-06", "B1", "C1", "肉毒素", "1000"]]
    _import(ws, "b", later)
    assert Decimal(str(month_kpis("2026-09")["sales"])) == Decimal("4700")  # 2,900 + 800 + 1,000
    _import(ws, "c", [*later[:1], [*later[1][:4], "2800"], *later[2:], ["2026-09-07", "B3", "C3", "水光针", "500"]])
    assert Decimal(str(month_kpis("2026-09")["sales"])) == Decimal("5100")  # 2,800 + 800 + 1,000 + 500


def test_a_bill_number_used_again_on_another_day(ws):
    """Bill numbers that start again each day: 0001 of 10-03 corrected from 500 to 450 while the export also holds
    10-05's 0001 (another customer's 水光针)."""
    head = HEAD[:5]
    _import(
        ws, "a", [head, ["2026-10-03", "0001", "C1", "水光针", "500"], ["2026-10-03", "0002", "C2", "热玛吉", "800"]]
    )
    _import(
        ws,
        "b",
        [
            head,
            ["2026-10-03", "0001", "C1", "水光针", "450"],
            ["2026-10-03", "0002", "C2", "热玛吉", "800"],
            ["2026-10-05", "0001", "C7", "水光针", "800"],
        ],
    )
    assert Decimal(str(month_kpis("2026-10")["sales"])) == Decimal("2050")  # 450 + 800 + 800
