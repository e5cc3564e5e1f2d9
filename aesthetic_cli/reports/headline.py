"""The page a director reads first: KPI cards with 环比/同比 coloured by whether the move is good,
three plain-language takeaways from the lever decomposition of the sales change, and (for a chain)
门店对比, the clinics ranked on the headline KPIs. content.build calls `attach` once."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from aesthetic_cli.lazy_polars import pl

LEVERS = ("visitors", "close_rate", "ticket", "frequency")
CARD_KPIS = ("sales", "cash_in", "consumption", "visitors", "close_rate", "ticket")
RATES = {"close_rate"}
# Every headline KPI is better when it rises; a KPI where falling is good goes here.
LOWER_IS_BETTER: set[str] = set()
LEVER_WORDS = {
    "visitors": ("来院人数", "visitors"),
    "close_rate": ("成交率", "close rate"),
    "ticket": ("客单价", "ticket"),
    "frequency": ("来院频率", "visit frequency"),
}


@dataclass
class Card:
    kpi: str
    current: float | None
    previous: float | None
    mom: float | None  # relative change; for a rate, the change in points (0.012 = 1.2 points)
    last_year: float | None
    yoy: float | None

    def good(self, change: float | None) -> bool | None:
        if change is None or change == 0:
            return None
        return (change > 0) != (self.kpi in LOWER_IS_BETTER)


@dataclass
class Headline:
    period_label: str  # e.g. 2026-09, or 2026-W38（09-14 ~ 09-20）, with 截至 MM-DD for a period in progress
    cards: list[Card]
    takeaways: list[tuple[str, str]]
    decomposition: pl.DataFrame
    basis: str | None  # "previous" or "last_year": what the decomposition compares against
    clinics: pl.DataFrame | None = None
    extra: dict = field(default_factory=dict)


def logmean(a: float, b: float) -> float:
    """The logarithmic mean L(a, b) = (a − b) / (ln a − ln b), L(a, a) = a."""
    if a == b:
        return a
    return (a - b) / (math.log(a) - math.log(b))


def decompose(before: dict[str, float], after: dict[str, float]) -> dict[str, float] | None:
    """Each lever's share of the sales change, additive and exact (LMDI, Ang 2004): with
    sales = visitors × close_rate × ticket × frequency, lever x contributes L(S1, S0) · ln(x1 / x0),
    and the four contributions sum to S1 − S0. None when a lever is missing or zero (no logarithm)."""
    values = [before.get(k) for k in LEVERS] + [after.get(k) for k in LEVERS]
    if any(v is None or v <= 0 for v in values):
        return None
    s0 = math.prod(before[k] for k in LEVERS)
    s1 = math.prod(after[k] for k in LEVERS)
    weight = logmean(s1, s0)
    return {k: weight * math.log(after[k] / before[k]) for k in LEVERS}


def period_label(report, last_day: date | None) -> str:
    p = report.period
    label = p.label
    if p.kind == "week" or (p.kind not in ("month", "day") and p.start != p.end):
        label = f"{p.label}（{p.start:%m-%d} ~ {p.end:%m-%d}）"
    if last_day is not None and p.start <= last_day < p.end:
        label += f" · 截至 {last_day:%m-%d}"
    return label


def _cards(comparison: pl.DataFrame) -> list[Card]:
    rows = {r["kpi"]: r for r in comparison.iter_rows(named=True)}
    cards = []
    for k in CARD_KPIS:
        r = rows.get(k)
        if r is None:
            continue
        mom, yoy = r["mom"], r["yoy"]
        if k in RATES:  # a rate moves in points, not in percent of itself
            mom = None if r["current"] is None or r["previous"] is None else r["current"] - r["previous"]
            yoy = None if r["current"] is None or r["last_year"] is None else r["current"] - r["last_year"]
        cards.append(Card(k, r["current"], r["previous"], mom, r["last_year"], yoy))
    return cards


def _yuan(v: float, sign: bool = False) -> str:
    a = abs(v)
    if sign:
        return f"{v / 1e4:+,.1f}万" if a >= 1e4 else f"{v:+,.0f}元"
    return f"{v / 1e4:,.1f}万" if a >= 1e4 else f"{v:,.0f}元"


def _lever_text(k: str, x0: float, x1: float, lang: str) -> str:
    if k == "close_rate":
        return f"{x0 * 100:.1f}% → {x1 * 100:.1f}%"
    if k == "ticket":
        return f"¥{x0:,.0f} → ¥{x1:,.0f}"
    if k == "frequency":
        return f"{x0:.2f} → {x1:.2f}"
    return f"{x0:,.0f} → {x1:,.0f}" + ("人" if lang == "zh" else "")


def _takeaways(comparison: pl.DataFrame) -> tuple[list[tuple[str, str]], pl.DataFrame, str | None]:
    rows = {r["kpi"]: r for r in comparison.iter_rows(named=True)}
    empty = pl.DataFrame(
        schema={
            "lever": pl.String,
            "previous": pl.Float64,
            "current": pl.Float64,
            "change": pl.Float64,
            "contribution": pl.Float64,
        }
    )
    for basis, word_zh, word_en in (
        ("previous", "环比", "vs the previous period"),
        ("last_year", "同比", "vs last year"),
    ):
        before = {k: rows[k][basis] for k in LEVERS if k in rows}
        after = {k: rows[k]["current"] for k in LEVERS if k in rows}
        parts = decompose(before, after)
        if parts is None:
            continue
        s0, s1 = rows["sales"][basis], rows["sales"]["current"]
        frame = pl.DataFrame(
            {
                "lever": list(LEVERS),
                basis: [before[k] for k in LEVERS],
                "current": [after[k] for k in LEVERS],
                # A rate's change in points, as the takeaway above the table says it (SPEC §2).
                "change": [after[k] - before[k] if k in RATES else after[k] / before[k] - 1 for k in LEVERS],
                "contribution": [parts[k] for k in LEVERS],
            }
        )
        ranked = sorted(LEVERS, key=lambda k: -abs(parts[k]))
        out = []
        for k in ranked[:3]:
            c = parts[k]
            zh_name, en_name = LEVER_WORDS[k]
            rel = after[k] / before[k] - 1
            up_zh = "上升" if rel > 0 else "下降" if rel < 0 else "持平"
            effect_zh = "带动业绩" if c >= 0 else "拉低业绩"
            # A rate moves in percentage points (50.4% → 54.8% is 4.4 points, not 8.7%).
            size_zh = f"{abs(after[k] - before[k]) * 100:.1f} 个百分点" if k in RATES else f"{abs(rel) * 100:.1f}%"
            size_en = f"{abs(after[k] - before[k]) * 100:.1f} points" if k in RATES else f"{abs(rel) * 100:.1f}%"
            zh = (
                f"{zh_name}{word_zh}{up_zh} {size_zh}（{_lever_text(k, before[k], after[k], 'zh')}），"
                f"{effect_zh} {_yuan(abs(c))}。"
            )
            en = (
                f"{en_name.capitalize()} {'rose' if rel > 0 else 'fell' if rel < 0 else 'held'} "
                f"{size_en} {word_en} ({_lever_text(k, before[k], after[k], 'en')}), "
                f"{'adding' if c >= 0 else 'taking'} ¥{abs(c):,.0f} {'to' if c >= 0 else 'from'} sales."
            )
            out.append((zh, en))
        total_zh = f"业绩{word_zh} {_yuan(s1 - s0, sign=True)}（{_yuan(s0)} → {_yuan(s1)}），按四个杠杆拆解如下。"
        total_en = f"Sales moved {s1 - s0:+,.0f} yuan {word_en} (¥{s0:,.0f} → ¥{s1:,.0f}); by lever:"
        return [(total_zh, total_en), *out], frame, basis
    return (
        [
            (
                "没有可比的上期或去年同期，无法拆解业绩变化。",
                "No earlier period to compare with: the sales change cannot be broken down.",
            )
        ],
        empty,
        None,
    )


def clinic_comparison(con, period, cov, clinic: str | None) -> pl.DataFrame | None:
    """门店对比: each clinic's headline KPIs with 环比/同比, ranked by sales. None for a single clinic."""
    from aesthetic_cli.metrics.funnel import clinic_levers
    from aesthetic_cli.metrics.periods import comparable

    if clinic is not None:
        return None
    # Like with like, as the headline: a month in progress against the same days of the month before and last year.
    spans = comparable(period, cov.last_day)
    cur = clinic_levers(con, spans.current)
    if cur.height < 2:
        return None
    keep = ["group", "sales", "visitors", "close_rate", "ticket"]
    frame = cur.select(keep).with_columns(pl.col("sales").cast(pl.Float64), pl.col("ticket").cast(pl.Float64))
    for tag, other in (("mom", spans.previous), ("yoy", spans.last_year)):
        if not cov.covers(other.start):
            frame = frame.with_columns(pl.lit(None, pl.Float64).alias(f"sales_{tag}"))
            if tag == "mom":
                frame = frame.with_columns(
                    pl.lit(None, pl.Float64).alias("visitors_mom"),
                    pl.lit(None, pl.Float64).alias("close_rate_mom_diff"),
                )
            continue
        base = clinic_levers(con, other).select(
            pl.col("group"),
            pl.col("sales").cast(pl.Float64).alias("_s"),
            pl.col("visitors").alias("_v"),
            pl.col("close_rate").alias("_c"),
        )
        frame = frame.join(base, on="group", how="left").with_columns(
            pl.when(pl.col("_s") > 0).then(pl.col("sales") / pl.col("_s") - 1).alias(f"sales_{tag}")
        )
        if tag == "mom":
            frame = frame.with_columns(
                pl.when(pl.col("_v") > 0).then(pl.col("visitors") / pl.col("_v") - 1).alias("visitors_mom"),
                (pl.col("close_rate") - pl.col("_c")).alias("close_rate_mom_diff"),
            )
        frame = frame.drop("_s", "_v", "_c")
    frame = frame.sort("sales", descending=True).with_row_index("rank", offset=1)
    return (
        frame.rename({"group": "clinic"})
        .select(
            "rank",
            "clinic",
            "sales",
            "sales_mom",
            "sales_yoy",
            "visitors",
            "visitors_mom",
            "close_rate",
            "close_rate_mom_diff",
            "ticket",
        )
        .with_columns(pl.col("rank").cast(pl.Int64))
    )


def build(con, report, cov, clinic: str | None) -> Headline | None:
    result = report.results.get("funnel")
    if result is None or "comparison" not in result.tables:
        return None
    comparison = result.tables["comparison"]
    takeaways, frame, basis = _takeaways(comparison)
    clinics = None
    if report.kind == "monthly":
        pre = report.prefetched
        clinics = pre.pop("clinics") if "clinics" in pre else clinic_comparison(con, report.period, cov, clinic)
    return Headline(period_label(report, cov.last_day), _cards(comparison), takeaways, frame, basis, clinics)


def attach(con, report, cov, clinic: str | None) -> None:
    """Put the headline page first (and 门店对比 second, for a chain's monthly report)."""
    from aesthetic_cli.reports.content import Block, Section

    h = build(con, report, cov, clinic)
    report.headline = h
    if h is None:
        return
    cards = pl.DataFrame(
        {
            "kpi": [c.kpi for c in h.cards],
            "current": [c.current for c in h.cards],
            "previous": [c.previous for c in h.cards],
            "mom": [c.mom for c in h.cards],
            "last_year": [c.last_year for c in h.cards],
            "yoy": [c.yoy for c in h.cards],
        },
        schema={
            "kpi": pl.String,
            "current": pl.Float64,
            "previous": pl.Float64,
            "mom": pl.Float64,
            "last_year": pl.Float64,
            "yoy": pl.Float64,
        },
    )
    blocks = [Block("headline_kpis", ("核心指标", "Headline KPIs"), cards)]
    if h.decomposition.height:
        word = ("环比", "vs previous") if h.basis == "previous" else ("同比", "vs last year")
        blocks.append(
            Block(
                "levers_contribution",
                (f"业绩变化拆解（{word[0]}）", f"Sales change by lever ({word[1]})"),
                h.decomposition,
            )
        )
    sections = [
        Section(
            "概览",
            (f"概览 · {h.period_label}", f"At a glance · {h.period_label}"),
            blocks,
            [_Bilingual(*t) for t in h.takeaways],
        )
    ]
    if h.clinics is not None:
        sections.append(
            Section(
                "门店对比",
                ("门店对比（按业绩排名）", "Clinics ranked by sales"),
                [Block("clinics", ("门店核心指标", "Clinic KPIs"), h.clinics, _bar_chart())],
            )
        )
    report.sections[0:0] = sections


def _bar_chart():
    from aesthetic_cli.reports.content import Chart

    return Chart("bar", "clinic", ["sales"], ("门店业绩", "Sales by clinic"))


def _Bilingual(zh: str, en: str):
    from aesthetic_cli.metrics.result import Note

    return Note(zh, en)
