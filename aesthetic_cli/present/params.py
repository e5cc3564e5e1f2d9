"""A report's parameters (period, clinic, weights, horizons...) as a reader sees them, in one language.

The report keeps them as data (clinic None means every clinic); the html page, the xlsx sheet and the sent
summary all show them through here, so none prints a Python dict or a key name."""

from __future__ import annotations

import datetime as dt

from aesthetic_cli.present.labels import label

LABELS: dict[str, tuple[str, str]] = {
    "period": ("期间", "Period"),
    "month_to_date": ("本月至今", "Month to date"),
    "report": ("报表", "Report"),
    "clinic": ("门店", "Clinic"),
    "lang": ("语言", "Language"),
    "show_pii": ("显示个人信息", "Personal data shown"),
    "generated_at": ("生成时间", "Generated at"),
    "aesops": ("aesops 版本", "aesops version"),
    "data_first_day": ("数据最早日期", "Data from"),
    "data_last_day": ("数据最晚日期", "Data to"),
    "scorecard_onsite": ("现场咨询师评分权重", "On-site consultant score weights"),
    "scorecard_online": ("网电咨询师评分权重", "Online consultant score weights"),
    "channel_horizons": ("渠道回收期（天）", "Channel payback horizons (days)"),
    "backend": ("数据仓库", "Warehouse"),
    "snapshot": ("湖快照", "Lake snapshot"),
}
REPORT_KINDS = {"monthly": ("月报", "Monthly"), "weekly": ("周报", "Weekly"), "daily": ("日报", "Daily")}
ALL_CLINICS = ("全部门店", "All clinics")
LANGS = {"zh": ("中文", "Chinese"), "en": ("英文", "English")}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def clinic_text(clinic: str | None, lang: str) -> str:
    return clinic if clinic else _pick(ALL_CLINICS, lang)


def value_text(key: str, value, lang: str) -> str:
    if key == "clinic":
        return clinic_text(value, lang)
    if key == "report" and value in REPORT_KINDS:
        return _pick(REPORT_KINDS[value], lang)
    if key == "lang" and value in LANGS:
        return _pick(LANGS[value], lang)
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        # Score weights: each metric's name and its weight, e.g. "成交业绩 0.5，180天复购率 0.5".
        sep = "，" if lang == "zh" else ", "
        return sep.join(
            f"{label(k, lang)} {v:g}" if isinstance(v, float) else f"{label(k, lang)} {v}" for k, v in value.items()
        )
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def rows(params: dict, lang: str) -> list[tuple[str, str]]:
    """(label, value) per parameter, in the report's order."""
    return [(_pick(LABELS[k], lang) if k in LABELS else str(k), value_text(k, v, lang)) for k, v in params.items()]


def scope_line(meta: dict, lang: str) -> str | None:
    """What a terminal table covers, above it: the period (and how far the data reaches into it), the day a customer
    list is as of, the cohorts' months, the clinic. A table pasted into a group chat names its month (trial 8's
    G11: only the JSON did)."""
    zh = lang == "zh"
    parts = []
    start, end = meta.get("start"), meta.get("end")
    if start and end:
        through = meta.get("through") or meta.get("data_last_day")
        short = through is not None and str(through) < str(end)
        parts.append(
            (f"期间：{start} 至 {end}" + (f"（数据截至 {through}）" if short else ""))
            if zh
            else (f"Period: {start} to {end}" + (f" (data through {through})" if short else ""))
        )
    elif meta.get("asof"):
        parts.append(f"截至 {meta['asof']}" if zh else f"As of {meta['asof']}")
    elif "months" in meta and meta.get("data_last_day"):
        if meta.get("from") or meta.get("to"):
            span = (
                f"{meta.get('from') or '…'} 至 {meta.get('to') or '…'}"
                if zh
                else f"{meta.get('from') or '…'} to {meta.get('to') or '…'}"
            )
            parts.append(f"首单月：{span}" if zh else f"Cohort months: {span}")
        else:
            parts.append(
                f"最近 {meta['months']} 个首单月，数据截至 {meta['data_last_day']}"
                if zh
                else f"The last {meta['months']} cohort months, data through {meta['data_last_day']}"
            )
    elif meta.get("year"):
        parts.append(f"年度：{meta['year']}" if zh else f"Year: {meta['year']}")
    if not parts:
        return None
    clinic = meta.get("clinic")
    parts.append(
        (f"门店：{clinic}" if clinic else "全部门店") if zh else (f"Clinic: {clinic}" if clinic else "All clinics")
    )
    return " · ".join(parts)
