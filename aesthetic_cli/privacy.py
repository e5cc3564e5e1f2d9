"""Masking of personal data: every output shows 138****1234 and 张* unless --show-pii."""

from __future__ import annotations

from aesthetic_cli.lazy_polars import pl


def mask_phone(expr: pl.Expr) -> pl.Expr:
    """138****1234 for a mobile; a shorter number (a landline's 7 or 8 digits) keeps 2 and 2, so that its masked
    form does not still hold every digit (623****4567 did)."""
    s = expr.cast(pl.String)
    n = s.str.len_chars()
    return (
        pl.when(n >= 11)
        .then(s.str.slice(0, 3) + pl.lit("****") + s.str.slice(-4))
        .when(n >= 7)
        .then(s.str.slice(0, 2) + pl.lit("****") + s.str.slice(-2))
        .when(n > 0)
        .then(pl.lit("****"))
        .otherwise(None)
    )


def mask_name(expr: pl.Expr) -> pl.Expr:
    s = expr.cast(pl.String)
    n = s.str.len_chars()
    return pl.when(n > 0).then(s.str.slice(0, 1) + pl.lit("*").repeat_by(n - 1).list.join("")).otherwise(None)


# A mobile number as CRMs write it: 13900138002, +86 139 0013 8002, 86-139-0013-8002, 139.0013.8002.
_MOBILE = r"(?:\+?86[ .-]?)?1[3-9]\d(?:[ .-]?\d){8}"


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


# Text fields whose values are not about a person: their cells are shown as they are in a message.
_NOT_PERSONAL = frozenset(
    {
        "item", "intended_item", "channel", "source_channel", "department", "clinic", "consultant",
        "online_consultant", "doctor", "operator", "visit_type", "no_deal_reason", "kind", "card_type",
        "member_level", "role", "gender", "order_id", "card_id", "lead_id", "payment_method",
    }
)  # fmt: skip
# The commonest surnames (about four in five people in China), and the compound ones: a 2-4 character value that
# starts with one, in an amount or a date column, is taken for a name that slid out of its column (张小花 in 实收金额)
# and masked. Other Chinese in such a cell (免单, 赠送, 待定, 十月八日) is what the reader must see to fix it.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙朱胡郭林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
    "范廖贾夏韦邹孟熊秦邱江尹薛闫段雷侯史陶黎贺顾毛郝龚邵钱严覃戴莫孔汤康施樊葛邢乔庞颜倪庄聂岳翟殷詹耿焦俞柳"
)
_COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文", "夏侯")
_DATE_SHAPED = (
    r"(?:19|20)\d\d(?:[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])|(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
)
_PATTERNS = None


def _masked_digits(digits: str) -> str:
    d = digits[2:] if len(digits) == 13 and digits.startswith("86") else digits  # +86: the number's own digits
    return d[:3] + "****" + d[-4:] if len(d) >= 11 else d[:2] + "****" + d[-2:]


def _name_like(token: str) -> bool:
    return 2 <= len(token) <= 4 and (token[0] in _SURNAMES or token.startswith(_COMPOUND))


def mask_value(value: object, field: str | None = None, limit: int = 24) -> str:
    """One cell's value as it may appear in a message: a name as 张*, a phone number (spaced, dotted or with +86)
    and other runs of 7 or more digits as 138****1234 or 62****78 (a date stays as it is), and cut to a few
    characters, so an error mailed by cron carries no personal data. `field` is the dataset field the cell was
    read for (None: a header, a file name), deciding whether a Chinese name in it is masked."""
    import re

    global _PATTERNS
    if _PATTERNS is None:
        _PATTERNS = (
            re.compile(rf"(?<!\d){_MOBILE}(?!\d)"),
            re.compile(r"\d(?:[ .-]?\d){6,}"),
            re.compile(rf"{_DATE_SHAPED}(?:[ T]\d.*)?"),
            re.compile(r"[\u4e00-\u9fff·]{2,5}"),
        )
    mobile, digits, date_shaped, han = _PATTERNS
    text = " ".join(str(value).split())
    if field == "name":
        return text[:1] + "*" * min(len(text) - 1, 8) if text else ""
    if field is not None and field not in _NOT_PERSONAL:
        text = han.sub(lambda m: m[0][0] + "*" * (len(m[0]) - 1) if _name_like(m[0]) else m[0], text)

    def masked(m) -> str:
        return m[0] if date_shaped.fullmatch(m[0]) else _masked_digits(re.sub(r"\D", "", m[0]))

    text = digits.sub(masked, mobile.sub(lambda m: _masked_digits(re.sub(r"\D", "", m[0])), text))
    return text if len(text) <= limit else text[:limit] + "…"
