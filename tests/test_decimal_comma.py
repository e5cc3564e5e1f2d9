"""An amount written with a decimal comma (680,50; 1.280,00 from a European system) is refused with its reason, never
read as 68,050 or 1.28 (trial 7's F2: exit 0 and the wrong amounts). Thousands separators stay as they are."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import run_cli, write_csv
from tests.test_batches_mapping import _q

HEAD = ["收费日期", "顾客编号", "项目名称", "实收金额"]


def test_a_decimal_comma_is_refused_and_thousands_are_read(ws):
    rows = [
        HEAD,
        ["2026-10-01", "C1", "水光针", "680,50"],
        ["2026-10-01", "C2", "水光针", "1.280,00"],
        ["2026-10-02", "C3", "热玛吉", "12,800"],
        ["2026-10-02", "C4", "热玛吉", "¥1,234.50"],
        ["2026-10-02", "C5", "热玛吉", "1，280"],
        ["2026-10-03", "C6", "光子", "300"],
        ["2026-10-03", "C7", "光子", "12,8000"],
    ]
    result = run_cli("import", str(write_csv(ws / "收费.csv", rows)), "--kind", "orders")
    assert result.exit_code == 0, result.output
    assert "loaded 5" in result.output and "rejected 2" in result.output, result.output
    assert "row 2, column '实收金额': '680,50' a comma where the decimal point goes" in result.output, result.output
    assert _q(ws, "SELECT customer_id, paid_amount FROM orders ORDER BY 1") == [
        ("C3", Decimal("12800.00")),
        ("C4", Decimal("1234.50")),
        ("C5", Decimal("1280.00")),
        ("C6", Decimal("300.00")),
        ("C7", Decimal("128000.00")),  # 12万8000, grouped by 万 (review9 F6: refused as a decimal comma)
    ]


def test_commas_that_group_neither_thousands_nor_wan_are_refused_with_their_own_reason(ws):
    # review10 R7: each of these was loaded as its digits run together (100,000; 1,234,567; 12,345,678), exit 0.
    rows = [
        HEAD,
        ["2026-10-01", "C1", "水光针", "1,00000"],
        ["2026-10-01", "C2", "水光针", "12,34567"],
        ["2026-10-02", "C3", "热玛吉", "1,234,5678"],
        ["2026-10-02", "C4", "热玛吉", "1,2,345"],
        ["2026-10-02", "C5", "热玛吉", "¥1,280,000.00"],
        ["2026-10-03", "C6", "光子", "(1,280.00)"],
        ["2026-10-03", "C7", "光子", "１，２３４．００"],
        ["2026-10-03", "C8", "光子", "12,345.6789"],
        ["2026-10-04", "C9", "光子", "300"],
    ]
    result = run_cli("import", str(write_csv(ws / "收费.csv", rows)), "--kind", "orders")
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "loaded 5" in out and "rejected 4" in out, out
    assert "'1,00000' commas that group neither thousands (1,280,000) nor 万 (12,8000)" in out, out
    # 1,2,345 ends in no decimal: its reason is the grouping, not a decimal comma.
    assert "'1,2,345' commas that group neither" in out, out
    assert _q(ws, "SELECT customer_id, paid_amount FROM orders ORDER BY 1") == [
        ("C5", Decimal("1280000.00")),
        ("C6", Decimal("-1280.00")),
        ("C7", Decimal("1234.00")),
        ("C8", Decimal("12345.68")),
        ("C9", Decimal("300.00")),
    ]
