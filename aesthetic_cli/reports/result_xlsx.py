"""Any analysis as an Excel workbook: one formatted sheet per table (the report writer's cell formats:
¥, %, pp, dates), frozen header, autofilter, labels in the reader's language."""

from __future__ import annotations

import re
from pathlib import Path

from xlsxwriter.exceptions import FileCreateError

from aesthetic_cli.metrics.result import Result, note_text
from aesthetic_cli.present.formatting import visible
from aesthetic_cli.present.labels import label
from aesthetic_cli.reports.safe import write_whole
from aesthetic_cli.reports.xlsx import Writer, cell_width


def write(result: Result, path: Path, lang: str, titles: dict[str, tuple[str, str]]) -> None:
    write_whole(path, lambda tmp: _fill(tmp, result, lang, titles))


def _fill(tmp: Path, result: Result, lang: str, titles: dict[str, tuple[str, str]]) -> None:
    w = Writer(tmp, lang)
    used: set[str] = set()
    for name, frame in result.tables.items():
        pair = titles.get(name)
        title = (pair[0] if lang == "zh" else pair[1]) if pair else name
        frame = visible(frame)
        ws = w.wb.add_worksheet(_sheet_name(title, name, used))
        ws.write_string(0, 0, title, w.title)
        widths: dict[int, int] = {}
        for c, col in enumerate(frame.columns):
            head = label(col, lang)
            ws.write_string(2, c, head, w.head)
            widths[c] = cell_width(head)
        for r, row in enumerate(frame.iter_rows(named=True), start=3):
            for c, (col, v) in enumerate(row.items()):
                w.cell(ws, r, c, col, v, row)
                widths[c] = max(widths[c], min(cell_width(v if v is not None else ""), 40))
        for c, wd in widths.items():
            ws.set_column(c, c, wd + 2)
        ws.freeze_panes(3, 1)
        if frame.width:
            ws.autofilter(2, 0, 2 + frame.height, frame.width - 1)
        for i, note in enumerate(result.notes):
            ws.write_string(4 + frame.height + i, 0, note_text(note, lang), w.note)
    try:
        w.wb.close()
    except FileCreateError as exc:  # xlsxwriter's wrapper of the OSError (a full disk): the OSError is the news
        raise exc.__context__ if isinstance(exc.__context__, OSError) else OSError(str(exc)) from None


def _sheet_name(title: str, name: str, used: set[str]) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name, each name once."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or name[:31]
    candidate, n = base, 2
    while candidate.lower() in used:
        candidate = f"{base[:28]}~{n}"
        n += 1
    used.add(candidate.lower())
    return candidate
