"""Items (品项, SPEC §2): sales, buyers, margin, price bands, opener items and their follow-on sales."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from aesthetic_cli.lazy_polars import pl
from aesthetic_cli.metrics.base import prepare, ratio, run
from aesthetic_cli.metrics.periods import Period, comparable
from aesthetic_cli.metrics.quartiles import MIN_FOR_QUARTILES, worst_quarter
from aesthetic_cli.metrics.result import Note, Result

if TYPE_CHECKING:
    from polars._typing import SchemaDict  # the type of a frame schema, as Polars annotates its own

PRICE_BANDS = [
    (0, 1000, "<1千"),
    (1000, 3000, "1千-3千"),
    (3000, 8000, "3千-8千"),
    (8000, 20000, "8千-2万"),
    (20000, float("inf"), "2万+"),
]


FOLLOW_ON_DAYS = 180


def _item_sales(con, period: Period, clinic: str | None) -> pl.DataFrame:
    params = {"start": period.start, "end": period.end, "clinic": clinic}
    df = run(con, "items", "item_sales", params).with_columns(
        pl.col("sales").cast(pl.Float64), pl.col("unit_cost").cast(pl.Float64), pl.col("list_price").cast(pl.Float64)
    )
    return (
        df.with_columns(
            pl.when(pl.col("unit_cost").is_not_null())
            .then(pl.col("sales") - pl.col("unit_cost") * pl.col("quantity").fill_null(0))
            .alias("margin"),
            ratio("sales", "quantity").alias("avg_price"),
        )
        .with_columns(
            pl.when(pl.col("sales") > 0).then(pl.col("margin") / pl.col("sales")).alias("margin_rate"),
            (pl.col("unit_cost") > pl.col("avg_price")).fill_null(False).alias("below_cost"),
        )
        .sort("sales", descending=True)
    )


def items(con, period: Period, *, clinic: str | None = None) -> Result:
    cov = prepare(con)
    spans = comparable(period, cov.last_day, cov.first_day)
    period = spans.current
    params = {"start": period.start, "end": period.end, "clinic": clinic}
    df = _item_sales(con, period, clinic)
    last_year = _item_sales(con, spans.last_year, clinic) if cov.covers(spans.last_year.start) else None
    lines = run(con, "items", "sale_lines", params).with_columns(pl.col("paid_amount").cast(pl.Float64))
    band = pl.lit(None, pl.String)
    for lo, hi, name in reversed(PRICE_BANDS):
        band = pl.when((pl.col("paid_amount") >= lo) & (pl.col("paid_amount") < hi)).then(pl.lit(name)).otherwise(band)
    order = {name: i for i, (_, _, name) in enumerate(PRICE_BANDS)}
    bands = (
        lines.with_columns(band.alias("price_band"))
        .group_by("price_band")
        .agg(
            pl.len().alias("lines"),
            pl.col("paid_amount").sum().alias("sales"),
            pl.col("customer_id").n_unique().alias("buyers"),
        )
        .with_columns((pl.col("sales") / pl.col("sales").sum()).alias("share"))
        .sort(pl.col("price_band").replace_strict(order, default=99))
    )
    # SPEC §2: follow-on sales are empty and marked 未满, never a short number, until the data has seen
    # the 180 days after the first deal of every opener of the item.
    seen = pl.col("last_first_deal") + pl.duration(days=FOLLOW_ON_DAYS) <= pl.lit(cov.last_day)
    openers = (
        run(con, "items", "openers", params)
        .with_columns(pl.col("follow_on_sales").cast(pl.Float64), pl.col("opener_sales").cast(pl.Float64))
        .with_columns(
            pl.when(seen).then(pl.col("follow_on_sales")).alias("follow_on_sales"),
            pl.when(seen).then(pl.lit(None, pl.String)).otherwise(pl.lit("未满")).alias("follow_on_status"),
        )
        .with_columns(ratio("follow_on_sales", "openers").alias("follow_on_per_customer"))
        .select("item", "openers", "opener_sales", "follow_on_sales", "follow_on_per_customer", "follow_on_status")
    )
    complete = cov.last_day is not None and period.end + timedelta(days=FOLLOW_ON_DAYS) <= cov.last_day
    notes = []
    if not complete:
        notes.append(
            Note(
                f"后续业绩需要首单后180天的数据；数据截至 {cov.last_day}，未满180天的品项留空并标记“未满”。",
                f"Follow-on sales need 180 days after each first deal; the data ends {cov.last_day}, so items "
                "whose 180 days have not passed are left empty and marked 未满.",
            )
        )
    below = df.filter(pl.col("below_cost"))["item"].to_list()
    if below:
        names = "、".join(below)
        notes.append(Note(f"平均售价低于单位成本：{names}。", f"Sold below unit cost on average: {', '.join(below)}."))
    cuts, cut_notes = cut_list(df, last_year)
    notes.extend(cut_notes)
    meta = {
        "command": "items",
        "period": period.label,
        "start": period.start,
        "end": period.end,
        "clinic": clinic,
        "follow_on_complete": complete,
        "through": spans.through,
        "last_year_span": [spans.last_year.start, spans.last_year.end],
    }
    cols = [
        "item",
        "department",
        "role",
        "sales",
        "buyers",
        "quantity",
        "avg_price",
        "unit_cost",
        "margin",
        "margin_rate",
        "below_cost",
    ]
    return Result(
        meta=meta,
        tables={"items": df.select(cols), "price_bands": bands, "openers": openers, "item_cut_list": cuts},
        notes=notes,
    )


def cut_list(df: pl.DataFrame, last_year: pl.DataFrame | None) -> tuple[pl.DataFrame, list[Note]]:
    """砍品项 (SPEC §2): 赔钱 = negative margin; 没竞争力 = sales and buyers both in the worst quartile of
    the period's items and both below last year's same days. Each flag shows the figures behind it."""
    schema: SchemaDict = {
        "item": pl.String,
        "flags": pl.List(pl.String),
        "sales": pl.Float64,
        "sales_threshold": pl.Float64,
        "last_year_sales": pl.Float64,
        "buyers": pl.Int64,
        "buyers_threshold": pl.Float64,
        "last_year_buyers": pl.Int64,
        "margin": pl.Float64,
        "reasons": pl.List(pl.String),
    }
    notes = []
    ly = {}
    if last_year is not None:
        ly = {r["item"]: (r["sales"], r["buyers"]) for r in last_year.iter_rows(named=True)}
    else:
        notes.append(
            Note(
                "没有去年同期的数据：不判断“没竞争力”。",
                "No data for the same days last year: 没竞争力 (uncompetitive) is not judged.",
            )
        )
    rows = df.select("item", "sales", "buyers", "margin", "lines").to_dicts()
    weak, s_q, b_q = set(), None, None
    if len(rows) >= MIN_FOR_QUARTILES:
        low_sales, s_q = worst_quarter([float(r["sales"] or 0) for r in rows], "low")
        low_buyers, b_q = worst_quarter([float(r["buyers"] or 0) for r in rows], "low")
        weak = low_sales & low_buyers
    else:
        notes.append(
            Note(
                f"本期只有 {len(rows)} 个品项（少于4个），无法形成四分位：不判断“没竞争力”。",
                f"Only {len(rows)} item(s), fewer than 4: quartiles can't be formed, so 没竞争力 is not judged.",
            )
        )
    out: list[dict] = []
    refunded: list[str] = []
    for i, r in enumerate(rows):
        flags, reasons = [], []
        ly_sales, ly_buyers = ly.get(r["item"], (None, None))
        # An item with no sale line in the period, only a refund of an earlier one, made no loss here: its
        # negative margin is that refund (indep6 D5: 双眼皮 赔钱 for a −7,840 refund, below_cost false beside it).
        refunds_only = not r["lines"]
        if r["margin"] is not None and r["margin"] < 0 and refunds_only:
            refunded.append(r["item"])
        elif r["margin"] is not None and r["margin"] < 0:
            flags.append("赔钱")
            reasons.append(f"赔钱: 毛利 {r['margin']:,.0f} < 0")
        if (
            i in weak
            and ly_sales is not None
            and r["sales"] < ly_sales
            and ly_buyers is not None
            and r["buyers"] < ly_buyers
        ):
            flags.append("没竞争力")
            reasons.append(
                f"没竞争力: 业绩 {r['sales']:,.0f} ≤ {s_q:,.0f} 且低于去年 {ly_sales:,.0f}；"
                f"成交人数 {r['buyers']} ≤ {b_q:.1f} 且低于去年 {ly_buyers}"
            )
        if flags:
            out.append(
                {
                    "item": r["item"],
                    "flags": flags,
                    "sales": r["sales"],
                    "sales_threshold": s_q,
                    "last_year_sales": ly_sales,
                    "buyers": r["buyers"],
                    "buyers_threshold": b_q,
                    "last_year_buyers": ly_buyers,
                    "margin": r["margin"],
                    "reasons": reasons,
                }
            )
    if refunded:
        names = ", ".join(refunded)
        notes.append(
            Note(
                f"{names}：本期没有销售，只有退款，不判断“赔钱”。",
                f"{names}: no sale this period, only refunds; 赔钱 (loses money) is not judged.",
            )
        )
    return pl.DataFrame(out, schema=schema), notes
