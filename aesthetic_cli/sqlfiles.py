"""Named queries from aesthetic_cli/sql/*.sql (aiosql style: `-- name: x` starts each query)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import NewType

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
    named = {parts[i]: _TRAILING_COMMENTS.sub("", parts[i + 1]).strip() for i in range(1, len(parts), 2)}

    # {include:x} puts the file's query x in place (a shared CTE or filter), so it is written once.
    def expand(text: str) -> str:
        return _INCLUDE.sub(lambda m: expand(named[m.group(1)]), text)

    return {k: expand(v) for k, v in named.items()}


# Comment lines after a query's last line introduce the next query: they are not part of this one, which
# matters for a fragment (per_column) put inside a line, where a comment would swallow the rest.
_INCLUDE = re.compile(r"\{include:([\w.-]+)\}")
_TRAILING_COMMENTS = re.compile(r"(\n\s*--[^\n]*)+\s*$")


def query(stem: str, name: str | None = None) -> str:
    qs = queries(stem)
    return qs[name or stem]


def script(stem: str) -> str:
    return _file(stem)


# A set of allowed names, or a pattern every allowed name matches whole (temp tables numbered per sheet).
Allowed = Collection[str] | re.Pattern[str]

# SQL text generated from a named fragment and whitelisted identifiers (per_column), or from code
# constants (importer/setwise.py): the only text with_fragments puts into a query.
Fragment = NewType("Fragment", str)


def _check(name: str, value: str, allowed: Allowed) -> None:
    ok = allowed.fullmatch(value) is not None if isinstance(allowed, re.Pattern) else value in allowed
    if not ok:
        raise ValueError(f"{value!r} is not an allowed identifier for {{{name}}}")


def with_identifiers(sql: str, **choices: tuple[str | Sequence[str], Allowed]) -> str:
    """Put identifiers (a grouping column, a table name) into SQL where a bound parameter cannot go.
    Each comes with the set it must belong to, so nothing from a user or a file reaches SQL text:
    with_identifiers(sql, g=("g_channel", GROUP_COLUMNS)). A list of names becomes a column list
    (a, b, c), each name checked. Values are always bound, never put here."""
    for name, (value, allowed) in choices.items():
        names = [value] if isinstance(value, str) else list(value)
        for v in names:
            _check(name, v, allowed)
        sql = sql.replace("{" + name + "}", ", ".join(names))
    return sql


def per_column(fragment: str, columns: Sequence[str], allowed: Allowed, sep: str = ", ") -> Fragment:
    """A named fragment with {c} (`coalesce(i.{c}, t.{c}) AS {c}`) once per column, joined by sep; each
    column checked against allowed, as with_identifiers does."""
    return Fragment(sep.join(with_identifiers(fragment, c=(c, allowed)) for c in columns))


def with_fragments(sql: str, **parts: Fragment) -> str:
    """Put generated SQL (per_column's, or setwise's from code constants) where the query says {name}."""
    for name, text in parts.items():
        sql = sql.replace("{" + name + "}", text)
    return sql


def statements(sql: str) -> list[str]:
    """The statements of a query that holds several (each ends with ';' at a line's end), comments-only
    pieces left out."""
    return [s.strip() for s in sql.split(";\n") if s.strip() and not _only_comments(s)]


def _only_comments(sql: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in sql.splitlines())


def execute_all(con, sql: str, params: Mapping[str, object] | None = None) -> None:
    """Each statement of sql in turn, bound to the parameters it names: DuckDB refuses a named parameter a
    statement does not use, and the statements of one query use different ones."""
    for stmt in statements(sql):
        used = {k: v for k, v in (params or {}).items() if re.search(rf"\${k}\b", stmt)}
        con.execute(stmt, used) if used else con.execute(stmt)
