"""Disagreements a sixth independent recomputation found against the SPEC, through the CLI, each with figures worked
out by hand."""

from __future__ import annotations

import json

from tests.conftest import run_cli, write_csv


def _items(month: str) -> dict[str, dict]:
    result = run_cli("items", "--month", month, "--format", "json")
    assert result.exit_code == 0, result.output
    return {r["item"]: r for r in json.loads(result.output)["items"]}


def test_an_item_bought_and_refunded_the_same_day_has_no_buyer(ws):
    """SPEC §2: a buyer has a deal, a customer-day whose net is positive. C1's 水光针 is refunded the day it was
    bought, C2's 小气泡 nets 0.10 + 0.20 - 0.30, C3 buys 水光针 for 1,500: 水光针 has 1 buyer (2 before), 小气泡
    none (1). The refunds are named 退费-…, and come off the item they gave back."""
    orders = [
        ["收费日期", "顾客编号", "项目", "实收金额"],
        ["2026-01-05", "C1", "水光针", "1000"],
        ["2026-01-05", "C1", "退费-水光针", "-1000"],
        ["2026-01-06", "C2", "小气泡", "0.10"],
        ["2026-01-06", "C2", "小气泡", "0.20"],
        ["2026-01-06", "C2", "退费-小气泡", "-0.30"],
        ["2026-01-07", "C3", "水光针", "1500"],
    ]
    assert run_cli("import", str(write_csv(ws / "收费.csv", orders)), "--clinic", "本院").exit_code == 0
    items = _items("2026-01")
    assert (items["水光针"]["buyers"], items["水光针"]["sales"]) == (1, 1500)
    assert (items["小气泡"]["buyers"], items["小气泡"]["sales"]) == (0, 0)
