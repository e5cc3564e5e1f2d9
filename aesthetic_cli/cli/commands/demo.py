"""aesops demo: the whole product on the bundled sample data, in one command."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from aesthetic_cli.cli.output import err
from aesthetic_cli.cli.options import Lang, LangOpt


def demo(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for the demo workspace and its outputs (default: a new temporary folder).",
            show_default=False,
        ),
    ] = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Run everything on the bundled sample data: a fresh workspace, the import, every analysis and report.

    Example:
        aesops demo --out demo_output
    """
    from aesthetic_cli.demo_run import run_demo

    out = out or Path(tempfile.mkdtemp(prefix="aesops-demo-"))
    from aesthetic_cli.cli.errors import message_lang

    run_demo(out, lang=lang.value, say=err.print, talk=message_lang())


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
