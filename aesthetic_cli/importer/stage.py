"""Stage a file's rows in DuckDB, converted, ready for the load: the import's fast path.

A CSV is read by DuckDB itself (each line as one text value, in file order, on every core); a
spreadsheet's cells come from calamine as Arrow. setwise.py converts the plain rows in SQL; the
rest go, a window at a time, through convert.py, whose good rows join the same table and whose
problems are the file's rejects. Nothing here touches the warehouse's tables: the load does.

CSV files DuckDB cannot read the way the csv module does (quotes, bare CR line ends, NUL bytes,
tabs as delimiter, not UTF-8, a line past DuckDB's limit) are left to the Polars reader
(read.read_csv / read.csv_in_batches): stage_csv returns None for them.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from aesthetic_cli.importer import read, setwise
from aesthetic_cli.importer.convert import ROW, Converted, convert
from aesthetic_cli.importer.datasets import DATASETS
from aesthetic_cli.importer.header import Layout, locate
from aesthetic_cli.sqlfiles import Fragment, query, with_fragments, with_identifiers

# Rows handed to convert.py at once: bounds the memory of a file whose rows are mostly not plain.
SLOW_WINDOW = 500_000
HEAD_BYTES = 1 << 20
# DuckDB's read buffer for the lines (import_stage.sql read_lines).
CSV_BUFFER_BYTES = 32 << 20
HEAD_LINES = 400

Progress = Callable[[int, int | None], None]

# What may be put into this module's SQL as a name (sqlfiles.with_identifiers): the cell columns
# read._columns makes, their 1-based positions, and the datasets' date fields.
_CELL = re.compile(r"c[0-9]+")
_NUMBER = re.compile(r"[1-9][0-9]*")
_DATE_FIELDS = {ds.date_field for ds in DATASETS.values() if ds.date_field}


@dataclass
class Staged:
    layout: Layout
    table: str
    rows_read: int
    rejected: int
    skipped: int
    problems: pl.DataFrame
    good_rows: int
    date_min: date | None
    date_max: date | None


def plain_csv(path: Path) -> tuple[str, str] | None:
    """(encoding, delimiter) when DuckDB's line reader sees the records the csv module sees: UTF-8,
    no quote, NUL, unit separator or bare CR, and a delimiter other than tab. None otherwise."""
    with path.open("rb") as fh:
        start = fh.read(HEAD_BYTES)
        if start.startswith((read._ZIP_MAGIC, read._OLE_MAGIC)):
            return None
        encoding = "utf-8-sig" if start.startswith(b"\xef\xbb\xbf") else "utf-8"
        try:
            codecs.getincrementaldecoder("utf-8-sig")().decode(start, final=False)
        except UnicodeDecodeError:
            return None
        fh.seek(0)
        for chunk in iter(lambda: fh.read(16 << 20), b""):
            if b'"' in chunk or b"\x00" in chunk or b"\x1f" in chunk:
                return None
            if b"\r" in chunk and (chunk.count(b"\r") != chunk.count(b"\r\n") or chunk.endswith(b"\r")):
                return None
    text = start.decode("utf-8-sig", errors="ignore")
    delimiter = read._sniff_delimiter(text[:65536])
    return (encoding, delimiter) if delimiter != "\t" else None


def _head(path: Path, delimiter: str) -> tuple[pl.DataFrame, list[int]]:
    """The first lines as the Polars reader would give them (cells as text, '' as null), and their field counts."""
    with path.open("rb") as fh:
        data = fh.read(HEAD_BYTES)
    complete = data if len(data) < HEAD_BYTES else data[: data.rfind(b"\n") + 1]
    lines = complete.decode("utf-8-sig", errors="replace").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    rows = [line.removesuffix("\r").split(delimiter) if line.removesuffix("\r") else [] for line in lines[:HEAD_LINES]]
    counts = [len(r) for r in rows]
    width = min(max(counts[:200], default=0), read.MAX_CSV_COLUMNS)
    width = max(width, 1)
    frame = pl.DataFrame(
        [[(v or None) for v in r[:width]] + [None] * (width - len(r[:width])) for r in rows],
        schema=dict.fromkeys(read._columns(width), pl.String),
        orient="row",
    )
    return frame, counts


def stage_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    table: str,
    kind,
    user,
    amount_unit: str,
    clinic: str | None,
    lang: str,
    finish: Callable[[Converted, Layout], Converted],
    progress: Progress | None = None,
    on_layout: Callable[[Layout], None] | None = None,
) -> Staged | None:
    """The CSV converted into temp table `table`, or None when the Polars reader must read it."""
    plain = plain_csv(path)
    if plain is None:
        return None
    _encoding, delimiter = plain
    try:
        con.execute(_sql("read_lines"), {"path": str(path), "buffer": CSV_BUFFER_BYTES})
    except duckdb.Error:
        # Not UTF-8 after all, or a line longer than DuckDB reads: the Polars reader knows what to say.
        con.execute(_sql("drop_lines"))
        return None
    try:
        total = _one(con, _sql("count_lines"))[0]
        head, counts = _head(path, delimiter)

        def day_month_values(columns: list[str], header_row: int) -> list[list]:
            if not columns:
                return []
            cells = ", ".join(
                with_identifiers(_sql("day_month_first_cell"), c=(c, _CELL))
                if c == "c0"
                else with_identifiers(_sql("day_month_cell"), n=(str(int(c[1:]) + 1), _NUMBER), c=(c, _CELL))
                for c in columns
            )
            found = with_fragments(
                _sql("day_month_cells"),
                cells=Fragment(cells),
                any=Fragment(" OR ".join(with_identifiers("{c} IS NOT NULL", c=(c, _CELL)) for c in columns)),
            )
            rows = con.execute(found, {"d": delimiter, "h": header_row}).fetchall()
            return [[r[i + 1] for r in rows if r[i + 1] is not None] for i in range(len(columns))]

        layout = locate(
            head,
            file_name=path.name,
            sheet=None,
            kind=kind,
            user=user,
            lang=lang,
            day_month_values=day_month_values,
            amount_unit=amount_unit,
        )
        if on_layout:
            on_layout(layout)
        if progress:
            progress(0, total - layout.header_row - 1)
        header_fields = counts[layout.header_row] if layout.header_row < len(counts) else 0
        columns = list(head.columns)
        cells = ", ".join(
            with_identifiers(_sql("csv_cell"), n=(str(i + 1), _NUMBER), c=(c, _CELL)) for i, c in enumerate(columns)
        )
        source = with_fragments(_sql("csv_source"), cells=Fragment(cells))
        p = setwise.plan(
            layout,
            columns=columns,
            amount_unit=amount_unit,
            clinic=clinic,
            delimiter=delimiter,
            header_fields=header_fields,
            row_text="line",
        )

        def slow_frame(lo: int, hi: int) -> tuple[pl.DataFrame, pl.Series, pl.Series]:
            lines = con.execute(_sql("csv_slow_lines", table), {"lo": lo, "hi": hi}).pl()
            return _split(lines, delimiter, columns)

        return _finish(
            con,
            table,
            layout,
            p,
            source,
            {"delim": delimiter, "header_row": layout.header_row},
            total - layout.header_row - 1,
            slow_frame,
            header_fields,
            amount_unit,
            clinic,
            user,
            finish,
            progress,
        )
    finally:
        con.execute(_sql("drop_lines"))


def _split(lines: pl.DataFrame, delimiter: str, columns: list[str]) -> tuple[pl.DataFrame, pl.Series, pl.Series]:
    """Lines as the Polars reader's frame (c0..cN, '' as null), their sheet rows and field counts."""
    line = lines["line"]
    counts = lines.select(
        pl.when(pl.col("line").is_null())
        .then(0)
        .otherwise(pl.col("line").str.count_matches(delimiter, literal=True) + 1)
        .cast(pl.UInt32)
        .alias("_fields")
    ).to_series()
    parts = line.fill_null("").str.split(delimiter)
    frame = pl.DataFrame({c: parts.list.get(i, null_on_oob=True) for i, c in enumerate(columns)})
    frame = frame.with_columns([pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in columns])
    return frame, lines["_row"], counts


def stage_sheet(
    con: duckdb.DuckDBPyConnection,
    frame: pl.DataFrame,
    layout: Layout,
    *,
    table: str,
    amount_unit: str,
    clinic: str | None,
    user,
    finish: Callable[[Converted, Layout], Converted],
    progress: Progress | None = None,
) -> Staged:
    """A spreadsheet's cells (already read by calamine, to find the header) converted into temp table `table`."""
    body = frame.slice(layout.header_row + 1).with_row_index(ROW, offset=layout.header_row + 2)
    columns = list(frame.columns)
    con.register("aesops_sheet", body.to_arrow())
    try:
        row_text = f"concat_ws({setwise.lit(setwise.SHEET_JOIN)}, {', '.join(columns)})" if columns else "''"
        p = setwise.plan(
            layout,
            columns=columns,
            amount_unit=amount_unit,
            clinic=clinic,
            delimiter=None,
            header_fields=None,
            row_text=row_text,
        )
        source = _sql("sheet_source")

        def slow_frame(lo: int, hi: int) -> tuple[pl.DataFrame, pl.Series, None]:
            rows = con.execute(_sql("sheet_slow_rows", table), {"lo": lo, "hi": hi}).pl()
            part = body.join(rows, on=ROW, how="semi").sort(ROW)
            return part.drop(ROW), part[ROW], None

        total = body.height
        if progress:
            progress(0, total)
        return _finish(
            con,
            table,
            layout,
            p,
            source,
            {},
            body.height,
            slow_frame,
            None,
            amount_unit,
            clinic,
            user,
            finish,
            progress,
        )
    finally:
        con.unregister("aesops_sheet")


def _finish(
    con,
    table: str,
    layout: Layout,
    p: setwise.Plan,
    source: str,
    params: dict,
    rows_read: int,
    slow_frame,
    header_fields: int | None,
    amount_unit: str,
    clinic: str | None,
    user,
    finish: Callable[[Converted, Layout], Converted],
    progress: Progress | None,
) -> Staged:
    """Convert `source` into `table`: the plain rows in SQL, the rest through convert.py; rows_read: the
    data rows below the header (the unit progress counts in)."""
    ds = layout.dataset
    derived = setwise.derived(ds.name)
    names = [v.rsplit(" AS ", 1)[1] for v in p.values]
    replaced = {v.rsplit(" AS ", 1)[1]: v for v in derived}
    outer = [replaced.pop(n, n) for n in names] + list(replaced.values())
    # Generated from code constants and the column names c0..cN (setwise's docstring): no file content.
    convert_sql = with_fragments(
        _sql("convert", table),
        outer=Fragment(", ".join(outer)),
        fast=Fragment(p.fast),
        values=Fragment(", ".join(p.values)),
        typed=Fragment(", ".join(p.typed)),
        cleaned=Fragment(", ".join(p.cleaned)),
        source=Fragment(source),
    )
    con.execute(convert_sql, {**params, **p.params})
    slow_rows, lo, hi = _one(con, _sql("slow_extent", table))
    done = rows_read - slow_rows
    if progress:
        progress(done, rows_read)
    problems, rejected, skipped = [], 0, 0
    if slow_rows:
        date_format = user.date_format if user else None
        for start in range(lo, hi + 1, SLOW_WINDOW):
            frame, rows, counts = slow_frame(start, min(start + SLOW_WINDOW - 1, hi))
            if frame.height == 0:
                continue
            conv = convert(
                frame,
                layout,
                amount_unit=amount_unit,
                clinic=clinic,
                rows=rows,
                field_counts=counts,
                header_fields=header_fields,
                date_order=layout.date_order,
                date_format=date_format,
            )
            conv = finish(conv, layout)
            problems.append(conv.problems)
            rejected += conv.rejected
            skipped += conv.skipped_blank + conv.skipped_totals
            if conv.good.height:
                con.register("aesops_slow", conv.good.to_arrow())
                con.execute(_sql("add_slow", table))
                con.unregister("aesops_slow")
            done += frame.height
            if progress:
                progress(done, rows_read)
    # The plain rows stay where the conversion wrote them (copying them out cost as much as a tenth of the
    # conversion); convert.py's good rows joined them above with _fast NULL, its inputs leave now.
    if slow_rows:
        con.execute(_sql("drop_slow_inputs", table))
    con.execute(_sql("conv_to_staged", table))
    good, dmin, dmax = _one(
        con,
        with_identifiers(_sql("staged_extent", table), date=(ds.date_field, _DATE_FIELDS))
        if ds.date_field
        else _sql("staged_count", table),
    )
    from aesthetic_cli.importer.load import _empty_problems

    return Staged(
        layout,
        table,
        rows_read,
        rejected,
        skipped,
        pl.concat(problems).sort(ROW) if problems else _empty_problems(),
        good,
        dmin,
        dmax,
    )


def _one(con, sql: str) -> tuple:
    row = con.execute(sql).fetchone()
    assert row is not None  # an aggregate always has its one row
    return row


def _sql(name: str, table: str | None = None) -> str:
    """A query of import_stage.sql; {table}: one of the import's temp tables."""
    from aesthetic_cli.importer.load import STAGED

    sql = query("import_stage", name)
    return with_identifiers(sql, table=(table, STAGED)) if table is not None else sql
