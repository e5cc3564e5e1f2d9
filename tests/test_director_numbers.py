"""Issue 12, numbers a director can act on (SPEC §2 as revised), each against figures worked out by hand
in the comments or by a plain-Python sum over the same rows.

World A: October 2025, four paid channels and a 新氧 voucher bought online by a customer who never came.
  大众点评 (spend 1,000): P1 visits 10-03 and buys 4,300.                     small, cheap, ROAS 4.3
  抖音 (spend 20,000):    Q1..Q4 visit 10-05, 10-05, 10-07, 10-08; Q1 buys 10,000 on 10-05 and 5,000 on
                          11-10 (day 36 after first_seen); Q2 buys 6,000 on 10-20 (day 15).
  新氧 (spend 12,000):    R1..R3 visit 10-06, 10-07, 10-09; R1 buys 9,000 on 10-06, R2 3,000 on 10-16 (day 9);
                          R4 buys a 2,000 voucher online on 10-08 and never visits.
  百度 (spend 20,000):    S1, S2 visit 10-04, 10-10; S1 buys 5,000 on 10-04.
  X (自然到院) visits and buys 800 on 12-31, so the data ends 12-31.
"""

from __future__ import annotations

import csv
import json
from datetime import date

import openpyxl
import pytest

from aesthetic_cli.errors import UsageError
from aesthetic_cli.metrics.channels import channel_roi
from aesthetic_cli.metrics.funnel import funnel, kpis
from aesthetic_cli.metrics.items import items
from aesthetic_cli.metrics.periods import Period, comparable, parse_month, week
from tests.conftest import load, ranked_rows, row, run_cli

OCT25 = parse_month("2025-10")


WORLD_A = {
    "customers": [
        ["顾客编号", "来源渠道"],
        ["P1", "大众点评"],
        *[[f"Q{i}", "抖音"] for i in range(1, 5)],
        *[[f"R{i}", "新氧"] for i in range(1, 5)],
        ["S1", "百度"],
        ["S2", "百度"],
        ["X", "自然到院"],
    ],
    "visits": [
        ["到院日期", "顾客编号", "现场咨询师"],
        ["2025-10-03", "P1", "甲"],
        ["2025-10-05", "Q1", "甲"],
        ["2025-10-05", "Q2", "甲"],
        ["2025-10-07", "Q3", "甲"],
        ["2025-10-08", "Q4", "甲"],
        ["2025-10-06", "R1", "乙"],
        ["2025-10-07", "R2", "乙"],
        ["2025-10-09", "R3", "乙"],
        ["2025-10-04", "S1", "乙"],
        ["2025-10-10", "S2", "乙"],
        ["2025-12-31", "X", "甲"],
    ],
    "orders": [
        ["收费日期", "顾客编号", "项目", "实收金额", "咨询师"],
        ["2025-10-03", "P1", "水光针", "4300", "甲"],
        ["2025-10-05", "Q1", "热玛吉", "10000", "甲"],
        ["2025-11-10", "Q1", "水光针", "5000", "甲"],
        ["2025-10-20", "Q2", "玻尿酸", "6000", "甲"],
        ["2025-10-06", "R1", "热玛吉", "9000", "乙"],
        ["2025-10-08", "R4", "水光针", "2000", "乙"],
        ["2025-10-16", "R2", "光子", "3000", "乙"],
        ["2025-10-04", "S1", "玻尿酸", "5000", "乙"],
        ["2025-12-31", "X", "光子", "800", "甲"],
    ],
    "spend": [
        ["月份", "渠道", "费用"],
        ["2025-10", "大众点评", "1000"],
        ["2025-10", "抖音", "20000"],
        ["2025-10", "新氧", "12000"],
        ["2025-10", "百度", "20000"],
    ],
}


@pytest.fixture
def world_a(con, ws):
    load(con, ws, **WORLD_A)
    return con


def test_a_voucher_buyer_who_never_visits(world_a):
    k = row(kpis(world_a, OCT25), group="all")
    # Visitors: P1, Q1..Q4, R1..R3, S1, S2 = 10 (R4 has no visit). Buyers: P1 Q1 Q2 R1 R2 R4 S1 = 7, one of
    # them (R4) without a visit. Deal visits 7, all on different customer-days.
    assert (k["visitors"], k["buyers"], k["buyers_without_visit"], k["deal_visits"]) == (10, 7, 1, 7)
    # Sales 4,300 + 10,000 + 6,000 + 9,000 + 2,000 + 3,000 + 5,000 = 39,300.
    assert k["sales"] == 39_300
    # close 7/10, ticket 39,300/7, frequency 1: 10 × 0.7 × 5,614.29 × 1 = 39,300 exactly.
    assert (k["close_rate"], k["frequency"]) == (pytest.approx(0.7), 1.0)
    assert k["visitors"] * k["close_rate"] * k["ticket"] * k["frequency"] == pytest.approx(39_300, abs=1e-6)
    assert (k["new_buyers_without_visit"], k["old_buyers_without_visit"]) == (1, 0)
    xy = row(kpis(world_a, OCT25, by="channel"), group="新氧")
    # 新氧: visitors R1..R3; buyers R1 R2 R4 → close rate 100% although R3 bought nothing: R4 is the difference.
    assert (xy["visitors"], xy["buyers"], xy["buyers_without_visit"], xy["close_rate"]) == (3, 3, 1, 1.0)
    f = row(funnel(world_a, OCT25).tables["funnel"], channel="新氧")
    # Arrivals are visitors: 3, not 4. R4 is a new buyer without a visit.
    assert (f["arrivals"], f["buyers"], f["buyers_without_visit"]) == (3, 3, 1)
    ch = row(channel_roi(world_a, OCT25).tables["channels"], channel="新氧")
    # Cost per arrival 12,000 / 3 = 4,000 (the voucher would have made it 3,000); CAC 12,000 / 3 buyers.
    assert (ch["arrivals"], ch["cost_per_arrival"], ch["cac"]) == (3, 4_000, 4_000)


def test_segments_and_tables_show_buyers_without_visit(world_a):
    world_a.close()
    doc = json.loads(run_cli("funnel", "--month", "2025-10", "--format", "json").stdout)
    new = [s for s in doc["segments"] if s["segment"] == "new"][0]
    assert (new["visitors"], new["buyers_without_visit"], new["buyers"]) == (10, 1, 7)
    assert doc["kpis"][0]["buyers_without_visit"] == 1
    table = run_cli("funnel", "--month", "2025-10", "--format", "table").stdout
    assert "线上/未到院成交" in table


def test_cut_list_by_output_per_yuan_not_size(world_a):
    r = channel_roi(world_a, OCT25)
    # The data ends 12-31: 30 days from 10-31 (to 11-29) are in it, 90 days are not → ROAS at 30 days.
    assert r.meta["output_basis"] == "30d"
    cut = r.tables["cut_list"]
    # 30-day ROAS: 大众点评 4,300/1,000 = 4.3; 抖音 (10,000 + 6,000)/20,000 = 0.8 (Q1's 11-10 is day 36);
    # 新氧 (9,000 + 2,000 + 3,000)/12,000 = 1.1667; 百度 5,000/20,000 = 0.25.
    # Sorted 0.25, 0.8, 1.1667, 4.3: lower quartile 0.25 + 0.75 × 0.55 = 0.6625 → only 百度 is 产出低.
    # 大众点评 has the smallest sales of all (4,300 < 5,000), and is not cut for being small.
    dz, bd = row(cut, channel="大众点评"), row(cut, channel="百度")
    assert "产出低" not in dz["flags"] and dz["output_roas"] == pytest.approx(4.3)
    assert bd["output_roas_threshold"] == pytest.approx(0.6625)
    # Payback days: 大众点评 0 (4,300 ≥ 1,000 on day 0); 新氧 9 (11,000 on day 0, 14,000 ≥ 12,000 on day 9);
    # 抖音 36 (10,000, 16,000 on day 15, 21,000 ≥ 20,000 on day 36); 百度 never (5,000 < 20,000).
    assert [row(cut, channel=c)["payback_days"] for c in ("大众点评", "新氧", "抖音", "百度")] == [0, 9, 36, None]
    # CAC 1,000, 4,000, 10,000, 20,000: upper quartile 10,000 + 0.25 × 10,000 = 12,500 → 百度 费用高.
    assert bd["cac_threshold"] == pytest.approx(12_500)
    # Arrivals 1, 3, 4, 2: lower quartile 1 + 0.75 × 1 = 1.75 → 大众点评 送客少 (one flag: not a candidate).
    assert dz["flags"] == ["送客少"] and dz["arrivals_threshold"] == pytest.approx(1.75) and not dz["cut_candidate"]
    # 百度: lowest ROAS, never paid back (the upper quartile of 0, 9, 36, never is "never"), costliest.
    assert bd["flags"] == ["产出低", "见效慢", "费用高"] and bd["cut_candidate"]
    assert bd["reasons"][0].startswith("产出低: ROAS(30天) 0.25 ≤ 0.66")
    assert row(cut, channel="抖音")["flags"] == [] and row(cut, channel="新氧")["flags"] == []


# World B: data cut at 2026-10-15. Orders and visits, with the spans each comparison must use.
B_ORDERS = [
    ["收费日期", "顾客编号", "项目", "实收金额"],
    ["2025-10-03", "A", "水光针", "1000"],
    ["2025-10-20", "B", "热玛吉", "5000"],
    ["2026-09-10", "C", "水光针", "2000"],
    ["2026-09-25", "D", "光子", "4000"],
    ["2026-10-05", "E", "玻尿酸", "3000"],
    ["2026-10-15", "F", "水光针", "1500"],
]
B_VISITS = [
    ["到院日期", "顾客编号"],
    ["2025-09-01", "Z"],
    ["2025-10-03", "A"],
    ["2025-10-04", "G"],
    ["2026-09-10", "C"],
    ["2026-09-12", "I"],
    ["2026-09-14", "J"],
    ["2026-10-05", "E"],
    ["2026-10-06", "H"],
]


@pytest.fixture
def world_b(con, ws):
    load(con, ws, orders=B_ORDERS, visits=B_VISITS)
    return con


def _sum_orders(path, start: date, end: date) -> float:
    """A second implementation: read the CSV as text and add up paid amounts dated in [start, end]."""
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return sum(float(r["实收金额"]) for r in rows if start <= date.fromisoformat(r["收费日期"]) <= end)


def test_data_ending_mid_month_compares_the_same_days(world_b, ws):
    r = funnel(world_b, parse_month("2026-10"))
    comp = {x["kpi"]: x for x in r.tables["comparison"].iter_rows(named=True)}
    # 10-01..10-15: E 3,000 + F 1,500. 09-01..09-15: C 2,000 (D's 09-25 is not the same days).
    # 2025-10-01..10-15: A 1,000 (B's 10-20 is not). Whole months would give 6,000 and 6,000.
    s = comp["sales"]
    assert (s["current"], s["previous"], s["last_year"]) == (4_500, 2_000, 1_000)
    assert (s["mom"], s["yoy"]) == (pytest.approx(1.25), pytest.approx(3.5))
    assert s["mom_diff"] is None  # an amount changes relatively only
    # Close rate: now E, F bought and E, H visited → 2/2 = 1.0 (F is a buyer without a visit).
    # 09-01..09-15: C bought; C, I, J visited → 1/3. A year before: A bought; A, G visited → 1/2.
    c = comp["close_rate"]
    assert (c["current"], c["previous"], c["last_year"]) == (1.0, pytest.approx(1 / 3), 0.5)
    assert c["mom_diff"] == pytest.approx(2 / 3) and c["yoy_diff"] == pytest.approx(0.5)  # +66.7pp, +50.0pp
    assert comp["buyers_without_visit"]["current"] == 1
    assert r.meta["through"] == date(2026, 10, 15) and r.meta["end"] == date(2026, 10, 15)
    assert any("截至 10-15" in n for n in r.notes)


def test_cli_funnel_json_on_data_cut_mid_month(world_b, ws):
    world_b.close()
    r = run_cli("funnel", "--month", "2026-10", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    sales = [x for x in doc["comparison"] if x["kpi"] == "sales"][0]
    orders = ws / "orders.csv"
    assert sales["current"] == _sum_orders(orders, date(2026, 10, 1), date(2026, 10, 15))
    assert sales["previous"] == _sum_orders(orders, date(2026, 9, 1), date(2026, 9, 15))
    assert sales["last_year"] == _sum_orders(orders, date(2025, 10, 1), date(2025, 10, 15))
    assert doc["meta"]["through"] == "2026-10-15"
    assert doc["meta"]["comparison_spans"]["previous"] == ["2026-09-01", "2026-09-15"]
    table = run_cli("funnel", "--month", "2026-10", "--format", "table").stdout
    # Rates change in points in tables: close rate +66.7pp 环比, +50.0pp 同比; the note says 截至 10-15.
    assert "+66.7pp" in table and "+50.0pp" in table and "截至 10-15" in table


def test_a_month_after_the_data_is_refused(world_b):
    world_b.close()
    for cmd in (["funnel"], ["channels"], ["items"], ["consultants"], ["targets", "track"]):
        r = run_cli(*cmd, "--month", "2026-11", "--format", "json")
        assert r.exit_code == 2, (cmd, r.output)
        assert "2026-11" in r.stderr and "2026-10-15" in r.stderr and "Traceback" not in r.output
        assert r.stdout == ""


def test_comparable_spans():
    oct26 = parse_month("2026-10")
    s = comparable(oct26, date(2026, 10, 15))
    assert (s.current.start, s.current.end, s.through_label) == (date(2026, 10, 1), date(2026, 10, 15), "10-15")
    assert (s.previous.start, s.previous.end) == (date(2026, 9, 1), date(2026, 9, 15))
    assert (s.last_year.start, s.last_year.end) == (date(2025, 10, 1), date(2025, 10, 15))
    # Data past the period: whole periods, nothing cut.
    s = comparable(oct26, date(2026, 12, 1))
    assert s.through is None and s.previous.end == date(2026, 9, 30)
    # 03-30 has no February twin: the previous span stops at February's end. 02-29 a year back is 02-28.
    assert comparable(parse_month("2026-03"), date(2026, 3, 30)).previous.end == date(2026, 2, 28)
    assert comparable(parse_month("2028-02"), date(2028, 2, 29)).last_year.end == date(2027, 2, 28)
    # A week cut on its Wednesday against the previous week's and last year's ISO week's Wednesdays.
    w = comparable(week("2026-W42"), date(2026, 10, 14))
    assert (w.previous.start, w.previous.end) == (date(2026, 10, 5), date(2026, 10, 7))
    assert (w.last_year.start, w.last_year.end) == (date(2025, 10, 13), date(2025, 10, 15))
    with pytest.raises(UsageError, match="wholly after"):
        comparable(parse_month("2026-11"), date(2026, 10, 15))
    with pytest.raises(UsageError):
        comparable(Period(date(2026, 10, 1), date(2026, 10, 1), "day"), None)


def test_monthly_report_labels_the_same_days(world_b, ws):
    world_b.close()
    r = run_cli("report", "monthly", "--month", "2026-10", "--format", "xlsx", "--out", str(ws / "out"))
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(ws / "out" / "aesops_monthly_2026-10.xlsx", read_only=True)
    texts = [c for sheet in wb.worksheets for rw in sheet.iter_rows(values_only=True) for c in rw if isinstance(c, str)]
    assert any("截至 10-15" in t for t in texts)
    rows = list(wb["核心指标"].iter_rows(values_only=True))
    head = next(rw for rw in rows if rw and rw[0] == "指标")
    close = next(rw for rw in rows if rw and rw[0] == "成交率")
    cells = dict(zip(head, close, strict=False))
    # The close rate's change in points, written as points (66.7 shown "+66.7pp"); its relative change blank.
    assert cells["环比(百分点)"] == pytest.approx(200 / 3) and cells["同比(百分点)"] == pytest.approx(50)
    assert cells["环比"] is None


# --- items ------------------------------------------------------------------------------------------
# Catalogue costs: 热玛吉 8,000, 水光针 1,500, 玻尿酸 2,000, 光子 500.
# October 2025: L1 opens with 光子 900 on 10-01, L2 光子 900 on 10-10; L1 comes back 2026-01-10 for 水光针 2,000.
# October 2026 (data ends 10-31): K1 热玛吉 6,000 (below cost); K2, K3 水光针 3,000 each; K4..K6 玻尿酸 5,000
# each; K7 光子 800.
ITEM_ORDERS = [
    ["收费日期", "顾客编号", "项目", "实收金额"],
    ["2025-10-01", "L1", "光子", "900"],
    ["2025-10-10", "L2", "光子", "900"],
    ["2026-01-10", "L1", "水光针", "2000"],
    ["2026-10-02", "K1", "热玛吉", "6000"],
    ["2026-10-03", "K2", "水光针", "3000"],
    ["2026-10-04", "K3", "水光针", "3000"],
    ["2026-10-05", "K4", "玻尿酸", "5000"],
    ["2026-10-06", "K5", "玻尿酸", "5000"],
    ["2026-10-31", "K6", "玻尿酸", "5000"],
    ["2026-10-07", "K7", "光子", "800"],
]
ITEM_CATALOGUE = [["项目", "成本"], ["热玛吉", "8000"], ["水光针", "1500"], ["玻尿酸", "2000"], ["光子", "500"]]


@pytest.fixture
def item_world(con, ws):
    load(con, ws, items=ITEM_CATALOGUE, orders=ITEM_ORDERS)
    return con


def test_item_cut_list(item_world):
    r = items(item_world, parse_month("2026-10"))
    cut = r.tables["item_cut_list"]
    # 热玛吉: 6,000 − 8,000 = −2,000 margin → 赔钱.
    rm = row(cut, item="热玛吉")
    assert rm["flags"] == ["赔钱"] and rm["margin"] == -2_000
    # Sales 800, 6,000, 6,000, 15,000: lower quartile 800 + 0.75 × 5,200 = 4,700 → 光子.
    # Buyers 1, 1, 2, 3: lower quartile 1 (median 1.5) → 光子 and 热玛吉. Both: 光子 only.
    # 光子 last year's 10-01..10-31: 1,800 and 2 buyers; now 800 and 1 → below on both → 没竞争力.
    gz = row(cut, item="光子")
    assert gz["flags"] == ["没竞争力"]
    assert (gz["sales_threshold"], gz["buyers_threshold"]) == (pytest.approx(4_700), 1.0)
    assert (gz["last_year_sales"], gz["last_year_buyers"]) == (1_800, 2)
    assert sorted(cut["item"].to_list()) == ["光子", "热玛吉"]


def test_opener_items_within_180_days_are_marked_not_zero(item_world):
    item_world_now = items(item_world, parse_month("2026-10"))
    # The data ends 2026-10-31: K7's 180 days after 10-07 have not passed → empty and 未满, not 0.
    gz = row(item_world_now.tables["openers"], item="光子")
    assert (gz["openers"], gz["follow_on_sales"], gz["follow_on_status"]) == (1, None, "未满")
    assert gz["follow_on_per_customer"] is None
    # October 2025: L1 and L2 opened with 光子; 180 days have passed; L1's 2,000 on 2026-01-10 follows on.
    then = row(items(item_world, OCT25).tables["openers"], item="光子")
    assert (then["openers"], then["follow_on_sales"], then["follow_on_status"]) == (2, 2_000, None)


def test_items_cli_json(item_world):
    item_world.close()
    doc = json.loads(run_cli("items", "--month", "2026-10", "--format", "json").stdout)
    assert {r["item"]: r["flags"] for r in doc["item_cut_list"]} == {"热玛吉": ["赔钱"], "光子": ["没竞争力"]}
    assert [o for o in doc["openers"] if o["item"] == "光子"][0]["follow_on_sales"] is None


# --- consultants: the terminal and the report rank alike --------------------------------------------
def test_report_and_terminal_rank_with_the_workspace_weights(con, ws):
    from tests.test_consultants_cohorts_customers import consultant_world

    consultant_world(con, ws)
    con.close()
    # Sales only: 王大 20,000, 张中 8,000, 李小 2,400. The default 50/50 would put 张中 first.
    cfg = (ws / "aesops.toml").read_text(encoding="utf-8")
    cfg = cfg.replace("sales = 0.5\nrepurchase_rate = 0.5", "sales = 1.0\nrepurchase_rate = 0.0")
    (ws / "aesops.toml").write_text(cfg, encoding="utf-8")
    doc = json.loads(run_cli("consultants", "--month", "2025-10", "--role", "onsite", "--format", "json").stdout)
    terminal = [(r["rank"], r["consultant"]) for r in doc["onsite"]]
    assert terminal == [(1, "王大"), (2, "张中"), (3, "李小")]
    r = run_cli("report", "monthly", "--month", "2025-10", "--format", "xlsx", "--out", str(ws / "out"))
    assert r.exit_code == 0, r.output
    report = ranked_rows(ws / "out" / "aesops_monthly_2025-10.xlsx", "咨询师")
    assert report == terminal
