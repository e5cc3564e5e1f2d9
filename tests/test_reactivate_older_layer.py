"""customers reactivate on a layer without customer_deals.last_items (layer 7): a lake is opened for reading
without bringing its layer up to date, so after aesops is upgraded its readers meet the older layer until the next
import. The count of overdue customers then takes the general query, with the same answer (the review found a
BinderException traceback)."""

from __future__ import annotations

import shutil

import duckdb

from aesthetic_cli.metrics.customers import reactivate


def test_without_last_items_the_overdue_count_takes_the_general_query(sample_db, tmp_path):
    copy = tmp_path / "older.duckdb"
    shutil.copy(sample_db, copy)
    # Opened with DuckDB itself, as a lake reader opens its catalog: no aesops upgrade on the way.
    con = duckdb.connect(str(copy))
    try:
        before = reactivate(con, limit=5).meta["overdue_customers"]
        con.execute("ALTER TABLE customer_deals DROP COLUMN last_items")
        after = reactivate(con, limit=5)
        assert after.meta["overdue_customers"] == before and before > 0
        assert after.tables["reactivate"].height == 5
    finally:
        con.close()
