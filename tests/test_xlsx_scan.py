"""The zip/XML safety scan's fast paths (issue 19) count what the general patterns count.

The scan reads a plainly spelled sheet with byte counts and memchr-gated checks, and inflates the
next block on a second thread while it scans this one; these tests hold both to the general reading
(bounds._ROW / bounds._CELL, the patterns every spelling goes through) and to the entry's own bytes.
"""

from __future__ import annotations

import io
import threading
import zipfile

import pytest

from aesthetic_cli.errors import InputFileError
from aesthetic_cli.importer import bounds


def _general(chunk: bytes) -> tuple[int, int]:
    return len(bounds._ROW.findall(chunk)), len(bounds._CELL.findall(chunk))


@pytest.mark.parametrize(
    "extra",
    [
        b'<c r="C{i}" t="inlineStr"><is><t>10:30 visit</t></is></c>',  # a colon in text: memchr hit, no :row
        b"<c><v>3</v></c>",  # a cell without attributes
        b'<c r="C{i}"/>',  # an empty, self-closed cell with r=
        b"<c/>",  # an empty cell without attributes
    ],
)
def test_plain_scan_counts_cells_like_the_general_patterns(extra):
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="s"><v>1</v></c><c r="B%d"><v>2</v></c>%s</row>'
        % (i, i, i, extra.replace(b"{i}", str(i).encode()))
        for i in range(1, 40)
    )
    # <cols>/<col> before the rows: tags that start like a cell and are none.
    chunk = b'<cols><col min="1" max="3" width="12"/></cols><sheetData>' + rows
    plain = bounds._plain_counts(chunk)
    assert plain is not None
    # 39 rows of three cells each, counted by hand; the general patterns agree.
    assert plain[:3] == (39, 39 * 3, 39)
    assert plain[:2] == _general(chunk)


def test_an_unusual_spelling_still_leaves_the_plain_path():
    chunk = b'<row r="1"><c\tr="A1"><v>1</v></c></row>'
    assert bounds._plain_counts(chunk) is None
    assert bounds._plain_counts(chunk.replace(b"\t", b" ")) is not None


def _entry(tmp_path, payload: bytes):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", payload)
    path = tmp_path / "book.xlsx"
    path.write_bytes(buf.getvalue())
    return path


def test_chunks_read_ahead_give_back_the_entry_cut_after_tags(tmp_path, monkeypatch):
    monkeypatch.setattr(bounds, "_CHUNK", 997)  # many blocks, cut anywhere
    payload = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i * 7) for i in range(1, 3000))
    path = _entry(tmp_path, payload)
    with zipfile.ZipFile(path) as z:
        chunks = list(bounds._chunks(path, z, z.getinfo("xl/worksheets/sheet1.xml")))
    assert len(chunks) > 50
    assert b"".join(chunks) == payload
    assert all(c.endswith(b">") for c in chunks)


def test_the_inflation_limit_holds_with_the_read_ahead(tmp_path, monkeypatch):
    # 8 MB of one byte deflates about 1000 times: past the ratio once past the grace size. The
    # directory's sizes are not trusted: the limit is applied to what is inflated, block by block.
    monkeypatch.setattr(bounds, "_CHUNK", 1 << 20)
    path = _entry(tmp_path, b"<row>" + b" " * (8 << 20) + b"</row>")
    before = threading.active_count()
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        with pytest.raises(InputFileError, match="zip bomb"):
            for _ in bounds._chunks(path, z, info):
                pass
    # The read-ahead thread is gone with the generator: nothing keeps inflating after a refusal.
    assert threading.active_count() == before
