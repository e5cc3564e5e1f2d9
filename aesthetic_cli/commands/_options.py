"""Options shared by many commands, spelled once so every command says --db, --month, --format alike."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


Db = Annotated[Path | None, typer.Option("--db", help="Warehouse file. Default: $AESOPS_DB, else the workspace's (aesops.toml).", show_default=False)]
Clinic = Annotated[str | None, typer.Option("--clinic", help="Only this clinic (门店). Default: all clinics.", show_default=False)]
FormatOpt = Annotated[Format | None, typer.Option("--format", "-f", help="table, csv or json. Default: table on a terminal, json when piped.", show_default=False)]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Labels: zh 中文 or en English.")]


def pick_format(fmt: Format | None) -> str:
    import sys

    if fmt is not None:
        return fmt.value
    return "table" if sys.stdout.isatty() else "json"
Month = Annotated[str | None, typer.Option("--month", help="Calendar month YYYY-MM (default: the last month with data).", show_default=False)]
FromDate = Annotated[str | None, typer.Option("--from", help="Period start YYYY-MM-DD (with --to).", show_default=False)]
ToDate = Annotated[str | None, typer.Option("--to", help="Period end YYYY-MM-DD, inclusive.", show_default=False)]
Year = Annotated[int | None, typer.Option("--year", help="A whole calendar year.", show_default=False)]
ShowPii = Annotated[bool, typer.Option("--show-pii", help="Show full phone numbers and names (masked by default).")]
