"""consultants, cohorts, customers and items on hand-worked data, and masking of every default output."""

from __future__ import annotations

import json
import re
from datetime import date

import duckdb
import pytest

from aesthetic_cli.metrics.cohorts import cohorts
from aesthetic_cli.metrics.consultants import DEFAULT_WEIGHTS, consultants
from aesthetic_cli.metrics.customers import cards, reactivate, rfm
from aesthetic_cli.metrics.items import items
from aesthetic_cli.metrics.periods import parse_month
from tests.conftest import ORDER_HEAD, load, row, run_cli, write_csv


# --- cohorts --------------------------------------------------------------------------------
# X: first deal 01-05 (1,000 水光针), deals 02-03 and 02-20 (500 each, 水光针), 04-10 (800 光子).
# Y: first deal 01-10 (2,000 光子), never again. Z: first deal 02-01 (3,000 热玛吉), 03-01 (600).
# W: 03-01 水光针 1,000, then nothing. The data ends 04-30 (a month end).
COHORT_ORDERS = [
    ORDER_HEAD,
    ["2025-01-05", "X", "水光针", "1000", "微信", "甲"],
    ["2025-02-03", "X", "水光针", "500", "微信", "甲"],
    ["2025-02-20", "X", "水光针", "500", "微信", "甲"],
    ["2025-04-10", "X", "光子", "800", "微信", "甲"],
    ["2025-01-10", "Y", "光子", "2000", "微信", "甲"],
    ["2025-02-01", "Z", "热玛吉", "3000", "微信", "甲"],
    ["2025-03-01", "Z", "光子", "600", "微信", "甲"],
    ["2025-03-01", "W", "水光针", "1000", "微信", "甲"],
    ["2025-04-30", "V", "光子", "100", "微信", "甲"],
]


def test_cohort_matrix_counts_a_customer_once_per_cell(con, ws):
    load(con, ws, orders=COHORT_ORDERS)
    r = cohorts(con, months=4)
    jan = row(r.tables["retention"], cohort=date(2025, 1, 1))
    # Jan cohort = X, Y. m1 (Feb): X twice, counted once → 1/2. m2 (Mar): nobody. m3 (Apr): X → 1/2.
    # m4 (May) lies past the data's end (04-30): unknown, not zero.
    assert (jan["customers"], jan["m1"], jan["m2"], jan["m3"], jan["m4"]) == (2, 0.5, 0.0, 0.5, None)
    feb = row(r.tables["retention"], cohort=date(2025, 2, 1))  # Z: March yes, April no, May unknown
    assert (feb["customers"], feb["m1"], feb["m2"], feb["m3"]) == (1, 1.0, 0.0, None)
    cum = row(r.tables["cumulative_sales"], cohort=date(2025, 1, 1))
    # s0 = (1,000 + 2,000) / 2; s1 adds X's 1,000 in Feb; s3 adds X's 800 in April.
    assert (cum["s0"], cum["s1"], cum["s2"], cum["s3"], cum["s4"]) == (1500, 2000, 2000, 2400, None)
    # 水光针 repeats by X: 01-05 → 02-03 (29 days) → 02-20 (17 days); median 23.
    assert row(r.tables["item_intervals"], item="水光针")["median_interval_days"] == 23


def test_reactivate_lists_the_overdue_and_masks(con, ws):
    load(
        con,
        ws,
        orders=COHORT_ORDERS,
        customers=[["顾客编号", "姓名", "手机号"], ["W", "王小美", "13812345678"], ["X", "李四", "13900001111"]],
    )
    r = reactivate(con, asof=date(2025, 4, 30))
    # W's last deal 03-01 was 水光针 (median 23 days): due 03-24, 37 days overdue. X last bought 光子,
    # Y 光子, Z 光子 and 热玛吉, V 光子: 光子 and 热玛吉 were never repeated by anyone, so no interval.
    rows = r.tables["reactivate"].rows(named=True)
    assert [(x["customer_id"], x["interval_days"], x["due_date"], x["overdue_days"]) for x in rows] == [
        ("W", 23, date(2025, 3, 24), 37)
    ]
    assert (rows[0]["name"], rows[0]["phone"]) == ("王**", "138****5678")
    shown = reactivate(con, asof=date(2025, 4, 30), show_pii=True).tables["reactivate"].row(0, named=True)
    assert (shown["name"], shown["phone"]) == ("王小美", "13812345678")


def test_rfm_segments_cover_every_buyer(con, ws):
    load(con, ws, orders=COHORT_ORDERS)
    r = rfm(con, asof=date(2025, 4, 30), list_customers=True)
    assert r.tables["segments"]["customers"].sum() == 5  # X Y Z W V, and none dormant
    x = row(r.tables["customers"], customer_id="X")
    # X: last deal 04-10 (20 days), 4 deal visits, 2,800 in the window: above every median.
    assert (x["recency_days"], x["deal_visits"], x["sales"], x["segment"]) == (20, 4, 2800, "重要价值客户")


# --- consultants ----------------------------------------------------------------------------
# October 2025; its repurchase cohort = customers closed 2025-04-04 .. 2025-05-04.
# 王大 closed P1, P2 on 04-10 (5,000 each); neither came back. October: P3 20,000.
# 李小 closed Q1, Q2 on 04-15; Q1 came back 06-01. October: Q3 3,000, refunded 600 on 10-20.
# 张中 closed R1 on 04-20; R1 came back 07-01. October: R2 8,000.
def consultant_world(con, ws):
    visits = [["到院日期", "顾客编号", "现场咨询师", "就诊类型"]]
    orders = [ORDER_HEAD]
    for d, c, who, amt in [
        ("2025-04-10", "P1", "王大", 5000),
        ("2025-04-10", "P2", "王大", 5000),
        ("2025-10-03", "P3", "王大", 20000),
        ("2025-04-15", "Q1", "李小", 1000),
        ("2025-04-15", "Q2", "李小", 1000),
        ("2025-06-01", "Q1", "李小", 800),
        ("2025-10-05", "Q3", "李小", 3000),
        ("2025-04-20", "R1", "张中", 2000),
        ("2025-07-01", "R1", "张中", 500),
        ("2025-10-08", "R2", "张中", 8000),
    ]:
        visits.append([d, c, who, "初诊"])
        orders.append([d, c, "水光针", str(amt), "微信", who])
    orders.append(["2025-10-20", "Q3", "水光针", "-600", "微信", "李小"])
    load(con, ws, visits=visits, orders=orders)


def test_consultant_with_high_sales_and_no_repurchase(con, ws):
    consultant_world(con, ws)
    t = consultants(con, parse_month("2025-10"), role="onsite").tables["onsite"]
    wang, li, zhang = row(t, consultant="王大"), row(t, consultant="李小"), row(t, consultant="张中")
    assert (wang["sales"], wang["repurchase_rate"], wang["repurchase_base"]) == (20000, 0.0, 2)
    assert (li["sales"], li["repurchase_rate"], li["refund_rate"]) == (2400, 0.5, 0.2)
    assert (zhang["sales"], zhang["repurchase_rate"]) == (8000, 1.0)
    # Percentile ranks (0 worst, 1 best): sales 李小 0, 张中 .5, 王大 1; repurchase 王大 0, 李小 .5, 张中 1.
    # Scores at 50/50: 王大 .5, 张中 .75, 李小 .25.
    assert (zhang["rank"], wang["rank"], li["rank"]) == (1, 2, 3)
    assert zhang["score"] == pytest.approx(0.75) and wang["score"] == pytest.approx(0.5)
    # 王大: sales rank 1, repurchase rank 3: two places apart in a team of three → over-selling risk.
    assert (wang["over_selling_risk"], li["over_selling_risk"], zhang["over_selling_risk"]) == (True, False, False)


def test_scorecard_weights_change_the_ranking(con, ws):
    consultant_world(con, ws)
    sales_only = {**DEFAULT_WEIGHTS, "onsite": {"sales": 1.0}}
    t = consultants(con, parse_month("2025-10"), role="onsite", weights=sales_only).tables["onsite"]
    assert t["consultant"].to_list() == ["王大", "张中", "李小"]


def test_online_consultants(con, ws):
    load(
        con,
        ws,
        leads=[
            ["咨询日期", "渠道", "网络咨询师", "手机号", "预约日期"],
            ["2025-10-01", "抖音", "小美", "13800000001", "2025-10-03"],
            ["2025-10-02", "抖音", "小美", "13800000002", ""],
            ["2025-10-02", "抖音", "小雅", "13800000003", "2025-10-04"],
        ],
        customers=[["顾客编号", "手机号"], ["K1", "13800000001"], ["K3", "13800000003"]],
        visits=[["到院日期", "顾客编号", "现场咨询师"], ["2025-10-03", "K1", "甲"], ["2025-10-04", "K3", "甲"]],
        orders=[ORDER_HEAD, ["2025-10-03", "K1", "水光针", "1600", "微信", "甲"]],
    )
    t = consultants(con, parse_month("2025-10"), role="online").tables["online"]
    # Leads link to customers by phone. 小美: 2 leads, 1 appointment, K1 came and bought.
    mei = row(t, consultant="小美")
    assert (mei["leads"], mei["appointments"], mei["arrivals"], mei["buyers"]) == (2, 1, 1, 1)
    assert (mei["appointment_rate"], mei["arrival_rate"], mei["close_rate"]) == (0.5, 0.5, 0.5)
    ya = row(t, consultant="小雅")  # K3 came, did not buy
    assert (ya["arrivals"], ya["buyers"], ya["close_rate"]) == (1, 0, 0.0)


# --- cards and items ------------------------------------------------------------------------
def test_cards_liability_cash_part_and_statuses(con, ws):
    load(
        con,
        ws,
        cards=[
            ["卡号", "顾客编号", "开卡日期", "充值金额", "赠送金额", "余额", "最后消费日期"],
            ["K1", "A", "2025-01-01", "10000", "2000", "6000", "2025-09-01"],
            ["K2", "B", "2025-01-01", "5000", "0", "0", "2025-05-01"],
            ["K3", "C", "2025-01-01", "3000", "600", "1200", "2025-03-01"],
        ],
    )
    t = cards(con, asof=date(2025, 10, 31))
    s = t.tables["cards"].row(0, named=True)
    # Liability 6,000 + 0 + 1,200. Cash part 6,000 × 10/12 + 1,200 × 3,000/3,600 = 5,000 + 1,000.
    assert (s["cards"], s["liability"], s["cash_part"], s["bonus_part"]) == (3, 7200, 6000, 1200)
    # K2 drained, unused since 05-01 (over 90 days) and never recharged: 空卡 and 不续卡.
    # K3 has 1,200 but is unused since 03-01 (over 180 days): 不动卡.
    assert (s["empty_cards"], s["lapsed_cards"], s["dormant_cards"], s["dormant_balance"]) == (1, 1, 1, 1200)
    assert {r["card_id"]: r["status"] for r in t.tables["cards_to_call"].iter_rows(named=True)} == {
        "K2": "不续卡",
        "K3": "不动卡",
    }


def test_recharged_card_is_not_lapsed(con, ws):
    load(
        con,
        ws,
        cards=[["卡号", "顾客编号", "充值金额", "余额", "最后消费日期"], ["K2", "B", "5000", "0", "2025-05-01"]],
        orders=[ORDER_HEAD, ["2025-06-01", "B", "储值卡充值", "5000", "微信", "甲"]],
    )
    s = cards(con, asof=date(2025, 10, 31)).tables["cards"].row(0, named=True)
    assert (s["empty_cards"], s["lapsed_cards"]) == (1, 0)


def test_item_with_unit_cost_above_price(con, ws):
    load(
        con,
        ws,
        items=[["项目名称", "标准价", "成本"], ["体验水光", "299", "400"], ["水光针", "1680", "500"]],
        orders=[
            ORDER_HEAD,
            ["2025-10-05", "A", "体验水光", "299", "微信", "甲"],
            ["2025-10-06", "B", "体验水光", "299", "微信", "甲"],
            ["2025-10-06", "B", "水光针", "1600", "微信", "甲"],
            ["2025-10-07", "C", "热玛吉", "12000", "微信", "甲"],
        ],
    )
    r = items(con, parse_month("2025-10"))
    t = r.tables["items"]
    trial = row(t, item="体验水光")  # 2 × 299 sold, 2 × 400 cost
    assert (trial["sales"], trial["quantity"], trial["margin"], trial["below_cost"]) == (598, 2, -202, True)
    assert row(t, item="水光针")["margin"] == 1100
    assert row(t, item="热玛吉")["margin"] is None  # no unit cost: no margin, not a guess
    assert any("体验水光" in n for n in r.notes)
    bands = {b["price_band"]: b["lines"] for b in r.tables["price_bands"].iter_rows(named=True)}
    assert bands == {"<1千": 2, "1千-3千": 1, "8千-2万": 1}
    openers = {o["item"]: o["openers"] for o in r.tables["openers"].iter_rows(named=True)}
    assert openers == {"体验水光": 2, "水光针": 1, "热玛吉": 1}


# --- masking --------------------------------------------------------------------------------
def test_no_full_phone_or_name_in_any_default_output(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    staff = {r[0] for r in con.execute("SELECT name FROM staff").fetchall()}
    people = con.execute("SELECT name, phone FROM customers").fetchall()
    con.close()
    phones = {p for _, p in people if p}
    names = {n for n, _ in people if n and len(n) >= 2 and n not in staff}
    outputs = []
    for args in (
        ["customers", "rfm", "--list"],
        ["customers", "reactivate", "--limit", "500"],
        ["customers", "cards", "--limit", "500"],
        ["funnel", "--by", "consultant"],
        ["channels"],
        ["consultants"],
        ["items"],
        ["cohorts", "--by", "channel"],
        ["status", "--rejects"],
    ):
        for fmt in ("json", "csv", "table"):
            r = run_cli(*args, "--format", fmt, "--db", str(sample_db))
            assert r.exit_code == 0, (args, r.output)
            outputs.append(r.stdout)
    text = "\n".join(outputs)
    assert "****" in text  # the lists were really there, masked
    assert not any(p in text for p in phones)
    found = set(re.findall(r"[\u4e00-\u9fff]{2,3}", text)) & names
    assert not found, sorted(found)[:10]
    shown = run_cli("customers", "reactivate", "--show-pii", "--format", "json", "--db", str(sample_db))
    assert any(p in shown.stdout for p in phones)


def test_every_command_has_help_with_an_example():
    for args in (
        ["import"],
        ["status"],
        ["init"],
        ["funnel"],
        ["channels"],
        ["consultants"],
        ["cohorts"],
        ["items"],
        ["customers", "rfm"],
        ["customers", "reactivate"],
        ["customers", "cards"],
        ["sample", "generate"],
        ["demo"],
    ):
        r = run_cli(*args, "--help")
        assert r.exit_code == 0 and "Example" in r.stdout, args


def test_cli_json_of_customers_cards(con, ws):
    load(con, ws, cards=[["卡号", "顾客编号", "余额", "充值金额"], ["K1", "A", "100", "100"]])
    con.close()
    r = run_cli("customers", "cards", "--format", "json")
    assert json.loads(r.stdout)["cards"][0]["liability"] == 100


def test_a_shared_phone_links_a_lead_once(con, ws):
    # Mother and daughter share a phone: the lead counts once, for one customer.
    load(
        con,
        ws,
        leads=[["咨询日期", "渠道", "网络咨询师", "手机号"], ["2025-10-01", "抖音", "小美", "13800000009"]],
        customers=[["顾客编号", "手机号"], ["M1", "13800000009"], ["M2", "13800000009"]],
        visits=[["到院日期", "顾客编号", "现场咨询师"], ["2025-10-03", "M1", "甲"], ["2025-10-03", "M2", "甲"]],
    )
    mei = row(consultants(con, parse_month("2025-10"), role="online").tables["online"], consultant="小美")
    assert (mei["leads"], mei["arrivals"]) == (1, 1)


def test_reactivate_follows_an_import_through_the_cli(con, ws):
    # The call-back list reads the layer's last deal items (customer_last_items); an import must change
    # them. As of 04-30 W is overdue (last deal 03-01 水光针, 23-day cycle, due 03-24: 37 days).
    load(con, ws, orders=COHORT_ORDERS)
    con.close()

    def listed(day: str) -> tuple[list, int]:
        r = run_cli("customers", "reactivate", "--date", day, "--format", "json")
        assert r.exit_code == 0, r.output
        out = json.loads(r.stdout)
        return [(x["customer_id"], x["overdue_days"]) for x in out["reactivate"]], out["meta"]["overdue_customers"]

    assert listed("2025-04-30") == ([("W", 37)], 1)
    # W comes back on 04-29 for 光子, an item nobody has repeated (no cycle): no longer overdue on 04-30.
    write_csv(ws / "day.csv", [ORDER_HEAD, ["2025-04-29", "W", "光子", "300", "微信", "甲"]])
    assert run_cli("import", str(ws / "day.csv")).exit_code == 0
    assert listed("2025-04-30") == ([], 0)
    # As of 04-28 the new day lies ahead: W's last deal is still 03-01's 水光针, due 03-24, 35 days over.
    assert listed("2025-04-28") == ([("W", 35)], 1)
