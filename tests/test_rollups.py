"""The rollups (warehouse/rollups.py: month_totals, day_sales) equal plain queries over the raw facts after a
first import, after one more day that also changes earlier months (an earlier first visit moves a customer's
first_seen, so their earlier months turn from old to new), and after the same file imported again; and a
version-6 warehouse gets them built when opened, without the rest of the layer being rebuilt."""

from __future__ import annotations

from datetime import date

import duckdb

from aesthetic_cli.importer.load import import_file
from aesthetic_cli.sqlfiles import with_identifiers
from aesthetic_cli.warehouse import connect, derived, rollups
from tests.conftest import ORDER_HEAD, write_csv
from tests.test_query_shortcuts import GROUPS, PLAIN_KPIS

# month_totals' columns in the plain query's order (tests/test_query_shortcuts.PLAIN_KPIS).
MONTH_COLUMNS = (
    "sales, new_sales, cash_in, consumption, visitors, new_visitors, buyers, new_buyers, deal_visits,"
    " buyers_without_visit"
)


def _plain_months(con) -> dict[date, tuple]:
    """Every month with an order line, visit or treatment, by the plain count(DISTINCT) query."""
    months = [
        m
        for (m,) in con.execute(
            "SELECT DISTINCT date_trunc('month', d)::DATE FROM (SELECT order_date AS d FROM orders UNION ALL "
            "SELECT visit_date FROM visits UNION ALL SELECT treatment_date FROM treatments) ORDER BY 1"
        ).fetchall()
    ]
    sql = with_identifiers(PLAIN_KPIS, g=("g_all", set(GROUPS.values())))
    out = {}
    for m in months:
        end = con.execute("SELECT last_day($m::DATE)", {"m": m}).fetchone()[0]
        (row,) = con.execute(sql, {"start": m, "end": end, "clinic": None}).fetchall()
        out[m] = tuple(row[1:])
    return out


def _plain_days(con) -> dict[date, object]:
    q = "SELECT order_date, sum(paid_amount) FROM orders WHERE line_kind <> 'topup' GROUP BY 1"
    return dict(con.execute(q).fetchall())


def _check(con) -> None:
    ours = {r[0]: tuple(r[1:]) for r in con.execute(f"SELECT month, {MONTH_COLUMNS} FROM month_totals").fetchall()}
    assert ours == _plain_months(con)
    assert con.execute("SELECT count(*) FROM month_totals").fetchone()[0] == len(ours)  # one row per month
    assert dict(con.execute("SELECT day, net FROM day_sales").fetchall()) == _plain_days(con)


def _files(ws):
    return {
        "customers.csv": [["顾客编号", "来源渠道"], ["A", "抖音"], ["B", "新氧"], ["C", ""]],
        "visits.csv": [
            ["到院日期", "顾客编号", "就诊类型", "渠道", "现场咨询师"],
            ["2025-10-02", "A", "初诊", "抖音", "张三"],
            ["2025-10-05", "B", "初诊", "新氧", "李四"],
            ["2025-11-06", "C", "", "大众点评", "李四"],
        ],
        "orders.csv": [
            ORDER_HEAD,
            ["2025-10-02", "A", "储值卡充值", "10000", "微信", "张三"],
            ["2025-10-02", "A", "光子嫩肤", "8000", "储值卡", "张三"],
            ["2025-10-05", "B", "水光针", "3000", "微信", "李四"],
            ["2025-11-03", "B", "水光针", "-1000", "微信", "李四"],
            ["2025-11-06", "C", "肉毒素", "2000", "微信", "李四"],
            ["2025-12-20", "A", "水光针", "1500", "微信", "张三"],
            ["2025-12-21", "C", "水光针", "0.1", "微信", "李四"],
            ["2025-12-21", "C", "水光针", "-0.1", "微信", "李四"],
        ],
    }


def test_rollups_equal_plain_queries_after_each_import(con, ws):
    for name, rows in _files(ws).items():
        write_csv(ws / name, rows)
        import_file(con, ws / name, clinic="静安店")
    _check(con)
    # By hand for 2025-11: B's refund −1,000 (a day netting below zero: no deal), C's first order 2,000 (new:
    # first seen 11-06). Sales 1,000, new sales 2,000, buyers 1 (C), visitors 1 (C), deal visits 1.
    nov = con.execute(
        "SELECT sales, new_sales, buyers, visitors, deal_visits FROM month_totals WHERE month = '2025-11-01'"
    ).fetchone()
    assert tuple(map(float, nov)) == (1000.0, 2000.0, 1.0, 1.0, 1.0)
    # 2025-12-21 nets to 0.00: a day_sales row of zero, and no deal in December's totals for C.
    assert con.execute("SELECT net FROM day_sales WHERE day = '2025-12-21'").fetchone()[0] == 0

    # One more day (2026-01-04: a sale of A's) and, in the same visits file, C's earlier first visit
    # (2025-09-30): C's first_seen moves to September, so November's new sales and buyers drop to 0.
    write_csv(
        ws / "more_orders.csv",
        [
            ORDER_HEAD,
            ["2026-01-04", "A", "水光针", "1500", "微信", "张三"],
        ],
    )
    write_csv(
        ws / "more_visits.csv",
        [["到院日期", "顾客编号", "就诊类型", "渠道", "现场咨询师"], ["2025-09-30", "C", "初诊", "大众点评", "李四"]],
    )
    import_file(con, ws / "more_orders.csv", clinic="静安店")
    import_file(con, ws / "more_visits.csv", clinic="静安店")
    _check(con)
    nov = con.execute("SELECT new_sales, new_buyers FROM month_totals WHERE month = '2025-11-01'").fetchone()
    assert (float(nov[0]), nov[1]) == (0.0, 0)
    assert con.execute("SELECT count(*) FROM month_totals WHERE month = '2026-01-01'").fetchone()[0] == 1

    # The same file again: nothing new, the rollups as they were and still equal to the facts.
    before = con.execute("SELECT * FROM month_totals ORDER BY month").fetchall()
    import_file(con, ws / "more_orders.csv", clinic="静安店")
    _check(con)
    assert con.execute("SELECT * FROM month_totals ORDER BY month").fetchall() == before


def test_a_version_6_warehouse_gets_only_the_rollups_built(ws, tmp_path, monkeypatch):
    db = tmp_path / "v6.duckdb"
    con = connect(db)
    for name, rows in _files(ws).items():
        write_csv(ws / name, rows)
        import_file(con, ws / name, clinic="静安店")
    expected = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in rollups.TABLES}
    # As layer version 6 left it: no rollup tables, the version 6.
    for t in rollups.TABLES:
        con.execute(f"DROP TABLE {t}")
    derived._run(con, "set_version", {"v": "6"})
    con.close()

    rebuilt = []
    monkeypatch.setattr(derived, "_rebuild_all", lambda c: rebuilt.append(c))
    con = connect(db, read_only=True)  # opening read-only upgrades once, then reads
    try:
        assert derived.version(con) == derived.LAYER_VERSION
        assert rebuilt == []  # the rest of the layer was not rebuilt
        for t in rollups.TABLES:
            assert con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() == expected[t]
        _check(con)
    finally:
        con.close()
    # And only once: the next open finds the current version.
    raw = duckdb.connect(str(db), read_only=True)
    assert raw.execute("SELECT value FROM layer_meta WHERE key = 'version'").fetchone()[0] == derived.LAYER_VERSION
    raw.close()
