"""Layer version 8 (issue 11, customers reactivate at 10M order lines): customer_deals.last_items, the items of
each customer's last deal day, kept by the full build and the scoped refresh alike and filled in place on a
version-7 warehouse; the count of overdue customers read from it (sql/customers.sql overdue_count_current)
against counts worked out by hand and against the count from customer_last_items (overdue_count). (The
Gamma-Gamma fit's sum over distinct (x, mx) rows: tests/test_clv_precision.py.)"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from aesthetic_cli.importer.load import import_file
from aesthetic_cli.metrics.base import prepare, run
from aesthetic_cli.warehouse import connect, derived
from tests.conftest import ORDER_HEAD, layer_rows, run_cli, write_csv

# The data ends 2025-12-31. Items with a repeat interval: 水光针 (A 2025-01-05 → 03-06 and K 2025-02-01 → 04-02:
# gaps 60 and 60, median 60 days) and 光子 (A 2025-03-06 → 2025-10-02, 210 days, and K 2025-04-02 → 2025-10-29,
# 210: median 210). 玻尿酸 never repeats: no interval.
ORDERS = [
    ORDER_HEAD,
    ["2025-01-05", "A", "水光针", "1000", "微信", "甲"],
    ["2025-03-06", "A", "水光针", "1000", "微信", "甲"],
    ["2025-03-06", "A", "光子", "2000", "微信", "甲"],
    ["2025-10-02", "A", "光子", "2000", "微信", "甲"],
    ["2025-02-01", "K", "水光针", "800", "微信", "乙"],
    ["2025-04-02", "K", "水光针", "800", "微信", "乙"],
    ["2025-04-02", "K", "光子", "1500", "微信", "乙"],
    ["2025-10-29", "K", "光子", "1500", "微信", "乙"],
    # H's last deal day (09-01) has two items: 水光针 (due 60 days on: 10-31) and 玻尿酸 (no interval).
    ["2025-09-01", "H", "玻尿酸", "5000", "微信", "甲"],
    ["2025-09-01", "H", "水光针", "900", "微信", "甲"],
    # I's last deal day (11-20) has 光子 (due 210 days on) and 水光针 (due 01-19): the soonest is 水光针.
    ["2025-11-20", "I", "光子", "1800", "微信", "甲"],
    ["2025-11-20", "I", "水光针", "900", "微信", "甲"],
    # J bought 水光针 twice on one day (two lines, one item), and a refund later nets below zero: no deal then.
    ["2025-06-10", "J", "水光针", "700", "微信", "乙"],
    ["2025-06-10", "J", "水光针", "700", "微信", "乙"],
    ["2025-12-01", "J", "水光针", "-700", "微信", "乙"],
    # L: only 玻尿酸, never due.
    ["2025-05-05", "L", "玻尿酸", "6000", "微信", "乙"],
    ["2025-12-31", "M", "光子", "1000", "微信", "乙"],
]
# By hand, customer → last_items: A 10-02 [光子]; K 10-29 [光子]; H 09-01 [水光针, 玻尿酸] (sorted); I 11-20
# [光子, 水光针]; J 06-10 [水光针] (one item however many lines); L [玻尿酸]; M [光子].
LAST_ITEMS = {
    "A": ["光子"],
    "H": ["水光针", "玻尿酸"],
    "I": ["光子", "水光针"],
    "J": ["水光针"],
    "K": ["光子"],
    "L": ["玻尿酸"],
    "M": ["光子"],
}
# One more day: H comes back on 2026-01-02 for 光子 alone; N is new with 水光针 and 玻尿酸.
DAY = [
    ORDER_HEAD,
    ["2026-01-02", "H", "光子", "1200", "微信", "甲"],
    ["2026-01-02", "N", "玻尿酸", "4000", "微信", "乙"],
    ["2026-01-02", "N", "水光针", "900", "微信", "乙"],
]


def _last_items(con) -> dict[str, list[str] | None]:
    return dict(con.execute("SELECT customer_id, last_items FROM customer_deals ORDER BY 1").fetchall())


def _counts(con, asof: date) -> tuple[int, int]:
    """(overdue_count_current, overdue_count) as of asof for every clinic."""
    current = run(con, "customers", "overdue_count_current", {"asof": asof})["overdue_customers"].item()
    general = run(con, "customers", "overdue_count", {"asof": asof, "clinic": None})["overdue_customers"].item()
    return current, general


@pytest.fixture
def world(con, ws):
    import_file(con, write_csv(ws / "orders.csv", ORDERS), clinic="本院")
    return con


def test_last_items_by_hand_full_and_scoped(world, ws):
    assert _last_items(world) == LAST_ITEMS
    import_file(world, write_csv(ws / "day.csv", DAY), clinic="本院")
    assert _last_items(world) == {**LAST_ITEMS, "H": ["光子"], "N": ["水光针", "玻尿酸"]}
    # The scoped refresh's layer is the one a full build from the facts gives.
    after = layer_rows(world)
    derived.rebuild(world)
    assert layer_rows(world) == after


def test_overdue_count_from_last_items_by_hand(world):
    assert prepare(world).last_day == date(2025, 12, 31)
    # Intervals: 水光针 60 days, 光子 210 (A's and K's gaps). As of 12-31 (the data's last day):
    #   A 10-02 [光子]: due 2026-04-30, no.  K 10-29 [光子]: due 2026-05-27, no.
    #   H 09-01 [水光针, 玻尿酸]: 水光针 due 10-31 < 12-31, overdue.  I 11-20 [光子, 水光针]: 水光针 due 2026-01-19, no.
    #   J 06-10 [水光针]: due 08-09, overdue.  L [玻尿酸]: no interval.  M 12-31 [光子]: no.
    assert _counts(world, date(2025, 12, 31)) == (2, 2)
    # After the data (a month in progress asks as of its end): 2026-01-20 puts I's 水光针 (due 01-19) past due;
    # on 01-19 itself it is not yet (due before the date).
    assert _counts(world, date(2026, 1, 19)) == (2, 2)
    assert _counts(world, date(2026, 1, 20)) == (3, 3)
    # 2026-05-01: A's 光子 (due 04-30) too; K's (05-27) not.
    assert _counts(world, date(2026, 5, 1)) == (4, 4)


def test_reactivate_counts_overdue_the_same_either_way_through_the_cli(world, ws):
    import json

    world.close()
    # On the last day and after it the count comes from last_items, before it from customer_last_items. 11-30:
    # H's 水光针 (due 10-31) and J's (08-09; J's 12-01 refund lies after the date); I's is due 2026-01-19.
    for day, want in (("2025-12-31", 2), ("2026-01-20", 3), ("2025-11-30", 2)):
        r = run_cli("customers", "reactivate", "--date", day, "--format", "json")
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)["meta"]["overdue_customers"] == want, day


def test_a_version_7_warehouse_gets_last_items_filled_in_place(ws, tmp_path, monkeypatch):
    db = tmp_path / "v7.duckdb"
    con = connect(db)
    import_file(con, write_csv(ws / "orders.csv", ORDERS), clinic="本院")
    expected = layer_rows(con)
    # As layer version 7 left it: customer_deals without last_items, the version 7.
    con.execute("ALTER TABLE customer_deals DROP COLUMN last_items")
    derived._run(con, "set_version", {"v": "7"})
    con.close()

    rebuilt = []
    monkeypatch.setattr(derived, "_rebuild_all", lambda c: rebuilt.append(c))
    con = connect(db, read_only=True)  # opening read-only upgrades once, then reads
    try:
        assert derived.version(con) == derived.LAYER_VERSION
        assert rebuilt == []  # the rest of the layer was not rebuilt
        assert _last_items(con) == LAST_ITEMS
        assert layer_rows(con) == expected
    finally:
        con.close()
    raw = duckdb.connect(str(db), read_only=True)
    assert raw.execute("SELECT value FROM layer_meta WHERE key = 'version'").fetchone()[0] == derived.LAYER_VERSION
    raw.close()
