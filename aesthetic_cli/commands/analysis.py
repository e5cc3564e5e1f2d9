"""aesops funnel, aesops channels: the monthly questions, answered from the warehouse."""

from __future__ import annotations

from typing import Annotated

import typer

from aesthetic_cli.commands._common import open_warehouse
from aesthetic_cli.commands._options import (
    Clinic,
    Db,
    FormatOpt,
    FromDate,
    Lang,
    LangOpt,
    Month,
    ToDate,
    Year,
    pick_format,
)

Week = Annotated[str | None, typer.Option("--week", help="ISO week YYYY-Www, e.g. 2026-W43.", show_default=False)]

TITLES = {
    "kpis": ("核心指标", "Headline KPIs"),
    "segments": ("新客 / 老客 拆解：来院 × 成交率 × 客单价 × 频率", "New vs old: visitors × close rate × ticket × frequency"),
    "comparison": ("环比 / 同比", "Month-on-month and year-on-year"),
    "funnel": ("新客漏斗（按渠道）：线索 → 预约 → 到院 → 成交", "New-customer funnel by channel"),
    "lost_by_reason": ("未成交原因", "Lost deals by reason"),
    "lost_by_consultant": ("未成交（按咨询师）", "Lost deals by consultant"),
    "lost_by_item": ("未成交（按意向项目）", "Lost deals by intended item"),
    "referral": ("老带新（带新占比）", "Referral share of new customers"),
    "channels": ("渠道 ROI（本期获客）", "Channel ROI for customers acquired in the period"),
    "cut_list": ("砍渠道候选：产出低 / 见效慢 / 费用高 / 送客少", "Cut list: low output / slow / costly / thin"),
    "onsite": ("现场咨询师排名（业绩 × 复购）", "On-site consultants scorecard (sales × repurchase)"),
    "online": ("网络咨询师排名", "Online consultants scorecard"),
    "retention": ("复购矩阵：首单月后第k月有成交的占比", "Repurchase cohorts: share with a deal in month k"),
    "cumulative_sales": ("每位首单客户的累计业绩", "Cumulative sales per cohort customer"),
    "item_intervals": ("项目复购间隔（中位天数）", "Median repurchase interval per item"),
    "items": ("品项：业绩、毛利", "Items: sales and margin"),
    "price_bands": ("价格带", "Price bands"),
    "openers": ("开口品项及180天后续业绩", "Opener items and their 180-day follow-on sales"),
    "item_cut_list": ("砍品项：赔钱 / 没竞争力", "Item cut list: loses money / uncompetitive"),
}


def _period(con, month, from_, to, year, week=None):
    from aesthetic_cli.metrics.base import prepare
    from aesthetic_cli.metrics.periods import resolve

    cov = prepare(con)
    return resolve(month_=month, from_=from_, to=to, year=year, week_=week, default_end=cov.last_day)


def funnel(
    month: Month = None, from_: FromDate = None, to: ToDate = None, year: Year = None, week: Week = None,
    by: Annotated[str | None, typer.Option("--by", help="Split by channel, consultant, department or clinic.", show_default=False)] = None,
    clinic: Clinic = None, db: Db = None, fmt: FormatOpt = None, lang: LangOpt = Lang.zh,
) -> None:
    """Sales and its levers (业绩 = 来院人数 × 成交率 × 客单价 × 来院频率), new vs old customers,
    环比/同比, the new-customer funnel by channel, lost deals (未成交) and referral share (带新).

    Sales are sale and refund lines by order date (top-ups are not sales); a deal is a
    customer-day with positive net sales; a customer is new in the month of their first
    visit or order.

    Example:
        aesops funnel --month 2026-10 --by consultant
    """
    from aesthetic_cli.commands._render import render
    from aesthetic_cli.metrics.funnel import funnel as compute

    _ws, con = open_warehouse(db)
    with con:
        period = _period(con, month, from_, to, year, week)
        result = compute(con, period, by=by, clinic=clinic)
    render(result, pick_format(fmt), lang.value, titles=TITLES)


def channels(
    month: Month = None, from_: FromDate = None, to: ToDate = None, year: Year = None,
    horizon: Annotated[str, typer.Option("--horizon", help="Days after first visit to follow sales, comma-separated.")] = "30,90,180,365",
    clinic: Clinic = None, db: Db = None, fmt: FormatOpt = None, lang: LangOpt = Lang.zh,
) -> None:
    """Which channels pay back: spend, leads, arrivals, buyers and sales of the customers each
    channel brought in the period; cost per lead, per arrival and per buyer (CAC), ROAS, ROI;
    sales within 30/90/180/365 days; and the cut list (砍渠道).

    A horizon that reaches past the end of the data is left empty and marked (未满), never
    shown short. Channels without spend (老带新, 自然到院) get no cost ratios.

    Example:
        aesops channels --month 2025-10 --horizon 30,90,180
    """
    from aesthetic_cli.commands._render import render
    from aesthetic_cli.errors import UsageError
    from aesthetic_cli.metrics.channels import channel_roi

    try:
        horizons = tuple(int(h) for h in horizon.split(",") if h.strip())
    except ValueError:
        raise UsageError(f"--horizon '{horizon}' must be whole days separated by commas, e.g. 30,90,180.") from None
    if not horizons or min(horizons) <= 0:
        raise UsageError("--horizon needs at least one positive number of days.")
    _ws, con = open_warehouse(db)
    with con:
        period = _period(con, month, from_, to, year)
        result = channel_roi(con, period, horizons=horizons, clinic=clinic)
    render(result, pick_format(fmt), lang.value, titles=TITLES)


def consultants(
    month: Month = None, from_: FromDate = None, to: ToDate = None, year: Year = None,
    role: Annotated[str | None, typer.Option("--role", help="onsite (现场咨询) or online (网络咨询); default both.", show_default=False)] = None,
    clinic: Clinic = None, db: Db = None, fmt: FormatOpt = None, lang: LangOpt = Lang.zh,
) -> None:
    """Who converts without over-promising: receptions, close rate, sales, ticket, refund rate and
    the 180-day repurchase of the customers each on-site consultant closed; leads, appointment,
    arrival and close rates of online consultants; a scorecard per team and an over-selling flag
    (sales rank far above repurchase rank). Weights come from aesops.toml [scorecard].

    Example:
        aesops consultants --month 2026-10 --role onsite
    """
    from aesthetic_cli.commands._render import render
    from aesthetic_cli.errors import UsageError
    from aesthetic_cli.metrics.consultants import consultants as compute

    if role not in (None, "onsite", "online"):
        raise UsageError(f"--role '{role}' must be onsite or online.")
    ws, con = open_warehouse(db)
    with con:
        period = _period(con, month, from_, to, year)
        result = compute(con, period, role=role, clinic=clinic, weights=_weights(ws))
    render(result, pick_format(fmt), lang.value, titles=TITLES)


def _weights(ws) -> dict:
    from aesthetic_cli.metrics.consultants import weights_from

    return weights_from(ws.setting("scorecard"))


def cohorts(
    from_: FromDate = None, to: ToDate = None,
    by: Annotated[str | None, typer.Option("--by", help="channel, first_item, department or clinic.", show_default=False)] = None,
    months: Annotated[int, typer.Option("--months", min=1, max=36, help="Months after the first deal to follow.")] = 12,
    clinic: Clinic = None, db: Db = None, fmt: FormatOpt = None, lang: LangOpt = Lang.zh,
) -> None:
    """Do customers come back? Cohorts by month of first deal: the share with a deal in each
    following month, cumulative sales per customer, and the median repurchase interval per item.

    Example:
        aesops cohorts --from 2025-01-01 --by channel --months 6
    """
    from aesthetic_cli.commands._render import render
    from aesthetic_cli.metrics.cohorts import cohorts as compute
    from aesthetic_cli.metrics.periods import parse_date

    start = parse_date(from_, "--from") if from_ else None
    end = parse_date(to, "--to") if to else None
    _ws, con = open_warehouse(db)
    with con:
        result = compute(con, start=start, end=end, by=by, months=months, clinic=clinic)
    render(result, pick_format(fmt), lang.value, titles=TITLES)


def items(
    month: Month = None, from_: FromDate = None, to: ToDate = None, year: Year = None,
    clinic: Clinic = None, db: Db = None, fmt: FormatOpt = None, lang: LangOpt = Lang.zh,
) -> None:
    """Which items make money: sales, buyers, margin where the catalogue has a unit cost, price
    bands, and opener items (开口品项) with the 180-day follow-on sales they lead to.

    Example:
        aesops items --month 2026-10
    """
    from aesthetic_cli.commands._render import render
    from aesthetic_cli.metrics.items import items as compute

    _ws, con = open_warehouse(db)
    with con:
        period = _period(con, month, from_, to, year)
        result = compute(con, period, clinic=clinic)
    render(result, pick_format(fmt), lang.value, titles=TITLES)


def register(app: typer.Typer) -> None:
    app.command("funnel")(funnel)
    app.command("channels")(channels)
    app.command("consultants")(consultants)
    app.command("cohorts")(cohorts)
    app.command("items")(items)
