"""Headline KPIs, the new-customer funnel, 环比/同比, lost deals and referral share (SPEC §2)."""

from __future__ import annotations

from aesthetic_cli.lazy_polars import pl
from aesthetic_cli.metrics import after_data
from aesthetic_cli.metrics.base import Coverage, group_column, prepare, ratio, run
from aesthetic_cli.metrics.periods import Period, Spans, comparable, month
from aesthetic_cli.metrics.result import Note, Result

HEADLINE = [
    "sales",
    "new_sales",
    "old_sales",
    "cash_in",
    "consumption",
    "visitors",
    "buyers_without_visit",
    "buyers",
    "deal_visits",
    "close_rate",
    "ticket",
    "frequency",
]
# KPIs that are fractions: their change is also given in percentage points (SPEC §2 Comparisons).
RATES = {"close_rate"}


def with_levers(df: pl.DataFrame, prefix: str = "") -> pl.DataFrame:
    """close_rate = buyers / visitors, ticket = sales / deal visits, frequency = deal visits / buyers."""
    p = prefix
    return df.with_columns(
        ratio(f"{p}buyers", f"{p}visitors").alias(f"{p}close_rate"),
        ratio(f"{p}sales", f"{p}deal_visits").alias(f"{p}ticket"),
        ratio(f"{p}deal_visits", f"{p}buyers").alias(f"{p}frequency"),
    )


def kpis(con, period: Period, *, by: str | None = None, clinic: str | None = None) -> pl.DataFrame:
    """One row per group: sales, cash in, consumption, visitors, buyers, deal visits and the levers,
    for all customers and (prefixed new_/old_) for new and old customers."""
    prepare(con)
    params = {"start": period.start, "end": period.end, "clinic": clinic}
    if by is None and clinic is None and _whole_month(period):
        # The same row from the rollup month_totals, without grouping the month's customer-days by customer.
        return with_levers(run(con, "kpis", "kpis_month", {"start": period.start}))
    if by == "consultant":
        # Credited as `aesops consultants` credits them (attributed_days), not by the order lines' consultant.
        return with_levers(run(con, "kpis", "kpis_by_consultant", params))
    return with_levers(run(con, "kpis", "kpis", params, g=group_column(by)))


def clinic_levers(con, period: Period) -> pl.DataFrame:
    """Per clinic: sales, visitors, buyers, deal visits and the levers, the same numbers kpis(by="clinic")
    gives for them (the report's 门店对比 shows no more)."""
    prepare(con)
    return with_levers(run(con, "kpis", "clinic_levers", {"start": period.start, "end": period.end}))


def _whole_month(period: Period) -> bool:
    """A calendar month from its first day to its last (a month cut at the data's last day is not)."""
    return period.start.day == 1 and period.end == month(period.start).end


def segments(df: pl.DataFrame) -> pl.DataFrame:
    """The same levers split into 全部 / 新客 / 老客 rows per group."""
    frames = []
    for seg, p in (("all", ""), ("new", "new_"), ("old", "old_")):
        part = df.select(
            pl.col("group"),
            pl.lit(seg).alias("segment"),
            pl.col(f"{p}sales" if p else "sales").alias("sales"),
            pl.col(f"{p}visitors").alias("visitors"),
            pl.col(f"{p}buyers_without_visit").alias("buyers_without_visit"),
            pl.col(f"{p}buyers").alias("buyers"),
            pl.col(f"{p}deal_visits").alias("deal_visits"),
        )
        frames.append(with_levers(part))
    order = {"all": 0, "new": 1, "old": 2}
    out = pl.concat(frames)
    return out.sort([pl.col("group"), pl.col("segment").replace_strict(order, return_dtype=pl.Int8)])


def comparison(
    con, spans: Spans, cov: Coverage, clinic: str | None, current: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Each headline KPI this period, the previous period (环比) and a year earlier (同比), over the
    same days (periods.comparable). Amounts change relatively (mom, yoy); rates also in points
    (mom_diff, yoy_diff: 0.034 is +3.4pp)."""
    # `current`: this period's ungrouped kpis when the caller has them already.
    frames: dict[str, pl.DataFrame | None] = {
        "current": current if current is not None else kpis(con, spans.current, clinic=clinic)
    }
    for key, other in (("previous", spans.previous), ("last_year", spans.last_year)):
        frames[key] = kpis(con, other, clinic=clinic) if cov.covers(other.start) else None
    rows = []
    for k in HEADLINE:
        c = _first(frames["current"], k)
        prev = _first(frames["previous"], k) if frames["previous"] is not None else None
        ly = _first(frames["last_year"], k) if frames["last_year"] is not None else None
        rows.append(
            {
                "kpi": k,
                "current": c,
                "previous": prev,
                "mom": _change(c, prev),
                "mom_diff": _diff(c, prev) if k in RATES else None,
                "last_year": ly,
                "yoy": _change(c, ly),
                "yoy_diff": _diff(c, ly) if k in RATES else None,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "kpi": pl.String,
            "current": pl.Float64,
            "previous": pl.Float64,
            "mom": pl.Float64,
            "mom_diff": pl.Float64,
            "last_year": pl.Float64,
            "yoy": pl.Float64,
            "yoy_diff": pl.Float64,
        },
    )


def _first(df: pl.DataFrame | None, col: str):
    if df is None or df.height == 0:
        return 0.0 if col not in ("close_rate", "ticket", "frequency") else None
    v = df[col][0]
    return None if v is None else float(v)


def _change(cur, base):
    if cur is None or base is None or base == 0:
        return None
    return (cur - base) / abs(base)


def _diff(cur, base):
    if cur is None or base is None:
        return None
    return cur - base


def funnel_table(con, period: Period, clinic: str | None) -> pl.DataFrame:
    prepare(con)
    df = run(con, "kpis", "funnel", {"start": period.start, "end": period.end, "clinic": clinic})
    return df.with_columns(
        ratio("appointments", "leads").alias("appointment_rate"),
        ratio("arrivals", "leads").alias("arrival_rate"),
        ratio("buyers", "arrivals").alias("close_rate"),
    )


def lost_deals(con, period: Period, clinic: str | None) -> dict[str, pl.DataFrame]:
    prepare(con)
    # One row per (reason, consultant, intended item, lost) with its count of first visits.
    cells = run(con, "kpis", "lost_deals", {"start": period.start, "end": period.end, "clinic": clinic})
    lost = cells.filter(pl.col("lost"))
    total_lost = int(lost["first_visits"].sum() or 0)
    by_reason = (
        lost.group_by("no_deal_reason")
        .agg(pl.col("first_visits").sum().cast(pl.UInt32).alias("lost"))
        .sort(["lost", "no_deal_reason"], descending=[True, False])
        # One chunk before dividing: Polars divides a column by a scalar through its reciprocal (one unit in
        # the last place off the quotient) except in a chunk of one row, so a share computed on the grouped
        # chunks came out one way or the other from run to run on the same warehouse.
        .rechunk()
    )
    by_reason = by_reason.with_columns(
        (pl.col("lost") / total_lost if total_lost else pl.lit(None)).alias("lost_share")
    )

    def by(col: str) -> pl.DataFrame:
        return (
            cells.group_by(col)
            .agg(
                pl.col("first_visits").sum().cast(pl.UInt32).alias("first_visits"),
                pl.col("first_visits").filter(pl.col("lost")).sum().cast(pl.UInt32).alias("lost"),
            )
            .with_columns(ratio("lost", "first_visits").alias("lost_share"))
            .sort(["lost", col], descending=[True, False])
        )

    return {"lost_by_reason": by_reason, "lost_by_consultant": by("consultant"), "lost_by_item": by("intended_item")}


def referral(con, period: Period, clinic: str | None) -> pl.DataFrame:
    prepare(con)
    df = run(con, "kpis", "referral", {"start": period.start, "end": period.end, "clinic": clinic})
    return df.with_columns(
        ratio("referral_new_customers", "new_customers").alias("referral_customer_share"),
        ratio("referral_sales", "new_sales").alias("referral_sales_share"),
    )


def funnel(con, period: Period, *, by: str | None = None, clinic: str | None = None) -> Result:
    """Everything `aesops funnel` shows, as named tables. A period the data ends inside is computed up to
    the data's last day and compared with the same days before (截至 MM-DD); one after the data is refused."""
    cov = prepare(con)
    spans = comparable(period, cov.last_day, cov.first_day)
    cur = spans.current
    head = kpis(con, cur, by=by, clinic=clinic)
    tables = {
        "kpis": head.select("group", *HEADLINE),
        "segments": segments(head),
        "comparison": comparison(con, spans, cov, clinic, head if by is None else None),
        "funnel": funnel_table(con, cur, clinic),
        **lost_deals(con, cur, clinic),
        "referral": referral(con, cur, clinic),
    }
    notes = []
    if spans.through:
        notes.append(
            Note(
                f"数据截至 {spans.through_label}：本期 {_span(cur)}，对比上期 {_span(spans.previous)}、"
                f"去年同期 {_span(spans.last_year)}（截至 {spans.through_label}，同样的天数）。",
                f"The data ends {spans.through}: this period is {_span(cur)}, compared with "
                f"{_span(spans.previous)} and {_span(spans.last_year)} (the same days, 截至 {spans.through_label}).",
            )
        )
    if not cov.covers(spans.previous.start):
        notes.append(
            Note(
                "环比需要上一期的数据，仓库中没有。",
                "环比 needs the previous period's data, which the warehouse does not hold.",
            )
        )
    if not cov.covers(spans.last_year.start):
        notes.append(
            Note(
                "同比需要去年同期的数据，仓库中没有。",
                "同比 needs data from a year earlier, which the warehouse does not hold.",
            )
        )
    if (head["buyers_without_visit"].sum() or 0) > 0:
        # Grouped, a buyer is "without a visit" in a row when none of their visits in the period is that row's.
        zh_in, en_in = ("在本行分组", " in their row's group") if by not in (None, "all") else ("", "")
        notes.append(
            Note(
                f"线上/未到院成交：有成交但期内{zh_in}没有到院记录的顾客，计入成交人数、不计入来院人数，"
                "故成交率可能超过100%。",
                f"buyers_without_visit: buyers with no recorded visit{en_in} in the period; they count as buyers, "
                "not visitors, so the close rate can exceed 100%.",
            )
        )
    notes.extend(_crediting(by))
    left_out = after_data.left_out_note(con, cov.last_day, period.end, clinic)
    if left_out:
        notes.append(left_out)
    meta = {
        "command": "funnel",
        "period": period.label,
        "start": cur.start,
        "end": cur.end,
        "by": by or "all",
        "clinic": clinic,
        "data_first_day": cov.first_day,
        "data_last_day": cov.last_day,
        "through": spans.through,
        "comparison_spans": {
            "current": [cur.start, cur.end],
            "previous": [spans.previous.start, spans.previous.end],
            "last_year": [spans.last_year.start, spans.last_year.end],
        },
    }
    return Result(meta=meta, tables=tables, notes=notes)


def _crediting(by: str | None) -> list[Note]:
    """How a grouping credits its rows, where sales and visitors are credited by different records: a group's
    buyers need not be among its visitors, and a director should not have to guess why its close rate passes
    100%."""
    if by == "consultant":
        return [
            Note(
                "按咨询师：业绩、成交人数、成交人次按当天接诊的现场咨询师计（当天接诊未记咨询师时按收费单上的咨询师），"
                "与 aesops consultants 相同；来院人数按接诊咨询师计；收现随当天业绩归属（只有充值的日子按收费单上的"
                "咨询师）；消耗不记咨询师，计入“未指定”。",
                "By consultant: sales, buyers and deal visits go to the consultant who received the customer that "
                "day (the order lines' consultant when no visit that day names one), as in aesops consultants; "
                "visitors to the visit's consultant; cash in with the day's sales (a day of top-ups only: the order "
                "lines' consultant); consumption names no consultant and sits under '(unassigned)' (未指定).",
            )
        ]
    if by == "department":
        # SPEC §2 gives departments no attribution of their own: each record keeps its own department.
        return [
            Note(
                "按科室：业绩、成交人数按收费明细上的科室计（未填时按项目目录的科室），来院人数按到院记录的科室计"
                "（未填时按意向项目的科室）。顾客在一个科室到院、在另一个科室成交时，计入成交科室的成交人数，"
                "但不计入其来院人数，故科室的成交率可能超过100%。",
                "By department: sales and buyers go to the order line's department (else the item catalogue's), "
                "visitors to the visit's department (else the intended item's). A customer who visits one "
                "department and buys in another is a buyer of the second without being its visitor, so a "
                "department's close rate can pass 100%.",
            )
        ]
    return []


def _span(p: Period) -> str:
    return f"{p.start}..{p.end:%m-%d}"
