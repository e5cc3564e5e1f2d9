"""The faster formulations of the period and card analyses (issue 11, 10M lines) give the same numbers as
plain queries written the obvious way: count(DISTINCT) over the raw fact views (order lines and visits
joined to customer_first, not the layer's day tables), a subquery per card, and for whole months the kpis
row from customer_months against the same plain query. On the bundled sample (two clinics, two years),
every whole month and a few odd spans, every --by and every clinic."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from aesthetic_cli.metrics import consultants as consultants_mod
from aesthetic_cli.metrics.customers import cards
from aesthetic_cli.metrics.funnel import _whole_month, kpis
from aesthetic_cli.metrics.periods import Period
from aesthetic_cli.sqlfiles import with_identifiers
from aesthetic_cli.warehouse import connect

GROUPS = {None: "g_all", "clinic": "g_clinic", "channel": "g_channel", "consultant": "g_consultant"}
GROUPS["department"] = "g_department"

# The KPIs the obvious way, over the raw fact views (sql/derived.sql create_views): a customer-day's net
# over its sale and refund lines, buyers and visitors as count(DISTINCT).
PLAIN_KPIS = """
WITH days AS (
    SELECT {g} AS grp, customer_id, day, sum(paid_amount) AS net, any_value(first_seen) AS first_seen
    FROM order_facts
    WHERE line_kind <> 'topup' AND day BETWEEN $start AND $end AND ($clinic IS NULL OR g_clinic = $clinic)
    GROUP BY ALL),
vis AS (
    SELECT DISTINCT {g} AS grp, customer_id, first_seen FROM visit_facts
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR g_clinic = $clinic)),
s AS (
    SELECT grp, sum(net) AS sales, sum(net) FILTER (WHERE first_seen BETWEEN $start AND $end) AS new_sales,
           count(DISTINCT customer_id) FILTER (WHERE net > 0) AS buyers,
           count(DISTINCT customer_id) FILTER (WHERE net > 0 AND first_seen BETWEEN $start AND $end) AS new_buyers,
           count(*) FILTER (WHERE net > 0) AS deal_visits,
           count(DISTINCT customer_id) FILTER (
               WHERE net > 0 AND NOT EXISTS (
                   SELECT 1 FROM vis WHERE vis.grp IS NOT DISTINCT FROM days.grp AND vis.customer_id = days.customer_id)
           ) AS buyers_without_visit
    FROM days GROUP BY grp),
p AS (
    SELECT grp, count(DISTINCT customer_id) AS visitors,
           count(DISTINCT customer_id) FILTER (WHERE first_seen BETWEEN $start AND $end) AS new_visitors
    FROM vis GROUP BY grp),
cash AS (
    SELECT {g} AS grp, sum(paid_amount) FILTER (WHERE line_kind = 'refund' OR NOT stored_value) AS cash_in
    FROM order_facts WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR g_clinic = $clinic) GROUP BY ALL),
used AS (
    SELECT {g} AS grp, sum(consumed_amount) AS consumption FROM treatment_facts
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR g_clinic = $clinic) GROUP BY ALL)
SELECT grp, coalesce(sales, 0), coalesce(new_sales, 0), coalesce(cash_in, 0), coalesce(consumption, 0),
       coalesce(visitors, 0), coalesce(new_visitors, 0), coalesce(buyers, 0), coalesce(new_buyers, 0),
       coalesce(deal_visits, 0), coalesce(buyers_without_visit, 0)
FROM (SELECT grp FROM s UNION SELECT grp FROM p UNION SELECT grp FROM cash UNION SELECT grp FROM used)
LEFT JOIN s USING (grp) LEFT JOIN p USING (grp) LEFT JOIN cash USING (grp) LEFT JOIN used USING (grp)
"""
COLUMNS = (
    "group",
    "sales",
    "new_sales",
    "cash_in",
    "consumption",
    "visitors",
    "new_visitors",
    "buyers",
    "new_buyers",
    "deal_visits",
    "buyers_without_visit",
)


@pytest.fixture(scope="module")
def sample(sample_db):
    con = connect(sample_db, read_only=True)
    yield con
    con.close()


def _months(con) -> list[Period]:
    first, last = con.execute("SELECT min(day), max(day) FROM order_days").fetchone()
    out, d = [], date(first.year, first.month, 1)
    while d <= last:
        nxt = date(d.year + d.month // 12, d.month % 12 + 1, 1)
        out.append(Period(d, nxt - timedelta(days=1), "month"))
        d = nxt
    return out


# --by consultant credits a customer-day's sales, and the cash beside them, as consultants does: to
# attributed_days' consultant (the visit's, else the order lines'); a day of top-ups only to its order lines'.
CONSULTANT_DAYS = """days AS (
    SELECT a.consultant AS grp, a.customer_id, a.day, a.net, cf.first_seen
    FROM attributed_days a LEFT JOIN customer_first cf USING (customer_id)
    WHERE a.day BETWEEN $start AND $end AND ($clinic IS NULL OR a.clinic = $clinic)),"""
CONSULTANT_CASH = """cash AS (
    SELECT coalesce(a.consultant, o.g_consultant) AS grp,
           sum(o.paid_amount) FILTER (WHERE o.line_kind = 'refund' OR NOT o.stored_value) AS cash_in
    FROM order_facts o LEFT JOIN attributed_days a USING (customer_id, day)
    WHERE o.day BETWEEN $start AND $end AND ($clinic IS NULL OR o.g_clinic = $clinic) GROUP BY ALL),"""


def _plain(con, period: Period, g: str, clinic: str | None) -> list[tuple]:
    sql = PLAIN_KPIS
    if g == "g_consultant":
        sql = re.sub(r"days AS \(.*?GROUP BY ALL\),", lambda _: CONSULTANT_DAYS, sql, count=1, flags=re.S)
        sql = re.sub(r"cash AS \(.*?GROUP BY ALL\),", lambda _: CONSULTANT_CASH, sql, count=1, flags=re.S)
        assert "attributed_days a LEFT JOIN customer_first" in sql and "LEFT JOIN attributed_days a" in sql
    sql = with_identifiers(sql, g=(g, set(GROUPS.values())))
    rows = con.execute(sql, {"start": period.start, "end": period.end, "clinic": clinic}).fetchall()
    return sorted(rows, key=lambda r: str(r[0]))


def _ours(con, period: Period, by: str | None, clinic: str | None) -> list[tuple]:
    df = kpis(con, period, by=by, clinic=clinic).select(*COLUMNS)
    return sorted(df.rows(), key=lambda r: str(r[0]))


def test_whole_months_from_customer_months_equal_the_plain_query(sample):
    months = _months(sample)
    assert len(months) >= 20 and all(_whole_month(p) for p in months)
    nonempty = 0
    for p in months:
        ours = _ours(sample, p, None, None)  # the customer_months path
        assert ours == _plain(sample, p, "g_all", None), p
        nonempty += bool(ours)
    assert nonempty >= 20


def test_kpis_per_group_and_clinic_equal_the_plain_query(sample):
    clinics = [c for (c,) in sample.execute("SELECT DISTINCT clinic FROM order_days ORDER BY 1").fetchall()]
    assert len(clinics) >= 1
    months = _months(sample)
    spans = [months[-1], months[-13], Period(date(2026, 3, 5), date(2026, 5, 17), "range")]
    spans.append(Period(months[0].start, months[-1].end, "range"))
    assert not _whole_month(spans[2]) and not _whole_month(spans[3])
    for p in spans:
        for by, g in GROUPS.items():
            for clinic in (None, *clinics):
                plain = _plain(sample, p, g, clinic)
                assert _ours(sample, p, by, clinic) == plain, (p, by, clinic)
    # The spans hold sales, buyers and visitors in every group (so the comparison is not of empty frames).
    assert all(r[1] and r[5] and r[7] for r in _plain(sample, spans[0], "g_consultant", None) if r[0] != "未指定")


# Onsite consultants the obvious way: count(DISTINCT) per consultant, the repurchase cohort by INTERVAL.
PLAIN_ONSITE = """
WITH rec AS (
    SELECT consultant, count(DISTINCT customer_id) AS received FROM visit_days
    WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR clinic = $clinic) GROUP BY 1),
deals AS (
    SELECT consultant, count(DISTINCT customer_id) FILTER (WHERE net > 0) AS buyers,
           count(*) FILTER (WHERE net > 0) AS deal_visits, sum(net) AS sales
    FROM attributed_days WHERE day BETWEEN $start AND $end AND ($clinic IS NULL OR clinic = $clinic) GROUP BY 1),
closed AS (
    SELECT consultant, customer_id, min(day) AS closed_on FROM attributed_days
    WHERE net > 0 AND day >= $start - INTERVAL 180 DAY AND day <= $end - INTERVAL 180 DAY
      AND ($clinic IS NULL OR clinic = $clinic)
    GROUP BY 1, 2),
rep AS (
    SELECT consultant, count(*) AS base,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM customer_days d WHERE d.customer_id = closed.customer_id AND d.net > 0
                 AND d.day > closed.closed_on AND d.day <= closed.closed_on + INTERVAL 180 DAY)) AS repurchased
    FROM closed GROUP BY 1)
SELECT consultant, coalesce(received, 0), coalesce(buyers, 0), coalesce(deal_visits, 0), coalesce(sales, 0),
       coalesce(base, 0), coalesce(repurchased, 0)
FROM (SELECT consultant FROM rec UNION SELECT consultant FROM deals) n
LEFT JOIN rec USING (consultant) LEFT JOIN deals USING (consultant) LEFT JOIN rep USING (consultant)
WHERE consultant <> '未指定'
"""


def test_onsite_consultants_equal_the_plain_query(sample):
    clinics = [c for (c,) in sample.execute("SELECT DISTINCT clinic FROM order_days ORDER BY 1").fetchall()]
    months = _months(sample)
    checked = 0
    for p in (months[-1], months[-7], Period(date(2026, 2, 3), date(2026, 4, 20), "range")):
        for clinic in (None, *clinics):
            plain = sorted(sample.execute(PLAIN_ONSITE, {"start": p.start, "end": p.end, "clinic": clinic}).fetchall())
            cols = ("consultant", "received", "buyers", "deal_visits", "sales", "repurchase_base", "repurchased")
            ours = sorted(consultants_mod.onsite(sample, p, clinic).select(*cols).rows())
            assert ours == plain, (p, clinic)
            checked += sum(r[5] for r in plain)
    assert checked > 0  # some repurchase cohort was compared


def test_cards_topups_and_names_equal_a_subquery_per_card(sample):
    plain = dict(
        sample.execute(
            """SELECT k.card_id, (SELECT count(*) FROM orders o WHERE o.customer_id = k.customer_id
                 AND o.line_kind = 'topup' AND o.order_date > coalesce(k.last_used_at, k.opened_at)) FROM cards k"""
        ).fetchall()
    )
    from aesthetic_cli.metrics.base import run

    df = run(sample, "customers", "cards", {"clinic": None})
    assert dict(zip(df["card_id"], df["topups_after_last_use"], strict=True)) == plain
    assert df.height == len(plain) > 0
    # The listed cards carry their customer's own name and phone (read for them only).
    names = dict(sample.execute("SELECT customer_id, name || '|' || phone FROM customers").fetchall())
    listed = cards(sample, show_pii=True).tables["cards_to_call"]
    assert listed.height > 0
    for cid, name, phone in listed.select("customer_id", "name", "phone").rows():
        assert f"{name}|{phone}" == names[cid]


# Online consultants the obvious way: a subquery per lead for its next visit and deal within 90 days.
PLAIN_ONLINE = """
WITH l AS (
    SELECT l.online_consultant AS consultant, l.lead_date, l.appointment_date, l.arrived,
           coalesce(l.customer_id, p.customer_id) AS customer_id
    FROM leads l LEFT JOIN customer_phone p ON l.phone = p.phone
    WHERE l.lead_date BETWEEN $start AND $end AND l.online_consultant IS NOT NULL
      AND ($clinic IS NULL OR l.clinic = $clinic))
SELECT consultant, count(*), count(appointment_date),
       count(*) FILTER (WHERE coalesce(arrived, false) OR EXISTS (
           SELECT 1 FROM visits v WHERE v.customer_id = l.customer_id
             AND v.visit_date BETWEEN l.lead_date AND l.lead_date + INTERVAL 90 DAY)),
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM customer_days d WHERE d.customer_id = l.customer_id AND d.net > 0
             AND d.day BETWEEN l.lead_date AND l.lead_date + INTERVAL 90 DAY))
FROM l GROUP BY 1
"""


def test_online_consultants_equal_a_subquery_per_lead(sample):
    clinics = [c for (c,) in sample.execute("SELECT DISTINCT clinic FROM order_days ORDER BY 1").fetchall()]
    months = _months(sample)
    buyers = 0
    for p in (months[-1], months[-7], Period(months[0].start, months[-1].end, "range")):
        for clinic in (None, *clinics):
            plain = sorted(sample.execute(PLAIN_ONLINE, {"start": p.start, "end": p.end, "clinic": clinic}).fetchall())
            cols = ("consultant", "leads", "appointments", "arrivals", "buyers")
            ours = sorted(consultants_mod.online(sample, p, clinic).select(*cols).rows())
            assert ours == plain, (p, clinic)
            buyers += sum(r[4] for r in plain)
    assert buyers > 0
