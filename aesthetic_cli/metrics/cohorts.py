"""Repurchase cohorts (SPEC §2): cohort = month of first deal; cell k = share with a deal in month +k."""

from __future__ import annotations

from datetime import date

from aesthetic_cli.errors import UsageError
from aesthetic_cli.lazy_polars import pl
from aesthetic_cli.metrics.base import frame, prepare, run
from aesthetic_cli.metrics.result import Note, Result
from aesthetic_cli.sqlfiles import query, with_identifiers

# --by value -> the column of the customer's first deal (sql/cohorts.sql aliases) it groups by.
BY = {"channel": "fl.channel", "first_item": "fl.first_item", "department": "fl.department", "clinic": "fl.clinic"}


def cohorts(
    con,
    *,
    start: date | None = None,
    end: date | None = None,
    by: str | None = None,
    months: int = 12,
    clinic: str | None = None,
) -> Result:
    cov = prepare(con)
    if by is not None and by not in BY:
        raise UsageError(f"--by '{by}' is not a cohort grouping.", hint=f"Use one of: {', '.join(BY)}.")
    grp = BY.get(by or "", "'all'")
    sql = with_identifiers(query("cohorts", "cohort_cells"), grp=(grp, {*BY.values(), "'all'"}))
    cells = frame(con, sql, {"clinic": clinic, "from": start, "to": end, "months": months})
    size = cells.select("group", "cohort", "customers").unique()
    cells = cells.select("group", "cohort", "k", "active", "sales")
    grid = size.join(pl.DataFrame({"k": list(range(months + 1))}), how="cross")
    last = cov.last_day
    # Whole months observed after each cohort month; a month past the data's end is unknown, not zero.
    last_full = _shift(last, 0 if last is not None and _month_end(last) else -1) if last else None
    full = (
        grid.join(cells, on=["group", "cohort", "k"], how="left")
        .with_columns(pl.col("active").fill_null(0), pl.col("sales").fill_null(0.0))
        .sort("group", "cohort", "k")
        .with_columns(pl.col("sales").cum_sum().over("group", "cohort").alias("cum_sales"))
        .with_columns(
            (pl.col("cohort").dt.offset_by(pl.format("{}mo", pl.col("k"))) <= pl.lit(last_full))
            .fill_null(False)
            .alias("complete")
        )
    )
    full = full.with_columns(
        pl.when(pl.col("complete")).then(pl.col("active") / pl.col("customers")).alias("share"),
        pl.when(pl.col("complete")).then(pl.col("cum_sales") / pl.col("customers")).alias("per_customer"),
    )
    ret_df = _wide(full.filter(pl.col("k") >= 1), "share", "m", months)
    cum_df = _wide(full, "per_customer", "s", months)
    intervals = (
        run(con, "cohorts", "item_intervals_clinic", {"clinic": clinic})
        if clinic
        else run(con, "cohorts", "item_intervals", {})
    )
    meta = {
        "command": "cohorts",
        "by": by or "all",
        "months": months,
        "clinic": clinic,
        "from": start,
        "to": end,
        "data_last_day": last,
        "cohorts": size.height,
    }
    notes = [
        Note(
            "m{k}：首单月后第k月有成交的客户占比；s{k}：截至第k月每位客户的累计业绩；空格为超出数据末日。",
            "m{k}: share of the cohort with a deal in month cohort+k. s{k}: cumulative sales per cohort "
            "customer through month k. Empty cells lie past the end of the data.",
        )
    ]
    return Result(
        meta=meta, tables={"retention": ret_df, "cumulative_sales": cum_df, "item_intervals": intervals}, notes=notes
    )


def _wide(long: pl.DataFrame, value: str, prefix: str, months: int) -> pl.DataFrame:
    if long.height == 0:
        return pl.DataFrame(schema={"group": pl.String, "cohort": pl.Date, "customers": pl.UInt32})
    wide = long.with_columns(pl.format(prefix + "{}", pl.col("k")).alias("col")).pivot(
        on="col", index=["group", "cohort", "customers"], values=value, sort_columns=False
    )
    first = 1 if prefix == "m" else 0
    cols = [f"{prefix}{k}" for k in range(first, months + 1)]
    return wide.select("group", "cohort", "customers", *cols).sort("group", "cohort")


def _shift(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


def _month_end(d: date) -> bool:
    import calendar

    return d.day == calendar.monthrange(d.year, d.month)[1]
