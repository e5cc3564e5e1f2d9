"""Convert a sheet's plain rows in DuckDB, set-wise; every other row goes to convert.py.

Most rows of an export are plain: ISO dates, plain decimal amounts, digits for phones, no stray
spaces or control characters, as many fields as the header. Those are converted here in SQL, all
rows at once and on every core. A row is converted here only when convert.py would read every one
of its cells the same way (its own fast spellings, `_fast`, are these), so the two paths cannot
disagree: anything else (a blank or totals row, a repeated header, ¥1,234.00, 2025年1月3日, a cell
convert.py would blank or reject, a line with more fields than the header, a missing clinic) is
left to convert.py, which stays the one reference for what a cell means and records every problem.

The SQL is generated from code constants, the dataset's field names and column names c0..cN;
nothing from the file reaches SQL text: header cells and the --clinic value are bound parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from aesthetic_cli.importer import convert as cv
from aesthetic_cli.importer import datasets as d
from aesthetic_cli.importer.header import Layout
from aesthetic_cli.importer.scripts import in_both_scripts

# Whitespace as Python and Rust strip it (Unicode White_Space), in RE2 terms.
_WS = r"[\s\p{Z}\x{85}]"
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x{200b}-\x{200d}\x{2060}\x{feff}\x{202a}-\x{202e}\x{2066}-\x{2069}]"
# convert.FULL_WIDTH's characters and sheet_parts.FORMULA_MARK: a row with one is cleaned by convert.py.
_FULL_WIDTH = r"[\x{ff10}-\x{ff19}\x{ff21}-\x{ff3a}\x{ff41}-\x{ff5a}\x{e001}]"
# Joins a spreadsheet row's cells for the one regex test per row; a private-use character, so that no
# class of the test matches it (a cell containing one only makes the row slow).
SHEET_JOIN = "\ue000"
_PLAIN_NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"
_ISO_DAY = cv.ISO_DAY
_DIGITS = r"^[0-9]+$"

SQL_TYPES = {
    d.TEXT: "VARCHAR",
    d.AMOUNT: "DOUBLE",
    d.NUMBER: "DOUBLE",
    d.DATE: "DATE",
    d.PERIOD: "DATE",
    d.PHONE: "VARCHAR",
    d.BOOL: "BOOLEAN",
}


def lit(text: str) -> str:
    """A SQL string literal for a code constant (patterns, word lists); never for file content."""
    return "'" + text.replace("'", "''") + "'"


def _is_in(expr: str, values: list[str]) -> str:
    # list_contains, not IN: DuckDB plans `x IN (list)` as a join over every row, even inside a CASE branch.
    return f"list_contains([{', '.join(lit(v) for v in values)}], {expr})"


def _row_regex(delimiter: str) -> str:
    """A row needing convert.py's cleaning: a cell with leading or trailing whitespace, an ="..." cell, a cell
    marked as text by a leading apostrophe, or a control character anywhere."""
    sep = "\\" + delimiter if delimiter in r"\.^$|?*+()[]{}" else delimiter
    return rf"(^|{sep}){_WS}|{_WS}({sep}|$)|(^|{sep})[=']|{_CONTROL}|{_FULL_WIDTH}"


@dataclass
class Plan:
    """SQL over a relation of text cells c0..cN (plus _row, and _fields for CSV lines), in layers:
    `cleaned` (over the source: the cells convert.py reads, cleaned, and `_plain`, the row-wide test),
    `typed` (over cleaned: each field's value and whether convert.py reads the cell the same way),
    `fast` and `values` (over typed)."""

    cleaned: list[str]
    typed: list[str]
    fast: str
    values: list[str]  # "expr AS name", the dataset's fields
    params: dict[str, object]


# A row with a totals word or a footer (convert.py skips a footer only alone in its row) goes to convert.py.
_TOTAL_OR_FOOTER = f"{cv._TOTAL_WORDS}|{cv._FOOTER_WORDS}"
# The first letters of both (共 and 第 for counts and page markers, p for Page 1 of 3; 暂, 无, 没, 查 and n for the
# placeholders of an export without rows: 暂无数据, No data)
# (in either script: 總, 當, 暫, 無, 沒),
_TOTAL_FIRST = in_both_scripts(
    ["合", "总", "小", "本", "全", "当", "共", "第", "t", "g", "s", "p", "暂", "无", "没", "查", "n"]
)
# and the last: a word's, a colon's, a count's or a page marker's (合计：2笔, 合计(1条), 共2条记录, 第1页; 合計).
_TOTAL_LAST = in_both_scripts(["计", "l", "s", "m", "a", ":", "：", *"笔条项单行人次个)）录据页果", *"0123456789"])


def plan(
    layout: Layout,
    *,
    columns: list[str],
    amount_unit: str,
    clinic: str | None,
    delimiter: str | None,
    header_fields: int | None,
    row_text: str,
) -> Plan:
    """row_text: a SQL expression of the row's whole text (its cells joined by delimiter, SHEET_JOIN for a
    spreadsheet), for the one cleaning test per row. header_fields (CSV): the header line's field count."""
    ds = layout.dataset
    scale = 100.0 if amount_unit == "fen" else 1.0
    by_field = {f: c for c, f in layout.mapping.items() if c in columns}
    read_cols = list(dict.fromkeys([*by_field.values(), *columns[:4]]))
    params: dict[str, object] = {}
    # A literal, not a parameter: DuckDB compiles a constant pattern once, a parameter's per chunk. The
    # delimiter in it is one of , ; | (stage.plain_csv), never other text from the file.
    plain = [f"NOT coalesce(regexp_matches({row_text}, {lit(_row_regex(delimiter or SHEET_JOIN))}), false)"]
    if header_fields is not None:
        plain.append(f"_fields = {int(header_fields)}")
    cleaned = [f"{' AND '.join(plain)} AS _plain", *[f"{_cell(c)} AS {c}" for c in read_cols]]
    conds = ["_plain"]
    # Totals rows (合计) and blank rows are skipped by convert.py, which counts them. A plain row's cells
    # have no leading or trailing whitespace, so only a cell starting with a totals word's first letter and
    # ending with its last needs the regex (an order number SF2024… starts with one but ends with a digit),
    # and, as in convert.py, only a cell of at most 8 characters.
    # (CASE, not AND: DuckDB runs a CASE branch only on the rows that reach it.)
    for c in columns[:4]:
        first_letter = _is_in(f"lower(left({c}, 1))", _TOTAL_FIRST)
        last_letter = _is_in(f"lower(right({c}, 1))", _TOTAL_LAST)
        conds.append(
            f"NOT CASE WHEN length({c}) <= {cv.TOTAL_MAX_CHARS} AND {first_letter} AND {last_letter} THEN "
            f"coalesce(regexp_matches(regexp_replace(lower({c}), '{_WS}', '', 'g'), {lit(_TOTAL_OR_FOOTER)}), false) "
            "ELSE false END"
        )
    # A labelled subtotal (张敏 小计, 本单合计 under 项目) in the first columns or a text field's: convert.py skips it.
    subtotals = [c for c in cv.subtotal_columns(columns, layout) if c in read_cols]
    for c in subtotals:
        labelled = "(" + " OR ".join(f"contains({c}, {lit(w)})" for w in cv.SUBTOTAL_WORDS) + ")"
        conds.append(
            f"NOT CASE WHEN length({c}) <= {cv.SUBTOTAL_MAX_CHARS} AND {labelled} "
            f"THEN coalesce(regexp_matches(regexp_replace({c}, '{_WS}', '', 'g'), {lit(cv.SUBTOTAL)}), false) "
            "ELSE false END"
        )
    # A signature under the table (制表人：张三) in a required text column would load as an item or a name:
    # convert.py skips it when every filled cell is such a note, so a row with one there goes to convert.py.
    signed = [by_field[f.name] for f in ds.required if f.type == d.TEXT and f.name in by_field]
    for note in signed:
        conds.append(
            f"NOT CASE WHEN contains({note}, ':') OR contains({note}, '：') THEN coalesce(regexp_matches({note}, "
            f"{lit(cv._NOTE)}), false) ELSE false END"
        )
    first = next(iter(layout.mapping))
    if first in columns:
        # A paged export repeats its header: convert.py recognises and skips those rows.
        conds.append(f"{first} IS DISTINCT FROM $header")
        params["header"] = layout.headers[first]
    typed = ["_plain", *columns[:4]] if first not in columns[:4] and first in columns else ["_plain", *columns[:4]]
    if first in columns and first not in typed:
        typed.append(first)
    typed += [c for c in dict.fromkeys([*signed, *subtotals]) if c not in typed]
    values = []
    for f in ds.fields:
        col = by_field.get(f.name)
        if col is None:
            # What the sheet's name says (its clinic) before --clinic, as convert.py reads it.
            if f.name in layout.constants:
                values.append(f"CAST($const_{f.name} AS VARCHAR) AS {f.name}")
                params[f"const_{f.name}"] = layout.constants[f.name]
            elif f.name == "clinic" and clinic is not None:
                values.append("CAST($clinic AS VARCHAR) AS clinic")
                params["clinic"] = clinic
            else:
                values.append(f"CAST(NULL AS {SQL_TYPES[f.type]}) AS {f.name}")
            continue
        parsed, ok, value = _field(f, col, f"p_{f.name}", scale)
        typed += [f"{parsed} AS p_{f.name}", f"{col} IS NULL AS n_{f.name}"]
        conds.append(f"(NOT n_{f.name} AND {ok})" if f.required else f"(n_{f.name} OR {ok})")
        if f.name == "clinic" and clinic is not None:
            value = f"coalesce({value}, $clinic)"
            params["clinic"] = clinic
        values.append(f"{value} AS {f.name}")
    if ds.needs_clinic and clinic is None and "clinic" not in layout.constants:
        # Without a default, a row with no clinic is rejected (load._reject_missing_clinic), by the slow path.
        conds.append("NOT n_clinic" if "clinic" in by_field else "false")
    return Plan(
        cleaned=cleaned, typed=list(dict.fromkeys(typed)), fast=" AND ".join(conds), values=values, params=params
    )


def _cell(c: str) -> str:
    """convert._clean for a row that passed the cleaning test: only placeholders become NULL (none is
    longer than 6 bytes, which spares the list test for most cells)."""
    return f"(CASE WHEN strlen({c}) > 6 THEN {c} WHEN {c} = '' OR {_is_in(c, cv._EMPTY)} THEN NULL ELSE {c} END)"


def _field(f: d.Field, cell: str, parsed: str, scale: float) -> tuple[str, str, str]:
    """For a non-NULL cell: (its parse, over the cell; whether convert.py reads it the same way, and the
    value, both over the parse's column `parsed`)."""
    if f.type in (d.AMOUNT, d.NUMBER):
        divisor = scale if f.type == d.AMOUNT else 1.0
        ok = f"coalesce(abs({parsed}) <= {cv.MAX_ABS_AMOUNT!r}, false)"
        return (
            f"CASE WHEN regexp_matches({cell}, {lit(_PLAIN_NUMBER)}) THEN TRY_CAST({cell} AS DOUBLE) / {divisor!r} END",
            ok,
            f"CASE WHEN {ok} THEN {parsed} END",
        )
    if f.type in (d.DATE, d.PERIOD):
        ok = f"coalesce(year({parsed}) BETWEEN 1900 AND 2100, false)"
        return (
            (
                f"CASE WHEN regexp_matches({cell}, {lit(_ISO_DAY)}) "
                f"THEN CAST(try_strptime(left({cell}, 10), '%Y-%m-%d') AS DATE) END"
            ),
            ok,
            f"CASE WHEN {ok} THEN {parsed} END",
        )
    if f.type == d.PHONE:
        ok = f"coalesce(length({parsed}) BETWEEN 5 AND 15, false)"
        return (
            (
                f"CASE WHEN regexp_matches({cell}, {lit(_DIGITS)}) "
                f"THEN regexp_replace({cell}, '^(?:0086|86)(1[0-9]{{10}})$', '\\1') END"
            ),
            ok,
            f"CASE WHEN {ok} THEN {parsed} END",
        )
    if f.type == d.BOOL:
        return (
            f"lower({cell})",
            f"coalesce({_is_in(parsed, cv._YES + cv._NO)}, false)",
            f"CASE WHEN {_is_in(parsed, cv._YES)} THEN true WHEN {_is_in(parsed, cv._NO)} THEN false END",
        )
    if f.voids:
        # A voided bill is rejected by convert.py, which records it.
        return cell, f"NOT coalesce(regexp_matches(lower({parsed}), {lit(f.void_pattern)}), false)", parsed
    return cell, "true", parsed


def derived(dataset: str) -> list[str]:
    """convert._derive in SQL, over the typed columns: dataset rules that depend on wording."""

    def low(c: str) -> str:
        return f"lower(coalesce({c}, ''))"

    def has(c: str, pattern: str) -> str:
        return f"regexp_matches({c}, {lit(pattern)})"

    if dataset == "orders":
        refund = (
            f"(({has(low('kind'), cv._REFUND_KIND)} OR {has(low('item'), cv._REFUND_ITEM)} "
            "OR coalesce(quantity < 0, false)) AND paid_amount > 0)"
        )
        paid = f"CASE WHEN {refund} THEN -paid_amount ELSE paid_amount END"
        topup = f"({has(low('kind'), cv._TOPUP_KIND)} OR coalesce({has('lower(item)', cv._TOPUP_ITEM)}, false))"
        return [
            f"{paid} AS paid_amount",
            f"CASE WHEN ({paid}) < 0 THEN 'refund' WHEN {topup} THEN 'topup' ELSE 'sale' END AS line_kind",
            f"{has(low('payment_method'), cv._STORED_VALUE)} AS stored_value",
        ]
    if dataset == "treatments":
        reversal = f"({has(low('kind'), cv.REVERSAL)} OR coalesce(sessions < 0, false))"
        return [
            f"CASE WHEN {reversal} AND {c} > 0 THEN -{c} ELSE {c} END AS {c}" for c in ("consumed_amount", "sessions")
        ]
    if dataset == "visits":
        t = low("visit_type")
        return [
            (
                f"CASE WHEN {has(t, cv.VISIT_RECHECK)} THEN '复查' WHEN {has(t, cv.VISIT_NOT_FIRST)} THEN '复诊' "
                f"WHEN {has(t, cv.VISIT_FIRST)} THEN '初诊' "
                f"WHEN {has(t, cv.VISIT_RETURN)} THEN '复诊' ELSE visit_type END AS visit_type"
            )
        ]
    if dataset == "staff":
        r = low("role")
        return [
            (
                f"CASE WHEN {has(r, '网|online')} THEN 'online_consultant' "
                f"WHEN {has(r, '咨询|顾问|onsite|consult')} THEN 'onsite_consultant' "
                f"WHEN {has(r, '医|doctor')} THEN 'doctor' WHEN {has(r, '客服|service')} THEN 'service' "
                "ELSE role END AS role"
            )
        ]
    if dataset == "customers":
        g = low("gender")
        return [
            (
                f"CASE WHEN {g} IN ('女', 'f', 'female') THEN '女' WHEN {g} IN ('男', 'm', 'male') THEN '男' "
                "ELSE gender END AS gender"
            )
        ]
    return []
