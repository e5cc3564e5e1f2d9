"""Column labels in Chinese and English, and how each kind of column is shown in a table."""

from __future__ import annotations

from aesthetic_cli.glossary import LABELS, name_of  # noqa: F401  (LABELS: re-exported for callers)


# How a column is shown in tables and reports; JSON/CSV keep raw numbers and fractions.
RATE_COLUMNS = {
    "close_rate",
    "appointment_rate",
    "arrival_rate",
    "roi",
    "mom",
    "yoy",
    "lost_share",
    "refund_rate",
    "repurchase_rate",
    "share",
    "referral_customer_share",
    "referral_sales_share",
    "margin_rate",
    "period_elapsed",
    "achievement",
    "new_share",
    "change",
    "ratio",
    "plan_elapsed",
    "sales_mom",
    "sales_yoy",
    "visitors_mom",
    "p_alive",
}
RATIO_COLUMNS = {"roas", "frequency", "output_roas", "output_roas_threshold"}
MONEY_COLUMNS = {
    "sales",
    "cash_in",
    "consumption",
    "new_sales",
    "old_sales",
    "ticket",
    "refunds",
    "topups",
    "spend",
    "cpl",
    "cost_per_arrival",
    "cac",
    "sales_30d",
    "sales_90d",
    "sales_180d",
    "sales_365d",
    "referral_sales",
    "current",
    "previous",
    "last_year",
    "balance",
    "liability",
    "cash_part",
    "margin",
    "target",
    "actual",
    "needed_per_day",
    "projection",
    "follow_on_sales",
    "amount",
    "lifetime_sales",
    "opener_sales",
    "follow_on_per_customer",
    "dormant_balance",
    "bonus_part",
    "unit_cost",
    "avg_price",
    "gross_sales",
    "new_target",
    "old_target",
    "last_year_sales",
    "target_to_date",
    "gap",
    "over_target",
    "cac_threshold",
    "sales_threshold",
    "contribution",
    "avg_repeat_value",
    "expected_value",
    "expected_sales_if_alive",
    "value_at_risk",
}


def label(column: str, lang: str) -> str:
    import re

    # Cohort matrix columns: m3 = the share with a deal in the 3rd month after the first; s3 = sales to then.
    m = re.fullmatch(r"([ms])(\d+)", column)
    if m and column not in LABELS:
        k = int(m.group(2))
        if m.group(1) == "m":
            return f"第{k}月" if lang == "zh" else f"Month {k}"
        return (f"累计至第{k}月" if k else "首单当月") if lang == "zh" else (f"To month {k}" if k else "First month")
    return name_of(column, lang)


VALUE_LABELS: dict[str, tuple[str, str]] = {
    "all": ("全部", "All"),
    "new": ("新客", "New"),
    "old": ("老客", "Old"),
}
# The closing row of a split table (targets): its key column says "total".
TOTAL_KEY_COLUMNS = {"month", "week", "day", "clinic", "department", "consultant"}


def value_label(column: str, value, lang: str):
    """Words inside tables (segment names, KPI names) in the table's language."""
    import datetime as dt

    if column in ("cohort", "month", "first_month") and isinstance(value, dt.date):
        return f"{value:%Y-%m}"  # a month is written as a month, not as its first day
    if column in ("kpi", "lever", "scope") and isinstance(value, str):
        return label(value, lang) if value != "all" else VALUE_LABELS["all"][0 if lang == "zh" else 1]
    if column in TOTAL_KEY_COLUMNS and value == "total":
        return "合计" if lang == "zh" else "Total"
    if column in ("segment", "group", "key") and value in VALUE_LABELS:
        pair = VALUE_LABELS[value]
        return pair[0] if lang == "zh" else pair[1]
    return said_value(column, value, lang)


def said_value(column: str, value, lang: str):
    """Words the core stores in English for people to read (a reject's reason and what was done with
    the row), in the reader's language: in tables, reports and CSV alike."""
    if column == "reason" and isinstance(value, str):
        from aesthetic_cli.present.messages import reason

        return reason(value, lang)
    if column == "severity" and value in ("rejected", "blanked"):
        from aesthetic_cli.present.messages import t

        return t("row_rejected" if value == "rejected" else "cell_blanked", lang)
    if value == UNASSIGNED and lang == "en":
        return "(unassigned)"
    return value


# What the layer files a row under when it names no consultant, department or channel (sql/derived.sql).
UNASSIGNED = "未指定"


DAY_COLUMNS = {
    "interval_days",
    "median_interval_days",
    "avg_recency_days",
    "days_to_first_deal",
    "payback_days",
    "payback_days_threshold",
}
# A change of a rate in percentage points: 0.034 is shown "+3.4pp".
POINT_COLUMNS = {"mom_diff", "yoy_diff", "close_rate_mom_diff"}


def kind_of(column: str) -> str | None:
    import re

    if column in POINT_COLUMNS:
        return "pp"
    if column in RATE_COLUMNS or re.fullmatch(r"m\d+", column):
        return "rate"
    if column in MONEY_COLUMNS or re.fullmatch(r"s\d+|sales_\d+d|expected_sales_\d+d", column):
        return "money"
    if column in RATIO_COLUMNS:
        return "ratio"
    if column in DAY_COLUMNS:
        return "days"
    return None
