"""Named queries from aesthetic_cli/sql/*.sql (aiosql style: `-- name: x` starts each query)."""

from __future__ import annotations

import re
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
