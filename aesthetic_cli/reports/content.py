"""What a report says, independent of how it is written (xlsx or html): sections of titled tables,
the charts to draw from them, and where every number came from (口径说明)."""

from __future__ import annotations

import calendar
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aesthetic_cli import __version__, catalog
from aesthetic_cli.catalog import Context
from aesthetic_cli.errors import UsageError
from aesthetic_cli.lazy_polars import pl
from aesthetic_cli.metrics.base import Coverage, prepare, run
from aesthetic_cli.metrics.periods import Period, month, parse_week
from aesthetic_cli.metrics.result import Note, Result
from aesthetic_cli.settings import Settings

if TYPE_CHECKING:
    from aesthetic_cli.reports.headline import Headline
from aesthetic_cli.sqlfiles import query

KINDS = ("monthly", "weekly", "daily")


@dataclass
class Chart:
    kind: str  # line | bar | heat
    x: str
    series: list[str]
    title: tuple[str, str]


@dataclass
class Block:
    name: str
    title: tuple[str, str]
    frame: pl.DataFrame
    chart: Chart | None = None


@dataclass
class Section:
    key: str  # sheet name
    title: tuple[str, str]
    blocks: list[Block]
    notes: list[Any] = field(default_factory=list)


@dataclass
class Report:
    kind: str
    period: Period
    title: tuple[str, str]
    params: dict
    sections: list[Section]
    provenance: dict[str, pl.DataFrame]
    results: dict[str, Result]  # the analyses behind the sections, as `--format json` would print them
    headline: Headline | None = None  # reports/headline.py: KPI cards and takeaways, shown first and sent
    # What build() and the headline would otherwise read after the analyses, already read in their lanes
    # (the monthly report): "provenance", "clinics" (the headline's 门店对比, None for a single clinic).
    prefetched: dict[str, Any] = field(default_factory=dict)

    def file_stem(self) -> str:
        return f"aesops_{self.kind}_{self.period.label}"


DEFINITIONS = [
    (
        "成交业绩 sales",
        "销售行与退款行之和（按收费日期），充值不计入；先充值1万再刷卡消费8千，业绩为8千。",
        "Sale plus refund lines by order date; top-ups are not sales.",
    ),
    (
        "收现 cash in",
        "非储值支付的销售与充值，加上退款。",
        "Sale and top-up lines not paid by stored value, plus refunds.",
    ),
    ("消耗 consumption", "治疗划扣金额之和。", "Sum of treatment consumed amounts."),
    ("成交 deal", "某顾客某日净业绩为正即为一次成交（成交人次）。", "A customer-day with positive net sales."),
    (
        "来院人数 visitors",
        (
            "期内有到院记录的不同顾客数；只有成交、没有到院记录的顾客（线上买券、漏登到院）不计入来院，"
            "单列为“线上/未到院成交”(buyers_without_visit)。渠道漏斗的到院人数口径相同。"
        ),
        (
            "Distinct customers with a recorded visit in the period; "
            "buyers without one (a voucher bought online, an order "
            "keyed without its visit) are buyers but not visitors, "
            "shown as buyers_without_visit. Funnel arrivals likewise."
        ),
    ),
    (
        "新客 new",
        "首次到院或首次消费（取早者）落在期内的顾客。",
        "first_seen (first visit or order) falls in the period.",
    ),
    (
        "成交率 close rate",
        (
            "成交人数 ÷ 来院人数；成交人数含线上/未到院成交，因此四个杠杆相乘恰好等于业绩，"
            "成交率可能超过100%（超出部分即未到院成交）；无来院人数时不计成交率。"
        ),
        (
            "buyers / visitors, all buyers included, so the four levers multiply to sales exactly; it can exceed 100% "
            "by the buyers without a visit, and is empty when there are no visitors."
        ),
    ),
    ("客单价 ticket", "业绩 ÷ 成交人次", "sales / deal visits"),
    ("来院频率 frequency", "成交人次 ÷ 成交人数；业绩 = 来院 × 成交率 × 客单价 × 频率", "deal visits / buyers"),
    (
        "获客渠道 channel",
        "顾客档案来源渠道，否则首次到院渠道，否则首条线索渠道，否则 unknown。",
        "customers.source_channel, else first visit's, else first lead's channel.",
    ),
    (
        "环比 / 同比",
        (
            "数据截至期中时（截至 MM-DD），本期取期初至数据末日，上期与去年同期取相同的天数"
            "（如 10-01..10-15 对比 09-01..09-15 与去年 "
            "10-01..10-15）；完全在数据之后的期间不计算。金额的变化为相对变化，"
            "比率的变化另以百分点（pp）表示。"
        ),
        (
            "When the data ends inside the period (截至 MM-DD), the "
            "period runs to the data's last day and the previous "
            "period and last year cover the same days; a period wholly after the data is refused. Amounts change "
            "relatively; rates also in percentage points (pp)."
        ),
    ),
    (
        "30/90/180/365天业绩",
        (
            "自 first_seen 起 H 个自然日（first_seen … first_seen+H−1）内的业绩；"
            "这 H 天的最后一天在数据范围内才算期满，否则留空并标记未满。"
        ),
        (
            "Sales in the H calendar days from first_seen (first_seen … first_seen+H−1); complete when the last of "
            "those days is in the data, otherwise empty and marked incomplete."
        ),
    ),
    (
        "ROI",
        (
            "(获客业绩 − 投放) ÷ 投放；无投放的渠道不计比率；超出数据末日的周期标记为未满。按月记录的投放费用在"
            "不足一个月的期间（或数据截至月中）按天数折算：当月费用 × 期内有数据的天数 ÷ 当月天数。"
        ),
        (
            "(sales − spend) / spend; no ratio without spend; horizons past the data are marked incomplete. A month's "
            "spend in a period shorter than the month (or a month the data ends inside) is prorated: the month's spend "
            "× the period's days with data ÷ the month's days."
        ),
    ),
    (
        "砍渠道",
        (
            "付费渠道中：产出低 = 最长期满周期的投产比（无期满周期则用本期投产比）；见效慢 = 回本天数（获客业绩累计达到"
            "投放的天数，未回本最慢）；费用高 = 获客成本（无成交最高）"
            "；送客少 = 到院人数；各按最差四分位（与最差值并列的都标记；各渠道数值全部相同则不标记），"
            "两项及以上为候选；"
            "付费渠道少于4个时无法形成四分位。"
        ),
        (
            "Paid channels: low output = ROAS at the longest complete horizon (else the period's), slow = payback days "
            "(never = slowest), costly = CAC (no buyer = costliest), thin = arrivals; each by its worst quartile, two "
            "flags make a cut candidate (every channel tied at the worst value is flagged; none when all are equal); "
            "fewer than 4 paid channels form no quartiles."
        ),
    ),
    (
        "砍品项",
        "赔钱 = 毛利为负；没竞争力 = 业绩与成交人数都在最差四分位且都低于去年同期。",
        (
            "Loses money = negative margin; uncompetitive = sales "
            "and buyers both in the worst quartile and below last year."
        ),
    ),
    (
        "开口品项",
        "首单中的品项；180天后续业绩未满180天时留空并标记“未满”。",
        "Items of the first deal; follow-on sales over 180 days are empty and marked 未满 until 180 days have passed.",
    ),
    (
        "180天复购率",
        "咨询师在本期前180天成交的顾客中，180天内再次成交的比例。",
        "Customers a consultant closed 180 days before the period who bought again within 180 days.",
    ),
    ("复购矩阵", "首单月为队列；第k月有成交的队列占比。", "Cohort = first-deal month; share with a deal in month +k."),
    ("储值卡本金", "余额 × 充值 ÷ (充值 + 赠送)。", "balance × recharge / (recharge + bonus)."),
    (
        "复购预测 predicted repurchase",
        (
            "按顾客成交日（首个成交日之后的成交日为复购，时间以周计）拟合 "
            "BG/NBD（Fader, Hardie & Lee 2005）得仍活跃概率与"
            "未来90/180天预期成交次数，Gamma-Gamma 以复购成交的平均金额得预期客单；预期业绩 = 预期次数 × 预期客单。"
        ),
        (
            "BG/NBD (Fader, Hardie & Lee 2005) on each customer's deal days (a repeat = a deal day after the first; "
            "weeks) for P(alive) and expected deals in 90/180 days; Gamma-Gamma on the average repeat deal value; "
            "expected sales = expected deals × expected value."
        ),
    ),
    (
        "风险价值 value at risk",
        (
            "(1 − 仍活跃概率) × 若仍活跃未来180天预期成交次数 "
            "× 预期客单；待唤醒名单为已超过所购品项复购周期中位数的逾期顾客，按此排序；"
            "只成交过一天的顾客视为仍活跃，风险价值为 0，排在其后，按累计业绩排序；"
            "历史不足以拟合模型时逾期顾客只按累计业绩排序。"
        ),
        (
            "(1 − P(alive)) × expected deals in 180 days if alive "
            "× expected deal value; the call-back list is the customers overdue against their items' median "
            "repurchase interval, ranked by it; single-deal customers carry none and come after, by lifetime "
            "sales; with too little history the overdue customers are ranked by lifetime sales alone."
        ),
    ),
]


def _through(title: tuple[str, str], f: Result) -> tuple[str, str]:
    """A comparison over a period the data ends inside says so: 截至 MM-DD (funnel's same-days rule)."""
    through = f.meta.get("through")
    if not through:
        return title
    return (f"{title[0]}（截至 {through:%m-%d}）", f"{title[1]} (to {through:%m-%d}, same days compared)")


def _trend(con, start: date, end: date, grain: str, clinic: str | None) -> pl.DataFrame:
    if grain == "month" and clinic is None and start.day == 1 and end == month(end.replace(day=1)).end:
        # Whole months of every clinic: the rollup's rows (at 10M lines the general query groups a year of
        # customer-days); tests/test_query_shortcuts.py holds the two equal.
        df = run(con, "kpis", "trend_months", {"start": start, "end": end})
    else:
        df = run(con, "kpis", "trend", {"start": start, "end": end, "grain": grain, "clinic": clinic})
    fmt = "%Y-%m" if grain == "month" else "%m-%d"
    return df.with_columns(pl.col("period").dt.strftime(fmt).alias("period"))


def _twelve_months_back(p: Period) -> date:
    y, m = divmod(p.start.year * 12 + p.start.month - 1 - 11, 12)
    return date(y, m + 1, 1)


def _plan_exists(con, year: int) -> bool:
    return bool(con.execute(query("status", "plan_exists"), {"y": year}).fetchone()[0])


def _block(key: str, table: str, result: Result, chart: Chart | None = None) -> Block:
    """A report block of one catalog table: the same numbers and title as the command prints."""
    return Block(table, catalog.get(key).tables[table], result.tables[table], chart)


def _track_or_note(
    con, ctx: Context, period: Period, asof: date | None, results: dict
) -> tuple[list[Block], list[Any]]:
    if not _plan_exists(con, period.start.year):
        return [], [
            Note(
                f"没有 {period.start.year} 年的目标计划（aesops targets split --year {period.start.year} "
                f"--total N --save）。",
                f"No saved target plan for {period.start.year} (aesops targets split --year {period.start.year} "
                "--total N --save).",
            )
        ]
    r = results["targets_track"] = catalog.run("targets track", con, ctx, period, asof=asof)
    blocks = [
        _block(
            "targets track",
            "progress",
            r,
            Chart("bar", "key", ["target_to_date", "actual"], ("至今目标 vs 实际", "Target to date vs actual")),
        ),
        _block("targets track", "levers", r),
    ]
    return blocks, r.notes


def lake_describe(con) -> dict:
    from aesthetic_cli.warehouse_lake import describe

    return {f"lake_{k}": v for k, v in describe(con).items()}


def build(
    con,
    kind: str,
    *,
    month_: str | None = None,
    week_: str | None = None,
    day: str | None = None,
    clinic: str | None = None,
    show_pii: bool = False,
    lang: str = "zh",
    settings: Settings | None = None,
    meanwhile: Callable[[], Any] | None = None,
) -> Report:
    """meanwhile: work of the caller's to do in the monthly report's lanes after its analyses (run.produce
    loads the writers there, while the other lane finishes), not after both lanes on one core."""
    if kind not in KINDS:
        raise UsageError(f"Unknown report '{kind}'.", hint="Reports: monthly, weekly, daily.")
    cov = prepare(con)
    if cov.last_day is None:
        raise UsageError(
            "The warehouse has no orders or visits yet: nothing to report.",
            hint="Import exports first: aesops import FILE...",
        )
    builders: dict[str, Callable[..., Report]] = {"monthly": _monthly, "weekly": _weekly, "daily": _daily}
    builder = builders[kind]
    settings = settings or Settings()
    ctx = Context(settings=settings, clinic=clinic, show_pii=show_pii or not settings.mask_pii)
    report = builder(con, cov, ctx, month_=month_, week_=week_, day=day, meanwhile=meanwhile)
    report.params.update(
        {
            "report": kind,
            "clinic": clinic,  # None: every clinic (present/params says so in the reader's language)
            "lang": lang,
            "show_pii": show_pii,
            "generated_at": datetime.now().strftime("%Y-%m-%d %H:%M"),
            "aesops": __version__,
            "data_first_day": cov.first_day,
            "data_last_day": cov.last_day,
            "scorecard_onsite": settings.onsite_weights,
            "scorecard_online": settings.online_weights,
            "channel_horizons": list(settings.horizons),
        }
    )
    # On a lake, the snapshot the numbers come from: the report can be recomputed with --as-of it.
    report.params.update(lake_describe(con))
    report.provenance = report.prefetched.pop("provenance", None) or provenance(con)
    from aesthetic_cli.reports import headline

    headline.attach(con, report, cov, clinic)
    return report


def default_month(cov: Coverage) -> Period:
    """The last complete month of data (the month of the last day, if that day ends it)."""
    last = cov.last_day
    assert last is not None, "build() refuses an empty warehouse before choosing a month"
    if last.day == calendar.monthrange(last.year, last.month)[1]:
        return month(last.replace(day=1))
    return month((last.replace(day=1) - timedelta(days=1)).replace(day=1))


def _monthly(con, cov, ctx: Context, *, month_, meanwhile=None, **_) -> Report:
    from aesthetic_cli.metrics.periods import parse_month

    p = parse_month(month_, cov.last_day) if month_ else default_month(cov)  # 10月, 本月, 上月 count from the data
    clinic = ctx.clinic
    year = (_twelve_months_back(p), p.end)
    # The customers' stocktake is as of the data's last day in a month in progress: as of the month's end it would
    # count the days the data has not reached as days without a deal (overdue customers who are not).
    as_of = min(p.end, cov.last_day or p.end)
    from aesthetic_cli.reports.headline import clinic_comparison

    # Each analysis once, all on the one read-only connection, longest first so that the two lanes end
    # together (CPU seconds at 1M order lines, bench/README 2026-11-24 morning). The call-back list spends
    # its first ~0.6 s importing SciPy, holding the GIL; RFM is one DuckDB query that does not need it, so
    # the two start side by side. The headline's clinic comparison and the sources table are read in the
    # lanes too: after them they ran on one core while the other stayed idle.
    done = side_by_side(
        con,
        {
            "customers_reactivate": lambda c: catalog.run("customers reactivate", c, ctx, as_of, limit=20),  # 1.8
            "customers_rfm": lambda c: catalog.run("customers rfm", c, ctx, as_of),  # 0.8
            "consultants": lambda c: catalog.run("consultants", c, ctx, p),  # 0.45
            "funnel": lambda c: catalog.run("funnel", c, ctx, p),  # 0.3
            "items": lambda c: catalog.run("items", c, ctx, p),  # 0.25
            "cohorts": lambda c: catalog.run("cohorts", c, ctx, year, months=12),  # 0.23
            "customers_cards": lambda c: catalog.run(
                "customers cards", c, ctx, as_of, limit=20, snapshot_if_earlier=True
            ),  # 0.2
            "clinics": lambda c: clinic_comparison(c, p, cov, clinic),  # 0.17
            "channels": lambda c: catalog.run("channels", c, ctx, p),  # 0.15
            "provenance": provenance,  # 0.13
            "trend": lambda c: _trend(c, year[0], p.end, "month", clinic),  # 0.01
            "meanwhile": lambda c: meanwhile and meanwhile(),
        },
    )
    done.pop("meanwhile")
    trend = done.pop("trend")
    prefetched = {"clinics": done.pop("clinics"), "provenance": done.pop("provenance")}
    order = ("funnel", "channels", "consultants", "cohorts", "customers_rfm", "customers_cards")
    results: dict[str, Result] = {k: done[k] for k in (*order, "customers_reactivate", "items")}
    f, ch, cs, co, rf, ca = (results[k] for k in order)
    re, it = results["customers_reactivate"], results["items"]
    track_blocks, track_notes = _track_or_note(con, ctx, p, None, results)
    sections = [
        Section(
            "核心指标",
            ("核心指标与环比同比", "Headline KPIs"),
            [
                Block("comparison", _through(catalog.get("funnel").tables["comparison"], f), f.tables["comparison"]),
                Block(
                    "trend",
                    ("近12个月业绩趋势", "Sales, last 12 months"),
                    trend,
                    Chart("line", "period", ["sales", "new_sales", "old_sales"], ("业绩趋势", "Sales trend")),
                ),
                _block("funnel", "segments", f),
            ],
            f.notes,
        ),
        Section(
            "漏斗",
            ("新客漏斗与未成交", "Funnel and lost deals"),
            [
                _block(
                    "funnel",
                    "funnel",
                    f,
                    Chart(
                        "bar",
                        "channel",
                        ["leads", "arrivals", "buyers"],
                        ("线索 → 到院 → 成交", "Leads → arrivals → buyers"),
                    ),
                ),
                _block("funnel", "lost_by_reason", f),
                _block("funnel", "referral", f),
            ],
        ),
        Section(
            "渠道",
            ("渠道 ROI 与砍渠道", "Channel ROI and cut list"),
            [
                _block(
                    "channels",
                    "channels",
                    ch,
                    Chart("bar", "channel", ["spend", "sales"], ("投放 vs 获客业绩", "Spend vs sales")),
                ),
                _block("channels", "cut_list", ch),
            ],
            ch.notes,
        ),
        Section(
            "咨询师",
            ("咨询师", "Consultants"),
            [
                _block(
                    "consultants",
                    "onsite",
                    cs,
                    Chart("bar", "consultant", ["sales"], ("咨询师业绩", "Sales by consultant")),
                ),
                _block("consultants", "online", cs),
            ],
            cs.notes,
        ),
        Section(
            "复购",
            ("复购队列", "Repurchase cohorts"),
            [
                _block(
                    "cohorts",
                    "retention",
                    co,
                    Chart(
                        "heat",
                        "cohort",
                        [c for c in co.tables["retention"].columns if c.startswith("m")],
                        ("复购热力图", "Cohort heat map"),
                    ),
                ),
                _block("cohorts", "item_intervals", co),
            ],
            co.notes,
        ),
        Section(
            "老客",
            ("老客盘点与储值卡", "Old customers and cards"),
            [
                _block("customers rfm", "segments", rf),
                _block("customers cards", "cards", ca),
                Block("reactivate", _reactivate_title(re), re.tables["reactivate"]),
            ],
            rf.notes + ca.notes + re.notes,
        ),
        Section(
            "品项",
            ("品项", "Items"),
            [
                _block("items", "items", it, Chart("bar", "item", ["sales"], ("品项业绩", "Sales by item"))),
                _block("items", "openers", it),
                _block("items", "item_cut_list", it),
            ],
            it.notes,
        ),
        Section("目标", ("目标 vs 实际", "Target vs actual"), track_blocks, track_notes),
    ]
    return Report(
        "monthly",
        p,
        ("月度经营分析", "Monthly operations report"),
        {"period": p.label},
        sections,
        {},
        results,
        prefetched=prefetched,
    )


def side_by_side(con, tasks: dict[str, Callable[[Any], Any]]) -> dict[str, Any]:
    """Independent read-only tasks (each given a connection), two at a time, each on its own cursor of `con`.

    On two cores one analysis after another left a core idle for much of the report: DuckDB runs a query on
    both, but each analysis also spends time in Python and Polars between its queries, and the call-back
    list imports SciPy and fits its models. Two lanes fill those gaps. The numbers are the same: every task
    reads the same committed warehouse, and a cursor has its own temporary tables (metrics.base.frame). A lake
    is read one task after another: its connection's attached catalog and snapshot are not a cursor's."""
    from aesthetic_cli.warehouse_lake import is_lake

    if len(tasks) < 2 or is_lake(con):
        return {key: task(con) for key, task in tasks.items()}
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    running: list = []

    def on_cursor(task):
        cursor = con.cursor()
        running.append(cursor)
        try:
            return task(cursor)
        finally:
            cursor.close()

    # Half the DuckDB threads per query while two lanes share the cores (the setting is the database's, so it
    # holds for every cursor); the connection's own setting again once both lanes are done.
    threads = int(con.execute(query("reports", "threads")).fetchone()[0])
    con.execute(query("reports", "set_threads"), {"threads": max(1, threads // 2)})
    try:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="aesops-report") as pool:
            # Each task in a copy of this thread's context (a worker thread starts with none of its variables).
            futures = {key: pool.submit(contextvars.copy_context().run, on_cursor, task) for key, task in tasks.items()}
            try:
                return {key: future.result() for key, future in futures.items()}
            except BaseException:
                # A failed analysis or Ctrl-C: stop the other lane's query too rather than wait for it to finish.
                for future in futures.values():
                    future.cancel()
                for cursor in running:
                    with contextlib.suppress(Exception):
                        cursor.interrupt()
                raise
    finally:
        con.execute(query("reports", "set_threads"), {"threads": threads})


def _reactivate_title(re: Result) -> tuple[str, str]:
    if re.meta.get("ranking") == "value_at_risk":
        return ("逾期老客（前20，按风险价值）", "Overdue customers (top 20, by value at risk)")
    return ("待唤醒老客（前20）", "Customers to call back (top 20)")


def _behind(con, ctx: Context, period: Period, asof: date | None, results: dict) -> tuple[list[Block], list[str]]:
    blocks, notes = _track_or_note(con, ctx, period, asof, results)
    if blocks:
        progress = blocks[0].frame
        lagging = (
            progress.filter((pl.col("scope") == "consultant") & pl.col("achievement").is_not_null())
            .sort("achievement")
            .head(5)
        )
        blocks.append(Block("behind", ("最落后的咨询师", "Consultants furthest behind"), lagging))
    return blocks, notes


def _weekly(con, cov, ctx: Context, *, week_, **_) -> Report:
    if week_:
        p = parse_week(week_, cov.last_day)  # 第43周: the data's latest week 43
    else:
        last = cov.last_day
        end = last if last.isoweekday() == 7 else last - timedelta(days=last.isoweekday())
        p = Period(end - timedelta(days=6), end, "week")
    results: dict[str, Result] = {}
    f = results["funnel"] = catalog.run("funnel", con, ctx, p)
    daily = _trend(con, p.start, p.end, "day", ctx.clinic)
    blocks, notes = _behind(con, ctx, p, None, results)
    sections = [
        Section(
            "本周",
            ("本周核心指标（环比上周 / 同比去年）", "This week vs last week and last year"),
            [
                Block("comparison", _through(catalog.get("funnel").tables["comparison"], f), f.tables["comparison"]),
                Block(
                    "daily",
                    ("每日业绩", "Sales by day"),
                    daily,
                    Chart("bar", "period", ["sales"], ("每日业绩", "Daily sales")),
                ),
            ],
            f.notes,
        ),
        Section("目标进度", ("目标进度与落后项", "Progress and what is behind"), blocks, notes),
        Section(
            "漏斗",
            ("本周新客漏斗", "This week's funnel"),
            [
                _block("funnel", "funnel", f),
                _block("funnel", "lost_by_reason", f),
            ],
        ),
    ]
    return Report("weekly", p, ("周报", "Weekly report"), {"period": p.label}, sections, {}, results)


def _daily(con, cov, ctx: Context, *, day, **_) -> Report:
    from aesthetic_cli.metrics.periods import parse_date

    d = parse_date(day, "--date") if day else cov.last_day
    p = Period(d, d, "day")
    mtd = month(d.replace(day=1))
    results: dict[str, Result] = {}
    f = results["funnel"] = catalog.run("funnel", con, ctx, p)
    trend = _trend(con, mtd.start, d, "day", ctx.clinic)
    blocks, notes = _behind(con, ctx, mtd, d, results)
    sections = [
        Section(
            "当日",
            (f"{d} 当日（对比前一日 / 去年同日）", f"{d} vs the day before and last year"),
            [
                Block("comparison", _through(catalog.get("funnel").tables["comparison"], f), f.tables["comparison"]),
                Block(
                    "mtd",
                    ("本月每日业绩", "Month to date by day"),
                    trend,
                    Chart("line", "period", ["sales"], ("本月每日业绩", "Daily sales this month")),
                ),
            ],
            f.notes,
        ),
        Section("月度进度", ("本月目标进度与落后项", "Month-to-date progress and what is behind"), blocks, notes),
    ]
    return Report(
        "daily", p, ("日报", "Daily report"), {"period": p.label, "month_to_date": mtd.label}, sections, {}, results
    )


def provenance(con) -> dict[str, pl.DataFrame]:
    from aesthetic_cli.metrics.base import frame
    from aesthetic_cli.warehouse_status import coverage

    batches = frame(con, query("status", "all_batches"))  # not .pl(), which imports pyarrow
    return {"coverage": coverage(con), "batches": batches}
