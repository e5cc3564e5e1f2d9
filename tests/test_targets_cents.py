"""targets split's last-year sales are exact to the cent in the JSON (SPEC §2: money never a binary float's noise):
0.10 + 0.20 + 0.30 summed as floats is 0.6000000000000001 (indep8: history_sales 7936801.279999999)."""

from __future__ import annotations

import json

from tests.conftest import run_cli, write_csv


def test_last_years_sales_are_summed_to_the_cent(ws):
    rows = [
        ["收费日期", "顾客编号", "项目名称", "实收金额"],
        ["2025-01-01", "A", "水光针", "0.10"],
        ["2025-02-05", "B", "水光针", "0.20"],
        ["2025-12-31", "C", "水光针", "0.30"],
    ]
    assert run_cli("import", str(write_csv(ws / "收费.csv", rows))).exit_code == 0
    r = run_cli("targets", "split", "--year", "2026", "--total", "1000", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    total = next(m for m in data["months"] if m["month"] == "total")
    assert data["meta"]["history_sales"] == total["last_year_sales"] == 0.6


def test_a_weekdays_share_counts_its_calendar_days(ws):
    """Days split by last year's average sales per weekday: a Sunday without a sale is a Sunday of 0 (indep8 K1:
    only the days with sales were counted, so a closed Sunday raised the Sundays' average)."""
    from datetime import date, timedelta

    rows = [["收费日期", "顾客编号", "项目名称", "实收金额"]]
    day = date(2025, 1, 1)
    while day.year == 2025:
        if day != date(2025, 6, 1):  # a Sunday without a sale
            rows.append([day.isoformat(), f"C{day:%j}", "水光针", "100"])
        day += timedelta(days=1)
    assert run_cli("import", str(write_csv(ws / "收费.csv", rows))).exit_code == 0
    # 36,400 is last year's total: February's share is its 2,800 (28 days of 100).
    r = run_cli("targets", "split", "--year", "2026", "--total", "36400", "--days", "--format", "json")
    assert r.exit_code == 0, r.output
    feb = {d["day"]: d["target"] for d in json.loads(r.stdout)["days"] if d["day"].startswith("2026-02")}
    # Sundays average 51 × 100 / 52 = 98.08, the other days 100. February 2026 has four of each weekday: a Sunday's
    # 2,800 × 98.08 / 2,792.31 = 98.35, the others' 100.28; to whole yuan adding up to 2,800 (the 8 largest
    # remainders), the Sundays get 99 and the first Monday to Thursday 101: 4 × 99 + 4 × 101 + 20 × 100.
    assert sum(feb.values()) == 2800
    assert [feb[f"2026-02-{d:02d}"] for d in (1, 8, 15, 22)] == [99, 99, 99, 99]
    assert [feb[f"2026-02-{d:02d}"] for d in (2, 3, 4, 5, 6)] == [101, 101, 101, 101, 100]
