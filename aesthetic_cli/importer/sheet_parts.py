"""What calamine's cells leave out of an xlsx sheet: its merged ranges and its formulas without a result.

A bill exported with its 单号, date and customer merged down over the bill's item lines holds those values in the
bill's first row only; Excel shows them on every line, and so must the import. A workbook written by a program
(xlsxwriter, openpyxl, Apache POI) keeps its formulas' text but no computed result (none, or 0 with
fullCalcOnLoad, "compute when opened"): calamine reads 0 or nothing where Excel would show 3,000.

The sheet's XML is read once, streamed, while calamine parses the same sheet on another thread
(read._parse_while_importing): about 0.3 s for a sheet of 200k rows, beside calamine's 1.6 s. Only the
data region matters, so the ranges are applied after the header is found (`apply`)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import polars as pl

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Z]+)\d+(?::([A-Z]+)\d+)?"')
# A cell with a formula: <c r="D2" ...><f ...>E2*F2</f><v>0</v></c>; a shared formula's followers have <f .../>.
_FORMULA_CELL = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*>\s*<((?:\w+:)?)f\b([^>]*?)(?:/>|>([^<]*)</(?:\w+:)?f>)'
    rb"\s*(?:<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>|<(?:\w+:)?v\s*/>)?",
    re.S,
)
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
# Before a formula's text put in its cell: text from a file that merely starts with = (=HYPERLINK(…) in a CSV) is data
# and stays; this private-use character (never in a cell calamine reads) says the text is a formula without a result.
FORMULA_MARK = "\ue001"
# When the text of a shared formula's follower is unknown, what the user sees instead of a number.
SHARED_FORMULA = "=…"


@dataclass
class SheetParts:
    first_col: int | None = None  # the used range's first column (0 = A), as calamine's frame starts there
    width: int | None = None
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # rows 0-based, columns 0 = A
    uncomputed: list[tuple[int, int, str]] = field(default_factory=list)  # (row, column, "=formula")
    computed: bool = False  # some formula has a result other than 0: the writer computed them


def column_index(letters: bytes | str) -> int:
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _sheet_part(z: zipfile.ZipFile, name: str) -> str | None:
    book = ET.fromstring(z.read("xl/workbook.xml"))
    rid = next(
        (el.get(_REL + "id") for el in book.iter(_MAIN + "sheet") if el.get("name") == name),
        None,
    )
    if rid is None:
        return None
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = next((el.get("Target") for el in rels if el.get("Id") == rid), None)
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _calc_on_load(z: zipfile.ZipFile) -> bool:
    book = ET.fromstring(z.read("xl/workbook.xml"))
    calc = book.find(_MAIN + "calcPr")
    return calc is not None and calc.get("fullCalcOnLoad") in ("1", "true")


def scan(path: Path, sheet: str) -> SheetParts | None:
    """The sheet's merged ranges and uncomputed formulas; None when the file is no xlsx or the part is not found
    (nothing is then changed: the cells stay as calamine read them)."""
    try:
        with zipfile.ZipFile(path) as z:
            part = _sheet_part(z, sheet)
            if part is None:
                return None
            zero_is_uncomputed = _calc_on_load(z)
            return _scan_part(z, part, zero_is_uncomputed)
    except (KeyError, zipfile.BadZipFile, ET.ParseError, OSError, ValueError):
        return None


def _scan_part(z: zipfile.ZipFile, part: str, zero_is_uncomputed: bool) -> SheetParts:
    out = SheetParts()
    zeros: list[tuple[int, int, str]] = []
    carry = b""
    with z.open(part) as fh:
        while True:
            chunk = fh.read(1 << 20)
            text = carry + chunk
            if out.first_col is None and (m := _DIMENSION.search(text)):
                first = column_index(m.group(1))
                out.first_col, out.width = first, column_index(m.group(2) or m.group(1)) - first + 1
            body, carry = _complete(text) if chunk else (text, b"")
            if b"f" in body and _FORMULA_TAG.search(body):
                _formulas(body, out, zeros)
            if b"mergeCell" in body:
                for c1, r1, c2, r2 in _MERGE.findall(body):
                    out.merges.append((int(r1) - 1, column_index(c1), int(r2) - 1, column_index(c2)))
            if not chunk:
                break
    if zero_is_uncomputed and not out.computed:
        out.uncomputed += zeros
    return out


def _complete(text: bytes) -> tuple[bytes, bytes]:
    """(what holds whole elements, the rest for the next chunk): inside the cells, up to the last closed cell (a
    formula's cell cut before its <v> would read as uncomputed); after them, up to the last closed element (the
    merged ranges are <mergeCell .../>)."""
    closer = b"/>" if b"</sheetData>" in text else b"</c>"
    pos = text.rfind(closer)
    cut = pos + len(closer) if pos >= 0 else 0
    return text[:cut], text[cut:]


def _formulas(body: bytes, out: SheetParts, zeros: list[tuple[int, int, str]]) -> None:
    """Formula cells without a result into out.uncomputed; those whose result is 0 into `zeros` (uncomputed only if
    the writer computed none: xlsxwriter saves 0 for every formula and asks Excel to compute them when opened)."""
    for m in _FORMULA_CELL.finditer(body):
        col, row, text, value = m.group(1), int(m.group(2)), m.group(5), m.group(6)
        # A shared formula's followers hold no text (and the first cell's names its own cells, D2 for row 2).
        formula = FORMULA_MARK + ("=" + text.decode("utf-8", "replace") if text else SHARED_FORMULA)
        where = (row - 1, column_index(col), formula)
        if value is None or value.strip() == b"":
            out.uncomputed.append(where)
        elif value.strip() == b"0":
            zeros.append(where)
        else:
            out.computed = True


def apply(frame: pl.DataFrame, parts: SheetParts | None, header_row: int, fill: set[str] | None = None) -> pl.DataFrame:
    """The frame with each range merged down below the header filled from its first cell, in the range's first
    column (what Excel shows on every line), and each uncomputed formula's cell holding its text, so the row is
    rejected naming the formula instead of loading 0. Only the columns in `fill` are filled (None: all): an amount
    merged over a bill's lines is the bill's, once, not each line's. A range is filled only under a filled first
    cell and only where its cells are empty, in case calamine's frame does not start where the sheet's dimension
    says."""
    if parts is None or parts.first_col is None or (not parts.merges and not parts.uncomputed):
        return frame
    if parts.width is not None and parts.width != frame.width:
        return frame
    cols = frame.columns
    updates: dict[str, pl.Series] = {}
    by_column: dict[int, list[tuple[int, int]]] = {}
    for r1, c1, r2, _c2 in parts.merges:
        j = c1 - parts.first_col
        if r1 < r2 < frame.height and r1 > header_row and 0 <= j < len(cols):
            by_column.setdefault(j, []).append((r1, r2))
    for j, ranges in by_column.items():
        name = cols[j]
        if fill is not None and name not in fill:
            continue
        column = frame[name]
        empty = column.is_null().to_numpy()
        tops, ends = np.array(ranges, dtype=np.int64).T
        tops, ends = tops[~empty[tops]], ends[~empty[tops]]
        # Rows under a top, through its range's end: +1 after each top, −1 after each end, summed down the rows.
        depth = np.zeros(frame.height + 1, dtype=np.int64)
        np.add.at(depth, tops + 1, 1)
        np.add.at(depth, ends + 1, -1)
        covered = pl.Series(np.cumsum(depth[:-1]) > 0)
        updates[name] = frame.select(
            pl.when(covered & pl.col(name).is_null()).then(pl.col(name).forward_fill()).otherwise(pl.col(name))
        ).to_series()
    if parts.uncomputed:
        cells: dict[str, dict[int, str]] = {}
        for row, col, formula in parts.uncomputed:
            j = col - parts.first_col
            if row > header_row and 0 <= j < len(cols) and row < frame.height:
                cells.setdefault(cols[j], {})[row] = formula
        for name, marks in cells.items():
            values = (updates[name] if name in updates else frame[name]).to_list()
            for i, v in marks.items():
                values[i] = v
            updates[name] = pl.Series(name, values, dtype=pl.String)
    return frame.with_columns(s.alias(name) for name, s in updates.items()) if updates else frame
