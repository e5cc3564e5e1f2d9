"""Limits checked before a spreadsheet reaches the reader, and how a reader's failure is worded.

calamine (behind fastexcel) builds a dense grid from the first to the last used cell and
inflates every zip entry it needs: one stray cell at XFD1048576 asks for a 17-billion-cell
grid and aborts the process, and a zip bomb fills memory. So the zip is inspected first, the
way Apache POI does (ZipSecureFile: a minimum inflate ratio and a maximum entry size), and the
real used range of each sheet is measured from its cells, never taken from <dimension>.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aesthetic_cli.errors import InputFileError

# POI's defaults: refuse an entry that inflates more than 100 times (ratio below 0.01) once it is
# past a small size, and any entry over a fixed size. A 1,048,576-row export is well under 1 GiB.
MIN_INFLATE_RATIO = 0.01
RATIO_GRACE_BYTES = 1 << 20
MAX_ENTRY_BYTES = 1 << 30
MAX_ROWS = 1_048_576  # Excel's own limit: a sheet with more rows did not come from a spreadsheet
# A used range may be larger than its cells (empty cells between), but not by this much: beyond it,
# the grid calamine allocates is mostly stray far cells (a note in column XFD).
MAX_SPARSE_CELLS = 5_000_000
MAX_SPARSE_FACTOR = 20
# Wider than any export (and the CSV reader's cap): a mostly empty range this wide is a stray far cell
# even in a short sheet, where 16,000 empty columns still cost half a minute and 500 MB to read.
MAX_WIDE_COLUMNS = 2048
MAX_ERROR_CHARS = 300

_CHUNK = 8 << 20
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_CELL_WIDE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{3})(\d+)"')
_CELL_TWO = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{2})(\d+)"')
_CELL_TWO_ANY = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="[A-Z]{2}\d')


def short_error(exc: BaseException) -> str:
    """A reader's error, cut: parser messages can quote whole lines of the file (names, phones)."""
    # fastexcel appends its call chain ("Context: 0: Could not open workbook at /full/path …"): noise.
    detail = re.split(r"\s+Context:", str(exc), maxsplit=1)[0]
    text = " ".join(f"{type(exc).__name__}: {detail}".split())
    return text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS] + "…"


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _column_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


_HINT = (
    "Open the file in Excel, delete the stray cells (Ctrl+End shows the last used cell) or re-export it, "
    "save and import again; CSV exports work too."
)
_DAMAGED = "Re-export it from the CRM, or open and re-save it in Excel; CSV exports work too."


def check_zip(path: Path) -> None:
    """Refuse zip bombs, oversized entries and sheets whose used range is far larger than their cells."""
    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                _check_entry(path, info)
            for info in z.infolist():
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    _check_sheet(path, z, info)
                elif info.filename.startswith("xl/worksheets/") and info.filename.endswith(".bin"):
                    _check_binary_sheet(path, z, info)
                elif info.filename == "xl/sharedStrings.xml":
                    _drain(path, z, info)
    except InputFileError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
        RuntimeError,
        KeyError,
    ) as exc:
        raise InputFileError(f"{path.name} is a damaged workbook ({workbook_damage(exc)}).", hint=_DAMAGED) from None


def workbook_damage(exc: BaseException) -> str:
    """What is wrong with a workbook, in words a director can act on (the catalog has them in Chinese) where
    the reader's error says it: a zip without its closing directory was cut off in transit; a failed checksum or
    inflate is corrupt data. Anything else keeps the reader's own words, cut."""
    said = str(exc).lower()
    if isinstance(exc, EOFError) or "not a zip file" in said or "end of central directory" in said:
        return CUT_SHORT
    if isinstance(exc, (zlib.error, zipfile.BadZipFile)) or any(w in said for w in _CORRUPT_WORDS):
        return CORRUPT
    return short_error(exc)


# As calamine (Rust's zip and flate2 crates) and Python's zipfile word a part that does not inflate to its bytes.
_CORRUPT_WORDS = ("invalid checksum", "bad crc", "crc32", "invalid stored block", "corrupt deflate", "invalid distance")


CUT_SHORT = "the file is cut short: a download or copy may have been interrupted"
CORRUPT = "its compressed data is corrupt"


def _check_entry(path: Path, info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_ENTRY_BYTES:
        raise InputFileError(
            f"{path.name}: part {info.filename} would inflate to {info.file_size / 2**20:,.0f} MB, over the "
            f"{MAX_ENTRY_BYTES >> 20:,} MB limit; the file was refused unread.",
            hint=_DAMAGED,
        )
    if info.file_size > RATIO_GRACE_BYTES and info.compress_size / info.file_size < MIN_INFLATE_RATIO:
        raise InputFileError(
            f"{path.name}: part {info.filename} inflates {info.file_size / max(info.compress_size, 1):,.0f} times "
            f"(a zip bomb, or a damaged file); the file was refused unread.",
            hint=_DAMAGED,
        )


def _chunks(path: Path, z: zipfile.ZipFile, info: zipfile.ZipInfo):
    """The entry's bytes in chunks cut after a '>', so no tag is split; the declared sizes are checked
    again while inflating, since a zip's directory can lie. The next block is inflated on a second
    thread while this one is scanned: zlib (and the CRC) run without the GIL, so on two cores the
    inflation costs no wall time (it was a quarter of the scan). At most one block is read ahead."""
    total, carry = 0, b""
    # Left in this order, the pool waits for a read under way before the entry is closed.
    with z.open(info) as fh, ThreadPoolExecutor(max_workers=1, thread_name_prefix="aesops-inflate") as pool:
        ahead = pool.submit(fh.read, _CHUNK)
        while True:
            block = ahead.result()
            total += len(block)
            if total > MAX_ENTRY_BYTES or (
                total > RATIO_GRACE_BYTES and info.compress_size / total < MIN_INFLATE_RATIO
            ):
                raise InputFileError(
                    f"{path.name}: part {info.filename} inflates beyond the limits of a real export "
                    f"(zip bomb or damaged file); the file was refused unread.",
                    hint=_DAMAGED,
                )
            if not block:
                if carry:
                    yield carry
                return
            ahead = pool.submit(fh.read, _CHUNK)
            data = carry + block
            cut = data.rfind(b">") + 1
            if cut == 0:
                carry = data
                continue
            carry = data[cut:]
            yield data[:cut]


def _drain(path: Path, z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    for _ in _chunks(path, z, info):
        pass


# The plain spelling every exporter writes (`<row r="7" ...>`, `<c r="B7" ...>`, attributes after one
# space): these literal-led patterns let the scanner skip through the XML at C speed. A chunk
# spelled any other way (namespace prefixes, other whitespace, rows without r=) is read by the
# general patterns above instead, so the result is the same either way.
_PLAIN_ROW = re.compile(rb'<row r="(\d+)"')
_PLAIN_FAR = re.compile(rb' r="([A-Z]{2,3})(\d+)"')  # cells past column Z: none in most exports
# Substrings of the spellings the plain patterns miss (a prefix on <row> has one on <c> too); text that merely
# contains one only costs the slower reading. Each is looked for only when its first byte occurs at all: one
# memchr per byte instead of a substring search per spelling (a tenth of the cost on a 130 MB sheet).
_UNUSUAL = ((b":", b":row"), (b"\t", b"\tr="), (b"\n", b"\nr="), (b"\r", b"\rr="))


def _plain_counts(chunk: bytes) -> tuple[int, int, int, list[tuple[bytes, bytes]], bool] | None:
    """(rows, cells, max row, wide cells, any two-letter column) for a plainly spelled chunk, else None."""
    rows = chunk.count(b"<row")  # <row> without r=, or <rowBreaks>, makes the counts differ: general reading
    numbers = _PLAIN_ROW.findall(chunk)
    if len(numbers) != rows or any(byte in chunk and text in chunk for byte, text in _UNUSUAL):
        return None
    cells = chunk.count(b"<c ")
    if chunk.count(b"<c") != cells:  # <c> or <c/> (or only <col>, <cfRule>): one count each is cheaper than two
        cells += chunk.count(b"<c>") + chunk.count(b"<c/")
    max_row = max(map(int, numbers), default=0)
    far = _PLAIN_FAR.findall(chunk)
    return rows, cells, max_row, [c for c in far if len(c[0]) == 3], any(len(c[0]) == 2 for c in far)


def _check_sheet(path: Path, z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    rows = cells = max_row = 0
    wide_col, wide_ref = 0, ""
    any_two = False
    for chunk in _chunks(path, z, info):
        plain = _plain_counts(chunk)
        if plain is not None:
            n_rows, n_cells, top, wide, two = plain
            rows, cells, max_row, any_two = rows + n_rows, cells + n_cells, max(max_row, top), any_two or two
        else:
            wide = _CELL_WIDE.findall(chunk)
            for attrs in _ROW.findall(chunk):
                rows += 1
                m = _ROW_NUMBER.search(attrs)
                # Rows without r= follow the previous one, as readers number them.
                max_row = int(m.group(1)) if m else max_row + 1
            cells += len(_CELL.findall(chunk))
            any_two = any_two or _CELL_TWO_ANY.search(chunk) is not None
        for letters, number in wide:
            col = _column_number(letters)
            if col > wide_col:
                wide_col, wide_ref = col, (letters + number).decode()
            max_row = max(max_row, int(number))
    sheet = info.filename.rsplit("/", 1)[-1].removesuffix(".xml")
    if rows > MAX_ROWS or max_row > MAX_ROWS:
        raise InputFileError(
            f"{path.name}: {sheet} has {max(rows, max_row):,} rows, more than a spreadsheet can hold "
            f"({MAX_ROWS:,}); the file is damaged or not an Excel export.",
            hint=_HINT,
        )
    max_col = wide_col or (702 if any_two else 26)
    if _acceptable(max_row, max_col, cells):
        return
    if not wide_col:
        # Only two-letter columns: find the widest exactly (a slower scan, needed rarely).
        max_col, wide_ref = 0, ""
        for chunk in _chunks(path, z, info):
            for letters, number in _CELL_TWO.findall(chunk):
                col = _column_number(letters)
                if col > max_col:
                    max_col, wide_ref = col, (letters + number).decode()
        if _acceptable(max_row, max_col, cells):
            return
    raise InputFileError(
        f"{path.name}: {sheet} uses the range A1:{_column_letters(max_col)}{max_row} "
        f"({max_row * max_col:,} cells) for only {cells:,} cells; a stray cell far away "
        f"(e.g. {wide_ref or _column_letters(max_col)}) would make reading it take gigabytes or minutes, so it "
        "was refused.",
        hint=_HINT,
    )


def _acceptable(max_row: int, max_col: int, cells: int) -> bool:
    """A used range is read when it is small, or mostly filled; a wide, mostly empty one never."""
    grid = max_row * max_col
    if grid <= MAX_SPARSE_FACTOR * max(cells, 1):
        return True
    return grid <= MAX_SPARSE_CELLS and max_col <= MAX_WIDE_COLUMNS


# .xlsb sheets ([MS-XLSB] 2.1.4): records of a type and a length, each a little-endian base-128 number.
# BrtRowHdr (type 0) starts a row with its 0-based number; cell records (types 1 to 11) start with the
# 0-based column. calamine sizes its grid from the largest of each, as for xlsx.
_XLSB_ROW_HEADER = 0x00
_XLSB_FIRST_CELL, _XLSB_LAST_CELL = 0x01, 0x0B
MAX_COLUMNS = 16_384  # Excel's own limit (XFD)


def _check_binary_sheet(path: Path, z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    with z.open(info) as fh:
        data = fh.read(MAX_ENTRY_BYTES + 1)
    if len(data) > MAX_ENTRY_BYTES or (
        len(data) > RATIO_GRACE_BYTES and info.compress_size / len(data) < MIN_INFLATE_RATIO
    ):
        raise InputFileError(
            f"{path.name}: part {info.filename} inflates beyond the limits of a real export "
            f"(zip bomb or damaged file); the file was refused unread.",
            hint=_DAMAGED,
        )
    max_row = max_col = cells = 0
    i, end = 0, len(data)
    while i < end:
        kind = data[i]
        i += 1
        if kind & 0x80 and i < end:
            kind = (kind & 0x7F) | ((data[i] & 0x7F) << 7)
            i += 1
        size = shift = 0
        for _ in range(4):
            if i >= end:
                break
            byte = data[i]
            i += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if size >= 4 and i + 4 <= end:
            if kind == _XLSB_ROW_HEADER:
                max_row = max(max_row, int.from_bytes(data[i : i + 4], "little") + 1)
            elif _XLSB_FIRST_CELL <= kind <= _XLSB_LAST_CELL:
                cells += 1
                max_col = max(max_col, int.from_bytes(data[i : i + 4], "little") + 1)
        i += size
    sheet = info.filename.rsplit("/", 1)[-1].removesuffix(".bin")
    if max_row > MAX_ROWS or max_col > MAX_COLUMNS:
        raise InputFileError(
            f"{path.name}: {sheet} has a cell at row {max_row:,}, column {max_col:,}, beyond what a spreadsheet "
            f"can hold ({MAX_ROWS:,} rows, {MAX_COLUMNS:,} columns); the file is damaged.",
            hint=_DAMAGED,
        )
    grid = max_row * max_col
    if not _acceptable(max_row, max_col, cells):
        raise InputFileError(
            f"{path.name}: {sheet} uses the range A1:{_column_letters(max_col)}{max_row} ({grid:,} cells) for only "
            f"{cells:,} cells; a stray cell far away would make reading it take gigabytes, so it was refused.",
            hint=_HINT,
        )


# Legacy .xls ([MS-XLS]): an OLE2 compound file whose Workbook stream holds BIFF8 records, a 16-bit type
# and length, then the payload; a sheet runs from its BOF to its EOF record. Cell records start with
# their row and column (16 bits each); MULRK and MULBLANK hold a run of cells and end with the last
# column. BIFF8 sheets hold 65,536 rows and 256 columns, but the record fields are wider, and calamine
# allocates whatever they say.
_BIFF_BOF, _BIFF_EOF = 0x0809, 0x000A
_BIFF_CELLS = {0x0006, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6}
_BIFF_RUNS = {0x00BD, 0x00BE}
XLS_ROWS, XLS_COLUMNS = 65_536, 256


def check_xls(path: Path) -> None:
    """Refuse an .xls whose cells lie beyond its format's grid, or whose used range is far larger than
    its cells. A file olefile cannot parse is left to calamine, which says what is wrong with it."""
    import olefile  # type: ignore[import-untyped]

    try:
        with olefile.OleFileIO(str(path)) as ole:
            stream = next((name for name in ("Workbook", "Book") if ole.exists(name)), None)
            if stream is None or ole.get_size(stream) > MAX_ENTRY_BYTES:
                return
            data = ole.openstream(stream).read()
    except Exception:  # noqa: BLE001 - olefile raises many kinds on a damaged file; calamine words it
        return
    sheet, i, end = 0, 0, len(data)
    max_row = max_col = cells = 0
    while i + 4 <= end:
        kind, size = int.from_bytes(data[i : i + 2], "little"), int.from_bytes(data[i + 2 : i + 4], "little")
        body = data[i + 4 : i + 4 + size]
        i += 4 + size
        if kind == _BIFF_BOF:
            max_row = max_col = cells = 0
        elif kind == _BIFF_EOF:
            _check_xls_sheet(path, sheet, max_row, max_col, cells)
            sheet += 1
        elif len(body) >= 4 and (kind in _BIFF_CELLS or kind in _BIFF_RUNS):
            row, first = int.from_bytes(body[0:2], "little"), int.from_bytes(body[2:4], "little")
            last = int.from_bytes(body[-2:], "little") if kind in _BIFF_RUNS else first
            cells += max(last - first + 1, 1)
            max_row, max_col = max(max_row, row + 1), max(max_col, first + 1, last + 1)


def _check_xls_sheet(path: Path, sheet: int, max_row: int, max_col: int, cells: int) -> None:
    # The globals come first (sheet 0 of the stream, no cells); worksheets are numbered from 1.
    where = f"{path.name}: sheet {sheet}"
    if max_row > XLS_ROWS or max_col > XLS_COLUMNS:
        raise InputFileError(
            f"{where} has a cell at row {max_row:,}, column {max_col:,}, beyond what an .xls can hold "
            f"({XLS_ROWS:,} rows, {XLS_COLUMNS} columns); the file is damaged.",
            hint=_DAMAGED,
        )
    grid = max_row * max_col
    if grid > MAX_SPARSE_CELLS and grid > MAX_SPARSE_FACTOR * max(cells, 1):
        raise InputFileError(
            f"{where} uses the range A1:{_column_letters(max_col)}{max_row} ({grid:,} cells) for only {cells:,} "
            "cells; a stray cell far away would make reading it take gigabytes, so it was refused.",
            hint=_HINT,
        )
