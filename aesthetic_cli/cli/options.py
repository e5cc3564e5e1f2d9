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
    xlsx = "xlsx"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


Db = Annotated[
    Path | None,
    typer.Option(
        "--db", help="Warehouse file. Default: $AESOPS_DB, else the workspace's (aesops.toml).", show_default=False
    ),
]
Clinic = Annotated[
    str | None, typer.Option("--clinic", help="Only this clinic (门店). Default: all clinics.", show_default=False)
]
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="table (the default, also in a pipe), csv (UTF-8 with BOM, for Excel), json, or "
        "xlsx (with --out FILE). Scripts say --format json or csv.",
        show_default=False,
    ),
]
OutFile = Annotated[
    Path | None, typer.Option("--out", help="With --format xlsx: the workbook to write.", show_default=False)
]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language: zh (中文) or en (English).")]


def pick_format(fmt: Format | None) -> str:
    """The format the user chose, else a table, piped or not: `| less` and `| head` show what the
    terminal showed; scripts ask for --format json or csv."""
    return fmt.value if fmt is not None else "table"


Month = Annotated[
    str | None,
    typer.Option(
        "--month",
        help="A calendar month: 2026-10, 2026/10, 2026年10月; or 10月, 本月, 上月 counted from the "
        "data's last day (not today). Default: the last month with data.",
        show_default=False,
    ),
]
FromDate = Annotated[
    str | None, typer.Option("--from", help="Period start YYYY-MM-DD (with --to).", show_default=False)
]
ToDate = Annotated[str | None, typer.Option("--to", help="Period end YYYY-MM-DD, inclusive.", show_default=False)]
Year = Annotated[int | None, typer.Option("--year", help="A whole calendar year.", show_default=False)]
ShowPii = Annotated[bool, typer.Option("--show-pii", help="Show full phone numbers and names (masked by default).")]
