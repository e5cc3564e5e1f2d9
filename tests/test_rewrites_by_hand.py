"""The 10M rewrites of issue 11 on tiny worlds worked by hand: sql/consultants.sql and sql/cohorts.sql.

consultants finds deal days from order_days (a customer-day is a deal when its lines, under whatever
consultant, net above zero) and counts leads and repurchases by semi joins with the window as the join's
condition. These worlds put a customer-day's lines under two consultants that net to zero, deals on the
window's last day and the day after, a lead with both a customer_id and another customer's phone, and a lead
marked arrived that also came. cohorts counts most customers from customer_deals alone: a two-deal-day
customer, one with a day netting to zero, one refunding and one with three deal days. The counts are worked
out in the comments (and main's code before the rewrite gives the same)."""

from __future__ import annotations

import json

from aesthetic_cli.metrics.consultants import consultants
from aesthetic_cli.metrics.periods import parse_month
from tests.conftest import ORDER_HEAD, load, row, run_cli

# October 2025: its repurchase cohort is the deals closed 2025-04-04 .. 2025-05-04 (180 days before the
# period's first and last day); a cohort customer closed on day d repurchased with a deal in (d, d + 180].
ONSITE_ORDERS = [
    ORDER_HEAD,
    # A: 王大 closes 04-10. On 06-01 a sale under 甲 and its refund under 乙: the day nets 0, no deal.
    ["2025-04-10", "A", "水光针", "1000", "微信", "王大"],
    ["2025-06-01", "A", "水光针", "500", "微信", "甲"],
    ["2025-06-01", "A", "水光针", "-500", "微信", "乙"],
    # B: 王大 closes 04-10, buys again 10-07 = 04-10 + 180: repurchased (the window's last day).
    ["2025-04-10", "B", "水光针", "1000", "微信", "王大"],
    ["2025-10-07", "B", "光子", "800", "微信", "甲"],
    # C: 王大 closes 04-10, buys again 10-08 = 04-10 + 181: not repurchased.
    ["2025-04-10", "C", "水光针", "1000", "微信", "王大"],
    ["2025-10-08", "C", "光子", "800", "微信", "甲"],
    # D: 李小 closes 04-12 and again 05-01 (inside the cohort window): closed_on 04-12, repurchased 05-01.
    ["2025-04-12", "D", "水光针", "1000", "微信", "李小"],
    ["2025-05-01", "D", "水光针", "1000", "微信", "李小"],
    # E: 李小 closes 04-20, 王大 04-25, nothing after. 李小's E repurchased (04-25); 王大's E did not.
    ["2025-04-20", "E", "水光针", "1000", "微信", "李小"],
    ["2025-04-25", "E", "光子", "1000", "微信", "王大"],
    # October deals of their own, so that both consultants are listed for the period; G's second one takes the
    # data to 10-31, so every cohort customer's 180 days lie within the data (a window the data has not seen
    # whole is left out of the cohort: tests/test_consultant_refunds_and_windows.py).
    ["2025-10-03", "F", "水光针", "2000", "微信", "王大"],
    ["2025-10-05", "G", "水光针", "1000", "微信", "李小"],
    ["2025-10-31", "G", "光子", "500", "微信", "李小"],
]


def test_repurchase_window_and_a_day_netting_to_zero(con, ws):
    load(con, ws, orders=ONSITE_ORDERS)
    t = consultants(con, parse_month("2025-10"), role="onsite").tables["onsite"]
    wang, li = row(t, consultant="王大"), row(t, consultant="李小")
    # 王大: A no (06-01 nets 0), B yes (day 180), C no (day 181), E no → 1 of 4.
    assert (wang["repurchase_base"], wang["repurchase_rate"]) == (4, 0.25)
    # 李小: D yes (05-01), E yes (04-25, under 王大) → 2 of 2.
    assert (li["repurchase_base"], li["repurchase_rate"]) == (2, 1.0)
    # Through the CLI: the same two rates.
    con.close()  # the CLI opens the warehouse itself
    out = run_cli("consultants", "--month", "2025-10", "--role", "onsite", "--format", "json")
    assert out.exit_code == 0, out.output
    rows = {r["consultant"]: r for r in json.loads(out.output)["onsite"]}
    assert (rows["王大"]["repurchase_rate"], rows["李小"]["repurchase_rate"]) == (0.25, 1.0)


def test_online_leads_windows_phone_link_and_arrived_flag(con, ws):
    lead_head = ["咨询日期", "渠道", "网络咨询师", "手机号", "预约日期", "顾客编号", "是否到院"]
    load(
        con,
        ws,
        customers=[
            ["顾客编号", "手机号"],
            ["K1", "13800000001"],
            ["K3", "13800000003"],
            ["K4", "13800000004"],
            ["K5", "13800000005"],
        ],
        leads=[
            lead_head,
            # L1 (小美, 10-01): no customer_id; its phone links K1. The 90 days are 10-01 … 12-29 (SPEC §2's H days:
            # the first and the H − 1 after it): K1 visits 12-29 (the 90th: an arrival) and buys 12-30 (the 91st:
            # not a buyer).
            ["2025-10-01", "抖音", "小美", "13800000001", "", "", ""],
            # L2 (小美, 10-02): customer_id K2, whose phone is K3's. The lead is K2's (who never comes nor buys),
            # not K3's (who buys 10-05): neither an arrival nor a buyer.
            ["2025-10-02", "抖音", "小美", "13800000003", "2025-10-04", "K2", ""],
            # L3 (小雅, 10-02): K5 by phone, marked arrived, and K5 also visits 10-10: one arrival, not two. K5's
            # 10-10 lines (500 under 甲, -500 under 乙) net 0: not a buyer.
            ["2025-10-02", "小红书", "小雅", "13800000005", "2025-10-10", "", "是"],
            # L4 (小雅, 10-20): K4 by phone. K4's visit 10-10 was before the lead: no arrival; K4 buys 10-25: a buyer.
            ["2025-10-20", "小红书", "小雅", "13800000004", "", "", ""],
        ],
        visits=[
            ["到院日期", "顾客编号", "现场咨询师"],
            ["2025-12-29", "K1", "甲"],
            ["2025-10-10", "K5", "甲"],
            ["2025-10-10", "K4", "甲"],
        ],
        orders=[
            ORDER_HEAD,
            ["2025-12-30", "K1", "水光针", "1600", "微信", "甲"],
            ["2025-10-05", "K3", "水光针", "1600", "微信", "甲"],
            ["2025-10-10", "K5", "水光针", "500", "微信", "甲"],
            ["2025-10-10", "K5", "水光针", "-500", "微信", "乙"],
            ["2025-10-25", "K4", "光子", "900", "微信", "甲"],
        ],
    )
    t = consultants(con, parse_month("2025-10"), role="online").tables["online"]
    mei, ya = row(t, consultant="小美"), row(t, consultant="小雅")
    # 小美: 2 leads, 1 appointment (L2), 1 arrival (L1), 0 buyers.
    assert (mei["leads"], mei["appointments"], mei["arrivals"], mei["buyers"]) == (2, 1, 1, 0)
    # 小雅: 2 leads, 1 appointment (L3), 1 arrival (L3), 1 buyer (L4).
    assert (ya["leads"], ya["appointments"], ya["arrivals"], ya["buyers"]) == (2, 1, 1, 1)
    con.close()
    out = run_cli("consultants", "--month", "2025-10", "--role", "online", "--format", "json")
    assert out.exit_code == 0, out.output
    rows = {r["consultant"]: r for r in json.loads(out.output)["online"]}
    assert [rows[c][k] for c in ("小美", "小雅") for k in ("arrivals", "buyers")] == [1, 0, 1, 1]


# --- cohorts: the cells customer_deals gives without customer_months -----------------------------------
# January 2025 cohort (the data ends 04-30):
#   A 01-05 1,000 and 03-10 500: two deal days, no refund (from customer_deals: 1,000 at k0, 500 at k2).
#   B 01-20 2,000; 02-10 a 300 sale and its -300 refund: that day nets 0, no deal (2,000 at k0 only).
#   C 01-25 800; 02-15 a -200 refund: joined to customer_months (800 at k0; -200 and no deal at k1).
#   D 01-28, 01-29, 02-01, 100 each: three deal days, joined (200 at k0, 100 and a deal at k1).
COHORT_EDGE_ORDERS = [
    ORDER_HEAD,
    ["2025-01-05", "A", "水光针", "1000", "微信", "甲"],
    ["2025-03-10", "A", "水光针", "500", "微信", "甲"],
    ["2025-01-20", "B", "光子", "2000", "微信", "甲"],
    ["2025-02-10", "B", "光子", "300", "微信", "甲"],
    ["2025-02-10", "B", "光子", "-300", "微信", "甲"],
    ["2025-01-25", "C", "热玛吉", "800", "微信", "甲"],
    ["2025-02-15", "C", "热玛吉", "-200", "微信", "甲"],
    ["2025-01-28", "D", "水光针", "100", "微信", "甲"],
    ["2025-01-29", "D", "水光针", "100", "微信", "甲"],
    ["2025-02-01", "D", "水光针", "100", "微信", "甲"],
    ["2025-04-30", "E", "光子", "100", "微信", "甲"],
]


def test_cohort_cells_of_two_day_zero_day_and_refunding_customers(con, ws):
    from datetime import date

    from aesthetic_cli.metrics.cohorts import cohorts

    load(con, ws, orders=COHORT_EDGE_ORDERS)
    r = cohorts(con, months=4)
    jan = row(r.tables["retention"], cohort=date(2025, 1, 1))
    # 4 customers. m1 (Feb): only D dealt (B's day nets 0, C refunded) → 1/4. m2 (Mar): A → 1/4. m3 (Apr): none.
    # m4 (May) lies past the data.
    assert (jan["customers"], jan["m1"], jan["m2"], jan["m3"], jan["m4"]) == (4, 0.25, 0.25, 0.0, None)
    cum = row(r.tables["cumulative_sales"], cohort=date(2025, 1, 1))
    # s0 = (1,000 + 2,000 + 800 + 200) / 4 = 1,000; s1 adds 0 - 200 + 100 → 3,900 / 4 = 975;
    # s2 adds A's 500 → 4,400 / 4 = 1,100; s3 the same.
    assert (cum["s0"], cum["s1"], cum["s2"], cum["s3"], cum["s4"]) == (1000, 975, 1100, 1100, None)
    con.close()
    out = run_cli("cohorts", "--months", "4", "--format", "json")
    assert out.exit_code == 0, out.output
    cells = {r["cohort"]: r for r in json.loads(out.output)["cumulative_sales"]}
    assert cells["2025-01-01"]["s1"] == 975 and cells["2025-01-01"]["s2"] == 1100
