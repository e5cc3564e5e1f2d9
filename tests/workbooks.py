"""Small workbooks in the formats besides xlsx that aesops reads (.xls, .xlsb, .ods), for the hostile-input
tests and the fuzz harness. Standard library only (and xlwt, pure Python, for .xls): the fuzz harness
forks, and must not have started the threads Polars or DuckDB start.

No Python library writes .xlsb, so its records are written here from the format's specification
([MS-XLSB]): a record is a type and a length, each a little-endian base-128 number, then its payload.
Only what a reader needs is written: the workbook's sheet list, and per sheet its dimension and cells."""

from __future__ import annotations

import io
import struct
import zipfile
from xml.sax.saxutils import escape

Rows = list[list[object]]


def xls(rows: Rows, sheet: str = "Sheet1") -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- .xlsb ----------------------------------------------------------------------------------------

_BEGIN_SHEET, _END_SHEET, _DIMENSION = 0x81, 0x82, 0x94
_BEGIN_DATA, _END_DATA, _ROW, _CELL_REAL, _CELL_TEXT = 0x91, 0x92, 0x00, 0x05, 0x06
_BEGIN_BOOK, _END_BOOK, _SHEET, _END_SHEETS = 0x83, 0x84, 0x9C, 0x90
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"


def _number(n: int) -> bytes:
    out = bytearray()
    while True:
        n, low = n >> 7, n & 0x7F
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _record(kind: int, payload: bytes = b"") -> bytes:
    head = bytes([kind]) if kind < 0x80 else bytes([(kind & 0x7F) | 0x80, kind >> 7])
    return head + _number(len(payload)) + payload


def _wide(text: str) -> bytes:
    data = text.encode("utf-16-le")
    return struct.pack("<I", len(data) // 2) + data


def _xlsb_sheet(rows: Rows, far: tuple[int, int] | None = None) -> bytes:
    width = max((len(r) for r in rows), default=1)
    out = _record(_BEGIN_SHEET) + _record(_DIMENSION, struct.pack("<4I", 0, max(len(rows) - 1, 0), 0, width - 1))
    out += _record(_BEGIN_DATA)
    for r, row in enumerate(rows):
        out += _record(_ROW, struct.pack("<I", r) + bytes(13))
        for c, v in enumerate(row):
            if isinstance(v, str):
                out += _record(_CELL_TEXT, struct.pack("<II", c, 0) + _wide(v))
            elif v is not None:
                out += _record(_CELL_REAL, struct.pack("<IId", c, 0, float(v)))  # type: ignore[arg-type]
    if far:  # one stray cell at a 0-based (row, column), as a damaged file may hold
        out += _record(_ROW, struct.pack("<I", far[0]) + bytes(13))
        out += _record(_CELL_TEXT, struct.pack("<II", far[1], 0) + _wide("note"))
    return out + _record(_END_DATA) + _record(_END_SHEET)


def xlsb(
    rows: Rows, sheets: tuple[str, ...] = ("Sheet1",), far: tuple[int, int] | None = None, lost_part: bool = False
) -> bytes:
    """Every named sheet holds rows; sheets=() makes a workbook with no sheets. far adds a stray cell;
    lost_part leaves out the relationships that say where the sheets are."""
    book = _record(_BEGIN_BOOK)
    rels = ""
    for i, name in enumerate(sheets, 1):
        book += _record(_SHEET, struct.pack("<II", 0, i) + _wide(f"rId{i}") + _wide(name))
        rels += f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.bin"/>'
    book += _record(_END_SHEETS) + _record(_END_BOOK)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types xmlns="{_PKG}/content-types">'
            '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.bin"/></Relationships>',
        )
        z.writestr("xl/workbook.bin", book)
        z.writestr(
            "xl/_rels/workbook.bin.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{_PKG}/relationships">'
            f"{'' if lost_part else rels}</Relationships>",
        )
        for i, _ in enumerate(sheets, 1):
            z.writestr(f"xl/worksheets/sheet{i}.bin", _xlsb_sheet(rows, far))
    return out.getvalue()


# --- .ods -----------------------------------------------------------------------------------------

_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"'
)


def _ods_cell(v: object) -> str:
    if v is None:
        return "<table:table-cell/>"
    if isinstance(v, str):
        return f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'


def ods(rows: Rows, sheets: tuple[str, ...] = ("Sheet1",)) -> bytes:
    """Every named sheet holds rows; sheets=() makes a spreadsheet with no tables."""
    body = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join("<table:table-row>" + "".join(map(_ods_cell, row)) + "</table:table-row>" for row in rows)
        + "</table:table>"
        for name in sheets
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS}><office:body>'
        f"<office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        # The mimetype comes first and uncompressed: that is how readers recognise an OpenDocument file.
        z.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return out.getvalue()


WRITERS = {".xls": xls, ".xlsb": xlsb, ".ods": ods}
