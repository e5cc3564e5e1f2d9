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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from aesthetic_cli.importer import read, setwise
from aesthetic_cli.importer.convert import ROW, Converted, convert
from aesthetic_cli.importer.header import Layout, locate

# Rows handed to convert.py at once: bounds the memory of a file whose rows are mostly not plain.
SLOW_WINDOW = 500_000
HEAD_BYTES = 1 << 20
HEAD_LINES = 400

Progress = Callable[[int, int | None], None]


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
        con.execute(_sql("read_lines"), {"path": str(path)})
    except duckdb.Error:
        # Not UTF-8 after all, or a line longer than DuckDB reads: the Polars reader knows what to say.
        con.execute("DROP TABLE IF EXISTS aesops_lines")
        return None
    try:
        total = _one(con, "SELECT count(*) FROM aesops_lines")[0]
        head, counts = _head(path, delimiter)

        def day_month_values(columns: list[str], header_row: int) -> list[list]:
            out = []
            for c in columns:
                i = int(c[1:]) + 1
                out.append(
                    [
                        r[0]
                        for r in con.execute(
                            _sql("day_month_cells"), {"i": i, "d": delimiter, "h": header_row}
                        ).fetchall()
                    ]
                )
            return out

        layout = locate(
            head, file_name=path.name, sheet=None, kind=kind, user=user, lang=lang, day_month_values=day_month_values
        )
        if on_layout:
            on_layout(layout)
        if progress:
            progress(0, total - layout.header_row - 1)
        header_fields = counts[layout.header_row] if layout.header_row < len(counts) else 0
        columns = list(head.columns)
        cells = ", ".join(f"p[{i + 1}] AS {c}" for i, c in enumerate(columns))
        source = (
            f"SELECT _row, line, CASE WHEN line IS NULL THEN 0 ELSE len(p) END AS _fields, {cells} FROM ("
            f"SELECT rowid + 1 AS _row, line, string_split(line, $delim) AS p FROM aesops_lines "
            f"WHERE rowid > {int(layout.header_row)})"
        )
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
            lines = con.execute(
                f"SELECT c._row, l.line FROM {table}_conv c JOIN aesops_lines l ON l.rowid + 1 = c._row "
                f"WHERE NOT c._fast AND c._row BETWEEN {int(lo)} AND {int(hi)} ORDER BY c._row"
            ).pl()
            return _split(lines, delimiter, columns)

        return _finish(
            con,
            table,
            layout,
            p,
            source,
            {"delim": delimiter},
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
        con.execute("DROP TABLE IF EXISTS aesops_lines")


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
        source = "SELECT * FROM aesops_sheet"

        def slow_frame(lo: int, hi: int) -> tuple[pl.DataFrame, pl.Series, None]:
            rows = con.execute(
                f"SELECT _row FROM {table}_conv WHERE NOT _fast AND _row BETWEEN {int(lo)} AND {int(hi)}"
            ).pl()
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
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {table}_conv AS
        SELECT {ROW}, _fast, {", ".join(outer)} FROM (
            SELECT {ROW}, coalesce(({p.fast}), false) AS _fast, {", ".join(p.values)} FROM (
                SELECT {ROW}, {", ".join(p.typed)} FROM (
                    SELECT CAST({ROW} AS INTEGER) AS {ROW}, {", ".join(p.cleaned)} FROM ({source}))))""",
        {**params, **p.params},
    )
    slow_rows, lo, hi = _one(
        con,
        f"SELECT count(*) FILTER (WHERE NOT _fast), min({ROW}) FILTER (WHERE NOT _fast), "
        f"max({ROW}) FILTER (WHERE NOT _fast) FROM {table}_conv",
    )
    done = rows_read - slow_rows
    if progress:
        progress(done, rows_read)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * EXCLUDE (_fast) FROM {table}_conv WHERE _fast")
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
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM aesops_slow")
                con.unregister("aesops_slow")
            done += frame.height
            if progress:
                progress(done, rows_read)
    con.execute(f"DROP TABLE IF EXISTS {table}_conv")
    good, dmin, dmax = _one(
        con,
        f"SELECT count(*), min({ds.date_field}), max({ds.date_field}) FROM {table}"
        if ds.date_field
        else f"SELECT count(*), NULL, NULL FROM {table}",
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


def _sql(name: str) -> str:
    from aesthetic_cli.sqlfiles import query

    return query("import_stage", name)
