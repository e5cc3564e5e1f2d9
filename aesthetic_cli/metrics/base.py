"""Shared plumbing for every metric: the base views, the data's coverage, safe ratios, grouping columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from aesthetic_cli.errors import UsageError
from aesthetic_cli.sqlfiles import query, script
from aesthetic_cli.warehouse import DERIVED_TABLES

GROUPS = {"all": "g_all", "clinic": "g_clinic", "channel": "g_channel", "consultant": "g_consultant",
          "department": "g_department"}


@dataclass(frozen=True)
class Coverage:
    first_day: date | None
    last_day: date | None

    def covers(self, start: date) -> bool:
        return self.first_day is not None and self.first_day <= start


def prepare(con) -> Coverage:
    """Build the derived temp tables once per connection and return the dates the data covers."""
    built = con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = $t",
                        {"t": DERIVED_TABLES[-1]}).fetchone()[0]
    if not built:
        con.execute(script("base"))
    first, last = con.execute(query("kpis", "coverage")).fetchone()
    return Coverage(first, last)


def group_column(by: str | None) -> str:
    key = by or "all"
    if key not in GROUPS:
        raise UsageError(f"--by '{by}' is not a grouping aesops knows.",
                         hint=f"Use one of: {', '.join(k for k in GROUPS if k != 'all')}.")
    return GROUPS[key]


def ratio(num: str, den: str) -> pl.Expr:
    """num / den, or null when the denominator is zero or missing: never infinity."""
    return pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den)).otherwise(None)


def run(con, stem: str, name: str, params: dict, **fmt) -> pl.DataFrame:
    sql = query(stem, name)
    if fmt:
        sql = sql.replace("{g}", fmt["g"])
    return con.execute(sql, params).pl()
