"""The DuckDB warehouse: open it (creating the schema), and report a lock held by another process."""

from __future__ import annotations

from pathlib import Path

import duckdb

from aesthetic_cli.errors import LockedError, WorkspaceError
from aesthetic_cli.sqlfiles import script

FACT_TABLES = ("leads", "visits", "orders", "treatments", "spend")
DIMENSION_TABLES = ("customers", "cards", "items", "staff")
# Per-connection temp tables derived from the facts (sql/base.sql), in the order they are built.
DERIVED_TABLES = ("customer_phone", "customer_first", "order_facts", "visit_facts", "treatment_facts", "customer_days",
                  "attributed_days", "item_intervals")


DERIVED_VIEWS = ("order_facts", "visit_facts", "treatment_facts")


def drop_derived(con) -> None:
    """Forget the derived tables after the facts change, so the next question rebuilds them."""
    for name in reversed(DERIVED_TABLES):
        kind = "VIEW" if name in DERIVED_VIEWS else "TABLE"
        con.execute(f"DROP {kind} IF EXISTS temp.{name}")


def connect(db_path: Path, *, read_only: bool = False, create: bool = True) -> duckdb.DuckDBPyConnection:
    if not db_path.exists():
        if read_only or not create:
            raise WorkspaceError(
                f"The warehouse {db_path} does not exist yet.",
                hint="Run `aesops init` and `aesops import FILE...` first.",
            )
        db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db_path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise LockedError(
                f"The warehouse {db_path} is in use by another aesops process.",
                hint="Wait for the other import or report to finish (cron jobs included) and try again.",
            ) from None
        raise WorkspaceError(f"The warehouse {db_path} cannot be opened: {exc}") from None
    except duckdb.Error as exc:
        raise WorkspaceError(
            f"{db_path} is not an aesops warehouse or is damaged: {exc}",
            hint="Point --db at the right file, or move this one away and re-import.",
        ) from None
    if not read_only:
        con.execute(script("schema"))
    return con
