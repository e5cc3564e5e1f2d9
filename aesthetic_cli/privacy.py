"""Masking of personal data: every output shows 138****1234 and 张* unless --show-pii."""

from __future__ import annotations

import polars as pl


def mask_phone(expr: pl.Expr) -> pl.Expr:
    s = expr.cast(pl.String)
    n = s.str.len_chars()
    return (pl.when(n >= 7).then(s.str.slice(0, 3) + pl.lit("****") + s.str.slice(-4))
            .when(n > 0).then(pl.lit("****")).otherwise(None))


def mask_name(expr: pl.Expr) -> pl.Expr:
    s = expr.cast(pl.String)
    n = s.str.len_chars()
    return pl.when(n > 0).then(s.str.slice(0, 1) + pl.lit("*").repeat_by(n - 1).list.join("")).otherwise(None)


def mask(df: pl.DataFrame, show_pii: bool = False) -> pl.DataFrame:
    if show_pii:
        return df
    cols = []
    if "phone" in df.columns:
        cols.append(mask_phone(pl.col("phone")).alias("phone"))
    if "name" in df.columns:
        cols.append(mask_name(pl.col("name")).alias("name"))
    return df.with_columns(cols) if cols else df
