"""items' openers (sql/items.sql openers: the follow-on days from order_days by DATE arithmetic) held to the
plain query over the raw order lines (customer-days summed from the lines, the first deal as the first day
netting above zero, INTERVAL windows), on the bundled sample for every clinic and none; and a hand world for
the window's edges: the first deal day itself, day 180 and day 181, a later day at another clinic."""

from __future__ import annotations

from datetime import date

import pytest

from aesthetic_cli.metrics.base import run
from aesthetic_cli.metrics.items import items
from aesthetic_cli.metrics.periods import month, parse_month
from aesthetic_cli.warehouse import connect
from tests.conftest import load, row

PLAIN_OPENERS = """
WITH days AS (
    SELECT customer_id, order_date AS day, sum(paid_amount) AS net FROM orders WHERE line_kind <> 'topup' GROUP BY ALL),
first AS (
    SELECT customer_id, min(day) FILTER (WHERE net > 0) AS first_deal FROM days GROUP BY 1
    HAVING min(day) FILTER (WHERE net > 0) BETWEEN $start AND $end),
opened AS (
    SELECT f.customer_id, f.first_deal, o.item, sum(o.paid_amount) AS opener_sales
    FROM first f JOIN orders o ON o.customer_id = f.customer_id AND o.order_date = f.first_deal
    WHERE o.line_kind <> 'topup' AND ($clinic IS NULL OR o.clinic = $clinic)
    GROUP BY ALL HAVING sum(o.paid_amount) > 0)
SELECT o.item, count(DISTINCT o.customer_id) AS openers, sum(o.opener_sales) AS opener_sales,
       sum((SELECT coalesce(sum(d.net), 0) FROM days d WHERE d.customer_id = o.customer_id
            AND d.day > o.first_deal AND d.day <= o.first_deal + INTERVAL 180 DAY)) AS follow_on_sales,
       max(o.first_deal) AS last_first_deal
FROM opened o
GROUP BY 1
"""


@pytest.fixture(scope="module")
def sample(sample_db):
    con = connect(sample_db, read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("clinic", [None, "静安店", "浦东店"])
def test_openers_equal_the_plain_query(sample, clinic):
    checked = 0
    for first in (date(2025, 2, 1), date(2025, 9, 1), date(2026, 4, 1), date(2026, 10, 1)):
        p = month(first)
        params = {"start": p.start, "end": p.end, "clinic": clinic}
        ours = sorted(run(sample, "items", "openers", params).rows())
        plain = sorted(sample.execute(PLAIN_OPENERS, params).fetchall())
        assert ours == plain, (p.label, clinic)
        checked += len(plain)
    assert checked > 20


# March 2026 (the data runs to 2026-10-01, so every opener's 180 days are complete).
EDGE_ORDERS = [
    ["收费日期", "顾客编号", "项目", "实收金额", "支付方式", "咨询师", "门店"],
    # A opens with 水光针 on 03-02 (1000) and buys 光子 the same day (200: opener sales, not follow-on); day 180
    # (08-29) 300 at 浦东店 follows on; day 181 (08-30) 400 does not.
    ["2026-03-02", "A", "水光针", "1000", "微信", "甲", "静安店"],
    ["2026-03-02", "A", "光子", "200", "微信", "甲", "静安店"],
    ["2026-08-29", "A", "光子", "300", "微信", "乙", "浦东店"],
    ["2026-08-30", "A", "光子", "400", "微信", "甲", "静安店"],
    # B opens with 水光针 on 03-20 (800); 04-01 a sale and its refund (nets 0), 05-01 a refund of 100.
    ["2026-03-20", "B", "水光针", "800", "微信", "甲", "静安店"],
    ["2026-04-01", "B", "光子", "500", "微信", "甲", "静安店"],
    ["2026-04-01", "B", "光子", "-500", "微信", "甲", "静安店"],
    ["2026-05-01", "B", "水光针", "-100", "微信", "甲", "静安店"],
    ["2026-10-01", "C", "光子", "100", "微信", "甲", "静安店"],
]


def test_follow_on_window_edges(con, ws):
    load(con, ws, orders=EDGE_ORDERS)
    openers = items(con, parse_month("2026-03")).tables["openers"]
    # 水光针: A and B, opener sales 1000 + 800; follow-on A 300 (day 180) + B 0 − 100 = 200.
    sg = row(openers, item="水光针")
    assert (sg["openers"], sg["opener_sales"], sg["follow_on_sales"]) == (2, 1800, 200)
    # 光子: A alone (200 on its first deal day); A's follow-on 300 again.
    gz = row(openers, item="光子")
    assert (gz["openers"], gz["opener_sales"], gz["follow_on_sales"]) == (1, 200, 300)


GIFT_ORDERS = [
    ["收费日期", "顾客编号", "项目", "实收金额", "支付方式", "咨询师", "门店"],
    # D's first deal day: 水光针 1000 kept, a 0.00 面膜 given, 光子 bought and given back, 清洁 0.10 + 0.20 − 0.30.
    ["2026-03-05", "D", "水光针", "1000", "微信", "甲", "静安店"],
    ["2026-03-05", "D", "面膜", "0", "微信", "甲", "静安店"],
    ["2026-03-05", "D", "光子", "500", "微信", "甲", "静安店"],
    ["2026-03-05", "D", "光子", "-500", "微信", "甲", "静安店"],
    ["2026-03-05", "D", "清洁", "0.10", "微信", "甲", "静安店"],
    ["2026-03-05", "D", "清洁", "0.20", "微信", "甲", "静安店"],
    ["2026-03-05", "D", "清洁", "-0.30", "微信", "甲", "静安店"],
    # E opens with 光子 600 and 水光针 300, of which 100 is given back that day.
    ["2026-03-06", "E", "光子", "600", "微信", "甲", "静安店"],
    ["2026-03-06", "E", "水光针", "300", "微信", "甲", "静安店"],
    ["2026-03-06", "E", "水光针", "-100", "微信", "甲", "静安店"],
    ["2026-10-01", "F", "光子", "100", "微信", "甲", "静安店"],
]


def test_an_opener_is_an_item_the_first_deal_day_nets_above_zero(con, ws):
    """indep9 I3: a gift at 0.00, an item given back the same day and 0.1 + 0.2 − 0.3 opened nothing."""
    load(con, ws, orders=GIFT_ORDERS)
    openers = items(con, parse_month("2026-03")).tables["openers"]
    got = {r["item"]: (r["openers"], r["opener_sales"]) for r in openers.iter_rows(named=True)}
    # 水光针: D 1000 + E 300 − 100; 光子: E's 600 (D's 500 − 500 opened nothing); no 面膜, no 清洁.
    assert got == {"水光针": (2, 1200), "光子": (1, 600)}
