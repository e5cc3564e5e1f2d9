"""The full build's own formulations (derived._rebuild_all, sql/derived.sql new_rows_full) give the rows the
layer's definitions give, each written here a second time as a plain query over the raw facts: one
customer_id at a time, with correlated subqueries, so that nothing is shared with the layer's SQL."""

from __future__ import annotations

import shutil

import pytest

from aesthetic_cli.importer.load import import_file
from aesthetic_cli.warehouse import connect, derived
from tests.conftest import ORDER_HEAD, write_csv

# customer_first, written from its definition (sql/derived.sql, SPEC §2): first_seen the earliest of the
# first visit and the first order; the channel the record's source channel, else the channel of the
# earliest visit that has one, else the earliest lead's (by customer number, or linked by phone through
# customer_phone), else unknown.
PLAIN_CUSTOMER_FIRST = """
WITH ids AS (SELECT customer_id FROM visits UNION SELECT customer_id FROM orders
             UNION SELECT customer_id FROM customers)
SELECT i.customer_id,
       least((SELECT min(visit_date) FROM visits v WHERE v.customer_id = i.customer_id),
             (SELECT min(order_date) FROM orders o WHERE o.customer_id = i.customer_id)) AS first_seen,
       (SELECT min(visit_date) FROM visits v WHERE v.customer_id = i.customer_id) AS first_visit,
       coalesce(
           (SELECT nullif(trim(source_channel), '') FROM customers c WHERE c.customer_id = i.customer_id),
           (SELECT channel FROM visits v WHERE v.customer_id = i.customer_id AND channel IS NOT NULL
            ORDER BY visit_date LIMIT 1),
           (SELECT channel FROM (SELECT channel, lead_date FROM leads l WHERE l.customer_id = i.customer_id
                                 UNION ALL
                                 SELECT l.channel, l.lead_date FROM leads l JOIN customer_phone p ON l.phone = p.phone
                                 WHERE l.customer_id IS NULL AND p.customer_id = i.customer_id)
            ORDER BY lead_date LIMIT 1),
           'unknown') AS channel,
       (SELECT nullif(trim(referrer_id), '') FROM customers c WHERE c.customer_id = i.customer_id) AS referrer_id
FROM ids i
"""


def _rows(con, sql: str) -> list[tuple]:
    return sorted(con.execute(sql).fetchall(), key=repr)


@pytest.fixture
def world(ws):
    """Customers that take every branch of customer_first, with no two candidates on one day (no ties):
    R  record only (no visit, no order): first_seen and first_visit NULL, its source channel;
    S  record with a blank source channel and a referrer with spaces, a visit without a channel before one with;
    O  an order only, and a lead by number: the lead's channel;
    P  an order only, a lead linked by phone (earlier) and one by number (later): the phone's;
    V  an order before the first visit: first_seen the order's day;
    N  an order only, nothing else: unknown.
    And for the day and month tables: S received on 10-03 by 赵敏 and by 李娜 (the least name, 李 U+674E before
    赵 U+8D75, is the day's consultant; the order line's 王芳 is not) and visiting alone in December; V's 10-10
    lines by 王芳 (2,000) and 周婷 (500), no visit: 王芳; N's 10-05 sale and refund net to zero (a customer-day,
    no deal), 11-07 a deal."""
    files = [
        (
            "customers.csv",
            [
                ["顾客编号", "姓名", "手机号", "来源渠道", "推荐人"],
                ["R", "甲", "13800000001", "抖音", ""],
                ["S", "乙", "13800000002", "  ", " R "],
                ["P", "丙", "13800000003", "", ""],
            ],
        ),
        (
            "visits.csv",
            [
                ["到院日期", "顾客编号", "就诊类型", "渠道", "现场咨询师"],
                ["2025-10-01", "S", "初诊", "", "周婷"],
                ["2025-10-03", "S", "复诊", "美团", "赵敏"],
                ["2025-10-03", "S", "复诊", "", "李娜"],
                ["2025-10-09", "S", "复诊", "新氧", ""],
                ["2025-12-01", "S", "复诊", "", ""],
                ["2025-10-06", "V", "初诊", "大众点评", ""],
            ],
        ),
        (
            "leads.csv",
            [
                ["咨询日期", "渠道", "手机号", "顾客编号"],
                ["2025-09-01", "小红书", "13800000003", ""],
                ["2025-09-05", "美团", "", "P"],
                ["2025-09-02", "新氧", "", "O"],
            ],
        ),
        (
            "orders.csv",
            [
                ORDER_HEAD,
                *[
                    [d, c, "水光针", amount, "微信", who]
                    for d, c, amount, who in (
                        ("2025-10-02", "O", "1000", "李四"),
                        ("2025-10-03", "P", "1000", "李四"),
                        ("2025-10-04", "V", "1000", "李四"),
                        ("2025-10-05", "N", "1000", "李四"),
                        ("2025-10-05", "N", "-1000", "李四"),
                        ("2025-11-07", "N", "800", "李四"),
                        ("2025-10-03", "S", "3000", "王芳"),
                        ("2025-10-10", "V", "2000", "王芳"),
                        ("2025-10-10", "V", "500", "周婷"),
                    )
                ],
            ],
        ),
    ]
    con = connect(ws / "world.duckdb")
    for name, rows in files:
        import_file(con, write_csv(ws / name, rows), clinic="本院")
    yield con
    con.close()


def test_customer_first_of_a_full_build_equals_its_definition(world):
    derived.rebuild(world)
    got = _rows(world, "SELECT * FROM customer_first")
    assert got == _rows(world, PLAIN_CUSTOMER_FIRST)
    # By hand, so that the plain query is checked too.
    channels = {r[0]: r[3] for r in got}
    assert channels == {"R": "抖音", "S": "美团", "O": "新氧", "P": "小红书", "V": "大众点评", "N": "unknown"}
    by_id = {r[0]: r for r in got}
    assert by_id["R"][1:3] == (None, None)
    assert str(by_id["V"][1]) == "2025-10-04" and str(by_id["V"][2]) == "2025-10-06"
    assert by_id["S"][4] == "R"


@pytest.fixture(scope="module")
def sample_copy(sample_db, tmp_path_factory):
    """The bundled sample warehouse (a generated chain: thousands of customers), copied and built in full."""
    path = tmp_path_factory.mktemp("full_build") / "aesops.duckdb"
    shutil.copy(sample_db, path)
    con = connect(path)
    derived.rebuild(con)
    yield con
    con.close()


def test_customer_first_on_the_sample_equals_its_definition(sample_copy):
    got = _rows(sample_copy, "SELECT * FROM customer_first")
    assert len(got) > 1000
    assert got == _rows(sample_copy, PLAIN_CUSTOMER_FIRST)


# attributed_days from its definition: a customer-day with a sale or refund line; the consultant who received
# the customer that day (the least name among the day's visits with one), else the one on the day's largest
# sale or refund line. Equal largest lines can name different consultants: the candidates are all of them.
PLAIN_ATTRIBUTED = """
WITH cd AS (SELECT DISTINCT customer_id, order_date AS day FROM orders WHERE line_kind <> 'topup')
SELECT cd.customer_id, cd.day,
       (SELECT min(consultant) FROM visits v WHERE v.customer_id = cd.customer_id AND v.visit_date = cd.day)
           AS received_by,
       (SELECT list(DISTINCT coalesce(o.consultant, '未指定')) FROM orders o
        WHERE o.customer_id = cd.customer_id AND o.order_date = cd.day AND o.line_kind <> 'topup'
          AND o.paid_amount = (SELECT max(paid_amount) FROM orders x WHERE x.customer_id = cd.customer_id
                               AND x.order_date = cd.day AND x.line_kind <> 'topup')) AS on_largest,
       (SELECT list(DISTINCT clinic) FROM orders o
        WHERE o.customer_id = cd.customer_id AND o.order_date = cd.day AND o.line_kind <> 'topup') AS clinics,
       (SELECT sum(paid_amount) FROM orders o
        WHERE o.customer_id = cd.customer_id AND o.order_date = cd.day AND o.line_kind <> 'topup') AS net
FROM cd
"""

# customer_months from its definition: every customer-month with a sale or refund line or a visit; the
# month's net (NULL with visits only), its days netting above zero, whether the customer visited, and the
# customer's first_seen (the earliest visit or order).
PLAIN_MONTHS = """
WITH keys AS (
    SELECT DISTINCT date_trunc('month', order_date)::DATE AS month, customer_id FROM orders WHERE line_kind <> 'topup'
    UNION SELECT DISTINCT date_trunc('month', visit_date)::DATE, customer_id FROM visits)
SELECT k.month, k.customer_id,
       least((SELECT min(visit_date) FROM visits v WHERE v.customer_id = k.customer_id),
             (SELECT min(order_date) FROM orders o WHERE o.customer_id = k.customer_id)) AS first_seen,
       (SELECT sum(paid_amount) FROM orders o WHERE o.customer_id = k.customer_id AND o.line_kind <> 'topup'
           AND date_trunc('month', o.order_date) = k.month) AS net,
       (SELECT count(*) FROM (SELECT order_date FROM orders o WHERE o.customer_id = k.customer_id
            AND o.line_kind <> 'topup' AND date_trunc('month', o.order_date) = k.month
            GROUP BY order_date HAVING sum(paid_amount) > 0)) AS deal_days,
       EXISTS (SELECT 1 FROM visits v WHERE v.customer_id = k.customer_id
               AND date_trunc('month', v.visit_date) = k.month) AS visited
FROM keys k
"""


def _attributed_as_defined(con, *, minimum: int) -> int:
    """attributed_days against PLAIN_ATTRIBUTED; how many customer-days a visit's consultant decided."""
    got = {(r[0], r[1]): r[2:] for r in con.execute("SELECT * FROM attributed_days").fetchall()}
    plain = con.execute(PLAIN_ATTRIBUTED).fetchall()
    assert len(plain) >= minimum and set(got) == {(r[0], r[1]) for r in plain}
    received = 0
    for customer, day, received_by, on_largest, clinics, net in plain:
        consultant, clinic, got_net = got[(customer, day)]
        if received_by is not None:
            received += 1
            assert consultant == received_by, (customer, day)
        else:
            assert consultant in on_largest, (customer, day)
        assert clinic in clinics and got_net == net, (customer, day)
    return received


def test_attributed_days_on_the_sample_equal_their_definition(sample_copy):
    assert _attributed_as_defined(sample_copy, minimum=1000) > 100  # both branches of the consultant taken


def test_customer_months_on_the_sample_equal_their_definition(sample_copy):
    got = _rows(sample_copy, "SELECT * FROM customer_months")
    assert len(got) > 1000
    assert got == _rows(sample_copy, PLAIN_MONTHS)


def test_attributed_days_and_customer_months_of_a_full_build_equal_their_definitions(world):
    derived.rebuild(world)
    assert _attributed_as_defined(world, minimum=6) == 1
    assert _rows(world, "SELECT * FROM customer_months") == _rows(world, PLAIN_MONTHS)
    # By hand.
    consultant = "SELECT consultant FROM attributed_days WHERE customer_id = $c AND day = $d"
    assert world.execute(consultant, {"c": "S", "d": "2025-10-03"}).fetchone() == ("李娜",)
    assert world.execute(consultant, {"c": "V", "d": "2025-10-10"}).fetchone() == ("王芳",)
    month = "SELECT net, deal_days, visited FROM customer_months WHERE customer_id = $c AND month = $m"
    assert world.execute(month, {"c": "N", "m": "2025-10-01"}).fetchone() == (0, 0, False)
    assert world.execute(month, {"c": "N", "m": "2025-11-01"}).fetchone() == (800, 1, False)
    assert world.execute(month, {"c": "S", "m": "2025-12-01"}).fetchone() == (None, 0, True)
    assert world.execute(month, {"c": "S", "m": "2025-10-01"}).fetchone() == (3000, 1, True)


# order_days from its definition: the order lines (with the catalogue's department) per day, customer, clinic,
# consultant and department, with the customer's channel and first_seen as customer_first has them.
PLAIN_ORDER_DAYS = """
SELECT o.order_date, o.customer_id, o.clinic, coalesce(o.consultant, '未指定'),
       coalesce(o.department, (SELECT department FROM items i WHERE i.item = o.item), '未指定') AS department,
       (SELECT channel FROM customer_first c WHERE c.customer_id = o.customer_id) AS channel,
       (SELECT first_seen FROM customer_first c WHERE c.customer_id = o.customer_id) AS first_seen,
       count(*) FILTER (WHERE o.line_kind <> 'topup'), sum(o.paid_amount) FILTER (WHERE o.line_kind <> 'topup'),
       sum(o.paid_amount) FILTER (WHERE o.line_kind = 'sale'), sum(o.paid_amount) FILTER (WHERE o.line_kind = 'refund'),
       sum(o.paid_amount) FILTER (WHERE o.line_kind = 'refund' OR NOT o.stored_value)
FROM orders o
GROUP BY ALL
"""


def test_order_days_of_a_full_build_equal_their_definition(world, sample_copy):
    derived.rebuild(world)
    for con in (world, sample_copy):
        assert _rows(con, "SELECT * FROM order_days") == _rows(con, PLAIN_ORDER_DAYS)
    # By hand: N's 10-05 sale and refund by one consultant are one row, netting zero over two sales lines.
    n = "SELECT sales_lines, net, sale_amount, refund_amount FROM order_days WHERE customer_id = 'N' AND day = $d"
    assert world.execute(n, {"d": "2025-10-05"}).fetchall() == [(2, 0, 1000, -1000)]
