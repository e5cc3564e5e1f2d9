"""Import batches: list them, and drop one so the warehouse is as if it had never been imported.

Appended rows carry their batch_id and are deleted. Rows a batch replaced (upserted records: customers, cards,
items, staff, spend; appended lines a later export updated: load._update_changed) were kept in <table>_prior
with replaced_by = the batch, and are put back. A batch whose rows a later batch has since replaced or
skipped as duplicates cannot be dropped exactly on its own: the later batches are named, to be
dropped first.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from aesthetic_cli.errors import UsageError
from aesthetic_cli.importer.datasets import DATASETS
from aesthetic_cli.sqlfiles import query, with_identifiers
from aesthetic_cli.warehouse import drop_derived

_COLUMNS = {f.name for ds in DATASETS.values() for f in ds.fields}


def _sql(name: str, table: str | None = None, column: str | None = None) -> str:
    sql = query("batches", name)
    if table is not None:
        sql = with_identifiers(sql, table=(table, DATASETS))
    if column is not None:
        sql = with_identifiers(sql, column=(column, _COLUMNS))
    return sql


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> int:
    row = con.execute(sql, params).fetchone()
    assert row is not None  # count(*) always has its one row
    return row[0]


def list_batches(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every batch, its clinic the clinics of the rows it holds (the --clinic it was given when it holds none)."""
    cur = con.execute(_sql("list"))
    names = [c[0] for c in cur.description]
    rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    stored: dict[int, str] = {}
    for dataset in sorted({r["dataset"] for r in rows} & set(DATASETS)):
        stored.update(dict(con.execute(_sql("stored_clinics", dataset)).fetchall()))
    for r in rows:
        r["clinic"] = stored.get(r["batch_id"], r["clinic"])
    return rows


def imported_before(con: duckdb.DuckDBPyConnection, sha256: str, options_key: str) -> tuple[int, datetime] | None:
    """(batch id, when) of the batch that already holds this file read with these options, if any.

    The importer asks twice: before reading, to skip a known file cheaply, and again inside the
    import's own transaction, where the answer is final. Between the two another process may have
    imported the same file (two cron jobs, a retry); on a lake, imports take turns under the writer
    lock and each transaction starts after the previous one committed, and on a file only one
    process holds the warehouse, so the second look always sees the first import."""
    row = con.execute(_sql("same_file"), {"sha": sha256, "opt": options_key}).fetchone()
    return (row[0], row[1]) if row else None


def ensure_prior(con: duckdb.DuckDBPyConnection, dataset: str) -> None:
    con.execute(_sql("prior_table", dataset))


def _later_blockers(con, batch_id: int, dataset: str) -> list[int]:
    """Later batches whose result depends on this one: that replaced its rows, or skipped rows as duplicates,
    perhaps of its rows, which would have loaded with this batch gone (for records as for lines: trial 7's F3,
    a middle day's spend dropped with the later exports that carry it)."""
    rows = con.execute(_sql("later_upserts", dataset), {"b": batch_id}).fetchall()
    rows += con.execute(_sql("later_duplicates"), {"d": dataset, "b": batch_id}).fetchall()
    return sorted({r[0] for r in rows})


def drop_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict:
    """Remove one batch exactly; returns what was removed and restored."""
    row = con.execute(_sql("batch"), {"b": batch_id}).fetchone()
    if row is None:
        known = [r["batch_id"] for r in list_batches(con)]
        raise UsageError(
            f"There is no import batch {batch_id}.",
            hint=f"Batches: {', '.join(map(str, known)) or 'none'} (`aesops batches` lists them).",
        )
    dataset, file_name = row
    ensure_prior(con, dataset)
    blockers = _later_blockers(con, batch_id, dataset)
    if blockers:
        raise UsageError(
            f"Batch {batch_id} ({file_name}) cannot be dropped on its own: later batch(es) "
            f"{', '.join(map(str, blockers))} of {dataset} built on it (replaced its records or skipped its rows "
            "as duplicates).",
            hint=f"Drop those {len(blockers)} later batches first, newest first (`aesops batches drop {blockers[-1]}` "
            "and on down), then this one, and re-import what you want to keep.",
        )
    b = {"b": batch_id}
    con.execute("BEGIN TRANSACTION")
    try:
        removed = _count(con, _sql("count_rows", dataset), b)
        con.execute(_sql("delete_rows", dataset), b)
        restored = _count(con, _sql("count_prior", dataset), b)
        con.execute(_sql("restore_prior", dataset), b)
        con.execute(_sql("forget_prior", dataset), b)
        _forget_names(con, batch_id)
        con.execute(_sql("forget_rejects"), b)
        con.execute(_sql("forget_batch"), b)
        # The derived layer moves with the facts, in the same transaction.
        drop_derived(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {"batch_id": batch_id, "dataset": dataset, "file_name": file_name, "removed": removed, "restored": restored}


def _forget_names(con, batch_id: int) -> None:
    """Names first seen in this batch are forgotten; a name that later batches also use stays known,
    credited to the earliest of them, as if this batch had never been imported."""
    names = con.execute(_sql("names_of_batch"), {"b": batch_id}).fetchall()
    con.execute(_sql("forget_names"), {"b": batch_id})
    sources = [(ds.name, f.name, f.watch_names) for ds in DATASETS.values() for f in ds.fields if f.watch_names]
    for kind, name in names:
        firsts = [
            con.execute(_sql("first_use", table, column), {"n": name, "b": batch_id}).fetchone()[0]
            for table, column, watch in sources
            if watch == kind
        ]
        firsts = [f for f in firsts if f is not None]
        if firsts:
            con.execute(_sql("credit_name"), {"k": kind, "n": name, "b": min(firsts)})
