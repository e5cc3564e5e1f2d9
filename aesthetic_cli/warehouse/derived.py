"""The persisted semantic layer (sql/derived.sql): created once, refreshed inside each import's
transaction, read by every analysis. A refresh after an import rebuilds only the customers and
items the batch touched, so one more day into a 10M-line warehouse does not cost a full rebuild."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from aesthetic_cli.sqlfiles import query

# Bumped whenever derived.sql or the fact schema changes shape; an older warehouse is upgraded once.
LAYER_VERSION = "4"
TABLES = (
    "customer_phone",
    "customer_first",
    "customer_days",
    "attributed_days",
    "item_intervals",
    "order_days",
    "visit_days",
    "treatment_days",
    "customer_deals",
    "customer_last_items",
)
VIEWS = (
    "order_facts",
    "visit_facts",
    "treatment_facts",
    "order_day_facts",
    "visit_day_facts",
    "treatment_day_facts",
    "order_lines",
)
# Datasets that rebuild everything: customers feed customer_phone (a change can relink any lead), items
# the departments carried by every day table. Both are small catalogues, rarely imported.
_GLOBAL = {"customers", "items"}
# Datasets that touch no derived table (the analyses read them directly).
_NONE = {"spend", "cards", "staff"}
# In dependency order: customer_first feeds the day tables, customer_days feeds customer_deals, which
# feeds customer_last_items.
_REFRESH = (
    "refresh_first",
    "refresh_days",
    "refresh_attributed",
    "refresh_intervals",
    "refresh_order_days",
    "refresh_visit_days",
    "refresh_treatment_days",
    "refresh_customer_deals",
    "refresh_last_items",
)


@dataclass(frozen=True)
class Coverage:
    first_day: date | None
    last_day: date | None

    def covers(self, start: date) -> bool:
        return self.first_day is not None and self.first_day <= start


def _statements(name: str) -> list[str]:
    return [s.strip() for s in query("derived", name).split(";\n") if s.strip() and not _only_comments(s)]


def _only_comments(sql: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in sql.splitlines())


def _run(con, name: str, params: dict | None = None) -> None:
    for stmt in _statements(name):
        used = {k: v for k, v in (params or {}).items() if re.search(rf"\${k}\b", stmt)}
        con.execute(stmt, used) if used else con.execute(stmt)


def create(con) -> None:
    """The layer's tables and views, empty; idempotent."""
    _run(con, "create_tables")
    _run(con, "create_views")


def version(con) -> str | None:
    if not con.execute(query("derived", "has_layer")).fetchone()[0]:
        return None
    row = con.execute(query("derived", "version")).fetchone()
    return row[0] if row else None


def refresh(con, *, batch_id: int | None = None, dataset: str | None = None) -> None:
    """Bring the layer up to date with the facts; call inside the transaction that changed them.

    With a batch, only what that batch touched is rebuilt; without one, everything."""
    if batch_id is not None and dataset in _NONE:
        return
    full = batch_id is None or dataset in _GLOBAL
    _run(con, "scope_open")
    try:
        if not full:
            _run(con, "scope_from_batch", {"batch": batch_id})
            _run(con, "items_from_batch", {"batch": batch_id})
        if full:
            _run(con, "refresh_phone")
        params = {"all": full}
        for name in _REFRESH:
            _run(con, name, params)
        _run(con, "refresh_coverage")
        _run(con, "set_version", {"v": LAYER_VERSION})
    finally:
        _run(con, "scope_close")


def rebuild(con) -> None:
    """Everything from the facts: a new warehouse, an upgrade, or a dropped batch."""
    refresh(con)


def coverage(con) -> Coverage:
    rows = dict(con.execute(query("derived", "read_coverage")).fetchall())

    def day(key: str) -> date | None:
        return date.fromisoformat(rows[key]) if rows.get(key) else None

    return Coverage(day("first_day"), day("last_day"))
