"""Masking of personal data: every output shows 138****1234 and 张* unless --show-pii."""

from __future__ import annotations

from aesthetic_cli.lazy_polars import pl


def mask_phone(expr: pl.Expr) -> pl.Expr:
    s = expr.cast(pl.String)
    n = s.str.len_chars()
    return (
        pl.when(n >= 7)
        .then(s.str.slice(0, 3) + pl.lit("****") + s.str.slice(-4))
        .when(n > 0)
        .then(pl.lit("****"))
        .otherwise(None)
    )


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


_LONG_DIGITS = None


def mask_value(value: object, field: str | None = None, limit: int = 24) -> str:
    """One cell's value as it may appear in a message: a name as 张*, digit runs like phone numbers
    as 138****1234, and cut to a few characters, so an error mailed by cron carries no personal data."""
    import re

    global _LONG_DIGITS
    _LONG_DIGITS = _LONG_DIGITS or re.compile(r"\d{7,}")
    text = " ".join(str(value).split())
    if field == "name":
        return text[:1] + "*" * min(len(text) - 1, 8) if text else ""
    text = _LONG_DIGITS.sub(lambda m: m.group(0)[:3] + "****" + m.group(0)[-4:], text)
    return text if len(text) <= limit else text[:limit] + "…"
