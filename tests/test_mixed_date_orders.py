"""A date column with 13/10/2026 (day first) and 10/20/2026 (month first) is refused as mixed, naming both, not as
"ambiguous" with a date_order that would read half of it wrong (trial 7's F7)."""

from __future__ import annotations

from tests.conftest import run_cli, write_csv


def test_day_first_and_month_first_in_one_file_are_refused_as_mixed(ws):
    rows = [
        ["收费日期", "顾客编号", "项目名称", "实收金额"],
        ["05/10/2026", "C1", "水光针", "1000"],
        ["13/10/2026", "C2", "水光针", "1000"],
        ["10/20/2026", "C3", "水光针", "1000"],
    ]
    r = run_cli("import", str(write_csv(ws / "收费.csv", rows)))
    assert r.exit_code == 1, r.output
    assert "'13/10/2026' can only be day/month/year and '10/20/2026' only month/day/year" in r.stderr, r.stderr
    assert "could be month/day/year or day/month/year" not in r.stderr
