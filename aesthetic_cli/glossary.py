"""The name of every field aesops computes, in Chinese and English: the domain's vocabulary.
Plain data, importable from the core (notes under a result name their fields) and from the
presentation layer (column labels), so both say the same words."""

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
    "mom_diff": ("环比(百分点)", "MoM (pp)"), "yoy_diff": ("同比(百分点)", "YoY (pp)"),
    "buyers_without_visit": ("线上/未到院成交", "Buyers without visit"),
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
    "flag_count": ("问题数", "Flag count"),
    "output_roas": ("产出(ROAS)", "Output ROAS"), "output_roas_threshold": ("产出低阈值", "Low-output threshold"),
    "payback_days": ("回本天数", "Payback days"), "payback_days_threshold": ("见效慢阈值(天)", "Slow threshold (days)"),
    "cac_threshold": ("费用高阈值", "Costly threshold"), "arrivals_threshold": ("送客少阈值", "Thin threshold"),
    "reasons": ("依据", "Why"), "cut_candidate": ("建议砍掉", "Cut candidate"),
    "new_customers": ("新客数", "New customers"),
    # lost deals
    "no_deal_reason": ("未成交原因", "No-deal reason"), "intended_item": ("意向项目", "Intended item"),
    "first_visits": ("初诊人数", "First visits"), "lost": ("未成交", "Lost"), "lost_share": ("占比", "Share"),
    "referral_new_customers": ("带新人数", "Referred new customers"),
    "referral_customer_share": ("带新占比", "Referred share"), "referral_sales": ("带新业绩", "Referred sales"),
    "referral_sales_share": ("带新业绩占比", "Referred sales share"),
    # consultants
    "rank": ("排名", "Rank"), "score": ("得分", "Score"), "receptions": ("接诊人次", "Receptions"),
    "first_receptions": ("初诊接诊", "First visits"), "refund_rate": ("退款率", "Refund rate"),
    "repurchase_rate": ("180天复购率", "180-day repurchase"), "repurchase_base": ("复购样本", "Repurchase base"),
    "over_selling_risk": ("过度销售风险", "Over-selling risk"),
    # cohorts and items
    "cohort": ("首单月", "Cohort"), "customers": ("客户数", "Customers"), "repeats": ("复购次数", "Repeats"),
    "median_interval_days": ("复购间隔(天)", "Median interval (days)"), "role": ("定位", "Role"),
    "quantity": ("数量", "Quantity"), "avg_price": ("均价", "Avg price"), "unit_cost": ("单位成本", "Unit cost"),
    "margin": ("毛利", "Margin"), "margin_rate": ("毛利率", "Margin rate"), "below_cost": ("低于成本", "Below cost"),
    "price_band": ("价格带", "Price band"), "lines": ("笔数", "Lines"), "share": ("占比", "Share"),
    "openers": ("开口人数", "Openers"), "opener_sales": ("开口业绩", "Opener sales"),
    "follow_on_sales": ("180天后续业绩", "Follow-on sales 180d"),
    "follow_on_per_customer": ("人均后续业绩", "Follow-on per customer"),
    "follow_on_status": ("180天状态", "180-day status"),
    "sales_threshold": ("业绩阈值", "Sales threshold"), "buyers_threshold": ("人数阈值", "Buyers threshold"),
    "last_year_buyers": ("去年成交人数", "Buyers last year"),
    # customers
    "customer_id": ("顾客编号", "Customer"), "name": ("姓名", "Name"), "phone": ("手机号", "Phone"),
    "owner_consultant": ("所属咨询师", "Consultant"), "recency_days": ("距上次成交(天)", "Recency (days)"),
    "avg_recency_days": ("平均间隔(天)", "Avg recency (days)"), "avg_deal_visits": ("平均成交次数", "Avg deal visits"),
    "lifetime_sales": ("累计业绩", "Lifetime sales"), "last_deal": ("上次成交", "Last deal"),
    "interval_days": ("复购周期(天)", "Interval (days)"), "due_date": ("应回访日", "Due"),
    "overdue_days": ("逾期(天)", "Overdue (days)"), "cards": ("卡数", "Cards"), "liability": ("余额负债", "Liability"),
    "cash_part": ("本金部分", "Cash part"), "bonus_part": ("赠送部分", "Bonus part"),
    "empty_cards": ("空卡", "Empty"), "dormant_cards": ("不动卡", "Dormant"),
    "dormant_balance": ("不动卡余额", "Dormant balance"), "lapsed_cards": ("不续卡", "Lapsed"),
    "card_id": ("卡号", "Card"), "card_type": ("卡类型", "Card type"), "status": ("状态", "Status"),
    "balance": ("余额", "Balance"), "last_used_at": ("最后使用", "Last used"),
    # predicted repurchase (customers predict, reactivate)
    "repeat_deals": ("复购次数", "Repeat deals"), "recency_weeks": ("末次复购(周)", "Recency (weeks)"),
    "age_weeks": ("客龄(周)", "Age (weeks)"), "avg_repeat_value": ("复购平均金额", "Avg repeat value"),
    "p_alive": ("仍活跃概率", "P(alive)"), "expected_value": ("预期客单", "Expected deal value"),
    "expected_sales_if_alive": ("若活跃180天预期业绩", "Sales 180d if alive"),
    "value_at_risk": ("风险价值", "Value at risk"), "overdue": ("逾期", "Overdue"),
    "frequency_bucket": ("校准期复购次数", "Calibration repeats"),
    "actual_deals": ("实际复购", "Actual repeats"), "predicted_deals": ("预测复购", "Predicted repeats"),
    "actual_per_customer": ("人均实际", "Actual per customer"),
    "predicted_per_customer": ("人均预测", "Predicted per customer"),
    # targets
    "target": ("目标", "Target"), "new_target": ("新客目标", "New target"), "old_target": ("老客目标", "Old target"),
    "last_year_sales": ("去年业绩", "Last year"), "week": ("周", "Week"), "start": ("开始", "Start"),
    "end": ("结束", "End"), "day": ("日期", "Day"), "lever": ("杠杆", "Lever"), "needed": ("需要达到", "Needed"),
    "change": ("变动", "Change"), "scope": ("维度", "Scope"), "key": ("对象", "Who"),
    "target_to_date": ("至今目标", "Target to date"), "actual": ("实际", "Actual"),
    "achievement": ("达成率", "Achievement"), "period_elapsed": ("时间进度", "Time gone"),
    "projection": ("预计全期", "Projection"), "gap": ("缺口", "Gap"), "over_target": ("超额", "Over target"), "needed_per_day": ("每日还需", "Needed per day"),
    "plan": ("计划", "Plan"), "ratio": ("完成度", "vs plan"),
    # headline page and 门店对比 (reports/headline.py)
    "contribution": ("对业绩的贡献", "Contribution to sales"), "sales_mom": ("业绩环比", "Sales MoM"),
    "sales_yoy": ("业绩同比", "Sales YoY"), "visitors_mom": ("来院环比", "Visitors MoM"),
    "close_rate_mom_pp": ("成交率环比(百分点)", "Close rate MoM (pts)"),
}


def name_of(field: str, lang: str) -> str:
    pair = LABELS.get(field)
    if pair is None:
        import re

        # customers predict names its columns by the horizons asked for (--horizon 30,90,365).
        horizon = re.fullmatch(r"expected_(deals|sales)_(\d+)d", field)
        if horizon is None:
            return field
        days = horizon.group(2)
        pair = ((f"{days}天预期成交", f"Expected deals {days}d") if horizon.group(1) == "deals"
                else (f"{days}天预期业绩", f"Expected sales {days}d"))
    return pair[0] if lang == "zh" else pair[1]
