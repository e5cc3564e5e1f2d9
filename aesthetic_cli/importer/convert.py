"""Turn text cells into typed values with Polars expressions, recording every cell that fails.

Each parser returns (value, ok) expressions; a cell is a problem when it had text and the
value is null. Rows with a problem in a required field are rejected; a problem in an optional
field blanks that cell and is recorded too, so nothing is lost silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from aesthetic_cli.importer import datasets as d
from aesthetic_cli.importer.header import Layout
from aesthetic_cli.importer.scripts import either_script, in_both_scripts

ROW = "_row"
# A totals label as exports write it: 合计, 本页合计, 合计：2笔, 合计(1条), 总计（共3笔）, Total:. A count is a count
# only with its unit or in brackets: SUM12 or Total1 is an id. Matched on the cell lower-cased with its spaces
# taken out, at most TOTAL_MAX_CHARS long.
_TOTAL_WORDS = either_script(
    r"^(?:本页|本表|全部|当日|本日|本月)?(合计|总计|小计|总合计|total|totals|grandtotal|sum)"
    r"(?:[:：]?(?:[(（]共?\d+[笔条项单行人次个]?[)）]|共?\d+[笔条项单行人次个]))?[:：]?$"
)
# A count or a page marker under the table (共 2 条记录, 第1页/共1页, Page 1 of 3): a footer only when it is the
# row's one filled cell, since 共6次 is also a course card's size in a 规格 column.
# And the placeholder an export writes for no rows at all (暂无数据, No data): a file with it alone holds nothing.
_FOOTER_WORDS = either_script(
    r"^(?:共\d+[笔条项单行人次个](?:记录|数据)?|第\d+页[/,，]?(?:共\d+页)?|page\d+(?:of\d+)?"
    r"|(?:暂无|无|没有)(?:数据|记录|符合条件的(?:数据|记录))|查询无结果|nodata|norecords)$"
)
TOTAL_MAX_CHARS = 12
# A subtotal labelled with what it sums, in any column a name or the item is in: 张敏 小计, 小计(王芳), 2026-10-15 小计,
# 本单合计 under 项目. Only 小计 and 合计 (no item or name ends with them), in cells of at most SUBTOTAL_MAX_CHARS.
SUBTOTAL = either_script(r"^.{0,16}?(?:小计|合计)[:：]?(?:[(（][^()（）]{0,12}[)）])?$")
# The words a labelled subtotal holds, which both paths look for before SUBTOTAL (in either script: 小計, 合計).
SUBTOTAL_WORDS = in_both_scripts(["小计", "合计"])
SUBTOTAL_MAX_CHARS = 20
# A signer's, a print/export time's or a note's label and a colon: 制表人：, 打印时间：, Printed by:, Note:.
# Named labels, not any few letters before a colon: ids and names hold colons too (VIP:002, Botox: forehead),
# and a customer or an item with only that cell filled is data.
_NOTE = either_script(
    r"(?i)^\s*(?:(?:制表|制单|填表|打印|导出|审核|复核|审批|经办|统计|签字|签名)(?:人|员|者)?(?:时间|日期)?"
    r"|(?:打印|导出|制表|统计)?(?:时间|日期)|负责人|操作员|备注|说明|注"
    r"|数据截[止至](?:时间|日期)?|截[止至](?:时间|日期)|数据(?:时间|日期|范围|区间)|统计(?:区间|范围|周期)"
    r"|(?:printed|exported|prepared|generated|reviewed|approved)(?:\s+(?:by|on|at))?|notes?|remarks?)\s*[:：]"
)
_TOPUP = r"充值|储值|预存|top.?up|recharge"
# A line's kind (类型) names a top-up in more words than an item's name may: an item 开卡价水光针 is a sale, an item
# named 会员开卡 or 续卡 and nothing else is a top-up.
_TOPUP_KIND = either_script(_TOPUP + r"|开卡|办卡|续卡|充卡")
_TOPUP_ITEM = either_script(_TOPUP + r"|^(?:会员)?(?:开卡|办卡|续卡|充卡)$")
# Paid from a balance, a prepaid course, a gift balance or a deposit paid earlier: no cash came in that day.
_STORED_VALUE = either_script(
    r"储值|余额|卡扣|划卡|扣卡|会员卡|预存|预付|充值卡|卡金|本金|赠金|赠送|疗程卡|次卡|卡项|抵扣|扣减"
    # Vouchers the clinic gave; a 团购券 or 抖音券 was paid for on the platform and is cash.
    r"|现金券|代金券|抵用券|优惠券|礼券|赠券"
    r"|stored|balance|prepaid"
)
# A line that gives money back although its amount is positive: its kind says so (退款, 退费, 支出 in a 收支类型
# column, a red reversal 红冲), its item does (退费-水光针, 玻尿酸(退款)), or its quantity is negative.
_REFUND_KIND = either_script(r"退|支出|红冲|冲红|冲销|refund|\breturn\b")
_REFUND_ITEM = either_script(r"退款|退费|退货")
_YES = ["是", "y", "yes", "true", "1", "已到院", "到院", "已到", "到店", "已到店", "√", "✓"]
_NO = ["否", "n", "no", "false", "0", "未到院", "未到", "未到店", "×", "x", "✗", "✘"]
EXCEL_EPOCH = pl.date(1899, 12, 30)


@dataclass
class Converted:
    good: pl.DataFrame  # canonical columns + _row, typed
    problems: pl.DataFrame  # _row, column, field, value, reason, severity
    rows_read: int  # data rows below the header, blank and totals rows included
    skipped_blank: int
    skipped_totals: int
    rejected: int


# Cells that mean "nothing here" in exports: placeholders, not values to reject.
_EMPTY = [
    "-",
    "--",
    "---",
    "/",
    "\\",
    "无",
    "暂无",
    "空",
    "n/a",
    "N/A",
    "NA",
    "null",
    "NULL",
    "None",
    "—",
    "——",
    "#N/A",
]
# The minus sign (U+2212) and the small hyphen-minus are how some systems and Word-edited sheets write a refund.
_FULL = "０１２３４５６７８９．，－／：\u2212\ufe63"
_HALF = "0123456789.,-/:--"


# Control characters (NUL, escape sequences, bidi overrides) are never data: stored, they would
# break keys, terminals and reports. Tab, LF and CR inside a cell are kept as the user typed them.
# Control characters, bidi marks and zero-width ones (a name typed with U+200B prints like another and is not).
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]"
# A line of more than ten billion yuan is a broken cell (1e308, a phone number in the amount column),
# and would overflow DECIMAL(18,2) sums and the reports built on them.
MAX_ABS_AMOUNT = 1e10


# Full-width letters and digits in an id (Ｃ２, １００１), as an IME in full-width mode types them: the same customer as
# C2 and 1001 in another export. Ids only: an item or a name (Ｍ２２光子嫩肤) is a line's key as it was first loaded,
# and folded it would be a new key, so an overlapping re-export would load the line twice.
ID_FIELDS = {"customer_id", "referrer_id", "order_id", "card_id", "lead_id"}
_FULL_ALNUM = [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
FULL_WIDTH = [chr(c) for c in _FULL_ALNUM]
HALF_WIDTH = [chr(c - 0xFEE0) for c in _FULL_ALNUM]


def _clean(col: str) -> pl.Expr:
    # ="000123" is how Excel exports keep leading zeros; the value is inside the quotes.
    # '000123 is Excel's other way (a leading apostrophe marks a cell as text); the apostrophe is no data.
    s = (
        pl.col(col)
        .str.replace_all(_CONTROL, "")
        .str.strip_chars()
        .str.replace(r'^="(.*)"$', "$1")
        .str.replace(r"^'", "")
        .str.strip_chars()
    )
    return pl.when((s == "") | s.is_in(_EMPTY)).then(None).otherwise(s)


def _half_width(s: pl.Expr) -> pl.Expr:
    """１２３４．５ → 1234.5: some systems export full-width digits and punctuation."""
    return s.str.replace_many(list(_FULL), list(_HALF))


# Commas grouping thousands (1,280,000.00) or 万 (12,8000) throughout. Any other grouping (1,00000, 1,234,5678) is a
# slip whose meaning cannot be known: no amount, rather than the digits run together.
_GROUPED = r"^\d{1,3}(?:,\d{3})+(?:\.\d*)?$|^\d{1,4}(?:,\d{4})+(?:\.\d*)?$"
# A comma before one or two final digits (680,50), or after a decimal point (1.280,00): a decimal comma.
_DECIMAL_COMMA = r",\d{1,2}$|\.\d*,"
# What a cell holds besides its digits, sign and separators: currency, unit, brackets, spaces.
_NOT_DIGITS = r"(?i)[¥￥$£€\s元万+\-]|rmb|cny|yuan|usd|[()（）]"


def _separators(s: pl.Expr) -> pl.Expr:
    """A cell (half-width) as its digits, points and commas."""
    return s.str.replace_all(_NOT_DIGITS, "")


def _misgrouped(s: pl.Expr) -> pl.Expr:
    """A cell (half-width) whose commas group neither thousands nor 万 (a decimal comma among them)."""
    digits = _separators(s)
    return digits.str.contains(",") & ~digits.str.contains(_GROUPED)


def parse_amount(col: str, scale: float = 1.0, bounded: bool = True) -> pl.Expr:
    return _amount(pl.col(col), scale, bounded)


def _amount(cell: pl.Expr, scale: float = 1.0, bounded: bool = True) -> pl.Expr:
    s = _half_width(cell)
    # (1,280.00) and 1,280.00- (a ledger's trailing minus) are negative.
    trailing = s.str.contains(r"^[^-]*\d-$")
    # ¥(1,200.00) and (1,200.00)元: the brackets are read once the currency sign and unit are set aside.
    bare = s.str.replace_all(r"(?i)[¥￥$£€\s元]|rmb|cny|yuan", "")
    negative = bare.str.contains(r"^[(（].*[)）]$") | trailing
    s = pl.when(trailing).then(s.str.strip_suffix("-")).otherwise(s)
    wan = s.str.contains("万")
    body = s.str.replace_all(r"(?i)[¥￥$£€,，\s元万]|rmb|cny|yuan|usd|[()（）]", "")
    # 680,50 and 1.280,00 (a decimal comma) are no amount rather than 68,050 and 1.28.
    v = pl.when(_misgrouped(s)).then(None).otherwise(body.cast(pl.Float64, strict=False))
    v = pl.when(negative).then(-v).otherwise(v)
    v = pl.when(wan).then(v * 10000).otherwise(v)
    v = (v / scale) if scale != 1.0 else v
    return pl.when(v.is_finite() & (v.abs() <= MAX_ABS_AMOUNT)).then(v) if bounded else v


# A count with its unit, as a till writes it: 2次, 3支, 1盒.
_COUNT_UNIT = either_script(r"\s*[次个支盒瓶份件套针袋张片只组]$")


def parse_number(col: str) -> pl.Expr:
    return _amount(pl.col(col).str.replace(_COUNT_UNIT, ""))


# What may follow a day in its cell, once parse_date has normalised it (年月/. as -, 日 as a space), after a space,
# a T or a bracket: a time of day, a weekday, a zone, a note (14:05, 下午2点, (一), GMT+08:00, (补录)), as tills write
# them; never a second date (_RANGE).
DAY_TAIL = r"(?:[\sT(（,，].*)?"
# Two dates in one cell (a week or a campaign's span) are no day: 2026-09-28 至 2026-10-04 read as its first day put
# a week's spend whole into one month. Refused, and said so, not "not a date".
RANGE = "a range of dates (from … to …), not one day: give each day or the month its own row"
_RANGE = r"\d[^\d]*(?:至|到|~|～|—|–|\s-\s|(?i:\sto\s)).*\d{1,2}[-/.月]\d{1,2}|\d-\d{4}[-/.]\d{1,2}"


def parse_date(col: str, allow_month: bool = False, order: str | None = None, fmt: str | None = None) -> pl.Expr:
    s = _half_width(pl.col(col))
    if fmt:
        # The user's format (mapping file date_format) is the only reading: a guess could swap day and month.
        v = s.str.strip_chars().str.strptime(pl.Datetime, fmt, strict=False).dt.date()
        return pl.when(v.dt.year().is_between(1900, 2100)).then(v)
    serial = s.str.extract(r"^(\d{5})(?:\.\d+)?$", 1).cast(pl.Int64, strict=False)
    from_serial = pl.when(serial.is_between(20000, 80000)).then(EXCEL_EPOCH + pl.duration(days=serial))
    compact = s.str.extract(r"^(\d{8})$", 1)
    norm = (
        s.str.replace_all(r"[年月/.]", "-")
        # 2026年10月08日14:32: the day's sign is where the time begins.
        .str.replace_all(r"[日号]", " ")
        .str.strip_chars()
        .str.replace_all(r"\s+", " ")
        .str.replace(r"-$", "")
    )
    ymd = norm.str.extract_groups(rf"^(\d{{4}})-(\d{{1,2}})(?:-(\d{{1,2}}))?{DAY_TAIL}$")
    y, m, dd = ymd.struct.field("1"), ymd.struct.field("2"), ymd.struct.field("3")
    day = dd if not allow_month else pl.coalesce(dd, pl.lit("1"))
    text = pl.concat_str([y, m.str.zfill(2), day.str.zfill(2)], separator="-")
    from_text = text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    from_compact = compact.str.strptime(pl.Date, "%Y%m%d", strict=False)
    # Oct 5, 2026 / October 5, 2026 / 5 Oct 2026: an English export's dates; the month's name leaves no doubt.
    worded = s.str.strip_chars().str.replace(r"\s+", " ")
    from_words = pl.coalesce(
        worded.str.strptime(pl.Date, "%B %d, %Y", strict=False),
        worded.str.strptime(pl.Date, "%d %b %Y", strict=False),
        worded.str.strptime(pl.Date, "%d %B %Y", strict=False),
    )
    v = pl.coalesce(from_serial, from_compact, from_text, from_words)
    if allow_month:
        # 202610: a month as some systems key their spend (not a day: 20261005 has eight digits).
        month_only = s.str.extract(r"^(\d{4}(?:0[1-9]|1[0-2]))$", 1).str.strptime(pl.Date, "%Y%m", strict=False)
        v = pl.coalesce(v, month_only)
    if order in ("mdy", "dmy"):
        # 12/6/2009: which number is the month is the user's word (date_order), never a guess.
        parts = norm.str.extract_groups(rf"^(\d{{1,2}})-(\d{{1,2}})-(\d{{4}}|\d{{2}}){DAY_TAIL}$")
        a, b, yy = parts.struct.field("1"), parts.struct.field("2"), parts.struct.field("3")
        mm, dd2 = (a, b) if order == "mdy" else (b, a)
        year = pl.when(yy.str.len_chars() == 2).then(pl.lit("20") + yy).otherwise(yy)
        other = pl.concat_str([year, mm.str.zfill(2), dd2.str.zfill(2)], separator="-").str.strptime(
            pl.Date, "%Y-%m-%d", strict=False
        )
        v = pl.coalesce(from_serial, other, from_compact, from_text)
    return pl.when(v.dt.year().is_between(1900, 2100) & ~s.str.contains(_RANGE)).then(v)


# The common day, with or without its time of day: the fast paths' (here and importer/setwise.py); any other text
# after the day goes to parse_date, which reads a weekday or a time and refuses the rest.
ISO_DAY = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"


# A number as Excel shows it in a narrow General column, and a CSV it saved keeps: 1.38E+10, or 1.3800138E+10.
SCIENTIFIC = r"^[+-]?\d+(?:\.(\d+))?[eE]\+?(\d+)$"


def parse_phone(col: str) -> pl.Expr:
    # Half-width first: \D keeps a full-width ４, and 1380013801４ would not link to 13800138014.
    cell = _half_width(pl.col(col)).str.strip_chars()
    # In scientific notation a phone is whole only when every digit is written (1.3800138000E+10); 1.38E+10 lost
    # them, and read as its digits (138) it would link leads to whoever else has that "phone".
    exponent = cell.str.extract(SCIENTIFIC, 2).cast(pl.Int64, strict=False)
    decimals = cell.str.extract(SCIENTIFIC, 1).fill_null("").str.len_chars()
    scientific = exponent.is_not_null()
    cell = pl.when(scientific & (decimals != exponent)).then(None).otherwise(cell.str.replace(r"[eE].*$", ""))
    cell = pl.when(scientific).then(cell.str.replace_all(r"\.", "")).otherwise(cell)
    digits = cell.str.replace_all(r"\.0+$", "").str.replace_all(r"\D", "")
    mobile = digits.str.replace(r"^(?:0086|86)(1\d{10})$", "$1")
    # 138****5678 is a number the CRM hid: its digits would link leads to the wrong customer.
    hidden = pl.col(col).str.contains(r"[*＊×•●]")
    return pl.when(mobile.str.len_chars().is_between(5, 15) & ~hidden).then(mobile)


def parse_bool(col: str) -> pl.Expr:
    s = pl.col(col).str.to_lowercase()
    return pl.when(s.is_in(_YES)).then(True).when(s.is_in(_NO)).then(False).otherwise(None)


def _parser(f: d.Field, amount_scale: float, dates: tuple[str | None, str | None] = (None, None)) -> pl.Expr:
    match f.type:
        case d.AMOUNT:
            return parse_amount(f.name, amount_scale)
        case d.NUMBER:
            return parse_number(f.name)
        case d.DATE:
            return parse_date(f.name, order=dates[0], fmt=dates[1])
        case d.PERIOD:
            return parse_date(f.name, allow_month=True, order=dates[0], fmt=dates[1])
        case d.PHONE:
            return parse_phone(f.name)
        case d.BOOL:
            return parse_bool(f.name)
        case _:
            # A formula saved without its result (read/sheet_parts put its text here) is no item or name.
            return pl.when(pl.col(f.name).str.contains(FORMULA_TEXT)).then(None).otherwise(pl.col(f.name))


# The common spellings, tried first on every row; the full parsers run only on the rows these miss.
def _fast(f: d.Field, amount_scale: float) -> pl.Expr | None:
    c = pl.col(f.name)
    if f.type in (d.AMOUNT, d.NUMBER):
        v = c.cast(pl.Float64, strict=False)
        v = (v / amount_scale) if (f.type == d.AMOUNT and amount_scale != 1.0) else v
        return pl.when(v.is_finite() & (v.abs() <= MAX_ABS_AMOUNT)).then(v)
    if f.type in (d.DATE, d.PERIOD):
        v = c.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
        return pl.when(v.dt.year().is_between(1900, 2100) & c.str.contains(ISO_DAY)).then(v)
    return None


def _parse_column(
    frame: pl.DataFrame, f: d.Field, amount_scale: float, dates: tuple[str | None, str | None] = (None, None)
) -> pl.Series:
    fast = _fast(f, amount_scale)
    if f.type in (d.DATE, d.PERIOD) and dates[1]:
        fast = None  # an explicit date_format reads every cell
    if fast is None:
        return frame.select(_parser(f, amount_scale, dates).alias(f.name)).to_series()
    first = frame.select(fast.alias(f.name)).to_series()
    missed = first.is_null() & frame[f.name].is_not_null()
    if not missed.any():
        return first
    slow = frame.filter(missed).select(_parser(f, amount_scale, dates).alias(f.name)).to_series()
    return first.scatter(missed.arg_true(), slow)


_REASON = {
    d.AMOUNT: "not an amount",
    d.NUMBER: "not a number",
    d.DATE: "not a date",
    d.PERIOD: "not a date or month",
    d.PHONE: "not a phone number",
    d.BOOL: "not yes/no (是/否)",
}


# Stored in English like every reject reason; people read them in their language (present/messages.py).
BEYOND = "beyond ±10,000,000,000: not a plausible amount"
DECIMAL_COMMA = "a comma where the decimal point goes (680,50): write 680.50; commas only between thousands"
MISGROUPED = "commas that group neither thousands (1,280,000) nor 万 (12,8000): the amount cannot be known"
# A formula without its result, as read/sheet_parts marks it (its FORMULA_MARK, then =E2*F2).
FORMULA_TEXT = "^\ue001"
SHORTENED = "a number Excel shortened to scientific notation: its digits are lost; export the column as text"
# read/sheet_parts puts a formula's text where the workbook saved no result.
FORMULA = "a formula saved without its result: open the file in Excel or WPS, save it, and import it again"


def _beyond(f: d.Field, scale: float) -> pl.Expr:
    if f.type not in (d.AMOUNT, d.NUMBER):
        return pl.lit(False)
    v = parse_amount(f.name, scale if f.type == d.AMOUNT else 1.0, bounded=False)
    return (v.is_infinite() | (v.is_finite() & (v.abs() > MAX_ABS_AMOUNT))).fill_null(False)


MORE_FIELDS = "more fields than headers: an unquoted comma?"
FEWER_FIELDS = "fewer fields than headers: a broken line or an unbalanced quote?"


def convert(
    frame: pl.DataFrame,
    layout: Layout,
    *,
    amount_unit: str = "yuan",
    clinic: str | None = None,
    first_row: int | None = None,
    field_counts: pl.Series | None = None,
    header_fields: int | None = None,
    date_order: str | None = None,
    date_format: str | None = None,
    rows: pl.Series | None = None,
) -> Converted:
    """frame holds the sheet from its first row, header included; or, with first_row, a later batch
    of data rows whose first row is sheet row first_row; or, with rows, data rows anywhere in the sheet,
    rows giving each one's sheet row (the rows setwise.py left to this converter).

    field_counts (CSV): the fields each line of frame had; a data line whose count differs from the
    header's (header_fields, else the header line's own count) is rejected whole, never shifted."""
    ds = layout.dataset
    scale = 100.0 if amount_unit == "fen" else 1.0
    if rows is not None:
        body = frame.with_columns(rows.cast(pl.UInt32).alias(ROW))
    elif first_row is None:
        body = frame.slice(layout.header_row + 1).with_row_index(ROW, offset=layout.header_row + 2)
    else:
        body = frame.with_row_index(ROW, offset=first_row)
    rows_read = body.height
    ragged = None
    if field_counts is not None:
        if first_row is None and rows is None:
            header_fields = int(field_counts[layout.header_row])
            counts = field_counts.slice(layout.header_row + 1)
        else:
            counts = field_counts
        body = body.with_columns(counts.alias("_fields"))
    # Rows to skip without complaint: blank, totals (合计/总计), and header rows a paged export repeats.
    # Trim and null-empty only what is read (mapped) or checked for 合计 (the first columns); other
    # columns only need to be known empty for the blank-row test.
    checked = list(dict.fromkeys([*layout.mapping, *frame.columns[:4]]))
    body = body.with_columns([_clean(c).alias(c) for c in checked])
    ids = [c for c, f in layout.mapping.items() if f in ID_FIELDS and c in body.columns]
    body = body.with_columns(pl.col(c).str.replace_many(FULL_WIDTH, HALF_WIDTH) for c in ids)
    blank = pl.all_horizontal(
        [
            pl.col(c).is_null() if c in checked else (pl.col(c).is_null() | (pl.col(c).str.strip_chars() == ""))
            for c in frame.columns
        ]
    )
    totals = _in_first_cells(frame.columns, _TOTAL_WORDS) | _subtotal(subtotal_columns(frame.columns, layout))
    filled = pl.sum_horizontal([(pl.col(c).fill_null("").str.strip_chars() != "") for c in frame.columns])
    footer = _in_first_cells(frame.columns, _FOOTER_WORDS) & (filled == 1)
    header_again = pl.all_horizontal(
        [(pl.col(c) == pl.lit(layout.headers[c])).fill_null(False) for c in layout.mapping]
    )
    # A signature under the table (制表人：张三 | 打印时间：2026-11-01): every filled cell is a label and a colon.
    signed = pl.all_horizontal(
        [
            pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") | pl.col(c).str.contains(_NOTE)
            for c in frame.columns
        ]
    ).fill_null(False)
    body = body.with_columns(blank.alias("_blank"), (totals | footer | header_again | signed).alias("_total"))
    skipped_blank = int(body["_blank"].sum())
    skipped_totals = int((body["_total"] & ~body["_blank"]).sum())
    body = body.filter(~pl.col("_blank") & ~pl.col("_total"))
    if field_counts is not None:
        wrong_width = body.filter(pl.col("_fields") != header_fields)
        if wrong_width.height:
            ragged = wrong_width.select(
                pl.col(ROW).cast(pl.UInt32),
                pl.lit("").alias("column"),
                pl.lit("").alias("field"),
                pl.lit(None, pl.String).alias("value"),
                (
                    pl.when(pl.col("_fields") > header_fields).then(pl.lit(MORE_FIELDS)).otherwise(pl.lit(FEWER_FIELDS))
                    + pl.lit(f" {header_fields} → ")
                    + pl.col("_fields").cast(pl.String)
                ).alias("reason"),
                pl.lit("rejected").alias("severity"),
            )
            body = body.filter(pl.col("_fields") == header_fields)

    raw = body.select(ROW, *[pl.col(c).alias(f) for c, f in layout.mapping.items()])
    present = set(layout.mapping.values())
    raw = raw.with_columns(
        [pl.lit(layout.constants.get(f.name), pl.String).alias(f.name) for f in ds.fields if f.name not in present]
    )
    # On one line: a header cell wrapped in Excel (实收\n金额) would break every message naming it.
    field_to_header = {f: " ".join(layout.shown.get(c, layout.headers[c]).split()) for c, f in layout.mapping.items()}

    parsed = raw.select(ROW).with_columns([_parse_column(raw, f, scale, (date_order, date_format)) for f in ds.fields])
    problems = []
    reject_flags = []
    for f in ds.fields:
        if f.name not in present:
            continue
        had_text = raw[f.name].is_not_null()
        bad = had_text & parsed[f.name].is_null()
        hit_mask = (bad | ~had_text) if f.required else bad
        if not hit_mask.any():
            continue
        hit = raw.filter(hit_mask).select(
            ROW,
            pl.lit(field_to_header.get(f.name, f.name)).alias("column"),
            pl.lit(f.name).alias("field"),
            pl.col(f.name).str.strip_prefix("\ue001").alias("value"),
            pl.when(pl.col(f.name).is_null())
            .then(pl.lit("missing required field"))
            .when(_beyond(f, scale))
            .then(pl.lit(BEYOND))
            .when(pl.col(f.name).str.contains(FORMULA_TEXT))
            .then(pl.lit(FORMULA))
            .when(pl.lit(f.type == d.PHONE) & pl.col(f.name).str.contains(SCIENTIFIC))
            .then(pl.lit(SHORTENED))
            .when(pl.lit(f.type in (d.DATE, d.PERIOD)) & pl.col(f.name).str.contains(_RANGE))
            .then(pl.lit(RANGE))
            .when(
                pl.lit(f.type in (d.AMOUNT, d.NUMBER))
                & _separators(_half_width(pl.col(f.name))).str.contains(_DECIMAL_COMMA)
            )
            .then(pl.lit(DECIMAL_COMMA))
            .when(pl.lit(f.type in (d.AMOUNT, d.NUMBER)) & _misgrouped(_half_width(pl.col(f.name))))
            .then(pl.lit(MISGROUPED))
            .otherwise(pl.lit(_REASON.get(f.type, "unreadable")))
            .alias("reason"),
            pl.lit("rejected" if f.required else "blanked").alias("severity"),
        )
        problems.append(hit)
        if f.required:
            reject_flags.append(hit.select(ROW))
    for f in ds.fields:
        if not f.voids or f.name not in present:
            continue
        said = raw[f.name].str.to_lowercase()
        void = said.str.contains(f.void_pattern).fill_null(False)
        if f.void_unless:
            void = void & ~said.str.contains(f.void_unless).fill_null(False)
        if "paid_amount" in parsed.columns:
            # A negative line is a refund or a reversal (撤销收费 −1,000), never a voided sale.
            void = void & ~(parsed["paid_amount"] < 0).fill_null(False)
        hit = raw.filter(void).select(
            ROW,
            pl.lit(field_to_header.get(f.name, f.name)).alias("column"),
            pl.lit(f.name).alias("field"),
            pl.col(f.name).alias("value"),
            _void_reason(f).alias("reason"),
            pl.lit("rejected").alias("severity"),
        )
        if hit.height:
            problems.append(hit)
            reject_flags.append(hit.select(ROW))
    if ragged is not None:
        problems.append(ragged)
        reject_flags.append(ragged.select(ROW))
    problems_df = (
        pl.concat([p.cast({ROW: pl.UInt32}) for p in problems])
        if problems
        else pl.DataFrame(
            schema={
                ROW: pl.UInt32,
                "column": pl.String,
                "field": pl.String,
                "value": pl.String,
                "reason": pl.String,
                "severity": pl.String,
            }
        )
    )
    rejected_rows = pl.concat(reject_flags).unique() if reject_flags else pl.DataFrame(schema={ROW: pl.UInt32})
    good = parsed.join(rejected_rows, on=ROW, how="anti")
    if clinic is not None:
        good = good.with_columns(pl.col("clinic").fill_null(clinic))
    good = _derive(ds.name, good)
    return Converted(
        good=good,
        problems=problems_df.sort(ROW),
        rows_read=rows_read,
        skipped_blank=skipped_blank,
        skipped_totals=skipped_totals,
        rejected=rejected_rows.height,
    )


def _void_reason(f: d.Field) -> pl.Expr:
    said = pl.col(f.name).str.to_lowercase()
    reason = pl.lit(f.voids[-1][1])
    for pattern, text in reversed(f.voids[:-1]):
        reason = pl.when(said.str.contains(pattern)).then(pl.lit(text)).otherwise(reason)
    return reason


# Where a subtotal's label sits beside its amount: a name or the item. Not free text (no_deal_reason: 回家跟老公合计 is
# "to talk it over at home").
SUBTOTAL_FIELDS = {"item", "customer_id", "name", "consultant", "online_consultant", "department", "doctor", "operator"}


def subtotal_columns(columns: list[str], layout: Layout) -> list[str]:
    """Where a labelled subtotal is looked for: the columns of the names and the item, and the first columns unless
    they hold other text (a reason, a note)."""
    dates = {f.name for f in layout.dataset.fields if f.type in (d.DATE, d.PERIOD)}
    first = [c for c in columns[:4] if layout.mapping.get(c) in (None, *SUBTOTAL_FIELDS, *dates)]
    named = [c for c, f in layout.mapping.items() if f in SUBTOTAL_FIELDS and c in columns]
    return list(dict.fromkeys([*first, *named]))


def _subtotal(columns: list[str]) -> pl.Expr:
    return pl.any_horizontal(
        [
            (pl.col(c).str.len_chars() <= SUBTOTAL_MAX_CHARS)
            & pl.col(c).str.contains("|".join(SUBTOTAL_WORDS))
            & pl.col(c).str.replace_all(r"\s", "").str.contains(SUBTOTAL)
            for c in columns
        ]
    ).fill_null(False)


def _in_first_cells(columns: list[str], words: str) -> pl.Expr:
    """A totals label or a footer in one of the first columns, where exports put them; short cells only, so the
    regex stays cheap."""
    return pl.any_horizontal(
        [
            (pl.col(c).str.len_chars() <= TOTAL_MAX_CHARS)
            & pl.col(c).str.to_lowercase().str.replace_all(r"\s", "").str.contains(words)
            for c in columns[:4]
        ]
    ).fill_null(False)


# A treatment line that takes a deduction back (撤销划扣 5,000 keyed positive, as a kind column says).
REVERSAL = either_script(r"撤销|冲销|红冲|冲红|退|取消|reversal|reverse|cancel|void")
# Visit types in other words, lower case (Polars and DuckDB alike). A negated first visit (非初诊) is a return, and
# new counts at a word's start only (NewPatient): Renewal is no new customer.
VISIT_RECHECK = either_script("复查|recheck|follow")
VISIT_NOT_FIRST = either_script("非初|非首|不是初|not first|non-?first")
VISIT_FIRST = either_script("初|首|新客|first|(^|[^a-z])new")
VISIT_RETURN = either_script("复诊|覆诊|复|再|老客|return|repeat|renew")


def _derive(dataset: str, df: pl.DataFrame) -> pl.DataFrame:
    """Dataset rules that depend on wording: order line kinds, visit types, staff roles."""
    if dataset == "orders":
        kind = pl.col("kind").fill_null("").str.to_lowercase()
        refund_word = (
            kind.str.contains(_REFUND_KIND)
            | pl.col("item").fill_null("").str.contains(_REFUND_ITEM)
            | (pl.col("quantity") < 0).fill_null(False)
        )
        paid = (
            pl.when(refund_word & (pl.col("paid_amount") > 0))
            .then(-pl.col("paid_amount"))
            .otherwise(pl.col("paid_amount"))
        )
        topup = kind.str.contains(_TOPUP_KIND) | pl.col("item").str.to_lowercase().str.contains(_TOPUP_ITEM)
        df = df.with_columns(paid.alias("paid_amount")).with_columns(
            pl.when(pl.col("paid_amount") < 0)
            .then(pl.lit("refund"))
            .when(topup)
            .then(pl.lit("topup"))
            .otherwise(pl.lit("sale"))
            .alias("line_kind"),
            pl.col("payment_method").fill_null("").str.to_lowercase().str.contains(_STORED_VALUE).alias("stored_value"),
        )
    elif dataset == "treatments":
        reversal = pl.col("kind").fill_null("").str.to_lowercase().str.contains(REVERSAL) | (
            pl.col("sessions") < 0
        ).fill_null(False)
        df = df.with_columns(
            pl.when(reversal & (pl.col(c) > 0)).then(-pl.col(c)).otherwise(pl.col(c)).alias(c)
            for c in ("consumed_amount", "sessions")
        )
    elif dataset == "visits":
        t = pl.col("visit_type").fill_null("").str.to_lowercase()
        df = df.with_columns(
            pl.when(t.str.contains(VISIT_RECHECK))
            .then(pl.lit("复查"))
            .when(t.str.contains(VISIT_NOT_FIRST))
            .then(pl.lit("复诊"))
            .when(t.str.contains(VISIT_FIRST))
            .then(pl.lit("初诊"))
            .when(t.str.contains(VISIT_RETURN))
            .then(pl.lit("复诊"))
            .otherwise(pl.col("visit_type"))
            .alias("visit_type")
        )
    elif dataset == "staff":
        r = pl.col("role").fill_null("").str.to_lowercase()
        df = df.with_columns(
            pl.when(r.str.contains("网|online"))
            .then(pl.lit("online_consultant"))
            .when(r.str.contains("咨询|顾问|onsite|consult"))
            .then(pl.lit("onsite_consultant"))
            .when(r.str.contains("医|doctor"))
            .then(pl.lit("doctor"))
            .when(r.str.contains("客服|service"))
            .then(pl.lit("service"))
            .otherwise(pl.col("role"))
            .alias("role")
        )
    elif dataset == "customers":
        g = pl.col("gender").fill_null("").str.to_lowercase()
        df = df.with_columns(
            pl.when(g.is_in(["女", "f", "female"]))
            .then(pl.lit("女"))
            .when(g.is_in(["男", "m", "male"]))
            .then(pl.lit("男"))
            .otherwise(pl.col("gender"))
            .alias("gender")
        )
    return df
