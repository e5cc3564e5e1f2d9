"""The same bill lines exported with two templates of one CRM, one with 单号 and one without: a line is keyed by its
bill number when the file has one and by its content when not, so each line loaded twice, in either order
(trial 8's G1: 39,040 for 20,160). Worked out by hand; every import through the CLI."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import month_kpis, run_cli, write_csv
from tests.test_batches_mapping import _q

WITHOUT = [
    ["收费日期", "顾客编号", "项目", "实收金额", "支付方式"],
    ["2026-10-02", "C1", "水光针", "1280", "微信"],
    ["2026-10-03", "C2", "玻尿酸", "4800", "现金"],
    ["2026-10-04", "C3", "热玛吉", "12800", "刷卡"],
    # Two equal lines of one customer on one day: both are lines (the other export has both, under two numbers).
    ["2026-10-04", "C5", "面膜", "100", "微信"],
    ["2026-10-04", "C5", "面膜", "100", "微信"],
]
WITH = [
    ["单号", "收费日期", "顾客编号", "项目", "实收金额", "现场咨询师"],
    ["S0", "2026-10-02", "C1", "水光针", "1280", "王芳"],
    ["S1", "2026-10-03", "C2", "玻尿酸", "4800", "王芳"],
    ["S2", "2026-10-04", "C3", "热玛吉", "12800", "王芳"],
    ["S3", "2026-10-04", "C5", "面膜", "100", "王芳"],
    ["S4", "2026-10-04", "C5", "面膜", "100", "王芳"],
    ["S5", "2026-10-05", "C4", "水光针", "1280", "王芳"],
]
LINES = "SELECT order_id, customer_id, item, paid_amount, payment_method, consultant FROM orders ORDER BY 2, 1"
# 1,280 + 4,800 + 12,800 + 100 + 100 + 1,280.
SALES = Decimal("20360")


def _import(ws, name: str, rows: list[list]) -> str:
    result = run_cli("import", str(write_csv(ws / f"{name}.csv", rows)), "--kind", "orders", "--clinic", "静安店")
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_numbered_lines_replace_the_same_lines_stored_without_numbers(ws):
    _import(ws, "无单号", WITHOUT)
    out = _import(ws, "有单号", WITH)
    assert "loaded 1 · updated 5" in out, out
    assert Decimal(str(month_kpis("2026-10")["sales"])) == SALES
    # Each line once, with its number and consultant, and the payment method only the first export had.
    assert _q(ws, LINES) == [
        ("S0", "C1", "水光针", Decimal("1280.00"), "微信", "王芳"),
        ("S1", "C2", "玻尿酸", Decimal("4800.00"), "现金", "王芳"),
        ("S2", "C3", "热玛吉", Decimal("12800.00"), "刷卡", "王芳"),
        ("S5", "C4", "水光针", Decimal("1280.00"), None, "王芳"),
        ("S3", "C5", "面膜", Decimal("100.00"), "微信", "王芳"),
        ("S4", "C5", "面膜", Decimal("100.00"), "微信", "王芳"),
    ]
    # Undone, the lines without numbers are back as they were.
    assert run_cli("batches", "drop", "2").exit_code == 0
    assert Decimal(str(month_kpis("2026-10")["sales"])) == SALES - 1280
    assert _q(ws, "SELECT count(*) FROM orders WHERE order_id IS NULL") == [(5,)]


def test_lines_without_numbers_after_the_numbered_ones_are_duplicates(ws):
    _import(ws, "有单号", WITH)
    out = _import(ws, "无单号", WITHOUT)
    assert "loaded 0 · updated 0 · duplicates skipped 5" in out, out
    assert Decimal(str(month_kpis("2026-10")["sales"])) == SALES
    assert _q(ws, "SELECT count(*), count(order_id) FROM orders") == [(6, 6)]


@pytest.mark.parametrize("amount", ["1300", "1280"])
def test_a_line_only_one_export_has_is_kept(ws, amount):
    """Another amount is another line; and a line of another day is not looked for."""
    _import(ws, "无单号", [WITHOUT[0], ["2026-10-02", "C1", "水光针", amount, "微信"]])
    _import(ws, "有单号", [WITH[0], ["S9", "2026-10-09", "C1", "水光针", "1280", "王芳"]])
    assert _q(ws, "SELECT count(*) FROM orders") == [(2,)]
