"""The one place where an error a user or a file can cause becomes a paragraph on stderr and an exit code.

The core raises `AesopsError` (with a bilingual message naming file, row, column); nothing below the
command layer prints or exits."""

from __future__ import annotations

import re
import sys

import typer
from typer.core import TyperGroup

from aesthetic_cli.errors import AesopsError
from aesthetic_cli.present.messages import lang_from_env, localize, t


# click's exception classes as typer bundles them (typer re-exports only BadParameter, one of their children).
_CLICK = {c.__name__: c for c in typer.BadParameter.__mro__}

# The language of this run's messages: --lang when the command line gives it, else the locale.
_lang_of_run: str | None = None


class TranslatingGroup(TyperGroup):
    """Runs a command and translates what it raises into a message and an exit code."""

    help_lang: str | None = None  # this run's language (set by main), for the help of commands built later

    def main(self, args=None, *rest, **extra):
        # Before parsing: --help is printed while parsing, so the tree must already speak the reader's language.
        global _lang_of_run
        from aesthetic_cli.cli import help as help_lang

        _lang_of_run = self.help_lang = lang_of_args(list(sys.argv[1:] if args is None else args))
        help_lang.apply(self, _lang_of_run)
        if not extra.get("standalone_mode", True) or rest:
            return super().main(args, *rest, **extra)
        # click prints its own complaints (no such option, missing argument) in English: run it
        # non-standalone to say them in the reader's language, and exit as click would.
        try:
            code = super().main(args, **{**extra, "standalone_mode": False})
        except _CLICK["UsageError"] as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # `aesops` alone: the help, already in the reader's language
                exc.show()
            else:
                show_usage_error(exc, _lang_of_run)
            sys.exit(exc.exit_code)
        except _CLICK["ClickException"] as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo(t("interrupted", _lang_of_run), err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def parse_args(self, ctx, args):
        ctx.meta["aesops_argv"] = list(args)  # for the error's language: --lang may sit after the subcommand
        # `aesops funnel --no-pager` is how people type it; the option belongs to the root, so take it from anywhere.
        end = args.index("--") if "--" in args else len(args)
        if "--no-pager" in args[:end]:
            from aesthetic_cli.cli import output

            output.PAGER_ENABLED = False
            args = [a for i, a in enumerate(args) if not (a == "--no-pager" and i < end)]
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            value = super().invoke(ctx)
            sys.stdout.flush()  # a closed pipe shows here, where it can be handled, not at exit
            return value
        except BrokenPipeError:
            quiet_on_closed_pipe()
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
        except Exception as exc:
            said = environment_failure(exc)
            if said is None:
                raise
            key, code = said
            lang = _lang(ctx)
            if key == "interrupted":
                typer.echo(t("interrupted", lang), err=True)
            else:
                typer.echo(t("error", lang) + t(key, lang, detail=_short(exc)), err=True)
                typer.echo(t(key + "_hint", lang), err=True)
            raise typer.Exit(code) from None


def environment_failure(exc: BaseException) -> tuple[str, int] | None:
    """(message key, exit code) for what the machine, not aesops or a file, made fail, as DuckDB and xlsxwriter
    word it: Ctrl-C inside a query, a full disk, a folder aesops may not write in, a damaged warehouse. None for
    anything else: a bug keeps its traceback."""
    said = str(exc).lower()
    from_duckdb = type(exc).__module__.split(".")[0] in ("duckdb", "_duckdb")
    # DuckDB turns Ctrl-C inside a query into an InterruptException, or a RuntimeError "Query interrupted" raised
    # while the KeyboardInterrupt is handled; a message that merely mentions an interrupt is no Ctrl-C.
    if isinstance(exc.__context__, KeyboardInterrupt) or type(exc).__name__ == "InterruptException":
        return "interrupted", 130
    if isinstance(exc, RuntimeError) and said.strip().rstrip(".!") == "query interrupted":
        return "interrupted", 130
    if not (from_duckdb or type(exc).__name__ == "FileCreateError"):
        return None
    if "no space left on device" in said or "disk is full" in said:
        return "disk_full", 2
    if "permission denied" in said:
        return "permission_denied", 2
    # DuckDB's words for a file whose blocks fail their checksums, not a path that happens to say "corrupt".
    if from_duckdb and ("corrupt database file" in said or re.search(r"checksum \d+ does not match", said)):
        return "warehouse_damaged", 2
    return None


def _short(exc: BaseException, limit: int = 200) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lang(ctx) -> str:
    """--lang as the command line gave it (the command's own parsing may not have run), else the locale."""
    return lang_of_args(ctx.meta.get("aesops_argv", []))


def message_lang() -> str:
    """The language to talk to the reader in during this run (the command's --lang, else the locale)."""
    return _lang_of_run or lang_from_env()


def explicit_lang(args: list[str]) -> str | None:
    """The language a command line names with --lang, wherever it sits; None when it names none."""
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args) and args[i + 1] in ("zh", "en"):
            return args[i + 1]
        if a in ("--lang=zh", "--lang=en"):
            return a.split("=")[1]
    return None


def lang_of_args(args: list[str]) -> str:
    return explicit_lang(args) or lang_from_env()


def show_usage_error(exc, lang: str) -> None:
    """click's usage error, as click prints it (usage, how to get help, the error), in `lang`."""
    if exc.ctx is not None:
        typer.echo(exc.ctx.get_usage(), err=True)
        typer.echo(t("usage_try", lang, command=exc.ctx.command_path) + "\n", err=True)
    typer.echo(t("error", lang) + _usage_message(exc.format_message(), lang), err=True)


def _usage_message(message: str, lang: str) -> str:
    """click's message in `lang`; its composite ones (a reason inside, suggestions after) part by part."""
    head, sep, rest = message.partition(": ")
    if head.startswith("Invalid value for ") and sep:
        reason = _as_before(rest.removeprefix("Value error, "))
        return t(
            "invalid_value_for",
            lang,
            name=head.removeprefix("Invalid value for "),
            reason=localize(reason, lang) or reason,
        )
    base, sep, options = message.partition(" (Possible options: ")
    if sep:
        return t("possible_options", lang, message=localize(base, lang) or base, options=options.rstrip(")"))
    base, sep, suggestions = message.partition(". Did you mean ")
    if sep:
        return t("did_you_mean", lang, message=localize(base + ".", lang) or base, suggestions=suggestions.rstrip("?"))
    return localize(message, lang) or message


def _as_before(reason: str) -> str:
    """click's reason for a bad number in the words aesops has always printed (those of Typer 0.29's pydantic
    checks, which pyproject now keeps out for start-up time): the message catalog translates these."""
    import re

    if m := re.fullmatch(r"'.*' is not a valid (int|int range|float|float range)\.", reason, re.S):
        whole = m[1].startswith("int")
        return (
            "Input should be a valid integer, unable to parse string as an integer"
            if whole
            else "Input should be a valid number, unable to parse string as a number"
        )
    m = re.fullmatch(r"(\S+) is not in the range (?:(\S+)<=)?x(?:>=(\S+))?(?:<=(\S+))?\.", reason)
    if m is None:
        return reason
    value, low, high = m[1], m[2] or m[3], m[4]
    if low is not None and (high is None or float(value) < float(low)):
        return t("at_least", "en", n=low)
    return t("at_most", "en", n=high)


def quiet_on_closed_pipe():
    """`aesops funnel | head` closed our stdout: that is the reader saying enough, not an error.
    Point stdout at /dev/null so the interpreter's final flush is silent too, and exit 0."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
