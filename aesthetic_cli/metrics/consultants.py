"""Consultants (SPEC §2): on-site and online performance and a weighted scorecard per team."""

from __future__ import annotations

from datetime import timedelta

import math

from aesthetic_cli.glossary import name_of as label
from aesthetic_cli.lazy_polars import pl
from aesthetic_cli.metrics.base import prepare, ratio, run
from aesthetic_cli.metrics.periods import Period, require_data
from aesthetic_cli.metrics.result import Note, Result

DEFAULT_WEIGHTS = {
    "onsite": {"sales": 0.5, "repurchase_rate": 0.5},
    "online": {"close_rate": 1 / 3, "arrival_rate": 1 / 3, "appointment_rate": 1 / 3},
}


def onsite(con, period: Period, clinic: str | None = None) -> pl.DataFrame:
    last = prepare(con).last_day or period.end
    params = {"start": period.start, "end": period.end, "clinic": clinic, "last": last}
    df = run(con, "consultants", "onsite", params)
    return df.with_columns(
        ratio("buyers", "received").alias("close_rate"),
        ratio("sales", "deal_visits").alias("ticket"),
        ratio("refunds", "gross_sales").alias("refund_rate"),
        ratio("repurchased", "repurchase_base").alias("repurchase_rate"),
    )


# A lead's arrival and purchase count within this many days of it (sql/consultants.sql online, and its note).
ONLINE_WINDOW_DAYS = 90


def online(con, period: Period, clinic: str | None = None) -> pl.DataFrame:
    prepare(con)
    params = {"start": period.start, "end": period.end, "clinic": clinic, "window": ONLINE_WINDOW_DAYS}
    df = run(con, "consultants", "online", params)
    return df.with_columns(
        ratio("appointments", "leads").alias("appointment_rate"),
        ratio("arrivals", "leads").alias("arrival_rate"),
        ratio("buyers", "leads").alias("close_rate"),
    )


# Equal scores share a rank (SPEC §2) but are still listed in one order, the same on every run and
# backend: the team's headline figure (SPEC lists it first) higher first, then the name.
THEN_BY = {"onsite": "sales", "online": "close_rate"}


def scorecard(df: pl.DataFrame, weights: dict[str, float], then_by: str | None = None) -> pl.DataFrame:
    """Score = Σ weight × percentile rank (0..1, best = 1) of each metric among the consultants it measures; a
    missing metric scores 0. Rank 1 is the best score; ties are listed by then_by (descending), then by name."""
    if df.height == 0:
        return df.with_columns(pl.lit(None, pl.Float64).alias("score"), pl.lit(None, pl.Int64).alias("rank"))
    total = sum(weights.values()) or 1.0
    parts = []
    for metric, w in weights.items():
        # Among those measured: over the whole team, with some unmeasured (no customers to repurchase yet), the
        # best repurchaser got (measured - 1)/(team - 1) of the metric's weight, and the weights no longer held.
        n = df[metric].count()
        pct = (pl.col(metric).rank("average") - 1) / (n - 1) if n > 1 else pl.lit(1.0)
        parts.append(pl.when(pl.col(metric).is_not_null()).then(pct).otherwise(0.0) * (w / total))
    # Rounded to 12 places: a sum of binary fractions makes two equal scores (11/14 as 5/7 + 6/7 and as 4/7 + 7/7)
    # differ in their last bit, and equal scores must share a rank.
    scored = df.with_columns(pl.sum_horizontal(parts).round(12).alias("score"))
    ranked = scored.with_columns(pl.col("score").rank("min", descending=True).cast(pl.Int64).alias("rank"))
    keys = ["rank", *([then_by] if then_by else []), "consultant"]
    return ranked.sort(keys, descending=[k == then_by for k in keys], nulls_last=True, maintain_order=True)


def over_selling(df: pl.DataFrame) -> pl.DataFrame:
    """Flag consultants whose sales rank is far above their repurchase rank: at least half the team apart."""
    n = df.height
    gap = max(2, math.ceil(n / 2))
    return df.with_columns(
        # Signed: ranks are unsigned in Polars and a difference would wrap around.
        pl.col("sales").rank("min", descending=True).cast(pl.Int64).alias("sales_rank"),
        pl.col("repurchase_rate").rank("min", descending=True).cast(pl.Int64).alias("repurchase_rank"),
    ).with_columns(
        ((pl.col("repurchase_rank") - pl.col("sales_rank")) >= gap).fill_null(False).alias("over_selling_risk")
    )


def _weights_text(w: dict, lang: str) -> str:
    total = sum(w.values()) or 1.0
    return ("、" if lang == "zh" else ", ").join(f"{label(k, lang)} {v / total:.0%}" for k, v in w.items())


def consultants(
    con, period: Period, *, role: str | None = None, clinic: str | None = None, weights: dict | None = None
) -> Result:
    weights = weights or DEFAULT_WEIGHTS
    last = prepare(con).last_day
    require_data(period, last)
    tables = {}
    if role in (None, "onsite"):
        df = over_selling(scorecard(onsite(con, period, clinic), weights["onsite"], THEN_BY["onsite"]))
        tables["onsite"] = df.select(
            "rank",
            "consultant",
            "score",
            "receptions",
            "first_receptions",
            "buyers",
            "close_rate",
            "sales",
            "ticket",
            "refund_rate",
            "repurchase_rate",
            "repurchase_base",
            "over_selling_risk",
        )
    if role in (None, "online"):
        df = scorecard(online(con, period, clinic), weights["online"], THEN_BY["online"])
        tables["online"] = df.select(
            "rank",
            "consultant",
            "score",
            "leads",
            "appointments",
            "arrivals",
            "buyers",
            "appointment_rate",
            "arrival_rate",
            "close_rate",
        )
    notes = [
        *(
            [
                Note(
                    "180天复购率：本期前180天由该咨询师成交的顾客中，180天内再次成交的比例（180天期满落在本期、"
                    "且数据已覆盖满180天的那批顾客）。",
                    "Repurchase rate: customers a consultant closed 180 days before this period, share with another "
                    "deal within 180 days (the cohort whose 180 days end in this period and within the data).",
                )
            ]
            if "onsite" in tables  # the onsite table's column; --role online has none
            else []
        ),
        Note(
            f"排名权重：现场 {_weights_text(weights['onsite'], 'zh')}；网络 {_weights_text(weights['online'], 'zh')}"
            "（aesops.toml [scorecard]）。",
            f"Scorecard weights: onsite {_weights_text(weights['onsite'], 'en')}; online "
            f"{_weights_text(weights['online'], 'en')} (aesops.toml [scorecard]).",
        ),
    ]
    if "online" in tables and tables["online"].height:
        notes.append(_online_window_note(period, last))
    meta = {
        "command": "consultants",
        "period": period.label,
        "start": period.start,
        "end": period.end,
        "clinic": clinic,
        "role": role or "all",
        "weights": weights,
    }
    return Result(meta=meta, tables=tables, notes=notes)


def _online_window_note(period: Period, last) -> Note:
    """How the online team's arrivals and buyers are counted, and, when the data ends before the period's last
    lead has had its ONLINE_WINDOW_DAYS, that they are not final (SPEC: never a window cut short without saying so)."""
    rule = Note(
        f"网络咨询：到院和成交按每条线索之后 {ONLINE_WINDOW_DAYS} 天内计（可以晚于本期），所以与漏斗里本期的到院、"
        "成交人数不同。",
        f"Online consultants: a lead's arrival and purchase count within {ONLINE_WINDOW_DAYS} days of it (possibly "
        "after this period), so they differ from the funnel's arrivals and buyers in the period.",
    )
    if last is None or last >= period.end + timedelta(days=ONLINE_WINDOW_DAYS - 1):
        return rule
    return Note(
        rule.zh
        + f"数据只到 {last:%Y-%m-%d}，本期线索的 {ONLINE_WINDOW_DAYS} 天还没有走完：到院、成交和比率都还可能上升。",
        rule.en
        + f" The data ends {last:%Y-%m-%d}, before the period's leads have had their {ONLINE_WINDOW_DAYS} days: "
        "arrivals, buyers and rates may still rise.",
    )
