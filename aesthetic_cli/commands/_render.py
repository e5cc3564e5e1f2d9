"""Print a Result as a table for people, or CSV/JSON for programs (stdout is data, stderr is chatter)."""

from __future__ import annotations

import csv
import json
import sys

from aesthetic_cli.labels import kind_of, label, value_label

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Columns whose meaning comes from the row's KPI or lever rather than from the column.
_PER_ROW = {"current", "previous", "last_year", "plan", "actual", "needed"}


def safe_cell(value):
    """A text cell that a spreadsheet would run as a formula is written as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def show_value(column: str, value, kind: str | None = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, float) or isinstance(value, int) and not isinstance(value, bool):
        kind = kind or kind_of(column)
        if kind == "rate":
            return f"{value * 100:.1f}%"
        if kind == "money":
            return f"{value:,.0f}"
        if kind == "ratio":
            return f"{value:.2f}"
        if kind == "days":
            return f"{value:,.0f}"
        if kind == "count":
            return f"{value:,.1f}" if isinstance(value, float) and not float(value).is_integer() else f"{value:,.0f}"
        if isinstance(value, float):
            return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


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

    console = Console(highlight=False)
    for name, frame in result.tables.items():
        pair = titles.get(name)
        title = (pair[0] if lang == "zh" else pair[1]) if pair else name
        table = Table(title=title, title_justify="left", header_style="bold")
        for col in frame.columns:
            numeric = frame.schema[col].is_numeric()
            table.add_column(label(col, lang), justify="right" if numeric else "left", overflow="fold")
        for row in frame.iter_rows(named=True):
            # In a KPI-per-row table (环比/同比, levers) the row's KPI decides how its numbers look.
            subject = row.get("kpi") or row.get("lever")
            row_kind = (kind_of(subject) or "count") if subject else None
            cells = []
            for c, v in row.items():
                kind = row_kind if row_kind and c in _PER_ROW else None
                cells.append(show_value(c, value_label(c, v, lang), kind))
            table.add_row(*cells)
        if frame.height == 0:
            table.caption = "（无数据）" if lang == "zh" else "(no rows)"
        console.print(table)
    for note in result.notes:
        console.print(f"[dim]• {note}[/dim]")
