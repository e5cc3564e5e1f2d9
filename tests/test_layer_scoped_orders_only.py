"""A refresh of batches that brought only orders or treatments (one more day of charges) works customer_first
out from its old rows and reads the scope's visits and treatments only for the days it rewrites
(derived._stage_light). Each case below is one such day into two warehouses fed the same files, one always
rebuilt in full and one always refreshed through the scoped path: after every file the two layers are equal
table for table, and the day went through the branch it is there to exercise."""

from __future__ import annotations

import pytest

from aesthetic_cli.importer.load import import_file
from aesthetic_cli.warehouse import connect, derived
from tests.conftest import ORDER_HEAD, layer_rows, run_cli, write_csv

# The history. P: a record without source channel, linked by phone to a 小红书 lead. S: a record with a
# source channel. V: first visit 10-01 through 大众点评 and another visit on 10-25. W: a line on 10-01, a
# visit on 10-28. B: a refund-only day on 10-10. L: a lead naming them and nothing else. T: treatments only
# (no customer_first row).
HISTORY = [
    (
        "customers.csv",
        [
            ["顾客编号", "姓名", "手机号", "来源渠道"],
            ["P", "王小美", "13812345678", ""],
            ["S", "李四", "13900001111", "抖音"],
        ],
    ),
    (
        "leads.csv",
        [
            ["咨询日期", "渠道", "手机号", "顾客编号"],
            ["2025-09-01", "小红书", "13812345678", ""],
            ["2025-09-03", "新氧", "", "L"],
            ["2025-09-04", "美团", "", "L"],
        ],
    ),
    (
        "visits.csv",
        [
            ["到院日期", "顾客编号", "就诊类型", "渠道", "现场咨询师"],
            ["2025-10-01", "V", "初诊", "大众点评", "王五"],
            ["2025-10-25", "V", "复诊", "", "王五"],
            ["2025-10-02", "A", "初诊", "抖音", "赵六"],
            ["2025-10-28", "W", "初诊", "美团", "王五"],
        ],
    ),
    (
        "orders.csv",
        [
            ORDER_HEAD,
            ["2025-10-02", "A", "光子嫩肤", "8000", "微信", "赵六"],
            ["2025-10-03", "S", "水光针", "3000", "微信", "李四"],
            ["2025-10-04", "V", "水光针", "2000", "微信", "王五"],
            ["2025-10-04", "P", "水光针", "1000", "微信", "李四"],
            ["2025-10-10", "B", "水光针", "-500", "微信", "李四"],
            ["2025-10-01", "W", "水光针", "400", "微信", "王五"],
        ],
    ),
    (
        "treatments.csv",
        [
            ["治疗日期", "顾客编号", "项目", "消耗金额"],
            ["2025-10-05", "T", "光子嫩肤", "900"],
            ["2025-10-12", "A", "光子嫩肤", "1000"],
        ],
    ),
]
# One day each; what it exercises, and the staging queries that day must (and must not) run.
DAYS = [
    (
        # B's refund-only day becomes a deal; V buys on a day of a month with a later visit and W on one
        # whose only visit comes after it (customer_months' visited flag comes from the window of visits);
        # L (a lead only) and T (treatments only) buy for the first time: new customer_first rows, L's
        # channel from the lead, T's treatment days rewritten whole.
        "day1.csv",
        [
            ORDER_HEAD,
            ["2025-10-10", "B", "水光针", "1000", "微信", "李四"],
            ["2025-10-10", "V", "水光针", "1500", "微信", "王五"],
            ["2025-10-10", "L", "光子嫩肤", "6000", "微信", "李四"],
            ["2025-10-10", "T", "光子嫩肤", "5000", "微信", "李四"],
            ["2025-10-10", "W", "水光针", "1000", "微信", "王五"],
        ],
        # W's and V's 水光针 days come after their earlier ones: item_gaps is only appended to, not read.
        {"stage_light_first", "stage_light_leads", "stage_window_visits", "stage_scoped_treatments"},
        {"stage_scoped_visits", "stage_scoped_customers", "intervals_rewritten"},
    ),
    (
        # Existing customers only, nothing of customer_first changes: both windows; A's repeat buy (a gap), and
        # a second line on A's first purchase day of the same item (no new gap: the day was bought already).
        "day2.csv",
        [
            ORDER_HEAD,
            ["2025-10-20", "A", "光子嫩肤", "7000", "微信", "赵六"],
            ["2025-10-02", "A", "光子嫩肤", "500", "微信", "赵六"],
            ["2025-10-20", "P", "水光针", "-200", "微信", "李四"],
        ],
        {"stage_window_visits", "stage_window_treatments", "stage_scoped_no_leads"},
        {
            "stage_scoped_visits",
            "stage_scoped_treatments",
            "stage_light_leads",
            "stage_scoped_customers",
            "intervals_rewritten",
        },
    ),
    (
        # A line dated before V's first visit: V's first_seen moves, so every day of V's is rewritten and
        # every visit of V's read. V's 水光针 day comes before V's earlier-imported ones (10-04, 10-10): the
        # 10-04 gap changes, so V's item_gaps rows are replaced; W's later day in the same batch is appended.
        "day3.csv",
        [
            ORDER_HEAD,
            ["2025-09-15", "V", "水光针", "800", "微信", "王五"],
            ["2025-10-30", "W", "水光针", "300", "微信", "王五"],
        ],
        {"stage_scoped_visits", "stage_scoped_treatments", "intervals_rewritten"},
        {"stage_window_visits", "stage_scoped_customers"},
    ),
    (
        # Treatments only.
        "day4.csv",
        [["治疗日期", "顾客编号", "项目", "消耗金额"], ["2025-10-26", "A", "光子嫩肤", "1000"]],
        {"stage_light_first", "stage_window_visits", "stage_window_treatments"},
        {"stage_scoped_visits", "stage_scoped_customers"},
    ),
    (
        # A visit: customer_first is made from the facts again (the path before this one).
        "day5.csv",
        [["到院日期", "顾客编号", "就诊类型", "渠道", "现场咨询师"], ["2025-10-27", "L", "复诊", "", "王五"]],
        {"stage_scoped_visits", "stage_scoped_customers"},
        {"stage_light_first", "stage_window_visits"},
    ),
]


@pytest.fixture
def queries_run(monkeypatch):
    """The names of the layer's queries run, in order (the real ones run)."""
    names: list[str] = []
    real = derived._run

    def spy(con, name, params=None):
        names.append(name)
        real(con, name, params)

    monkeypatch.setattr(derived, "_run", spy)
    return names


def test_each_day_refreshed_in_scope_equals_a_full_build(ws, monkeypatch, queries_run):
    full_db, scoped_db = connect(ws / "full.duckdb"), connect(ws / "scoped.duckdb")
    try:
        for name, rows in HISTORY:
            _import_both(ws, full_db, scoped_db, name, rows, monkeypatch)
        for name, rows, must, must_not in DAYS:
            queries_run.clear()
            monkeypatch.setattr(derived, "FULL_BUILD_SHARE", 2.0)
            import_file(scoped_db, write_csv(ws / name, rows), clinic="本院")
            ran = set(queries_run)
            assert must <= ran and not (must_not & ran), (name, sorted(ran))
            monkeypatch.setattr(derived, "FULL_BUILD_SHARE", 0.0)
            import_file(full_db, ws / name, clinic="本院")
            assert layer_rows(scoped_db) == layer_rows(full_db), name
            if name == "day1.csv":
                _day1_by_hand(scoped_db)
        # V's first_seen, by hand: the 09-15 line comes before the 10-01 visit; the channel stays the visit's.
        v = "SELECT first_seen::VARCHAR, first_visit::VARCHAR, channel FROM customer_first WHERE customer_id = 'V'"
        assert scoped_db.execute(v).fetchone() == ("2025-09-15", "2025-10-01", "大众点评")
        # The gaps by hand: V's 水光针 days 09-15, 10-04, 10-10 (19 and 6 days), W's 10-01, 10-10, 10-30 (9, 20),
        # A's 光子嫩肤 10-02 (twice), 10-20 (18); NULL marks each one's first purchase.
        gaps = "SELECT customer_id, item, gap FROM item_gaps WHERE customer_id IN ('A', 'V', 'W') ORDER BY ALL"
        assert scoped_db.execute(gaps).fetchall() == [
            ("A", "光子嫩肤", 18),
            ("A", "光子嫩肤", None),
            ("V", "水光针", 6),
            ("V", "水光针", 19),
            ("V", "水光针", None),
            ("W", "水光针", 9),
            ("W", "水光针", 20),
            ("W", "水光针", None),
        ]
    finally:
        full_db.close()
        scoped_db.close()


def _day1_by_hand(con) -> None:
    # B on 10-10: -500 + 1000 = 500 net, a deal (the refund-only day was none); first deal 10-10.
    assert con.execute("SELECT net FROM customer_days WHERE customer_id = 'B'").fetchall() == [(500,)]
    assert con.execute("SELECT first_deal::VARCHAR FROM customer_deals WHERE customer_id = 'B'").fetchone() == (
        "2025-10-10",
    )
    # L: first seen on the order, channel the earliest lead naming them (新氧 09-03 before 美团 09-04).
    # T: first seen on the order (treatments give no customer_first row), no lead: unknown, on T's treatment
    # day of 10-05 too.
    first = "SELECT customer_id, first_seen::VARCHAR, channel FROM customer_first WHERE customer_id IN ('L', 'T')"
    assert sorted(con.execute(first).fetchall()) == [("L", "2025-10-10", "新氧"), ("T", "2025-10-10", "unknown")]
    assert con.execute("SELECT channel FROM treatment_days WHERE customer_id = 'T'").fetchall() == [("unknown",)]
    # V visited in October (10-01, 10-25) and bought on 10-04 and 10-10: one October row, visited.
    months = "SELECT month::VARCHAR, net, deal_days, visited FROM customer_months WHERE customer_id = 'V'"
    assert con.execute(months).fetchall() == [("2025-10-01", 3500, 2, True)]
    # W bought on 10-01 and 10-10 and visited on 10-28 only: October is a visited month all the same.
    assert con.execute(months.replace("'V'", "'W'")).fetchall() == [("2025-10-01", 1400, 2, True)]


def _import_both(ws, full_db, scoped_db, name, rows, monkeypatch) -> None:
    path = write_csv(ws / name, rows)
    for db, share in ((full_db, 0.0), (scoped_db, 2.0)):
        monkeypatch.setattr(derived, "FULL_BUILD_SHARE", share)
        import_file(db, path, clinic="本院")


def test_one_more_day_of_orders_through_the_cli_equals_a_rebuild(ws):
    for name, rows in HISTORY:
        assert run_cli("import", str(write_csv(ws / name, rows))).exit_code == 0
    # A day small against the history (under FULL_BUILD_SHARE of its rows), so the scoped path takes it.
    more = [ORDER_HEAD, ["2025-10-21", "S", "水光针", "1200", "微信", "李四"]]
    assert run_cli("import", str(write_csv(ws / "more.csv", more))).exit_code == 0
    con = connect(ws / "aesops.duckdb")
    try:
        after = layer_rows(con)
        derived.rebuild(con)
        assert layer_rows(con) == after
        # S's deals by hand: 10-03 (3000) and 10-21 (1200).
        deals = "SELECT first_deal::VARCHAR, last_deal::VARCHAR, deal_days, deal_sales FROM customer_deals"
        assert con.execute(deals + " WHERE customer_id = 'S'").fetchone() == ("2025-10-03", "2025-10-21", 2, 4200)
    finally:
        con.close()
