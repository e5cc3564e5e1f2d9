"""The warehouse: one DuckDB file per workspace (connection), the persisted semantic layer every
analysis reads (derived), and upgrades of older warehouses (migrate)."""

from __future__ import annotations

from aesthetic_cli.warehouse.connection import connect, connect_waiting
from aesthetic_cli.warehouse.derived import Coverage, coverage, rebuild, refresh

FACT_TABLES = ("leads", "visits", "orders", "treatments", "spend")
DIMENSION_TABLES = ("customers", "cards", "items", "staff")


def drop_derived(con) -> None:
    """After facts change outside an import (a dropped batch): rebuild the whole layer."""
    rebuild(con)


__all__ = [
    "DIMENSION_TABLES",
    "FACT_TABLES",
    "Coverage",
    "connect",
    "connect_waiting",
    "coverage",
    "drop_derived",
    "rebuild",
    "refresh",
]
