"""Headline KPIs, the new-customer funnel, 环比/同比, lost deals and referral share (SPEC §2)."""

from __future__ import annotations

import polars as pl

from aesthetic_cli.metrics.base import Coverage, group_column, prepare, ratio, run
from aesthetic_cli.metrics.periods import Period
from aesthetic_cli.metrics.result import Note, Result

HEADLINE = ["sales", "new_sales", "old_sales", "cash_in", "consumption", "visitors", "buyers", "deal_visits",
            "close_rate", "ticket", "frequency"]


def with_levers(df: pl.DataFrame, prefix: str = "") -> pl.DataFrame:
    """close_rate = buyers / visitors, ticket = sales / deal visits, frequency = deal visits / buyers."""
    p = prefix
    return df.with_columns(
        ratio(f"{p}buyers", f"{p}visitors").alias(f"{p}close_rate"),
        ratio(f"{p}sales", f"{p}deal_visits").alias(f"{p}ticket"),
        ratio(f"{p}deal_visits", f"{p}buyers").alias(f"{p}frequency"),
    )


def kpis(con, period: Period, *, by: str | None = None, clinic: str | None = None) -> pl.DataFrame:
    """One row per group: sales, cash in, consumption, visitors, buyers, deal visits and the levers,
    for all customers and (prefixed new_/old_) for new and old customers."""
    prepare(con)
    df = run(con, "kpis", "kpis", {"start": period.start, "end": period.end, "clinic": clinic}, g=group_column(by))
    df = with_levers(df)
    return df


def segments(df: pl.DataFrame) -> pl.DataFrame:
    """The same levers split into 全部 / 新客 / 老客 rows per group."""
    frames = []
    for seg, p in (("all", ""), ("new", "new_"), ("old", "old_")):
        part = df.select(
            pl.col("group"), pl.lit(seg).alias("segment"),
            pl.col(f"{p}sales" if p else "sales").alias("sales"),
            pl.col(f"{p}visitors").alias("visitors"), pl.col(f"{p}buyers").alias("buyers"),
            pl.col(f"{p}deal_visits").alias("deal_visits"),
        )
        frames.append(with_levers(part))
    order = {"all": 0, "new": 1, "old": 2}
    out = pl.concat(frames)
    return out.sort([pl.col("group"), pl.col("segment").replace_strict(order, return_dtype=pl.Int8)])


def comparison(con, period: Period, cov: Coverage, clinic: str | None) -> pl.DataFrame:
    """Each headline KPI this period, the previous period (环比) and a year earlier (同比)."""
    cur = kpis(con, period, clinic=clinic)
    frames = {"current": cur}
    for key, other in (("previous", period.previous()), ("last_year", period.last_year())):
        frames[key] = kpis(con, other, clinic=clinic) if cov.covers(other.start) else None
    rows = []
    for k in HEADLINE:
        c = _first(frames["current"], k)
        prev = _first(frames["previous"], k) if frames["previous"] is not None else None
        ly = _first(frames["last_year"], k) if frames["last_year"] is not None else None
        rows.append({"kpi": k, "current": c, "previous": prev, "mom": _change(c, prev), "last_year": ly,
                     "yoy": _change(c, ly)})
    return pl.DataFrame(rows, schema={"kpi": pl.String, "current": pl.Float64, "previous": pl.Float64,
                                      "mom": pl.Float64, "last_year": pl.Float64, "yoy": pl.Float64})


def _first(df: pl.DataFrame | None, col: str):
    if df is None or df.height == 0:
        return 0.0 if col not in ("close_rate", "ticket", "frequency") else None
    v = df[col][0]
    return None if v is None else float(v)


def _change(cur, base):
    if cur is None or base is None or base == 0:
        return None
    return (cur - base) / abs(base)


def funnel_table(con, period: Period, clinic: str | None) -> pl.DataFrame:
    prepare(con)
    df = run(con, "kpis", "funnel", {"start": period.start, "end": period.end, "clinic": clinic})
    return df.with_columns(
        ratio("appointments", "leads").alias("appointment_rate"),
        ratio("arrivals", "leads").alias("arrival_rate"),
        ratio("buyers", "arrivals").alias("close_rate"),
    )


def lost_deals(con, period: Period, clinic: str | None) -> dict[str, pl.DataFrame]:
    prepare(con)
    fv = run(con, "kpis", "lost_deals", {"start": period.start, "end": period.end, "clinic": clinic})
    lost = fv.filter(pl.col("lost"))
    total_lost = lost.height
    by_reason = (lost.group_by("no_deal_reason").agg(pl.len().alias("lost"))
                 .with_columns((pl.col("lost") / total_lost if total_lost else pl.lit(None)).alias("lost_share"))
                 .sort(["lost", "no_deal_reason"], descending=[True, False]))

    def by(col: str) -> pl.DataFrame:
        return (fv.group_by(col).agg(pl.len().alias("first_visits"), pl.col("lost").sum().alias("lost"))
                .with_columns(ratio("lost", "first_visits").alias("lost_share"))
                .sort(["lost", col], descending=[True, False]))

    return {"lost_by_reason": by_reason, "lost_by_consultant": by("consultant"), "lost_by_item": by("intended_item")}


def referral(con, period: Period, clinic: str | None) -> pl.DataFrame:
    prepare(con)
    df = run(con, "kpis", "referral", {"start": period.start, "end": period.end, "clinic": clinic})
    return df.with_columns(
        ratio("referral_new_customers", "new_customers").alias("referral_customer_share"),
        ratio("referral_sales", "new_sales").alias("referral_sales_share"),
    )


def funnel(con, period: Period, *, by: str | None = None, clinic: str | None = None) -> Result:
    """Everything `aesops funnel` shows, as named tables."""
    cov = prepare(con)
    head = kpis(con, period, by=by, clinic=clinic)
    tables = {
        "kpis": head.select("group", *HEADLINE),
        "segments": segments(head),
        "comparison": comparison(con, period, cov, clinic),
        "funnel": funnel_table(con, period, clinic),
        **lost_deals(con, period, clinic),
        "referral": referral(con, period, clinic),
    }
    notes = []
    if not cov.covers(period.previous().start):
        notes.append(Note("环比需要上一期的数据，仓库中没有。", "环比 needs the previous period's data, which the warehouse does not hold."))
    if not cov.covers(period.last_year().start):
        notes.append(Note("同比需要去年同期的数据，仓库中没有。", "同比 needs data from a year earlier, which the warehouse does not hold."))
    meta = {"command": "funnel", "period": period.label, "start": period.start, "end": period.end,
            "by": by or "all", "clinic": clinic, "data_first_day": cov.first_day, "data_last_day": cov.last_day}
    return Result(meta=meta, tables=tables, notes=notes)
