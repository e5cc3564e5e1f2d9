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


def test_a_line_held_twice_is_not_rewritten(ws):
    """Two 水光针 lines of one bill: which of them the later export's 600 corrects, nothing says, so both stored lines
    stay as they were."""
    line = ["2026-10-03", "B5", "C5", "水光针", "500", "张敏"]
    _import(ws, "a", [HEAD, line, line])
    _import(ws, "b", [HEAD, line, [*line[:4], "600", "张敏"]])
    amounts = [r[0] for r in _q(ws, "SELECT paid_amount FROM orders ORDER BY 1")]
    assert amounts.count(Decimal("500.00")) == 2, amounts


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
