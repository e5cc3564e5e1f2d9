"""Rollups over the semantic layer (sql/rollups.sql): month_totals (a whole month's headline KPIs) and
day_sales (net sales per day), read by funnel/targets instead of grouping a month's or a year's
customer-days. Refreshed by warehouse/derived.py in the import's transaction, after the layer tables they
are computed from: in full after a full rebuild, else only the months and days of the dirty customer-days.

A warehouse of layer version 6 (the layer without these) gets only these tables built when it is opened
(derived.upgrade_in_place), not the whole layer rebuilt (at 10M order lines that took about 16 minutes)."""

from __future__ import annotations

import contextlib

import duckdb

from aesthetic_cli.sqlfiles import execute_all, query

TABLES = ("month_totals", "day_sales")
# The layer version whose tables are all there but these: upgraded by building these alone.
WITHOUT_ROLLUPS = "6"


def _run(con, name: str, params: dict | None = None) -> None:
    execute_all(con, query("rollups", name), params)


def create(con) -> None:
    _run(con, "create_tables")


def rebuild(con) -> None:
    """Every month and day from the layer tables (after a full rebuild of them)."""
    create(con)
    _run(con, "clear")
    _run(con, "all_months")
    _replace(con)


def refresh_dirty(con) -> None:
    """The months and days of the scoped refresh's dirty customer-days (temp table layer_dirty), after the
    day tables and customer_months have been rewritten for them."""
    _run(con, "dirty_months")
    _replace(con)


def _replace(con) -> None:
    try:
        lo, hi = con.execute(query("rollups", "span")).fetchone()
        if lo is not None:
            _run(con, "replace_months", {"lo": lo, "hi": hi})
            _run(con, "replace_days", {"lo": lo, "hi": hi})
    except BaseException:
        # An aborted transaction refuses the drop; the ROLLBACK takes the temp tables, and the error to report (an
        # OutOfMemoryException that memory.or_with_more_room retries) must not be replaced by the drop's.
        with contextlib.suppress(duckdb.Error):
            _run(con, "close")
        raise
    _run(con, "close")
