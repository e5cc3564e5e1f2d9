"""Print a Result as a table for people, or CSV/JSON for programs (stdout is data, stderr is chatter)."""

from __future__ import annotations

import csv
import json
import sys

from aesthetic_cli.formatting import cell_kind, safe_cell, show_value
from aesthetic_cli.labels import label, value_label
from aesthetic_cli.metrics.result import note_text

def render(result, fmt: str, lang: str, out=None, titles: dict[str, tuple[str, str]] | None = None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        json.dump(result.to_json_obj(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "csv":
        _csv(result, out)
    else:
        _tables(result, lang, titles or {})


def _csv(result, out) -> None:
    multiple = len(result.tables) > 1
    writer = csv.writer(out, lineterminator="\n")
    for i, (name, frame) in enumerate(result.tables.items()):
        if multiple:
            if i:
                out.write("\n")
            out.write(f"# {name}\n")
        writer.writerow(frame.columns)
        for row in frame.iter_rows():
            writer.writerow([safe_cell(_csv_value(v)) for v in row])


def _csv_value(v):
    if isinstance(v, (list, tuple)):
        return ";".join(str(x) for x in v)
    return v


def _tables(result, lang: str, titles: dict[str, tuple[str, str]]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    for name, frame in result.tables.items():
        pair = titles.get(name)
        title = (pair[0] if lang == "zh" else pair[1]) if pair else name
        table = Table(title=title, title_justify="left", header_style="bold")
        for col in frame.columns:
            numeric = frame.schema[col].is_numeric()
            table.add_column(label(col, lang), justify="right" if numeric else "left", overflow="fold")
        for row in frame.iter_rows(named=True):
            # Text, not str: a name from the data such as `[/]` or `[link=...]` is shown as written.
            cells = [Text(str(show_value(c, value_label(c, v, lang), cell_kind(row, c)))) for c, v in row.items()]
            table.add_row(*cells)
        if frame.height == 0:
            table.caption = "（无数据）" if lang == "zh" else "(no rows)"
        console.print(table)
    from rich.markup import escape

    for note in result.notes:
        console.print(f"[dim]• {escape(note_text(note, lang))}[/dim]")
