"""Targets (SPEC §2): split a yearly number into months, new/old, clinics, departments, consultants,
weeks and days, and into the four levers; track actual against it.

业绩 = 来院人数 × 成交率 × 客单价 × 来院频率. Every split is in whole yuan and adds up exactly to
its parent (largest-remainder apportionment), so no rounding drift appears anywhere.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import date

from aesthetic_cli.errors import UsageError
from aesthetic_cli.glossary import name_of as label
from aesthetic_cli.lazy_polars import pl
from aesthetic_cli.metrics.base import group_column, prepare, run
from aesthetic_cli.metrics.funnel import RATES, kpis, with_levers
from aesthetic_cli.metrics.periods import Period, comparable, month
from aesthetic_cli.metrics.result import Note, Result
from aesthetic_cli.sqlfiles import query

LEVERS = ("visitors", "close_rate", "ticket", "frequency")
DIMENSIONS = ("clinic", "department", "consultant")


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split a whole number by weights into whole numbers that add up to it exactly (largest remainder)."""
    if not weights:
        return []
    clean = [max(0.0, float(w or 0.0)) for w in weights]
    s = sum(clean)
    if s <= 0:
        clean, s = [1.0] * len(weights), float(len(weights))
    exact = [total * w / s for w in clean]
    floors = [int(x // 1) for x in exact]
    short = total - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:short]:
        floors[i] += 1
    return floors


@dataclass
class History:
    """The last twelve complete months the plan leans on: for each calendar month, the latest year
    whose whole month the data covers (last year's, or the year before when last year's is not over)."""

    months: pl.DataFrame  # month_no, source_year, sales, new_sales, visitors, close_rate, ticket, frequency
    shares: dict[str, pl.DataFrame] = field(default_factory=dict)  # dimension -> key, sales
    weekday: dict[int, float] = field(default_factory=dict)  # ISO weekday -> average sales per day
    notes: list[Note] = field(default_factory=list)

    @property
    def total(self) -> float:
        # Exact to the cent (see _with_total).
        return round(float(self.months["sales"].sum() or 0.0), 2)

    @property
    def has_sales(self) -> bool:
        return self.total > 0


def history(con, target_year: int) -> History:
    cov = prepare(con)
    rows, sources, notes = [], [], []
    # Every month the plan may lean on, in one query (two years back): the same figures as kpis per month.
    span = Period(date(target_year - 2, 1, 1), date(target_year - 1, 12, 31), "range")
    per_month = {
        r["month"]: r
        for r in with_levers(run(con, "targets", "month_sales", {"start": span.start, "end": span.end})).iter_rows(
            named=True
        )
    }
    for m in range(1, 13):
        source = None
        for y in (target_year - 1, target_year - 2):
            p = month(date(y, m, 1))
            # The data must run to the month's end; a month in which it begins counts whole (quiet first
            # days and a late export start look the same).
            if cov.first_day and cov.last_day and cov.first_day <= p.end and p.end <= cov.last_day:
                source = p
                break
        r = {}
        if source is not None:
            r = per_month.get(source.start, {})
            sources.append(source)
        rows.append(
            {
                "month_no": m,
                "source_year": source.start.year if source else None,
                "sales": float(r.get("sales") or 0.0),
                "new_sales": float(r.get("new_sales") or 0.0),
                **{lv: r.get(lv) for lv in LEVERS},
            }
        )
    months = pl.DataFrame(
        rows,
        schema={
            "month_no": pl.Int64,
            "source_year": pl.Int64,
            "sales": pl.Float64,
            "new_sales": pl.Float64,
            "visitors": pl.Float64,
            "close_rate": pl.Float64,
            "ticket": pl.Float64,
            "frequency": pl.Float64,
        },
    )
    older = [f"{r['month_no']}月" for r in months.iter_rows(named=True) if r["source_year"] == target_year - 2]
    if older:
        notes.append(
            Note(
                f"数据中 {target_year - 1} 年不完整：{'、'.join(older)} 使用 {target_year - 2} 年的数据。",
                f"{target_year - 1} is not complete in the data: {', '.join(older)} use {target_year - 2}'s figures.",
            )
        )
    missing = [f"{r['month_no']}月" for r in months.iter_rows(named=True) if r["source_year"] is None]
    shares, weekday = {}, {}
    if sources:
        if missing:
            notes.append(
                Note(
                    f"{'、'.join(missing)} 没有完整的历史数据：按平均月份的权重分配。",
                    f"No complete history for {', '.join(missing)}: they get the average month's weight.",
                )
            )
            avg = months.filter(pl.col("source_year").is_not_null())["sales"].mean()
            months = months.with_columns(
                pl.when(pl.col("source_year").is_null()).then(pl.lit(avg)).otherwise(pl.col("sales")).alias("weight")
            )
        window = Period(min(p.start for p in sources), max(p.end for p in sources), "range")
        for dim in DIMENSIONS:
            k = _by(con, "dimension_sales", {"start": window.start, "end": window.end}, dim)
            shares[dim] = k.select("key", "sales").sort("key")
        wd = run(con, "targets", "weekday_sales", {"start": window.start, "end": window.end})
        weekday = {int(r["weekday"]): float(r["sales"]) / r["days"] for r in wd.iter_rows(named=True) if r["days"]}
    if "weight" not in months.columns:
        months = months.with_columns(pl.col("sales").alias("weight"))
    return History(months=months, shares=shares, weekday=weekday, notes=notes)


def _by(con, name: str, params: dict, dim: str | None) -> pl.DataFrame:
    """Sales per key of a dimension (query `name`, sql/targets.sql). Consultants are credited as `aesops
    consultants` credits them (by the visit's consultant that day, else the order lines'), so that a
    consultant's share of the plan and their actual are the sales that command shows for them."""
    if dim == "consultant":
        return run(con, "targets", f"{name}_by_consultant", params)
    return run(con, "targets", name, params, g=group_column(dim))


@dataclass
class Plan:
    year: int
    total: int
    months: pl.DataFrame
    dims: dict[str, pl.DataFrame]  # dimension -> key, month_no, target
    days: pl.DataFrame  # day, target
    dim_days: pl.DataFrame  # day, dimension, key, target
    params: dict
    notes: list[Note]


def _month_days(year: int, m: int) -> list[date]:
    return [date(year, m, d) for d in range(1, calendar.monthrange(year, m)[1] + 1)]


def split(
    con,
    year: int,
    *,
    total: int | None = None,
    growth: float | None = None,
    new_share: float | None = None,
    by: tuple[str, ...] = DIMENSIONS,
) -> Plan:
    if (total is None) == (growth is None):
        raise UsageError("Give exactly one of --total (yuan) or --growth (e.g. 0.15 for +15%).")
    if new_share is not None and not 0 <= new_share <= 1:
        raise UsageError("--new-share is a fraction between 0 and 1, e.g. 0.4.")
    bad = [d for d in by if d not in DIMENSIONS]
    if bad:
        raise UsageError(f"--by {','.join(bad)}: split by {', '.join(DIMENSIONS)}.")
    hist = history(con, year)
    notes = list(hist.notes)
    if growth is not None:
        if not hist.has_sales:
            raise UsageError(
                f"--growth needs last year's sales, and the warehouse has no complete month of {year - 1}"
                f" or {year - 2}.",
                hint="Give the target itself with --total, or import last year's orders first.",
            )
        # Over a year the data does not wholly cover, last year's sales are annualised the way the months are
        # weighted (a month without history as the average month): growth over eight months' sales spread over
        # twelve asked every month for less than last year.
        base = float(hist.months["weight"].sum())
        if base != hist.total:
            notes.append(
                Note(
                    f"增长的基数：有历史的月份之和 {hist.total:,.0f}，缺的月份按平均月份补足，全年 {base:,.0f}。",
                    f"Growth is over {base:,.0f}: the months with history ({hist.total:,.0f}), and the average month "
                    "for each month without.",
                )
            )
        total = round(base * (1 + growth))
    if total is None or total <= 0:
        raise UsageError("The target must be a positive number of yuan.")
    total = int(total)
    if hist.has_sales:
        weights = hist.months["weight"].to_list()
    else:
        weights = [len(_month_days(year, m)) for m in range(1, 13)]
        notes.append(
            Note(
                f"没有 {year - 1} 年的业绩历史：按每月天数分配，且无法按去年的比率换算成四个杠杆。",
                f"No sales history for {year - 1}: months are split by their number of days, "
                "and the levers cannot be expressed at last year's rates.",
            )
        )
    month_targets = apportion(total, weights)

    rows = []
    overall_new = (float(hist.months["new_sales"].sum()) / hist.total) if hist.has_sales else None
    for m, target in zip(range(1, 13), month_targets, strict=True):
        h = hist.months.row(m - 1, named=True)
        share = new_share
        if share is None:
            share = (h["new_sales"] / h["sales"]) if h["sales"] > 0 else overall_new
        share = min(1.0, max(0.0, share)) if share is not None else None
        new_t = round(target * share) if share is not None else None
        levels = {lv: h[lv] for lv in ("close_rate", "ticket", "frequency")}
        product = (levels["close_rate"] or 0) * (levels["ticket"] or 0) * (levels["frequency"] or 0)
        rows.append(
            {
                "month": f"{year}-{m:02d}",
                "month_no": m,
                "target": target,
                "share": target / total,
                "new_target": new_t,
                "old_target": (target - new_t) if new_t is not None else None,
                "last_year_sales": h["sales"],
                "visitors": (target / product) if product > 0 else None,
                **levels,
                "last_year_visitors": h["visitors"],
            }
        )
    # Visitors are people: whole numbers, largest-remainder rounded so the months still add up to the
    # year's (rounded) visitors. The other levers stay at last year's rates, so visitors × close_rate ×
    # ticket × frequency is the target to within one visitor's worth.
    exact = [r["visitors"] for r in rows]
    known = [i for i, v in enumerate(exact) if v is not None]
    if known:
        whole = apportion(round(sum(exact[i] for i in known)), [exact[i] for i in known])
        for i, v in zip(known, whole, strict=True):
            rows[i]["visitors"] = v
    months = pl.DataFrame(rows, schema_overrides={"visitors": pl.Int64})
    if new_share is None and not hist.has_sales:
        notes.append(
            Note(
                "无法拆分新老客：请给出 --new-share，或导入去年的数据。",
                "No new/old split: give --new-share, or import last year's data.",
            )
        )

    dims = {}
    for dim in by:
        sh = hist.shares.get(dim)
        if sh is None or sh.height == 0:
            zh_dim = label(dim, "zh")
            notes.append(
                Note(
                    f"{year - 1} 年没有{zh_dim}的业绩占比：不按{zh_dim}拆分。",
                    f"No {dim} shares in {year - 1}: no {dim} split.",
                )
            )
            continue
        part = []
        for m, target in zip(range(1, 13), month_targets, strict=True):
            for key, t in zip(sh["key"].to_list(), apportion(target, sh["sales"].to_list()), strict=True):
                part.append({"key": key, "month_no": m, "target": t})
        dims[dim] = pl.DataFrame(part)

    # Days by last year's weekday pattern (even when unknown); weeks are sums of days.
    day_rows, dim_day_rows = [], []
    for m, target in zip(range(1, 13), month_targets, strict=True):
        days = _month_days(year, m)
        w = [hist.weekday.get(d.isoweekday(), 0.0) for d in days] if hist.weekday else [1.0] * len(days)
        for d, t in zip(days, apportion(target, w), strict=True):
            day_rows.append({"day": d, "target": t})
        for dim, frame in dims.items():
            for r in frame.filter(pl.col("month_no") == m).iter_rows(named=True):
                for d, t in zip(days, apportion(r["target"], w), strict=True):
                    dim_day_rows.append({"day": d, "dimension": dim, "key": r["key"], "target": t})
    params = {
        "year": year,
        "total": total,
        "growth": growth,
        "new_share": new_share,
        "by": list(by),
        "history_months": {r["month_no"]: r["source_year"] for r in hist.months.iter_rows(named=True)},
        "history_sales": hist.total,
    }
    dim_days = (
        pl.DataFrame(dim_day_rows)
        if dim_day_rows
        else pl.DataFrame(schema={"day": pl.Date, "dimension": pl.String, "key": pl.String, "target": pl.Int64})
    )
    return Plan(
        year=year,
        total=total,
        months=months,
        dims=dims,
        days=pl.DataFrame(day_rows),
        dim_days=dim_days,
        params=params,
        notes=notes,
    )


def weeks(plan: Plan) -> pl.DataFrame:
    return (
        plan.days.with_columns(pl.col("day").dt.strftime("%G-W%V").alias("week"))
        .group_by("week")
        .agg(
            pl.col("day").min().alias("start"), pl.col("day").max().alias("end"), pl.col("target").sum().alias("target")
        )
        .sort("start")
    )


def solve(plan: Plan, lever: str) -> pl.DataFrame:
    """How far one lever must move, the others held at last year's values, to reach each month's target."""
    if lever not in LEVERS:
        raise UsageError(f"--solve '{lever}': choose one of {', '.join(LEVERS)}.")
    m = plan.months
    ly = {
        "visitors": pl.col("last_year_visitors"),
        "close_rate": pl.col("close_rate"),
        "ticket": pl.col("ticket"),
        "frequency": pl.col("frequency"),
    }
    others = [ly[x] for x in LEVERS if x != lever]
    product = others[0] * others[1] * others[2]
    needed = pl.when(product > 0).then(pl.col("target") / product)
    return m.select(
        "month",
        "target",
        pl.lit(lever).alias("lever"),
        ly[lever].alias("last_year"),
        needed.alias("needed"),
    ).with_columns(
        # A rate's change in points (0.55 against 0.50 is +5 points, not +10%), as every table shows it (SPEC §2).
        (pl.col("needed") - pl.col("last_year")).alias("change")
        if lever in RATES
        else pl.when(pl.col("last_year") > 0).then(pl.col("needed") / pl.col("last_year") - 1).alias("change")
    )


def split_result(plan: Plan, *, lever: str | None = None, with_days: bool = False) -> Result:
    """The plan as tables, each with a closing 合计 (`total`) row: read a total row as the sum of the rows
    above it, not as one more month, week or person."""
    months = plan.months.select(
        "month",
        "target",
        "share",
        "new_target",
        "old_target",
        "last_year_sales",
        "visitors",
        "close_rate",
        "ticket",
        "frequency",
    )
    tables = {
        "months": _with_total(
            months, "month", ["target", "share", "new_target", "old_target", "last_year_sales", "visitors"]
        )
    }
    for dim, frame in plan.dims.items():
        wide = frame.with_columns(
            pl.format(f"{plan.year}-{{}}", pl.col("month_no").cast(pl.String).str.zfill(2)).alias("col")
        ).pivot(on="col", index="key", values="target", sort_columns=True)
        month_cols = [c for c in wide.columns if c != "key"]
        wide = (
            wide.with_columns(pl.sum_horizontal(month_cols).alias("target"))
            .select(pl.col("key").alias(dim), "target", *month_cols)
            .sort("target", descending=True)
        )
        tables[f"by_{dim}"] = _with_total(wide, dim, ["target", *month_cols])
    w = weeks(plan)
    tables["weeks"] = pl.concat(
        [
            w,
            pl.DataFrame(
                {"week": [TOTAL], "start": [w["start"].min()], "end": [w["end"].max()], "target": [w["target"].sum()]},
                schema=w.schema,
            ),
        ]
    )
    if with_days:
        days = plan.days.with_columns(pl.col("day").cast(pl.String))
        tables["days"] = _with_total(days, "day", ["target"])
    if lever:
        tables["solve"] = solve(plan, lever)
    return Result(meta={"command": "targets split", **plan.params}, tables=tables, notes=plan.notes)


TOTAL = "total"  # the key of a split table's closing row; tables show it as 合计


def _with_total(frame: pl.DataFrame, key: str, summed: list[str]) -> pl.DataFrame:
    # A float column of amounts in cents sums to within far less than half a cent of its exact sum: rounded to the
    # cent, the total is exact (SPEC §2), not 7936801.279999999.
    total = frame.select(
        pl.lit(TOTAL).alias(key),
        *[pl.col(c).sum().round(2) if frame.schema[c].is_float() else pl.col(c).sum() for c in summed],
    )
    return pl.concat([frame, total], how="diagonal_relaxed").select(frame.columns)


def save(con, plan: Plan) -> bool:
    """Store the plan, replacing an earlier one for the year. Returns True when one was replaced."""
    existed = con.execute(query("targets", "plan_exists"), {"y": plan.year}).fetchone()[0] > 0
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in query("targets", "delete_plan").split(";"):
            if statement.strip():
                con.execute(statement, {"y": plan.year})
        con.execute(
            query("targets", "insert_plan"),
            {"y": plan.year, "t": plan.total, "p": json.dumps(plan.params, ensure_ascii=False)},
        )
        days = pl.concat(
            [
                plan.days.with_columns(pl.lit("all").alias("dimension"), pl.lit("all").alias("key")).select(
                    "day", "dimension", "key", "target"
                ),
                plan.dim_days.select("day", "dimension", "key", "target"),
            ]
        ).with_columns(pl.lit(plan.year).alias("year"), pl.col("target").cast(pl.Int64))
        con.register("plan_days_in", days.to_arrow())
        con.execute(query("targets", "insert_days"))
        con.unregister("plan_days_in")
        levers = plan.months.select(
            pl.lit(plan.year).alias("year"),
            pl.col("month").str.to_date("%Y-%m").alias("month"),
            "target",
            "visitors",
            "close_rate",
            "ticket",
            "frequency",
        )
        con.register("plan_levers_in", levers.to_arrow())
        con.execute(query("targets", "insert_levers"))
        con.unregister("plan_levers_in")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return existed


def track(con, period: Period, *, asof: date | None = None) -> Result:
    cov = prepare(con)
    # The one comparison rule (periods.comparable): a period after the data is refused, one the data ends
    # inside is tracked to the data's last day at the latest (a later --date would count days not yet
    # imported as days without sales).
    latest = comparable(period, cov.last_day).current.end
    year = period.start.year
    has = con.execute(query("targets", "has_plans")).fetchone()[0]
    saved = con.execute(query("targets", "saved_plan"), {"y": year}).fetchone() if has else None
    if not saved:
        raise UsageError(
            f"No saved target plan for {year}.",
            hint=f"Make one with `aesops targets split --year {year} --total N --save`.",
        )
    asof = min(asof or period.end, latest)
    if asof < period.start:
        raise UsageError(f"The data ends {cov.last_day}, before {period.label} starts: nothing to track yet.")
    elapsed_days = (asof - period.start).days + 1
    remaining_days = period.days - elapsed_days
    frames = []
    for dim in ("all", *DIMENSIONS):
        plan = run(
            con,
            "targets",
            "plan_days",
            {"year": year, "dimension": dim, "start": period.start, "end": period.end, "asof": asof},
        )
        if plan.height == 0:
            continue
        actual = _by(con, "actual", {"start": period.start, "asof": asof}, None if dim == "all" else dim)
        frames.append(plan.join(actual, on="key", how="full", coalesce=True).with_columns(pl.lit(dim).alias("scope")))
    progress = pl.concat(frames, how="diagonal_relaxed").with_columns(
        pl.col("target").fill_null(0).cast(pl.Float64),
        pl.col("target_to_date").fill_null(0).cast(pl.Float64),
        pl.col("actual").fill_null(0.0),
    )
    progress = progress.with_columns(
        pl.when(pl.col("target_to_date") > 0).then(pl.col("actual") / pl.col("target_to_date")).alias("achievement"),
        pl.when(pl.col("target") > 0).then(pl.col("target_to_date") / pl.col("target")).alias("plan_elapsed"),
        pl.lit(elapsed_days / period.days).alias("period_elapsed"),
        # What is still missing and what has been beaten, each positive: over-achievement is 超额, never a
        # negative gap.
        pl.max_horizontal(pl.col("target") - pl.col("actual"), pl.lit(0.0)).alias("gap"),
        pl.max_horizontal(pl.col("actual") - pl.col("target"), pl.lit(0.0)).alias("over_target"),
    ).with_columns(
        # Run-rate weighted by the plan's own day pattern: weekends and peaks count as planned.
        pl.when(pl.col("plan_elapsed") > 0).then(pl.col("actual") / pl.col("plan_elapsed")).alias("projection"),
        (pl.when(pl.lit(remaining_days) > 0).then(pl.col("gap") / max(remaining_days, 1)).otherwise(None)).alias(
            "needed_per_day"
        ),
    )
    order = {"all": 0, "clinic": 1, "department": 2, "consultant": 3}
    progress = progress.sort([pl.col("scope").replace_strict(order), pl.col("target")], descending=[False, True])
    progress = progress.select(
        "scope",
        "key",
        "target",
        "target_to_date",
        "actual",
        "achievement",
        "period_elapsed",
        "projection",
        "gap",
        "over_target",
        "needed_per_day",
    )
    levers = _lever_check(con, period, asof, year)
    behind = levers.filter(pl.col("ratio").is_not_null()).sort("ratio").head(1)
    notes = [
        Note(
            f"{period.label}：共 {period.days} 天，已过 {elapsed_days} 天（截至 {asof}），剩余 {remaining_days} 天。",
            f"{period.label}: {elapsed_days} of {period.days} days gone (as of {asof}); {remaining_days} days left.",
        )
    ]
    if behind.height and behind["ratio"][0] < 1:
        lever, ratio_ = behind["lever"][0], behind["ratio"][0]
        notes.append(
            Note(
                f"最落后的杠杆：{label(lever, 'zh')}，仅达计划的 {ratio_:.0%}。",
                f"Furthest behind: {lever} at {ratio_:.0%} of plan.",
            )
        )
    meta = {
        "command": "targets track",
        "period": period.label,
        "start": period.start,
        "end": period.end,
        "asof": asof,
        "elapsed_days": elapsed_days,
        "remaining_days": remaining_days,
        "furthest_behind": behind["lever"][0] if behind.height else None,
    }
    return Result(meta=meta, tables={"progress": progress, "levers": levers}, notes=notes)


def _lever_check(con, period: Period, asof: date, year: int) -> pl.DataFrame:
    """Each lever to date against the plan: visitors against the planned pace, rates against plan rates."""
    plan = con.execute(
        query("targets", "lever_plan"), {"y": year, "s": period.start, "a": asof, "e": period.end}
    ).fetchone()
    actual = kpis(con, Period(period.start, asof, "range"))
    a = actual.row(0, named=True) if actual.height else {}
    rows = []
    for i, lever in enumerate(LEVERS):
        p, v = plan[i], a.get(lever)
        rows.append({"lever": lever, "plan": p, "actual": v, "ratio": (v / p) if (p and v is not None) else None})
    return pl.DataFrame(
        rows, schema={"lever": pl.String, "plan": pl.Float64, "actual": pl.Float64, "ratio": pl.Float64}
    )
