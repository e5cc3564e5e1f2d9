"""The `aesops` command. Modules behind each command are imported when it runs, so that
`aesops --help` and shell completion stay fast (no polars, duckdb, openpyxl or jinja2)."""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Iterator
from typing import Any

import typer
from typer.core import TyperGroup

from aesthetic_cli.no_pandas import keep_pandas_out

from aesthetic_cli import __version__
from aesthetic_cli.cli import help as help_lang
from aesthetic_cli.cli.errors import TranslatingGroup, quiet_on_closed_pipe
from aesthetic_cli.cli.options import Lang

# Every top-level command and the module of cli/commands that defines it, in the order `aesops --help` lists
# them (Typer's order: commands, then groups). Only the command being run is imported and built (Click's
# lazy group): importing every command's module and building all ~35 commands' options from their
# signatures cost each run ~0.02-0.05 CPU s (bench/README.md, 2026-11-24 late morning). `aesops --help`,
# completion and a mistyped command still see them all.
COMMANDS = {
    "init": "workspace_cmds",
    "status": "workspace_cmds",
    "import": "ingest",
    "funnel": "analysis",
    "channels": "analysis",
    "consultants": "analysis",
    "cohorts": "analysis",
    "items": "analysis",
    "demo": "demo",
    "send": "send_cmds",
    "intake": "intake_cmds",
    "customers": "customers_cmds",
    "targets": "targets_cmds",
    "report": "report_cmds",
    "schedule": "schedule_cmds",
    "sample": "sample",
    "lake": "lake_cmds",
    "batches": "batches_cmds",
}
# `batches` was registered after `lake` gave the reading commands --as-of, so none of its commands has it.
_WITHOUT_AS_OF = {"batches_cmds"}


@functools.cache
def _registered(module_name: str) -> typer.Typer:
    """One module's commands on a Typer of their own, with --as-of where it applies. Once per process:
    --as-of wraps the callbacks (and those of a module's sub-app, customers_app, ...) in place."""
    from aesthetic_cli.cli.commands import lake_cmds

    module = importlib.import_module(f"aesthetic_cli.cli.commands.{module_name}")
    holder = typer.Typer()
    module.register(holder)
    if module_name not in _WITHOUT_AS_OF:
        lake_cmds.add_as_of(holder)
    return holder


def build(name: str) -> Any:
    """One top-level command (a group with all its subcommands) as Typer builds it for the whole app."""
    holder = _registered(COMMANDS[name])
    settings: dict[str, Any] = {
        "pretty_exceptions_short": app.pretty_exceptions_short,
        "rich_markup_mode": app.rich_markup_mode,
    }
    for info in holder.registered_commands:
        if info.name == name:
            return typer.main.get_command_from_info(info, **settings)
    group = next(info for info in holder.registered_groups if info.name == name)
    return typer.main.get_group_from_info(group, suggest_commands=app.suggest_commands, **settings)


class AesopsGroup(TranslatingGroup):
    """The root command, whose subcommands are built when asked for by name (COMMANDS)."""

    def list_commands(self, ctx) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx, cmd_name: str) -> Any:
        if cmd_name not in self.commands:
            if cmd_name not in COMMANDS:
                # A mistyped command: build them all, so that Typer's "Did you mean" has every name to offer.
                for name in COMMANDS:
                    self.get_command(ctx, name)
                return None
            command = self.commands[cmd_name] = build(cmd_name)
            if self.help_lang is not None:  # the run's language, once main() has read it
                help_lang.apply(command, self.help_lang, (cmd_name,))
        return self.commands[cmd_name]


def tree() -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command of the app, all built: its words after `aesops` and its click command, in --help's order
    (for docs/cli.md and the tests that go through every command)."""

    def walk(command, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
        yield path, command
        if isinstance(command, TyperGroup):
            ctx = typer.Context(command)
            for name in command.list_commands(ctx):
                yield from walk(command.get_command(ctx, name), (*path, name))

    yield from walk(typer.main.get_command(app), ())


app = typer.Typer(
    cls=AesopsGroup,
    name="aesops",
    help="Analytics for medical-aesthetics clinic (医美机构) operations.\n\n"
    "Import CRM/POS exports into a DuckDB warehouse, then ask: which channels pay back, "
    "which consultants close, do customers come back, will the month hit target.\n\n"
    "Start with `aesops demo`, or `aesops init` then `aesops import FILE...`. Every command has --help.\n\n"
    "Chinese is the default language; --lang en gives English (an English LANG, the help and messages).",
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
            "Language of the help, messages and tables: zh (中文) or en (English). Default: Chinese (the help and "
            "messages follow an English LANG)."
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


def main() -> None:
    try:
        app(prog_name="aesops")
    except BrokenPipeError:
        quiet_on_closed_pipe()
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
    sys.exit(0)
