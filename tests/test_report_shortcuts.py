"""The monthly report's faster formulations (issue 11: report monthly at 1M and 10M lines) give the same numbers
as plain queries over the raw facts: the 12-month trend read from the rollup month_totals, and the cohort cells
aggregated before their cohort sizes are joined and with the months outside the cohorts' reach left unread.
On the bundled sample (two clinics, two years) and on a small hand-built warehouse with a refund-only month, a
day that nets to zero, a month with visits only and a first visit before the first purchase."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from aesthetic_cli.importer.load import import_file
from aesthetic_cli.metrics.base import run
from aesthetic_cli.metrics.cohorts import BY, cohorts
from aesthetic_cli.reports import content
from aesthetic_cli.warehouse import connect
from tests.conftest import write_csv
from tests.test_rollups import _files

# The trend the obvious way: each customer-day's net over its sale and refund lines (order lines joined to
# customer_first by the fact view), summed per month; new = first seen in that month, old = seen before it
# (or never seen), deal visits = customer-days netting above zero.
PLAIN_TREND = """
WITH days AS (
    SELECT customer_id, day, sum(paid_amount) AS net, any_value(first_seen) AS first_seen
    FROM order_facts WHERE line_kind <> 'topup' AND day BETWEEN $start AND $end GROUP BY ALL)
SELECT strftime(date_trunc('month', day), '%Y-%m') AS period, sum(net),
       coalesce(sum(net) FILTER (WHERE date_trunc('month', first_seen) = date_trunc('month', day)), 0),
       coalesce(sum(net) FILTER (WHERE first_seen IS NULL OR first_seen < date_trunc('month', day)), 0),
       count(*) FILTER (WHERE net > 0)
FROM days GROUP BY 1 ORDER BY 1
"""

# Cohort cells the obvious way: each customer's first deal day from the customer-days (net above zero), the
# group from that first deal's order lines' fact view columns, the month's net and deal days counted afresh.
PLAIN_COHORTS = """
WITH deal_days AS (
    SELECT customer_id, day, sum(paid_amount) AS net FROM order_facts
    WHERE line_kind <> 'topup' AND customer_id IS NOT NULL GROUP BY ALL),
first AS (SELECT customer_id, min(day) AS first_deal FROM deal_days WHERE net > 0 GROUP BY 1),
people AS (
    SELECT f.customer_id, date_trunc('month', f.first_deal)::DATE AS cohort, {grp} AS grp
    FROM first f JOIN customer_deals d USING (customer_id)
    WHERE ($clinic IS NULL OR d.first_clinic = $clinic)
      AND ($from::DATE IS NULL OR f.first_deal >= $from::DATE) AND ($to::DATE IS NULL OR f.first_deal <= $to::DATE)),
cells AS (
    SELECT p.grp, p.cohort, datediff('month', p.cohort, date_trunc('month', d.day)) AS k,
           count(DISTINCT p.customer_id) FILTER (WHERE d.net > 0) AS active, sum(d.net) AS sales
    FROM people p JOIN deal_days d USING (customer_id)
    GROUP BY ALL),
sizes AS (SELECT grp, cohort, count(*) AS n FROM people GROUP BY ALL),
lists AS (
    SELECT grp, cohort, list((k, active, sales) ORDER BY k) AS cells FROM cells
    WHERE k BETWEEN 0 AND $months GROUP BY ALL)
SELECT coalesce(CAST(s.grp AS VARCHAR), '未知') AS g, s.cohort, s.n, l.cells
FROM sizes s LEFT JOIN lists l ON l.grp IS NOT DISTINCT FROM s.grp AND l.cohort = s.cohort
ORDER BY g, s.cohort
"""
# --by -> the first deal's column in customer_deals (what the command groups by).
COLUMN = {None: "'all'", "channel": "d.channel", "first_item": "d.first_item", "department": "d.first_department"}
COLUMN["clinic"] = "d.first_clinic"


@pytest.fixture(scope="module")
def sample(sample_db):
    con = connect(sample_db, read_only=True)
    yield con
    con.close()


@pytest.fixture
def small(con, ws):
    files = _files(ws)
    # A month of visits only (2026-02: no order line, so no trend row), a refund-only month (2026-03), and
    # a customer first seen in January who first buys in March (a cohort later than first_seen).
    files["visits.csv"] += [["2026-02-10", "A", "复诊", "抖音", "张三"], ["2026-01-15", "D", "初诊", "新氧", "李四"]]
    files["orders.csv"] += [
        ["2026-03-05", "B", "水光针", "-500", "微信", "李四"],
        ["2026-03-09", "D", "光子嫩肤", "2600", "微信", "李四"],
        ["2026-04-30", "D", "水光针", "800", "微信", "李四"],
    ]
    for name, rows in files.items():
        write_csv(ws / name, rows)
        import_file(con, ws / name, clinic="静安店")
    return con


def _month_ends(con) -> list[date]:
    first, last = con.execute("SELECT min(day), max(day) FROM order_days").fetchone()
    out, d = [], date(first.year, first.month, 1)
    while d <= last:
        nxt = date(d.year + d.month // 12, d.month % 12 + 1, 1)
        out.append(nxt - timedelta(days=1))
        d = nxt
    return out


def _back(end: date, months: int) -> date:
    y, m = divmod(end.year * 12 + end.month - 1 - (months - 1), 12)
    return date(y, m + 1, 1)


def _check_trend(con, start: date, end: date) -> int:
    ours = content._trend(con, start, end, "month", None)
    general = run(con, "kpis", "trend", {"start": start, "end": end, "grain": "month", "clinic": None})
    general = general.with_columns(pl.col("period").dt.strftime("%Y-%m"))
    assert_frame_equal(ours, general)  # the same frame, dtypes included, as the general query gives
    plain = con.execute(PLAIN_TREND, {"start": start, "end": end}).fetchall()
    assert ours.rows() == plain, (start, end)
    return ours.height


def test_trend_of_whole_months_equals_the_plain_query(sample):
    ends = _month_ends(sample)
    rows = 0
    for end in ends:
        for months in (1, 12):
            rows += _check_trend(sample, _back(end, months), end)
    rows += _check_trend(sample, _back(ends[-1], len(ends) + 3), ends[-1] + timedelta(days=31 + 30))
    assert rows > 12 * 12


def test_trend_on_a_small_warehouse_skips_months_without_a_sale(small):
    assert (
        _check_trend(small, date(2025, 9, 1), date(2026, 4, 30)) == 5
    )  # 2025-10, 11, 12, 2026-03, 04 (January has a visit only)
    ours = content._trend(small, date(2025, 9, 1), date(2026, 4, 30), "month", None)
    # By hand: 2025-11 nets 1,000 (B's refund −1,000, C's first order 2,000, new); 2026-03 is B's refund
    # −500 (old) and D's first order 2,600 (old: D was first seen at a January visit), deal visits 1 (D).
    nov = ours.filter(pl.col("period") == "2025-11").row(0)
    assert tuple(map(float, nov[1:])) == (1000.0, 2000.0, -1000.0, 1.0)
    mar = ours.filter(pl.col("period") == "2026-03").row(0)
    assert tuple(map(float, mar[1:])) == (2100.0, 0.0, 2100.0, 1.0)
    assert "2026-02" not in ours["period"].to_list()  # visits only: no trend row


def _check_cohorts(con, by, clinic, start, end, months) -> int:
    res = cohorts(con, start=start, end=end, by=by, months=months, clinic=clinic)
    sql = PLAIN_COHORTS.replace("{grp}", COLUMN[by])
    plain = con.execute(sql, {"clinic": clinic, "from": start, "to": end, "months": months}).fetchall()
    ret = res.tables["retention"]
    cum = res.tables["cumulative_sales"]
    assert ret.select("group", "cohort", "customers").rows() == [(g, c, n) for g, c, n, _ in plain]
    for (g, c, n, cells), share_row, cum_row in zip(plain, ret.rows(named=True), cum.rows(named=True), strict=True):
        by_k = {k: (active, float(sales)) for k, active, sales in (cells or [])}
        running = 0.0
        for k in range(months + 1):
            active, sales = by_k.get(k, (0, 0.0))
            running += sales
            if k >= 1 and share_row[f"m{k}"] is not None:
                assert share_row[f"m{k}"] == pytest.approx(active / n), (g, c, k)
            if cum_row[f"s{k}"] is not None:
                assert cum_row[f"s{k}"] == pytest.approx(running / n), (g, c, k)
    return len(plain)


def test_cohort_cells_equal_the_plain_query(sample):
    clinics = [c for (c,) in sample.execute("SELECT DISTINCT clinic FROM order_days ORDER BY 1").fetchall()]
    ends = _month_ends(sample)
    cohorts_seen = 0
    for by in (None, *BY):
        for clinic in (None, *clinics):
            cohorts_seen += _check_cohorts(sample, by, clinic, None, None, 12)
    # The report's window (twelve whole months), a window cut mid-month and a short horizon.
    for start, end, months in (
        (_back(ends[-1], 12), ends[-1], 12),
        (_back(ends[-4], 12) + timedelta(days=9), ends[-4] - timedelta(days=5), 12),
        (_back(ends[-1], 6), ends[-1], 3),
        (_back(ends[-14], 6), ends[-14], 12),  # a window well before the data's end: its last cohort's k=12 is read
    ):
        for clinic in (None, *clinics):
            cohorts_seen += _check_cohorts(sample, None, clinic, start, end, months)
            cohorts_seen += _check_cohorts(sample, "channel", clinic, start, end, months)
    assert cohorts_seen > 100


def test_cohort_cells_on_a_small_warehouse(small):
    # By hand, one group: cohorts 2025-10 (A, B), 2025-11 (C), 2026-03 (D). B's November refund is k=1 sales
    # −1,000 with no deal; A's December sale is k=2 active 1; D's April sale is k=1 active 1.
    assert _check_cohorts(small, None, None, None, None, 12) == 3
    res = cohorts(small, by=None, months=12)
    ret = {r["cohort"]: r for r in res.tables["retention"].rows(named=True)}
    assert ret[date(2025, 10, 1)]["customers"] == 2
    assert ret[date(2025, 10, 1)]["m1"] == 0.0 and ret[date(2025, 10, 1)]["m2"] == 0.5
    assert ret[date(2026, 3, 1)]["m1"] == 1.0
    cum = {r["cohort"]: r for r in res.tables["cumulative_sales"].rows(named=True)}
    assert cum[date(2025, 10, 1)]["s1"] == pytest.approx((8000 + 3000 - 1000) / 2)
    for by in BY:
        _check_cohorts(small, by, None, None, None, 12)
    _check_cohorts(small, None, None, date(2025, 11, 1), date(2026, 3, 31), 2)
    # October's cohort alone, two months on: A's December sale is its k=2 (read although after the window).
    assert _check_cohorts(small, None, None, date(2025, 10, 1), date(2025, 10, 31), 2) == 1
    oct_only = cohorts(small, start=date(2025, 10, 1), end=date(2025, 10, 31), months=2).tables["retention"]
    assert oct_only.select("m1", "m2").row(0) == (0.0, 0.5)


def _check_clinics(con, period) -> int:
    from aesthetic_cli.metrics.funnel import clinic_levers, kpis
    from aesthetic_cli.sqlfiles import with_identifiers
    from tests.test_query_shortcuts import GROUPS, PLAIN_KPIS

    cols = ("group", "sales", "visitors", "buyers", "deal_visits", "close_rate", "ticket", "frequency")
    ours = clinic_levers(con, period)
    assert_frame_equal(ours.select(cols), kpis(con, period, by="clinic").select(cols))  # rows in the same order
    sql = with_identifiers(PLAIN_KPIS, g=("g_clinic", set(GROUPS.values())))
    plain = con.execute(sql, {"start": period.start, "end": period.end, "clinic": None}).fetchall()
    assert sorted(ours.select("group", "sales", "visitors", "buyers", "deal_visits").rows()) == sorted(
        (r[0], r[1], r[5], r[7], r[9]) for r in plain
    ), period
    return ours.height


def test_clinic_levers_equal_kpis_by_clinic_and_the_plain_query(sample):
    from aesthetic_cli.metrics.periods import Period

    ends = _month_ends(sample)
    rows = sum(_check_clinics(sample, Period(_back(e, 1), e, "month")) for e in ends)
    rows += _check_clinics(sample, Period(date(2026, 2, 3), date(2026, 4, 20), "range"))
    assert rows >= 2 * len(ends)


def test_clinic_levers_keep_a_clinic_with_visits_only(small, ws):
    from aesthetic_cli.metrics.periods import Period

    write_csv(
        ws / "more_visits.csv",
        [["到院日期", "顾客编号", "就诊类型", "渠道", "现场咨询师"], ["2025-10-08", "E", "初诊", "抖音", "王五"]],
    )
    import_file(small, ws / "more_visits.csv", clinic="徐汇店")
    assert _check_clinics(small, Period(date(2025, 10, 1), date(2025, 10, 31), "month")) == 2
    # By hand, October: 静安店 sales 11,000 (A 8,000 by stored value, B 3,000), 2 visitors, 2 buyers; 徐汇店
    # E's visit only: sales 0, 1 visitor, no buyer.
    from aesthetic_cli.metrics.funnel import clinic_levers

    rows = clinic_levers(small, Period(date(2025, 10, 1), date(2025, 10, 31), "month"))
    got = {r[0]: (float(r[1]), r[2], r[3]) for r in rows.select("group", "sales", "visitors", "buyers").rows()}
    assert got == {"静安店": (11000.0, 2, 2), "徐汇店": (0.0, 1, 0)}
