"""Channel ROI on periods shorter than a month of spend, a paid channel that acquired nobody, and ties in the
cut list's quartiles (SPEC §2), against figures worked out by hand in the comments.

The world is tests/test_director_numbers.py's World A (October 2025, four paid channels, data to 12-31) with a
fifth paid channel, 微博, that spent 5,000 in October and acquired nobody, and 知乎, whose spend is kept by day.
"""

from __future__ import annotations

import json
import math
from datetime import date

import pytest

from aesthetic_cli.metrics.channels import channel_roi
from aesthetic_cli.metrics.periods import Period, parse_month
from aesthetic_cli.metrics.quartiles import worst_quarter
from tests.conftest import load, row, run_cli
from tests.test_director_numbers import WORLD_A

SPEND = [*WORLD_A["spend"], ["2025-10", "微博", "5000"]]
# 知乎 by day, in a file of its own: the 1st and the 20th. A row on the 1st is a day's spend when its file or its
# month holds other days.
DAILY = [["日期", "渠道", "费用"], ["2025-10-01", "知乎", "100"], ["2025-10-20", "知乎", "300"]]


@pytest.fixture
def world(con, ws):
    load(con, ws, **{**WORLD_A, "spend": SPEND})
    load(con, ws, spend=DAILY)
    return con


def test_a_month_of_spend_counts_pro_rata_in_a_shorter_period(world):
    r = channel_roi(world, Period(date(2025, 10, 1), date(2025, 10, 10), "range"))
    spend = {x["channel"]: x["spend"] for x in r.tables["channels"].iter_rows(named=True)}
    # Ten of October's 31 days, to the cent, half away from zero:
    # 1,000 × 10/31 = 322.580… → 322.58; 20,000 × 10/31 = 6,451.612… → 6,451.61; 12,000 × 10/31 = 3,870.967… →
    # 3,870.97; 5,000 × 10/31 = 1,612.903… → 1,612.90. 知乎's rows are days: only the 1st's 100 lies in the period.
    assert spend["大众点评"] == 322.58 and spend["抖音"] == 6451.61 and spend["百度"] == 6451.61
    assert spend["新氧"] == 3870.97 and spend["微博"] == 1612.90 and spend["知乎"] == 100.0
    assert any("prorated by days" in n for n in r.notes)
    # The whole month: every month's figure whole, and 知乎's two days; no note.
    whole = channel_roi(world, parse_month("2025-10"))
    spend = {x["channel"]: x["spend"] for x in whole.tables["channels"].iter_rows(named=True)}
    assert (spend["抖音"], spend["微博"], spend["知乎"]) == (20000.0, 5000.0, 400.0)
    assert not any("prorated" in n for n in whole.notes)


def test_a_month_in_progress_is_charged_the_days_with_data(con, ws):
    # Data to 10-15: the month's 3,100 counts for 15 of 31 days, 1,500.00, against the customers of those days.
    load(
        con,
        ws,
        visits=[["到院日期", "顾客编号"], ["2025-10-02", "A"], ["2025-10-15", "B"]],
        orders=[["收费日期", "顾客编号", "项目", "实收金额"], ["2025-10-02", "A", "光子", "900"]],
        customers=[["顾客编号", "来源渠道"], ["A", "抖音"], ["B", "抖音"]],
        spend=[["月份", "渠道", "费用"], ["2025-10", "抖音", "3100"]],
    )
    r = channel_roi(con, parse_month("2025-10"))
    dy = row(r.tables["channels"], channel="抖音")
    assert dy["spend"] == 1500.0 and dy["roas"] == pytest.approx(900 / 1500)


def test_a_daily_exports_first_of_the_month_is_a_day_and_days_after_the_data_do_not_count(con, ws):
    # One daily file: 10-01, 10-02 and 11-01. The 1st of November is alone in its month but its file holds other
    # days, so it is a day's 300, not a month's (which would be charged 1/30 on 11-01). Data to 11-01.
    load(
        con,
        ws,
        customers=[["顾客编号", "来源渠道"], ["A", "抖音"], ["B", "抖音"]],
        orders=[
            ["收费日期", "顾客编号", "项目", "实收金额"],
            ["2025-10-15", "A", "光子", "900"],
            ["2025-11-01", "B", "光子", "500"],
        ],
        spend=[
            ["日期", "渠道", "费用"],
            ["2025-10-01", "抖音", "100"],
            ["2025-10-02", "抖音", "100"],
            ["2025-11-01", "抖音", "300"],
        ],
    )
    nov = row(channel_roi(con, parse_month("2025-11")).tables["channels"], channel="抖音")
    assert nov["spend"] == 300.0 and nov["roas"] == pytest.approx(500 / 300)
    # A day after the data's last day is not charged to the customers the data has seen: a day's 2,000 on 11-20.
    load(con, ws, spend=[["日期", "渠道", "费用"], ["2025-11-20", "抖音", "2000"]])
    assert row(channel_roi(con, parse_month("2025-11")).tables["channels"], channel="抖音")["spend"] == 300.0


def test_a_paid_channel_that_acquired_nobody_is_the_worst_not_unknown(world):
    r = channel_roi(world, parse_month("2025-10"))
    wb = row(r.tables["channels"], channel="微博")
    # Data to 12-31: October's 30-day horizon is complete (10-31 + 29 = 11-29), the 90-day one is not (01-28).
    assert (wb["sales_30d"], wb["sales_90d"], wb["output_roas"]) == (0.0, None, 0.0)
    cut = r.tables["cut_list"]
    # Paid: 大众点评, 抖音, 新氧, 百度, 微博, 知乎 (spend 400, no customer either).
    # Output ROAS at 30 days: 4,300/1,000 = 4.3; (10,000 + 6,000)/20,000 = 0.8 (Q1's 5,000 on day 36 is out);
    # (9,000 + 3,000 + 2,000)/12,000 = 1.1667; 5,000/20,000 = 0.25; 0; 0. Sorted 0, 0, 0.25, 0.8, 1.1667, 4.3:
    # lower quartile at position 1.25 = 0 + 0.25 × 0.25 = 0.0625 → 微博 and 知乎.
    # Arrivals 1, 4, 3, 2, 0, 0: lower quartile 0 + 0.25 × 1 = 0.25 → 微博, 知乎.
    # CAC 1,000, 10,000, 4,000, 20,000, none, none: upper quartile at 3.75 of 1,000, 4,000, 10,000, 20,000, ∞, ∞
    # is ∞ (between 20,000 and ∞) → 微博, 知乎. Payback 0, 36, 9, never, never, never: upper quartile ∞ →
    # 百度, 微博, 知乎.
    assert row(cut, channel="微博")["flags"] == ["产出低", "见效慢", "费用高", "送客少"]
    assert row(cut, channel="知乎")["flags"] == ["产出低", "见效慢", "费用高", "送客少"]
    assert row(cut, channel="百度")["flags"] == ["见效慢"]
    assert row(cut, channel="微博")["cut_candidate"] and not row(cut, channel="百度")["cut_candidate"]


def test_ties_at_the_worst_value_are_all_flagged_and_a_level_field_flags_nobody():
    # Three of five channels sent nobody: the worst value is also the median, and all three are the worst.
    assert worst_quarter([0, 0, 0, 5, 7], "low") == ({0, 1, 2}, 0)
    # Three never paid back: the upper quartile is never, and those three are at it.
    assert worst_quarter([math.inf, 10, math.inf, 20, math.inf], "high") == ({0, 2, 4}, math.inf)
    # Seven tied at a middling 5 beside one at 0 are not the worst quarter: only the 0 is (and the 9 at the top).
    assert worst_quarter([0, 5, 5, 5, 5, 5, 5, 9], "low") == ({0}, 5)
    assert worst_quarter([1, 2, 2, 2, 2, 2, 2, 100], "high") == ({7}, 2)
    # Every channel the same: nobody is worse than anybody.
    assert worst_quarter([5, 5, 5, 5], "low") == (set(), 5)
    assert worst_quarter([0, 0, 0, 0], "high") == (set(), 0)
    # Interpolated thresholds as before: 1, 2, 3, 4 → lower quartile 1.75 flags only the 1.
    assert worst_quarter([3, 1, 4, 2], "low") == ({1}, 1.75)


def test_cli_json_and_table_say_the_spend_is_prorated(world, ws):
    db = str(ws / "aesops.duckdb")
    world.close()
    r = run_cli("channels", "--from", "2025-10-01", "--to", "2025-10-10", "--db", db, "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert {x["channel"]: x["spend"] for x in doc["channels"]}["微博"] == 1612.9
    zh = run_cli("channels", "--from", "2025-10-01", "--to", "2025-10-10", "--db", db, env={"LANG": "zh_CN.UTF-8"})
    assert zh.exit_code == 0 and "按天数比例折算" in zh.stdout
