"""Group rows: a report-style export names a block's clinic or consultant in a row of its own
(门店：徐汇店, 咨询师：张敏) above the block's lines, instead of in a column. Each such row's value belongs to the
lines below it, until the next row naming the same thing, as a reader of the printed report takes it. Without
this the group rows were rejected as bad dates, and every line went to the default clinic or to no consultant,
with exit 0."""

from __future__ import annotations

import dataclasses
import re

import polars as pl

from aesthetic_cli.importer import recognise as rg
from aesthetic_cli.importer.header import Layout

# What a group row may name: who or where the block's lines belong to, never an amount or a date.
GROUP_FIELDS = ("clinic", "consultant", "online_consultant", "doctor", "department", "channel")
_GROUP = re.compile(r"^\s*([^:：]{1,8}?)\s*[:：]\s*(\S.{0,39}?)\s*$")


def apply(frame: pl.DataFrame, layout: Layout) -> tuple[pl.DataFrame, Layout]:
    """The frame with a column per field its group rows name (filled down from each group row, the group rows
    themselves left blank so they are skipped), and the layout reading those columns. Only a field the file has no
    column for: a column says it line by line."""
    taken = set(layout.mapping.values()) | set(layout.constants)
    wanted = {
        rg.normalise(s): f.name
        for f in layout.dataset.fields
        if f.name in GROUP_FIELDS and f.name not in taken
        for s in (*f.synonyms, f.name)
    }
    if not wanted or frame.height <= layout.header_row + 1:
        return frame, layout
    body = frame.slice(layout.header_row + 1).with_row_index("_i", offset=layout.header_row + 1)
    filled = [pl.col(c).is_not_null() & (pl.col(c).str.strip_chars() != "") for c in frame.columns]
    # In the table's first column, as a printed report puts it (or merged across from there): a note in a later
    # column of a row otherwise empty (备注 门店：徐汇店转来) is a broken data row, and stays a reject.
    first = frame.columns[0]
    lone = body.filter((pl.sum_horizontal(filled) == 1) & filled[0]).select("_i", pl.col(first).alias("_t"))
    found: dict[str, dict[int, str]] = {}
    labels: dict[str, str] = {}
    for i, text in lone.filter(pl.col("_t").str.contains("[:：]")).iter_rows():
        m = _GROUP.match(text)
        field = wanted.get(rg.normalise(m.group(1))) if m else None
        if field and m:
            found.setdefault(field, {})[i] = _name(m.group(2))
            labels.setdefault(field, m.group(1))
    if not found:
        return frame, layout
    rows = sorted({i for by_row in found.values() for i in by_row})
    # The group rows blank: skipped as blank rows, not rejected.
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()).is_in(rows)).then(None).otherwise(pl.col(c)).alias(c) for c in frame.columns
    )
    mapping, headers = dict(layout.mapping), dict(layout.headers)
    for field, values in _filled_down(found, rows, layout.header_row, frame.height).items():
        column = f"c{frame.width}"
        frame = frame.with_columns(pl.Series(column, values, dtype=pl.String))
        mapping[column] = field
        headers[column] = labels[field]
    return frame, dataclasses.replace(layout, mapping=mapping, headers=headers)


def _name(said: str) -> str:
    """The name a group row gives, without what the report adds after it: 徐汇店（共2笔）, 李娜  合计2笔."""
    name = re.sub(r"\s*[(（][^()（）]*[)）]\s*$", "", said.strip())
    return name.split()[0] if name.split() else said.strip()


def _filled_down(found: dict[str, dict[int, str]], rows: list[int], header_row: int, height: int) -> dict:
    """Each field's value on every line, from the group row above it. The fields seen first are the outer groups
    (门店, then 科室, then 医生): a group row ends the blocks nested in it, so 科室：皮肤科 after 医生：王医生 (of
    科室：整形科) leaves the next lines' doctor empty, while 咨询师：李娜 keeps the 门店 above it."""
    first = {field: min(by_row) for field, by_row in found.items()}
    current: dict[str, str | None] = dict.fromkeys(found)
    values: dict[str, list[str | None]] = {f: [None] * height for f in found}
    for i in range(header_row + 1, height):
        for field, by_row in found.items():
            if i in by_row:
                current[field] = by_row[i]
                for inner in (g for g in found if first[g] > first[field]):
                    current[inner] = None
        if i in rows:
            continue
        for field in found:
            values[field][i] = current[field]
    return values
