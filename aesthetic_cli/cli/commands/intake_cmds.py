"""aesops intake DIR: import every new export dropped in a folder; quiet under cron."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from aesthetic_cli.cli.analyse import open_workspace
from aesthetic_cli.cli.output import interactive, say
from aesthetic_cli.cli.options import Clinic, Db


def intake(
    folder: Annotated[Path, typer.Argument(help="The folder where exports land.", show_default=False)],
    clinic: Clinic = None,
    settle: Annotated[
        float,
        typer.Option(
            "--settle", help="Leave files changed in the last N seconds (still being copied) for the next run."
        ),
    ] = 5.0,
    wait: Annotated[
        float, typer.Option("--wait", help="Seconds to wait for a report or another intake on this workspace.")
    ] = 600,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="One line per file on stderr.")] = False,
    db: Db = None,
) -> None:
    """Import every new file in FOLDER, then move it to FOLDER/processed/, or to
    FOLDER/rejected/ with FILE.reason.txt saying why. Silent when all is well (cron mails only
    errors); a rejected file is an error: one line on stderr and exit code 1.

    Example:
        aesops intake ~/exports/inbox && aesops report daily --send
    """
    from aesthetic_cli import intake as core
    from aesthetic_cli.errors import InputFileError
    from aesthetic_cli.reports.safe import workspace_lock
    from aesthetic_cli.warehouse import connect

    ws = open_workspace(db)
    chatty = verbose or interactive()
    with workspace_lock(ws.db_path, wait):
        con = connect(ws.db_path)
        try:
            outcomes = core.run(con, folder, clinic=clinic or ws.default_clinic, settle_seconds=settle)
        finally:
            con.close()
    rejected = [o for o in outcomes if o.status == core.REJECTED]
    if chatty:
        from aesthetic_cli.cli.errors import message_lang
        from aesthetic_cli.importer.explain import dataset_name

        for o in outcomes:
            if o.status == core.PROCESSED:
                r: Any = o.result
                say(
                    "intake_imported",
                    markup=False,
                    name=o.name,
                    dataset=dataset_name(r.dataset, message_lang()),
                    loaded=f"{r.loaded:,}",
                    rejected=f"{r.rejected:,}",
                    where=o.file.parent,
                )
        if not outcomes:
            say("intake_nothing", markup=False, folder=folder)
    if rejected:
        from aesthetic_cli.cli.errors import message_lang
        from aesthetic_cli.present.messages import localize

        for o in rejected:
            say(
                "intake_rejected",
                markup=False,
                name=o.name,
                reason=localize(o.reason.splitlines()[0], message_lang()),
                file=o.file,
            )
        raise InputFileError(
            f"{len(rejected)} of {len(outcomes)} file(s) in {folder} were not imported "
            f"and were moved to {folder / core.REJECTED}.",
            hint="Each has a .reason.txt beside it; fix the file and drop it in again.",
        )


def register(app: typer.Typer) -> None:
    app.command("intake")(intake)
