"""What the warehouse holds: rows and date coverage per dataset and clinic, batches, rejects."""

from __future__ import annotations

from aesthetic_cli.importer.datasets import DATASETS
from aesthetic_cli.lazy_polars import pl
from aesthetic_cli.metrics.base import frame
from aesthetic_cli.metrics.result import Note, Result
from aesthetic_cli.sqlfiles import query, with_identifiers

_DATE_FIELDS = {ds.date_field for ds in DATASETS.values() if ds.date_field}


def coverage(con) -> pl.DataFrame:
    parts = []
    for ds in DATASETS.values():
        sql = with_identifiers(query("status", "coverage"), table=(ds.name, DATASETS))
        # A dataset without dates (staff, items) shows NULL dates: NULL is the one non-column {date} may be.
        sql = with_identifiers(sql, date=(ds.date_field or "NULL", {*_DATE_FIELDS, "NULL"}))
        # frame(), not .pl(): .pl() imports pyarrow, ~0.2 CPU s of the monthly report that shows this table.
        parts.append(frame(con, sql, {"dataset": ds.name, "dataset_zh": ds.label_zh}))
    return pl.concat(parts, how="vertical_relaxed").sort("dataset", "clinic")


def status(con, *, rejects: bool = False, batch: int | None = None, limit: int = 10, show_pii: bool = False) -> Result:
    tables = {
        "coverage": coverage(con),
        "batches": frame(con, query("status", "recent_batches"), {"limit": limit}),
    }
    if rejects:
        tables["rejects"] = _masked(frame(con, query("status", "rejects"), {"batch": batch, "limit": 10_000}), show_pii)
    from aesthetic_cli.warehouse_lake import is_lake, snapshots

    if is_lake(con):
        tables["snapshots"] = snapshots(con, limit)
    n_rejects = con.execute(query("status", "count_rejects")).fetchone()[0]
    notes = []
    if n_rejects and not rejects:
        notes.append(
            Note(
                f"记录了 {n_rejects} 个拒收或置空的单元格；用 `aesops status --rejects` 查看。",
                f"{n_rejects} rejected or blanked cells recorded; list them with `aesops status --rejects`.",
            )
        )
    return Result(meta={"command": "status"}, tables=tables, notes=notes)


def _masked(rejects: pl.DataFrame, show_pii: bool) -> pl.DataFrame:
    """The rejected cells as the import's summary shows them: a phone as 139****8002, a name (in its column, or
    shifted into an amount or a date column) as 张**, unless --show-pii."""
    if show_pii or not rejects.height:
        return rejects
    from aesthetic_cli.privacy import mask_value

    values = [
        None if v is None else mask_value(v, f, limit=60)
        for v, f in zip(rejects["value"].to_list(), rejects["field"].to_list(), strict=True)
    ]
    return rejects.with_columns(pl.Series("value", values, dtype=pl.String))
