"""Every analysis, defined once: how it is computed, what period it takes and its default, the
tables it returns with their titles in both languages, and the settings it reads.

The CLI commands, the reports, the demo, the benchmarks and the help/docs test read this module;
none keeps its own list, its own defaults or its own reading of aesops.toml. Metrics are imported
when an analysis runs, so `aesops --help` stays light."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from aesthetic_cli.errors import UsageError
from aesthetic_cli.settings import Settings

Pair = tuple[str, str]  # (中文, English)


@dataclass(frozen=True)
class Context:
    """What every analysis is given besides its own options: settings and the common filters."""

    settings: Settings
    clinic: str | None = None
    show_pii: bool = False


@dataclass(frozen=True)
class Analysis:
    key: str  # "funnel", "customers rfm": also the command that prints it
    title: Pair
    period: str  # month: a period, default the data's last month | asof: a day | span | year | none
    tables: dict[str, Pair]
    compute: Callable[..., Any]  # (con, ctx, period_or_day, **options) -> Result
    settings: tuple[str, ...] = ()  # aesops.toml keys it reads, for 口径说明 and the docs
    demo: dict = field(default_factory=dict)  # options the demo runs it with

    def table_title(self, table: str, lang: str) -> str:
        pair = self.tables.get(table)
        return (pair[0] if lang == "zh" else pair[1]) if pair else table


def _funnel(con, ctx: Context, period, *, by: str | None = None):
    from aesthetic_cli.metrics.funnel import funnel

    return funnel(con, period, by=by, clinic=ctx.clinic)


def _channels(con, ctx: Context, period, *, horizons: tuple[int, ...] | None = None):
    from aesthetic_cli.metrics.channels import channel_roi

    return channel_roi(con, period, horizons=horizons or ctx.settings.horizons, clinic=ctx.clinic)


def _consultants(con, ctx: Context, period, *, role: str | None = None):
    from aesthetic_cli.metrics.consultants import consultants

    if role not in (None, "onsite", "online"):
        raise UsageError(f"role '{role}' must be onsite or online.")
    return consultants(con, period, role=role, clinic=ctx.clinic, weights=ctx.settings.weights)


def _cohorts(con, ctx: Context, span, *, by: str | None = None, months: int = 12):
    from aesthetic_cli.metrics.cohorts import cohorts

    start, end = span if span else (None, None)
    return cohorts(con, start=start, end=end, by=by, months=months, clinic=ctx.clinic)


def _items(con, ctx: Context, period):
    from aesthetic_cli.metrics.items import items

    return items(con, period, clinic=ctx.clinic)


def _rfm(con, ctx: Context, day, *, list_customers: bool = False):
    from aesthetic_cli.metrics.customers import rfm

    return rfm(con, asof=day, clinic=ctx.clinic, show_pii=ctx.show_pii, list_customers=list_customers)


def _reactivate(con, ctx: Context, day, *, limit: int = 50):
    from aesthetic_cli.metrics.customers import reactivate

    return reactivate(con, asof=day, clinic=ctx.clinic, limit=limit, show_pii=ctx.show_pii)


def _predict(con, ctx: Context, day, *, horizons: tuple[int, ...] = (90, 180), check: bool = False):
    from aesthetic_cli.metrics.predict import predict

    return predict(con, until=day, horizons=horizons, clinic=ctx.clinic, show_pii=ctx.show_pii, check=check)


def _cards(con, ctx: Context, day, *, limit: int = 50, snapshot_if_earlier: bool = False):
    from aesthetic_cli.metrics.customers import cards

    return cards(
        con, asof=day, clinic=ctx.clinic, show_pii=ctx.show_pii, limit=limit, snapshot_if_earlier=snapshot_if_earlier
    )


def _split(
    con,
    ctx: Context,
    year,
    *,
    total: int | None = None,
    growth: float | None = None,
    new_share: float | None = None,
    by: tuple[str, ...] = ("clinic", "department", "consultant"),
    solve: str | None = None,
    days: bool = False,
    save: bool = False,
):
    from aesthetic_cli.metrics import targets

    plan = targets.split(con, year, total=total, growth=growth, new_share=new_share, by=by)
    result = targets.split_result(plan, lever=solve, with_days=days)
    if save:
        result.meta["replaced_plan"] = targets.save(con, plan)
    return result


def _track(con, ctx: Context, period, *, asof: date | None = None):
    from aesthetic_cli.metrics import targets

    return targets.track(con, period, asof=asof)


def _status(con, ctx: Context, _none, *, rejects: bool = False, batch: int | None = None, limit: int = 10):
    from aesthetic_cli.warehouse_status import status

    return status(con, rejects=rejects, batch=batch, limit=limit, show_pii=ctx.show_pii)


ANALYSES: dict[str, Analysis] = {
    a.key: a
    for a in (
        Analysis(
            "status",
            ("数据概况", "What the warehouse holds"),
            "none",
            {
                "coverage": ("数据覆盖（按数据集和门店）", "Coverage by dataset and clinic"),
                "batches": ("最近导入批次", "Recent import batches"),
                "rejects": ("拒收与置空的单元格", "Rejected rows and blanked cells"),
                "snapshots": ("最近快照（共享数仓，每次导入一个）", "Recent lake snapshots (one per import)"),
            },
            _status,
        ),
        Analysis(
            "funnel",
            ("业绩与杠杆", "Sales and its levers"),
            "month",
            {
                "kpis": ("核心指标", "Headline KPIs"),
                "segments": (
                    "新客 / 老客 拆解：来院 × 成交率 × 客单价 × 频率",
                    "New vs old: visitors × close rate × ticket × frequency",
                ),
                "comparison": ("核心指标（本期 / 上期 / 去年同期）", "KPIs: this period, previous, last year"),
                "funnel": ("新客漏斗（按渠道）：线索 → 预约 → 到院 → 成交", "New-customer funnel by channel"),
                "lost_by_reason": ("未成交原因", "Lost deals by reason"),
                "lost_by_consultant": ("未成交（按咨询师）", "Lost deals by consultant"),
                "lost_by_item": ("未成交（按意向项目）", "Lost deals by intended item"),
                "referral": ("老带新（带新占比）", "Referral share of new customers"),
            },
            _funnel,
            demo={"by": "consultant"},
        ),
        Analysis(
            "channels",
            ("渠道 ROI", "Channel ROI"),
            "month",
            {
                "channels": ("渠道 ROI（本期获客）", "Channel ROI for customers acquired in the period"),
                "cut_list": (
                    "砍渠道候选：产出低 / 见效慢 / 费用高 / 送客少",
                    "Cut list: low output / slow / costly / thin",
                ),
            },
            _channels,
            settings=("channels.horizons",),
        ),
        Analysis(
            "consultants",
            ("咨询师", "Consultants"),
            "month",
            {
                "onsite": ("现场咨询师排名（业绩 × 复购）", "On-site consultants scorecard (sales × repurchase)"),
                "online": ("网络咨询师排名", "Online consultants scorecard"),
            },
            _consultants,
            settings=("scorecard.onsite", "scorecard.online"),
        ),
        Analysis(
            "cohorts",
            ("复购队列", "Repurchase cohorts"),
            "span",
            {
                "retention": (
                    "复购矩阵：首单月后第k月有成交的占比",
                    "Repurchase cohorts: share with a deal in month k",
                ),
                "cumulative_sales": ("每位首单客户的累计业绩", "Cumulative sales per cohort customer"),
                "item_intervals": ("项目复购间隔（中位天数）", "Median repurchase interval per item"),
            },
            _cohorts,
            demo={"by": "channel"},
        ),
        Analysis(
            "items",
            ("品项", "Items"),
            "month",
            {
                "items": ("品项：业绩、毛利", "Items: sales and margin"),
                "price_bands": ("价格带", "Price bands"),
                "openers": ("开口品项及180天后续业绩", "Opener items and their 180-day follow-on sales"),
                "item_cut_list": ("砍品项：赔钱 / 没竞争力", "Item cut list: loses money / uncompetitive"),
            },
            _items,
        ),
        Analysis(
            "customers rfm",
            ("RFM 客群", "RFM segments"),
            "asof",
            {
                "segments": ("RFM 客群（近365天）", "RFM segments (last 365 days)"),
                "customers": ("客户明细", "Customers"),
            },
            _rfm,
            settings=("privacy.mask_pii",),
        ),
        Analysis(
            "customers reactivate",
            ("待唤醒老客", "Customers to call back"),
            "asof",
            {
                "reactivate": (
                    "待唤醒老客（已过品项复购周期，按风险价值）",
                    "Customers to call back (past their items' cycle), by value at risk",
                ),
            },
            _reactivate,
            settings=("privacy.mask_pii",),
        ),
        Analysis(
            "customers predict",
            ("复购预测", "Predicted repurchase"),
            "asof",
            {
                "customers": ("顾客复购预测（BG/NBD + Gamma-Gamma）", "Predicted repurchase per customer"),
                "check": (
                    "留出期检验：预测 vs 实际复购（按校准期复购次数）",
                    "Holdout check: predicted vs actual repeat deals",
                ),
            },
            _predict,
            settings=("privacy.mask_pii",),
        ),
        Analysis(
            "customers cards",
            ("储值卡", "Stored-value cards"),
            "asof",
            {
                "cards": ("储值卡负债", "Stored-value card liability"),
                "cards_to_call": ("不动卡 / 不续卡", "Dormant and lapsed cards"),
            },
            _cards,
            settings=("privacy.mask_pii",),
        ),
        Analysis(
            "targets split",
            ("目标分解", "Target split"),
            "year",
            {
                "months": (
                    "月度目标与杠杆（按去年同月的成交率、客单价、频率）",
                    "Monthly targets and levers at last year's rates",
                ),
                "by_clinic": ("门店目标", "Targets by clinic"),
                "by_department": ("科室目标", "Targets by department"),
                "by_consultant": ("咨询师目标", "Targets by consultant"),
                "weeks": ("周目标", "Weekly targets"),
                "days": ("日目标", "Daily targets"),
                "solve": ("单一杠杆需要达到的水平", "How far one lever must move"),
            },
            _split,
            demo={"growth": 0.15, "solve": "visitors"},
        ),
        Analysis(
            "targets track",
            ("目标追踪", "Target tracking"),
            "month",
            {
                "progress": ("目标达成进度", "Progress against target"),
                "levers": ("杠杆对比计划（最落后的一项最先补）", "Levers against plan"),
            },
            _track,
        ),
    )
}


def get(key: str) -> Analysis:
    return ANALYSES[key]


def default_period(con, analysis: Analysis):
    """The period an analysis covers when none is given, from the data's coverage."""
    from aesthetic_cli.metrics.base import prepare
    from aesthetic_cli.metrics.periods import month

    last = prepare(con).last_day
    if analysis.period == "month":
        if last is None:
            raise UsageError(
                "The warehouse has no orders yet, so there is no default month.",
                hint="Import exports first (aesops import FILE...), or give a month.",
            )
        return month(last.replace(day=1))
    if analysis.period == "asof":
        return last
    if analysis.period == "year":
        if last is None:
            raise UsageError("The warehouse has no orders yet: give the target year.")
        return last.year + 1
    return None


def require_clinic(con, clinic: str) -> None:
    """A --clinic the data does not name is a typo (静安 for 静安店): refused with the clinics there are, where it
    gave empty tables, or a report of zeros to mail, with exit 0."""
    from aesthetic_cli.sqlfiles import query

    if con.execute(query("clinics", "known"), {"clinic": clinic}).fetchone()[0]:
        return
    names = [r[0] for r in con.execute(query("clinics", "all")).fetchall()]
    raise UsageError(
        f"No data names the clinic '{clinic}'.",
        hint=f"The clinics in this warehouse: {', '.join(names)}." if names else "The warehouse has no data yet.",
    )


def run(key: str, con, ctx: Context, period=None, **options):
    """Compute one analysis: the only way the CLI, the reports and the demo get a Result."""
    analysis = ANALYSES[key]
    if ctx.clinic is not None:
        require_clinic(con, ctx.clinic)
    if period is None:
        period = default_period(con, analysis)
    return analysis.compute(con, ctx, period, **options)
