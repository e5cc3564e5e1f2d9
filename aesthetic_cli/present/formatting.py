"""How values look to people (tables, reports) and how text cells stay text in spreadsheets."""

from __future__ import annotations

import math
from decimal import Decimal

from aesthetic_cli.present.labels import kind_of

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Columns whose meaning comes from the row's KPI or lever rather than from the column.
PER_ROW = {"current", "previous", "last_year", "plan", "actual", "needed"}
RELATIVE_CHANGE = {"mom", "yoy"}


def safe_cell(value):
    """A text cell that a spreadsheet would run as a formula is written as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def show_value(column: str, value, kind: str | None = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, float) or isinstance(value, int) and not isinstance(value, bool):
        kind = kind or kind_of(column)
        if kind == "rate":
            return f"{value * 100:.1f}%"
        if kind == "pp":
            return f"{value * 100:+.1f}pp"
        if kind == "hidden":
            return "—"
        if kind == "money":
            return f"{value:,.0f}"
        if kind == "ratio":
            return f"{value:.2f}"
        if kind == "days":
            return f"{value:,.0f}"
        if kind == "count":
            return f"{value:,.1f}" if isinstance(value, float) and not float(value).is_integer() else f"{value:,.0f}"
        if isinstance(value, float):
            return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def kpi_value(kpi: str, value) -> str:
    """A headline KPI as the report's cards, its sheet and the sent summary show it: money with ¥."""
    kind = cell_kind({"kpi": kpi}, "current")
    text = show_value("current", value, kind)
    return f"¥{text}" if kind == "money" and value is not None else text


def kpi_change(kpi: str, change, lang: str) -> str:
    """A headline KPI's 环比/同比: relative, in %; a rate's in points (SPEC §2), "+1.2个百分点" / "+1.2 pts"."""
    if change is None:
        return "—"
    if kind_of(kpi) == "rate":
        return f"{change * 100:+.1f}" + ("个百分点" if lang == "zh" else " pts")
    return f"{change * 100:+.1f}%"


def cell_kind(row: dict, column: str) -> str | None:
    """rate, money, ratio, days or count: from the column, or in a KPI-per-row table from the row's KPI."""
    subject = row.get("kpi") or row.get("lever")
    if subject and column in PER_ROW:
        return kind_of(subject) or "count"
    if subject and column == "change" and kind_of(subject) == "rate":
        return "pp"  # the lever table's change: a rate's in points, the others' relative
    if subject and column in RELATIVE_CHANGE and kind_of(subject) == "rate":
        # SPEC §2: tables show a rate's change in points (mom_diff/yoy_diff), not relative to itself.
        return "hidden"
    return kind_of(column)


# Shown as percentages in tables like the rates, but not the fractions SPEC §2 keeps at full precision:
# a model's probability and a return on spend ((sales − spend)/spend, beside roas). The CSV rounds them
# like the other estimates and ratios.
NOT_SPEC_RATES = {"p_alive", "roi"}
CSV_DECIMALS = 4


def csv_value(column: str, value, kind: str | None = None, lang: str = "zh"):
    """A cell as a spreadsheet should read it: counts as integers, amounts with two decimals, rates
    as plain fractions at full precision (SPEC §2), other fractional numbers (probabilities, ratios,
    averages, model estimates) with four decimals, yes/no in the reader's language, lists joined with ';'."""
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, (list, tuple)):
        return ";".join(str(x) for x in value)
    if not isinstance(value, (Decimal, float)):
        return value
    kind = kind or kind_of(column)
    if kind == "money":
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    if isinstance(value, float) and value.is_integer() and kind in (None, "count", "days"):
        return int(value)
    if kind in ("rate", "pp") and column not in NOT_SPEC_RATES:
        return str(value) if isinstance(value, Decimal) else value
    if isinstance(value, float) and not math.isfinite(value):
        return value
    return f"{value:.{CSV_DECIMALS}f}"


def visible(frame):
    """What a person reads: a grouping column that says 全部 on every row tells nothing, so it goes."""
    if "group" in frame.columns and frame.height and frame["group"].n_unique() == 1 and frame["group"][0] == "all":
        return frame.drop("group")
    return frame
