"""Import one file into the warehouse: all or nothing, idempotent, every rejected cell recorded."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from aesthetic_cli.errors import InputFileError, UsageError
from aesthetic_cli.importer import group_rows, read, sheet_parts, stage
from aesthetic_cli.importer import recognise as rg
from aesthetic_cli.importer.batches import ensure_prior, imported_before
from aesthetic_cli.importer.convert import ROW, Converted, convert
from aesthetic_cli.importer.datasets import AMOUNT, DATASETS, NUMBER, Dataset
from aesthetic_cli.importer.header import Layout, RecognitionRefused, UserMapping, locate
from aesthetic_cli.importer.mapping import extend_frame
from aesthetic_cli.sqlfiles import Allowed, Fragment, execute_all, per_column, query, with_fragments, with_identifiers
from aesthetic_cli.warehouse import derived
from aesthetic_cli.warehouse.memory import bounded_memory
from aesthetic_cli.warehouse_lake import next_batch_id, retry_conflicts, row_key_sql, writer_lock

# A file where more than this share of data rows is unreadable is refused whole: it is
# more likely the wrong file or a wrong --kind/--amount-unit than a few bad rows.
MAX_REJECT_SHARE = 0.5

# The import's own temp tables: aesops_staged (a large CSV), aesops_staged_<i> (a sheet, or a plain CSV).
STAGED = re.compile(r"aesops_staged(_[0-9]+)?")
_FIELDS = {f.name for ds in DATASETS.values() for f in ds.fields}
# The temp tables of the lines a file replaces (load.sql keep_prior, insert_replacing): changed in place, corrected.
_REPLACED = {"aesops_changed", "aesops_replaced", "aesops_corrected"}


def _sql(name: str, **identifiers: tuple[str | list[str], Allowed]) -> str:
    """A query of load.sql, with its identifiers checked (sqlfiles.with_identifiers)."""
    return with_identifiers(query("load", name), **identifiers)


@dataclass
class ImportResult:
    file: Path
    dataset: str
    sheet: str | None
    status: str  # loaded | unchanged
    batch_id: int | None = None
    rows_read: int = 0
    loaded: int = 0
    updated: int = 0
    duplicates: int = 0
    # Rows added into another of the same key (spend split by campaign or account), not skipped.
    summed: int = 0
    # The clinics of the rows the batch wrote: the file's own 门店 column's where it has one, else --clinic's.
    clinics: list[str] = field(default_factory=list)
    # Records older than the stored ones (Dataset.newest_by), among the duplicates: they replaced nothing.
    older: int = 0
    # Lines of a key held twice (two visits of a customer on one day) that the file gives other values: left as
    # stored, among the duplicates.
    repeated: int = 0
    rejected: int = 0
    blanked: int = 0
    skipped: int = 0
    date_min: date | None = None
    date_max: date | None = None
    new_names: dict[str, list[str]] = field(default_factory=dict)
    problems: pl.DataFrame | None = None
    ignored_headers: list[str] = field(default_factory=list)
    previous_import: datetime | None = None
    layout: Layout | None = None  # how the file was read: dataset, header row, column -> field
    # Other sheets of the same workbook imported with this one (one batch each), and those left out.
    more: list[ImportResult] = field(default_factory=list)
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)  # (sheet, why)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _pick_sheets(
    path: Path, sheet: str | None, kind: str | None, user: UserMapping | None, lang: str, amount_unit: str = "yuan"
):
    """[(raw sheet, layout)] to import, and [(sheet, why)] left out. Without --sheet every sheet is
    read: the first one recognised decides the dataset, and later sheets of the same dataset (a
    workbook with a sheet per month) are imported too."""
    if read.is_csv(path):
        raw = read.read_csv(path)
        layout = locate(
            raw.frame, file_name=path.name, sheet=None, kind=kind, user=user, lang=lang, amount_unit=amount_unit
        )
        return [(raw, layout)], []
    book = read.open_workbook(path)
    wanted = user.sheets if user and user.sheets else None
    if sheet is not None:
        names, strict = [sheet], True
    elif isinstance(wanted, list):
        names, strict = [str(s) for s in wanted], True
    else:
        names, strict = list(book.sheet_names), False
    if not names:
        raise InputFileError(f"{path.name} has no sheets to read (工作簿里没有工作表).")
    picked: list[tuple[read.RawSheet, Layout]] = []
    skipped: list[tuple[str | None, str]] = []
    errors: list[InputFileError] = []
    # Sheets not taken, with the header (column -> text) and header row each was read with.
    doubted: list[tuple[read.RawSheet, dict[str, str], int]] = []
    # A hidden sheet is read only when named (--sheet, or sheets = [...] in a mapping file).
    hidden = set() if strict else read.hidden_sheets(path, book)
    for name in names:
        if name in hidden:
            skipped.append((name, f"hidden sheet; import it with --sheet {name} if it holds data to load"))
            continue
        raw = read.read_excel_sheet(path, name, book)
        try:
            layout = locate(
                raw.frame,
                file_name=path.name,
                sheet=raw.sheet,
                kind=kind,
                user=user,
                lang=lang,
                amount_unit=amount_unit,
            )
        except InputFileError as exc:
            if strict:
                raise
            errors.append(exc)
            skipped.append((raw.sheet, exc.message))
            if isinstance(exc, RecognitionRefused):
                doubted.append((raw, exc.recognition.headers, exc.header_row))
            continue
        if picked and layout.dataset.name != picked[0][1].dataset.name:
            doubted.append((raw, layout.headers, layout.header_row))
            other = layout.dataset.name
            skipped.append(
                (
                    raw.sheet,
                    f"像是 {other}，请用 --sheet {raw.sheet} 单独导入"
                    if lang == "zh"
                    else f"looks like {other}; import it with --sheet {raw.sheet}",
                )
            )
            continue
        picked.append((raw, layout))
    if picked:
        # A month's sheet with the very header of a sheet taken, whose cells are mostly bad, was guessed as
        # something else: it is that dataset, read with that sheet's reading, so its rows are rejected one by one
        # (and the sheet refused when most are bad) instead of the sheet left out of a run that says it succeeded.
        taken = picked[0][1]
        for raw, headers, row in doubted:
            # A sheet whose own name points to another dataset (划扣明细 beside 收费明细) keeps its refusal.
            named = rg.hint_scores(raw.sheet or "")
            if headers != taken.headers or (named and taken.dataset.name not in named):
                continue
            picked.append((raw, dataclasses.replace(taken, header_row=row)))
            skipped = [(n, why) for n, why in skipped if n != raw.sheet]
    if not picked:
        # A refusal about a sheet that looked like data says more than "no header" on a cover sheet.
        raise next(
            (e for e in errors if isinstance(e, RecognitionRefused) and e.recognition.best.viable),
            next((e for e in errors if isinstance(e, RecognitionRefused)), errors[0]),
        )
    # Cells merged down over a bill's lines, and formulas without a result, below each sheet's header.
    picked = [
        (
            dataclasses.replace(
                raw, frame=sheet_parts.apply(raw.frame, raw.parts, layout.header_row, _merged_down(layout))
            ),
            layout,
        )
        for raw, layout in picked
    ]
    # 门店：徐汇店 in a row of its own above its block's lines: the lines' clinic.
    picked = [_with_group_rows(raw, layout) for raw, layout in picked]
    # Sheets before the first one recognised are covers and notes: name them only when they had data.
    first = picked[0][0].sheet
    order = list(book.sheet_names)
    skipped = (
        [(n, why) for n, why in skipped if not (order.index(n) < order.index(first) and "no header row" in why)]
        if first in order
        else skipped
    )
    return picked, skipped


def _with_group_rows(raw: read.RawSheet, layout: Layout) -> tuple[read.RawSheet, Layout]:
    frame, layout = group_rows.apply(raw.frame, layout)
    return dataclasses.replace(raw, frame=frame), layout


def _merged_down(layout: Layout) -> set[str]:
    """The columns a cell merged down over a bill's lines belongs to every line of: its number, date, customer,
    consultant, not its amounts (a bill's total, once)."""
    numeric = {f.name for f in layout.dataset.fields if f.type in (AMOUNT, NUMBER)}
    return {c for c, f in layout.mapping.items() if f not in numeric}


def proposal_path(path: Path) -> Path:
    from aesthetic_cli.importer.explain import MAPPING_SUFFIX

    return path.with_name(path.name + MAPPING_SUFFIX)


def write_proposal(path: Path, exc: RecognitionRefused, lang: str = "zh") -> Path | None:
    """Write what recognition guessed as a mapping file next to the export, for the user to check.
    An existing file is left alone: the user may have edited it."""
    from aesthetic_cli.importer.explain import mapping_toml

    target = proposal_path(path)
    if target.exists():
        return target
    try:
        target.write_text(
            mapping_toml(exc.recognition, header_row=exc.header_row, sheet=exc.sheet, lang=lang), encoding="utf-8"
        )
    except OSError:
        return None
    return target


def _refuse(path: Path, exc: RecognitionRefused, lang: str) -> RecognitionRefused:
    """The refusal, with the mapping file written and named."""
    from aesthetic_cli.importer.explain import refusal

    written = write_proposal(path, exc, lang)
    if exc.recognition.best.viable:
        msg, hint = refusal(path.name, exc.sheet, exc.recognition, written, lang)
    else:
        msg = exc.message
        note = (
            f"已把最接近的猜测写成映射文件 {written}，请补全后用 --mapping 传入。"
            if lang == "zh"
            else f"The closest guess is written to {written}: complete it and pass it with --mapping."
        )
        hint = (exc.hint or "") + ("\n" + note if written else "")
    return RecognitionRefused(
        msg, hint=hint, recognition=exc.recognition, header_row=exc.header_row, sheet=exc.sheet, where=exc.where
    )


def explain(
    path: Path,
    *,
    kind: str | None = None,
    sheet: str | None = None,
    mapping: Path | None = None,
    lang: str = "zh",
    amount_unit: str = "yuan",
) -> list[str]:
    """The mapping aesops would use, column by column, with its evidence, and whether the import would load or
    refuse the sheet; nothing is loaded."""
    from aesthetic_cli.importer.explain import explain_lines
    from aesthetic_cli.importer.header import add_doubts, recognise_frame

    user = UserMapping.load(mapping)
    read.check_readable(path)
    if read.is_csv(path):
        sheets, hidden = [read.read_csv(path)], set()
    else:
        book = read.open_workbook(path)
        named = [sheet] if sheet else (user.sheets if user and isinstance(user.sheets, list) else None)
        # As the import does: a hidden sheet is read only when named.
        hidden = set() if named else read.hidden_sheets(path, book)
        sheets = [
            read.RawSheet(frame=pl.DataFrame(), sheet=n) if n in hidden else read.read_excel_sheet(path, n, book)
            for n in (named or book.sheet_names)
        ]
    lines: list[str] = []
    for raw in sheets:
        where = path.name + (f" [{raw.sheet}]" if raw.sheet else "")
        if raw.sheet in hidden:
            lines.append(
                f"{where}：隐藏的工作表，不导入（要导入请用 --sheet {raw.sheet}）"
                if lang == "zh"
                else f"{where}: a hidden sheet, not imported (import it with --sheet {raw.sheet})"
            )
            continue
        try:
            row, headers, rec = recognise_frame(raw.frame, file_name=path.name, sheet=raw.sheet, kind=kind, user=user)
            if rec.best.viable:
                add_doubts(raw.frame, row, headers, rec, user, amount_unit)
        except InputFileError as exc:
            lines.append(f"{where}: {exc.message}")
            continue
        lines += explain_lines(rec, where=where, header_row=row, lang=lang)
    return lines


def _read_and_convert(
    raw, layout: Layout, path: Path, *, user: UserMapping | None, amount_unit: str, clinic: str | None
) -> Converted:
    """Convert one located sheet without touching the warehouse (import_file has checked the arguments)."""
    ds = layout.dataset
    _require_clinic(path, layout, clinic)
    frame = extend_frame(raw.frame, layout, user, header_row=layout.header_row)
    conv = convert(
        frame,
        layout,
        amount_unit=amount_unit,
        clinic=clinic,
        field_counts=raw.field_counts,
        date_order=layout.date_order,
        date_format=user.date_format if user else None,
    )
    if ds.needs_clinic:
        conv = _reject_missing_clinic(conv, layout)
    return conv


def _require_clinic(path: Path, layout: Layout, clinic: str | None) -> None:
    if layout.dataset.needs_clinic and not layout.places("clinic") and clinic is None:
        raise UsageError(
            f"{path.name} has no clinic (门店) column and no clinic was given.",
            hint="Pass --clinic NAME, or set default_clinic in aesops.toml (`aesops init --clinic NAME`).",
        )


def _reject_missing_clinic(conv: Converted, layout: Layout) -> Converted:
    missing = conv.good.filter(pl.col("clinic").is_null())
    if missing.height == 0:
        return conv
    header = next((h for c, h in layout.headers.items() if layout.mapping.get(c) == "clinic"), "clinic")
    extra = missing.select(
        ROW,
        pl.lit(header).alias("column"),
        pl.lit("clinic").alias("field"),
        pl.lit(None, pl.String).alias("value"),
        pl.lit("missing clinic (门店); no --clinic default").alias("reason"),
        pl.lit("rejected").alias("severity"),
    )
    conv.problems = pl.concat([conv.problems, extra.cast(conv.problems.schema)]).sort(ROW)
    conv.good = conv.good.filter(pl.col("clinic").is_not_null())
    conv.rejected += missing.height
    return conv


@dataclass
class Prepared:
    """A converted file, ready to load: its good rows in memory (frame) or staged in DuckDB."""

    layout: Layout
    sheet: str | None
    rows_read: int
    rejected: int
    skipped: int
    problems: pl.DataFrame
    good_rows: int
    date_min: date | None = None
    date_max: date | None = None
    frame: pl.DataFrame | None = None  # None: the rows are in the temp table `table`
    table: str = "aesops_staged"

    def attach(self, con) -> None:
        """Make the good rows available as `incoming`, with _rank for datasets keyed by content."""
        ds = self.layout.dataset
        key = append_key(ds, self.layout) if ds.mode == "append" else None
        if self.frame is not None:
            incoming = self.frame
            if key:
                # Rank within one 64-bit hash of the key: far cheaper than grouping by five text columns.
                # A collision could only rank a row 2 instead of 1, which still leaves its key unique.
                incoming = incoming.with_columns(
                    pl.int_range(1, pl.len() + 1).over(pl.struct(key).hash()).alias("_rank")
                )
            con.register("incoming", incoming.to_arrow())
            return
        con.execute(_sql("drop_incoming"))
        con.execute(_sql("staged_to_incoming", staged=(self.table, STAGED)))
        if not key:
            con.execute(_sql("incoming_unranked"))
            return
        con.execute(_sql("ranks", key=(key, _FIELDS)))
        con.execute(_sql("incoming_ranked"))

    def detach(self, con) -> None:
        if self.frame is not None:
            con.unregister("incoming")
        else:
            con.execute(_sql("drop_incoming_view"))
            con.execute(_sql("drop_incoming"))
            con.execute(_sql("drop_ranks"))


def _in_memory(raw, layout: Layout, path: Path, *, user, amount_unit, clinic) -> Prepared:
    conv = _read_and_convert(raw, layout, path, user=user, amount_unit=amount_unit, clinic=clinic)
    ds = layout.dataset
    dmin, dmax = _date_range(conv.good, ds.date_field)
    return Prepared(
        layout,
        raw.sheet,
        conv.rows_read,
        conv.rejected,
        conv.skipped_blank + conv.skipped_totals,
        conv.problems,
        conv.good.height,
        dmin,
        dmax,
        frame=conv.good,
    )


def _staged(con, path, *, kind, user, amount_unit, clinic, lang) -> Prepared:
    """A large CSV, batch by batch: converted rows go to a DuckDB temp table, so memory stays that
    of one batch. Nothing touches the warehouse tables until the load itself."""
    source = read.csv_in_batches(path)
    try:
        layout = locate(
            source.head, file_name=path.name, sheet=None, kind=kind, user=user, lang=lang, amount_unit=amount_unit
        )
        ds = layout.dataset
        _require_clinic(path, layout, clinic)
        totals = {"read": 0, "rejected": 0, "skipped": 0, "good": 0}
        problems, offset = [], 0
        dmin: date | None = None
        dmax: date | None = None
        con.execute(_sql("drop_staged", staged=("aesops_staged", STAGED)))
        counts = source.field_counts(path.name)
        header_fields = int(counts[layout.header_row]) if layout.header_row < counts.len() else 0
        for i, frame in enumerate(source.batches(path.name, counts.len())):
            frame = extend_frame(frame, layout, user, header_row=layout.header_row if i == 0 else None)
            conv = convert(
                frame,
                layout,
                amount_unit=amount_unit,
                clinic=clinic,
                first_row=None if i == 0 else offset + 1,
                field_counts=counts.slice(offset, frame.height),
                header_fields=header_fields,
                date_order=layout.date_order,
                date_format=user.date_format if user else None,
            )
            if ds.needs_clinic:
                conv = _reject_missing_clinic(conv, layout)
            offset += frame.height
            totals["read"] += conv.rows_read
            totals["rejected"] += conv.rejected
            totals["skipped"] += conv.skipped_blank + conv.skipped_totals
            totals["good"] += conv.good.height
            problems.append(conv.problems)
            lo, hi = _date_range(conv.good, ds.date_field)
            if lo is not None and hi is not None:
                dmin, dmax = min(dmin or lo, lo), max(dmax or hi, hi)
            con.register("aesops_batch", conv.good.to_arrow())
            con.execute(_sql("staged_create" if i == 0 else "staged_append"))
            con.unregister("aesops_batch")
    finally:
        source.close()
    return Prepared(
        layout,
        None,
        totals["read"],
        totals["rejected"],
        totals["skipped"],
        pl.concat(problems) if problems else _empty_problems(),
        totals["good"],
        dmin,
        dmax,
    )


def _date_range(good: pl.DataFrame, date_field: str | None) -> tuple[date | None, date | None]:
    """The first and last date of the good rows (a dataset's date column holds dates or nulls)."""
    if not date_field or good.height == 0:
        return None, None
    column = good[date_field]
    return cast("date | None", column.min()), cast("date | None", column.max())


def _empty_problems() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            ROW: pl.UInt32,
            "column": pl.String,
            "field": pl.String,
            "value": pl.String,
            "reason": pl.String,
            "severity": pl.String,
        }
    )


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    kind: str | None = None,
    sheet: str | None = None,
    mapping: Path | None = None,
    amount_unit: str = "yuan",
    clinic: str | None = None,
    lang: str = "zh",
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportResult:
    """Import a file: one batch per sheet (the first sheet's result, with the others in .more).
    A file aesops is not sure of is refused whole, with a proposed mapping written next to it.
    progress(rows done, rows in the file or None) is called as the rows are converted and loaded."""
    user = UserMapping.load(mapping)
    read.check_readable(path)
    if amount_unit not in ("yuan", "fen"):
        raise UsageError(f"--amount-unit must be yuan or fen, not '{amount_unit}'.")
    if user and user.amount_unit:
        amount_unit = user.amount_unit
    digest = sha256_of(path)
    mapping_digest = sha256_of(mapping) if mapping else ""
    with bounded_memory(con):
        try:
            preps, skipped = _prepare(
                con,
                path,
                sheet=sheet,
                kind=kind,
                user=user,
                amount_unit=amount_unit,
                clinic=clinic,
                lang=lang,
                progress=progress,
            )
        except RecognitionRefused as exc:
            raise _refuse(path, exc, lang) from None
        results = _load_all(
            con,
            path,
            preps,
            mapping=mapping,
            digest=digest,
            mapping_digest=mapping_digest,
            clinic=clinic,
            amount_unit=amount_unit,
            lang=lang,
        )
    first = results[0]
    first.more, first.skipped_sheets = results[1:], skipped
    if progress:
        progress(sum(r.rows_read for r in results), sum(r.rows_read for r in results))
    return first


def import_files(con: duckdb.DuckDBPyConnection, paths: list[Path], **options) -> list[ImportResult]:
    """Import several files, each in its own transaction as import_file does, and refresh the semantic
    layer once for all of them after the last (derived.one_refresh). The first file that fails stops
    the run; the files before it stay imported, with their layer up to date."""
    with bounded_memory(con), derived.one_refresh(con):
        return [import_file(con, path, **options) for path in paths]


def _polars_only(user: UserMapping | None) -> bool:
    """Mapping-file features applied to the text cells by Polars (mapping.extend_frame), and an explicit
    date format (every date cell read with it): the set-wise path does not know them."""
    return bool(user and (user.constants or user.computed or user.values or user.date_format))


def _prepare(con, path: Path, *, sheet, kind, user, amount_unit, clinic, lang, progress):
    def finish(conv: Converted, layout: Layout) -> Converted:
        return _reject_missing_clinic(conv, layout) if layout.dataset.needs_clinic else conv

    def from_staged(st: stage.Staged, sheet_name: str | None) -> Prepared:
        return Prepared(
            st.layout,
            sheet_name,
            st.rows_read,
            st.rejected,
            st.skipped,
            st.problems,
            st.good_rows,
            st.date_min,
            st.date_max,
            frame=None,
            table=st.table,
        )

    if read.is_csv(path):
        if not _polars_only(user):
            st = stage.stage_csv(
                con,
                path,
                table="aesops_staged_0",
                kind=kind,
                user=user,
                amount_unit=amount_unit,
                clinic=clinic,
                lang=lang,
                finish=finish,
                progress=progress,
                on_layout=lambda layout: _require_clinic(path, layout, clinic),
            )
            if st is not None:
                return [from_staged(st, None)], []
        if read.is_large_csv(path):
            return [_staged(con, path, kind=kind, user=user, amount_unit=amount_unit, clinic=clinic, lang=lang)], []
    picked, skipped = _pick_sheets(path, sheet, kind, user, lang, amount_unit)
    if read.is_csv(path) or _polars_only(user):
        return [
            _in_memory(raw, layout, path, user=user, amount_unit=amount_unit, clinic=clinic) for raw, layout in picked
        ], skipped
    preps = []
    for i, (raw, layout) in enumerate(picked):
        _require_clinic(path, layout, clinic)
        st = stage.stage_sheet(
            con,
            raw.frame,
            layout,
            table=f"aesops_staged_{i}",
            amount_unit=amount_unit,
            clinic=clinic,
            user=user,
            finish=finish,
            progress=progress,
        )
        preps.append(from_staged(st, raw.sheet))
    return preps, skipped


def _load_all(
    con, path: Path, preps: list[Prepared], *, mapping, digest, mapping_digest, clinic, amount_unit, lang
) -> list[ImportResult]:
    results: list[ImportResult] = []
    keys = {"digest": digest, "mapping_digest": mapping_digest, "clinic": clinic, "amount_unit": amount_unit}
    # Every sheet is checked before any is loaded: a workbook whose second sheet is mostly unreadable is refused
    # whole, as its message says, not after its first sheet has been committed.
    steps = [(prep, True) for prep in preps] + [(prep, False) for prep in preps]
    for prep, checking in steps:
        try:
            if checking:
                _refuse_if_another_clinic(con, path, prep, digest=keys["digest"], clinic=keys["clinic"])
                _refuse_if_mostly_bad(con, path, prep, **keys)
            else:
                results.append(_load_one(con, path, prep, **keys))
        except InputFileError as exc:
            # Mostly unreadable rows usually mean a column read as the wrong field: give the
            # guess to correct, as for any refusal.
            rec = prep.layout.recognition
            if (
                mapping is None
                and rec is not None
                and not results
                and not isinstance(exc, (ImportedElsewhere, OtherRecordsAlike))
            ):
                refused = RecognitionRefused(
                    exc.message,
                    hint=exc.hint,
                    recognition=rec,
                    header_row=prep.layout.header_row,
                    sheet=prep.sheet,
                    where=path.name,
                )
                written = write_proposal(path, refused, lang)
                if written:
                    note = (
                        f"aesops 的猜测已写入 {written}，核对后用 --mapping 传入。"
                        if lang == "zh"
                        else f"What aesops guessed is in {written}: check it and pass it with --mapping."
                    )
                    exc.hint = (exc.hint or "") + "\n" + note
            for later in preps:
                if later.frame is None:
                    con.execute(_sql("drop_staged", staged=(later.table, STAGED)))
            raise
    return results


def _options_key(prep: Prepared, *, mapping_digest: str, clinic: str | None, amount_unit: str) -> str:
    return f"{prep.layout.dataset.name}|{clinic or ''}|{prep.sheet or ''}|{amount_unit}|{mapping_digest}"


class ImportedElsewhere(InputFileError):
    """The file is read right; it was imported before under another clinic (no mapping would help)."""


def _refuse_if_another_clinic(con, path: Path, prep: Prepared, *, digest: str, clinic: str | None) -> None:
    """A file without a clinic column, imported again with another --clinic: the same rows would load again under
    the second clinic, and the chain's figures count them twice. Refused, naming the first import."""
    ds = prep.layout.dataset
    # Only facts count twice: customers and items are one row per key, whichever clinic's file brings them.
    if prep.layout.places("clinic") or clinic is None or not (ds.mode == "append" or "clinic" in ds.key):
        return
    params = {"sha": digest, "ds": prep.layout.dataset.name, "sheet": prep.sheet, "clinic": clinic}
    first = con.execute(_sql("seen_for_another_clinic"), params).fetchone()
    if first and first[1] is not None:
        raise ImportedElsewhere(
            f"{path.name}: this file was imported for clinic '{first[1]}' in batch {first[0]}; imported for "
            f"'{clinic}' too, its rows would count twice.",
            hint=f"If that batch had the wrong clinic, drop it first: aesops batches drop {first[0]}.",
        )


class OtherRecordsAlike(InputFileError):
    """The file gives a stored key (or one of its own) to another clinic's other record: nothing was imported, and
    no mapping would help."""


def _other_record_test(ds: Dataset) -> Fragment:
    """load.sql's other_record: the stored record (t) and the file's (i) are two clinics' different records, every
    field of Dataset.other_record_when given on both and different."""
    value = query("load", "other_record_value")
    differs = with_fragments(
        query("load", "other_record_differs"),
        t_value=Fragment(value.replace("{v}", "t")),
        i_value=Fragment(value.replace("{v}", "i")),
    )
    fields = per_column(differs, ds.other_record_when, _FIELDS, " AND ")
    return Fragment(with_fragments(query("load", "other_record"), differ=fields))


def _refuse_other_records(found: list[tuple], path: Path, layout: Layout) -> None:
    """A customer or card number stored for one clinic (or on an earlier row of the file) and given here to another
    clinic with another name and phone (a card: another customer): two clinics' systems numbering alike. An update
    would merge two people, and the chain would count them as one (who is new, who came back), so the file is
    refused, naming the rows. The same person moving clinic (same name or phone) is an update, as before."""
    if not found:
        return
    ds = layout.dataset
    (key,) = ds.key
    column = next((layout.headers.get(c, c) for c, f in layout.mapping.items() if f == key), key)
    rows = ", ".join(f"{r[3]} ({r[0]}: {r[1]} → {r[2]})" for r in found)
    raise OtherRecordsAlike(
        f"{path.name}: {found[0][4]} rows give a {column} that another clinic's record already has, with another "
        f"{' and '.join(ds.other_record_when)} (rows {rows}). Each clinic's system seems to number its own "
        "records; loaded, two people would become one. Nothing was imported.",
        hint=(
            "If each clinic's system numbers its own, import each clinic into its own warehouse (--db) until the "
            "exports carry numbers unique across the chain (many CRMs can prefix them with the clinic's code). If "
            "they are the same people, correct the name or phone in one of the systems."
        ),
    )


def _refuse_if_mostly_bad(
    con, path: Path, prep: Prepared, *, digest: str, mapping_digest: str, clinic: str | None, amount_unit: str
) -> None:
    """More than MAX_REJECT_SHARE of a sheet's rows unreadable (and the sheet not imported before, unchanged):
    the file is refused."""
    key = _options_key(prep, mapping_digest=mapping_digest, clinic=clinic, amount_unit=amount_unit)
    # A row its own status voids (an appointment not kept, a voided bill) was read, not unreadable: a front desk's
    # register of mostly missed appointments is no bad file.
    voids = {reason for f in prep.layout.dataset.fields for _, reason in f.voids}
    voided = prep.problems.filter(pl.col("reason").is_in(list(voids)))[ROW].n_unique() if voids else 0
    data_rows = prep.good_rows + prep.rejected - voided
    if not (data_rows and (prep.rejected - voided) / data_rows > MAX_REJECT_SHARE):
        return
    if con.execute(_sql("seen"), {"sha": digest, "opt": key}).fetchone():
        return
    raise InputFileError(
        _mostly_bad_message(path, prep.sheet, prep, data_rows),
        hint=(
            "Nothing was imported. Check that this is the right file and --kind, or --amount-unit; "
            "fix the rows above or map the columns with --mapping FILE."
        ),
    )


def _load_one(
    con, path: Path, prep: Prepared, *, digest: str, mapping_digest: str, clinic: str | None, amount_unit: str
) -> ImportResult:
    layout, sheet_name = prep.layout, prep.sheet
    ds = layout.dataset
    options_key = _options_key(prep, mapping_digest=mapping_digest, clinic=clinic, amount_unit=amount_unit)
    result = ImportResult(
        file=path,
        dataset=ds.name,
        sheet=sheet_name,
        status="loaded",
        layout=layout,
        rows_read=prep.rows_read,
        rejected=prep.rejected,
        skipped=prep.skipped,
        blanked=prep.problems.filter(pl.col("severity") == "blanked").height,
        problems=prep.problems,
        ignored_headers=layout.ignored,
        date_min=prep.date_min,
        date_max=prep.date_max,
    )
    seen = con.execute(_sql("seen"), {"sha": digest, "opt": options_key}).fetchone()
    if seen:
        if prep.frame is None:
            con.execute(_sql("drop_staged", staged=(prep.table, STAGED)))
        result.status, result.batch_id, result.previous_import = "unchanged", seen[0], seen[1]
        result.date_min = result.date_max = None
        return result
    # (_load_all has refused a mostly unreadable sheet before loading any.)
    prep.attach(con)
    try:
        # On a lake, imports take turns, and a commit that conflicts with another writer (a push, a saved
        # target) runs the whole file again.
        with writer_lock(con):
            retry_conflicts(
                lambda: _load(
                    con,
                    prep,
                    result,
                    path=path,
                    digest=digest,
                    options_key=options_key,
                    clinic=clinic,
                    amount_unit=amount_unit,
                )
            )
    finally:
        prep.detach(con)
    return result


def _load(
    con,
    prep: Prepared,
    result: ImportResult,
    *,
    path: Path,
    digest: str,
    options_key: str,
    clinic: str | None,
    amount_unit: str,
) -> None:
    """One file's transaction: rows, rejects, names and the ledger line commit together or not at all."""
    layout, sheet_name = prep.layout, prep.sheet
    ds = layout.dataset
    con.execute("BEGIN TRANSACTION")
    try:
        if _imported_meanwhile(con, result, digest=digest, options_key=options_key):
            con.execute("ROLLBACK")
            return
        batch_id = next_batch_id(con)
        result.batch_id = batch_id
        if ds.mode == "append":
            result.loaded, result.updated, result.older, result.repeated = _append(
                con, ds, layout, batch_id, (result.date_min, result.date_max)
            )
            result.duplicates = prep.good_rows - result.loaded - result.updated
        else:
            result.loaded, result.updated, result.duplicates, result.summed, result.older = _upsert(
                con, ds, batch_id, refuse=lambda found: _refuse_other_records(found, path, layout)
            )
        _record_rejects(con, prep.problems, batch_id, path.name, sheet_name)
        result.new_names = _record_names(con, ds, batch_id)
        result.clinics = [
            r[0] for r in con.execute(_sql("batch_clinics", table=(ds.name, DATASETS)), {"b": batch_id}).fetchall()
        ]
        con.execute(
            _sql("record_batch"),
            {
                "id": batch_id,
                "file": path.name,
                "path": str(path.resolve()),
                "sha": digest,
                "opt": options_key,
                "ds": ds.name,
                "clinic": clinic,
                "sheet": sheet_name,
                "unit": amount_unit,
                "read": result.rows_read,
                "loaded": result.loaded,
                "updated": result.updated,
                "dups": result.duplicates,
                "rejected": result.rejected,
                "blanked": result.blanked,
                "skipped": result.skipped,
                "dmin": result.date_min,
                "dmax": result.date_max,
            },
        )
        # The semantic layer moves with the facts, in the same transaction (readers never see one
        # without the other), or, for several files imported together (import_files), the batch is
        # recorded as pending in it and the layer refreshed once after the last file.
        derived.after_import(con, batch_id=batch_id, dataset=ds.name)
        con.execute("COMMIT")
    except BaseException:
        # A failed COMMIT has already ended the transaction; anything else still needs rolling back.
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise


def _imported_meanwhile(con, result: ImportResult, *, digest: str, options_key: str) -> bool:
    """Another process imported this very file since the first look: it is unchanged, not loaded again."""
    seen = imported_before(con, digest, options_key)
    if seen:
        result.status, result.batch_id, result.previous_import = "unchanged", seen[0], seen[1]
        result.date_min = result.date_max = None
    return seen is not None


def _mostly_bad_message(path: Path, sheet: str | None, conv: Prepared, data_rows: int) -> str:
    where = path.name + (f", sheet '{sheet}'" if sheet else "")
    from aesthetic_cli.privacy import mask_value

    rej = conv.problems.filter(pl.col("severity") == "rejected").head(5)
    # Cron mails this message: at most one cell's value, masked and cut, never rows of names and phones.
    # One problem a line, each worded as a template of present/messages.py, so each reads in Chinese too.
    examples = "\n".join(
        f"  • row {r[ROW]}"
        + (f" column '{mask_value(r['column'], limit=40)}'" if r["column"] else "")
        + f": {r['reason']}"
        + (f" ('{mask_value(r['value'], r['field'])}')" if r["value"] and i == 0 and r["column"] else "")
        for i, r in enumerate(rej.iter_rows(named=True))
    )
    return (
        f"{where}: {conv.rejected} of {data_rows} data rows cannot be read, more than half, so the file "
        f"was refused whole. First problems:\n{examples}"
    )


def _row_key(cols: list[str], rank: str = "CAST(_rank AS VARCHAR)") -> Fragment:
    """The row key over the key columns and the row's rank (load.sql's row_key); rank "'2'": the key a second line
    of the same key has."""
    return Fragment(
        with_fragments(
            query("load", "row_key"),
            parts=per_column(query("load", "key_part"), cols, _FIELDS),
            rank=Fragment(rank),
        )
    )


def append_key(ds: Dataset, layout: Layout) -> list[str]:
    """Natural keys (order id, lead id) when the file has them; otherwise the row's content."""
    mapped = set(layout.mapping.values())
    id_field = ds.natural_key[0] if ds.natural_key else None
    key = list(ds.natural_key) if id_field and id_field in mapped else list(ds.key)
    return ["clinic", *[k for k in key if k != "clinic"]]


def _append(
    con, ds: Dataset, layout: Layout, batch_id: int, days: tuple[date | None, date | None]
) -> tuple[int, int, int, int]:
    """(new, updated, older, repeated): rows whose key is not stored are new; a stored one the file gives other
    values is updated (its version before kept for `aesops batches drop`), unless the file is the older export or
    the key is held twice; the rest are duplicates (the older and repeated ones among them). days: the first and
    last day of the file's rows."""
    # incoming carries _rank: the row's place among equal keys in its file (see import_file), so two
    # identical lines in one export both load, and the same two in a re-export are both skipped.
    key = append_key(ds, layout)
    cols = _table_columns(con, ds.name, exclude={"row_key", "batch_id", "source_row"})
    table = (ds.name, DATASETS)
    row_key = Fragment(row_key_sql(con, _row_key(key)))
    updated = older = repeated = 0
    # A first import has nothing to update: its rows are not hashed twice.
    stored = con.execute(_sql("has_rows", table=table)).fetchone()[0]
    if stored:
        rank_2 = Fragment(row_key_sql(con, _row_key(key, "'2'")))
        updated, older, repeated = _update_changed(con, ds, cols, key, (row_key, rank_2), batch_id, days[1])
    count = _sql("count_rows", table=table)
    before = con.execute(count).fetchone()[0]
    con.execute(with_fragments(_sql("append", table=table, cols=(cols, cols)), row_key=row_key), {"batch": batch_id})
    new = con.execute(count).fetchone()[0] - before
    # A new day's export (the nightly case) has no line stored on its days: nothing to match or correct.
    if not (stored and new and _others_on_days(con, ds, batch_id, days)):
        return new, updated, older, repeated
    if ds.twins_by and ds.natural_key:
        swapped, taken_back = _other_template(con, ds, layout, cols, batch_id, days)
        new, updated = new - swapped - taken_back, updated + swapped
    if new and _corrects(ds, layout, days):
        fixed, skipped = _correct_lines(con, ds, cols, row_key, batch_id, days)
        new, updated, older = new - fixed - skipped, updated + fixed, older + skipped
    return new, updated, older, repeated


def _others_on_days(con, ds: Dataset, batch_id: int, days: tuple[date | None, date | None]) -> bool:
    """Whether a line of another batch is stored on the file's days (load.sql any_on_days)."""
    if ds.date_field is None or days[0] is None or days[1] is None:
        return False
    params = {"batch": batch_id, "dmin": days[0], "dmax": days[1]}
    return bool(
        con.execute(_sql("any_on_days", table=(ds.name, DATASETS), day=(ds.date_field, _FIELDS)), params).fetchone()[0]
    )


def _other_template(
    con, ds: Dataset, layout: Layout, cols: list[str], batch_id: int, days: tuple[date | None, date | None]
) -> tuple[int, int]:
    """(swapped, taken back): the lines append just added that are stored lines exported with the other template,
    one with the natural key (a bill's 单号) and one without (trial 8's G1: each such line was loaded twice), matched
    on Dataset.twins_by. A file with the key replaces the stored lines without (kept for `aesops batches drop`, what
    only they said kept); from a file without, the lines stored with theirs stay and the file's are duplicates."""
    assert ds.date_field  # _others_on_days
    table = (ds.name, DATASETS)
    bill = ds.natural_key[0]
    has_id = bill in set(layout.mapping.values())
    twin = list(ds.twins_by)
    pairs = _sql("template_pairs", table=table, twin=(twin, cols), day=(ds.date_field, cols), id=(bill, cols))
    con.execute(pairs, {"batch": batch_id, "dmin": days[0], "dmax": days[1], "file_has_id": has_id})
    (n,) = con.execute(_sql("template_count")).fetchone()
    if n and has_id:
        values = [c for c in cols if c not in ("clinic", *twin)]
        merged = per_column(query("load", "template_keep_known_col"), values, cols)
        con.execute(with_fragments(_sql("template_keep_known", table=table), merged=merged))
        ensure_prior(con, ds.name)
        con.execute(_sql("template_replaced"))
        con.execute(_sql("keep_prior", table=table, stored=("aesops_replaced", _REPLACED)), {"batch": batch_id})
        con.execute(_sql("template_delete_stored", table=table), {"batch": batch_id})
    elif n:
        con.execute(_sql("template_drop_mine", table=table), {"batch": batch_id})
    execute_all(con, _sql("template_done"))
    return (n, 0) if has_id else (0, n)


def _corrects(ds: Dataset, layout: Layout, days: tuple[date | None, date | None]) -> bool:
    """Lines of a bill can be matched across exports: the dataset names them and the file has the bill's id."""
    return bool(ds.corrects_by and ds.corrects_by[0] in layout.mapping.values() and ds.date_field and all(days))


def _correct_lines(
    con, ds: Dataset, cols: list[str], row_key: Fragment, batch_id: int, days: tuple[date | None, date | None]
) -> tuple[int, int]:
    """(corrected, older) among the lines append just added: a bill's lines stored before with another date or
    amount, replaced (the stored versions kept for `aesops batches drop`), or, when the file is the older export,
    the file's lines taken back out; load.sql's append_corrected says which lines match, a day at a time, then
    across the file's days."""
    assert ds.corrects_by and ds.date_field  # _corrects
    table = (ds.name, DATASETS)
    bill, kind, line = ds.corrects_by
    names = {"bill": (bill, cols), "kind": (kind, cols), "line": (line, cols), "day": (ds.date_field, cols)}
    params = {"dmin": days[0], "dmax": days[1], "batch": batch_id}
    ensure_prior(con, ds.name)
    con.execute(_sql("corrections_open", table=table))
    fixed = older = 0
    for group in ("correction_group_day", "correction_group"):
        grp = Fragment(_sql(group, **names))
        corrected = with_fragments(
            _sql("append_corrected", table=table, **names),
            merged=per_column(query("load", "upsert_keep_known"), cols, cols),
            row_key=row_key,
            grp=grp,
        )
        execute_all(con, corrected, params)
        n_fixed, n_older = con.execute(_sql("count_corrected")).fetchone()
        if n_fixed or n_older:
            con.execute(_sql("keep_prior", table=table, stored=("aesops_replaced", _REPLACED)), {"batch": batch_id})
            con.execute(_sql("corrected_delete", table=table))
            execute_all(con, _sql("corrections_fixed"))
            insert = _sql("insert_replacing", table=table, cols=(cols, cols), rows=("aesops_corrected", _REPLACED))
            con.execute(insert, {"batch": batch_id})
        fixed, older = fixed + n_fixed, older + n_older
        execute_all(con, _sql("corrected_done"))
    con.execute(_sql("corrections_close"))
    return fixed, older


def _update_changed(
    con,
    ds: Dataset,
    cols: list[str],
    key: list[str],
    row_keys: tuple[Fragment, Fragment],
    batch_id: int,
    last_day: date | None,
) -> tuple[int, int, int]:
    """(updated, older, repeated): stored lines given other values, and those left as stored because the file's
    data end before the data of the file that stored them (an older export imported after a newer one), or
    because their key is held twice (which of the two a changed line is, only its order says). row_keys: the
    row's key, and the key a second line of the same key has (stored, it says the key repeats)."""
    values = [c for c in cols if c not in key]
    table = (ds.name, DATASETS)
    row_key, rank_2 = row_keys
    changed = with_fragments(
        _sql("append_changed", table=table),
        t_key=per_column(query("load", "t_col"), key, cols),
        merged=per_column(query("load", "upsert_keep_known"), values, cols),
        differs=per_column(query("load", "upsert_differs"), values, cols, " OR "),
        same_key=per_column(query("load", "j_same_key"), key, cols, " AND "),
        row_key=row_key,
        row_key_2=rank_2,
    )
    con.execute(changed, {"dmax": last_day})
    updated, older, repeated = con.execute(_sql("count_changed")).fetchone()
    con.execute(_sql("drop_older_changed"))
    if updated:
        ensure_prior(con, ds.name)
        con.execute(_sql("keep_prior", table=table, stored=("aesops_changed", _REPLACED)), {"batch": batch_id})
        con.execute(_sql("append_delete_changed", table=table))
        insert = _sql("insert_replacing", table=table, cols=([*key, *values], cols), rows=("aesops_changed", _REPLACED))
        con.execute(insert, {"batch": batch_id})
    con.execute(_sql("append_done"))
    return updated, older, repeated


def _upsert(
    con, ds: Dataset, batch_id: int, *, refuse: Callable[[list[tuple]], None]
) -> tuple[int, int, int, int, int]:
    """(new, updated, unchanged, summed, older): rows of one key in the file are summed where the dataset sums them
    (sum_fields), else the last one wins (the newest, where a date orders them: newest_by); both leave one row per
    key, compared with the warehouse's. Older versions than the stored ones (newest_by) replace nothing, and are
    counted among the unchanged too."""
    cols = _table_columns(con, ds.name, exclude={"batch_id", "source_row"})
    key = list(ds.key)
    values = [c for c in cols if c not in key]
    table = (ds.name, DATASETS)

    def each(fragment: str, columns: list[str], sep: str = ", ") -> Fragment:
        return per_column(query("load", fragment), columns, cols, sep)

    incoming_rows, distinct_keys = con.execute(_sql("upsert_key_counts", key=(key, cols))).fetchone()
    # Two clinics' records under one number (Dataset.other_record_when) are refused (refuse raises), in the file
    # here and against the stored ones after the merge, which flags them in the join it makes anyway.
    other = _other_record_test(ds) if ds.other_record_when else None
    if other and distinct_keys < incoming_rows:
        refuse(con.execute(with_fragments(_sql("other_records_in_file", key0=(key[0], cols)), other=other)).fetchall())
    if distinct_keys == incoming_rows:
        con.execute(_sql("upsert_inc_as_is", cols=(key + values, cols)))
    else:
        last = "upsert_newest" if ds.newest_by else "upsert_last"
        aggs = Fragment(", ".join(each("upsert_sum" if c in ds.sum_fields else last, [c]) for c in values))
        if ds.newest_by:
            aggs = Fragment(with_fragments(aggs, **_newest(ds, cols)))
        con.execute(with_fragments(_sql("upsert_inc_grouped", key=(key, cols)), aggs=aggs))
    join = each("upsert_same_key", key, " AND ")
    merge = with_fragments(
        _sql("upsert_merge", table=table, key0=(key[0], cols)),
        i_key=each("upsert_incoming_col", key),
        merged=each("upsert_keep_known", values),
        differs=each("upsert_differs", values, " OR "),
        older=Fragment(with_fragments(query("load", "upsert_older"), **_newest(ds, cols)))
        if ds.newest_by
        else Fragment("false"),
        other=other or Fragment("false"),
        join=join,
    )
    con.execute(merge)
    if other:
        refuse(con.execute(_sql("other_records_stored", table=table, key0=(key[0], cols))).fetchall())
    new, updated, older = con.execute(_sql("upsert_counts")).fetchone()
    con.execute(with_fragments(_sql("upsert_keep_prior", table=table), join=join), {"batch": batch_id})
    con.execute(with_fragments(_sql("upsert_delete", table=table), join=join))
    con.execute(_sql("upsert_insert", table=table, cols=(key + values, cols)), {"batch": batch_id})
    con.execute(_sql("upsert_done"))
    summed = incoming_rows - distinct_keys if ds.sum_fields else 0
    return new, updated, incoming_rows - summed - new - updated, summed, older


def _newest(ds: Dataset, cols: list[str]) -> dict[str, Fragment]:
    """The columns that order a record's versions (Dataset.newest_by, Dataset.grows), checked against the table's."""
    assert ds.newest_by is not None
    return {
        "newest": Fragment(with_identifiers("{c}", c=(ds.newest_by, cols))),
        "grows": Fragment(with_identifiers("{c}", c=(ds.grows, cols)) if ds.grows else "NULL"),
    }


def _table_columns(con, table: str, exclude: set[str]) -> list[str]:
    rows = con.execute(_sql("table_columns"), {"t": table}).fetchall()
    return [r[0] for r in rows if r[0] not in exclude]


def _record_rejects(con, problems: pl.DataFrame, batch_id: int, file_name: str, sheet: str | None) -> None:
    if problems.height == 0:
        return
    frame = problems.with_columns(
        pl.lit(batch_id).alias("batch_id"), pl.lit(file_name).alias("file_name"), pl.lit(sheet).alias("sheet")
    )
    con.register("problems", frame.to_arrow())
    con.execute(_sql("record_rejects"))
    con.unregister("problems")


def _record_names(con, ds: Dataset, batch_id: int) -> dict[str, list[str]]:
    """Names seen for the first time, so that a typo (`抖音 `, `张 三`) is caught after the import."""
    found: dict[str, list[str]] = {}
    for f in ds.fields:
        if not f.watch_names:
            continue
        rows = con.execute(_sql("new_names", c=(f.name, _FIELDS)), {"k": f.watch_names}).fetchall()
        names = [r[0] for r in rows]
        if names:
            con.executemany(_sql("remember_name"), [(f.watch_names, n, batch_id) for n in names])
            found.setdefault(f.watch_names, [])
            found[f.watch_names].extend(n for n in names if n not in found[f.watch_names])
    return found
