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
