"""aesops report monthly | weekly | daily: Excel and HTML reports, quiet and safe under cron."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aesthetic_cli.cli.analyse import open_workspace
from aesthetic_cli.cli.output import say
from aesthetic_cli.cli.options import Clinic, Db, Lang, LangOpt, ShowPii

EXIT_CODES = """Exit codes: 0 written (and sent); 1 a data problem (nothing to report); 2 a usage problem (bad
option, no workspace, bad [delivery] settings); 3 another report on this workspace held the lock past
--wait (nothing written); 4 written, but sending failed after retries (the files are kept)."""

report_app = typer.Typer(
    help="Reports (经营报表): monthly, weekly and daily reports as Excel and HTML, ready for cron.\n\n" + EXIT_CODES,
    no_args_is_help=True,
)
Formats = Annotated[
    str,
    typer.Option(
        "--format", "-f", help="xlsx, html and/or pdf (printed from the HTML by Chromium), comma-separated: xlsx,html."
    ),
]
Out = Annotated[Path, typer.Option("--out", help="Folder for the report files.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="One line on stderr per report written.")]
Wait = Annotated[float, typer.Option("--wait", help="Seconds to wait for another report on this workspace.")]
Send = Annotated[
    bool,
    typer.Option(
        "--send",
        help="After writing, mail the reports and post the summary to the group robots in aesops.toml [delivery].",
    ),
]
PerClinic = Annotated[
    bool,
    typer.Option(
        "--per-clinic", help="Also write one report per clinic (门店); with --send each goes to its [[delivery.route]]."
    ),
]


def _run(kind: str, db, out, fmt, lang, verbose, wait, send=False, per_clinic=False, **options) -> None:
    from aesthetic_cli.reports.run import parse_formats, produce

    formats = parse_formats(fmt)
    ws = open_workspace(db)
    written = produce(
        ws.db_path,
        kind,
        out,
        formats=formats,
        lang=lang.value,
        wait_seconds=wait,
        per_clinic=per_clinic,
        settings=ws.config,
        **options,
    )
    if verbose:
        for w in written:
            for path in w.paths:
                say("wrote", markup=False, path=path)
    if send:
        from aesthetic_cli.cli.commands.send_cmds import send_written

        send_written(ws, written, verbose=verbose)


@report_app.command("monthly")
def monthly(
    month: Annotated[
        Optional[str],
        typer.Option(
            "--month",
            help="A month: 2026-10, 2026/10, 2026年10月, or 10月, 本月, 上月 counted from the data's last day. "
            "Default: the last complete month.",
            show_default=False,
        ),
    ] = None,
    out: Out = Path("reports"),
    fmt: Formats = "xlsx,html",
    clinic: Clinic = None,
    lang: LangOpt = Lang.zh,
    show_pii: ShowPii = False,
    verbose: Verbose = False,
    wait: Wait = 600,
    send: Send = False,
    per_clinic: PerClinic = False,
    db: Db = None,
) -> None:
    """Monthly report (月度经营分析): headline KPIs with 环比/同比 and a 12-month trend, funnel, channel ROI and cut
    list, consultants, cohorts, old customers and cards, items, and targets vs actual, with a
    口径说明 sheet (parameters, files and import batches, coverage, definitions).

    Nothing is printed when all is well (cron mails only errors).

    Example:
        aesops report monthly --month 2026-10 --out ~/reports
        aesops report monthly --per-clinic --send   # the CEO's report, and each store's to its manager
    """
    _run("monthly", db, out, fmt, lang, verbose, wait, send, per_clinic, month_=month, clinic=clinic, show_pii=show_pii)


@report_app.command("weekly")
def weekly(
    week: Annotated[
        Optional[str],
        typer.Option(
            "--week",
            help="ISO week: 2026-W43, 2026年第43周 or 第43周. Default: the last complete week.",
            show_default=False,
        ),
    ] = None,
    out: Out = Path("reports"),
    fmt: Formats = "xlsx,html",
    clinic: Clinic = None,
    lang: LangOpt = Lang.zh,
    show_pii: ShowPii = False,
    verbose: Verbose = False,
    wait: Wait = 600,
    send: Send = False,
    per_clinic: PerClinic = False,
    db: Db = None,
) -> None:
    """Weekly report (周报): the week's KPIs against last week and last year, sales by day, progress against
    target and who is furthest behind, and the week's funnel.

    Example:
        aesops report weekly --week 2026-W43 --format html
    """
    _run("weekly", db, out, fmt, lang, verbose, wait, send, per_clinic, week_=week, clinic=clinic, show_pii=show_pii)


@report_app.command("daily")
def daily(
    date: Annotated[
        Optional[str], typer.Option("--date", help="YYYY-MM-DD (default: the data's last day).", show_default=False)
    ] = None,
    out: Out = Path("reports"),
    fmt: Formats = "xlsx,html",
    clinic: Clinic = None,
    lang: LangOpt = Lang.zh,
    show_pii: ShowPii = False,
    verbose: Verbose = False,
    wait: Wait = 600,
    send: Send = False,
    per_clinic: PerClinic = False,
    db: Db = None,
) -> None:
    """Daily report (日报): the day's numbers against the day before and last year, the month to date by day,
    progress against the month's target and who is furthest behind.

    Example:
        aesops report daily --date 2026-10-15
    """
    _run("daily", db, out, fmt, lang, verbose, wait, send, per_clinic, day=date, clinic=clinic, show_pii=show_pii)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
