"""Consultants (SPEC §2, by the visit's consultant): the refund rate beside the sales it is a share of, and the
180-day repurchase rate only over customers whose 180 days the data has seen whole. Figures by hand below.

Data to 2026-04-15 (D's visit), so April 2026 is a month in progress.
  A: received and closed by 甲 on 2025-10-20 (1,000). Its 180 days end 2026-04-18, after the data: not in April's
     cohort (before: counted, with no repurchase, as the audit found).
  B: closed by 甲 on 2025-10-10 (800), buys again 2026-01-05 (300): in the cohort (10-10 + 180 = 04-08), repurchased.
     On 2026-04-10, with no visit, a 100 refund keyed under 甲.
  C: received by 甲 on 2026-04-02; the sale of 2,000 and a refund of 500 that day were keyed under 乙.
April for 甲: gross sales 2,000 (C), refunds 500 (C) + 100 (B) = 600, refund rate 0.30; cohort {B}, rate 1.0.
"""

from __future__ import annotations

import json

import pytest

from aesthetic_cli.metrics.consultants import onsite
from aesthetic_cli.metrics.periods import parse_month
from tests.conftest import load, row, run_cli

WORLD = {
    "visits": [
        ["到院日期", "顾客编号", "现场咨询师"],
        ["2025-10-20", "A", "甲"],
        ["2025-10-10", "B", "甲"],
        ["2026-01-05", "B", "甲"],
        ["2026-04-02", "C", "甲"],
        ["2026-04-15", "D", "乙"],
    ],
    "orders": [
        ["收费日期", "顾客编号", "项目", "实收金额", "咨询师"],
        ["2025-10-20", "A", "光子", "1000", "甲"],
        ["2025-10-10", "B", "光子", "800", "甲"],
        ["2026-01-05", "B", "水光针", "300", "甲"],
        ["2026-04-10", "B", "水光针", "-100", "甲"],
        ["2026-04-02", "C", "热玛吉", "2000", "乙"],
        ["2026-04-02", "C", "热玛吉", "-500", "乙"],
    ],
}


@pytest.fixture
def world(con, ws):
    load(con, ws, **WORLD)
    return con


def test_refund_rate_and_repurchase_cohort_by_hand(world):
    jia = row(onsite(world, parse_month("2026-04")), consultant="甲")
    assert (jia["gross_sales"], jia["refunds"]) == (2000, 600)
    assert jia["refund_rate"] == pytest.approx(0.30)
    assert (jia["repurchase_base"], jia["repurchased"], jia["repurchase_rate"]) == (1, 1, 1.0)


def test_the_whole_cohort_counts_once_the_data_has_passed_its_180_days(con, ws):
    # One more visit on 2026-04-30 completes April: A's 180 days (to 04-18) are now seen whole, without a repeat.
    load(con, ws, **{**WORLD, "visits": [*WORLD["visits"], ["2026-04-30", "D", "乙"]]})
    jia = row(onsite(con, parse_month("2026-04")), consultant="甲")
    assert (jia["repurchase_base"], jia["repurchased"], jia["repurchase_rate"]) == (2, 1, 0.5)


def test_cli_json(world, ws):
    world.close()
    r = run_cli("consultants", "--month", "2026-04", "--db", str(ws / "aesops.duckdb"), "--format", "json")
    assert r.exit_code == 0, r.output
    jia = [x for x in json.loads(r.stdout)["onsite"] if x["consultant"] == "甲"][0]
    assert jia["refund_rate"] == pytest.approx(0.30) and jia["repurchase_rate"] == 1.0
