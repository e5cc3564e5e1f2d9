"""Upgrades of warehouses written by older versions of aesops, applied once, nothing lost."""

from __future__ import annotations

from aesthetic_cli.sqlfiles import script, with_identifiers

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
    types = {
        (t, c): d
        for t, c, d in con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        ).fetchall()
    }
    for table, columns in MONEY.items():
        if any(types.get((table, c), "DECIMAL").startswith("DOUBLE") for c in columns):
            _rebuild_table(con, table)


def _rebuild_table(con, table: str) -> None:
    # DuckDB cannot change a column's type on a table with a primary key, so the table is rebuilt
    # with today's definition (schema.sql) and its rows copied over, cast to the new types.
    # `table` comes from MONEY above, never from a user.
    with_identifiers("", t=(table, MONEY))  # refuses any table not listed above
    con.execute(f"ALTER TABLE {table} RENAME TO {table}_v1")
    con.execute(script("schema"))
    cols = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = $t "
            "AND table_schema = current_schema() ORDER BY ordinal_position",
            {"t": f"{table}_v1"},
        ).fetchall()
    ]
    names = ", ".join(f'"{c}"' for c in cols)
    con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {table}_v1")
    con.execute(f"DROP TABLE {table}_v1")
