"""The 10M rewrites of issue 11 held to plain queries over the raw facts on the bundled sample: cohort cells
(sql/cohorts.sql, most customers counted from customer_deals without customer_months) against customer-days
summed from the order lines, and funnel's lost deals (counted per reason, consultant and item in DuckDB)
against one row per first visitor from the visits and order lines, grouped in Python."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from aesthetic_cli.metrics.base import frame
from aesthetic_cli.metrics.cohorts import BY
from aesthetic_cli.metrics.funnel import lost_deals
from aesthetic_cli.metrics.periods import Period, parse_month
from aesthetic_cli.sqlfiles import query, with_identifiers
from aesthetic_cli.warehouse import connect


@pytest.fixture(scope="module")
def sample(sample_db):
    con = connect(sample_db, read_only=True)
    yield con
    con.close()


# Cohort cells the obvious way: customer-days from the order lines, the first deal as the first day netting
# above zero, every customer-month with a line joined; the group's column from customer_deals (what it is, not
# how the cells are counted, is taken as given). Rows with no deal and zero sales add nothing to the matrix,
# so both sides are compared without them.
PLAIN_COHORT = """
WITH days AS (
    SELECT customer_id, order_date AS day, sum(paid_amount) AS net FROM orders WHERE line_kind <> 'topup' GROUP BY ALL),
firsts AS (
    SELECT customer_id, min(day) FILTER (WHERE net > 0) AS first_deal FROM days GROUP BY 1
    HAVING min(day) FILTER (WHERE net > 0) IS NOT NULL),
people AS (
    SELECT f.customer_id, date_trunc('month', f.first_deal)::DATE AS cohort,
           coalesce(CAST({grp} AS VARCHAR), '未知') AS grp
    FROM firsts f
    JOIN (SELECT customer_id, first_item, first_department AS department, first_clinic AS clinic, channel
          FROM customer_deals) fl USING (customer_id)
    WHERE ($clinic IS NULL OR fl.clinic = $clinic)
      AND ($from::DATE IS NULL OR f.first_deal >= $from::DATE) AND ($to::DATE IS NULL OR f.first_deal <= $to::DATE)),
months AS (
    SELECT customer_id, date_trunc('month', day)::DATE AS month, sum(net) AS net,
           count(*) FILTER (WHERE net > 0) AS deal_days
    FROM days GROUP BY ALL)
SELECT p.grp, p.cohort, (SELECT count(*) FROM people q WHERE q.grp = p.grp AND q.cohort = p.cohort) AS customers,
       datediff('month', p.cohort, m.month) AS k, count(*) FILTER (WHERE m.deal_days > 0) AS active, sum(m.net) AS sales
FROM people p JOIN months m USING (customer_id)
WHERE datediff('month', p.cohort, m.month) BETWEEN 0 AND $months
  AND ($from::DATE IS NULL OR m.month >= date_trunc('month', $from::DATE))
  AND ($to::DATE IS NULL OR m.month <= date_trunc('month', $to::DATE) + to_months($months))
GROUP BY ALL
"""


def _cells(rows) -> list[tuple]:
    return sorted((r for r in rows if r[4] or r[5]), key=str)


def test_cohort_cells_equal_the_plain_query(sample):
    windows = [(None, None, 12), (date(2025, 3, 1), date(2025, 9, 30), 6), (date(2025, 1, 5), None, 3)]
    checked = 0
    for grp in (*BY.values(), "'all'"):
        allowed = {*BY.values(), "'all'"}
        ours_sql = with_identifiers(query("cohorts", "cohort_cells"), grp=(grp, allowed))
        plain_sql = with_identifiers(PLAIN_COHORT, grp=(grp, allowed))
        for clinic in (None, "静安店", "浦东店"):
            for start, end, months in windows:
                params = {"clinic": clinic, "from": start, "to": end, "months": months}
                ours = _cells(frame(sample, ours_sql, params).rows())
                plain = _cells(sample.execute(plain_sql, params).fetchall())
                assert ours == plain, (grp, clinic, start, end)
                checked += len(plain)
    assert checked > 1000


# Lost deals the obvious way: one row per first visitor of the period (a first reception anywhere in it:
# a 初诊 visit, or an untyped one on the customer's first visit day), read from their earliest such visit at
# the clinic asked for; lost when none of their customer-days there nets above zero.
PLAIN_FIRST_VISITORS = """
WITH first_rec AS (
    SELECT v.*, coalesce(v.visit_type = '初诊' OR (v.visit_type IS NULL AND v.visit_date = cf.first_visit), false) AS f
    FROM visits v JOIN customer_first cf USING (customer_id)
    WHERE v.visit_date BETWEEN $start AND $end),
firsts AS (
    SELECT customer_id,
           arg_min(coalesce(nullif(trim(no_deal_reason), ''), '未填写'), (visit_date, batch_id, source_row)) AS reason,
           arg_min(coalesce(consultant, '未指定'), (visit_date, batch_id, source_row)) AS consultant,
           arg_min(coalesce(intended_item, '未填写'), (visit_date, batch_id, source_row)) AS item
    FROM first_rec
    WHERE f AND ($clinic IS NULL OR clinic = $clinic)
    GROUP BY 1)
SELECT reason, consultant, item, NOT EXISTS (
    SELECT 1 FROM orders o WHERE o.customer_id = firsts.customer_id AND o.line_kind <> 'topup'
      AND o.order_date BETWEEN $start AND $end AND ($clinic IS NULL OR o.clinic = $clinic)
    GROUP BY o.order_date HAVING sum(o.paid_amount) > 0) AS lost
FROM firsts
"""


def test_lost_deals_equal_one_row_per_first_visitor(sample):
    months = [parse_month("2026-03"), parse_month("2026-09")]
    spans = [*months, Period(date(2025, 11, 5), date(2026, 1, 20), "range")]
    seen = 0
    for p in spans:
        for clinic in (None, "静安店", "浦东店"):
            rows = sample.execute(PLAIN_FIRST_VISITORS, {"start": p.start, "end": p.end, "clinic": clinic}).fetchall()
            lost = Counter(r[0] for r in rows if r[3])
            tables = lost_deals(sample, p, clinic)
            assert {r["no_deal_reason"]: r["lost"] for r in tables["lost_by_reason"].iter_rows(named=True)} == lost
            total = sum(lost.values())
            for r in tables["lost_by_reason"].iter_rows(named=True):
                assert r["lost_share"] == pytest.approx(r["lost"] / total, rel=1e-12)
            for key, col in (("lost_by_consultant", 1), ("lost_by_item", 2)):
                firsts = Counter(r[col] for r in rows)
                lost_n = Counter(r[col] for r in rows if r[3])
                got = {
                    r[tables[key].columns[0]]: (r["first_visits"], r["lost"]) for r in tables[key].iter_rows(named=True)
                }
                assert got == {k: (n, lost_n.get(k, 0)) for k, n in firsts.items()}, (p, clinic, key)
            seen += len(rows)
    assert seen > 100
