"""Items (品项, SPEC §2): sales, buyers, margin, price bands, opener items and their follow-on sales."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from aesthetic_cli.metrics.base import prepare, ratio, run
from aesthetic_cli.metrics.periods import Period
from aesthetic_cli.metrics.result import Note, Result

PRICE_BANDS = [(0, 1000, "<1千"), (1000, 3000, "1千-3千"), (3000, 8000, "3千-8千"), (8000, 20000, "8千-2万"),
               (20000, float("inf"), "2万+")]


def items(con, period: Period, *, clinic: str | None = None) -> Result:
    cov = prepare(con)
    params = {"start": period.start, "end": period.end, "clinic": clinic}
    df = run(con, "items", "item_sales", params)
    df = df.with_columns(
        pl.when(pl.col("unit_cost").is_not_null())
        .then(pl.col("sales") - pl.col("unit_cost") * pl.col("quantity").fill_null(0)).alias("margin"),
        ratio("sales", "quantity").alias("avg_price"),
    ).with_columns(
        pl.when(pl.col("sales") > 0).then(pl.col("margin") / pl.col("sales")).alias("margin_rate"),
        (pl.col("unit_cost") > pl.col("avg_price")).fill_null(False).alias("below_cost"),
    ).sort("sales", descending=True)
    lines = run(con, "items", "sale_lines", params)
    band = pl.lit(None, pl.String)
    for lo, hi, name in reversed(PRICE_BANDS):
        band = pl.when((pl.col("paid_amount") >= lo) & (pl.col("paid_amount") < hi)).then(pl.lit(name)).otherwise(band)
    order = {name: i for i, (_, _, name) in enumerate(PRICE_BANDS)}
    bands = (lines.with_columns(band.alias("price_band"))
             .group_by("price_band").agg(pl.len().alias("lines"), pl.col("paid_amount").sum().alias("sales"),
                                         pl.col("customer_id").n_unique().alias("buyers"))
             .with_columns((pl.col("sales") / pl.col("sales").sum()).alias("share"))
             .sort(pl.col("price_band").replace_strict(order, default=99)))
    openers = run(con, "items", "openers", params).with_columns(
        ratio("follow_on_sales", "openers").alias("follow_on_per_customer"))
    complete = cov.last_day is not None and period.end + timedelta(days=180) <= cov.last_day
    notes = []
    if not complete:
        notes.append(Note(f"后续业绩需要 {period.end} 之后的180天数据；数据截至 {cov.last_day}，因此未满180天。",
                          f"Follow-on sales need 180 days after {period.end}; the data ends {cov.last_day}, "
                          "so they are partial (未满180天)."))
    below = df.filter(pl.col("below_cost"))["item"].to_list()
    if below:
        names = "、".join(below)
        notes.append(Note(f"平均售价低于单位成本：{names}。", f"Sold below unit cost on average: {', '.join(below)}."))
    meta = {"command": "items", "period": period.label, "start": period.start, "end": period.end, "clinic": clinic,
            "follow_on_complete": complete}
    cols = ["item", "department", "role", "sales", "buyers", "quantity", "avg_price", "unit_cost", "margin",
            "margin_rate", "below_cost"]
    return Result(meta=meta, tables={"items": df.select(cols), "price_bands": bands, "openers": openers},
                  notes=notes)
