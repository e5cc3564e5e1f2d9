"""Import batches: list them, and drop one so the warehouse is as if it had never been imported.

Appended rows carry their batch_id and are deleted. Upserted rows (customers, cards, items,
staff, spend) that a batch replaced were kept in <table>_prior with replaced_by = the batch
(load._upsert), and are put back. A batch whose rows a later batch has since replaced or
skipped as duplicates cannot be dropped exactly on its own: the later batches are named, to be
dropped first.
"""

from __future__ import annotations

import duckdb

from aesthetic_cli.errors import UsageError
from aesthetic_cli.importer.datasets import DATASETS
from aesthetic_cli.warehouse import drop_derived

UPSERT = tuple(name for name, ds in DATASETS.items() if ds.mode == "upsert")


def list_batches(con: duckdb.DuckDBPyConnection) -> list[dict]:
    cur = con.execute("""
        SELECT batch_id, dataset, file_name, sheet, clinic, rows_read, rows_loaded, rows_updated, duplicates,
               rejected, date_min, date_max, imported_at
        FROM import_batches ORDER BY batch_id""")
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _later_blockers(con, batch_id: int, dataset: str) -> list[int]:
    """Later batches whose result depends on this one."""
    if dataset in UPSERT:
        # A later batch replaced rows that this batch wrote (or put back rows it replaced).
        rows = con.execute(f"""
            SELECT DISTINCT replaced_by FROM {dataset}_prior
            WHERE batch_id = $b AND replaced_by > $b ORDER BY 1""", {"b": batch_id}).fetchall()
    else:
        # A later batch of the same dataset skipped duplicates, perhaps of this batch's rows: with
        # this batch gone, those rows would have loaded from it.
        rows = con.execute("""
            SELECT batch_id FROM import_batches
            WHERE dataset = $d AND batch_id > $b AND duplicates > 0 ORDER BY 1""",
                           {"d": dataset, "b": batch_id}).fetchall()
    return [r[0] for r in rows]


def drop_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict:
    """Remove one batch exactly; returns what was removed and restored."""
    row = con.execute("SELECT dataset, file_name FROM import_batches WHERE batch_id = $b",
                      {"b": batch_id}).fetchone()
    if row is None:
        known = [r["batch_id"] for r in list_batches(con)]
        raise UsageError(f"There is no import batch {batch_id}.",
                         hint=f"Batches: {', '.join(map(str, known)) or 'none'} (`aesops batches` lists them).")
    dataset, file_name = row
    blockers = _later_blockers(con, batch_id, dataset)
    if blockers:
        raise UsageError(
            f"Batch {batch_id} ({file_name}) cannot be dropped on its own: later batch(es) "
            f"{', '.join(map(str, blockers))} of {dataset} built on it (replaced its records or skipped its rows "
            "as duplicates).",
            hint=f"Drop the later batches first (`aesops batches drop {blockers[-1]}`), then this one, and "
                 "re-import what you want to keep.")
    con.execute("BEGIN TRANSACTION")
    try:
        removed = con.execute(f"SELECT count(*) FROM {dataset} WHERE batch_id = $b", {"b": batch_id}).fetchone()[0]
        con.execute(f"DELETE FROM {dataset} WHERE batch_id = $b", {"b": batch_id})
        restored = 0
        if dataset in UPSERT:
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = $t ORDER BY ordinal_position",
                {"t": dataset}).fetchall()]
            col_list = ", ".join(cols)
            restored = con.execute(f"SELECT count(*) FROM {dataset}_prior WHERE replaced_by = $b",
                                   {"b": batch_id}).fetchone()[0]
            con.execute(f"INSERT INTO {dataset} ({col_list}) SELECT {col_list} FROM {dataset}_prior "
                        "WHERE replaced_by = $b", {"b": batch_id})
            con.execute(f"DELETE FROM {dataset}_prior WHERE replaced_by = $b", {"b": batch_id})
        _forget_names(con, batch_id)
        con.execute("DELETE FROM rejects WHERE batch_id = $b", {"b": batch_id})
        con.execute("DELETE FROM import_batches WHERE batch_id = $b", {"b": batch_id})
        # The derived layer moves with the facts, in the same transaction.
        drop_derived(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {"batch_id": batch_id, "dataset": dataset, "file_name": file_name, "removed": removed,
            "restored": restored}


def _forget_names(con, batch_id: int) -> None:
    """Names first seen in this batch are forgotten; a name that later batches also use stays known,
    credited to the earliest of them, as if this batch had never been imported."""
    names = con.execute("SELECT kind, name FROM known_names WHERE batch_id = $b", {"b": batch_id}).fetchall()
    con.execute("DELETE FROM known_names WHERE batch_id = $b", {"b": batch_id})
    if not names:
        return
    sources = [(ds.name, f.name, f.watch_names) for ds in DATASETS.values() for f in ds.fields if f.watch_names]
    for kind, name in names:
        firsts = [con.execute(f"SELECT min(batch_id) FROM {table} WHERE {col} = $n AND batch_id <> $b",
                              {"n": name, "b": batch_id}).fetchone()[0]
                  for table, col, watch in sources if watch == kind]
        firsts = [b for b in firsts if b is not None]
        if firsts:
            con.execute("INSERT OR IGNORE INTO known_names VALUES ($k, $n, $b)",
                        {"k": kind, "n": name, "b": min(firsts)})
