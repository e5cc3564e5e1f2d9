"""Find the header row below any title rows, decide the dataset, map headers to fields."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from aesthetic_cli.errors import InputFileError, UsageError
from aesthetic_cli.importer import datasets as d
from aesthetic_cli.importer import recognise as rg
from aesthetic_cli.importer.datasets import DATASETS, Dataset
from aesthetic_cli.importer.explain import where_text
from aesthetic_cli.importer.mapping import (
    COMPUTED_PREFIX,
    CONST_PREFIX,
    MAPPING_HELP,
    UserMapping,
    formula_columns,
)

__all__ = ["Layout", "UserMapping", "MAPPING_HELP", "RecognitionRefused", "locate"]

SCAN_ROWS = 30


@dataclass
class Layout:
    dataset: Dataset
    header_row: int  # frame index of the header row (sheet row = header_row + 1)
    mapping: dict[str, str]  # frame column -> field
    headers: dict[str, str]  # frame column -> header text as written in the file
    ignored: list[str] = field(default_factory=list)  # headers no field claimed
    # What a message names for a column the mapping computes (its formula's columns), not its inner name.
    shown: dict[str, str] = field(default_factory=dict)
    recognition: rg.Recognition | None = None
    date_order: str | None = None  # read from day/month/year values (or the mapping file)
    # Fields the file's or sheet's name supplies for every row: a sheet named 退款明细 makes each line's kind 退款.
    constants: dict[str, str] = field(default_factory=dict)

    def places(self, field_name: str) -> bool:
        """Whether the file says the field: a column for it, or the file's or sheet's name (a sheet named 徐汇店)."""
        return field_name in self.mapping.values() or field_name in self.constants


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


TARGETS_HINT = (
    "Targets are not imported: make the year's plan with `aesops targets split --year 2027 --total 12000000 --save` "
    "(or --growth 0.15), which splits it into months, clinics and consultants, then follow it with "
    "`aesops targets track`."
)
# A pivot table's headers, as Excel and WPS write them in Chinese and English.
_PIVOT = re.compile(
    r"^\s*(?:(?:求和|计数|平均值|最大值|最小值|乘积)项\s*[:：]|(?:sum|count|average|max|min) of )"
    r"|^行标签$|^row labels$",
    re.I,
)


def _filled(cell) -> bool:
    return cell is not None and bool(str(cell).strip())


def _mostly_values(cells: list) -> bool:
    filled = [str(v) for v in cells if _filled(v)]
    return bool(filled) and sum(map(rg.looks_like_value, filled)) * 2 > len(filled)


def _combined(frame: pl.DataFrame, top: int, known=None) -> dict[str, str] | None:
    """Rows top and top+1 read as one header of grouped columns, as exports with merged header cells write
    it: 客户 over 编号 | 姓名, 金额 over 应收 | 实收, 日期 over nothing (merged down). A label below is
    joined to the group label above it or, under an empty cell, to the nearest one to its left (a merged
    cell holds its text in its first column only), unless it already holds it: 客户编号, 客户姓名, 金额应收,
    金额实收, 日期. None when the two rows do not look like that: a data row (a date, an amount or a phone
    below; or text only, over no column of dates or amounts), a title above (a single cell), or no label
    under an empty cell."""
    if top < 0 or top + 1 >= frame.height:
        return None
    upper, lower = _row_cells(frame, top), _row_cells(frame, top + 1)
    if sum(map(_filled, upper)) < 2 or sum(map(_filled, lower)) < 2:
        return None
    if any(_filled(v) and rg.looks_like_value(str(v)) for v in (*upper, *lower)):
        return None
    if not any(_filled(b) and not _filled(a) for a, b in zip(upper, lower, strict=True)):
        return None
    # A column that is no group (its upper cell is followed by another filled one, or ends the row) is merged
    # down in a real two-row header, so its lower cell is empty. A first data row fills it (C1 under 客户编号),
    # and so does a header under a title of a few cells (订单号 under 收费明细).
    for i, (a, b) in enumerate(zip(upper, lower, strict=True)):
        if _filled(a) and _filled(b) and (i + 1 == len(upper) or _filled(upper[i + 1])):
            return None
    # A label, not a first data row of text only: somewhere the rows below hold dates or amounts under it, or
    # (a customer file's 客户 over 编号 | 姓名, with no date or amount under either) every label below, joined to its
    # group, is a header aesops knows (`known`): a first data row's text (C1 | 张三) does not read as 客户C1.
    below = frame.slice(top + 2, 50)
    values_below = any(
        _filled(b) and _mostly_values(below[col].to_list()) for col, b in zip(frame.columns, lower, strict=True)
    )
    headers: dict[str, str] = {}
    group: str | None = None
    for col, a, b in zip(frame.columns, upper, lower, strict=True):
        if _filled(a):
            group = str(a).strip()
        elif not _filled(b):
            group = None  # an empty column ends a group
        if _filled(b):
            label = str(b).strip()
            # 卡 over 卡号 reads 卡号, 金额 over 卡内金额 reads 卡内金额: the group's word is already there.
            headers[col] = label if not group or group in label else group + label
        elif _filled(a):
            headers[col] = str(a).strip()
    if values_below:
        return headers
    labelled = [headers[col] for col, b in zip(frame.columns, lower, strict=True) if _filled(b)]
    return headers if known is not None and all(known(text) for text in labelled) else None


def two_row_header(
    frame: pl.DataFrame, row: int, pool: list[Dataset], user_cols: set[str], *, given: bool = False
) -> tuple[int, dict[str, str]] | None:
    """The header as two rows (the one found and the one above or below it) when that reading names more
    columns aesops knows than the row alone: (the lower row, its headers). Data starts below the lower
    row, so everything after reads the file as if that row were the header. A row the user gave
    (header_row in a mapping) is never moved down: it can only be the lower row, as aesops' proposals write it."""
    alone = sum(1 for c in _row_cells(frame, row) if _header_hits(c, pool, user_cols))
    best: tuple[int, dict[str, str]] | None = None
    for top in (row - 1,) if given else (row - 1, row):
        headers = _combined(frame, top, known=lambda text: _header_hits(text, pool, user_cols))
        if headers is None:
            continue
        hits = sum(1 for text in headers.values() if _header_hits(text, pool, user_cols))
        if hits > alone:
            best, alone = (top + 1, headers), hits
    return best


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


def _refuse_mapping_mismatch(where: str, user: UserMapping | None, headers: dict[str, str]) -> None:
    """A mapping's [columns] lines that the sheet cannot follow: a field none of whose headers the sheet has, or two of
    the sheet's columns given one field. The import went ahead on aesops' own guess, which the mapping was written to
    overrule (trial 8's G7). Refused, naming the lines and the sheet's headers. (Two spellings of one field, for the
    sheets of a workbook that write it differently, are fine while a sheet has one of them.)"""
    if user is None or not user.columns:
        return
    present = {rg.normalise(t) for c, t in headers.items() if not c.startswith("=")}
    by_field: dict[str, list[str]] = {}
    for key, fname in user.columns.items():
        by_field.setdefault(fname, []).append(key)
    real = ", ".join(t for c, t in headers.items() if not c.startswith("="))
    name = user.path.name if user.path else "mapping"
    twice = [(f, [user.written.get(k, k) for k in ks if k in present]) for f, ks in by_field.items()]
    twice = [(f, hs) for f, hs in twice if len(hs) > 1]
    if twice:
        f, hs = twice[0]
        raise UsageError(
            f"{where}: {name} gives {f} two of the sheet's columns: {', '.join(hs)}.",
            hint="A field takes one column: keep the line of the right one in [columns]. Nothing was imported.",
        )
    unmatched = [user.written.get(k, k) for ks in by_field.values() if not any(k in present for k in ks) for k in ks]
    if unmatched:
        raise UsageError(
            f"{where}: {name} names columns the sheet does not have: {', '.join(unmatched)}. Its columns are: {real}.",
            hint="Write those headers in [columns] as the sheet writes them, or delete the lines. Nothing was "
            "imported.",
        )


def recognise_frame(
    frame: pl.DataFrame, *, file_name: str, sheet: str | None, kind: str | None, user: UserMapping | None
) -> tuple[int, dict[str, str], rg.Recognition]:
    kind = kind or (user.kind if user else None)
    if kind is not None and kind not in DATASETS:
        raise UsageError(f"Unknown --kind '{kind}'.", hint=f"Kinds: {', '.join(DATASETS)}.")
    pool = [DATASETS[kind]] if kind else list(DATASETS.values())
    user_cols = set(user.columns) if user else set()
    where = where_text(file_name, sheet)
    row: int | None
    if user and user.header_row:
        row = user.header_row - 1
        if row >= frame.height:
            raise UsageError(f"{where}: header_row = {user.header_row} is past the last row ({frame.height}).")
    else:
        if not any(_filled(c) for i in range(min(SCAN_ROWS, frame.height)) for c in _row_cells(frame, i)):
            # Nothing to recognise: a header's absence would be read as unknown columns, with a mapping lecture.
            raise InputFileError(f"{where} holds nothing: no cell in its first {SCAN_ROWS} rows is filled.")
        row = find_header_row(frame, pool, user_cols)
    no_header = row is None
    two_rows = (
        None if row is None else two_row_header(frame, row, pool, user_cols, given=bool(user and user.header_row))
    )
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
    if two_rows is not None:
        row, headers = two_rows
    pivot = next((h for h in headers.values() if _PIVOT.search(h)), None)
    if pivot is not None:
        # Its cells are sums and counts (计数项:顾客编号 holds 3, not a customer): read as lines, they would load
        # counts as ids and totals as sales.
        raise InputFileError(
            f"{where} is a pivot table ('{pivot}'): aesops reads the lines it sums, not the sums.",
            hint="Export the detail (明细) from the CRM, or double-click the pivot table's grand total in Excel, "
            "which writes its lines to a new sheet, and import that.",
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
    # Rows above the header are titles, whose words hint at the dataset; the upper row of a two-row header
    # is not one (its 客户 over 编号 | 姓名 is no sign of a customers file).
    above = row - 1 if two_rows is not None else row
    title = " ".join(str(v) for i in range(above) for v in _row_cells(frame, i) if v is not None)
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
    if rec.best.viable:
        # Imported here: bill_total reads amounts with convert.py, which imports this module's Layout.
        from aesthetic_cli.importer import bill_total

        bill_total.prefer_line_amounts(frame, row, headers, rec)
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
    amount_unit: str | None = None,
) -> Layout:
    """frame: the sheet, or its first rows when day_month_values(columns, header_row) gives the cells of
    the whole file that could be day/month dates (see _day_month_candidates)."""
    from aesthetic_cli.importer.explain import refusal

    where = where_text(file_name, sheet)
    row, headers, rec = recognise_frame(frame, file_name=file_name, sheet=sheet, kind=kind, user=user)
    _refuse_mapping_mismatch(where, user, headers)
    ds, mapping = rec.best.dataset, {c: m.field for c, m in rec.best.matches.items()}
    if not rec.best.viable:
        named = kind or (user.kind if user else None)
        real = ", ".join(t for c, t in headers.items() if not c.startswith("="))
        if not named and any(re.search(r"目标|target", t, re.I) for t in headers.values()):
            # A plan (目标业绩 by month and clinic) is made in aesops, not imported: no mapping file is the fix.
            raise InputFileError(
                f"{where}: the header row (row {row + 1}) does not match any dataset aesops knows. "
                f"Headers found: {real}.",
                hint=TARGETS_HINT,
            )
        raise RecognitionRefused(
            f"{where}: the header row (row {row + 1}) does not match dataset '{ds.name}' ({ds.label_zh}). "
            f"Headers found: {real}."
            if named
            else f"{where}: the header row (row {row + 1}) does not match any dataset aesops knows. "
            f"Headers found: {real}.",
            hint=_lacking_hint(ds, mapping) + "\n" + MAPPING_HELP,
            recognition=rec,
            header_row=row,
            sheet=sheet,
            where=where,
        )
    date_order = add_doubts(frame, row, headers, rec, user, amount_unit, day_month_values)
    if not rec.sure:
        msg, hint = refusal(file_name, sheet, rec, None, lang)
        raise RecognitionRefused(msg, hint=hint, recognition=rec, header_row=row, sheet=sheet, where=where)
    sources = _computed_sources(user, mapping)
    # A column a mapping's formula reads (实收金额(万元) under "[实收金额(万元)] * 10000") is used, not ignored.
    read = {rg.normalise(h) for names in sources.values() for h in names}
    ignored = [
        " ".join(headers[c].split()) for c in headers if c not in mapping and rg.normalise(headers[c]) not in read
    ]
    return Layout(
        dataset=ds,
        header_row=row,
        mapping=mapping,
        headers=headers,
        ignored=ignored,
        shown={col: ", ".join(names) for col, names in sources.items()},
        recognition=rec,
        date_order=date_order,
        constants=_named_constants(ds, mapping, [sheet or "", file_name]) | _sheet_clinic(ds, mapping, sheet),
    )


# A file or sheet of refunds only (退款明细, 退费记录) whose lines carry no kind: each positive amount is money
# given back. A name that also says sales (收退款明细, 收费及退费) holds both, and is left to the lines' own signs.
# The sheet's name speaks first (退款明细 in 收费明细.xlsx), then the file's.
_REFUNDS_ONLY = re.compile(r"退款|退费")
_SALES_TOO = re.compile(r"收费|收款|收银|销售|消费|成交|收退|收支")


# A sheet named as a clinic is named (静安店, 徐汇分院, 总院): a chain's workbook of a sheet per clinic. Not a bare
# 院 or 门诊, which end words that are no clinic (到院, 整形门诊).
_CLINIC_NAME = re.compile(r"^\s*([\w·（）()\-]{1,15}?(?:店|分店|分院|院区|医院|总院|诊所))\s*$")


def _sheet_clinic(ds: Dataset, mapping: dict[str, str], sheet: str | None) -> dict[str, str]:
    """The clinic of every row of a sheet named as one, where the sheet has no clinic column: each sheet's rows are
    that clinic's, whatever --clinic says (which fills only rows nothing else places, as under a 门店 column; trial
    8's G5: a 徐汇店 sheet loaded as 静安店's)."""
    if sheet is None or "clinic" in mapping.values() or "clinic" not in ds.columns:
        return {}
    found = _CLINIC_NAME.match(sheet)
    return {"clinic": found.group(1)} if found else {}


def _named_constants(ds: Dataset, mapping: dict[str, str], names: list[str]) -> dict[str, str]:
    if ds.name != "orders" or "kind" in mapping.values():
        return {}
    for name in names:
        refunds, sales = _REFUNDS_ONLY.search(name), _SALES_TOO.search(name)
        if refunds or sales:
            return {"kind": "退款"} if refunds and not sales else {}
    return {}


def _computed_sources(user: UserMapping | None, mapping: dict[str, str]) -> dict[str, list[str]]:
    if user is None:
        return {}
    return {
        col: formula_columns(user.computed[fname])
        for col, fname in mapping.items()
        if col.startswith(COMPUTED_PREFIX) and fname in user.computed
    }


def add_doubts(frame, row, headers, rec, user, amount_unit, day_month_values=None) -> str | None:
    """What recognition alone cannot see and makes a file a doubt: day/month dates the file cannot order, an
    amount's header naming another unit. Returns the date order the file's dates show, if any. `aesops import
    --explain` runs this too, so that it says what the import would do."""
    ds, mapping = rec.best.dataset, {c: m.field for c, m in rec.best.matches.items()}
    date_order = user.date_order if user else None
    if not date_order and not (user and user.date_format):
        dated = [c for c, f in mapping.items() if ds.field(f).type in (d.DATE, d.PERIOD) and c in frame.columns]
        values = (
            day_month_values(dated, row)
            if day_month_values
            else [_day_month_candidates(frame[c].slice(row + 1)) for c in dated]
        )
        two_digits = rg.two_digit_year(values)
        if two_digits:
            # Their first number is no day to order by; a few among full dates are rejected as unreadable.
            values = [[v for v in col if not rg.year_first_possible(v)] for col in values]
            cells = pl.concat([frame[c].slice(row + 1).drop_nulls().cast(pl.String) for c in dated])
            if cells.map_elements(rg.year_first_possible, return_dtype=pl.Boolean).mean() < 0.5:
                two_digits = None
        date_order, example, other = rg.infer_date_order(values)
        if other:
            # 13/10/2026 is day first and 10/20/2026 month first: no date_order reads the file (trial 7's F7).
            rec.doubts.append(("date_mixed", {"day_first": example, "month_first": other}))
        elif two_digits:
            # 26-10-01 is 2026-10-01 or 26 October 2001: the file cannot say, so the user must.
            rec.doubts.append(
                ("two_digit_year", {"example": two_digits[0], "sep": two_digits[1], "year_first": two_digits[2]})
            )
        elif example and not date_order:
            # 10/7/2025 is July or October: the file cannot say, so the user must.
            rec.doubts.append(("date_order", {"example": example}))
    _unit_doubts(rec, headers, amount_unit)
    return date_order


def _unit_doubts(rec: rg.Recognition, headers: dict[str, str], amount_unit: str | None) -> None:
    """An amount whose header names another unit than the file is read in (实收金额(万元) read as yuan would be
    ten thousand times too small) makes the file a doubt: refused, with a mapping that converts it. A column
    the user's mapping names is theirs to decide."""
    expected = "分" if amount_unit == "fen" else "元"
    ds = rec.best.dataset
    for col, m in rec.best.matches.items():
        if m.why in ("mapping", "constant", "computed") or ds.field(m.field).type != d.AMOUNT:
            continue
        unit = rg.header_unit(headers.get(col, ""))
        if unit is not None and unit != expected:
            rec.doubts.append(
                ("amount_unit", {"header": headers[col], "unit": unit, "field": m.field, "reading": expected})
            )


def _day_month_candidates(values: pl.Series) -> list:
    """The cells that could be day/month/year dates. A cell starting with four digits (2025-01-03, an
    Excel date cell) never is, and dropping those in Polars spares a Python loop over a million ISO dates."""
    text = values.cast(pl.String)
    return text.filter(text.is_not_null() & ~text.str.contains(r"^\d{4}")).to_list()


def _lacking_hint(ds: Dataset, mapping: dict[str, str]) -> str:
    have = set(mapping.values())
    lacking = [f for f in ds.required if f.name not in have]
    # Headers as examples, in no language's words: the line is shown in Chinese or English.
    parts = [f"{f.name} ({' / '.join(f.synonyms[:3])})" for f in lacking]
    return (
        f"Closest dataset: {ds.name} ({ds.label_zh}), which needs: {'; '.join(parts)}. "
        "Rename those headers, pass --kind, or map your headers with --mapping FILE."
    )
