"""customers rfm and reactivate read the layer's per-customer rows (customer_deals, customer_last_items) and
only the 365 days of customer_days (issue 11, 10M lines); the plain formulations (sql/customers.sql
rfm_per_from_days, overdue_from_orders) work the same answers out from every customer-day and order line.
Both on a hand-built world (customers with days after the as-of date, two clinics, a refund day netting
0.00, a 0.10 + 0.20 − 0.30 day) against numbers worked out by hand, and on the bundled sample at several
dates and clinics against each other."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from aesthetic_cli.importer.load import import_file
from aesthetic_cli.metrics.base import frame, prepare, run
from aesthetic_cli.metrics.customers import rfm
from aesthetic_cli.sqlfiles import query
from aesthetic_cli.warehouse import connect
from tests.conftest import ORDER_HEAD, run_cli, write_csv

D = Decimal
HEAD = [*ORDER_HEAD, "门店"]
# The data ends 2025-12-31. 水光针 repeats: A 2024-11-10 → 2025-03-01 → 11-15 (111, 259 days), D 09-01 → 10-01
# (30), G 01-10 → 02-10 (31): median interval (31 + 111) / 2 = 71 days. No other item repeats (B's 热玛吉 and
# F's 光子 lines are a refund day and a float-trap day, each once).
ORDERS = [
    HEAD,
    ["2024-11-10", "A", "水光针", "1000", "微信", "甲", "东店"],
    ["2025-03-01", "A", "水光针", "1200", "微信", "甲", "东店"],
    ["2025-11-15", "A", "水光针", "900", "微信", "甲", "西店"],
    ["2024-06-01", "B", "光子", "3000", "微信", "乙", "西店"],
    # B's 08-01 nets 0.00: no deal.
    ["2025-08-01", "B", "热玛吉", "2000", "微信", "乙", "西店"],
    ["2025-08-01", "B", "热玛吉", "-2000", "微信", "乙", "西店"],
    ["2025-12-20", "C", "水光针", "500", "微信", "甲", "东店"],
    ["2025-09-01", "D", "水光针", "800", "微信", "乙", "西店"],
    ["2025-10-01", "D", "水光针", "800", "微信", "乙", "西店"],
    ["2025-10-20", "D", "水光针", "-300", "微信", "乙", "西店"],
    ["2025-05-05", "E", "玻尿酸", "5000", "微信", "甲", "东店"],
    # F's 07-07 nets 0.10 + 0.20 − 0.30 = 0.00 exactly: no deal (a float sum leaves 5.6e-17).
    ["2025-07-07", "F", "光子", "0.10", "微信", "甲", "东店"],
    ["2025-07-07", "F", "光子", "0.20", "微信", "甲", "东店"],
    ["2025-07-07", "F", "光子", "-0.30", "微信", "甲", "东店"],
    ["2025-12-01", "F", "水光针", "100", "微信", "甲", "东店"],
    ["2025-01-10", "G", "水光针", "600", "微信", "甲", "东店"],
    ["2025-02-10", "G", "水光针", "600", "微信", "甲", "东店"],
]
CUSTOMERS = [
    ["顾客编号", "姓名", "手机号", "门店"],
    ["A", "甲一", "13800000001", "东店"],
    ["B", "乙二", "13800000002", "西店"],
    ["D", "丁四", "13800000004", "东店"],
    ["E", "戊五", "13800000005", "西店"],
    ["F", "己六", "13800000006", "东店"],
]
# 2025-11-10: A's first day (2024-11-10) lies exactly 365 days back, just outside the window.
DATES = (
    date(2025, 12, 31),
    date(2025, 11, 10),
    date(2025, 10, 31),
    date(2025, 8, 1),
    date(2025, 3, 1),
    date(2024, 12, 31),
)
CLINICS = (None, "东店", "西店")


@pytest.fixture
def world(con, ws):
    import_file(con, write_csv(ws / "orders.csv", ORDERS), clinic=None)
    import_file(con, write_csv(ws / "customers.csv", CUSTOMERS), clinic=None)
    return con


def per_rows(con, which: str, asof: date, clinic: str | None):
    sql = f"WITH {query('customers', which)}\nSELECT * FROM per ORDER BY customer_id"
    return frame(con, sql, {"asof": asof, "clinic": clinic})


def segments_from_days(con, asof: date, clinic: str | None):
    # The cells the plain way: every customer's row from every customer-day, every row through the medians and
    # the cells (rfm_cells_from_per), where rfm_segments reads the months and keeps the dormant out.
    plain = f"WITH {query('customers', 'rfm_per_from_days')},\n{query('customers', 'rfm_cells_from_per')}"
    return frame(con, plain, {"asof": asof, "clinic": clinic}).sort("active", "r_hi", "f_hi", "m_hi")


def test_rfm_by_hand_on_the_last_day(world):
    # As of 12-31, window 2025-01-01 .. 12-31. Recency, deal visits, window sales, lifetime:
    # A 11-15: 46, 2 (03-01, 11-15), 2,100, 3,100.  B last deal 2024-06-01: 578, 0 (08-01 nets 0.00), 0.00, 3,000.
    # C 11, 1, 500, 500.  D 10-01: 91, 2, 1,300 (800 + 800 − 300), 1,300.  E 05-05: 240, 1, 5,000, 5,000.
    # F 12-01: 30, 1 (07-07 nets 0.00), 100, 100.  G 02-10: 324, 2, 1,200, 1,200.
    r = rfm(world, asof=date(2025, 12, 31), list_customers=True)
    got = {
        x["customer_id"]: (x["recency_days"], x["deal_visits"], x["sales"], x["lifetime_sales"], x["segment"])
        for x in r.tables["customers"].iter_rows(named=True)
    }
    # Medians of the six active (all but B): recency (46 + 91) / 2 = 68.5, visits 1.5, sales (1,200 + 1,300) / 2.
    assert r.meta["medians"] == {"recency_days": 68.5, "deal_visits": 1.5, "sales": 1250.0}
    assert got == {
        "A": (46, 2, D("2100.00"), D("3100.00"), "重要价值客户"),
        "B": (578, 0, D("0.00"), D("3000.00"), "沉睡客户（365天无成交）"),
        "C": (11, 1, D("500.00"), D("500.00"), "一般发展客户"),
        "D": (91, 2, D("1300.00"), D("1300.00"), "重要保持客户"),
        "E": (240, 1, D("5000.00"), D("5000.00"), "重要挽留客户"),
        "F": (30, 1, D("100.00"), D("100.00"), "一般发展客户"),
        "G": (324, 2, D("1200.00"), D("1200.00"), "一般保持客户"),
    }


def test_rfm_by_hand_before_days_that_came_later_through_the_cli(world):
    # As of 10-31 (window 2024-11-01 .. 2025-10-31) A's 11-15 lies ahead: last deal 03-01 (244 days), lifetime
    # 2,200, not the layer's 3,100. C and F have no deal by then (F's only day nets 0.00): not listed.
    # B 2024-06-01: 517 days. D 30, E 179, G 263. Medians of A D E G: recency (179 + 244) / 2, visits 2, sales
    # (1,300 + 2,200) / 2.
    world.close()
    out = run_cli("customers", "rfm", "--date", "2025-10-31", "--list", "--format", "json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    got = {
        x["customer_id"]: (x["recency_days"], x["deal_visits"], D(str(x["sales"])), D(str(x["lifetime_sales"])))
        for x in data["customers"]
    }
    assert got == {
        "A": (244, 2, D("2200"), D("2200")),
        "B": (517, 0, D("0"), D("3000")),
        "D": (30, 2, D("1300"), D("1300")),
        "E": (179, 1, D("5000"), D("5000")),
        "G": (263, 2, D("1200"), D("1200")),
    }
    assert data["meta"]["medians"] == {"recency_days": 211.5, "deal_visits": 2.0, "sales": 1750.0}
    # 东店: A D F by their record, C E G by an order there; B (西店 alone) drops out, C and F have no deal yet.
    out = run_cli("customers", "rfm", "--date", "2025-10-31", "--list", "--clinic", "东店", "--format", "json")
    assert sorted(x["customer_id"] for x in json.loads(out.stdout)["customers"]) == ["A", "D", "E", "G"]


def test_rfm_reads_equal_the_definition_on_the_hand_world(world):
    for day in DATES:
        for clinic in CLINICS:
            layer, plain = per_rows(world, "rfm_per", day, clinic), per_rows(world, "rfm_per_from_days", day, clinic)
            assert layer.equals(plain), (day, clinic, layer, plain)
            cells = run(world, "customers", "rfm_segments", {"asof": day, "clinic": clinic})
            assert cells.sort("active", "r_hi", "f_hi", "m_hi").equals(segments_from_days(world, day, clinic))


# rfm_segments' shortcuts (customers whose first deal lies in the window: lifetime less the days before it; the
# dormant: only their rows without a deal) meet days without a deal on both sides of the window's start.
EDGE_ORDERS = [
    HEAD,
    # H: a refund alone in a whole month before the window (2025-01), then two deals.
    ["2025-01-05", "H", "水光针", "-50", "微信", "甲", "东店"],
    ["2025-06-01", "H", "水光针", "300", "微信", "甲", "东店"],
    ["2025-12-20", "H", "水光针", "200", "微信", "甲", "东店"],
    # I: a refund in the part-month before the window's start (03-10 of 2025-03), the first deal after it.
    ["2025-03-10", "I", "光子", "-80", "微信", "乙", "东店"],
    ["2025-04-01", "I", "光子", "400", "微信", "乙", "东店"],
    # L: a refund on the window's eve (2025-03-15 as of 2026-03-15), the first deal five days later.
    ["2025-03-15", "L", "光子", "-20", "微信", "乙", "东店"],
    ["2025-03-20", "L", "光子", "150", "微信", "乙", "东店"],
    # J: a deal and a refund before the window, a deal in it (deals on both sides).
    ["2025-03-05", "J", "光子", "100", "微信", "乙", "西店"],
    ["2025-03-08", "J", "光子", "-30", "微信", "乙", "西店"],
    ["2025-05-01", "J", "光子", "200", "微信", "乙", "西店"],
    # K: a deal long ago, a refund in the window: dormant, with sales of -100 in the window.
    ["2024-01-10", "K", "热玛吉", "500", "微信", "甲", "西店"],
    ["2025-07-01", "K", "热玛吉", "-100", "微信", "甲", "西店"],
]


def test_rfm_edges_of_the_window_by_hand(con, ws):
    import_file(con, write_csv(ws / "orders.csv", EDGE_ORDERS), clinic=None)
    # As of 2026-03-15 the window is 2025-03-16 .. 2026-03-15. Recency, deal visits, window sales, lifetime:
    # H 12-20: 85, 2, 500 (300 + 200; the -50 lies before), 450.  I 2025-04-01: 348, 1, 400, 320 (400 - 80).
    # J 05-01: 318, 1, 200, 270.  L 2025-03-20: 360, 1, 150, 130.  K 2024-01-10: 795, 0, -100, 400 (dormant).
    # Medians of H I J L: recency (318 + 348) / 2 = 333, visits 1, sales (200 + 400) / 2 = 300.
    r = rfm(con, asof=date(2026, 3, 15), list_customers=True)
    got = {
        x["customer_id"]: (x["recency_days"], x["deal_visits"], x["sales"], x["lifetime_sales"], x["segment"])
        for x in r.tables["customers"].iter_rows(named=True)
    }
    assert r.meta["medians"] == {"recency_days": 333.0, "deal_visits": 1.0, "sales": 300.0}
    assert got == {
        "H": (85, 2, D("500.00"), D("450.00"), "重要价值客户"),
        "I": (348, 1, D("400.00"), D("320.00"), "重要挽留客户"),
        "J": (318, 1, D("200.00"), D("270.00"), "一般发展客户"),
        "L": (360, 1, D("150.00"), D("130.00"), "一般挽留客户"),
        "K": (795, 0, D("-100.00"), D("400.00"), "沉睡客户（365天无成交）"),
    }
    segments = {
        x["segment"]: (x["customers"], x["sales"], x["lifetime_sales"])
        for x in r.tables["segments"].iter_rows(named=True)
    }
    assert segments["沉睡客户（365天无成交）"] == (1, D("-100.00"), D("400.00"))
    # And the cells equal the plain way's at other dates (whole months only, other part-months) and clinics.
    for day in (date(2026, 3, 15), date(2026, 3, 31), date(2025, 12, 31), date(2025, 6, 30), date(2026, 1, 9)):
        for clinic in CLINICS:
            cells = run(con, "customers", "rfm_segments", {"asof": day, "clinic": clinic})
            assert cells.sort("active", "r_hi", "f_hi", "m_hi").equals(segments_from_days(con, day, clinic)), day


def overdue_listed(con, asof: date, clinic: str | None, ids: list[str]):
    return run(con, "customers", "overdue_listed", {"asof": asof, "clinic": clinic, "ids": ids})


def overdue_count(con, asof: date, clinic: str | None) -> int:
    n = run(con, "customers", "overdue_count", {"asof": asof, "clinic": clinic})["overdue_customers"].item()
    if clinic is None and asof >= prepare(con).last_day:
        # What reactivate counts with there (customer_deals.last_items, layer 8): the same number.
        assert run(con, "customers", "overdue_count_current", {"asof": asof})["overdue_customers"].item() == n
    return n


def test_overdue_listed_by_hand(world):
    # As of 10-31 水光针's interval is 31 days, the median of the gaps known then (A's 111, D's 30, G's 31; A's 259 to
    # 11-15 lies ahead). A's last deal by then 03-01 (due 04-01, 213 days over; its 11-15 lies ahead) and G's 02-10
    # (due 03-13, 232 over); D's 10-01 is due 11-01. Lifetime as of 10-31.
    cols = ("customer_id", "item", "due_date", "overdue_days", "lifetime_sales")
    rows = overdue_listed(world, date(2025, 10, 31), None, ["A", "D", "G", "nobody"]).select(cols).rows()
    assert rows == [
        ("A", "水光针", date(2025, 4, 1), 213, D("2200.00")),
        ("G", "水光针", date(2025, 3, 13), 232, D("1200.00")),
    ]
    assert overdue_count(world, date(2025, 10, 31), None) == 2
    # As of 12-31 (every gap known: median (31 + 111) / 2 = 71): D (due 12-11, 20 over) and G (253 over); A's 11-15
    # is due 2026-01-25, C's and F's later.
    rows = overdue_listed(world, date(2025, 12, 31), None, ["A", "D"]).select(cols).rows()
    assert rows == [("D", "水光针", date(2025, 12, 11), 20, D("1300.00"))]
    assert overdue_count(world, date(2025, 12, 31), None) == 2
    # None of the asked is overdue: no row.
    assert overdue_listed(world, date(2025, 12, 31), None, ["A"]).height == 0
    # 西店's customers, by their record or an order there (as rfm and predict take them): B and E by record, neither
    # overdue (光子 and 玻尿酸 never repeat), and D, 东店's by record, by the refund line at 西店 on 10-20: overdue.
    rows = overdue_listed(world, date(2025, 12, 31), "西店", ["D", "E"]).select(cols).rows()
    assert rows == [("D", "水光针", date(2025, 12, 11), 20, D("1300.00"))]
    assert overdue_count(world, date(2025, 12, 31), "西店") == 1
    # In April the gaps known are A's 111 and G's 31 (median 71): G's 02-10 plus 71 days is 04-22: overdue from 04-23
    # on (due before the date), not on 04-22 itself.
    assert [overdue_count(world, date(2025, 4, d), None) for d in (22, 23)] == [0, 1]


def assert_overdue_listed_is_the_definition(con, day: date, clinic: str | None) -> int:
    plain = run(con, "customers", "overdue_from_orders", {"asof": day, "clinic": clinic, "limit": 1_000_000})
    assert overdue_count(con, day, clinic) == plain.height, (day, clinic)
    plain = plain.drop("overdue_customers")
    everyone = plain["customer_id"].to_list()
    some = everyone[1:4] + everyone[-2:] + ["nobody"]
    for ids in (some, ["nobody"], everyone):
        got = overdue_listed(con, day, clinic, ids)
        expected = plain.filter(plain["customer_id"].is_in(ids))
        assert got.equals(expected), (day, clinic, got, expected)
    return plain.height


def test_overdue_listed_is_the_definition_on_the_hand_world(world):
    counts = [assert_overdue_listed_is_the_definition(world, day, clinic) for day in DATES for clinic in CLINICS]
    # 11-10: A (03-01), D (10-01) and G (02-10) past the 31 days of the gaps known by then.
    assert max(counts) == 3


def test_layer_reads_equal_the_definitions_on_the_sample(sample_db):
    # On the bundled sample (two clinics, two years): the last day (nobody late), a month before and half-way.
    con = connect(sample_db, read_only=True)
    try:
        cov = prepare(con)
        last, first = cov.last_day, cov.first_day
        for day in (last, date(last.year, last.month, 1), first + (last - first) / 2):
            for clinic in (None, "静安店"):
                layer, plain = per_rows(con, "rfm_per", day, clinic), per_rows(con, "rfm_per_from_days", day, clinic)
                assert plain.height > 100 and layer.equals(plain), (day, clinic)
                cells = run(con, "customers", "rfm_segments", {"asof": day, "clinic": clinic})
                assert cells.sort("active", "r_hi", "f_hi", "m_hi").equals(segments_from_days(con, day, clinic))
                assert assert_overdue_listed_is_the_definition(con, day, clinic) > 10
    finally:
        con.close()


def test_the_call_back_list_is_the_overdue_customers_ranked_by_every_customers_value_at_risk(sample_db):
    # The call-back list (sql/predict.sql callback_current and callback) reads the kept repeat customers and the
    # overdue customers its own ways; the plain way scores every customer in Python (predict.score), takes
    # (1 − P(alive)) × E[deals in 180 days | alive] × E[deal value], keeps the overdue customers of
    # overdue_from_orders (the definition from the order lines) and sorts by value at risk, lifetime sales and id.
    # The last day takes the current path; a month's first day with a clinic the general one.
    from aesthetic_cli.metrics import predict
    from aesthetic_cli.metrics.customers import reactivate

    con = connect(sample_db, read_only=True)
    try:
        last = prepare(con).last_day
        for asof, clinic in ((last, None), (date(last.year, last.month, 1), "静安店")):
            r = reactivate(con, asof=asof, clinic=clinic, limit=3000)
            s = predict.score(con, until=asof, clinic=clinic, horizons=(180,)).frame
            s = s.with_columns(
                ((1 - s["p_alive"]) * s["expected_deals_if_alive_180d"] * s["expected_value"]).alias("risk")
            )
            due = run(con, "customers", "overdue_from_orders", {"asof": asof, "clinic": clinic, "limit": 10**9})
            plain = s.join(due.select("customer_id", "overdue_days"), on="customer_id").sort(
                ["risk", "lifetime_sales", "customer_id"], descending=[True, True, False]
            )
            single = plain.filter(plain["repeat_deals"] == 0)
            assert single.height > 100 and (single["risk"] == 0).all() and plain.height == due.height
            assert r.meta["overdue_customers"] == plain.height
            assert r.meta["customers_at_risk"] == plain.filter(plain["risk"] > 0).height > 50
            assert r.meta["value_at_risk_total"] == pytest.approx(plain["risk"].sum(), rel=1e-12)
            listed = r.tables["reactivate"]
            assert listed["customer_id"].to_list() == plain["customer_id"].head(3000).to_list(), (asof, clinic)
            assert listed["value_at_risk"].to_list() == pytest.approx(plain["risk"].head(3000).to_list(), rel=1e-12)
            assert listed["overdue_days"].to_list() == plain["overdue_days"].head(3000).to_list()
            assert listed["overdue"].all()
            # Not listed: a repeat customer with value at risk who is not overdue.
            assert s.filter((s["risk"] > 0) & ~s["customer_id"].is_in(due["customer_id"].to_list())).height > 100
    finally:
        con.close()


def test_the_as_of_intervals_are_the_layers_on_the_last_day(sample_db):
    """customers.sql intervals_upto (a list as of a past day) restates derived.sql's item_intervals over the purchases
    up to a day: on the data's last day the two must be the same medians, item by item, or a rule has drifted."""
    con = connect(sample_db, read_only=True)
    try:
        source = "WITH upto_orders AS (SELECT * FROM orders WHERE order_date <= $asof) "
        upto = source + query("customers", "intervals_upto")
        mine = sorted(con.execute(upto, {"asof": prepare(con).last_day}).fetchall())
        layer = con.execute(
            "SELECT item, median_interval_days FROM item_intervals WHERE median_interval_days IS NOT NULL ORDER BY 1"
        ).fetchall()
        assert len(layer) > 5 and mine == layer
    finally:
        con.close()
