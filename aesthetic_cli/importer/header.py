"""Find the header row below any title rows, decide the dataset, map headers to fields."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from aesthetic_cli.errors import InputFileError, UsageError
from aesthetic_cli.importer import datasets as d
from aesthetic_cli.importer import recognise as rg
from aesthetic_cli.importer.datasets import DATASETS, Dataset
from aesthetic_cli.importer.mapping import COMPUTED_PREFIX, CONST_PREFIX, MAPPING_HELP, UserMapping

__all__ = ["Layout", "UserMapping", "MAPPING_HELP", "RecognitionRefused", "locate"]

SCAN_ROWS = 30


@dataclass
class Layout:
    dataset: Dataset
    header_row: int  # frame index of the header row (sheet row = header_row + 1)
    mapping: dict[str, str]  # frame column -> field
    headers: dict[str, str]  # frame column -> header text as written in the file
    ignored: list[str] = field(default_factory=list)  # headers no field claimed
    recognition: rg.Recognition | None = None
    date_order: str | None = None  # read from day/month/year values (or the mapping file)


class RecognitionRefused(InputFileError):
    """The file was understood only partly or ambiguously: nothing is loaded, a mapping is proposed."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        recognition: rg.Recognition,
        header_row: int,
        sheet: str | None,
        where: str,
    ):
        super().__init__(message, hint=hint)
        self.recognition, self.header_row, self.sheet, self.where = recognition, header_row, sheet, where


def _row_cells(frame: pl.DataFrame, i: int) -> list[str | None]:
    return list(frame.row(i))


def _header_hits(cell, pool: list[Dataset], user_cols: set[str]) -> bool:
    if cell is None:
        return False
    text = str(cell)
    if len(text) > 40:  # a title or a note, not a header
        return False
    if rg.looks_like_value(text):  # dates, amounts, phones: data rows, not headers
        return False
    if rg.normalise(text) in user_cols:
        return True
    return any(rg.header_score(ds, f, text) for ds in pool for f in ds.fields)


def find_header_row(frame: pl.DataFrame, pool: list[Dataset], user_cols: set[str]) -> int | None:
    best, best_hits = None, 0
    for i in range(min(SCAN_ROWS, frame.height)):
        hits = sum(1 for c in _row_cells(frame, i) if _header_hits(c, pool, user_cols))
        if hits > best_hits:
            best, best_hits = i, hits
    return best if best_hits >= 1 else None


def _profiles(frame: pl.DataFrame, row: int, columns: list[str]) -> dict[str, rg.Profile]:
    body = frame.slice(row + 1, 300)
    return {c: rg.profile(body[c].to_list()) for c in columns if c in body.columns}


def _fixed(user: UserMapping | None, ds: Dataset | None, headers: dict[str, str]) -> dict[str, rg.Match]:
    if user is None:
        return {}
    names = {f.name for f in ds.fields} if ds else None
    fixed: dict[str, rg.Match] = {}
    taken: set[str] = set()
    for col, text in headers.items():
        target = user.columns.get(rg.normalise(text))
        if target and (names is None or target in names) and target not in taken:
            fixed[col] = rg.Match(col, target, 3, "mapping")
            taken.add(target)
    for fname in user.constants:
        if names is None or fname in names:
            fixed[CONST_PREFIX + fname] = rg.Match(CONST_PREFIX + fname, fname, 3, "constant")
    for fname in user.computed:
        if names is None or fname in names:
            fixed[COMPUTED_PREFIX + fname] = rg.Match(COMPUTED_PREFIX + fname, fname, 3, "computed")
    return fixed


def recognise_frame(
    frame: pl.DataFrame, *, file_name: str, sheet: str | None, kind: str | None, user: UserMapping | None
) -> tuple[int, dict[str, str], rg.Recognition]:
    kind = kind or (user.kind if user else None)
    if kind is not None and kind not in DATASETS:
        raise UsageError(f"Unknown --kind '{kind}'.", hint=f"Kinds: {', '.join(DATASETS)}.")
    pool = [DATASETS[kind]] if kind else list(DATASETS.values())
    user_cols = set(user.columns) if user else set()
    where = f"{file_name}" + (f", sheet '{sheet}'" if sheet else "")
    row: int | None
    if user and user.header_row:
        row = user.header_row - 1
        if row >= frame.height:
            raise UsageError(f"{where}: header_row = {user.header_row} is past the last row ({frame.height}).")
    else:
        row = find_header_row(frame, pool, user_cols)
    no_header = row is None
    if row is None:
        # Still propose a mapping: the widest of the first rows is most likely the header.
        widths: list[int] = [
            sum(1 for v in _row_cells(frame, i) if v is not None and str(v).strip())
            for i in range(min(SCAN_ROWS, frame.height))
        ]
        widest = max(widths, default=0)
        row = widths.index(widest) if widest else 0
    headers = (
        {
            c: str(v).strip()
            for c, v in zip(frame.columns, _row_cells(frame, row), strict=False)
            if v is not None and str(v).strip()
        }
        if frame.height
        else {}
    )
    if no_header:
        ds = pool[0] if kind else DATASETS["orders"]
        rec = rg.Recognition(
            rg.Candidate(ds, {}, 0, False, [f.name for f in ds.required]),
            [],
            headers,
            _profiles(frame, row, list(headers)),
        )
        raise RecognitionRefused(
            f"{where}: no header row found in the first {SCAN_ROWS} rows; no column name is one aesops knows.",
            hint=_lacking_hint(ds, {}) + "\n" + MAPPING_HELP,
            recognition=rec,
            header_row=row,
            sheet=sheet,
            where=where,
        )
    profiles = _profiles(frame, row, list(headers))
    title = " ".join(str(v) for i in range(row) for v in _row_cells(frame, i) if v is not None)
    context = f"{file_name} {sheet or ''} {title}"
    all_headers = dict(headers)
    fixed_any = _fixed(user, DATASETS[kind] if kind else None, headers)
    for col, m in fixed_any.items():
        if col.startswith("="):
            all_headers[col] = col.split(":", 1)[0] + ":" + m.field
    forced = bool(kind) or bool(user and user.decides)
    if user and not kind:
        # Fields named in the mapping must belong to the dataset chosen; score each dataset with its own.
        recs = [
            rg.recognise(
                all_headers, profiles, context=context, pool=[ds], fixed=_fixed(user, ds, headers), forced=forced
            )
            for ds in pool
        ]
        recs.sort(key=lambda r: (r.best.viable, r.best.score), reverse=True)
        rec = recs[0]
        rec.others = [r.best for r in recs[1:]]
    else:
        rec = rg.recognise(all_headers, profiles, context=context, pool=pool, fixed=fixed_any, forced=forced)
    return row, all_headers, rec


def locate(
    frame: pl.DataFrame,
    *,
    file_name: str,
    sheet: str | None,
    kind: str | None,
    user: UserMapping | None,
    lang: str = "zh",
    day_month_values=None,
) -> Layout:
    """frame: the sheet, or its first rows when day_month_values(columns, header_row) gives the cells of
    the whole file that could be day/month dates (see _day_month_candidates)."""
    from aesthetic_cli.importer.explain import refusal

    where = f"{file_name}" + (f", sheet '{sheet}'" if sheet else "")
    row, headers, rec = recognise_frame(frame, file_name=file_name, sheet=sheet, kind=kind, user=user)
    ds, mapping = rec.best.dataset, {c: m.field for c, m in rec.best.matches.items()}
    if not rec.best.viable:
        named = kind or (user.kind if user else None)
        real = ", ".join(t for c, t in headers.items() if not c.startswith("="))
        raise RecognitionRefused(
            f"{where}: the header row (row {row + 1}) does not match "
            + (f"dataset '{ds.name}' ({ds.label_zh})." if named else "any dataset aesops knows.")
            + f" Headers found: {real}.",
            hint=_lacking_hint(ds, mapping) + "\n" + MAPPING_HELP,
            recognition=rec,
            header_row=row,
            sheet=sheet,
            where=where,
        )
    date_order = user.date_order if user else None
    if not date_order and not (user and user.date_format):
        dated = [c for c, f in mapping.items() if ds.field(f).type in (d.DATE, d.PERIOD) and c in frame.columns]
        values = (
            day_month_values(dated, row)
            if day_month_values
            else [_day_month_candidates(frame[c].slice(row + 1)) for c in dated]
        )
        date_order, example = rg.infer_date_order(values)
        if example and not date_order:
            # 10/7/2025 is July or October: the file cannot say, so the user must.
            rec.doubts.append(("date_order", {"example": example}))
    if not rec.sure:
        msg, hint = refusal(where, rec, None, lang)
        raise RecognitionRefused(msg, hint=hint, recognition=rec, header_row=row, sheet=sheet, where=where)
    ignored = [headers[c] for c in headers if c not in mapping]
    return Layout(
        dataset=ds,
        header_row=row,
        mapping=mapping,
        headers=headers,
        ignored=ignored,
        recognition=rec,
        date_order=date_order,
    )


def _day_month_candidates(values: pl.Series) -> list:
    """The cells that could be day/month/year dates. A cell starting with four digits (2025-01-03, an
    Excel date cell) never is, and dropping those in Polars spares a Python loop over a million ISO dates."""
    text = values.cast(pl.String)
    return text.filter(text.is_not_null() & ~text.str.contains(r"^\d{4}")).to_list()


def _lacking_hint(ds: Dataset, mapping: dict[str, str]) -> str:
    have = set(mapping.values())
    lacking = [f for f in ds.required if f.name not in have]
    parts = [f"{f.name} (e.g. {', '.join(f.synonyms[:3])})" for f in lacking]
    return (
        f"Closest dataset: {ds.name} ({ds.label_zh}), which needs: {'; '.join(parts)}. "
        "Rename those headers, pass --kind, or map your headers with --mapping FILE."
    )
