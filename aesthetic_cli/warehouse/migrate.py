"""Upgrades of warehouses written by older versions of aesops, applied once, nothing lost."""

from __future__ import annotations

from aesthetic_cli.sqlfiles import Fragment, per_column, query, script, with_fragments, with_identifiers

# Version 1 stored money as DOUBLE. DECIMAL(18, 2) keeps every amount exact to the cent; the cast
# rounds each stored double to its nearest cent, which is what the exports said.
MONEY = {
    "orders": ("paid_amount", "list_amount"),
    "treatments": ("consumed_amount",),
    "spend": ("amount",),
    "cards": ("recharge_total", "bonus_total", "balance"),
    "items": ("list_price", "unit_cost"),
}


def upgrade(con) -> None:
    types = {(t, c): d for t, c, d in con.execute(query("migrate", "column_types")).fetchall()}
    for table, columns in MONEY.items():
        if any(types.get((table, c), "DECIMAL").startswith("DOUBLE") for c in columns):
            _rebuild_table(con, table)


def _rebuild_table(con, table: str) -> None:
    # DuckDB cannot change a column's type on a table with a primary key, so the table is rebuilt
    # with today's definition (schema.sql) and its rows copied over, cast to the new types.
    # `table` comes from MONEY above, never from a user.
    con.execute(with_identifiers(query("migrate", "set_aside"), table=(table, MONEY)))
    con.execute(script("schema"))
    cols = [r[0] for r in con.execute(query("migrate", "old_columns"), {"t": f"{table}_v1"}).fetchall()]
    names = per_column(query("migrate", "quoted"), cols, cols)
    copy = with_identifiers(query("migrate", "copy_back"), table=(table, MONEY))
    con.execute(with_fragments(copy, cols=Fragment(names)))
    con.execute(with_identifiers(query("migrate", "drop_old"), table=(table, MONEY)))
