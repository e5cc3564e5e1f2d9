"""Named queries from aesthetic_cli/sql/*.sql (aiosql style: `-- name: x` starts each query)."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache
from importlib import resources

_NAME = re.compile(r"^--\s*name:\s*([\w.-]+)\s*$", re.MULTILINE)


@cache
def _file(stem: str) -> str:
    return resources.files("aesthetic_cli").joinpath("sql", f"{stem}.sql").read_text(encoding="utf-8")


@cache
def queries(stem: str) -> dict[str, str]:
    text = _file(stem)
    parts = _NAME.split(text)
    if len(parts) == 1:
        return {stem: text}
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}


def query(stem: str, name: str | None = None) -> str:
    qs = queries(stem)
    return qs[name or stem]


def script(stem: str) -> str:
    return _file(stem)


def with_identifiers(sql: str, **choices: tuple[str, Collection[str]]) -> str:
    """Put identifiers (a grouping column, a table name) into SQL where a bound parameter cannot go.
    Each comes with the set it must belong to, so nothing from a user or a file reaches SQL text:
    with_identifiers(sql, g=("g_channel", GROUP_COLUMNS)). Values are always bound, never put here."""
    for name, (value, allowed) in choices.items():
        if value not in allowed:
            raise ValueError(f"{value!r} is not an allowed identifier for {{{name}}}")
        sql = sql.replace("{" + name + "}", value)
    return sql
