"""Excel 2003 XML Spreadsheet (SpreadsheetML): what older CRMs and ASP.NET back offices write when they
"export to Excel", named .xls. calamine does not read it, and Excel opens it as a workbook, so a director cannot
tell it from a real .xls. Its cells are plain XML (Worksheet / Table / Row / Cell / Data), read here with the
standard library's streaming parser; the cells come out as text like every other reader's (read.py)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

import polars as pl

from aesthetic_cli.importer.sheet_parts import SheetParts

_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_X = "{urn:schemas-microsoft-com:office:excel}"
_MARK = b"urn:schemas-microsoft-com:office:spreadsheet"


def _utf8(data: bytes) -> bytes:
    """The document in UTF-8 for the parser: a UTF-16 one (with its byte-order mark), or one declaring a Chinese
    encoding Python's XML parser does not know (gb2312, gbk), decoded by Python's codecs."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        declared = re.match(rb'\s*<\?xml[^>]*encoding=["\']([\w.-]+)["\']', data.lstrip(b"\xef\xbb\xbf"))
        name = declared.group(1).decode().lower() if declared else "utf-8"
        if name.replace("-", "") in ("utf8", "usascii", "ascii"):
            return data
        codec = "gb18030" if name in ("gb2312", "gbk", "gb18030", "cp936") else name
        try:
            text = data.decode(codec, errors="replace")
        except LookupError:
            return data  # an encoding nobody knows: the parser says so
    return re.sub(r'^(\s*<\?xml[^>]*?)\s+encoding=["\'][\w.-]+["\']', r"\1", text, count=1).encode("utf-8")


def is_spreadsheet_xml(head: bytes) -> bool:
    """The first bytes of a file: an XML document in SpreadsheetML's namespace, with or without its declaration."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith((b"<?xml", b"<Workbook", b"<ss:Workbook")) and _MARK in head


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


class SparseSheet(ValueError):
    """A sheet whose used range is far larger than its cells (one cell at row 1,000,000): as bounds.py refuses in an
    xlsx, since its frame would take gigabytes."""

    def __init__(self, sheet: str, rows: int, columns: int, cells: int):
        super().__init__(sheet)
        self.sheet, self.rows, self.columns, self.cells = sheet, rows, columns, cells


# Excel's own grid, and how much larger than its cells a used range may be.
MAX_ROWS, MAX_COLUMNS, MAX_EMPTY_CELLS = 1_048_576, 16_384, 5_000_000


class XmlWorkbook:
    """The workbook's sheets, parsed once; `sheet_names` as fastexcel's reader has them."""

    def __init__(self, path: Path):
        self.sheets: dict[str, XmlSheet] = {}
        for sheet in _parse(io.BytesIO(_utf8(path.read_bytes()))):
            self.sheets.setdefault(sheet.name, sheet)
        self.sheet_names = list(self.sheets)
        for sheet in self.sheets.values():
            rows = max((r for r, _ in sheet.cells), default=-1) + 1
            columns = max((c for _, c in sheet.cells), default=-1) + 1
            if rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns - len(sheet.cells) > MAX_EMPTY_CELLS:
                raise SparseSheet(sheet.name, rows, columns, len(sheet.cells))

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


def _parse(source: IO[bytes]) -> list[XmlSheet]:
    sheets: list[XmlSheet] = []
    sheet: XmlSheet | None = None
    row = col = -1
    for event, el in ET.iterparse(source, events=("start", "end")):
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
