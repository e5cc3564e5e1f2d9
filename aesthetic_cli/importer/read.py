"""Read a spreadsheet or CSV into a frame of text cells, keeping each row's sheet row number.

Every cell is read as text and converted later, explicitly: readers that infer a column's
type from its first rows silently turn `¥1,234.00` or `2025年1月3日` into nulls.
"""

from __future__ import annotations

from typing import cast

import contextlib
import csv
import io
import re
from array import array
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from aesthetic_cli.errors import InputFileError, UsageError
from aesthetic_cli.importer import CSV_SUFFIXES, EXCEL_SUFFIXES, bounds, native, sheet_parts, spreadsheet_xml

# The first bytes of an OLE2 compound file: legacy .xls, or an xlsx encrypted with a password.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class RawSheet:
    """Cells as text in columns c0..cN; row i of the frame is sheet row i + 1.

    field_counts (CSV only): how many fields each line really had, so that a line with more
    fields than its header (an unquoted comma in `¥1,234.00`) is rejected instead of shifted."""

    frame: pl.DataFrame
    sheet: str | None
    encoding: str | None = None
    field_counts: pl.Series | None = None
    parts: sheet_parts.SheetParts | None = None  # xlsx only: merged ranges, uncomputed formulas


def _columns(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def open_workbook(path: Path):
    """An open workbook, to read its sheet names and then its sheets without parsing it twice."""
    return _open_excel(path)


def hidden_sheets(path: Path, book=None) -> set[str]:
    """The sheets a workbook hides (state="hidden" or "veryHidden" in xl/workbook.xml): old data, lookup lists
    and test rows a CRM keeps out of sight. Read from the zip after bounds.check_zip has passed it, or from an XML
    Spreadsheet's parsed `book`; other formats (xls, ods) report none."""
    import zipfile
    import xml.etree.ElementTree as ET

    if isinstance(book, spreadsheet_xml.XmlWorkbook):
        return book.hidden

    with path.open("rb") as fh:
        if fh.read(4) != _ZIP_MAGIC[:4]:
            return set()
    try:
        with zipfile.ZipFile(path) as z:
            root = ET.fromstring(z.read("xl/workbook.xml"))
    except (KeyError, zipfile.BadZipFile, ET.ParseError, OSError):
        return set()
    return {
        el.get("name", "")
        for el in root.iter()
        if el.tag.rsplit("}", 1)[-1] == "sheet" and el.get("state") in ("hidden", "veryHidden")
    }


def _open_excel(path: Path):
    import fastexcel

    with path.open("rb") as fh:
        head = fh.read(8)
    if not head:
        raise InputFileError(f"{path.name} is empty (0 bytes).", hint=_RESAVE)
    suffix = path.suffix.lower()
    if head.startswith(_OLE_MAGIC) and suffix in {".xlsx", ".xlsm"} and _encrypted(path):
        raise InputFileError(
            f"{path.name} is password-protected (encrypted) or not a real {suffix} file.",
            hint="Open it in Excel, remove the password (文件 → 信息 → 保护工作簿), save as .xlsx and import again.",
        )
    if suffix in {".xlsx", ".xlsm"} and not head.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        raise InputFileError(
            f"{path.name} is not a valid {suffix} workbook (the file is damaged or has another format).",
            hint="Re-export it from the CRM, or open and re-save it in Excel; CSV exports work too.",
        )
    if spreadsheet_xml.is_spreadsheet_xml(_head(path, 4096)):
        return _open_spreadsheet_xml(path)
    if head.startswith(_ZIP_MAGIC):
        bounds.check_zip(path)
    elif head.startswith(_OLE_MAGIC):
        bounds.check_xls(path)
    try:
        with native.quiet_failures():
            # calamine picks its reader by the name; a workbook saved under the other suffix (an xlsx named .xls,
            # an old .xls renamed .xlsx) is handed over as bytes, which calamine reads by their content.
            reader = fastexcel.read_excel(path.read_bytes() if _misnamed(path, head) else str(path))
            names = reader.sheet_names
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine panics are BaseException; a file must not abort us
        raise InputFileError(
            f"{path.name} could not be opened as a spreadsheet ({bounds.workbook_damage(exc)}).",
            hint=_RESAVE,
        ) from None
    if not names:
        raise InputFileError(f"{path.name} is a workbook with no sheets (工作簿里没有工作表).", hint=_RESAVE)
    return reader


_RESAVE = "Re-export it from the CRM, or open and re-save it in Excel; CSV exports work too."
# An OOXML workbook with a password is an OLE2 file holding these streams; an old .xls holds a Workbook stream.
_ENCRYPTED_STREAMS = ("EncryptedPackage", "EncryptionInfo")
# The largest XML Spreadsheet read: parsed whole into Python's cells, about 1M cells.
MAX_SPREADSHEET_XML_BYTES = 200 * 1024 * 1024


def _misnamed(path: Path, head: bytes) -> bool:
    suffix = path.suffix.lower()
    return (suffix == ".xls" and head.startswith(_ZIP_MAGIC)) or (
        suffix in {".xlsx", ".xlsm"} and head.startswith(_OLE_MAGIC)
    )


def _encrypted(path: Path) -> bool:
    import olefile  # type: ignore[import-untyped]

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return any(ole.exists(name) for name in _ENCRYPTED_STREAMS) or not ole.exists("Workbook")
    except Exception:  # noqa: BLE001 - olefile raises many kinds on a damaged file: say what we said before
        return True


def _open_spreadsheet_xml(path: Path) -> spreadsheet_xml.XmlWorkbook:
    from xml.etree import ElementTree as ET

    if path.stat().st_size > MAX_SPREADSHEET_XML_BYTES:
        raise InputFileError(
            f"{path.name} is an Excel 2003 XML spreadsheet larger than aesops reads "
            f"({MAX_SPREADSHEET_XML_BYTES // (1024 * 1024)} MB).",
            hint="Open it in Excel and save it as .xlsx, or export CSV from the CRM.",
        )
    try:
        book = spreadsheet_xml.XmlWorkbook(path)
    except spreadsheet_xml.SparseSheet as exc:
        raise InputFileError(
            f"{path.name}, sheet '{exc.sheet}': its used range ({exc.rows} rows × {exc.columns} columns) is far "
            f"larger than its {exc.cells} cells.",
            hint=_RESAVE,
        ) from None
    except (ET.ParseError, ValueError) as exc:
        raise InputFileError(
            f"{path.name} is a damaged Excel 2003 XML spreadsheet ({bounds.short_error(exc)}).", hint=_RESAVE
        ) from None
    if not book.sheet_names:
        raise InputFileError(f"{path.name} is a workbook with no sheets (工作簿里没有工作表).", hint=_RESAVE)
    return book


def read_excel_sheet(path: Path, sheet: str | int, reader=None) -> RawSheet:
    reader = reader or _open_excel(path)
    names = reader.sheet_names
    if isinstance(sheet, str) and sheet not in names:
        if sheet.isdigit() and 1 <= int(sheet) <= len(names):
            sheet = names[int(sheet) - 1]
        else:
            raise UsageError(
                f"{path.name} has no sheet named '{sheet}'.",
                hint=f"Its sheets are: {', '.join(names)}. Pass one with --sheet NAME (or its number, 1 = first).",
            )
    name = sheet if isinstance(sheet, str) else names[sheet]
    if isinstance(reader, spreadsheet_xml.XmlWorkbook):
        xml_sheet = reader.sheets[name]
        return RawSheet(frame=xml_sheet.frame(), sheet=name, parts=xml_sheet.parts())
    try:
        with native.quiet_failures():
            table, parts = _parse_while_importing(reader, name, path)
            frame = pl.from_arrow(table)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - see _open_excel: panics and MemoryError included
        raise InputFileError(
            f"{path.name}, sheet '{name}', could not be read ({bounds.workbook_damage(exc)}).", hint=_RESAVE
        ) from None
    if not isinstance(frame, pl.DataFrame):  # a sheet with no cells at all comes back as an empty Series
        frame = pl.DataFrame()
    frame = frame.rename(dict(zip(frame.columns, _columns(frame.width), strict=False)))
    return RawSheet(frame=frame, sheet=name, parts=parts)


def _parse_while_importing(reader, name: str, path: Path):
    """The sheet as Arrow, every cell as text; meanwhile this thread imports what the staging needs next.

    calamine parses the whole sheet with the GIL released (fastexcel's worksheet_range_ref runs under
    pyo3's allow_threads), so on a second thread it leaves this one free: PyArrow and pyarrow.dataset
    (which DuckDB loads to scan an Arrow table) cost about 0.7 s of wall time to import, now spent
    beside the parse instead of after it. Only the xlsx path imports them. skip_rows=0 keeps leading
    blank rows so that frame row i is sheet row i + 1. Eager (PyArrow) and lazy (PyCapsule) loading cost
    the same CPU within noise here (bench/README), and DuckDB imports PyArrow for either. Then this thread reads
    what calamine leaves out of an xlsx sheet (sheet_parts), still beside the parse."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="aesops-calamine") as pool:
        parsed = pool.submit(reader.load_sheet, name, header_row=None, dtypes="string", skip_rows=0, eager=True)
        with contextlib.suppress(ImportError):  # a missing PyArrow is fastexcel's to report, as before
            import pyarrow  # noqa: F401
            import pyarrow.dataset  # noqa: F401
        parts = sheet_parts.scan(path, name) if _head(path, 4) == _ZIP_MAGIC else None
        return parsed.result(), parts


def utf16_without_bom(head: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" for UTF-16 text saved without its byte-order mark: its ASCII characters (digits,
    separators, line ends) leave a NUL in every other byte, which UTF-8 and GBK text never hold (trial 8's G10: such a
    file was refused as having no header)."""
    sample = head[:4096]
    half = len(sample) // 2
    if half < 4 or b"\x00" not in sample:
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if odd > half * 0.2 and even < half * 0.02:
        return "utf-16-le"
    if even > half * 0.2 and odd < half * 0.02:
        return "utf-16-be"
    return None


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first; Chinese Excel saves CSV as GBK, which GB18030 covers."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8-sig", data[3:], "utf-8")]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", data, "utf-16")]
    elif order := utf16_without_bom(data):
        candidates = [(order, data, order)]
    else:
        candidates = [("utf-8", data, "utf-8"), ("gb18030", data, "gb18030")]
    error: UnicodeDecodeError | None = None
    for name, payload, codec in candidates:
        try:
            return payload.decode(codec), name
        except UnicodeDecodeError as exc:
            error = exc
    raise InputFileError(
        f"{path.name} cannot be read as {' or '.join(n for n, _, _ in candidates)} text "
        f"(byte {error.start if error else 0} cannot be decoded).",
        hint="Save it from Excel as 'CSV UTF-8' or as .xlsx and import again.",
    ) from None


def _sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    best, best_score = ",", -1
    for d in (",", "\t", ";", "|"):
        counts = [ln.count(d) for ln in lines]
        score = max(counts, default=0)
        if score > best_score:
            best, best_score = d, score
    return best


# Python's default (131,072 characters) makes a long note cell a parser error; a cell larger than
# this is no export any more but a broken quote swallowing the file, and is refused with its line.
MAX_CELL_CHARS = 16 * 1024 * 1024
csv.field_size_limit(MAX_CELL_CHARS)
# No export has more columns than this; a line with more (a broken quote turning a long cell into
# a million fields) is rejected by its field count, and must not make the frame a million columns wide.
MAX_CSV_COLUMNS = 2048


def _csv_reader(text_io, delimiter: str):
    # strict=False: a stray quote inside a field is kept as text, the way Excel reads it.
    return csv.reader(text_io, delimiter=delimiter, quotechar='"', strict=False)


def _csv_failure(path: Path, reader, exc: Exception) -> InputFileError:
    return InputFileError(
        f"{path.name}, line {reader.line_num}: the CSV cannot be parsed ({bounds.short_error(exc)}); "
        f'a cell over {MAX_CELL_CHARS // (1024 * 1024)} MB usually means an unbalanced quote (") above it.',
        hint="Open the file in Excel and save it again as 'CSV UTF-8', or save it as .xlsx, and import again.",
    )


def field_counts(path: Path, text_io, delimiter: str) -> array:
    """The number of fields of every record, read by Python's csv module, which understands bare-CR,
    LF and CRLF line ends and quoted line breaks alike. A blank line counts 0."""
    counts = array("I")
    reader = _csv_reader(text_io, delimiter)
    try:
        for row in reader:
            counts.append(len(row))
    except csv.Error as exc:
        raise _csv_failure(path, reader, exc) from None
    return counts


def _frame_by_python(path: Path, text: str, delimiter: str, width: int) -> pl.DataFrame:
    """The slow, exact reader: used when Polars' fast reader does not see the same records
    (bare CR line ends, a line wider than the first ones, quotes it treats otherwise)."""
    columns: list[list[str | None]] = [[] for _ in range(width)]
    reader = _csv_reader(io.StringIO(text, newline=""), delimiter)
    try:
        for row in reader:
            n = len(row)
            for i in range(width):
                columns[i].append((row[i] or None) if i < n else None)
    except csv.Error as exc:
        raise _csv_failure(path, reader, exc) from None
    return pl.DataFrame({c: pl.Series(c, v, dtype=pl.String) for c, v in zip(_columns(width), columns, strict=True)})


def read_csv(path: Path) -> RawSheet:
    data = path.read_bytes()
    if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        raise InputFileError(
            f"{path.name} is a spreadsheet saved with a .csv name.",
            hint="Rename it to .xlsx (or .xls) and import again.",
        )
    text, encoding = decode(data, path)
    if "\x00" in text:
        # NUL bytes are never data (a damaged or UTF-16 file read as bytes); both parsers must agree.
        text = text.replace("\x00", "")
        data = text.encode("utf-8")
        encoding_is_utf8 = True
    else:
        encoding_is_utf8 = encoding == "utf-8"
    delimiter = _sniff_delimiter(text[:65536])
    payload = data if encoding_is_utf8 else text.encode("utf-8")
    simple = _BARE_CR.search(text) is None and '"' not in text and "\x1f" not in text
    # Without quotes a record is a line and its fields are its delimiters + 1: Polars counts them fast.
    # Otherwise the csv module counts (bare CR line ends, quoted commas and line breaks).
    counts = _counts_by_lines(io.BytesIO(payload), delimiter) if simple else None
    if counts is None:
        counts = _python_counts(path, text, delimiter)
    # The widest of the first lines sets the column count: title rows above the header are
    # narrower, and an explicit schema keeps blank lines so row numbers stay true. A later, wider
    # line is not cut silently: the field counts let convert reject it.
    width = min(int(cast(int, counts.head(200).max()) or 0), MAX_CSV_COLUMNS)
    if width == 0:
        return RawSheet(frame=pl.DataFrame(schema={"c0": pl.String}), sheet=None, encoding=encoding)
    frame = None
    if _BARE_CR.search(text) is None:
        try:
            frame = pl.read_csv(
                io.BytesIO(payload),
                has_header=False,
                separator=delimiter,
                schema=dict.fromkeys(_columns(width), pl.String),
                truncate_ragged_lines=True,
                quote_char='"',
            )
        except pl.exceptions.PolarsError:
            frame = None
    if frame is None or frame.height != counts.len():
        # Polars and the count disagree on the records: the csv module's reading is the one the row
        # numbers and field counts refer to. (A line wider than the frame is cut by Polars but stays
        # in place, and its count has it rejected.)
        counts = _python_counts(path, text, delimiter)
        width = max(width, 1)
        frame = _frame_by_python(path, text, delimiter, width)
    return RawSheet(frame=frame, sheet=None, encoding=encoding, field_counts=counts)


_BARE_CR = re.compile(r"\r(?!\n)")


def _python_counts(path: Path, text: str, delimiter: str) -> pl.Series:
    return pl.Series("_fields", field_counts(path, io.StringIO(text, newline=""), delimiter), dtype=pl.UInt32)


def _line_count_expr(delimiter: str) -> pl.Expr:
    line = pl.col("line")
    return (
        pl.when(line.is_null() | (line.str.strip_chars("\r") == ""))
        .then(0)
        .otherwise(line.str.count_matches(delimiter, literal=True) + 1)
        .cast(pl.UInt32)
        .alias("_fields")
    )


def _lines_options(delimiter: str) -> dict:
    # Each whole line as one cell: a separator that cannot occur (checked) and no quoting.
    return {
        "has_header": False,
        "separator": "\x1f",
        "quote_char": None,
        "schema": {"line": pl.String},
        "truncate_ragged_lines": True,
    }


def _counts_by_lines(source, delimiter: str) -> pl.Series | None:
    try:
        lines = pl.read_csv(source, **_lines_options(delimiter))
    except pl.exceptions.PolarsError:
        return None
    return lines.select(_line_count_expr(delimiter)).to_series()


def check_readable(path: Path) -> None:
    if not path.exists():
        raise UsageError(
            f"File not found: {path}.", hint="Check the path; wildcards like *.xlsx are expanded by the shell."
        )
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not a file.", hint="Pass the files inside it, e.g. DIR/*.xlsx.")
    suffix = path.suffix.lower()
    if suffix not in EXCEL_SUFFIXES | CSV_SUFFIXES:
        raise UsageError(
            f"{path.name}: unsupported file type '{suffix}'.",
            hint="aesops reads .xlsx, .xls, .xlsm, .xlsb, .ods and .csv (UTF-8, UTF-8-BOM, GBK/GB18030).",
        )
    if path.stat().st_size == 0:
        raise InputFileError(f"{path.name} is empty (0 bytes).", hint=_RESAVE)
    if _disguised(path) == "html":
        raise InputFileError(
            f"{path.name} is a web page (HTML) named .xls, not an Excel workbook.",
            hint="Open it in Excel and save it as .xlsx, or export CSV from the CRM.",
        )


_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def _head(path: Path, n: int = 512) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(n)
    except OSError:
        return b""


def _disguised(path: Path) -> str | None:
    """What an .xls that is no Excel file holds: "html" (a web page's table, as many CRMs save 'Excel' exports) or
    "text" (tab- or comma-separated lines). None for a real workbook, or anything else (left to the reader)."""
    if path.suffix.lower() != ".xls":
        return None
    head = _head(path, 8192)
    if not head or head.startswith((_OLE_MAGIC, _ZIP_MAGIC)) or spreadsheet_xml.is_spreadsheet_xml(head):
        return None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with its byte-order mark
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<html", b"<!doctype", b"<table", b"<meta", b"<head", b"<body")) or (
        start.startswith(b"<?xml") and b"<html" in start
    ):
        return "html"
    if b"\x00" not in head and (b"\t" in head or b"," in head) and not start.startswith(b"<"):
        return "text"
    return None


def is_csv(path: Path) -> bool:
    """Read as delimited text: a .csv/.txt/.tsv, or an .xls that is text inside (_disguised)."""
    return path.suffix.lower() in CSV_SUFFIXES or _disguised(path) == "text"


# A CSV larger than this is read in batches, so an import's memory does not grow with the file.
LARGE_CSV_BYTES = 256 * 1024 * 1024
BATCH_ROWS = 1_000_000


@dataclass
class CsvBatches:
    """A large CSV: its first rows (to find the header) and its rows again in ordered batches."""

    head: pl.DataFrame
    encoding: str
    source: Path  # UTF-8 text: the file itself, or a transcoded temporary copy
    width: int
    delimiter: str
    temporary: bool

    def field_counts(self, name: str) -> pl.Series:
        """Every record's field count, in one streaming pass (memory: 4 bytes a line)."""
        if _simple_file(self.source):
            lazy = pl.scan_csv(self.source, **_lines_options(self.delimiter)).select(_line_count_expr(self.delimiter))
            try:
                return lazy.collect(engine="streaming").to_series()
            except pl.exceptions.PolarsError:
                pass
        with self.source.open("r", encoding="utf-8", newline="", errors="replace") as fh:
            counts = field_counts(Path(name), fh, self.delimiter)
        return pl.Series("_fields", counts, dtype=pl.UInt32)

    def batches(self, name: str, expected_rows: int):
        schema = dict.fromkeys(_columns(self.width), pl.String)
        scan = pl.scan_csv(
            self.source,
            has_header=False,
            separator=self.delimiter,
            schema=schema,
            truncate_ragged_lines=True,
            quote_char='"',
        )
        seen = 0
        try:
            for batch in scan.collect_batches(chunk_size=BATCH_ROWS, maintain_order=True):
                seen += batch.height
                yield batch
        except pl.exceptions.PolarsError as exc:
            raise InputFileError(
                f"{name} could not be parsed as CSV ({bounds.short_error(exc)}).", hint=_RESAVE_CSV
            ) from None
        if seen != expected_rows:
            # Row numbers would no longer match the file's records: refuse rather than load them shifted.
            raise InputFileError(
                f"{name}: the fast CSV reader found {seen} records where the csv module found {expected_rows} "
                "(bare CR line ends or unbalanced quotes); nothing was imported.",
                hint=_RESAVE_CSV,
            )

    def close(self) -> None:
        if self.temporary:
            self.source.unlink(missing_ok=True)


def _simple_file(path: Path) -> bool:
    """No quote, no unit separator, no bare CR: every record is one line."""
    bare_cr = re.compile(rb"\r(?!\n)")
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(16 << 20), b""):
            if b'"' in chunk or b"\x1f" in chunk or bare_cr.search(chunk[:-1]) or chunk.endswith(b"\r"):
                return False
    return True


_RESAVE_CSV = "Open the file in Excel and save it again as 'CSV UTF-8' (or as .xlsx), then import again."


def is_large_csv(path: Path) -> bool:
    return is_csv(path) and path.stat().st_size > LARGE_CSV_BYTES


def csv_in_batches(path: Path) -> CsvBatches:
    import codecs
    import tempfile

    with path.open("rb") as fh:
        start = fh.read(1 << 20)
    if start.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        raise InputFileError(
            f"{path.name} is a spreadsheet saved with a .csv name.",
            hint="Rename it to .xlsx (or .xls) and import again.",
        )
    encoding = "utf-8"
    if start.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif start.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif order := utf16_without_bom(start):
        encoding = order
    else:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(start, final=False)
        except UnicodeDecodeError:
            encoding = "gb18030"
    source, temporary = path, False
    if encoding != "utf-8":
        # Polars reads UTF-8 only: transcode in chunks to a temporary file beside the system's temp.
        decoder = codecs.getincrementaldecoder(encoding)()
        fd, name = tempfile.mkstemp(prefix="aesops-", suffix=".csv")
        with path.open("rb") as src, open(fd, "wb") as dst:
            for chunk in iter(lambda: src.read(16 << 20), b""):
                try:
                    dst.write(decoder.decode(chunk).encode("utf-8"))
                except UnicodeDecodeError as exc:
                    Path(name).unlink(missing_ok=True)
                    raise InputFileError(
                        f"{path.name} is neither UTF-8 nor GBK/GB18030 text "
                        f"(byte {exc.start} of a block cannot be decoded).",
                        hint=_RESAVE_CSV,
                    ) from None
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
        source, temporary = Path(name), True
    text = start.decode(encoding if encoding != "gb18030" else "gb18030", errors="ignore")
    delimiter = _sniff_delimiter(text[:65536])
    lines = io.StringIO(text[:262144], newline="")
    reader = _csv_reader(lines, delimiter)
    head_rows = []
    try:
        for row in reader:
            head_rows.append(row)
            if len(head_rows) == 200:
                break
    except csv.Error as exc:
        raise _csv_failure(path, reader, exc) from None
    width = min(max((len(r) for r in head_rows), default=1), MAX_CSV_COLUMNS)
    head = pl.DataFrame(
        [r[:width] + [None] * (width - len(r)) for r in head_rows[:50]], schema=_columns(width), orient="row"
    )
    return CsvBatches(
        head=head, encoding=encoding, source=source, width=width, delimiter=delimiter, temporary=temporary
    )
