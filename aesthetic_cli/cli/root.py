"""The `aesops` command. Modules behind each command are imported when it runs, so that
`aesops --help` and shell completion stay fast (no polars, duckdb, openpyxl or jinja2)."""

from __future__ import annotations

import sys

import typer

from aesthetic_cli.no_pandas import keep_pandas_out

from aesthetic_cli import __version__
from aesthetic_cli.cli.errors import TranslatingGroup, quiet_on_closed_pipe
from aesthetic_cli.cli.options import Lang

app = typer.Typer(
    cls=TranslatingGroup,
    name="aesops",
    help="Analytics for medical-aesthetics clinic (医美机构) operations.\n\n"
    "Import CRM/POS exports into a DuckDB warehouse, then ask: which channels pay back, "
    "which consultants close, do customers come back, will the month hit target.\n\n"
    "Start with `aesops demo`, or `aesops init` then `aesops import FILE...`. Every command has --help.\n\n"
    "Chinese is the default language; --lang en or an English LANG gives English.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,  # aesops --install-completion (bash, zsh, fish, PowerShell)
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aesops {__version__}")
        raise typer.Exit()


@app.callback()
def _root(  # --lang is read from the command line before parsing (cli/errors.py), for --help too
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
    lang: Lang | None = typer.Option(
        None,
        "--lang",
        show_default=False,
        help=(
            "Language of the help and messages: zh (中文) or en (English). Default: the locale (LANG), else Chinese."
        ),
    ),
    no_pager: bool = typer.Option(
        False,
        "--no-pager",
        help="Print long tables straight to the terminal "
        "(default: a pager, $AESOPS_PAGER or less -FRX, when output is longer than the screen).",
    ),
) -> None:
    keep_pandas_out()
    if no_pager:
        from aesthetic_cli.cli import output

        output.PAGER_ENABLED = False


def _register() -> None:
    from aesthetic_cli.cli.commands import (
        analysis,
        batches_cmds,
        customers_cmds,
        demo,
        ingest,
        intake_cmds,
        lake_cmds,
        report_cmds,
        sample,
        schedule_cmds,
        send_cmds,
        targets_cmds,
        workspace_cmds,
    )

    for module in (
        workspace_cmds,
        ingest,
        analysis,
        customers_cmds,
        targets_cmds,
        report_cmds,
        schedule_cmds,
        sample,
        demo,
        send_cmds,
        intake_cmds,
        lake_cmds,
        batches_cmds,
    ):
        module.register(app)  # lake_cmds adds --as-of to the analyses registered before it


_register()


def main() -> None:
    try:
        app(prog_name="aesops")
    except BrokenPipeError:
        quiet_on_closed_pipe()
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
    sys.exit(0)
