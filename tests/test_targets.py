"""targets split and track on hand-worked data; exact sums at every level."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aesthetic_cli.errors import UsageError
from aesthetic_cli.importer.load import import_file
from aesthetic_cli.metrics import targets
from aesthetic_cli.metrics.periods import parse_month
from tests.conftest import run_cli, write_csv


@given(st.integers(0, 10**9), st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=40))
def test_apportion_adds_up_exactly_and_stays_within_one_yuan(total, weights):
    parts = targets.apportion(total, weights)
    assert sum(parts) == total and len(parts) == len(weights)
    s = sum(weights)
    exact = [total * w / s for w in weights] if s > 0 else [total / len(weights)] * len(weights)
    assert all(abs(p - e) < 1 for p, e in zip(parts, exact, strict=True))


# 2025 history: January: A (new) buys 1,000; B visits without buying. February: C (new) buys 3,000.
# A visit on 2025-12-31 makes the data cover the whole year; other months have no sales.
HISTORY = {
    "visits": [
        ["到院日期", "顾客编号", "现场咨询师", "科室"],
        ["2025-01-10", "A", "甲", "注射科"],
        ["2025-01-11", "B", "乙", "注射科"],
        ["2025-02-05", "C", "乙", "皮肤科"],
        ["2025-12-31", "D", "甲", "皮肤科"],
    ],
    "orders": [
        ["收费日期", "顾客编号", "项目", "实收金额", "咨询师", "科室"],
        ["2025-01-10", "A", "水光针", "1000", "甲", "注射科"],
        ["2025-02-05", "C", "光子", "3000", "乙", "皮肤科"],
    ],
}


@pytest.fixture
def history(con, ws):
    for name, rows in HISTORY.items():
        import_file(con, write_csv(ws / f"{name}.csv", rows), clinic="本院")
    return con


def test_split_by_last_year(history):
    plan = targets.split(history, 2026, total=10_000)
    m = {r["month"]: r for r in plan.months.iter_rows(named=True)}
    # Seasonality 1,000 : 3,000 and nothing else: 2,500 and 7,500.
    assert (m["2026-01"]["target"], m["2026-02"]["target"], m["2026-03"]["target"]) == (2_500, 7_500, 0)
    # January at last year's rates: close 1/2, ticket 1,000, frequency 1 → 2,500 / 500 = 5 visitors.
    jan = m["2026-01"]
    assert (jan["close_rate"], jan["ticket"], jan["frequency"], jan["visitors"]) == (0.5, 1000, 1, 5)
    # February: close 1, ticket 3,000 → 7,500 / 3,000 = 2.5 visitors exactly. Updated for issue 12: visitors
    # are whole people. The year's 7.5 rounds to 8; largest remainder of 8 × (5, 2.5) / 7.5 = (5.33, 2.67)
    # gives 5 and 3, which still add up to the year's 8.
    assert m["2026-02"]["visitors"] == 3
    assert sum(r["visitors"] for r in plan.months.iter_rows(named=True) if r["visitors"] is not None) == 8
    # Every month: visitors × close × ticket × frequency = target, to within one visitor's worth.
    for r in plan.months.iter_rows(named=True):
        if r["visitors"] is not None:
            per_visitor = r["close_rate"] * r["ticket"] * r["frequency"]
            assert abs(r["visitors"] * per_visitor - r["target"]) < per_visitor
    # All of last January's and February's sales were new customers'.
    assert (jan["new_target"], jan["old_target"]) == (2_500, 0)


def test_split_adds_up_at_every_level(history):
    plan = targets.split(history, 2026, total=10_001)  # an odd yuan must land somewhere, once
    assert plan.months["target"].sum() == 10_001
    assert plan.days["target"].sum() == 10_001
    assert targets.weeks(plan)["target"].sum() == 10_001
    for dim, frame in plan.dims.items():
        assert frame["target"].sum() == 10_001, dim
        # and within each month, the dimension's parts add up to the month
        per_month = frame.group_by("month_no").agg(pl.col("target").sum().alias("t"))
        for r in per_month.iter_rows(named=True):
            assert r["t"] == plan.months.filter(plan.months["month_no"] == r["month_no"])["target"][0]
    for r in plan.months.iter_rows(named=True):
        assert r["new_target"] + r["old_target"] == r["target"]
    feb = plan.months.filter(plan.months["month_no"] == 2)["target"][0]
    assert feb == 7_501  # 10,001 × 3/4 = 7,500.75: the odd yuan lands here, by the largest remainder
    assert plan.days.filter(plan.days["day"].dt.month() == 2)["target"].sum() == feb


def test_departments_and_consultants_by_last_year_shares(history):
    plan = targets.split(history, 2026, total=10_000, by=("department", "consultant"))
    dep = plan.dims["department"].group_by("key").agg(pl.col("target").sum())
    # Last year: 注射科 1,000, 皮肤科 3,000 → a quarter and three quarters.
    assert dict(dep.rows()) == {"注射科": 2_500, "皮肤科": 7_500}


def test_growth_and_solve(history):
    plan = targets.split(history, 2026, growth=0.10)
    assert plan.total == 4_400  # 4,000 last year + 10%
    solved = targets.solve(plan, "ticket")
    jan = solved.filter(solved["month"] == "2026-01").row(0, named=True)
    # January's 1,100 with last year's 2 visitors, close 1/2, frequency 1 → ticket 1,100 (+10%).
    assert (jan["last_year"], jan["needed"]) == (1000, pytest.approx(1100))
    assert jan["change"] == pytest.approx(0.10)
    # The same January by close rate: 1,100 / (2 visitors × ¥1,000 × 1) = 0.55 against last year's 0.50,
    # a change of 5 points (0.05), not the relative 10%.
    by_rate = targets.solve(plan, "close_rate").filter(pl.col("month") == "2026-01").row(0, named=True)
    assert (by_rate["last_year"], by_rate["needed"]) == (pytest.approx(0.5), pytest.approx(0.55))
    assert by_rate["change"] == pytest.approx(0.05)
    with pytest.raises(UsageError):
        targets.solve(plan, "luck")


def test_no_history_splits_by_days_and_says_so(con, ws):
    plan = targets.split(con, 2026, total=36_500)
    assert plan.months["target"].to_list()[:3] == [3_100, 2_800, 3_100]  # 100 a day
    assert any("No sales history" in n for n in plan.notes)
    with pytest.raises(UsageError, match="--growth needs last year's sales"):
        targets.split(con, 2026, growth=0.1)


def test_track_a_month_half_gone_and_a_target_missed(con, ws):
    # No history: 36,500 for 2026 is 100 a day. October: 3,100. By 10-15: 1,500 planned, 1,000 sold.
    import_file(
        con,
        write_csv(
            ws / "o.csv",
            [
                ["收费日期", "顾客编号", "项目", "实收金额"],
                ["2026-10-02", "A", "x", "400"],
                ["2026-10-15", "B", "y", "600"],
            ],
        ),
        clinic="本院",
    )
    targets.save(con, targets.split(con, 2026, total=36_500))
    r = targets.track(con, parse_month("2026-10"), asof=date(2026, 10, 15))
    p = r.tables["progress"].row(0, named=True)
    assert (p["scope"], p["target"], p["target_to_date"], p["actual"]) == ("all", 3_100, 1_500, 1_000)
    assert p["achievement"] == pytest.approx(1000 / 1500)
    assert p["period_elapsed"] == pytest.approx(15 / 31)
    assert p["projection"] == pytest.approx(1000 / (1500 / 3100))  # ≈ 2,067: the month will be missed
    assert p["gap"] == 2_100 and p["needed_per_day"] == pytest.approx(2100 / 16)
    assert r.meta["remaining_days"] == 16


def test_save_replaces_and_says_so(history):
    assert targets.save(history, targets.split(history, 2026, total=10_000)) is False
    assert targets.save(history, targets.split(history, 2026, total=20_000)) is True
    assert history.execute("SELECT total FROM target_plans").fetchall() == [(20_000,)]
    assert history.execute("SELECT sum(target) FROM target_days WHERE dimension = 'all'").fetchone()[0] == 20_000


def test_targets_cli(history, ws):
    history.close()
    r = run_cli(
        "targets", "split", "--year", "2026", "--total", "10000", "--solve", "visitors", "--save", "--format", "json"
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    # Every split table closes with a total row (issue 12); the months above it add up to it.
    assert doc["months"][-1]["month"] == "total" and doc["months"][-1]["target"] == 10_000
    assert sum(m["target"] for m in doc["months"][:-1]) == 10_000 and "solve" in doc
    assert "Saved the 2026 plan" in r.stderr
    r = run_cli("targets", "split", "--year", "2026", "--total", "20000", "--save", "--format", "json")
    assert "Replaced the earlier 2026 plan" in r.stderr
    r = run_cli("targets", "track", "--month", "2026-01", "--format", "json")
    # The shared rule (periods.comparable, issue 12) refuses a period wholly after the data.
    assert r.exit_code == 2 and "2026-01 lies wholly after it" in r.stderr and "2025-12-31" in r.stderr
    # 2027-01 would now be refused first for lying after the data (issue 12); a month inside it without a plan:
    r = run_cli("targets", "track", "--month", "2025-06")
    assert r.exit_code == 2 and "No saved target plan for 2025" in r.stderr
    r = run_cli("targets", "split", "--year", "2026")
    assert r.exit_code == 2 and "--total" in r.stderr


def test_every_split_table_closes_with_a_total_row(history, ws):
    # Issue 12: each split table ends with a "total" row (合计 in tables) equal to the sum of the rows above.
    plan = targets.split(history, 2026, total=10_001)
    r = targets.split_result(plan, with_days=True)
    keys = {
        "months": "month",
        "by_clinic": "clinic",
        "by_department": "department",
        "by_consultant": "consultant",
        "weeks": "week",
        "days": "day",
    }
    assert set(keys) <= set(r.tables)
    for name, key in keys.items():
        t = r.tables[name]
        last = t.row(t.height - 1, named=True)
        assert last[key] == "total", name
        assert last["target"] == 10_001 == t["target"].head(t.height - 1).sum(), name
    months = r.tables["months"]
    # Visitors in the total row: 5 + 3 (see test_split_by_last_year), whole people.
    assert months.row(months.height - 1, named=True)["visitors"] == 8
    history.close()
    out = run_cli("targets", "split", "--year", "2026", "--total", "10001", "--format", "table").stdout
    assert "合计" in out


def test_track_shows_over_achievement_as_over_target(con, ws):
    # 36,500 for 2026 with no history is 100 a day: October 3,100. By 10-15 4,000 is sold, 900 over the month.
    import_file(
        con,
        write_csv(
            ws / "o.csv",
            [
                ["收费日期", "顾客编号", "项目", "实收金额"],
                ["2026-10-02", "A", "x", "2500"],
                ["2026-10-15", "B", "y", "1500"],
            ],
        ),
        clinic="本院",
    )
    targets.save(con, targets.split(con, 2026, total=36_500))
    r = targets.track(con, parse_month("2026-10"))  # as of the data's last day, 10-15
    p = r.tables["progress"].row(0, named=True)
    assert (p["target"], p["actual"], p["gap"], p["over_target"], p["needed_per_day"]) == (3_100, 4_000, 0, 900, 0)
    assert r.meta["asof"] == date(2026, 10, 15)
    # A --date past the data is tracked to the data's last day (the same rule), not against empty days.
    assert targets.track(con, parse_month("2026-10"), asof=date(2026, 10, 20)).meta["asof"] == date(2026, 10, 15)
    con.close()
    table = run_cli("targets", "track", "--month", "2026-10", "--format", "table").stdout
    assert "超额" in table and "-900" not in table
