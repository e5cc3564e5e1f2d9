"""The baseline of issue 11 as an analyst runs it: a script with one hand-written DuckDB query for the month's KPIs,
straight over the raw facts. Run as its own process (`python bench/hand_query.py DB MONTH`), so its time includes
what any command pays (the interpreter's start, DuckDB's import, the warehouse's open, the exit) and compares with
an `aesops` command timed the same way. bench/step.py's duckdb_kpis runs the same query in-process."""

from __future__ import annotations

import sys
from pathlib import Path

# As aesops runs (aesthetic_cli/no_pandas.py): the bench's virtualenv has pandas for its own baseline, and DuckDB
# would import it at the first bound parameter, 0.5-1 s neither a user without pandas nor aesops pays.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from aesthetic_cli.no_pandas import keep_pandas_out  # noqa: E402  (before DuckDB's import, which it governs)

keep_pandas_out()

import duckdb  # noqa: E402

KPIS = """
    WITH d AS (SELECT customer_id, order_date, sum(paid_amount) AS net FROM orders
               WHERE line_kind <> 'topup' AND strftime(order_date, '%Y-%m') = $m GROUP BY ALL)
    SELECT sum(net), count(DISTINCT customer_id) FILTER (WHERE net > 0), count(*) FILTER (WHERE net > 0),
           (SELECT count(DISTINCT customer_id) FROM visits WHERE strftime(visit_date, '%Y-%m') = $m)
    FROM d"""


def kpis(db: str, month: str) -> tuple:
    con = duckdb.connect(db, read_only=True)
    row = con.execute(KPIS, {"m": month}).fetchone()
    con.close()
    assert row is not None  # an aggregate over no rows is still one row
    return row


if __name__ == "__main__":
    print(kpis(sys.argv[1], sys.argv[2]))
