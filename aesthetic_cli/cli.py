"""The `aesops` command. Modules behind each command are imported when it runs, so that
`aesops --help` and shell completion stay fast (no polars, duckdb, openpyxl or jinja2)."""

from __future__ import annotations

import sys

import typer
from typer.core import TyperGroup

from aesthetic_cli import __version__
from aesthetic_cli.errors import AesopsError
from aesthetic_cli.messages import lang_from_env, localize, t


class _Group(TyperGroup):
    """The one place where a user-caused error becomes a paragraph on stderr and an exit code."""

    def parse_args(self, ctx, args):
        ctx.meta["aesops_argv"] = list(args)  # for the error's language: --lang may sit after the subcommand
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            value = super().invoke(ctx)
            sys.stdout.flush()  # a closed pipe shows here, where it can be handled, not at exit
            return value
        except BrokenPipeError:
            _quiet_on_closed_pipe()
            raise typer.Exit(0) from None
        except AesopsError as exc:
            lang = _lang(ctx)
            typer.echo(t("error", lang) + localize(exc.message, lang), err=True)
            if exc.hint:
                typer.echo(localize(exc.hint, lang), err=True)
            raise typer.Exit(int(exc.exit_code)) from None
        except OSError as exc:
            # Files and folders the user named: a folder where a file is expected, no permission, a full disk.
            lang = _lang(ctx)
            where = f" {exc.filename}" if exc.filename else ""
            typer.echo(t("error", lang) + t("os_error", lang, where=where, reason=exc.strerror or exc), err=True)
            typer.echo(t("os_hint", lang), err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            typer.echo(t("interrupted", _lang(ctx)), err=True)
            raise typer.Exit(130) from None


def _lang(ctx) -> str:
    """--lang as the command line gave it (the command's own parsing may not have run), else the locale."""
    args = ctx.meta.get("aesops_argv", [])
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args) and args[i + 1] in ("zh", "en"):
            return args[i + 1]
        if a in ("--lang=zh", "--lang=en"):
            return a.split("=")[1]
    return lang_from_env()


def _quiet_on_closed_pipe():
    """`aesops funnel | head` closed our stdout: that is the reader saying enough, not an error.
    Point stdout at /dev/null so the interpreter's final flush is silent too, and exit 0."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


app = typer.Typer(
    cls=_Group,
    name="aesops",
    help="医美机构运营分析 · Analytics for medical-aesthetics clinic operations.\n\n"
    "Import CRM/POS exports into a DuckDB warehouse, then ask: which channels pay back, "
    "which consultants close, do customers come back, will the month hit target.\n\n"
    "Start with `aesops demo`, or `aesops init` then `aesops import FILE...`.",
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
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
    no_pager: bool = typer.Option(False, "--no-pager", help="不分页 · Print long tables straight to the terminal "
                                  "(default: a pager, $AESOPS_PAGER or less -FRX, when output is longer than the screen)."),
) -> None:
    if no_pager:
        from aesthetic_cli.commands import _render

        _render.PAGER_ENABLED = False


def _register() -> None:
    from aesthetic_cli.commands import (
        analysis,
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

    for module in (workspace_cmds, ingest, analysis, customers_cmds, targets_cmds, report_cmds, schedule_cmds, sample,
                   demo, send_cmds, intake_cmds, lake_cmds):  # lake_cmds last: it adds --as-of to the others
        module.register(app)
    from aesthetic_cli.commands import batches_cmds; batches_cmds.register(app)  # noqa: E702 (issue 13)


_register()


def main() -> None:
    try:
        app(prog_name="aesops")
    except BrokenPipeError:
        _quiet_on_closed_pipe()
        sys.exit(0)


if __name__ == "__main__":  # pragma: no cover
    main()
    sys.exit(0)
