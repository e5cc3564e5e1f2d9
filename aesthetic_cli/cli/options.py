"""Options shared by many commands, spelled once so every command says --db, --month, --format alike."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from aesthetic_cli.errors import UsageError


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
    Path | None,
    typer.Option(
        "--out",
        help="Write to this file instead of the screen: 渠道.xlsx, 渠道.csv or 渠道.json (the extension picks "
        "the format unless --format is given).",
        show_default=False,
    ),
]


def _root_lang(ctx: typer.Context, param: typer.CallbackParam, value: Lang) -> Lang:
    """A command's --lang when it is given; else the one before the command (`aesops --lang en funnel`, which
    set the messages' language but left the tables Chinese: trial 8's G9); else Chinese. The locale sets the
    messages only: a server's English LANG does not turn a clinic's tables and reports English."""
    # By name: Typer carries its own copy of click, whose ParameterSource is not click's.
    source = ctx.get_parameter_source(param.name) if param.name else None
    if getattr(source, "name", None) != "DEFAULT":
        return value
    from aesthetic_cli.cli.errors import explicit_lang

    given = explicit_lang(ctx.meta.get("aesops_argv", []))
    return Lang(given) if given else value


LangOpt = Annotated[Lang, typer.Option("--lang", help="Language: zh (中文) or en (English).", callback=_root_lang)]


# What `--out FILE` writes when --format is not given.
_BY_SUFFIX = {".xlsx": "xlsx", ".csv": "csv", ".json": "json"}


def pick_format(fmt: Format | None, out: Path | None = None) -> str:
    """The format the user chose; else, with --out, the one the file's extension names (a director types
    `--out 渠道.xlsx` and expects a workbook); else a table, piped or not: `| less` and `| head` show what the
    terminal showed; scripts ask for --format json or csv. --out with no file format is refused, never
    ignored: a file the user asked for and did not get is found out too late."""
    chosen = fmt.value if fmt is not None else None
    if chosen is None and out is not None:
        chosen = _BY_SUFFIX.get(out.suffix.lower())
        if chosen is None:
            raise UsageError(f"--out {out}: the extension does not say which format to write.", hint=_OUT_HINT)
    if out is not None and chosen == "table":
        raise UsageError(f"--out {out}: a table on the screen is not written to a file.", hint=_OUT_HINT)
    return chosen or "table"


_OUT_HINT = "Name the file .xlsx, .csv or .json, or add --format xlsx, csv or json."


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
