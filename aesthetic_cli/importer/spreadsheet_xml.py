"""Excel 2003 XML Spreadsheet (SpreadsheetML): what older CRMs and ASP.NET back offices write when they
"export to Excel", named .xls. calamine does not read it, and Excel opens it as a workbook, so a director cannot
tell it from a real .xls. Its cells are plain XML (Worksheet / Table / Row / Cell / Data), read here with the
standard library's streaming parser; the cells come out as text like every other reader's (read.py)."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import polars as pl

from aesthetic_cli.importer.sheet_parts import SheetParts

_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_X = "{urn:schemas-microsoft-com:office:excel}"
_MARK = b"urn:schemas-microsoft-com:office:spreadsheet"


def is_spreadsheet_xml(head: bytes) -> bool:
    """The first bytes of a file: an XML document in SpreadsheetML's namespace."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"<?xml") and _MARK in head


class XmlSheet:
    def __init__(self, name: str):
        self.name = name
        self.cells: dict[tuple[int, int], str] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.hidden = False

    def frame(self) -> pl.DataFrame:
        if not self.cells:
            return pl.DataFrame()
        height = max(r for r, _ in self.cells) + 1
        width = max(c for _, c in self.cells) + 1
        columns: list[list[str | None]] = [[None] * height for _ in range(width)]
        for (r, c), text in self.cells.items():
            columns[c][r] = text
        return pl.DataFrame(
            {f"c{i}": col for i, col in enumerate(columns)},
            schema=dict.fromkeys((f"c{i}" for i in range(width)), pl.String),
        )

    def parts(self) -> SheetParts:
        width = max((c for _, c in self.cells), default=-1) + 1
        return SheetParts(first_col=0, width=width, merges=list(self.merges))


class XmlWorkbook:
    """The workbook's sheets, parsed once; `sheet_names` as fastexcel's reader has them."""

    def __init__(self, path: Path):
        self.sheets: dict[str, XmlSheet] = {}
        for sheet in _parse(path):
            self.sheets.setdefault(sheet.name, sheet)
        self.sheet_names = list(self.sheets)

    @property
    def hidden(self) -> set[str]:
        return {name for name, s in self.sheets.items() if s.hidden}


def _value(data: ET.Element) -> str:
    text = "".join(data.itertext())  # rich text (<html:Font>…) keeps its words
    if data.get(_SS + "Type") == "DateTime" and "T" in text:
        day, _, time = text.partition("T")
        time = time.split(".")[0]
        return day if time in ("", "00:00:00") else f"{day} {time}"
    return text


def _parse(path: Path) -> list[XmlSheet]:
    sheets: list[XmlSheet] = []
    sheet: XmlSheet | None = None
    row = col = -1
    for event, el in ET.iterparse(str(path), events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == _SS + "Worksheet":
                sheet = XmlSheet(el.get(_SS + "Name") or f"Sheet{len(sheets) + 1}")
                row = -1
            elif tag == _SS + "Row" and sheet is not None:
                index = el.get(_SS + "Index")
                row = int(index) - 1 if index else row + 1
                col = -1
            elif tag == _SS + "Cell" and sheet is not None:
                index = el.get(_SS + "Index")
                col = int(index) - 1 if index else col + 1
            continue
        if sheet is None:
            continue
        if tag == _SS + "Data":
            text = _value(el)
            if text != "":
                sheet.cells[(row, col)] = text
        elif tag == _SS + "Cell":
            across, down = int(el.get(_SS + "MergeAcross") or 0), int(el.get(_SS + "MergeDown") or 0)
            if across or down:
                sheet.merges.append((row, col, row + down, col + across))
            col += across
            el.clear()
        elif tag == _SS + "Row":
            el.clear()
        elif tag == _X + "Visible" and (el.text or "").strip() in ("SheetHidden", "SheetVeryHidden"):
            sheet.hidden = True
        elif tag == _SS + "Worksheet":
            sheets.append(sheet)
            sheet = None
            el.clear()
    return sheets
