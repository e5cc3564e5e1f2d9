"""Channel ROI for customers acquired in a period, horizons, and the cut list (砍渠道), SPEC §2."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING

from aesthetic_cli.lazy_polars import pl
from aesthetic_cli.metrics import after_data
from aesthetic_cli.metrics.base import prepare, ratio, run
from aesthetic_cli.metrics.funnel import funnel_table
from aesthetic_cli.metrics.periods import Period, require_data
from aesthetic_cli.metrics.quartiles import MIN_FOR_QUARTILES, worst_quarter
from aesthetic_cli.metrics.result import Note, Result

if TYPE_CHECKING:
    from polars._typing import SchemaDict  # the type of a frame schema, as Polars annotates its own

DEFAULT_HORIZONS = (30, 90, 180, 365)
FLAGS = {"low_output": "产出低", "slow": "见效慢", "costly": "费用高", "thin": "送客少"}


def channel_roi(con, period: Period, *, horizons=DEFAULT_HORIZONS, clinic: str | None = None) -> Result:
    cov = prepare(con)
    require_data(period, cov.last_day)
    horizons = tuple(sorted({int(h) for h in horizons}))
    params = {"start": period.start, "end": period.end, "clinic": clinic}
    # Leads up to the data's last day, as spend and the funnel count them: a lead exported later than the orders
    # counted here and not in `aesops funnel`.
    upto = Period(period.start, min(period.end, cov.last_day), period.kind) if cov.last_day else period
    base = funnel_table(con, upto, clinic).select("channel", "leads", "arrivals", "buyers")
    spent = run(con, "channels", "spend", {**params, "last": cov.last_day})
    prorated = spent.filter(pl.col("prorated"))["channel"].to_list()
    spend = spent.select("channel", pl.col("spend").cast(pl.Float64))
    # Per channel, day since first_seen and in the period or not; net exact (DECIMAL), summed exactly here
    # and made a float only as a whole channel's figure.
    days = run(con, "channels", "acquired_days", params)

    sums = [pl.col("net").filter(pl.col("in_period")).sum().cast(pl.Float64).alias("sales")]
    incomplete = [h for h in horizons if cov.last_day is None or period.end + timedelta(days=h - 1) > cov.last_day]
    for h in horizons:
        col = pl.col("net").filter(pl.col("offset") < h).sum().cast(pl.Float64)
        sums.append((pl.lit(None, pl.Float64) if h in incomplete else col).alias(f"sales_{h}d"))
    per = days.group_by("channel").agg(*sums)
    table = (
        base.join(spend, on="channel", how="full", coalesce=True)
        .join(per, on="channel", how="left")
        .with_columns(
            pl.col("spend").fill_null(0.0),
            pl.col("sales").fill_null(0.0),
            *[pl.col(c).fill_null(0) for c in ("leads", "arrivals", "buyers")],
        )
    )
    # A paid channel that acquired nobody has no row of days: its complete horizons' sales are 0, not unknown,
    # so it reads as the costliest, slowest and lowest-output channel it is (SPEC §2 cut list).
    complete_cols = [f"sales_{h}d" for h in horizons if h not in incomplete]
    table = table.with_columns(pl.col(c).fill_null(0.0) for c in complete_cols)
    table = table.join(_payback(days, table), on="channel", how="left")
    paid = pl.col("spend") > 0
    complete = [h for h in horizons if h not in incomplete]
    # 产出低 reads output per yuan at the longest horizon the data has seen whole, else in the period.
    output_col = f"sales_{complete[-1]}d" if complete else "sales"
    table = table.with_columns(
        pl.when(paid).then(ratio("spend", "leads")).alias("cpl"),
        pl.when(paid).then(ratio("spend", "arrivals")).alias("cost_per_arrival"),
        pl.when(paid).then(ratio("spend", "buyers")).alias("cac"),
        pl.when(paid).then(ratio("sales", "spend")).alias("roas"),
        pl.when(paid).then((pl.col("sales") - pl.col("spend")) / pl.col("spend")).alias("roi"),
        pl.when(paid).then(pl.col(output_col) / pl.col("spend")).alias("output_roas"),
        pl.lit(incomplete, dtype=pl.List(pl.Int64)).alias("incomplete_horizons"),
    )
    cols = [
        "channel",
        "spend",
        "leads",
        "arrivals",
        "buyers",
        "sales",
        "cpl",
        "cost_per_arrival",
        "cac",
        "roas",
        "roi",
        *[f"sales_{h}d" for h in horizons],
        "output_roas",
        "payback_days",
        "incomplete_horizons",
    ]
    table = table.select(cols).sort(["spend", "sales"], descending=True)
    basis = f"{complete[-1]}d" if complete else "period"
    notes = []
    if incomplete:
        hs = ", ".join(f"{h}d" for h in incomplete)
        notes.append(
            Note(
                f"{hs} 周期超出数据末日（{cov.last_day}）：未满，留空而不显示偏少的数。",
                f"Horizons {hs} reach past the data's last day ({cov.last_day}): shown empty (未满), never short.",
            )
        )
    if prorated:
        names = ", ".join(sorted(prorated))
        # The data's last day is named only when it is what cut the month (a month in progress).
        cut = cov.last_day is not None and cov.last_day < period.end
        notes.append(
            Note(
                f"{names} 的费用按月记录，本期只含该月的部分天数"
                + (f"（截至数据末日 {cov.last_day}）" if cut else "")
                + "：按天数比例折算（该月费用 × 本期有数据的天数 ÷ 当月天数）。",
                f"Spend for {names} is recorded by month and the period covers only part of a month"
                + (f" (data to {cov.last_day})" if cut else "")
                + ": it is prorated by days (the month's spend × the period's days with data ÷ the month's days).",
            )
        )
    free = table.filter(pl.col("spend") == 0)["channel"].to_list()
    if free:
        names = ", ".join(free)
        notes.append(
            Note(
                f"{names} 没有投放费用：不计算成本类比率。", f"No spend recorded for {names}: no cost ratios for them."
            )
        )
    named = set(run(con, "channels", "named_channels", {})["channel"].to_list())
    unnamed = sorted(c for c in table.filter(pl.col("spend") > 0)["channel"].to_list() if c not in named)
    if unnamed:
        names = ", ".join(unnamed)
        notes.append(
            Note(
                f"{names} 有投放费用，但没有任何线索、到院或顾客档案写这个渠道：若是另一种写法（如 巨量引擎 之于 "
                "抖音），请统一渠道名称后重新导入；否则它确实没有带来顾客，砍渠道按此评估。",
                f"{names} has spend, but no lead, visit or customer record names that channel: if it is another "
                "spelling (巨量引擎 for 抖音), give the exports one name and import them again; otherwise it brought "
                "nobody, and the cut list counts it so.",
            )
        )
    cuts, cut_notes = cut_list(table, basis)
    notes.extend(cut_notes)
    left_out = after_data.left_out_note(con, cov.last_day, period.end, clinic)
    if left_out:
        notes.append(left_out)
    meta = {
        "command": "channels",
        "period": period.label,
        "start": period.start,
        "end": period.end,
        "clinic": clinic,
        "horizons": list(horizons),
        "incomplete_horizons": incomplete,
        "output_basis": basis,
        "data_last_day": cov.last_day,
    }
    return Result(meta=meta, tables={"channels": table, "cut_list": cuts}, notes=notes)


def _payback(days: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """Payback days (见效慢): the days after first_seen until the cumulative sales of the customers a
    channel acquired in the period reach its spend in the period. Null when not reached in the data."""
    spend = dict(zip(table["channel"].to_list(), table["spend"].to_list(), strict=True))
    # The running sum is exact (DECIMAL) and compared as a float, as the spend is one.
    daily = (
        days.filter(pl.col("offset").is_not_null())
        .group_by("channel", "offset")
        .agg(pl.col("net").sum())
        .sort("channel", "offset")
        .with_columns(pl.col("net").cum_sum().over("channel").cast(pl.Float64).alias("running"))
    )
    rows = []
    for ch in table["channel"].to_list():
        target, found = spend.get(ch) or 0.0, None
        if target > 0:
            for offset, running in daily.filter(pl.col("channel") == ch).select("offset", "running").iter_rows():
                if running >= target - 1e-9:
                    found = int(offset)
                    break
        rows.append({"channel": ch, "payback_days": found})
    return pl.DataFrame(rows, schema={"channel": pl.String, "payback_days": pl.Int64})


def cut_list(table: pl.DataFrame, basis: str = "period") -> tuple[pl.DataFrame, list[Note]]:
    """砍渠道 (SPEC §2) over paid channels: 产出低 = ROAS at the longest complete horizon (else the
    period's), 见效慢 = payback days (never reached = slowest), 费用高 = CAC (no buyer = costliest),
    送客少 = arrivals; each flagged by its worst quartile, two flags or more make a cut candidate.
    Every flag shows the channel's figure and the threshold."""
    paid = table.filter(pl.col("spend") > 0)
    schema: SchemaDict = {
        "channel": pl.String,
        "flags": pl.List(pl.String),
        "flag_count": pl.Int64,
        "cut_candidate": pl.Boolean,
        "output_roas": pl.Float64,
        "output_roas_threshold": pl.Float64,
        "payback_days": pl.Int64,
        "payback_days_threshold": pl.Float64,
        "cac": pl.Float64,
        "cac_threshold": pl.Float64,
        "arrivals": pl.Int64,
        "arrivals_threshold": pl.Float64,
        "reasons": pl.List(pl.String),
    }
    notes: list[Note] = []
    if paid.height == 0:
        return pl.DataFrame(schema=schema), notes
    inf = math.inf
    # A missing figure is the worst one: no output, never paid back, no buyer.
    figures = {
        "low_output": ("low", [x if x is not None else 0.0 for x in paid["output_roas"].to_list()]),
        "slow": ("high", [float(x) if x is not None else inf for x in paid["payback_days"].to_list()]),
        "costly": ("high", [x if x is not None else inf for x in paid["cac"].to_list()]),
        "thin": ("low", [float(x) for x in paid["arrivals"].to_list()]),
    }
    enough = paid.height >= MIN_FOR_QUARTILES
    hits: dict[str, set] = {}
    thresholds: dict[str, float | None] = {}
    for key, (worst, values) in figures.items():
        hits[key], thresholds[key] = worst_quarter(values, worst) if enough else (set(), None)
    if not enough:
        notes.append(
            Note(
                f"付费渠道只有 {paid.height} 个（少于4个），无法形成四分位：砍渠道不标记，仅列出各项数字。",
                f"Only {paid.height} paid channel(s), fewer than 4: quartiles can't be formed, so the cut "
                "list shows the figures without flags.",
            )
        )
    basis_zh = f"{basis[:-1]}天" if basis != "period" else "本期"
    rows = []
    for i, r in enumerate(paid.iter_rows(named=True)):
        flags, reasons = [], []
        for key in FLAGS:
            threshold = thresholds[key]
            if i not in hits[key] or threshold is None:  # no threshold (too few channels), no hits
                continue
            flags.append(FLAGS[key])
            reasons.append(_reason(key, r, threshold, basis_zh))
        t = {k: (None if v is None or math.isinf(v) else v) for k, v in thresholds.items()}
        rows.append(
            {
                "channel": r["channel"],
                "flags": flags,
                "flag_count": len(flags),
                "cut_candidate": len(flags) >= 2,
                "output_roas": r["output_roas"],
                "output_roas_threshold": t["low_output"],
                "payback_days": r["payback_days"],
                "payback_days_threshold": t["slow"],
                "cac": r["cac"],
                "cac_threshold": t["costly"],
                "arrivals": r["arrivals"],
                "arrivals_threshold": t["thin"],
                "reasons": reasons,
            }
        )
    out = pl.DataFrame(rows, schema=schema).sort(["flag_count", "channel"], descending=[True, False])
    return out, notes


def _reason(key: str, r: dict, threshold: float, basis_zh: str) -> str:
    def num(x, fmt):
        return "—" if x is None else ("∞" if math.isinf(x) else format(x, fmt))

    if key == "low_output":
        return f"产出低: ROAS({basis_zh}) {num(r['output_roas'], '.2f')} ≤ {num(threshold, '.2f')}"
    if key == "slow":
        figure = "未回本" if r["payback_days"] is None else f"{r['payback_days']}天"
        return f"见效慢: 回本 {figure} ≥ {num(threshold, '.0f')}天"
    if key == "costly":
        figure = "无成交" if r["cac"] is None else f"{r['cac']:,.0f}"
        return f"费用高: 获客成本 {figure} ≥ {num(threshold, ',.0f')}"
    return f"送客少: 到院 {r['arrivals']} ≤ {num(threshold, '.1f')}"
