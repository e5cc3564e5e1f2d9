"""Hostile .xls, .xlsb and .ods files, and spreadsheets that make calamine panic, through the CLI (issue 14):
a clear message naming the file, exit 1, no Python traceback and no Rust panic report, the warehouse as it was.

The workbooks are written by tests/workbooks.py. The cases that once aborted the process or panicked run
in a real process, where Rust's output to file descriptor 2 and a SIGABRT can be seen."""

from __future__ import annotations

import io
import os
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from tests.conftest import child_env, run_cli, snapshot, write_csv
from tests.workbooks import WRITERS, ods, xls, xlsb

ROOT = Path(__file__).resolve().parents[1]
HEAD = ["收费日期", "顾客编号", "项目", "实收金额"]
ROWS = [HEAD, ["2025-01-03", "C1", "水光针", 1680.0], ["2025-01-04", "C2", "玻尿酸", 4800.0]]
FORMATS = sorted(WRITERS)


@pytest.fixture
def held(ws):
    """A workspace that already holds an import, and its full content, to compare after a refused file."""
    first = write_csv(ws / "first.csv", [HEAD, ["2025-01-02", "C0", "光子嫩肤", "500"]])
    assert run_cli("import", str(first)).exit_code == 0
    con = duckdb.connect(str(ws / "aesops.duckdb"), read_only=True)
    before = snapshot(con)
    con.close()
    return ws, before


def _unchanged(ws: Path, before: dict) -> None:
    con = duckdb.connect(str(ws / "aesops.duckdb"), read_only=True)
    try:
        assert snapshot(con) == before
    finally:
        con.close()


def _aesops(ws: Path, *args: str) -> subprocess.CompletedProcess:
    # RUST_BACKTRACE=1, as on many developer machines and CI images: a panic would print a native stack.
    env = child_env("zh", RUST_BACKTRACE="1", COLUMNS="200", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "aesthetic_cli", *args], cwd=ws, capture_output=True, text=True, timeout=300, env=env
    )


# --- inputs that make calamine panic, and stray cells that made it allocate gigabytes or abort ---------


def _date_panic_xlsx(path: Path) -> Path:
    """A charge export whose one date cell holds -1e308: calamine converts date-formatted numbers to a
    datetime and panics ("TimeDelta::milliseconds out of bounds"), pyo3 raises PanicException."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in ROWS:
        sheet.append(row)
    sheet["A3"] = -1e308
    sheet["A3"].number_format = "yyyy-mm-dd"
    book.save(path)
    return path


def test_reader_output_is_kept_when_it_succeeds(capfd):
    from aesthetic_cli.importer.native import quiet_failures

    with quiet_failures():
        os.write(2, b"a warning the reader printed\n")
    with pytest.raises(KeyboardInterrupt), quiet_failures():
        os.write(2, b"panicked at something\n")
        raise KeyboardInterrupt
    err = capfd.readouterr().err
    assert "a warning the reader printed" in err and "panicked" not in err


def _xls_with_stray_cell(row: int, col: int) -> bytes:
    """xlwt writes within BIFF8's grid; the stray cell is made by rewriting the last string cell's
    row and column (LABELSST record: type 0x00FD, length 10, then row and column, 16 bits each)."""
    data = bytearray(xls(ROWS))
    at = data.rfind(b"\xfd\x00\x0a\x00")
    data[at + 4 : at + 8] = row.to_bytes(2, "little") + col.to_bytes(2, "little")
    return bytes(data)


# Each file once crashed or bloated the process; all are imported by one real process (Python's start-up
# costs seconds on a loaded machine), which must print one message per file and load none of them.
ONCE_FATAL = {
    # calamine converts a date-formatted number to a datetime and panics ("TimeDelta::milliseconds out of
    # bounds"): Rust's "thread panicked at …" and an 80-frame native stack were printed above the message.
    "收费.xlsx": (lambda ws: _date_panic_xlsx(ws / "收费.xlsx").read_bytes(), ("工作表“Sheet”", "无法读取")),
    # An .xlsb whose sheet list names a relationship that is not there: calamine indexes a map and panics.
    "lost.xlsb": (lambda ws: xlsb(ROWS, lost_part=True), ("无法作为电子表格打开",)),
    # 1.5 GB of memory and 22 s of reading for a 6 KB file.
    "stray.xls": (lambda ws: _xls_with_stray_cell(65279, 255), ("A1:IV65280", "拒收")),
    # Exit 134 (SIGABRT, "memory allocation of … bytes failed"), like the two .xlsb below.
    "wide.xls": (lambda ws: _xls_with_stray_cell(65279, 65279), ("65,280 列", "已损坏")),
    "far.xlsb": (lambda ws: xlsb(ROWS, far=(1_000_000, 16_000)), ("A1:", "拒收")),
    "wide.xlsb": (lambda ws: xlsb(ROWS, far=(5, 2_600_468_482)), ("2,600,468,483 列", "已损坏")),
}


def test_panics_and_stray_far_cells_are_messages(held):
    ws, before = held
    for name, (data, _words) in ONCE_FATAL.items():
        (ws / name).write_bytes(data(ws))
    r = _aesops(ws, "import", *ONCE_FATAL, "--clinic", "本院")
    assert r.returncode == 1, (r.returncode, r.stderr[-3000:])
    for noise in ("Traceback", "panicked", "stack backtrace", "RUST_BACKTRACE"):
        assert noise not in r.stderr, r.stderr[-3000:]
    messages = r.stderr.split("错误：")[1:]
    for name, (_data, words) in ONCE_FATAL.items():
        mine = [m for m in messages if re.split(r"[\s:：,，]", m.strip())[0] == name]
        assert len(mine) == 1, (name, r.stderr)
        assert all(w in mine[0] for w in words), (words, mine[0])
    assert f"{len(ONCE_FATAL)} 个文件（共 {len(ONCE_FATAL)} 个）没有导入" in r.stderr
    _unchanged(ws, before)


def test_a_short_sheet_with_a_note_far_to_the_right_is_refused_quickly(held):
    # Found by the 10,000-input fuzz run (seed 11, case 253): 18 staff rows and one note at XFA1 made a
    # 19 × 16,381 grid, small enough for the sparse-range rule, yet 35 s and 480 MB to read and import.
    import openpyxl

    ws, before = held
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["员工编号", "姓名", "岗位"])
    for i in range(18):
        sheet.append([f"E{i:03d}", f"员工{i}", "咨询师"])
    sheet["XFA1"] = "note"
    book.save(ws / "员工.xlsx")
    r = run_cli("import", str(ws / "员工.xlsx"))
    assert r.exit_code == 1, r.output
    assert "A1:XFA19" in r.stderr and "XFA1" in r.stderr and "Ctrl+End" in r.stderr, r.stderr
    _unchanged(ws, before)


# --- damaged files of every format ------------------------------------------------------------------


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_sound_workbook_of_each_format_imports(ws, suffix):
    # The writers make real files: 1680 + 4800 = 6480 of sales in January, by hand.
    (ws / f"orders{suffix}").write_bytes(WRITERS[suffix](ROWS))
    r = run_cli("import", str(ws / f"orders{suffix}"))
    assert r.exit_code == 0, r.output
    assert "载入 2 " in r.stderr or "loaded 2 " in r.stderr, r.stderr
    import json

    funnel = json.loads(run_cli("funnel", "--month", "2025-01", "--format", "json").stdout)
    assert funnel["kpis"][0]["sales"] == 6480


def _flip_inside(suffix: str, data: bytes, seed: int) -> bytes:
    """Bytes changed inside the part the reader parses (the zip itself would only fail its checksum)."""
    r = random.Random(seed)

    def flip(content: bytes) -> bytes:
        b = bytearray(content)
        for _ in range(r.randint(1, 6)):
            b[r.randrange(len(b))] = r.randrange(256)
        return bytes(b)

    if suffix == ".xls":
        return flip(data)
    part = {".xlsb": "xl/worksheets/sheet1.bin", ".ods": "content.xml"}[suffix]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as o:
        for info in z.infolist():
            content = z.read(info.filename)
            o.writestr(info.filename, flip(content) if info.filename == part else content)
    return out.getvalue()


def _hostile(suffix: str, kind: str) -> bytes:
    many = [HEAD] + [[f"2025-01-{d:02d}", f"C{d}", "水光针", 1000.0 + d] for d in range(1, 29)]
    good = WRITERS[suffix](many)
    if kind == "empty":
        return b""
    if kind == "truncated":
        return good[: len(good) // 2]
    if kind == "no-sheets":
        return {".xlsb": lambda: xlsb(ROWS, sheets=()), ".ods": lambda: ods(ROWS, sheets=())}[suffix]()
    return _flip_inside(suffix, good, int(kind.removeprefix("flipped-")))


CASES = [
    (s, k)
    for s in FORMATS
    for k in ("empty", "truncated", "no-sheets", *(f"flipped-{i}" for i in range(6)))
    if not (s == ".xls" and k == "no-sheets")
]  # xlwt cannot write a workbook without a sheet


@pytest.mark.parametrize("suffix, kind", CASES, ids=[f"{s[1:]}-{k}" for s, k in CASES])
def test_a_damaged_workbook_is_refused_or_read_whole(held, capfd, suffix, kind):
    ws, before = held
    name = f"hostile-{kind}{suffix}"
    (ws / name).write_bytes(_hostile(suffix, kind))
    r = run_cli("import", str(ws / name), "--clinic", "本院")
    native = capfd.readouterr().err  # what Rust wrote to file descriptor 2, beneath Python
    assert "panicked" not in native and "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    if r.exit_code == 0:
        # A flip that left the file readable: every row it read is loaded or reported, none lost.
        con = duckdb.connect(str(ws / "aesops.duckdb"), read_only=True)
        read, accounted = con.execute("""SELECT rows_read, rows_loaded + rows_updated + duplicates + rejected
                                         + skipped FROM import_batches ORDER BY batch_id DESC LIMIT 1""").fetchone()
        con.close()
        assert kind.startswith("flipped") and read == accounted
        return
    assert r.exit_code in (1, 2), r.output
    assert r.stderr.startswith(("错误：", "Error:")) and name in r.stderr, r.stderr
    if kind in ("empty", "truncated", "no-sheets"):
        assert r.exit_code == 1
        assert {
            "empty": "0 bytes",
            "truncated": "damaged" if suffix != ".xls" else "could not be opened",
            "no-sheets": "no sheets",
        }[kind] in r.stderr, r.stderr
    _unchanged(ws, before)


def _xlsx(rows) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    wb.close()
    return out.getvalue()


def _corrupt_sheet_data(data: bytes) -> bytes:
    """The sheet's deflated bytes overwritten in the middle: the zip's directory is whole, its content is not."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    # The local header is 30 bytes plus the name and extra field; the data follows.
    name_len, extra_len = (
        int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little"),
        int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little"),
    )
    start = info.header_offset + 30 + name_len + extra_len
    middle = start + info.compress_size // 2
    return data[:middle] + bytes(b ^ 0xA5 for b in data[middle : middle + 16]) + data[middle + 16 :]


@pytest.mark.parametrize(
    "damage, zh, en",
    [
        (lambda b: b[: len(b) // 2], "文件不完整：下载或复制可能中断了", "the file is cut short"),
        (_corrupt_sheet_data, "压缩数据已损坏", "its compressed data is corrupt"),
    ],
    ids=["cut-short", "corrupt"],
)
def test_a_damaged_xlsx_is_explained_in_the_reader_s_words(held, damage, zh, en):
    """A director cannot act on 'BadZipFile: File is not a zip file': the message says what happened, in Chinese
    with no reader's English inside it, and in English with --lang en."""
    ws, before = held
    many = [HEAD] + [[f"2025-01-{d:02d}", f"C{d}", "水光针", 1000.0 + d] for d in range(1, 29)] * 40
    (ws / "收费.xlsx").write_bytes(damage(_xlsx(many)))
    r = run_cli("import", str(ws / "收费.xlsx"), "--clinic", "本院", "--lang", "zh")
    assert r.exit_code == 1 and "收费.xlsx" in r.stderr and zh in r.stderr, r.stderr
    assert not re.search(r"[A-Za-z]{4,}", r.stderr.split("\n")[0].replace("xlsx", "")), r.stderr
    r = run_cli("import", str(ws / "收费.xlsx"), "--clinic", "本院", "--lang", "en")
    assert r.exit_code == 1 and en in r.stderr, r.stderr
    _unchanged(ws, before)
