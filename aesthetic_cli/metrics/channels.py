"""Channel ROI for customers acquired in a period, horizons, and the cut list (砍渠道), SPEC §2."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from aesthetic_cli.metrics.base import prepare, ratio, run
from aesthetic_cli.metrics.funnel import funnel_table
from aesthetic_cli.metrics.periods import Period
from aesthetic_cli.metrics.result import Note, Result

DEFAULT_HORIZONS = (30, 90, 180, 365)
FLAGS = {"low_output": "产出低", "slow": "见效慢", "costly": "费用高", "thin": "送客少"}


def channel_roi(con, period: Period, *, horizons=DEFAULT_HORIZONS, clinic: str | None = None) -> Result:
    cov = prepare(con)
    horizons = tuple(sorted({int(h) for h in horizons}))
    params = {"start": period.start, "end": period.end, "clinic": clinic}
    base = funnel_table(con, period, clinic).select("channel", "leads", "arrivals", "buyers")
    spend = run(con, "channels", "spend", params)
    days = run(con, "channels", "acquired_days", {**params, "max_h": max(horizons)})

    in_period = pl.col("day").is_between(period.start, period.end)
    sums = [pl.col("net").filter(in_period).sum().alias("sales")]
    incomplete = [h for h in horizons
                  if cov.last_day is None or period.end + timedelta(days=h - 1) > cov.last_day]
    for h in horizons:
        within = pl.col("day") < pl.col("first_seen") + pl.duration(days=h)
        col = pl.col("net").filter(within).sum()
        sums.append((pl.lit(None, pl.Float64) if h in incomplete else col).alias(f"sales_{h}d"))
    per = days.group_by("channel").agg(*sums)
    speed = (days.select("channel", "customer_id", "first_seen", "first_deal").unique()
             .filter(pl.col("first_deal").is_not_null())
             .group_by("channel")
             # The mean, not the median: most buy on day 0, and the mean shows how many take long.
             .agg((pl.col("first_deal") - pl.col("first_seen")).dt.total_days().mean()
                  .alias("days_to_first_deal")))
    table = (base.join(spend, on="channel", how="full", coalesce=True)
             .join(per, on="channel", how="left").join(speed, on="channel", how="left")
             .with_columns(pl.col("spend").fill_null(0.0), pl.col("sales").fill_null(0.0),
                           *[pl.col(c).fill_null(0) for c in ("leads", "arrivals", "buyers")]))
    paid = pl.col("spend") > 0
    table = table.with_columns(
        pl.when(paid).then(ratio("spend", "leads")).alias("cpl"),
        pl.when(paid).then(ratio("spend", "arrivals")).alias("cost_per_arrival"),
        pl.when(paid).then(ratio("spend", "buyers")).alias("cac"),
        pl.when(paid).then(ratio("sales", "spend")).alias("roas"),
        pl.when(paid).then((pl.col("sales") - pl.col("spend")) / pl.col("spend")).alias("roi"),
        pl.lit(incomplete, dtype=pl.List(pl.Int64)).alias("incomplete_horizons"),
    )
    cols = ["channel", "spend", "leads", "arrivals", "buyers", "sales", "cpl", "cost_per_arrival", "cac",
            "roas", "roi", *[f"sales_{h}d" for h in horizons], "days_to_first_deal", "incomplete_horizons"]
    table = table.select(cols).sort(["spend", "sales"], descending=True)
    notes = []
    if incomplete:
        hs = ", ".join(f"{h}d" for h in incomplete)
        notes.append(Note(f"{hs} 周期超出数据末日（{cov.last_day}）：未满，留空而不显示偏少的数。",
                          f"Horizons {hs} reach past the data's last day ({cov.last_day}): shown empty (未满), never short."))
    free = table.filter(pl.col("spend") == 0)["channel"].to_list()
    if free:
        names = ", ".join(free)
        notes.append(Note(f"{names} 没有投放费用：不计算成本类比率。", f"No spend recorded for {names}: no cost ratios for them."))
    meta = {"command": "channels", "period": period.label, "start": period.start, "end": period.end,
            "clinic": clinic, "horizons": list(horizons), "incomplete_horizons": incomplete,
            "data_last_day": cov.last_day}
    return Result(meta=meta, tables={"channels": table, "cut_list": cut_list(table)}, notes=notes)


def _worst_quarter(values: pl.Series, worst: str) -> set[int]:
    """Positions in the worst quartile that are also strictly worse than the median: ties flag nobody."""
    v = values.cast(pl.Float64)
    known = v.drop_nulls()
    if len(known) < 2:
        return set()
    median = known.median()
    if worst == "low":
        q = known.quantile(0.25, "linear")
        return {i for i, x in enumerate(v) if x is not None and x <= q and x < median}
    q = known.quantile(0.75, "linear")
    return {i for i, x in enumerate(v) if x is not None and x >= q and x > median}


def cut_list(table: pl.DataFrame) -> pl.DataFrame:
    """Paid channels in the worst quartile of output (sales), speed (days to first deal), cost (CAC)
    and volume (arrivals); two flags or more make a cut candidate. No buyers means infinite CAC: costly."""
    paid = table.filter(pl.col("spend") > 0)
    schema = {"channel": pl.String, "flags": pl.List(pl.String), "flag_count": pl.Int64, "cut_candidate": pl.Boolean,
              "sales": pl.Float64, "cac": pl.Float64, "arrivals": pl.Int64, "days_to_first_deal": pl.Float64}
    if paid.height == 0:
        return pl.DataFrame(schema=schema)
    hits = {
        FLAGS["low_output"]: _worst_quarter(paid["sales"], "low"),
        FLAGS["slow"]: _worst_quarter(paid["days_to_first_deal"], "high"),
        FLAGS["costly"]: _worst_quarter(paid["cac"], "high") | {i for i, b in enumerate(paid["buyers"]) if b == 0},
        FLAGS["thin"]: _worst_quarter(paid["arrivals"], "low"),
    }
    rows = []
    for i, r in enumerate(paid.iter_rows(named=True)):
        flags = [name for name, idx in hits.items() if i in idx]
        rows.append({"channel": r["channel"], "flags": flags, "flag_count": len(flags),
                     "cut_candidate": len(flags) >= 2, "sales": r["sales"], "cac": r["cac"],
                     "arrivals": r["arrivals"], "days_to_first_deal": r["days_to_first_deal"]})
    return pl.DataFrame(rows, schema=schema).sort(["flag_count", "sales"], descending=[True, False])
