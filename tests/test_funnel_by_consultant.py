"""`funnel --by consultant` credits a consultant as `consultants` does (SPEC §2: consultants by the visit's
consultant), and `--by department` says how it credits departments. Worked out by hand below.

October 2025, one clinic 本院, consultants 王芳 (A) and 李娜 (B). Every line paid by WeChat (cash).
  P1 10-03 初诊 with A (皮肤科). Order lines that day: 水光针 3,000 keyed under B, 肉毒素 500 under A, and a
     top-up 5,000 under B. The day's sales 3,500 go to A, who received P1 (the top-up is no sale).
  P2 10-05 初诊 with A (皮肤科). 热玛吉 10,000 keyed under B (整形外科): A's. 10-25 refund −2,000 under B
     (整形外科), no visit that day: B's, a day netting below zero (no deal).
  P3 10-07 初诊 with B (皮肤科): 光子嫩肤 2,000 under B. 10-28 a top-up 1,000 under B only (no sale that day).
  P4 10-09 初诊 with no consultant named (皮肤科): 双眼皮 9,800 under A (整形外科). No visit names anyone
     that day, so the order lines' A is credited; P4 is a visitor of 未指定, not of A.
  P5 10-12 初诊 with A (皮肤科), no order. 10-20 复诊 with B (皮肤科): 水光针 1,500 keyed under A: B's.
  P7 old (first order 08-01, 1,000 under B). 10-18 复诊 with B (皮肤科): 2,000 keyed under A: B's.
  P8 10-22 初诊 with A (整形外科), no order.   P9 10-08 初诊 with B (皮肤科), no order.
  P10 10-26 初诊 with B (皮肤科): 800 keyed under A: B's.

By consultant, credited by the visit (as `consultants`):
  A: sales 3,500 + 10,000 + 9,800 = 23,300; buyers P1 P2 P4 = 3; deal visits 3; visitors (the visit's
     consultant) P1 P2 P5 P8 = 4; close rate 3/4; buyers without a visit with A: P4 = 1. All new.
     Cash: P1's day 3,000 + 500 + 5,000, P2 10,000, P4 9,800 = 28,300.
  B: sales −2,000 + 2,000 + 1,500 + 2,000 + 800 = 4,300; buyers P3 P5 P7 P10 = 4 (P2's day with B nets
     −2,000); deal visits 4; visitors P3 P5 P7 P9 P10 = 5; close rate 4/5. New: sales −2,000 + 2,000 + 1,500
     + 800 = 2,300, buyers P3 P5 P10, deal visits 3, visitors P3 P5 P9 P10; old (P7): 2,000, 1 buyer, 1 deal
     visit, 1 visitor. Cash: −2,000 + 2,000 + 1,500 + 2,000 + 800 + P3's top-up day 1,000 (no sale that day:
     the order lines' B) = 5,300.
  未指定: visitor P4, no sales.
By the order lines' consultant (the old crediting) A had 500 + 9,800 + 1,500 + 2,000 + 800 = 14,600 from
buyers P1 P4 P5 P7 P10, of whom only P1 and P5 are A's visitors: 5 buyers over 4 visitors, a close rate of
125%; B had 3,000 + 10,000 − 2,000 + 2,000 = 13,000 from P1 P2 P3. Neither is what `consultants` says.

By department (unchanged: each record's own department):
  整形外科: sales 10,000 − 2,000 + 9,800 = 17,800 from P2 and P4, who visited 皮肤科; its one visitor is P8:
  buyers 2, visitors 1, close rate 200%, both buyers without a visit there.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from aesthetic_cli.metrics.funnel import kpis
from aesthetic_cli.metrics.periods import parse_month
from aesthetic_cli.warehouse import connect
from tests.conftest import load, run_cli

OCT = parse_month("2025-10")
A, B = "王芳", "李娜"


@pytest.fixture
def world(con, ws):
    load(
        con,
        ws,
        visits=[
            ["到院日期", "顾客编号", "就诊类型", "现场咨询师", "科室"],
            ["2025-10-03", "P1", "初诊", A, "皮肤科"],
            ["2025-10-05", "P2", "初诊", A, "皮肤科"],
            ["2025-10-07", "P3", "初诊", B, "皮肤科"],
            ["2025-10-09", "P4", "初诊", "", "皮肤科"],
            ["2025-10-12", "P5", "初诊", A, "皮肤科"],
            ["2025-10-20", "P5", "复诊", B, "皮肤科"],
            ["2025-10-18", "P7", "复诊", B, "皮肤科"],
            ["2025-10-22", "P8", "初诊", A, "整形外科"],
            ["2025-10-08", "P9", "初诊", B, "皮肤科"],
            ["2025-10-26", "P10", "初诊", B, "皮肤科"],
        ],
        orders=[
            ["收费日期", "顾客编号", "项目", "实收金额", "支付方式", "咨询师", "科室"],
            ["2025-08-01", "P7", "水光针", "1000", "微信", B, "皮肤科"],
            ["2025-10-03", "P1", "水光针", "3000", "微信", B, "皮肤科"],
            ["2025-10-03", "P1", "肉毒素", "500", "微信", A, "皮肤科"],
            ["2025-10-03", "P1", "储值卡充值", "5000", "微信", B, ""],
            ["2025-10-05", "P2", "热玛吉", "10000", "微信", B, "整形外科"],
            ["2025-10-25", "P2", "热玛吉", "-2000", "微信", B, "整形外科"],
            ["2025-10-07", "P3", "光子嫩肤", "2000", "微信", B, "皮肤科"],
            ["2025-10-28", "P3", "储值卡充值", "1000", "微信", B, ""],
            ["2025-10-09", "P4", "双眼皮", "9800", "微信", A, "整形外科"],
            ["2025-10-20", "P5", "水光针", "1500", "微信", A, "皮肤科"],
            ["2025-10-18", "P7", "水光针", "2000", "微信", A, "皮肤科"],
            ["2025-10-26", "P10", "肉毒素", "800", "微信", A, "皮肤科"],
        ],
    )
    con.close()  # the CLI opens the warehouse itself
    return ws


def _json(*args: str) -> dict:
    out = run_cli(*args, "--format", "json")
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def _by(rows: list[dict], key: str) -> dict[str, dict]:
    return {r[key]: r for r in rows}


def test_funnel_credits_the_consultant_who_received_the_customer(world):
    k = _by(_json("funnel", "--month", "2025-10", "--by", "consultant")["kpis"], "group")
    a, b = k[A], k[B]
    assert (a["sales"], a["buyers"], a["deal_visits"], a["visitors"]) == (23_300, 3, 3, 4)
    assert (a["buyers_without_visit"], a["cash_in"]) == (1, 28_300)
    assert (b["sales"], b["buyers"], b["deal_visits"], b["visitors"]) == (4_300, 4, 4, 5)
    assert (b["buyers_without_visit"], b["cash_in"]) == (0, 5_300)
    assert (a["close_rate"], b["close_rate"]) == (0.75, 0.8)
    assert (k["未指定"]["visitors"], k["未指定"]["sales"], k["未指定"]["buyers"]) == (1, 0, 0)
    # Every yuan of October's sales and cash is credited to someone, once.
    assert sum(r["sales"] for r in k.values()) == 23_300 + 4_300
    assert sum(r["cash_in"] for r in k.values()) == 28_300 + 5_300


def test_new_and_old_split_the_credited_sales(world):
    with connect(world / "aesops.duckdb", read_only=True) as con:
        df = kpis(con, OCT, by="consultant")
    b = df.filter(df["group"] == B).row(0, named=True)
    assert (b["new_sales"], b["new_buyers"], b["new_deal_visits"], b["new_visitors"]) == (2_300, 3, 3, 4)
    assert (b["old_sales"], b["old_buyers"], b["old_deal_visits"], b["old_visitors"]) == (2_000, 1, 1, 1)
    a = df.filter(df["group"] == A).row(0, named=True)
    assert (a["new_sales"], a["old_sales"], a["new_buyers"], a["new_visitors"]) == (23_300, 0, 3, 4)


def test_every_consultant_has_the_same_figures_in_funnel_and_consultants(world):
    """Sales, buyers, ticket and close rate (buyers / customers received, which is visitors) agree for every
    consultant; consultants lists no 未指定 row, and its receptions count visits, not customers."""
    funnel = _by(_json("funnel", "--month", "2025-10", "--by", "consultant")["kpis"], "group")
    onsite = _by(_json("consultants", "--month", "2025-10", "--role", "onsite")["onsite"], "consultant")
    assert set(onsite) == {A, B} and set(funnel) == {A, B, "未指定"}
    for name, c in onsite.items():
        f = funnel[name]
        assert (f["sales"], f["buyers"], f["close_rate"], f["ticket"]) == (
            c["sales"],
            c["buyers"],
            c["close_rate"],
            c["ticket"],
        ), name


def test_no_close_rate_passes_100_percent_and_the_levers_give_sales_to_the_cent(world):
    out = _json("funnel", "--month", "2025-10", "--by", "consultant")
    checked = 0
    for r in [*out["kpis"], *out["segments"]]:
        assert r["close_rate"] is None or r["close_rate"] <= 1, r
        if r["visitors"] and r["deal_visits"]:
            product = r["visitors"] * r["close_rate"] * r["ticket"] * r["frequency"]
            assert Decimal(f"{product:.2f}") == Decimal(str(r["sales"])), r
            checked += 1
    assert checked == 7  # kpis: A, B; segments: A all/new (no old visitor), B all/new/old
    seg = {(r["group"], r["segment"]): r["sales"] for r in out["segments"]}
    for g in (A, B):
        assert seg[g, "new"] + seg[g, "old"] == seg[g, "all"]


def test_the_output_says_how_consultants_and_departments_are_credited(world):
    zh = run_cli("funnel", "--month", "2025-10", "--by", "consultant", env={"LANG": "zh_CN.UTF-8"})
    assert zh.exit_code == 0 and "当天接诊的现场咨询师" in "".join(zh.stdout.split()), zh.output
    en = run_cli("funnel", "--month", "2025-10", "--by", "department", "--lang", "en")
    assert "visitors to the visit's department" in " ".join(en.stdout.split()), en.output
    assert "By consultant" not in run_cli("funnel", "--month", "2025-10", "--by", "clinic", "--lang", "en").stdout
    # P4 bought from a visit nobody received: a buyer without a visit in 王芳's row, though P4 visited that day.
    grouped = _json("funnel", "--month", "2025-10", "--by", "consultant", "--lang", "en")["meta"]["notes"]
    plain = _json("funnel", "--month", "2025-10", "--lang", "en")["meta"]["notes"]
    assert any("no recorded visit in their row's group in the period" in n for n in grouped), grouped
    assert not any("in their row's group" in n for n in plain), plain


def test_departments_keep_each_records_own_department(world):
    # No SPEC rule moves a department's sales to where the customer visited: 整形外科 sells to P2 and P4,
    # who visited 皮肤科, and receives only P8.
    k = _by(_json("funnel", "--month", "2025-10", "--by", "department")["kpis"], "group")
    z = k["整形外科"]
    assert (z["sales"], z["buyers"], z["visitors"], z["buyers_without_visit"], z["close_rate"]) == (
        17_800,
        2,
        1,
        2,
        2.0,
    )


def test_the_query_equals_the_plain_one_where_visit_and_order_lines_disagree(world):
    # The sample's visits and order lines always name the same consultant; here they do not.
    from tests.test_query_shortcuts import _ours, _plain

    with connect(world / "aesops.duckdb", read_only=True) as con:
        for clinic in (None, "本院"):
            plain = _plain(con, OCT, "g_consultant", clinic)
            assert _ours(con, OCT, "consultant", clinic) == plain
            assert {r[0]: r[1] for r in plain} == {A: 23_300, B: 4_300, "未指定": 0}
