"""Read a spreadsheet or CSV into a frame of text cells, keeping each row's sheet row number.

Every cell is read as text and converted later, explicitly: readers that infer a column's
type from its first rows silently turn `¥1,234.00` or `2025年1月3日` into nulls.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from aesthetic_cli.errors import InputFileError, UsageError

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
# The first bytes of an OLE2 compound file: legacy .xls, or an xlsx encrypted with a password.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class RawSheet:
    """Cells as text in columns c0..cN; row i of the frame is sheet row i + 1."""

    frame: pl.DataFrame
    sheet: str | None
    encoding: str | None = None


def _columns(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def open_workbook(path: Path):
    """An open workbook, to read its sheet names and then its sheets without parsing it twice."""
    return _open_excel(path)


def _open_excel(path: Path):
    import fastexcel

    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if head.startswith(_OLE_MAGIC) and suffix in {".xlsx", ".xlsm"}:
        raise InputFileError(
            f"{path.name} is password-protected (encrypted) or not a real {suffix} file.",
            hint="Open it in Excel, remove the password (文件 → 信息 → 保护工作簿), save as .xlsx and import again.",
        )
    if suffix in {".xlsx", ".xlsm"} and not head.startswith(_ZIP_MAGIC):
        raise InputFileError(
            f"{path.name} is not a valid {suffix} workbook (the file is damaged or has another format).",
            hint="Re-export it from the CRM, or open and re-save it in Excel; CSV exports work too.",
        )
    try:
        return fastexcel.read_excel(str(path))
    except fastexcel.FastExcelError as exc:
        raise InputFileError(
            f"{path.name} could not be opened as a spreadsheet ({type(exc).__name__}: {exc}).",
            hint="Re-export it from the CRM, or open and re-save it in Excel; CSV exports work too.",
        ) from None


def read_excel_sheet(path: Path, sheet: str | int, reader=None) -> RawSheet:
    import fastexcel

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
    try:
        # skip_rows=0 keeps leading blank rows so that frame row i is sheet row i + 1. Eager (Arrow)
        # loading is about a fifth faster than the lazy path for a whole sheet.
        frame = pl.from_arrow(reader.load_sheet(name, header_row=None, dtypes="string", skip_rows=0, eager=True))
    except fastexcel.FastExcelError as exc:
        raise InputFileError(f"{path.name}, sheet '{name}', could not be read ({exc}).") from None
    frame = frame.rename(dict(zip(frame.columns, _columns(frame.width), strict=False)))
    return RawSheet(frame=frame, sheet=name)


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first; Chinese Excel saves CSV as GBK, which GB18030 covers."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = [("utf-8-sig", data[3:], "utf-8")]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", data, "utf-16")]
    else:
        candidates = [("utf-8", data, "utf-8"), ("gb18030", data, "gb18030")]
    error = None
    for name, payload, codec in candidates:
        try:
            return payload.decode(codec), name
        except UnicodeDecodeError as exc:
            error = exc
    raise InputFileError(
        f"{path.name} cannot be read as {' or '.join(n for n, _, _ in candidates)} text "
        f"(byte {error.start} cannot be decoded).",
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


def read_csv(path: Path) -> RawSheet:
    data = path.read_bytes()
    if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        raise InputFileError(
            f"{path.name} is a spreadsheet saved with a .csv name.",
            hint="Rename it to .xlsx (or .xls) and import again.",
        )
    text, encoding = decode(data, path)
    delimiter = _sniff_delimiter(text[:65536])
    # The widest of the first lines sets the column count: title rows above the header are
    # narrower, and an explicit schema keeps blank lines so row numbers stay true.
    head = list(csv.reader(io.StringIO(text[:262144]), delimiter=delimiter))
    width = max((len(r) for r in head[:200]), default=0)
    if width == 0:
        return RawSheet(frame=pl.DataFrame(schema={"c0": pl.String}), sheet=None, encoding=encoding)
    payload = text.encode("utf-8") if encoding != "utf-8" else data
    try:
        frame = pl.read_csv(
            io.BytesIO(payload),
            has_header=False,
            separator=delimiter,
            schema=dict.fromkeys(_columns(width), pl.String),
            truncate_ragged_lines=True,
            quote_char='"',
        )
    except pl.exceptions.PolarsError as exc:
        raise InputFileError(f"{path.name} could not be parsed as CSV ({exc}).") from None
    return RawSheet(frame=frame, sheet=None, encoding=encoding)


def check_readable(path: Path) -> None:
    if not path.exists():
        raise UsageError(f"File not found: {path}.", hint="Check the path; wildcards like *.xlsx are expanded by the shell.")
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not a file.", hint="Pass the files inside it, e.g. DIR/*.xlsx.")
    suffix = path.suffix.lower()
    if suffix not in EXCEL_SUFFIXES | CSV_SUFFIXES:
        raise UsageError(
            f"{path.name}: unsupported file type '{suffix}'.",
            hint="aesops reads .xlsx, .xls, .xlsm, .xlsb, .ods and .csv (UTF-8, UTF-8-BOM, GBK/GB18030).",
        )


def is_csv(path: Path) -> bool:
    return path.suffix.lower() in CSV_SUFFIXES


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

    def batches(self):
        schema = dict.fromkeys(_columns(self.width), pl.String)
        scan = pl.scan_csv(self.source, has_header=False, separator=self.delimiter, schema=schema,
                           truncate_ragged_lines=True, quote_char='"')
        try:
            yield from scan.collect_batches(chunk_size=BATCH_ROWS, maintain_order=True)
        except pl.exceptions.PolarsError as exc:
            raise InputFileError(f"{self.source.name} could not be parsed as CSV ({exc}).") from None

    def close(self) -> None:
        if self.temporary:
            self.source.unlink(missing_ok=True)


def is_large_csv(path: Path) -> bool:
    return is_csv(path) and path.stat().st_size > LARGE_CSV_BYTES


def csv_in_batches(path: Path) -> CsvBatches:
    import codecs
    import tempfile

    with path.open("rb") as fh:
        start = fh.read(1 << 20)
    if start.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        raise InputFileError(f"{path.name} is a spreadsheet saved with a .csv name.",
                             hint="Rename it to .xlsx (or .xls) and import again.")
    encoding = "utf-8"
    if start.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(start, final=False)
        except UnicodeDecodeError:
            encoding = "gb18030"
    source, temporary = path, False
    if encoding == "gb18030" or encoding == "utf-8-sig":
        # Polars reads UTF-8 only: transcode in chunks to a temporary file beside the system's temp.
        decoder = codecs.getincrementaldecoder(encoding)()
        fd, name = tempfile.mkstemp(prefix="aesops-", suffix=".csv")
        with path.open("rb") as src, open(fd, "wb") as dst:
            for chunk in iter(lambda: src.read(16 << 20), b""):
                try:
                    dst.write(decoder.decode(chunk).encode("utf-8"))
                except UnicodeDecodeError as exc:
                    Path(name).unlink(missing_ok=True)
                    raise InputFileError(f"{path.name} is neither UTF-8 nor GBK/GB18030 text ({exc}).") from None
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
        source, temporary = Path(name), True
    text = start.decode(encoding if encoding != "gb18030" else "gb18030", errors="ignore")
    delimiter = _sniff_delimiter(text[:65536])
    head_rows = list(csv.reader(io.StringIO(text[:262144]), delimiter=delimiter))[:200]
    width = max((len(r) for r in head_rows), default=1)
    head = pl.DataFrame([r + [None] * (width - len(r)) for r in head_rows[:50]], schema=_columns(width),
                        orient="row")
    return CsvBatches(head=head, encoding=encoding, source=source, width=width, delimiter=delimiter,
                      temporary=temporary)
