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

import polars as pl

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)\d+(?::([A-Z]+)\d+)?"')
# A cell with a formula: <c r="D2" ...><f ...>E2*F2</f><v>0</v></c>; a shared formula's followers have <f .../>.
_FORMULA_CELL = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*>\s*<f(?:\s[^>]*)?(?:/>|>([^<]*)</f>)\s*(?:<v>([^<]*)</v>|<v/>)?', re.S
)
# When the text of a shared formula's follower is unknown, what the user sees instead of a number.
SHARED_FORMULA = "=…"


@dataclass
class SheetParts:
    first_col: int | None = None  # the used range's first column (0 = A), as calamine's frame starts there
    width: int | None = None
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # rows 0-based, columns 0 = A
    uncomputed: list[tuple[int, int, str]] = field(default_factory=list)  # (row, column, "=formula")


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
    shared: dict[bytes, bytes] = {}
    carry = b""
    with z.open(part) as fh:
        while True:
            chunk = fh.read(1 << 20)
            text = carry + chunk
            if out.first_col is None and (m := _DIMENSION.search(text)):
                first = column_index(m.group(1))
                out.first_col, out.width = first, column_index(m.group(2) or m.group(1)) - first + 1
            body, carry = _complete(text) if chunk else (text, b"")
            if b"<f" in body:
                _formulas(body, out, shared, zero_is_uncomputed)
            if b"<mergeCell " in body:
                for c1, r1, c2, r2 in _MERGE.findall(body):
                    out.merges.append((int(r1) - 1, column_index(c1), int(r2) - 1, column_index(c2)))
            if not chunk:
                break
    return out


def _complete(text: bytes) -> tuple[bytes, bytes]:
    """(what holds whole elements, the rest for the next chunk): inside the cells, up to the last closed cell (a
    formula's cell cut before its <v> would read as uncomputed); after them, up to the last closed element (the
    merged ranges are <mergeCell .../>)."""
    closer = b"/>" if b"</sheetData>" in text else b"</c>"
    pos = text.rfind(closer)
    cut = pos + len(closer) if pos >= 0 else 0
    return text[:cut], text[cut:]


def _formulas(body: bytes, out: SheetParts, shared: dict[bytes, bytes], zero_is_uncomputed: bool) -> None:
    for m in _FORMULA_CELL.finditer(body):
        col, row, text, value = m.group(1), int(m.group(2)), m.group(3), m.group(4)
        tag = body[m.start() : m.end()]
        si = re.search(rb'si="(\d+)"', tag)
        if si and text:
            shared[si.group(1)] = text
        elif si:
            text = shared.get(si.group(1))
        if value is None or (zero_is_uncomputed and value.strip() in (b"0", b"")):
            formula = "=" + text.decode("utf-8", "replace") if text else SHARED_FORMULA
            out.uncomputed.append((row - 1, column_index(col), formula))


def apply(frame: pl.DataFrame, parts: SheetParts | None, header_row: int) -> pl.DataFrame:
    """The frame with each range merged down below the header filled from its first cell, in the range's first
    column (what Excel shows on every line), and each uncomputed formula's cell holding its text, so the row is
    rejected naming the formula instead of loading 0. A range is filled only where the cells agree with it (its
    first cell filled, the cells under it empty), in case calamine's frame does not start where the sheet's
    dimension says."""
    if parts is None or parts.first_col is None or (not parts.merges and not parts.uncomputed):
        return frame
    if parts.width is not None and parts.width != frame.width:
        return frame
    cols = frame.columns
    edits: dict[str, dict[int, str]] = {}
    for r1, c1, r2, _c2 in parts.merges:
        j = c1 - parts.first_col
        if r2 <= r1 or r1 <= header_row or not 0 <= j < len(cols) or r2 >= frame.height:
            continue
        column = frame[cols[j]]
        top = column[r1]
        if top is None or str(top).strip() == "" or column.slice(r1 + 1, r2 - r1).drop_nulls().len():
            continue
        edits.setdefault(cols[j], {}).update(dict.fromkeys(range(r1 + 1, r2 + 1), top))
    for row, col, formula in parts.uncomputed:
        j = col - parts.first_col
        if row > header_row and 0 <= j < len(cols) and row < frame.height:
            edits.setdefault(cols[j], {})[row] = formula
    if not edits:
        return frame
    updates = []
    for name, cells in edits.items():
        values = frame[name].to_list()
        for i, v in cells.items():
            values[i] = v
        updates.append(pl.Series(name, values, dtype=pl.String))
    return frame.with_columns(updates)
