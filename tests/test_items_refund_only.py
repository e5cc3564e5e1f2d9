"""items' cut list: an item with only a refund in the period (of an earlier month's sale) is not 赔钱 there; it is
named in a note instead (indep6 D5). An item sold below its cost still is. By hand; through the CLI."""

from __future__ import annotations

import json

from tests.conftest import run_cli, write_csv

ORDERS = [
    ["收费日期", "顾客编号", "项目名称", "实收金额"],
    ["2026-09-10", "A", "双眼皮", "7840"],
    ["2026-10-12", "A", "双眼皮", "-7840"],
    ["2026-10-02", "B", "热玛吉", "6000"],
    ["2026-10-03", "C", "水光针", "3000"],
]
CATALOGUE = [["项目", "成本"], ["双眼皮", "3000"], ["热玛吉", "8000"], ["水光针", "1500"]]


def test_a_refund_only_item_is_not_flagged_as_losing_money(ws):
    files = [str(write_csv(ws / "品项.csv", CATALOGUE)), str(write_csv(ws / "收费.csv", ORDERS))]
    assert run_cli("import", *files).exit_code == 0
    result = run_cli("items", "--month", "2026-10", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    rows = {r["item"]: r for r in doc["items"]}
    # 双眼皮 in October: the refund alone, −7,840, no unit sold; 热玛吉 6,000 − 8,000 = −2,000.
    assert (rows["双眼皮"]["sales"], rows["热玛吉"]["margin"]) == (-7840, -2000)
    assert {r["item"]: r["flags"] for r in doc["item_cut_list"]} == {"热玛吉": ["赔钱"]}
    assert any("双眼皮: no sale this period, only refunds" in n for n in doc["meta"]["notes"]), doc["meta"]["notes"]


# indep9 I2: units that came back are no units sold. 清洁补水 bought as 0.10 ×1 and 0.20 ×2 and returned as −0.30 ×−3
# the same day; 皮秒 4 sold (one line of 3 without a refund, one of 1), 1 returned with 数量 written positive.
NET_ORDERS = [
    ["收费日期", "顾客编号", "项目名称", "数量", "实收金额"],
    ["2026-10-05", "D", "清洁补水", "1", "0.10"],
    ["2026-10-05", "D", "清洁补水", "2", "0.20"],
    ["2026-10-05", "D", "清洁补水", "-3", "-0.30"],
    ["2026-10-06", "E", "皮秒", "3", "9000"],
    ["2026-10-07", "F", "皮秒", "1", "3000"],
    ["2026-10-20", "F", "皮秒", "1", "-3000"],
    ["2026-10-08", "G", "水光针", "", "3000"],
]
NET_CATALOGUE = [["项目", "成本"], ["清洁补水", "0.05"], ["皮秒", "450"], ["水光针", "1500"]]


def test_quantity_and_margin_are_net_of_units_returned(ws):
    files = [str(write_csv(ws / "品项.csv", NET_CATALOGUE)), str(write_csv(ws / "收费.csv", NET_ORDERS))]
    assert run_cli("import", *files).exit_code == 0
    result = run_cli("items", "--month", "2026-10", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    rows = {r["item"]: r for r in doc["items"]}
    # 清洁补水: 0 units, sales 0.00, margin 0.00 (it was 3 units and −0.15, flagged 赔钱).
    assert (rows["清洁补水"]["quantity"], rows["清洁补水"]["sales"], rows["清洁补水"]["margin"]) == (0, 0, 0)
    # 皮秒: 3 + 1 − 1 = 3 units; sales 9,000; margin 9,000 − 3 × 450 = 7,650; average price 3,000.
    assert (rows["皮秒"]["quantity"], rows["皮秒"]["margin"], rows["皮秒"]["avg_price"]) == (3, 7650, 3000)
    # 水光针: a line without 数量 is one unit.
    assert (rows["水光针"]["quantity"], rows["水光针"]["margin"]) == (1, 1500)
    assert doc["item_cut_list"] == []


def test_a_partial_refund_returns_no_unit(ws):
    """review11 R1: a 退差价 of 2,000 on a 10,000 unit, keyed 数量 1, took a unit out: quantity 1, margin 15,000."""
    orders = [
        ["收费日期", "顾客编号", "项目名称", "数量", "实收金额"],
        ["2026-03-02", "C1", "热玛吉", "1", "10000"],
        ["2026-03-10", "C1", "热玛吉", "1", "-2000"],
        ["2026-03-03", "C2", "热玛吉", "1", "10000"],
        # C3 bought 2 for 20,000 and got all back on one line keyed 数量 1: the money says 2 units.
        ["2026-03-04", "C3", "热玛吉", "2", "20000"],
        ["2026-03-12", "C3", "热玛吉", "1", "-20000"],
        # C4: another 退差价, of 500.
        ["2026-03-05", "C4", "热玛吉", "1", "10000"],
        ["2026-03-15", "C4", "热玛吉", "1", "-500"],
    ]
    catalogue = [["项目", "成本", "标准价"], ["热玛吉", "3000", "12000"]]
    files = [str(write_csv(ws / "品项.csv", catalogue)), str(write_csv(ws / "收费.csv", orders))]
    assert run_cli("import", *files).exit_code == 0
    result = run_cli("items", "--month", "2026-03", "--format", "json")
    assert result.exit_code == 0, result.output
    row = {r["item"]: r for r in json.loads(result.stdout)["items"]}["热玛吉"]
    # Sold 5, returned 2 (C3's; a unit per refund line would return 3): 3 units; sales 27,500; margin 27,500 − 3 ×
    # 3,000 = 18,500.
    assert (row["quantity"], row["sales"], row["margin"]) == (3, 27500, 18500)


def test_half_a_units_price_back_keeps_the_unit(ws):
    """recheck8: a half refund (5,000 of a 10,000 unit) came to exactly half a unit, and rounding returned it."""
    orders = [
        ["收费日期", "顾客编号", "项目名称", "实收金额"],
        ["2026-03-02", "C1", "热玛吉", "10000"],
        ["2026-03-10", "C1", "热玛吉", "-5000"],
        ["2026-03-03", "C2", "热玛吉", "10000"],
        ["2026-03-11", "C2", "热玛吉", "-9800"],
    ]
    files = [
        str(write_csv(ws / "品项.csv", [["项目", "成本"], ["热玛吉", "3000"]])),
        str(write_csv(ws / "收费.csv", orders)),
    ]
    assert run_cli("import", *files).exit_code == 0
    row = {r["item"]: r for r in json.loads(run_cli("items", "--month", "2026-03", "--format", "json").stdout)["items"]}
    # C1 kept the unit (5,000 back: half); C2's 9,800 back is the unit (0.98, a unit less a fee): 2 − 1 = 1.
    assert row["热玛吉"]["quantity"] == 1, row
