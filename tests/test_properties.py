"""Invariants on random data: sales = visitors × close_rate × ticket × frequency, and
sales = new_sales + old_sales, for every group of every grouping."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aesthetic_cli.metrics.funnel import kpis
from aesthetic_cli.metrics.periods import parse_month
from aesthetic_cli.sqlfiles import script
from aesthetic_cli.warehouse import derived

START = date(2025, 9, 20)
customers = st.sampled_from(["c1", "c2", "c3", "c4", "c5", "c6"])
days = st.integers(0, 50).map(lambda n: START + timedelta(days=n))
order = st.tuples(
    customers,
    days,
    st.sampled_from([-800.0, 300.0, 1200.0, 5000.0]),
    st.sampled_from(["sale", "topup"]),
    st.booleans(),
    st.sampled_from(["张三", "李四", None]),
    st.sampled_from(["静安店", "浦东店"]),
    st.sampled_from(["注射科", "皮肤科", None]),
)
visit = st.tuples(
    customers,
    days,
    st.sampled_from(["张三", "李四", "王五"]),
    st.sampled_from(["静安店", "浦东店"]),
    st.sampled_from(["抖音", "新氧", None]),
)


def warehouse(orders, visits):
    con = duckdb.connect()
    con.execute(script("schema"))
    derived.create(con)
    for i, (c, d, amt, kind, card, cons, clinic, dept) in enumerate(orders):
        line_kind = "refund" if amt < 0 else kind
        con.execute(
            "INSERT INTO orders (order_date, customer_id, item, paid_amount, department, consultant, clinic,"
            " line_kind, stored_value, row_key, batch_id, source_row) VALUES (?,?,?,?,?,?,?,?,?,?,1,?)",
            [d, c, "x", amt, dept, cons, clinic, line_kind, card, i, i],
        )
    for i, (c, d, cons, clinic, ch) in enumerate(visits):
        con.execute(
            "INSERT INTO visits (visit_date, customer_id, consultant, clinic, channel, row_key, batch_id,"
            " source_row) VALUES (?,?,?,?,?,?,1,?)",
            [d, c, cons, clinic, ch, i, i],
        )
    derived.rebuild(con)
    return con


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(order, max_size=25),
    st.lists(visit, max_size=15),
    st.sampled_from([None, "clinic", "channel", "consultant", "department"]),
)
# Found by a full run: 3 visitors, 5 buyers, 2 of them without a visit (close rate 5/3 in floats).
@example(
    orders=[
        (c, START + timedelta(days=11), 300.0, "sale", False, "张三", "静安店", None)
        for c in ("c1", "c2", "c3", "c4", "c5")
    ],
    visits=[(c, START + timedelta(days=11), "张三", "静安店", "抖音") for c in ("c1", "c2", "c3")],
    by=None,
)
def test_levers_multiply_to_sales_and_new_plus_old(orders, visits, by):
    # Updated for the revised SPEC §2 (issue 12): visitors are customers with a recorded visit only, so a
    # buyer without one no longer counts as a visitor. close_rate = buyers / visitors over all buyers keeps
    # the identity exact for every group with a visitor; it may pass 100% by exactly the buyers without a
    # visit. A group with buyers but no visitor has no close rate (never infinity): all its buyers are
    # buyers_without_visit.
    con = warehouse(orders, visits)
    for r in kpis(con, parse_month("2025-10"), by=by).iter_rows(named=True):
        # Money is exact (DECIMAL): new + old is sales to the last cent, not approximately.
        assert r["sales"] == r["new_sales"] + r["old_sales"]
        assert r["buyers_without_visit"] == r["new_buyers_without_visit"] + r["old_buyers_without_visit"]
        assert r["buyers"] - r["buyers_without_visit"] <= r["visitors"]
        if r["deal_visits"] and r["visitors"]:
            product = r["visitors"] * r["close_rate"] * r["ticket"] * r["frequency"]
            assert round(product, 2) == float(r["sales"])
            # In floats 5 / 3 is one ulp above 1 + 2 / 3 (3 visitors, 2 buyers without a visit): compare with
            # a tolerance; the exact bound in counts is the assertion on buyers above.
            assert 0 < r["close_rate"] <= 1 + r["buyers_without_visit"] / r["visitors"] + 1e-12
        elif r["deal_visits"]:
            assert r["close_rate"] is None and r["buyers_without_visit"] == r["buyers"] > 0
        else:
            # No deal: only refunds (or nothing) can make up sales, and no lever is reported.
            assert r["sales"] <= 0 and r["ticket"] is None


@settings(max_examples=40, deadline=None)
@given(st.lists(order, max_size=25))
def test_total_sales_equals_a_plain_python_sum(orders):
    con = warehouse(orders, [])
    oct_ = parse_month("2025-10")
    expected = sum(amt for c, d, amt, kind, *_ in orders if oct_.start <= d <= oct_.end and (amt < 0 or kind == "sale"))
    df = kpis(con, oct_)
    assert float(df["sales"][0] if df.height else 0) == pytest.approx(expected)


@settings(max_examples=40, deadline=None)
@given(st.lists(order, max_size=25), st.lists(visit, max_size=15))
def test_visitors_and_buyers_without_visit_match_plain_python(orders, visits):
    # A second implementation of SPEC §2: visitors = distinct customers with a visit in October;
    # buyers = distinct customers with a day of positive net sales (top-ups excluded); the rest is set algebra.
    con = warehouse(orders, visits)
    oct_ = parse_month("2025-10")
    visitors = {c for c, d, *_ in visits if oct_.start <= d <= oct_.end}
    net: dict = {}
    for c, d, amt, kind, *_ in orders:
        if oct_.start <= d <= oct_.end and (amt < 0 or kind == "sale"):
            net[(c, d)] = net.get((c, d), 0.0) + amt
    buyers = {c for (c, _d), v in net.items() if v > 0}
    df = kpis(con, oct_)
    r = df.row(0, named=True) if df.height else {"visitors": 0, "buyers": 0, "buyers_without_visit": 0}
    assert (r["visitors"], r["buyers"], r["buyers_without_visit"]) == (
        len(visitors),
        len(buyers),
        len(buyers - visitors),
    )
