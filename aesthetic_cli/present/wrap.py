"""Wrapping text by the cells a terminal shows: a Chinese character is two columns wide and a line may
break between two of them, where English breaks only at spaces. (click wraps by characters, so a
Chinese paragraph ran to twice the terminal's width.)"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# Closing punctuation stays on the line of the character before it (no line starts with 。 or ）).
_CLOSE = "，。；：、）」』》！？,.;:)"
_OPEN = "（「『《("


@cache
def _token() -> re.Pattern[str]:
    """A number stays with the character after it (10月, 3 位) and an opening bracket with what it opens.
    Compiled when help is first wrapped (~7 ms), not at the start-up of every command, which imports this."""
    return re.compile(rf"[{_OPEN}]*(?:\d+[{_WIDE}]|[{_WIDE}]|[^\s{_WIDE}]+)[{_CLOSE}]*|\s+")


def cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cut(text: str, width: int) -> str:
    """text in at most `width` terminal cells, ending in … where it was longer."""
    if cells(text) <= width:
        return text
    out, used = [], 1  # the … takes one cell
    for c in text:
        used += cells(c)
        if used > width:
            break
        out.append(c)
    return "".join(out) + "…"


def pad(text: str, width: int) -> str:
    """text followed by spaces up to `width` terminal cells: f"{name:<22}" counts 储值卡 as 3, not 6."""
    return text + " " * max(0, width - cells(text))


def fill(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """One paragraph filled to `width` cells, breaking at spaces and between wide characters."""
    lines: list[str] = []
    line, used, space = initial_indent, cells(initial_indent), False
    started = False
    for token in _token().findall(text):
        if token.isspace():
            space = started
            continue
        need = cells(token) + (1 if space else 0)
        if started and used + need > width:
            lines.append(line.rstrip())
            line, used = subsequent_indent + token, cells(subsequent_indent) + cells(token)
        else:
            line += (" " if space else "") + token
            used += need
        started, space = True, False
    lines.append(line.rstrip())
    return "\n".join(lines)


def fill_paragraphs(text: str, width: int, indent: str = "") -> str:
    """Paragraphs (split at blank lines) each filled to `width`. Indented lines are examples or file
    snippets and are printed as written: a paragraph of them, or the ones under a line such as
    "Example:" (click would have run them together into one line)."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.expandtabs().strip("\n")):
        lines = [line for line in block.splitlines() if line.strip() != "\b"]
        if not lines:
            continue
        head = 0
        while head < len(lines) and not lines[head].startswith(" "):
            head += 1
        parts = [fill(_join(lines[:head]), width, indent, indent)] if head else []
        parts += [indent + line.rstrip() for line in lines[head:]]
        out.append("\n".join(parts))
    return "\n\n".join(out)


def _join(lines: list[str]) -> str:
    """Lines of one paragraph as one: English lines meet at a space, Chinese ones directly."""
    text = ""
    for line in (line.strip() for line in lines):
        wide = text and (cells(text[-1]) == 2 or cells(line[:1]) == 2)
        text += line if not text or wide else " " + line
    return text
