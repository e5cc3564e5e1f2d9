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


# A mobile number as CRMs write it: 13900138002, +86 139 0013 8002, 86-139-0013-8002.
_MOBILE = r"(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d){8}"


def mask_customer_id(expr: pl.Expr) -> pl.Expr:
    """A customer id that is a mobile number (many CRMs key members by phone) masked as a phone; any other id
    kept, since the director looks a customer up by it in the CRM."""
    s = expr.cast(pl.String)
    digits = s.str.replace_all(r"[ +-]", "")
    return pl.when(s.str.contains(f"^{_MOBILE}$")).then(mask_phone(digits.str.slice(-11))).otherwise(s)


def mask(df: pl.DataFrame, show_pii: bool = False) -> pl.DataFrame:
    if show_pii:
        return df
    cols = []
    if "phone" in df.columns:
        cols.append(mask_phone(pl.col("phone")).alias("phone"))
    if "name" in df.columns:
        cols.append(mask_name(pl.col("name")).alias("name"))
    if "customer_id" in df.columns and df.schema["customer_id"] == pl.String:
        cols.append(mask_customer_id(pl.col("customer_id")).alias("customer_id"))
    return df.with_columns(cols) if cols else df


# Text fields whose values are not about a person: their cells are shown as they are in a message. A name-shaped
# value anywhere else (2 to 4 Chinese characters in an amount or date column: a shifted row's name) is masked.
_NOT_PERSONAL = frozenset(
    {
        "item", "intended_item", "channel", "source_channel", "department", "clinic", "consultant",
        "online_consultant", "doctor", "operator", "visit_type", "no_deal_reason", "kind", "card_type",
        "member_level", "role", "gender", "order_id", "card_id", "lead_id",
    }
)  # fmt: skip
_PATTERNS = None


def mask_value(value: object, field: str | None = None, limit: int = 24) -> str:
    """One cell's value as it may appear in a message: a name as 张*, a mobile number (spaced or with +86) and
    other runs of 7 or more digits as 138****1234, and cut to a few characters, so an error mailed by cron carries
    no personal data. `field` is the dataset field the cell was read for (None: a header, a file name)."""
    import re

    global _PATTERNS
    if _PATTERNS is None:
        _PATTERNS = (
            re.compile(rf"(?<!\d){_MOBILE}(?!\d)"),
            re.compile(r"\d(?: ?\d){6,}"),
            re.compile(r"[\u4e00-\u9fff]{2,4}"),
        )
    mobile, digits, name_shaped = _PATTERNS
    text = " ".join(str(value).split())
    if field == "name" or (field is not None and field not in _NOT_PERSONAL and name_shaped.fullmatch(text)):
        return text[:1] + "*" * min(len(text) - 1, 8) if text else ""

    def masked(m) -> str:
        d = re.sub(r"\D", "", m.group(0))
        d = d[2:] if len(d) == 13 and d.startswith("86") else d  # +86: the number's own first digits
        return d[:3] + "****" + d[-4:]

    text = digits.sub(masked, mobile.sub(masked, text))
    return text if len(text) <= limit else text[:limit] + "…"
