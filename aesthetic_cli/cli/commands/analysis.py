"""aesops funnel, aesops channels: the monthly questions, answered from the warehouse."""

from __future__ import annotations

from typing import Annotated

import typer

from aesthetic_cli.cli.analyse import analyse
from aesthetic_cli.cli.options import (
    Clinic,
    Db,
    FormatOpt,
    OutFile,
    FromDate,
    Lang,
    LangOpt,
    Month,
    ToDate,
    Year,
)

Week = Annotated[
    str | None,
    typer.Option(
        "--week", help="ISO week: 2026-W43, 2026年第43周, or 第43周 (the data's latest week 43).", show_default=False
    ),
]


def _period(month, from_, to, year, week=None):
    """The period the options name, resolved against the data's coverage once it is open."""
    from aesthetic_cli.metrics.base import prepare
    from aesthetic_cli.metrics.periods import resolve

    return lambda con: resolve(
        month_=month, from_=from_, to=to, year=year, week_=week, default_end=prepare(con).last_day
    )


def funnel(
    month: Month = None,
    from_: FromDate = None,
    to: ToDate = None,
    year: Year = None,
    week: Week = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Split by channel, consultant, department or clinic.", show_default=False)
    ] = None,
    clinic: Clinic = None,
    db: Db = None,
    fmt: FormatOpt = None,
    out: OutFile = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Sales and its levers (业绩 = 来院人数 × 成交率 × 客单价 × 来院频率), new vs old customers,
    环比/同比, the new-customer funnel by channel, lost deals (未成交) and referral share (带新).

    Sales are sale and refund lines by order date (top-ups are not sales); a deal is a
    customer-day with positive net sales; a customer is new in the month of their first
    visit or order.

    Example:
        aesops funnel --month 2026-10 --by consultant
    """
    analyse(
        "funnel", db, period_of=_period(month, from_, to, year, week), clinic=clinic, fmt=fmt, out=out, lang=lang, by=by
    )


def channels(
    month: Month = None,
    from_: FromDate = None,
    to: ToDate = None,
    year: Year = None,
    horizon: Annotated[
        str | None,
        typer.Option(
            "--horizon",
            help="Days after first_seen to follow sales, comma-separated. "
            "Default: aesops.toml [channels] horizons (30,90,180,365).",
            show_default=False,
        ),
    ] = None,
    clinic: Clinic = None,
    db: Db = None,
    fmt: FormatOpt = None,
    out: OutFile = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Which channels pay back: spend, leads, arrivals, buyers and sales of the customers each
    channel brought in the period; cost per lead, per arrival and per buyer (CAC), ROAS, ROI;
    sales within 30/90/180/365 days; and the cut list (砍渠道).

    A horizon that reaches past the end of the data is left empty and marked (未满), never
    shown short. Channels without spend (老带新, 自然到院) get no cost ratios.

    Example:
        aesops channels --month 2025-10 --horizon 30,90,180
    """
    from aesthetic_cli.errors import UsageError

    horizons = None
    if horizon:
        try:
            horizons = tuple(int(h) for h in horizon.split(",") if h.strip())
        except ValueError:
            raise UsageError(f"--horizon '{horizon}' must be whole days separated by commas, e.g. 30,90,180.") from None
        if not horizons or min(horizons) <= 0:
            raise UsageError("--horizon needs at least one positive number of days.")
    analyse(
        "channels",
        db,
        period_of=_period(month, from_, to, year),
        clinic=clinic,
        fmt=fmt,
        out=out,
        lang=lang,
        horizons=horizons,
    )


def consultants(
    month: Month = None,
    from_: FromDate = None,
    to: ToDate = None,
    year: Year = None,
    role: Annotated[
        str | None,
        typer.Option("--role", help="onsite (现场咨询) or online (网络咨询); default both.", show_default=False),
    ] = None,
    clinic: Clinic = None,
    db: Db = None,
    fmt: FormatOpt = None,
    out: OutFile = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Who converts without over-promising: receptions, close rate, sales, ticket, refund rate and
    the 180-day repurchase of the customers each on-site consultant closed; leads, appointment,
    arrival and close rates of online consultants; a scorecard per team and an over-selling flag
    (sales rank far above repurchase rank). Weights come from aesops.toml [scorecard].

    Example:
        aesops consultants --month 2026-10 --role onsite
    """
    from aesthetic_cli.errors import UsageError

    if role not in (None, "onsite", "online"):
        raise UsageError(f"--role '{role}' must be onsite or online.")
    analyse(
        "consultants",
        db,
        period_of=_period(month, from_, to, year),
        clinic=clinic,
        fmt=fmt,
        out=out,
        lang=lang,
        role=role,
    )


def cohorts(
    from_: FromDate = None,
    to: ToDate = None,
    by: Annotated[
        str | None, typer.Option("--by", help="channel, first_item, department or clinic.", show_default=False)
    ] = None,
    months: Annotated[int, typer.Option("--months", min=1, max=36, help="Months after the first deal to follow.")] = 12,
    clinic: Clinic = None,
    db: Db = None,
    fmt: FormatOpt = None,
    out: OutFile = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Do customers come back? Cohorts by month of first deal: the share with a deal in each
    following month, cumulative sales per customer, and the median repurchase interval per item.

    Example:
        aesops cohorts --from 2025-01-01 --by channel --months 6
    """
    from aesthetic_cli.metrics.periods import parse_date

    start = parse_date(from_, "--from") if from_ else None
    end = parse_date(to, "--to") if to else None
    analyse("cohorts", db, period=(start, end), clinic=clinic, fmt=fmt, out=out, lang=lang, by=by, months=months)


def items(
    month: Month = None,
    from_: FromDate = None,
    to: ToDate = None,
    year: Year = None,
    clinic: Clinic = None,
    db: Db = None,
    fmt: FormatOpt = None,
    out: OutFile = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Which items make money: sales, buyers, margin where the catalogue has a unit cost, price
    bands, and opener items (开口品项) with the 180-day follow-on sales they lead to.

    Example:
        aesops items --month 2026-10
    """
    analyse("items", db, period_of=_period(month, from_, to, year), clinic=clinic, fmt=fmt, out=out, lang=lang)


def register(app: typer.Typer) -> None:
    app.command("funnel")(funnel)
    app.command("channels")(channels)
    app.command("consultants")(consultants)
    app.command("cohorts")(cohorts)
    app.command("items")(items)
