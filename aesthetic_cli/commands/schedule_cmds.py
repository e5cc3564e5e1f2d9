"""aesops schedule print | install: cron lines for the daily, weekly and monthly reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aesthetic_cli.commands._common import err, open_workspace
from aesthetic_cli.commands._options import Db

schedule_app = typer.Typer(help="定时报表 · Cron lines that send the reports every day, week and month.",
                           no_args_is_help=True)
Out = Annotated[Optional[Path], typer.Option("--out", help="Where reports go (default: reports/ in the workspace).", show_default=False)]


def _block(db, out):
    from aesthetic_cli import schedule

    ws = open_workspace(db)
    root = (ws.root or ws.db_path.parent).resolve()
    out = (out or root / "reports").resolve()
    return root, schedule.block(root, ws.db_path.resolve(), out)


@schedule_app.command("print")
def print_(out: Out = None, db: Db = None) -> None:
    """Print the crontab lines (daily 08:00, weekly Monday 08:30, monthly on the 1st 09:00).

    Example:
        aesops schedule print >> my_crontab
    """
    _root, text = _block(db, out)
    typer.echo(text, nl=False)


@schedule_app.command("install")
def install(out: Out = None, db: Db = None) -> None:
    """Add the lines to your crontab, replacing this workspace's earlier lines: running it twice
    changes nothing, and other crontab entries are kept.

    Example:
        aesops schedule install --out /srv/reports
    """
    from aesthetic_cli import schedule

    root, text = _block(db, out)
    schedule.install(text, root)
    err.print(f"Installed the report schedule for {root} (crontab -l shows it).")


def register(app: typer.Typer) -> None:
    app.add_typer(schedule_app, name="schedule")
