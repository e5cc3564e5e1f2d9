"""aesops schedule print | install: cron lines for the daily, weekly and monthly reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aesthetic_cli.cli.analyse import open_workspace
from aesthetic_cli.cli.output import say
from aesthetic_cli.cli.options import Db

schedule_app = typer.Typer(
    help="Scheduled reports (定时报表): cron lines that send the reports every day, week and month.",
    no_args_is_help=True,
)
Out = Annotated[
    Optional[Path],
    typer.Option("--out", help="Where reports go (default: reports/ in the workspace).", show_default=False),
]
Inbox = Annotated[
    Optional[Path],
    typer.Option(
        "--intake",
        help="Folder where exports land, imported before each report (default: inbox/ in the workspace).",
        show_default=False,
    ),
]
NoIntake = Annotated[bool, typer.Option("--no-intake", help="Do not import an intake folder before the reports.")]
PerClinic = Annotated[
    bool, typer.Option("--per-clinic", help="Also write (and send to its route) one report per clinic.")
]


def _block(db, out, inbox=None, no_intake=False, per_clinic=False):
    from aesthetic_cli import schedule
    from aesthetic_cli.delivery import settings

    ws = open_workspace(db)
    root = (ws.root or ws.db_path.parent).resolve()
    out = (out or root / "reports").resolve()
    inbox = None if no_intake else (inbox or root / "inbox").resolve()
    send = not settings.load(ws.settings).empty  # checked now, so a typo shows at install, not at 08:00
    return root, schedule.block(root, ws.db_path.resolve(), out, inbox=inbox, send=send, per_clinic=per_clinic), inbox


@schedule_app.command("print")
def print_(
    out: Out = None, intake: Inbox = None, no_intake: NoIntake = False, per_clinic: PerClinic = False, db: Db = None
) -> None:
    """Print the crontab lines (daily 08:00, weekly Monday 08:30, monthly on the 1st 09:00): each
    imports the intake folder, writes the report and, when aesops.toml has [delivery], sends it.

    Example:
        aesops schedule print >> my_crontab
    """
    _root, text, _inbox = _block(db, out, intake, no_intake, per_clinic)
    typer.echo(text, nl=False)


@schedule_app.command("install")
def install(
    out: Out = None, intake: Inbox = None, no_intake: NoIntake = False, per_clinic: PerClinic = False, db: Db = None
) -> None:
    """Install the whole job in your crontab (intake → report → send, each waiting for the
    workspace lock), replacing this workspace's earlier lines: running it twice changes nothing,
    and other crontab entries are kept. Cron mails only real errors (stderr) to MAILTO.

    Example:
        aesops schedule install --out /srv/reports
    """
    from aesthetic_cli import schedule

    root, text, inbox = _block(db, out, intake, no_intake, per_clinic)
    if inbox is not None:
        inbox.mkdir(parents=True, exist_ok=True)
    schedule.install(text, root)
    from aesthetic_cli.cli.errors import message_lang
    from aesthetic_cli.present.messages import t

    say(
        "schedule_installed",
        markup=False,
        root=root,
        inbox=t("schedule_inbox", message_lang(), inbox=inbox) if inbox else "",
    )


def register(app: typer.Typer) -> None:
    app.add_typer(schedule_app, name="schedule")
