"""Print a Result as a table for people, or CSV/JSON/xlsx for programs (stdout is data, stderr is chatter).

Tables fit the terminal: a number is never wrapped; a table wider than the screen is folded into
column groups that each repeat the key column(s). Output longer than the screen goes through a
pager on a terminal, like git (`less -FRX`; --no-pager or AESOPS_PAGER to change)."""

from __future__ import annotations

import csv
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aesthetic_cli.errors import UsageError
from aesthetic_cli.present.formatting import cell_kind, csv_value, safe_cell, show_value, visible
from aesthetic_cli.present.labels import label, said_value, value_label

if TYPE_CHECKING:
    from rich.console import Console


class _Chatter:
    """Rich's console on stderr, made when first used: a command that prints JSON or CSV and says nothing
    never imports Rich (about 0.05 CPU s of an analysis's start-up)."""

    _console: Console | None = None

    def console(self) -> Console:
        if _Chatter._console is None:
            from rich.console import Console

            _Chatter._console = Console(stderr=True, highlight=False, soft_wrap=True)
        return _Chatter._console

    def __getattr__(self, name: str):
        return getattr(self.console(), name)


# Chatter (progress, what was written, what to do next) goes to stderr, so stdout stays data.
err = _Chatter()


def say(key: str, markup: bool = True, **fields) -> None:
    """One line of chatter from the message catalog, in the reader's language."""
    from aesthetic_cli.cli.errors import message_lang
    from aesthetic_cli.present.messages import t

    err.print(t(key, message_lang(), **fields), markup=markup)


def interactive() -> bool:
    """Progress bars and chatter only for a person at a terminal; cron and pipes get silence."""
    return sys.stderr.isatty()


# Set by `aesops --no-pager` (cli/root.py's callback).
PAGER_ENABLED = True
# Text columns wider than this are folded inside their cell rather than pushing numbers off screen.
_TEXT_MAX = 24


def render(result, fmt: str, lang: str, out=None, titles: dict[str, tuple[str, str]] | None = None, path=None) -> None:
    """The result on stdout (or the stream `out`); with `path` (--out), into that file, said on stderr."""
    if path is not None and fmt in ("json", "csv"):
        # Excel on Windows reads a CSV as the local code page unless it starts with a BOM.
        write_file(Path(path), lambda f: render(result, fmt, lang, f, titles), bom=fmt == "csv")
        say("wrote", markup=False, path=path)
    elif fmt == "json":
        out = out or sys.stdout
        from aesthetic_cli.metrics.result import write_json

        write_json(result.to_json_obj(), out)
    elif fmt == "csv":
        if out is None:
            sys.stdout.write("\ufeff")
            out = sys.stdout
        _csv(result, out, lang)
    elif fmt == "xlsx":
        if path is None:
            raise UsageError(
                "--format xlsx needs --out FILE.", hint="e.g. aesops channels --format xlsx --out channels.xlsx"
            )
        from aesthetic_cli.reports import result_xlsx

        result_xlsx.write(result, Path(path), lang, titles or {})
        say("wrote", markup=False, path=path)
    else:
        text = tables_text(result, lang, titles or {}, width=_width(), color=_color(out))
        emit(text, out)


def write_file(path: Path, write, bom: bool) -> None:
    """write(stream) as the file at path, whole or not at all (reports/safe.write_whole)."""
    from aesthetic_cli.reports.safe import write_whole

    def fill(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            write(f)

    write_whole(Path(path), fill)


def _width() -> int:
    from rich.console import Console

    return Console().width


def _color(out) -> bool:
    return out is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _csv(result, out, lang: str) -> None:
    multiple = len(result.tables) > 1
    writer = csv.writer(out, lineterminator="\r\n")
    for i, (name, frame) in enumerate(result.tables.items()):
        if multiple:
            if i:
                writer.writerow([])
            writer.writerow([f"# {name}"])
        writer.writerow([label(c, lang) for c in frame.columns])
        for row in frame.iter_rows(named=True):
            writer.writerow(
                [safe_cell(csv_value(c, said_value(c, v, lang), cell_kind(row, c), lang)) for c, v in row.items()]
            )


@dataclass
class _Column:
    header: str
    cells: list[str]
    numeric: bool

    @property
    def width(self) -> int:
        from rich.cells import cell_len

        widest = max([cell_len(self.header), *(cell_len(c) for c in self.cells)])
        return widest if self.numeric else min(widest, max(_TEXT_MAX, cell_len(self.header)))


def _columns(frame, lang: str) -> list[_Column]:
    frame = visible(frame)
    from aesthetic_cli.present.sparkline import series_columns, spark
    from aesthetic_cli.present.wrap import cut

    cols = [_Column(label(c, lang), [], frame.schema[c].is_numeric()) for c in frame.columns]
    for row in frame.iter_rows(named=True):
        for col, (c, v) in zip(cols, row.items(), strict=True):
            col.cells.append(cut(show_value(c, value_label(c, v, lang), cell_kind(row, c)), CELL_WIDTH))
    series = series_columns(frame.columns)
    if series:
        # A monthly series (第1月…第12月) read at a glance, beside the row's name, before the numbers.
        trend = _Column(
            "趋势" if lang == "zh" else "Trend",
            [spark([row[c] for c in series]) for row in frame.iter_rows(named=True)],
            False,
        )
        cols.insert(frame.columns.index(series[0]), trend)
    return cols


# The most terminal cells a table shows of a cell (csv, json and xlsx keep it whole): a 4,500-character item name
# folded over 150 lines of the table.
CELL_WIDTH = 40


def _key_count(cols: list[_Column]) -> int:
    """The leading text columns name the row (channel, month, consultant): up to two repeat in every group.
    A ranked table leads with its rank: the rank and the name after it repeat, or tied ranks (3, 3) would
    leave a group whose rows nobody can tell apart."""
    start = 1 if len(cols) > 2 and cols[0].numeric and not cols[1].numeric else 0
    n = start
    while n < min(start + 2, len(cols) - 1) and not cols[n].numeric:
        n += 1
    return max(n, 1)


def groups(cols: list[_Column], width: int) -> list[list[int]]:
    """Indexes of the columns each printed table shows, key columns first in each. A column costs its
    content plus a space either side and one border; the table adds one more border."""
    keys = list(range(_key_count(cols)))
    if sum(cols[i].width + 3 for i in range(len(cols))) + 1 <= width:
        return [list(range(len(cols)))]
    base = sum(cols[i].width + 3 for i in keys) + 1
    out: list[list[int]] = []
    current: list[int] = []
    used = base
    for i in range(len(keys), len(cols)):
        cost = cols[i].width + 3
        if current and used + cost > width:
            out.append(keys + current)
            current, used = [], base
        current.append(i)
        used += cost
    if current or not out:
        out.append(keys + current)
    return out


def tables_text(result, lang: str, titles: dict[str, tuple[str, str]], *, width: int, color: bool = False) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from aesthetic_cli.present.wrap import fill

    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width,
        highlight=False,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
    )
    from aesthetic_cli.present.params import scope_line

    scope = scope_line(result.meta, lang)
    if scope is not None:
        console.print(Text(fill(scope, width), style="dim"), soft_wrap=True)
    for name, frame in result.tables.items():
        pair = titles.get(name)
        title = (pair[0] if lang == "zh" else pair[1]) if pair else name
        cols = _columns(frame, lang)
        frame = visible(frame)
        parts = groups(cols, width)
        for n, idx in enumerate(parts, 1):
            part_title = title if len(parts) == 1 else f"{title} ({n}/{len(parts)})"
            # The title is filled here, above the table, not by Rich inside the table's width: a narrow last
            # group (the key and one number) broke a Chinese title in two at an arbitrary place.
            console.print(Text(fill(part_title, width), style="table.title"), soft_wrap=True)
            table = Table(header_style="bold")
            for i in idx:
                col = cols[i]
                table.add_column(
                    escape(col.header),
                    justify="right" if col.numeric else "left",
                    no_wrap=col.numeric,
                    overflow="fold",
                    min_width=col.width if col.numeric else None,
                )
            for r in range(frame.height):
                # Text, not markup: a name from the data such as `[/]` or `[link=...]` is shown as written.
                table.add_row(*(Text(cols[i].cells[r]) for i in idx))
            if frame.height == 0:
                table.caption = "（无数据）" if lang == "zh" else "(no rows)"
            console.print(table)
    from aesthetic_cli.metrics.result import note_text  # here: it imports polars, which --help must not

    for note in result.notes:
        # Filled here, not by Rich, which breaks only at spaces: a Chinese sentence after "• 30d, 90d " went
        # whole to the next line and left the bullet alone. Text, not markup: a note may quote the data.
        console.print(Text(fill(note_text(note, lang), width, "• ", "  "), style="dim"), soft_wrap=True)
    return buf.getvalue()


def emit(text: str, out=None) -> None:
    """Write to the given stream, or to stdout through a pager when it is a terminal and the text is
    longer than the screen."""
    if out is not None:
        out.write(text)
        return
    pager = _pager_command(text)
    if pager is None:
        sys.stdout.write(text)
        return
    import subprocess

    env = {**os.environ, "LESS": os.environ.get("LESS", "FRX"), "LESSCHARSET": os.environ.get("LESSCHARSET", "utf-8")}
    sys.stdout.flush()
    try:
        proc = subprocess.Popen(pager, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        sys.stdout.write(text)
        return
    try:
        assert proc.stdin is not None
        proc.stdin.write(text.encode("utf-8"))
        proc.stdin.close()
    except BrokenPipeError:
        pass  # the reader quit the pager early (q): not an error
    proc.wait()


def _pager_command(text: str) -> str | None:
    if not PAGER_ENABLED or not sys.stdout.isatty():
        return None
    pager = os.environ.get("AESOPS_PAGER", os.environ.get("PAGER", "less -FRX"))
    if not pager.strip() or pager.strip() == "cat":
        return None
    import shutil

    if text.count("\n") < shutil.get_terminal_size().lines:
        return None
    return pager
