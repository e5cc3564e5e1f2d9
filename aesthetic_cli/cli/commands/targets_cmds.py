"""aesops targets split | track: from the owner's yearly number to daily numbers, then every day's progress."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from aesthetic_cli.cli.analyse import analyse
from aesthetic_cli.cli.output import say
from aesthetic_cli.cli.options import Db, FormatOpt, Lang, LangOpt, Month, OutFile

targets_app = typer.Typer(
    help="Targets (目标分解与追踪): split a yearly target into months, teams and levers; track it daily.",
    no_args_is_help=True,
)


@targets_app.command("split")
def split(
    year: Annotated[int, typer.Option("--year", help="The target year; last year's data shapes the split.")],
    total: Annotated[
        Optional[float], typer.Option("--total", help="The yearly sales target in yuan.", show_default=False)
    ] = None,
    growth: Annotated[
        Optional[float],
        typer.Option("--growth", help="Or growth over last year's sales, e.g. 0.15.", show_default=False),
    ] = None,
    new_share: Annotated[
        Optional[float],
        typer.Option(
            "--new-share",
            help="Share of new-customer sales (default: last year's, month by month).",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        str, typer.Option("--by", help="Split further by any of clinic, department, consultant.")
    ] = "clinic,department,consultant",
    solve: Annotated[
        Optional[str],
        typer.Option(
            "--solve", help="visitors, close_rate, ticket or frequency: how far it alone must move.", show_default=False
        ),
    ] = None,
    days: Annotated[bool, typer.Option("--days", help="Also list the daily targets.")] = False,
    save: Annotated[
        bool,
        typer.Option("--save", help="Store the plan in the warehouse for `targets track` (replaces this year's plan)."),
    ] = False,
    db: Db = None,
    fmt: FormatOpt = None,
    out: OutFile = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Turn a yearly number into months (last year's seasonality), new/old customers, clinics,
    departments, consultants, weeks and days (last year's weekday pattern), and into the four
    levers: 业绩 = 来院人数 × 成交率 × 客单价 × 来院频率. Every split adds up exactly, in whole yuan.

    Example:
        aesops targets split --year 2027 --growth 0.15 --solve ticket --save
    """
    dims = tuple(d.strip() for d in by.split(",") if d.strip())
    total_int = round(total) if total is not None else None
    result = analyse(
        "targets split",
        db,
        period=year,
        fmt=fmt,
        out=out,
        lang=lang,
        read_only=not save,
        total=total_int,
        growth=growth,
        new_share=new_share,
        by=dims,
        solve=solve,
        days=days,
        save=save,
    )
    if save:
        replaced = result.meta.get("replaced_plan")
        say(
            "plan_replaced" if replaced else "plan_saved",
            markup=False,
            year=year,
            total=f"{result.meta.get('total', 0):,}",
        )


@targets_app.command("track")
def track(
    month: Month = None,
    week: Annotated[
        Optional[str], typer.Option("--week", help="ISO week: 2026-W43, 2026年第43周 or 第43周.", show_default=False)
    ] = None,
    date: Annotated[
        Optional[str], typer.Option("--date", help="Month to date as of this day (YYYY-MM-DD).", show_default=False)
    ] = None,
    db: Db = None,
    fmt: FormatOpt = None,
    out: OutFile = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Actual against the saved plan: target to date, achievement, share of the period gone, the
    run-rate projection (weighted by the plan's day pattern), the amount still needed per
    remaining day, per clinic, department and consultant, and the lever furthest behind.

    Example:
        aesops targets track --month 2026-10
        aesops targets track --date 2026-10-15
    """
    from aesthetic_cli.metrics.base import prepare
    from aesthetic_cli.metrics.periods import month as month_of
    from aesthetic_cli.metrics.periods import parse_date, resolve

    asof = parse_date(date, "--date") if date else None

    def period_of(con):
        if asof:
            return month_of(asof.replace(day=1))
        return resolve(month_=month, week_=week, default_end=prepare(con).last_day)

    analyse("targets track", db, period_of=period_of, fmt=fmt, out=out, lang=lang, asof=asof)


def register(app: typer.Typer) -> None:
    app.add_typer(targets_app, name="targets")
