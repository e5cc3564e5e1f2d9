"""funnel and channels on a world small enough to work out by hand; the working is in the comments.

October 2025, five customers:
  A  抖音 (customers.source_channel). 10-02 first visit (张三); tops up 10,000 by WeChat, then
     光子嫩肤 8,000 paid from the card. 12-20 comes back: 水光针 1,500.
  B  新氧. 10-05 first visit (李四): 水光针 3,000. 11-03 refund −1,000 (next month).
  C  新氧. 10-06 first visit (李四), no deal: 价格太高, wanted 热玛吉.
  D  no source_channel; first visit channel 大众点评. First ORDER 08-20 (玻尿酸 4,800) precedes the
     first visit 10-10 (复诊, 张三): 肉毒素 2,000; 10-20 水光针 1,000 with no visit logged.
  E  自然到院 walk-in, 10-15 first visit (王五): 双眼皮 9,800 by card (刷卡 = bank card).
Spend in October: 抖音 5,000, 新氧 6,000. Leads: 抖音 3 (1 appointment), 新氧 4 (2 appointments).
Treatments in October: A 8,000, E 9,800.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from aesthetic_cli.importer.load import import_file
from aesthetic_cli.metrics.channels import channel_roi
from aesthetic_cli.metrics.funnel import funnel, kpis
from aesthetic_cli.metrics.periods import parse_month
from tests.conftest import run_cli, write_csv

OCT = parse_month("2025-10")


@pytest.fixture
def world(con, ws):
    files = {
        "customers.csv": [
            ["顾客编号", "来源渠道"],
            ["A", "抖音"],
            ["B", "新氧"],
            ["C", "新氧"],
            ["D", ""],
            ["E", "自然到院"],
        ],
        "visits.csv": [
            ["到院日期", "顾客编号", "就诊类型", "渠道", "现场咨询师", "意向项目", "未成交原因"],
            ["2025-10-02", "A", "初诊", "抖音", "张三", "光子嫩肤", ""],
            ["2025-10-05", "B", "初诊", "新氧", "李四", "水光针", ""],
            ["2025-10-06", "C", "初诊", "新氧", "李四", "热玛吉", "价格太高"],
            ["2025-10-10", "D", "复诊", "大众点评", "张三", "肉毒素", ""],
            ["2025-10-15", "E", "初诊", "自然到院", "王五", "双眼皮", ""],
        ],
        "orders.csv": [
            ["收费日期", "顾客编号", "项目", "实收金额", "支付方式", "咨询师"],
            ["2025-08-20", "D", "玻尿酸", "4800", "支付宝", "张三"],
            ["2025-10-02", "A", "储值卡充值", "10000", "微信", "张三"],
            ["2025-10-02", "A", "光子嫩肤", "8000", "储值卡", "张三"],
            ["2025-10-05", "B", "水光针", "3000", "微信", "李四"],
            ["2025-10-10", "D", "肉毒素", "2000", "微信", "张三"],
            ["2025-10-15", "E", "双眼皮", "9800", "刷卡", "王五"],
            ["2025-10-20", "D", "水光针", "1000", "微信", "张三"],
            ["2025-11-03", "B", "水光针", "-1000", "微信", "李四"],
            ["2025-12-20", "A", "水光针", "1500", "微信", "张三"],
        ],
        "leads.csv": [
            ["咨询日期", "渠道", "预约日期"],
            ["2025-10-01", "抖音", "2025-10-02"],
            ["2025-10-03", "抖音", ""],
            ["2025-10-04", "抖音", ""],
            ["2025-10-01", "新氧", "2025-10-05"],
            ["2025-10-02", "新氧", "2025-10-06"],
            ["2025-10-08", "新氧", ""],
            ["2025-10-09", "新氧", ""],
        ],
        "spend.csv": [["月份", "渠道", "费用"], ["2025-10", "抖音", "5000"], ["2025-10", "新氧", "6000"]],
        "treatments.csv": [
            ["治疗日期", "顾客编号", "项目", "消耗金额"],
            ["2025-10-02", "A", "光子嫩肤", "8000"],
            ["2025-10-15", "E", "双眼皮", "9800"],
        ],
    }
    for name, rows in files.items():
        import_file(con, write_csv(ws / name, rows), clinic="本院")
    return con


def row(df, **where):
    out = df
    for k, v in where.items():
        out = out.filter(out[k] == v)
    assert out.height == 1, out
    return out.row(0, named=True)


def test_headline_kpis_october(world):
    k = row(kpis(world, OCT), group="all")
    # Sales: A 8,000 (card-paid item; the top-up is not sales) + B 3,000 + D 2,000 + 1,000 + E 9,800.
    assert k["sales"] == 23_800
    # Cash in: A's top-up 10,000 by WeChat (the card-paid item is not cash) + B 3,000 + D 3,000 + E 9,800.
    assert k["cash_in"] == 25_800
    assert k["consumption"] == 17_800
    # Visitors A B C D E; D's 10-20 deal without a visit is the same person. Buyers A B D E.
    # Deal visits: A 10-02, B 10-05, D 10-10, D 10-20, E 10-15.
    assert (k["visitors"], k["buyers"], k["deal_visits"]) == (5, 4, 5)
    assert k["close_rate"] == pytest.approx(4 / 5)
    assert k["ticket"] == pytest.approx(23_800 / 5)
    assert k["frequency"] == pytest.approx(5 / 4)
    # New: first_seen in October for A, B, C, E. D's first order (08-20) precedes the first visit: old.
    assert (k["new_sales"], k["old_sales"]) == (20_800, 3_000)
    assert (k["new_visitors"], k["new_buyers"], k["old_visitors"], k["old_buyers"]) == (4, 3, 1, 1)


def test_refund_lands_in_the_later_month(world):
    k = row(kpis(world, parse_month("2025-11")), group="all")
    assert k["sales"] == -1_000 and k["buyers"] == 0 and k["ticket"] is None and k["close_rate"] is None
    assert k["cash_in"] == -1_000


def test_by_consultant(world):
    df = kpis(world, OCT, by="consultant")
    z = row(df, group="张三")  # visits A, D; deal days A 8,000, D 2,000, D 1,000
    assert (z["sales"], z["visitors"], z["buyers"], z["deal_visits"]) == (11_000, 2, 2, 3)
    li = row(df, group="李四")  # visits B, C; deal B 3,000
    assert (li["sales"], li["visitors"], li["buyers"], li["close_rate"]) == (3_000, 2, 1, 0.5)


def test_funnel_by_channel(world):
    f = funnel(world, OCT).tables["funnel"]
    dy = row(f, channel="抖音")  # 3 leads, 1 appointment, A arrived and bought
    assert (dy["leads"], dy["appointments"], dy["arrivals"], dy["buyers"]) == (3, 1, 1, 1)
    assert dy["appointment_rate"] == pytest.approx(1 / 3) and dy["arrival_rate"] == pytest.approx(1 / 3)
    xy = row(f, channel="新氧")  # 4 leads, 2 appointments, B and C arrived, B bought
    assert (xy["leads"], xy["appointments"], xy["arrivals"], xy["buyers"], xy["close_rate"]) == (4, 2, 2, 1, 0.5)
    walk = row(f, channel="自然到院")  # no leads: no lead rates
    assert (walk["leads"], walk["arrivals"], walk["appointment_rate"]) == (0, 1, None)
    assert "大众点评" not in f["channel"].to_list()  # D is an old customer


def test_lost_deals_and_comparison(world):
    r = funnel(world, OCT)
    assert r.tables["lost_by_reason"].rows() == [("价格太高", 1, 1.0)]
    assert row(r.tables["lost_by_consultant"], consultant="李四")["lost_share"] == 0.5
    assert row(r.tables["lost_by_item"], intended_item="热玛吉")["lost"] == 1
    comp = row(r.tables["comparison"], kpi="sales")
    # September is covered (data starts 08-20) but empty: no ratio against zero. October 2024 is not covered.
    assert (comp["current"], comp["previous"], comp["mom"], comp["last_year"], comp["yoy"]) == (
        23_800,
        0,
        None,
        None,
        None,
    )


def test_channel_roi_and_horizons(world):
    r = channel_roi(world, OCT, horizons=(30, 90))
    ch = r.tables["channels"]
    dy = row(ch, channel="抖音")
    assert (dy["spend"], dy["leads"], dy["arrivals"], dy["buyers"], dy["sales"]) == (5_000, 3, 1, 1, 8_000)
    assert dy["cpl"] == pytest.approx(5_000 / 3) and dy["cac"] == 5_000 and dy["cost_per_arrival"] == 5_000
    assert dy["roas"] == pytest.approx(1.6) and dy["roi"] == pytest.approx(0.6)
    # Data ends 12-20. 30 days after 10-31 is within it; 90 days is not: empty and marked, never short.
    assert dy["sales_30d"] == 8_000 and dy["sales_90d"] is None
    assert r.meta["incomplete_horizons"] == [90] and dy["incomplete_horizons"] == [90]
    xy = row(ch, channel="新氧")
    # B's first 30 days: 3,000 then the −1,000 refund on 11-03 (day 29).
    assert (xy["sales"], xy["sales_30d"], xy["cac"], xy["roi"]) == (3_000, 2_000, 6_000, -0.5)
    free = row(ch, channel="自然到院")  # no spend: no ratios, not infinity
    assert free["spend"] == 0 and free["sales"] == 9_800
    assert (free["cpl"], free["cac"], free["roas"], free["roi"]) == (None, None, None, None)


def test_cut_list(world):
    # Updated for the revised SPEC §2 (issue 12): flags are worst quartiles, and two paid channels form
    # none, so the list shows the figures without flags and says why (it used to flag 新氧 on two values).
    r = channel_roi(world, OCT)
    cut = r.tables["cut_list"]
    assert cut["flags"].to_list() == [[], []] and not any(cut["cut_candidate"].to_list())
    assert any("quartiles can't be formed" in n for n in r.notes)
    # The figures are still shown. Data ends 12-20: 30 days after 10-31 is the longest complete horizon.
    # 抖音: 8,000 in 30 days / 5,000 = 1.6; A's 8,000 on day 0 covers 5,000 → payback 0 days.
    # 新氧: B 3,000 then −1,000 on day 29 = 2,000 / 6,000; 2,000 never reaches 6,000 → never paid back.
    dy, xy = row(cut, channel="抖音"), row(cut, channel="新氧")
    assert (dy["output_roas"], dy["payback_days"], dy["cac"], dy["arrivals"]) == (1.6, 0, 5_000, 1)
    assert (xy["output_roas"], xy["payback_days"], xy["cac"], xy["arrivals"]) == (pytest.approx(1 / 3), None, 6_000, 2)
    assert r.meta["output_basis"] == "30d"
    assert "自然到院" not in cut["channel"].to_list()


def test_cli_json_equals_the_metric_functions(world):
    world.close()
    for args, compute in (
        (["funnel", "--month", "2025-10", "--by", "consultant"], lambda c: funnel(c, OCT, by="consultant")),
        (["channels", "--month", "2025-10", "--horizon", "30,90"], lambda c: channel_roi(c, OCT, horizons=(30, 90))),
    ):
        r = run_cli(*args, "--format", "json")
        assert r.exit_code == 0, r.output
        import duckdb

        c = duckdb.connect("aesops.duckdb", read_only=True)
        expected = json.loads(json.dumps(compute(c).to_json_obj(), ensure_ascii=False))
        c.close()
        assert json.loads(r.stdout) == expected
        assert expected["meta"]["start"] == "2025-10-01"


def test_cli_table_csv_and_errors(world):
    world.close()
    r = run_cli("funnel", "--month", "2025-10", "--format", "table", "--lang", "en")
    assert r.exit_code == 0 and "Close rate" in r.stdout and "80.0%" in r.stdout
    r = run_cli("channels", "--month", "2025-10", "--format", "csv")
    # CSV for Excel (issue 16): a BOM, and headers in --lang (zh by default).
    assert r.exit_code == 0 and r.stdout.startswith("\ufeff# channels\n渠道,投放费用,") and "# cut_list" in r.stdout
    r = run_cli("funnel", "--month", "2025-13")
    assert r.exit_code == 2 and "YYYY-MM" in r.stderr
    r = run_cli("funnel", "--by", "weather")
    assert r.exit_code == 2 and "channel, consultant, department" in r.stderr
    r = run_cli("channels", "--horizon", "abc")
    assert r.exit_code == 2
    # No period given: the last month with data (the 12-20 order).
    r = run_cli("funnel", "--format", "json")
    assert json.loads(r.stdout)["meta"]["period"] == "2025-12"


def test_default_period_and_no_data(ws):
    r = run_cli("funnel")
    assert r.exit_code == 2 and "does not exist yet" in r.stderr
    assert run_cli("init", str(ws)).exit_code == 0
    r = run_cli("funnel")
    assert r.exit_code == 2 and "no orders yet" in r.stderr


def test_periods():
    from aesthetic_cli.metrics.periods import resolve, week

    assert OCT.previous().label == "2025-09" and OCT.last_year().label == "2024-10"
    assert parse_month("2026-01").previous().label == "2025-12"
    w = week("2026-W01")
    assert (w.start, w.end) == (date(2025, 12, 29), date(2026, 1, 4))
    r = resolve(from_="2025-10-01", to="2025-10-10")
    assert r.previous().start == date(2025, 9, 21) and r.previous().end == date(2025, 9, 30)


def test_an_import_refreshes_what_the_same_connection_computes(world, ws):
    # The derived tables are built once per connection; an import must not leave them stale.
    before = row(kpis(world, OCT), group="all")["sales"]
    import_file(
        world,
        write_csv(
            ws / "more.csv", [["收费日期", "顾客编号", "项目", "实收金额"], ["2025-10-25", "F", "水光针", "1200"]]
        ),
        clinic="本院",
    )
    assert row(kpis(world, OCT), group="all")["sales"] == before + 1200


def test_notes_follow_the_language(world):
    world.close()
    zh = run_cli("channels", "--month", "2025-10", "--horizon", "30,90", "--format", "table", "--lang", "zh")
    en = run_cli("channels", "--month", "2025-10", "--horizon", "30,90", "--format", "table", "--lang", "en")
    assert "周期超出数据末日" in zh.stdout and "reach past" not in zh.stdout
    assert "reach past the data's last day" in en.stdout
    doc = json.loads(run_cli("channels", "--month", "2025-10", "--horizon", "30,90", "--format", "json").stdout)
    assert any("reach past" in n for n in doc["meta"]["notes"])  # JSON keeps the English for programs


def test_lost_deal_of_two_first_consultations_is_read_from_the_earlier(con, ws):
    # F has two 初诊 in October and no deal: the reason, consultant and item are the 10-08 visit's, whichever
    # order the file lists them in. G has two on the same day: the one on the earlier line of the file.
    head = ["到院日期", "顾客编号", "就诊类型", "渠道", "现场咨询师", "意向项目", "未成交原因"]
    visits = [
        ["2025-10-22", "F", "初诊", "新氧", "王五", "水光针", "再考虑"],
        ["2025-10-08", "F", "初诊", "新氧", "李四", "热玛吉", "价格太高"],
        ["2025-10-09", "G", "初诊", "抖音", "张三", "光子嫩肤", "怕疼"],
        ["2025-10-09", "G", "初诊", "抖音", "王五", "双眼皮", "没时间"],
    ]
    import_file(con, write_csv(ws / "visits.csv", [head, *visits]), clinic="本院")
    r = funnel(con, OCT)
    assert sorted(r.tables["lost_by_reason"].select("no_deal_reason", "lost").rows()) == [("价格太高", 1), ("怕疼", 1)]
    assert sorted(r.tables["lost_by_consultant"].select("consultant", "lost").rows()) == [("张三", 1), ("李四", 1)]
    assert sorted(r.tables["lost_by_item"].select("intended_item", "lost").rows()) == [("光子嫩肤", 1), ("热玛吉", 1)]
