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
        ["2026-01-08", "C4", "光子嫩肤", "800"],
        ["2026-01-08", "C4", "退款", "-800"],
    ]
    assert run_cli("import", str(write_csv(ws / "收费.csv", orders)), "--clinic", "本院").exit_code == 0
    items = _items("2026-01")
    assert (items["水光针"]["buyers"], items["水光针"]["sales"]) == (1, 1500)
    assert (items["小气泡"]["buyers"], items["小气泡"]["sales"]) == (0, 0)
    # A refund that names no item (退款) still makes C4's day no deal: 光子嫩肤 has no buyer.
    assert items["光子嫩肤"]["buyers"] == 0


def test_growth_over_a_year_the_data_covers_in_part_asks_each_month_for_last_year_plus_growth(ws):
    """The data begins 2025-09-01: September to December sold 1,000, 2,000, 3,000 and 4,000. --growth 0.15 took
    15% over those four months (11,500) and spread it over twelve, so September asked 383 against last year's 1,000.
    Annualised as the months are weighted (each month without history as the average month, 2,500), the base is
    30,000 and the plan 34,500: 1,150, 2,300, 3,450 and 4,600 for September to December, 2,875 for the others."""
    orders = [["收费日期", "顾客编号", "项目", "实收金额"]] + [
        [f"2025-{m:02d}-01", f"C{m}", "水光针", str(amount)] for m, amount in ((9, 1000), (10, 2000), (11, 3000))
    ]
    orders.append(["2025-12-31", "C12", "水光针", "4000"])
    assert run_cli("import", str(write_csv(ws / "收费.csv", orders)), "--clinic", "本院").exit_code == 0
    result = run_cli("targets", "split", "--year", "2026", "--growth", "0.15", "--format", "json", "--lang", "en")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    months = {r["month"]: r["target"] for r in out["months"] if r["month"] != "total"}
    assert [months[f"2026-{m:02d}"] for m in (9, 10, 11, 12)] == [1150, 2300, 3450, 4600]
    assert {months[f"2026-{m:02d}"] for m in range(1, 9)} == {2875}
    assert sum(months.values()) == 34500


def test_cohorts_of_one_clinic_give_that_clinic_s_repurchase_intervals(ws):
    """C1 bought 水光针 at 静安店 on 01-01 and 03-02 and at 徐汇店 on 02-01. The chain's gaps are 31 and 29 days
    (2 repeats, median 30); 静安店's own is 60 (1 repeat), and 徐汇店 sold it once (0). --clinic showed the chain's."""
    orders = [
        ["收费日期", "顾客编号", "项目", "实收金额", "门店"],
        ["2026-01-01", "C1", "水光针", "1000", "静安店"],
        ["2026-02-01", "C1", "水光针", "1000", "徐汇店"],
        ["2026-03-02", "C1", "水光针", "1000", "静安店"],
    ]
    assert run_cli("import", str(write_csv(ws / "收费.csv", orders))).exit_code == 0

    def intervals(*clinic: str) -> tuple:
        result = run_cli("cohorts", *clinic, "--format", "json")
        assert result.exit_code == 0, result.output
        (row,) = json.loads(result.output)["item_intervals"]
        return row["item"], row["repeats"], row["median_interval_days"]

    assert intervals() == ("水光针", 2, 30)
    assert intervals("--clinic", "静安店") == ("水光针", 1, 60)
    assert intervals("--clinic", "徐汇店") == ("水光针", 0, None)


def test_a_metric_some_consultants_lack_ranks_those_it_measures_over_their_own_number():
    """甲 sold 3,000 with repurchase 0.5, 乙 2,000 with 0.0, 丙 1,000 with no customer to repurchase yet (null).
    Sales percentiles 1, 1/2, 0; repurchase among the two measured 1 and 0, 丙 0. At 50/50: 甲 1.0, 乙 0.25, 丙 0.
    Over the team of three 甲's repurchase counted 1/2 (0.75), half the weight the settings give it."""
    import polars as pl

    from aesthetic_cli.metrics.consultants import scorecard

    team = pl.DataFrame(
        {"consultant": ["甲", "乙", "丙"], "sales": [3000.0, 2000.0, 1000.0], "repurchase_rate": [0.5, 0.0, None]}
    )
    card = scorecard(team, {"sales": 0.5, "repurchase_rate": 0.5})
    assert card.select("consultant", "score", "rank").rows() == [("甲", 1.0, 1), ("乙", 0.25, 2), ("丙", 0.0, 3)]
