"""The persisted semantic layer: refreshed at import, incrementally equal to a full rebuild, exact
money, and an upgrade of a first-version warehouse that loses nothing."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb

from aesthetic_cli.importer.load import import_file
from aesthetic_cli.sample.bundled import sample_files
from aesthetic_cli.warehouse import connect, derived
from tests.conftest import layer_rows, run_cli, write_csv

LAYER = derived.TABLES


def test_incremental_refresh_equals_a_full_rebuild(con):
    # Each import refreshes only what its batch touched; the result must be what a rebuild from
    # scratch gives. Customers first (a customers file rebuilds everything, which would hide a bad
    # incremental step), then the facts one file at a time, leads last so they link by phone.
    files = sorted(sample_files(), key=lambda p: (p.name != "顾客档案.xlsx", p.name == "网电线索.csv", p.name))
    for f in files:
        import_file(con, f, clinic="静安店")
    incremental = layer_rows(con)
    assert incremental["customer_days"], "the sample must give the layer something to hold"
    derived.rebuild(con)
    assert layer_rows(con) == incremental


def test_a_day_that_nets_to_zero_is_no_deal_through_the_cli(ws):
    # 0.1 + 0.2 - 0.3 is 5.55e-17 in binary floats, which counted as a deal. In cents it is 0.00.
    write_csv(
        ws / "orders.csv",
        [
            ["收费日期", "顾客编号", "项目", "实收金额"],
            ["2026-03-02", "Z1", "水光针", "0.1"],
            ["2026-03-02", "Z1", "水光针", "0.2"],
            ["2026-03-02", "Z1", "水光针", "-0.3"],
            ["2026-03-03", "Z2", "肉毒素", "100.10"],
            ["2026-03-03", "Z2", "肉毒素", "0.20"],
        ],
    )
    write_csv(ws / "visits.csv", [["到院日期", "顾客编号"], ["2026-03-02", "Z1"], ["2026-03-03", "Z2"]])
    assert run_cli("import", "orders.csv", "visits.csv").exit_code == 0
    out = run_cli("funnel", "--month", "2026-03", "--format", "json")
    assert out.exit_code == 0, out.output
    row = json.loads(out.stdout)["kpis"][0]
    # By hand: Z1 nets 0.00 (no deal), Z2 nets 100.30 (one deal). Buyers 1, deal visits 1.
    assert row["buyers"] == 1 and row["deal_visits"] == 1
    assert row["sales"] == 100.30


def test_levers_recomputed_from_the_json_give_sales_to_the_cent(sample_db, monkeypatch):
    monkeypatch.setenv("AESOPS_DB", str(sample_db))
    for by in ("channel", "consultant", "clinic", "department"):
        out = run_cli("funnel", "--by", by, "--format", "json")
        assert out.exit_code == 0, out.output
        rows = json.loads(out.stdout)["kpis"]
        checked = 0
        for r in rows:
            if r["deal_visits"] and r["visitors"]:
                product = r["visitors"] * r["close_rate"] * r["ticket"] * r["frequency"]
                assert Decimal(f"{product:.2f}") == Decimal(str(r["sales"])), (by, r)
                checked += 1
        assert checked


def test_a_first_version_warehouse_is_upgraded_once_with_nothing_lost(tmp_path: Path):
    db = tmp_path / "v1.duckdb"
    old = duckdb.connect(str(db))
    old.execute((Path(__file__).parent / "data" / "schema_v1.sql").read_text(encoding="utf-8"))
    old.execute(
        "INSERT INTO orders (order_date, customer_id, item, paid_amount, clinic, line_kind, stored_value,"
        " row_key, batch_id, source_row) VALUES ('2025-01-02', 'C1', 'x', 0.1, '本院', 'sale', false, 1, 1, 2),"
        " ('2025-01-02', 'C1', 'x', 0.2, '本院', 'sale', false, 2, 1, 3),"
        " ('2025-01-02', 'C1', 'x', -0.3, '本院', 'refund', false, 3, 1, 4)"
    )
    old.execute("INSERT INTO items VALUES ('x', '皮肤科', NULL, 1280.5, 300.25, NULL, 1, 2)")
    old.close()

    con = connect(db, read_only=True)  # a reader upgrades it too (briefly taking write access)
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders'"
        ).fetchall()
    )
    assert types["paid_amount"] == "DECIMAL(18,2)"
    assert con.execute("SELECT sum(paid_amount) FROM orders").fetchone()[0] == Decimal("0.00")
    assert con.execute("SELECT count(*) FROM orders").fetchone()[0] == 3
    assert con.execute("SELECT list_price, unit_cost FROM items").fetchone() == (Decimal("1280.50"), Decimal("300.25"))
    assert con.execute("SELECT net FROM customer_days").fetchone()[0] == Decimal("0.00")
    assert derived.version(con) == derived.LAYER_VERSION
    con.close()


def test_identifiers_reach_sql_only_from_their_allowed_set():
    import pytest

    from aesthetic_cli.sqlfiles import with_identifiers

    assert with_identifiers("SELECT {g} FROM t", g=("g_channel", {"g_channel"})) == "SELECT g_channel FROM t"
    with pytest.raises(ValueError):
        with_identifiers("SELECT {g} FROM t", g=("1; DROP TABLE orders", {"g_channel"}))
