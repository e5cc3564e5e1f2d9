"""Hostile inputs made from the bundled sample exports: stdlib only (bytes, zipfile, random), so that
the harness process stays free of the threads Polars and DuckDB start and can fork safely."""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"
CSV_SEEDS = ["到院登记.csv", "网电线索.csv", "治疗划扣.csv"]
XLSX_SEEDS = ["项目目录.xlsx", "员工.xlsx", "营销费用.xlsx", "储值卡.xlsx", "收费明细_2024.xlsx"]
SEED_LINES = 120  # enough rows for every code path, few enough for thousands of cases

HOSTILE_TEXT = [
    "[/]",
    "[link=http://x]y[/link]",
    "[bold red]boom",
    "=cmd|' /C calc'!A0",
    "+SUM(A1:A9)",
    '@HYPERLINK("x")',
    "-2+3",
    "\x1b[31mred\x1b[0m",
    "a\x00b",
    "\u202etxt",
    "😀",
    "\\",
    "'",
    '"',
    "{{7*7}}",
    "<script>x</script>",
    "1e308",
    "-1e400",
    "nan",
    "inf",
    "9999999999999",
    "¥1,234.00",
    "2025-02-30",
    "2025年13月1日",
    "0000-00-00",
    "99999",
    "-0",
    "(１２３)",
    "13812345678",
    " ",
    "",
    "合计",
    "\t",
    "\r",
    "\n",
]


@dataclass
class Case:
    name: str  # file name, with the suffix the importer dispatches on
    data: bytes
    mutation: str
    seed_file: str


def _csv_seed(name: str) -> bytes:
    lines = (SAMPLES / name).read_bytes().split(b"\n")
    return b"\n".join(lines[:SEED_LINES]) + b"\n"


# ---- CSV mutations -----------------------------------------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def m_byte_flips(r, data):
    b = bytearray(data)
    for _ in range(r.randint(1, 40)):
        b[r.randrange(len(b))] = r.randrange(256)
    return bytes(b)


def m_truncate(r, data):
    return data[: r.randrange(len(data))]


def m_encoding(r, data):
    text = data.decode("utf-8-sig", errors="replace")
    enc = r.choice(["gb18030", "utf-16", "utf-16-le", "utf-8-sig", "big5", "latin-1", "utf-32"])
    return text.encode(enc, errors="replace")


def m_line_ends(r, data):
    mode = r.choice(["cr", "crlf", "mixed"])
    if mode == "cr":
        return data.replace(b"\n", b"\r")
    if mode == "crlf":
        return data.replace(b"\n", b"\r\n")
    return b"".join(x + r.choice([b"\n", b"\r", b"\r\n"]) for x in _lines(data))


def m_huge_cell(r, data):
    lines = _lines(data)
    i = r.randrange(len(lines))
    size = r.choice([131_073, 300_000, 2_000_000, 17_000_000 if r.random() < 0.05 else 500_000])
    cell = (b"x" * size) if r.random() < 0.5 else b'"' + b"y," * (size // 2) + b'"'
    lines[i] = lines[i] + b"," + cell
    return b"\n".join(lines)


def m_hostile_text(r, data):
    lines = _lines(data)
    for _ in range(r.randint(1, 8)):
        i = r.randrange(1, max(2, len(lines)))
        if i >= len(lines):
            continue
        fields = lines[i].split(b",")
        j = r.randrange(len(fields))
        fields[j] = r.choice(HOSTILE_TEXT).encode("utf-8")
        lines[i] = b",".join(fields)
    return b"\n".join(lines)


def m_ragged(r, data):
    lines = _lines(data)
    for _ in range(r.randint(1, 6)):
        i = r.randrange(len(lines))
        fields = lines[i].split(b",")
        if r.random() < 0.5:
            fields.insert(r.randrange(len(fields) + 1), b"extra")
        elif len(fields) > 1:
            fields.pop(r.randrange(len(fields)))
        lines[i] = b",".join(fields)
    return b"\n".join(lines)


def m_unbalanced_quote(r, data):
    i = r.randrange(len(data))
    return data[:i] + b'"' + data[i:]


def m_unquoted_comma(r, data):
    lines = _lines(data)
    for _ in range(r.randint(1, 5)):
        i = r.randrange(1, max(2, len(lines)))
        if i < len(lines):
            fields = lines[i].split(b",")
            fields[r.randrange(len(fields))] = b"\xc2\xa51,234.00"
            lines[i] = b",".join(fields)
    return b"\n".join(lines)


def m_structure(r, data):
    lines = _lines(data)
    kind = r.choice(["empty", "header_only", "blank_lines", "no_header", "dup", "shuffle", "nul", "bom_only"])
    if kind == "empty":
        return b""
    if kind == "header_only":
        return lines[0] + b"\n"
    if kind == "blank_lines":
        return b"\n" * r.randint(1, 50)
    if kind == "no_header":
        return b"\n".join(lines[1:])
    if kind == "dup":
        return b"\n".join(lines + lines[1:])
    if kind == "shuffle":
        body = lines[1:]
        r.shuffle(body)
        return b"\n".join([lines[0], *body])
    if kind == "nul":
        b = bytearray(data)
        for _ in range(r.randint(1, 20)):
            b.insert(r.randrange(len(b)), 0)
        return bytes(b)
    return b"\xef\xbb\xbf"


CSV_MUTATIONS = [
    m_byte_flips,
    m_truncate,
    m_encoding,
    m_line_ends,
    m_huge_cell,
    m_hostile_text,
    m_ragged,
    m_unbalanced_quote,
    m_unquoted_comma,
    m_structure,
]


# ---- XLSX mutations ----------------------------------------------------------------------------


def _rezip(data: bytes, edit, extra: dict[str, bytes] | None = None, drop: set[str] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as o:
        for info in z.infolist():
            if drop and info.filename in drop:
                continue
            content = z.read(info.filename)
            content = edit(info.filename, content)
            o.writestr(info.filename, content)
        for name, content in (extra or {}).items():
            o.writestr(name, content)
    return out.getvalue()


def _sheet_edit(fn):
    return lambda name, content: fn(content) if name.startswith("xl/worksheets/sheet") else content


def x_byte_flips(r, data):
    return m_byte_flips(r, data)


def x_truncate(r, data):
    return m_truncate(r, data)


def x_stray_cell(r, data):
    col = r.choice(["XFD", "ZZ", "AAA", "XFA"])
    row = r.choice([1048576, 5, 2, 70000, 1048577])
    cell = f'<row r="{row}"><c r="{col}{row}" t="inlineStr"><is><t>note</t></is></c></row>'.encode()
    if r.random() < 0.5:  # a note at a far column in an existing row
        return _rezip(
            data,
            _sheet_edit(
                lambda c: c.replace(
                    b"</row>", f'<c r="{col}1" t="inlineStr"><is><t>note</t></is></c></row>'.encode(), 1
                )
            ),
        )
    return _rezip(data, _sheet_edit(lambda c: c.replace(b"</sheetData>", cell + b"</sheetData>")))


def x_dimension(r, data):
    return _rezip(data, _sheet_edit(lambda c: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', c)))


def x_many_rows(r, data):
    n = r.choice([1_048_577, 1_200_000]) if r.random() < 0.3 else r.choice([1000, 50_000])
    rows = b"".join(b"<row/>" for _ in range(n))
    return _rezip(data, _sheet_edit(lambda c: c.replace(b"</sheetData>", rows + b"</sheetData>")))


def x_zip_bomb(r, data):
    size = r.choice([20, 40]) << 20
    target = r.choice(["xl/sharedStrings.xml", "sheet"])
    if target == "sheet":
        filler = b"<!--" + b"A" * size + b"-->"
        return _rezip(data, _sheet_edit(lambda c: c.replace(b"<sheetData>", filler + b"<sheetData>", 1)))
    return _rezip(
        data,
        lambda n, c: c.replace(b"<sst", b"<!--" + b"A" * size + b"--><sst", 1) if n == "xl/sharedStrings.xml" else c,
    )


def x_huge_string(r, data):
    size = r.choice([200_000, 2_000_000])
    text = "".join(r.choice("abcdefghij张王李") for _ in range(size)).encode()
    return _rezip(
        data,
        lambda n, c: (
            re.sub(rb"<t>[^<]*</t>", b"<t>" + text + b"</t>", c, count=1) if n == "xl/sharedStrings.xml" else c
        ),
    )


def x_hostile_strings(r, data):
    def edit(name, content):
        if name != "xl/sharedStrings.xml":
            return content
        parts = re.split(rb"(<t[^>]*>[^<]*</t>)", content)
        for i in range(1, len(parts), 2):
            if r.random() < 0.3:
                t = r.choice(HOSTILE_TEXT)
                esc = t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                esc = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", esc)  # XML 1.0 cannot hold them
                parts[i] = b"<t>" + esc.encode() + b"</t>"
        return b"".join(parts)

    return _rezip(data, edit)


def x_bad_values(r, data):
    def edit(content):
        return re.sub(
            rb"<v>[^<]*</v>",
            lambda m: r.choice(
                [m.group(0), b"<v>1e308</v>", b"<v>-1e308</v>", b"<v>NaN</v>", b"<v>99999999999</v>", b"<v>x</v>"]
            ),
            content,
        )

    return _rezip(data, _sheet_edit(edit))


def x_no_sheets(r, data):
    return _rezip(
        data, lambda n, c: re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", c, flags=re.S) if n == "xl/workbook.xml" else c
    )


def x_missing_part(r, data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
    return _rezip(data, lambda n, c: c, drop={r.choice(names)})


def x_empty_sheet(r, data):
    return _rezip(data, _sheet_edit(lambda c: re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData/>", c, flags=re.S)))


def x_xml_flips(r, data):
    def edit(content):
        b = bytearray(content)
        for _ in range(r.randint(1, 20)):
            b[r.randrange(len(b))] = r.randrange(256)
        return bytes(b)

    return _rezip(data, _sheet_edit(edit) if r.random() < 0.7 else (lambda n, c: edit(c) if n.endswith(".xml") else c))


XLSX_MUTATIONS = [
    x_byte_flips,
    x_truncate,
    x_stray_cell,
    x_dimension,
    x_many_rows,
    x_zip_bomb,
    x_huge_string,
    x_hostile_strings,
    x_bad_values,
    x_no_sheets,
    x_missing_part,
    x_empty_sheet,
    x_xml_flips,
]
# Costly to build and to refuse: drawn less often.
_RARE = {x_zip_bomb: 0.25, x_many_rows: 0.4, x_huge_string: 0.5}


# ---- .xls, .xlsb and .ods, and a date cell that makes calamine panic (drawn with --formats all) -------

OTHER_SHARE = 0.25


def _rows_of(data: bytes, lines: int = 40) -> list[list[object]]:
    text = data.decode("utf-8-sig", errors="replace")
    rows: list[list[object]] = [list(row) for row in csv.reader(io.StringIO(text))][:lines]
    for row in rows[1:]:  # numbers as numbers, as a spreadsheet holds them
        for i, v in enumerate(row):
            if isinstance(v, str) and re.fullmatch(r"-?\d+(\.\d+)?", v):
                row[i] = float(v)
    return rows


def _zip_part_flips(r, data: bytes, suffix: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [n for n in z.namelist() if n.endswith((".bin", ".xml")) and not n.endswith(".rels")]
    target = r.choice(parts)

    def edit(name, content):
        if name != target or not content:
            return content
        b = bytearray(content)
        for _ in range(r.randint(1, 8)):
            b[r.randrange(len(b))] = r.randrange(256)
        return bytes(b)

    return _rezip(data, edit)


def _xls_stray(r, data: bytes) -> bytes:
    b = bytearray(data)
    at = b.rfind(b"\xfd\x00\x0a\x00")  # the last LABELSST cell: row and column, 16 bits each
    if at >= 0:
        b[at + 4 : at + 8] = r.choice([65535, 65279, 30000]).to_bytes(2, "little") + r.choice(
            [255, 65279, 16384, 3]
        ).to_bytes(2, "little")
    return bytes(b)


def _other_case(r, csv_seeds: dict[str, bytes], xlsx_seeds: dict[str, bytes]) -> tuple[str, str, bytes, str]:
    """(seed file, suffix, data, mutation) for a file in another format, or an xlsx date cell panic."""
    from tests import workbooks

    seed_name = r.choice(CSV_SEEDS)
    rows = _rows_of(csv_seeds[seed_name])
    suffix = r.choice([".xls", ".xlsb", ".ods", ".xlsx"])
    if suffix == ".xlsx":
        seed_name = r.choice(XLSX_SEEDS)
        value = r.choice([b"-1e308", b"1e308", b"-99999999999", b"2958466", b"-693594"])
        style = b'<cellXfs count="1"><xf numFmtId="' + r.choice([b"14", b"22", b"46", b"20"]) + b'"/></cellXfs>'

        def dated(name, content):
            if name == "xl/styles.xml":
                return re.sub(rb"<cellXfs.*?</cellXfs>", style, content, count=1, flags=re.S)
            if name.startswith("xl/worksheets/sheet"):
                return re.sub(
                    rb'<c r="([A-Z]+[3-9])"[^>]*?(/>|>.*?</c>)',
                    lambda m: b'<c r="' + m.group(1) + b'" s="0"><v>' + value + b"</v></c>",
                    content,
                    count=1,
                    flags=re.S,
                )
            return content

        return seed_name, suffix, _rezip(xlsx_seeds[seed_name], dated), "o_date_cell"
    good = workbooks.WRITERS[suffix](rows)
    kinds = ["byte_flips", "truncate", "empty", "stray_cell"] + (
        [] if suffix == ".xls" else ["part_flips", "no_sheets"]
    )
    kind = r.choice(kinds)
    if kind == "byte_flips":
        data = m_byte_flips(r, good)
    elif kind == "truncate":
        data = m_truncate(r, good)
    elif kind == "empty":
        data = b""
    elif kind == "part_flips":
        data = _zip_part_flips(r, good, suffix)
    elif kind == "no_sheets":
        data = workbooks.WRITERS[suffix](rows, sheets=())
    elif suffix == ".xls":
        data = _xls_stray(r, good)
    elif suffix == ".xlsb":
        data = workbooks.xlsb(
            rows, far=(r.choice([5, 70_000, 1_048_575, 2_000_000]), r.choice([3, 16_383, 20_000, 2_600_000_000]))
        )
    else:
        data = good.replace(
            b"<table:table-row>",
            b'<table:table-row table:number-rows-repeated="' + r.choice([b"1000", b"1048576", b"99999999"]) + b'">',
            1,
        )
    return seed_name, suffix, data, f"o_{kind}"


def cases(count: int, seed: int, quick: bool = False, formats: str = "csv,xlsx"):
    """count cases, the same for the same seed. Some cases stack two mutations. quick leaves out the
    costly ones (zip bombs, a million rows, cells of megabytes), which tests/test_hostile_inputs.py covers.
    formats="all" adds .xls, .xlsb and .ods files and xlsx date cells that make calamine panic, a quarter
    of the cases, drawn from a random stream of their own: the csv and xlsx cases of a seed stay the same."""
    r = random.Random(seed)
    others = random.Random(f"{seed}-other-formats") if formats == "all" else None
    csv_seeds = {n: _csv_seed(n) for n in CSV_SEEDS}
    xlsx_seeds = {n: (SAMPLES / n).read_bytes() for n in XLSX_SEEDS}
    made = 0
    while made < count:
        if others is not None and others.random() < OTHER_SHARE:
            seed_name, suffix, data, mutation = _other_case(others, csv_seeds, xlsx_seeds)
            yield Case(name=f"case{made:05d}{suffix}", data=data, mutation=mutation, seed_file=seed_name)
            made += 1
            continue
        if r.random() < 0.55:
            seed_name = r.choice(CSV_SEEDS)
            data, muts = csv_seeds[seed_name], [r.choice(CSV_MUTATIONS)]
            if quick and muts[0] is m_huge_cell:
                continue
            if r.random() < 0.3:
                muts.append(r.choice(CSV_MUTATIONS))
            suffix = ".csv"
        else:
            seed_name = r.choice(XLSX_SEEDS)
            mut = r.choice(XLSX_MUTATIONS)
            if mut in _RARE and (quick or r.random() > _RARE[mut]):
                continue
            data, muts = xlsx_seeds[seed_name], [mut]
            if r.random() < 0.15:
                muts.append(r.choice([x_byte_flips, x_hostile_strings, x_bad_values, x_stray_cell]))
            suffix = ".xlsx"
        try:
            for m in muts:
                data = m(r, data) if data else data
        except (zipfile.BadZipFile, zlib.error, ValueError, IndexError, KeyError, OSError, EOFError, RuntimeError):
            continue  # a stacked mutation on an already broken zip: draw again
        yield Case(
            name=f"case{made:05d}{suffix}", data=data, mutation="+".join(m.__name__ for m in muts), seed_file=seed_name
        )
        made += 1
