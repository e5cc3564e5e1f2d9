"""`--help` in the reader's language: Chinese by default (or when LANG is zh_*), English with --lang en
or an English LANG. The English lives with each command (docstrings, help=); the Chinese in
present/help_zh.py. Before a command line is parsed, the command tree is given the reader's language
and a help formatter that wraps by terminal cells (a Chinese character is two columns wide)."""

from __future__ import annotations

import typer

from aesthetic_cli.present import help_zh
from aesthetic_cli.present.wrap import cells, fill_paragraphs

_Base = typer.Context.formatter_class


class CellFormatter(_Base):  # type: ignore[misc,valid-type]
    """click's formatter, wrapping by cells rather than characters."""

    lang = "en"

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix if prefix is not None else help_zh.word("Usage: ", self.lang))

    def write_heading(self, heading: str) -> None:
        colon = "：" if self.lang == "zh" else ":"
        self.write(f"{'':>{self.current_indent}}{help_zh.word(heading, self.lang)}{colon}\n")

    def write_text(self, text: str) -> None:
        self.write(fill_paragraphs(text, self.width, " " * self.current_indent))
        self.write("\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((cells(r[0]) for r in rows), default=0), col_max) + col_spacing
        pad = " " * (first_col + self.current_indent)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if cells(first) <= first_col - col_spacing:
                self.write(" " * (first_col - cells(first)))
            else:
                self.write("\n" + pad)
            second = help_zh.extras(second, self.lang)
            lines = fill_paragraphs(second, max(self.width - first_col - 2 - self.current_indent, 10)).splitlines()
            self.write("\n".join([lines[0], *(pad + line if line else "" for line in lines[1:])]) + "\n")


class _ZhFormatter(CellFormatter):
    lang = "zh"


class EnContext(typer.Context):
    formatter_class = CellFormatter


class ZhContext(typer.Context):
    formatter_class = _ZhFormatter


def _walk(command, path: tuple[str, ...] = ()):
    yield path, command
    for name, sub in (getattr(command, "commands", None) or {}).items():
        yield from _walk(sub, (*path, name))


def apply(root, lang: str, path: tuple[str, ...] = ()) -> None:
    """Give every command built so far in the tree under `root` (at `path`, its words after `aesops`) its help
    in `lang`. The tree is built afresh for each run; cli/root.py calls this for each command it builds."""
    for where, command in _walk(root, path):
        command.context_class = ZhContext if lang == "zh" else EnContext
        if lang != "zh":
            continue
        text = help_zh.COMMANDS.get(" ".join(where))
        if text:
            command.help = text
            command.short_help = text.split("\n\n")[0].strip()
        for param in command.params:
            if getattr(param, "help", None):
                param.help = help_zh.OPTIONS.get(param.help, param.help)
