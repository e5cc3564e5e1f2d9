"""What the warehouse holds: rows and date coverage per dataset and clinic, batches, rejects."""

from __future__ import annotations

import polars as pl

from aesthetic_cli.importer.datasets import DATASETS
from aesthetic_cli.metrics.result import Note, Result
from aesthetic_cli.sqlfiles import query


def coverage(con) -> pl.DataFrame:
    parts = []
    for ds in DATASETS.values():
        date = ds.date_field or "NULL"
        parts.append(f"""
            SELECT '{ds.name}' AS dataset, '{ds.label_zh}' AS dataset_zh, coalesce(clinic, '—') AS clinic,
                   count(*) AS rows, min({date})::DATE AS date_min, max({date})::DATE AS date_max
            FROM {ds.name} GROUP BY ALL""")
    return con.execute(" UNION ALL ".join(parts) + " ORDER BY dataset, clinic").pl()


def status(con, *, rejects: bool = False, batch: int | None = None, limit: int = 10) -> Result:
    tables = {
        "coverage": coverage(con),
        "batches": con.execute(query("status", "recent_batches"), {"limit": limit}).pl(),
    }
    if rejects:
        tables["rejects"] = con.execute(query("status", "rejects"), {"batch": batch, "limit": 10_000}).pl()
    from aesthetic_cli.warehouse_lake import is_lake, snapshots

    if is_lake(con):
        tables["snapshots"] = snapshots(con, limit)
    n_rejects = con.execute("SELECT count(*) FROM rejects").fetchone()[0]
    notes = []
    if n_rejects and not rejects:
        notes.append(
            Note(
                f"记录了 {n_rejects} 个拒收或置空的单元格；用 `aesops status --rejects` 查看。",
                f"{n_rejects} rejected or blanked cells recorded; list them with `aesops status --rejects`.",
            )
        )
    return Result(meta={"command": "status"}, tables=tables, notes=notes)
