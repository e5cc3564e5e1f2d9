"""The call-back list as of a day: past the median repurchase interval means more days than the median (90.5 days are
past on day 91), and the medians are those of the purchases up to that day, not of the ones imported since (two
independent recomputations found both: indep5 D2/D3, indep7 D2/D3). Figures worked out by hand from the lines below;
through the CLI."""

from __future__ import annotations

import json

from tests.conftest import run_cli, write_csv

HEAD = ["收费日期", "顾客编号", "项目名称", "实收金额"]
# 水光针 bought again by A after 90 days (01-01 → 04-01) and by B after 91 (01-01 → 04-02): median 90.5. C bought it
# once, on 04-01; D once, on 01-01.
LINES = [
    HEAD,
    ["2025-01-01", "A", "水光针", "1000"],
    ["2025-04-01", "A", "水光针", "1000"],
    ["2025-01-01", "B", "水光针", "1000"],
    ["2025-04-02", "B", "水光针", "1000"],
    ["2025-04-01", "C", "水光针", "1000"],
    ["2025-01-01", "D", "水光针", "1000"],
]
# As of 07-01: A and C are 91 days past their last deal (04-01), B 90 (04-02), D 181 (01-01).
AS_OF_0701 = [
    ("A", 90.5, "2025-06-30", 1),
    ("C", 90.5, "2025-06-30", 1),
    ("D", 90.5, "2025-04-01", 91),
]


def _listed(ws, rows: list[list], day: str) -> tuple[int, list[tuple]]:
    imported = run_cli("import", str(write_csv(ws / "orders.csv", rows)), "--kind", "orders")
    assert imported.exit_code == 0, imported.output
    result = run_cli("customers", "reactivate", "--date", day, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    listed = [(r["customer_id"], r["interval_days"], r["due_date"], r["overdue_days"]) for r in data["reactivate"]]
    return data["meta"]["overdue_customers"], sorted(listed)


def test_a_half_day_median_is_past_on_the_next_whole_day(ws):
    # Rounding 90.5 up to 91 left A and C off until 07-02.
    assert _listed(ws, LINES, "2025-07-01") == (3, AS_OF_0701)


def test_purchases_after_the_day_do_not_move_its_medians(ws):
    """D buys 水光针 again on 12-01, 334 days on: as of 07-01 nobody knew, and the median stays 90.5 (with that gap it
    is 91, and A and C drop off a list dated before it)."""
    later = [*LINES, ["2025-12-01", "D", "水光针", "1000"]]
    assert _listed(ws, later, "2025-07-01") == (3, AS_OF_0701)
