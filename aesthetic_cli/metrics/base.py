"""Shared plumbing for every metric: the data's coverage, safe ratios, grouping columns, named queries."""

from __future__ import annotations

from aesthetic_cli.errors import UsageError
from aesthetic_cli.lazy_polars import pl
from aesthetic_cli.sqlfiles import query, with_identifiers
from aesthetic_cli.warehouse.derived import Coverage, coverage

GROUPS = {
    "all": "g_all",
    "clinic": "g_clinic",
    "channel": "g_channel",
    "consultant": "g_consultant",
    "department": "g_department",
}


def prepare(con) -> Coverage:
    """The dates the data covers. The semantic layer is already built: the warehouse keeps it
    current at every import (warehouse/derived.py), so analyses only read."""
    return coverage(con)


def group_column(by: str | None) -> str:
    key = by or "all"
    if key not in GROUPS:
        raise UsageError(
            f"--by '{by}' is not a grouping aesops knows.",
            hint=f"Use one of: {', '.join(k for k in GROUPS if k != 'all')}.",
        )
    return GROUPS[key]


def ratio(num: str, den: str) -> pl.Expr:
    """num / den, or null when the denominator is zero or missing: never infinity. A ratio is a
    binary float at full precision; the money it is computed from stays exact."""
    n, d = pl.col(num).cast(pl.Float64), pl.col(den).cast(pl.Float64)
    return pl.when(d > 0).then(n / pl.when(d > 0).then(d).otherwise(None)).otherwise(None)


def run(con, stem: str, name: str, params: dict, *, g: str | None = None) -> pl.DataFrame:
    """A named query with bound parameters; g, when the query groups by {g}, is one of GROUPS' columns."""
    sql = query(stem, name)
    if g is not None:
        sql = with_identifiers(sql, g=(g, set(GROUPS.values())))
    return frame(con, sql, params)


def frame(con, sql: str, params: dict | None = None) -> pl.DataFrame:
    """A query's rows as a Polars frame through the Arrow C stream interface. DuckDB's .pl() goes through
    pyarrow, whose import alone costs an analysis about half a second of start-up; and a relation made
    with parameters is run once when made and again when streamed. So the rows are kept in a temporary
    table (sql/frames.sql) and that is streamed: one run, no pyarrow, the same frame."""
    # `sql` is a named query from aesthetic_cli/sql, never text from a user; its values stay bound.
    con.execute(query("frames", "keep").replace("{query}", sql.rstrip().rstrip(";")), params or None)
    try:
        return pl.DataFrame(con.sql(query("frames", "read")))
    finally:
        con.execute(query("frames", "drop"))
