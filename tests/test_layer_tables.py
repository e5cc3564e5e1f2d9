"""The semantic layer's day tables and per-customer deals (sql/derived.sql), checked by hand on the
five-customer October world of test_funnel_channels (its docstring has the story), kept equal to a
full rebuild when one more day arrives, and the shortcuts analyses take through them equal to the
general queries they replace."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from aesthetic_cli.importer.load import import_file
from aesthetic_cli.metrics.base import prepare, run
from aesthetic_cli.warehouse import connect, derived
from tests.conftest import layer_rows, write_csv
from tests.test_funnel_channels import world  # noqa: F401  (the fixture)


def _one(con, sql: str, params: dict) -> tuple:
    return con.execute(sql, params).fetchone()


def test_order_days_by_hand(world):  # noqa: F811
    q = (
        "SELECT sum(sales_lines), sum(net), sum(sale_amount), sum(refund_amount), sum(cash_in), any_value(channel),"
        " any_value(first_seen) FROM order_days WHERE customer_id = $c AND day = $d"
    )
    # A, 10-02: the 10,000 top-up (WeChat: cash, not sales) and 光子嫩肤 8,000 paid from the card (sales,
    # not cash). One sales line; net 8,000; cash in 10,000. Channel 抖音 from the customer record.
    assert _one(world, q, {"c": "A", "d": date(2025, 10, 2)}) == (
        1,
        Decimal("8000.00"),
        Decimal("8000.00"),
        None,
        Decimal("10000.00"),
        "抖音",
        date(2025, 10, 2),
    )
    # B, 11-03: the refund −1,000 is sales (negative) and cash out.
    assert _one(world, q, {"c": "B", "d": date(2025, 11, 3)}) == (
        1,
        Decimal("-1000.00"),
        None,
        Decimal("-1000.00"),
        Decimal("-1000.00"),
        "新氧",
        date(2025, 10, 5),
    )
    # D: first seen on the August order, before the first visit; channel from that visit (大众点评).
    assert _one(world, q, {"c": "D", "d": date(2025, 8, 20)})[1:] == (
        Decimal("4800.00"),
        Decimal("4800.00"),
        None,
        Decimal("4800.00"),
        "大众点评",
        date(2025, 8, 20),
    )


def test_visit_and_treatment_days_by_hand(world):  # noqa: F811
    rows = dict(world.execute("SELECT customer_id, first_receptions FROM visit_days").fetchall())
    # Every October visit is 初诊 except D's 复诊.
    assert rows == {"A": 1, "B": 1, "C": 1, "D": 0, "E": 1}
    # Consumption in October: A 8,000 + E 9,800.
    assert world.execute("SELECT sum(consumption) FROM treatment_days").fetchone()[0] == Decimal("17800.00")


def test_customer_deals_by_hand(world):  # noqa: F811
    cols = "first_deal, last_deal, deal_days, deal_sales, first_net, lifetime_sales, first_item, channel"
    got = {r[0]: r[1:] for r in world.execute(f"SELECT customer_id, {cols} FROM customer_deals").fetchall()}
    # C never bought: no row. D: 08-20 玻尿酸 4,800, 10-10 2,000, 10-20 1,000.
    assert set(got) == {"A", "B", "D", "E"}
    assert got["D"] == (
        date(2025, 8, 20),
        date(2025, 10, 20),
        3,
        Decimal("7800.00"),
        Decimal("4800.00"),
        Decimal("7800.00"),
        "玻尿酸",
        "大众点评",
    )
    # B: one deal (3,000); the November refund day nets −1,000, no deal, but counts in lifetime sales.
    assert got["B"] == (
        date(2025, 10, 5),
        date(2025, 10, 5),
        1,
        Decimal("3000.00"),
        Decimal("3000.00"),
        Decimal("2000.00"),
        "水光针",
        "新氧",
    )
    # A: 10-02 光子嫩肤 8,000 (the top-up is no deal), 12-20 水光针 1,500.
    assert got["A"][:6] == (
        date(2025, 10, 2),
        date(2025, 12, 20),
        2,
        Decimal("9500.00"),
        Decimal("8000.00"),
        Decimal("9500.00"),
    )


def test_one_more_day_refreshes_as_a_rebuild_would(world, ws):  # noqa: F811
    # The daily case at scale: a day of orders and visits for old and new customers, and a treatment of a
    # customer with nothing else that day (E), which only the treatments batch can bring into scope.
    files = {
        "day_orders.csv": [
            ["收费日期", "顾客编号", "项目", "实收金额", "支付方式", "咨询师"],
            ["2025-12-21", "D", "水光针", "1200", "微信", "李四"],
            ["2025-12-21", "B", "水光针", "-500", "微信", "李四"],
            ["2025-12-21", "F", "光子嫩肤", "2600", "储值卡", "王五"],
        ],
        "day_visits.csv": [
            ["到院日期", "顾客编号", "就诊类型", "渠道", "现场咨询师"],
            ["2025-12-21", "D", "复诊", "大众点评", "李四"],
            ["2025-12-21", "F", "", "抖音", "王五"],
        ],
        "day_treatments.csv": [["治疗日期", "顾客编号", "项目", "消耗金额"], ["2025-12-21", "E", "双眼皮", "4900"]],
    }
    for name, rows in files.items():
        import_file(world, write_csv(ws / name, rows), clinic="本院")
    incremental = layer_rows(world)
    assert any("'F'" in r for r in incremental["order_days"]), "the new customer must reach the day tables"
    derived.rebuild(world)
    assert layer_rows(world) == incremental


def test_days_before_the_history_rewrite_what_they_change(world, ws):  # noqa: F811
    # The scoped refresh rewrites only the customer-days a batch brings, unless a customer's customer_first row
    # changes: then every row of theirs carries the old channel / first_seen and is rewritten. Each case below
    # changes one, and after each import the layer must equal a full rebuild:
    # - D's visit on 08-01 (抖音) comes before D's first order (08-20): first_seen, first_visit and the channel
    #   (D has no source channel; it was 大众点评 from the 10-10 visit) change on D's August and October rows;
    # - G has only a treatment (no customer_first row, so channel NULL in treatment_days) until an order of
    #   G arrives: G's old treatment row must get G's channel;
    # - C, who never bought, buys on 09-01, before the 10-06 visit: first_seen moves.
    steps = {
        "g_treat.csv": [["治疗日期", "顾客编号", "项目", "消耗金额"], ["2025-10-20", "G", "水光针", "900"]],
        "d_visit.csv": [
            ["到院日期", "顾客编号", "就诊类型", "渠道", "现场咨询师"],
            ["2025-08-01", "D", "", "抖音", "王五"],
        ],
        "g_c_orders.csv": [
            ["收费日期", "顾客编号", "项目", "实收金额", "支付方式", "咨询师"],
            ["2025-12-22", "G", "水光针", "900", "微信", "王五"],
            ["2025-09-01", "C", "热玛吉", "5000", "微信", "李四"],
        ],
    }
    for name, rows in steps.items():
        import_file(world, write_csv(ws / name, rows), clinic="本院")
        incremental = layer_rows(world)
        derived.rebuild(world)
        assert layer_rows(world) == incremental, f"after {name}"
    # By hand: D's August row now first seen 08-01 through 抖音; G's treatment row has G's channel (G's only
    # visit-less record: no source, no visit, no lead: unknown).
    assert _one(
        world,
        "SELECT channel, first_seen FROM order_days WHERE customer_id = 'D' AND day = $d",
        {"d": date(2025, 8, 20)},
    ) == ("抖音", date(2025, 8, 1))
    assert _one(world, "SELECT channel FROM treatment_days WHERE customer_id = 'G'", {}) == ("unknown",)


def test_item_intervals_equal_the_median_of_the_gaps(world, ws):  # noqa: F811
    # item_intervals is kept from a histogram of gaps; this is the definition it replaced (median() over every
    # customer's gaps between distinct purchase days of the item), applied after days that add gaps for old
    # buyers, a buyer's first purchase, and a second purchase on a day already counted (no new gap).
    direct = """
        WITH buys AS (SELECT DISTINCT customer_id, item, order_date AS day FROM orders
                      WHERE line_kind = 'sale' AND paid_amount > 0),
        gaps AS (SELECT item, day - lag(day) OVER (PARTITION BY customer_id, item ORDER BY day) AS gap FROM buys)
        SELECT item, count(gap), median(gap) FROM gaps GROUP BY 1 ORDER BY 1"""
    days = [
        [
            ["2025-11-10", "D", "水光针", "800"],
            ["2025-11-10", "B", "水光针", "900"],
            ["2025-11-10", "H", "肉毒素", "1"],
        ],
        [
            ["2025-12-01", "D", "水光针", "700"],
            ["2025-12-01", "D", "水光针", "100"],
            ["2025-12-05", "A", "水光针", "9"],
        ],
    ]
    for i, lines in enumerate(days):
        rows = [
            ["收费日期", "顾客编号", "项目", "实收金额", "支付方式", "咨询师"],
            *[[*r, "微信", "张三"] for r in lines],
        ]
        import_file(world, write_csv(ws / f"gaps{i}.csv", rows), clinic="本院")
        kept = world.execute("SELECT item, repeats, median_interval_days FROM item_intervals ORDER BY 1").fetchall()
        assert kept == world.execute(direct).fetchall()
    # By hand, 水光针 after both days: D 10-20 → 11-10 → 12-01 (21, 21), B 10-05 → 11-10 (36), A 12-20 → 12-05 is
    # earlier: A's days 12-05, 12-20 (15). Gaps 15, 21, 21, 36: median (21 + 21) / 2 = 21.
    assert world.execute(
        "SELECT repeats, median_interval_days FROM item_intervals WHERE item = '水光针'"
    ).fetchone() == (
        4,
        21.0,
    )


def test_customer_months_and_the_monthly_series_by_hand(world):  # noqa: F811
    rows = world.execute(
        "SELECT customer_id, net, deal_days, visited, first_seen FROM customer_months WHERE month = $m ORDER BY 1",
        {"m": date(2025, 10, 1)},
    ).fetchall()
    # October: A 8,000 (the 10,000 top-up is no sale), B 3,000, C visited and bought nothing (net NULL), D two
    # deal days (10-10 2,000, 10-20 1,000), E 9,800. Everyone visited; D first seen in August.
    d = Decimal
    assert rows == [
        ("A", d("8000.00"), 1, True, date(2025, 10, 2)),
        ("B", d("3000.00"), 1, True, date(2025, 10, 5)),
        ("C", None, 0, True, date(2025, 10, 6)),
        ("D", d("3000.00"), 2, True, date(2025, 8, 20)),
        ("E", d("9800.00"), 1, True, date(2025, 10, 15)),
    ]
    # November: B's refund only, no deal day and no visit.
    assert world.execute(
        "SELECT customer_id, net, deal_days, visited FROM customer_months WHERE month = '2025-11-01'"
    ).fetchall() == [("B", d("-1000.00"), 0, False)]
    series = run(world, "targets", "month_sales", {"start": date(2025, 8, 1), "end": date(2025, 12, 31)})
    october = series.filter(series["month"] == date(2025, 10, 1)).row(0, named=True)
    # Sales 23,800; new customers' (first seen in October: A, B, C, E) 20,800; 5 visitors, 4 buyers, 5 deal visits.
    assert (october["sales"], october["new_sales"], october["visitors"], october["buyers"], october["deal_visits"]) == (
        d("23800.00"),
        d("20800.00"),
        5,
        4,
        5,
    )


def test_customer_last_items_by_hand(world):  # noqa: F811
    rows = sorted(world.execute("SELECT customer_id, last_deal, item FROM customer_last_items").fetchall())
    # A's last deal 12-20 水光针 (not 10-02's 光子嫩肤); B's 10-05 水光针 (the 11-03 refund is no deal day and no
    # sale line); D's 10-20 水光针 (not 08-20's 玻尿酸 or 10-10's 肉毒素); E's 10-15 双眼皮; C never bought.
    assert rows == [
        ("A", date(2025, 12, 20), "水光针"),
        ("B", date(2025, 10, 5), "水光针"),
        ("D", date(2025, 10, 20), "水光针"),
        ("E", date(2025, 10, 15), "双眼皮"),
    ]


def test_the_layer_reads_equal_the_definitions_at_any_date(sample_db):
    # reactivate and predict read customer_deals and customer_last_items, and work out again only the customers
    # with a day after the as-of date; the *_from_* queries define the same answers from the days and order
    # lines alone. Equal on the data's last day (nobody late), a month before it and half-way through.
    con = connect(sample_db, read_only=True)
    try:
        cov = prepare(con)
        last, first = cov.last_day, cov.first_day
        days = (last, date(last.year, last.month, 1), first + (last - first) / 2)
        for day, clinic in ((d, c) for d in days for c in (None, "静安店")):
            p = {"until": day, "clinic": clinic}
            layer, defined = run(con, "predict", "summary", p), run(con, "predict", "summary_from_days", p)
            assert defined.height > 30
            assert layer.equals(defined), (day, clinic)
            p = {"asof": day, "clinic": clinic, "limit": 10_000}
            layer = run(con, "customers", "overdue", {**p, "ids": None})
            defined = run(con, "customers", "overdue_from_orders", p)
            assert defined.height > 0
            assert layer.equals(defined), (day, clinic)
            # With $ids: those customers' rows (and one more, carrying the count), the count unchanged.
            some = defined["customer_id"].to_list()[1:4] + ["nobody"]
            asked = run(con, "customers", "overdue", {**p, "ids": some})
            assert set(defined["customer_id"][1:4]) <= set(asked["customer_id"]) and asked.height <= 4
            assert asked["overdue_customers"].to_list() == [defined.height] * asked.height
            assert asked.join(defined, on="customer_id", how="anti").height == 0
    finally:
        con.close()
