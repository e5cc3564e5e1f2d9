"""Column labels in Chinese and English, and how each kind of column is shown in a table."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    # warehouse status
    "dataset": ("数据集", "Dataset"), "dataset_zh": ("名称", "Name"), "clinic": ("门店", "Clinic"),
    "rows": ("行数", "Rows"), "date_min": ("最早日期", "From"), "date_max": ("最晚日期", "To"),
    "batch_id": ("批次", "Batch"), "file_name": ("文件", "File"), "sheet": ("工作表", "Sheet"),
    "rows_read": ("读取", "Read"), "rows_loaded": ("新增", "Loaded"), "rows_updated": ("更新", "Updated"),
    "duplicates": ("重复跳过", "Duplicates"), "rejected": ("拒收", "Rejected"), "blanked": ("置空", "Blanked"),
    "skipped": ("空行/合计", "Skipped"), "imported_at": ("导入时间", "Imported at"),
    "row_number": ("行号", "Row"), "column": ("列", "Column"), "field": ("字段", "Field"),
    "value": ("原值", "Value"), "reason": ("原因", "Reason"), "severity": ("处理", "Action"),
    # periods and groups
    "period": ("期间", "Period"), "month": ("月份", "Month"), "group": ("分组", "Group"),
    "segment": ("客群", "Segment"), "channel": ("渠道", "Channel"), "consultant": ("咨询师", "Consultant"),
    "online_consultant": ("网络咨询师", "Online consultant"), "department": ("科室", "Department"),
    "item": ("项目", "Item"), "kpi": ("指标", "KPI"),
    # headline KPIs
    "sales": ("成交业绩", "Sales"), "cash_in": ("收现", "Cash in"), "consumption": ("消耗", "Consumption"),
    "new_sales": ("新客业绩", "New-customer sales"), "old_sales": ("老客业绩", "Old-customer sales"),
    "visitors": ("来院人数", "Visitors"), "buyers": ("成交人数", "Buyers"), "deal_visits": ("成交人次", "Deal visits"),
    "close_rate": ("成交率", "Close rate"), "ticket": ("客单价", "Ticket"), "frequency": ("来院频率", "Frequency"),
    "new_visitors": ("新客来院", "New visitors"), "new_buyers": ("新客成交", "New buyers"),
    "old_visitors": ("老客来院", "Old visitors"), "old_buyers": ("老客成交", "Old buyers"),
    "refunds": ("退款", "Refunds"), "topups": ("充值", "Top-ups"),
    "current": ("本期", "This period"), "previous": ("上期", "Previous"), "last_year": ("去年同期", "Last year"),
    "mom": ("环比", "MoM"), "yoy": ("同比", "YoY"),
    # funnel and channels
    "leads": ("线索", "Leads"), "appointments": ("预约", "Appointments"), "arrivals": ("到院", "Arrivals"),
    "appointment_rate": ("预约率", "Appointment rate"), "arrival_rate": ("到院率", "Arrival rate"),
    "spend": ("投放费用", "Spend"), "cpl": ("线索成本", "Cost per lead"),
    "cost_per_arrival": ("到院成本", "Cost per arrival"), "cac": ("获客成本", "CAC"),
    "roas": ("投产比", "ROAS"), "roi": ("ROI", "ROI"),
    "sales_30d": ("30天业绩", "Sales 30d"), "sales_90d": ("90天业绩", "Sales 90d"),
    "sales_180d": ("180天业绩", "Sales 180d"), "sales_365d": ("365天业绩", "Sales 365d"),
    "incomplete_horizons": ("未满周期", "Incomplete horizons"),
    "days_to_first_deal": ("首单天数", "Days to first deal"), "flags": ("问题", "Flags"),
    "flag_count": ("问题数", "Flag count"), "cut_candidate": ("建议砍掉", "Cut candidate"),
    "new_customers": ("新客数", "New customers"),
    # lost deals
    "no_deal_reason": ("未成交原因", "No-deal reason"), "intended_item": ("意向项目", "Intended item"),
    "first_visits": ("初诊人数", "First visits"), "lost": ("未成交", "Lost"), "lost_share": ("占比", "Share"),
    "referral_new_customers": ("带新人数", "Referred new customers"),
    "referral_customer_share": ("带新占比", "Referred share"), "referral_sales": ("带新业绩", "Referred sales"),
    "referral_sales_share": ("带新业绩占比", "Referred sales share"),
}

# How a column is shown in tables and reports; JSON/CSV keep raw numbers and fractions.
RATE_COLUMNS = {
    "close_rate", "appointment_rate", "arrival_rate", "roi", "mom", "yoy", "lost_share", "refund_rate",
    "repurchase_rate", "share", "referral_customer_share", "referral_sales_share", "margin_rate",
    "period_elapsed", "achievement", "new_share",
}
RATIO_COLUMNS = {"roas", "frequency"}
MONEY_COLUMNS = {
    "sales", "cash_in", "consumption", "new_sales", "old_sales", "ticket", "refunds", "topups", "spend", "cpl",
    "cost_per_arrival", "cac", "sales_30d", "sales_90d", "sales_180d", "sales_365d", "referral_sales",
    "current", "previous", "last_year", "balance", "liability", "cash_part", "margin", "target", "actual",
    "needed_per_day", "projection", "follow_on_sales", "amount",
}


def label(column: str, lang: str) -> str:
    pair = LABELS.get(column)
    if pair is None:
        return column
    return pair[0] if lang == "zh" else pair[1]


VALUE_LABELS: dict[str, tuple[str, str]] = {
    "all": ("全部", "All"), "new": ("新客", "New"), "old": ("老客", "Old"),
}


def value_label(column: str, value, lang: str):
    """Words inside tables (segment names, KPI names) in the table's language."""
    if column == "kpi" and isinstance(value, str):
        return label(value, lang)
    if column in ("segment", "group") and value in VALUE_LABELS:
        pair = VALUE_LABELS[value]
        return pair[0] if lang == "zh" else pair[1]
    return value


def kind_of(column: str) -> str | None:
    if column in RATE_COLUMNS:
        return "rate"
    if column in MONEY_COLUMNS:
        return "money"
    if column in RATIO_COLUMNS:
        return "ratio"
    return None
