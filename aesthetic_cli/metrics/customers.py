"""Old-customer stocktake (老客盘点, SPEC §2): RFM segments, the reactivation list, stored-value cards."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from aesthetic_cli.metrics.base import prepare, run
from aesthetic_cli.metrics.result import Note, Result
from aesthetic_cli.privacy import mask

# The classic 8 RFM segments (high = above the median of active customers), plus the dormant.
SEGMENTS = {
    (True, True, True): "重要价值客户", (True, False, True): "重要发展客户",
    (False, True, True): "重要保持客户", (False, False, True): "重要挽留客户",
    (True, True, False): "一般价值客户", (True, False, False): "一般发展客户",
    (False, True, False): "一般保持客户", (False, False, False): "一般挽留客户",
}
DORMANT = "沉睡客户（365天无成交）"
DORMANT_CARD_DAYS = 180
LAPSED_CARD_DAYS = 90


def _asof(con, asof: date | None) -> date:
    cov = prepare(con)
    return asof or cov.last_day or date.today()


def rfm(con, *, asof: date | None = None, clinic: str | None = None, show_pii: bool = False,
        list_customers: bool = False) -> Result:
    asof = _asof(con, asof)
    df = run(con, "customers", "rfm", {"asof": asof, "clinic": clinic})
    active = df.filter(pl.col("deal_visits") > 0)
    med_r = active["recency_days"].median() if active.height else 0
    med_f = active["deal_visits"].median() if active.height else 0
    med_m = active["sales"].median() if active.height else 0
    # Recent is good: high R means recency at or below the median.
    r_hi = pl.col("recency_days") <= med_r
    f_hi = pl.col("deal_visits") > med_f
    m_hi = pl.col("sales") > med_m
    seg = pl.lit(DORMANT)
    for (r, f, m), name in SEGMENTS.items():
        cond = (r_hi if r else ~r_hi) & (f_hi if f else ~f_hi) & (m_hi if m else ~m_hi)
        seg = pl.when((pl.col("deal_visits") > 0) & cond).then(pl.lit(name)).otherwise(seg)
    df = df.with_columns(seg.alias("segment"))
    total = df.height
    summary = (df.group_by("segment")
               .agg(pl.len().alias("customers"), pl.col("sales").sum().alias("sales"),
                    pl.col("recency_days").mean().alias("avg_recency_days"),
                    pl.col("deal_visits").mean().alias("avg_deal_visits"),
                    pl.col("lifetime_sales").sum().alias("lifetime_sales"))
               .with_columns((pl.col("customers") / total).alias("share"))
               .sort("sales", descending=True))
    tables = {"segments": summary}
    if list_customers:
        tables["customers"] = mask(df.sort("sales", descending=True), show_pii).select(
            "customer_id", "name", "phone", "owner_consultant", "segment", "recency_days", "deal_visits", "sales",
            "lifetime_sales")
    meta = {"command": "customers rfm", "asof": asof, "window_days": 365, "clinic": clinic,
            "medians": {"recency_days": med_r, "deal_visits": med_f, "sales": med_m}}
    notes = [Note(f"RFM 以截至 {asof} 的365天计；“高”指优于活跃客户中位数（距上次成交 ≤ {med_r} 天，成交次数 > {med_f}，业绩 > {med_m:,.0f}）。",
                  f"RFM over the 365 days to {asof}; high = better than the median active customer "
                  f"(recency ≤ {med_r} days, deal visits > {med_f}, sales > {med_m:,.0f}).")]
    return Result(meta=meta, tables=tables, notes=notes)


def reactivate(con, *, asof: date | None = None, clinic: str | None = None, limit: int = 50,
               show_pii: bool = False) -> Result:
    """Customers overdue against the median repurchase interval of what they last bought, by value."""
    asof = _asof(con, asof)
    found = run(con, "customers", "overdue", {"asof": asof, "clinic": clinic, "limit": limit})
    total = int(found["overdue_customers"][0]) if found.height else 0
    listed = mask(found, show_pii).select(
        "customer_id", "name", "phone", "owner_consultant", "item", "last_deal", "interval_days", "due_date",
        "overdue_days", "lifetime_sales")
    meta = {"command": "customers reactivate", "asof": asof, "clinic": clinic, "limit": limit,
            "overdue_customers": total}
    notes = [Note(f"{total} 位顾客已超过其上次所购项目的复购中位周期；列出累计业绩最高的 {min(limit, total)} 位。",
                  f"{total} customers are past the median repurchase interval of their last items; "
                  f"the {min(limit, total)} of most lifetime value are listed."),
             Note("只买一次的项目（如手术）没有复购周期，不会让顾客显示为逾期。",
                  "Items bought once only (surgery) have no interval and do not make a customer overdue.")]
    return Result(meta=meta, tables={"reactivate": listed}, notes=notes)


def cards(con, *, asof: date | None = None, clinic: str | None = None, show_pii: bool = False,
          limit: int = 50) -> Result:
    asof = _asof(con, asof)
    df = run(con, "customers", "cards", {"clinic": clinic})
    dormant_before = asof - timedelta(days=DORMANT_CARD_DAYS)
    lapsed_before = asof - timedelta(days=LAPSED_CARD_DAYS)
    last_activity = pl.coalesce("last_used_at", "opened_at")
    df = df.with_columns(
        pl.when((pl.col("recharge_total") + pl.col("bonus_total")) > 0)
        .then(pl.col("balance") * pl.col("recharge_total") / (pl.col("recharge_total") + pl.col("bonus_total")))
        .otherwise(pl.col("balance")).alias("cash_part"),
        (pl.col("balance") <= 0).alias("empty"),
        ((pl.col("balance") > 0) & (last_activity < dormant_before)).fill_null(False).alias("dormant"),
        ((pl.col("balance") <= 0) & (pl.col("recharge_total") > 0) & (pl.col("topups_after_last_use") == 0)
         & (last_activity < lapsed_before)).fill_null(False).alias("lapsed"),
    )

    def summarise(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.group_by("clinic").agg(
            pl.len().alias("cards"),
            pl.col("balance").sum().alias("liability"),
            pl.col("cash_part").sum().alias("cash_part"),
            (pl.col("balance").sum() - pl.col("cash_part").sum()).alias("bonus_part"),
            pl.col("empty").sum().alias("empty_cards"),
            pl.col("dormant").sum().alias("dormant_cards"),
            pl.col("balance").filter(pl.col("dormant")).sum().alias("dormant_balance"),
            pl.col("lapsed").sum().alias("lapsed_cards"),
        )

    by_clinic = summarise(df).sort("clinic")
    total = summarise(df.with_columns(pl.lit("合计").alias("clinic")))
    summary = pl.concat([by_clinic, total]) if by_clinic.height > 1 else total
    watch = mask(df.filter(pl.col("dormant") | pl.col("lapsed")), show_pii).with_columns(
        pl.when(pl.col("dormant")).then(pl.lit("不动卡")).otherwise(pl.lit("不续卡")).alias("status"))
    watch = watch.sort("balance", descending=True).head(limit).select(
        "card_id", "customer_id", "name", "phone", "clinic", "card_type", "status", "balance", "last_used_at")
    meta = {"command": "customers cards", "asof": asof, "clinic": clinic,
            "dormant_days": DORMANT_CARD_DAYS, "lapsed_days": LAPSED_CARD_DAYS}
    notes = [Note(f"本金 = 余额 × 充值 ÷ (充值 + 赠送)。空卡：余额为零；不动卡：有余额但 {DORMANT_CARD_DAYS} 天未使用；"
                  f"不续卡：已用完、{LAPSED_CARD_DAYS} 天未使用且之后未再充值。",
                  f"Cash part = balance × recharge / (recharge + bonus). 空卡: zero balance. 不动卡: balance but no use "
                  f"for {DORMANT_CARD_DAYS} days. 不续卡: drained, unused {LAPSED_CARD_DAYS} days, no top-up since.")]
    return Result(meta=meta, tables={"cards": summary, "cards_to_call": watch}, notes=notes)

