"""Old-customer stocktake (老客盘点, SPEC §2): RFM segments, the reactivation list, stored-value cards."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from aesthetic_cli.errors import UsageError
from aesthetic_cli.lazy_polars import pl
from aesthetic_cli.metrics.base import frame, prepare, run
from aesthetic_cli.metrics.result import Note, Result
from aesthetic_cli.privacy import mask
from aesthetic_cli.sqlfiles import Fragment, query, with_fragments

# The classic 8 RFM segments (high = above the median of active customers), plus the dormant.
SEGMENTS = {
    (True, True, True): "重要价值客户",
    (True, False, True): "重要发展客户",
    (False, True, True): "重要保持客户",
    (False, False, True): "重要挽留客户",
    (True, True, False): "一般价值客户",
    (True, False, False): "一般发展客户",
    (False, True, False): "一般保持客户",
    (False, False, False): "一般挽留客户",
}
DORMANT = "沉睡客户（365天无成交）"
DORMANT_CARD_DAYS = 180
LAPSED_CARD_DAYS = 90


def _asof(con, asof: date | None) -> date:
    cov = prepare(con)
    return asof or cov.last_day or date.today()


def rfm(
    con, *, asof: date | None = None, clinic: str | None = None, show_pii: bool = False, list_customers: bool = False
) -> Result:
    asof = _asof(con, asof)
    params = {"asof": asof, "clinic": clinic}
    cells = run(con, "customers", "rfm_segments", params)
    first = cells.row(0, named=True) if cells.height else {}
    # No active customer: every median is 0 (nobody is "high").
    med_r, med_f, med_m = (first.get(k) if first.get(k) is not None else 0 for k in ("med_r", "med_f", "med_m"))
    total = int(first.get("total") or 0)
    summary = (
        cells.with_columns(_segment().alias("segment"))
        .group_by("segment")
        .agg(
            pl.col("customers").sum(),
            pl.col("sales").sum(),
            # Each cell's mean weighted by its customers: the mean over the segment's customers.
            ((pl.col("avg_recency_days") * pl.col("customers")).sum() / pl.col("customers").sum()).alias(
                "avg_recency_days"
            ),
            ((pl.col("avg_deal_visits") * pl.col("customers")).sum() / pl.col("customers").sum()).alias(
                "avg_deal_visits"
            ),
            pl.col("lifetime_sales").sum(),
        )
        .with_columns((pl.col("customers") / total).alias("share"))
        .sort("sales", descending=True)
    )
    tables = {"segments": summary}
    if list_customers:
        df = run(con, "customers", "rfm_customers", {**params, "med_r": med_r, "med_f": med_f, "med_m": med_m})
        df = df.with_columns(_segment().alias("segment"))
        # customer_id breaks ties: the list must not depend on the order the warehouse returns rows in.
        tables["customers"] = mask(df.sort(["sales", "customer_id"], descending=[True, False]), show_pii).select(
            "customer_id",
            "name",
            "phone",
            "owner_consultant",
            "segment",
            "recency_days",
            "deal_visits",
            "sales",
            "lifetime_sales",
        )
    meta = {
        "command": "customers rfm",
        "asof": asof,
        "window_days": 365,
        "clinic": clinic,
        "medians": {"recency_days": med_r, "deal_visits": med_f, "sales": med_m},
    }
    notes = [
        Note(
            f"RFM 以截至 {asof} 的365天计；“高”指优于活跃客户中位数（距上次成交 ≤ "
            f"{med_r} 天，成交次数 > {med_f}，业绩 > {med_m:,.0f}）。",
            f"RFM over the 365 days to {asof}; high = better than the median active customer "
            f"(recency ≤ {med_r} days, deal visits > {med_f}, sales > {med_m:,.0f}).",
        )
    ]
    return Result(meta=meta, tables=tables, notes=notes)


def _segment() -> pl.Expr:
    """The segment of an RFM cell (sql/customers.sql: active, r_hi, f_hi, m_hi); recent is good, so high R
    means recency at or below the median."""
    seg = pl.lit(DORMANT)
    for (r, f, m), name in SEGMENTS.items():
        cond = (pl.col("r_hi") == r) & (pl.col("f_hi") == f) & (pl.col("m_hi") == m)
        seg = pl.when(pl.col("active") & cond).then(pl.lit(name)).otherwise(seg)
    return seg


# The value at risk looks this far ahead: about two treatment cycles of the repeat items (水光针, 光子).
VALUE_AT_RISK_DAYS = 180


def reactivate(
    con, *, asof: date | None = None, clinic: str | None = None, limit: int = 50, show_pii: bool = False
) -> Result:
    """Who to call back (SPEC §2, 老客盘点 and 复购预测): the customers overdue against the item cycle, ranked by
    expected value at risk over the next VALUE_AT_RISK_DAYS days.

    The list's customers are the overdue ones, exactly as sql/customers.sql overdue defines them: past the median
    repurchase interval of the soonest-due item they bought on their last deal day, as of `asof` (of `clinic`
    when asked). Each carries

        value_at_risk = (1 − P(alive)) × E[deals in 180 days | alive] × E[deal value]

    P(alive) and E[deals | alive] come from BG/NBD, E[deal value] from Gamma-Gamma (metrics/predict.py).
    The product is what the customer would bring if they are still a customer, weighted by how likely it
    is that they are not: a loyal big spender who has gone quiet ranks first, a small or still-active
    customer low. (E[deals | alive] is used rather than the unconditional forecast, which already carries
    the factor P(alive) and would bury exactly the lapsed.) A customer with a single deal day is alive for
    sure in BG/NBD, which only lets customers drop out after a repeat, so their value at risk is 0: the
    overdue customers with a single deal day come after those with a value at risk, by lifetime sales (the
    order of equal values at risk: lifetime sales, highest first, then customer_id).

    meta: overdue_customers = how many are overdue (the list's universe); customers_at_risk = how many of them
    have a value at risk above 0; value_at_risk_total = its sum over them (before, both were over every
    customer, overdue or not). When the models cannot be fitted (too little history), the list falls back to the
    overdue customers by lifetime sales, and a note says so.
    """
    from aesthetic_cli.errors import ModelFitError

    asof = _asof(con, asof)
    last = prepare(con).last_day
    meta = {
        "command": "customers reactivate",
        "asof": asof,
        "clinic": clinic,
        "limit": limit,
        "overdue_customers": None,  # filled in below, once the list is known
        "value_at_risk_days": VALUE_AT_RISK_DAYS,
    }
    overdue_note = Note(
        "只买一次的项目（如手术）没有复购周期，不会让顾客显示为逾期。",
        "Items bought once only (surgery) have no interval and do not make a customer overdue.",
    )
    # A month in progress asks as of its last day, past the data: the model must not count the days
    # without data as days without a purchase, so it is fitted up to the data's last day.
    until = min(asof, last) if last else asof
    h = VALUE_AT_RISK_DAYS
    # The count of all overdue customers (sql/customers.sql overdue_count) runs on a cursor of its own while this
    # thread imports SciPy and fits the models, most of which is Python and NumPy on one core. The list itself is
    # ranked among the kept repeat customers who are overdue, then (when those with a value at risk leave room) the
    # overdue customers with a single deal day. As of the data's last day (or later) for every clinic,
    # customer_deals holds what the overdue test needs as it stands (last_items, layer 8): the kept summary flags its
    # repeat customers (sql/predict.sql keep_current_overdue) and the count reads it (overdue_count_current).
    # Its last_items is layer 8's: every connection reads this version's layer (warehouse.connect upgrades an older
    # one, on a file or a lake, and refuses a past lake snapshot of another version). Otherwise (another day, a
    # clinic) the item cycle is worked out for the kept repeat customers (callback_repeat) and the count in general
    # (overdue_count).
    current = clinic is None and last is not None and asof >= last
    counting = (
        ("overdue_count_current", {"asof": asof}) if current else ("overdue_count", {"asof": asof, "clinic": clinic})
    )

    def rank(c, gg: dict[str, float]) -> pl.DataFrame:
        if current:
            first = run(c, "predict", "callback_current", {**gg, "limit": limit})
            return _then_singles(
                first,
                limit,
                lambda n: run(
                    c, "predict", "callback_single_current", {**gg, "asof": asof, "until": until, "limit": n}
                ),
            )
        # The ranking is predict.sql's, the same for both paths; the item cycle's queries are customers.sql's.
        ranking = Fragment(query("predict", "ranked_callback"))
        repeat_sql = with_fragments(query("customers", "callback_repeat"), ranked=ranking)
        single_sql = with_fragments(query("customers", "callback_single"), ranked=ranking)
        first = frame(c, repeat_sql, {**gg, "asof": asof, "clinic": clinic, "limit": limit})
        return _then_singles(
            first,
            limit,
            lambda n: frame(c, single_sql, {**gg, "asof": asof, "clinic": clinic, "until": until, "limit": n}),
        )

    with _alongside(con, lambda cur: run(cur, "customers", *counting)) as count:
        from aesthetic_cli.metrics import clv_models, predict

        # SciPy imports on a thread of its own while this one keeps the summary and reads the models' inputs
        # from the warehouse; the fits wait for it (Python's import lock).
        clv_models.preload()

        try:
            # Ranked in the warehouse: only the listed rows come back, each with the totals over the overdue.
            fitted, ranked = predict.fit_and_rank(
                con, until=until, clinic=clinic, days=h, overdue_asof=asof if current else None, rank=rank
            )
        except ModelFitError as exc:
            return _reactivate_by_overdue(con, asof, clinic, meta, limit, show_pii, overdue_note, exc)
        total = _overdue_total(count())
    at_risk = int(ranked["customers_at_risk"][0])
    value_at_risk_total = float(ranked["value_at_risk_total"][0] or 0.0)
    listed = ranked.filter(pl.col("customer_id").is_not_null())
    if current:
        # The item cycle's columns for the listed customers only: the millions of overdue rows at 10M order lines
        # stay in DuckDB.
        flags = run(
            con, "customers", "overdue_listed", {"asof": asof, "clinic": None, "ids": listed["customer_id"].to_list()}
        ).select("customer_id", "item", "interval_days", "due_date", "overdue_days")
        listed = listed.join(flags, on="customer_id", how="left", maintain_order="left")
    meta["overdue_customers"] = total
    listed = listed.with_columns(pl.col("overdue_days").is_not_null().alias("overdue"))
    listed = mask(predict.with_names(con, listed), show_pii).select(*_REACTIVATE_COLUMNS)
    meta.update(
        {
            "ranking": "value_at_risk",
            "customers_at_risk": at_risk,
            "value_at_risk_total": value_at_risk_total,
            "model": fitted.model.as_meta(),
            "gamma_gamma": fitted.value_model.as_meta(),
        }
    )
    notes = [
        Note(
            f"名单为 {total} 位逾期顾客（已超过上次成交所购品项的复购周期中位数），按风险价值从高到低：风险价值 = "
            f"(1 − 仍活跃概率) × 若仍活跃未来{h}天预期业绩（BG/NBD 预期成交次数 × Gamma-Gamma 预期客单）。"
            f"其中 {at_risk} 位有风险价值，列出前 {listed.height} 位。",
            f"The list is the {total} overdue customers (past the median repurchase interval of the items of "
            f"their last deal), by value at risk = (1 − P(alive)) × expected sales in the next {h} days if still "
            f"a customer (BG/NBD expected deals × Gamma-Gamma expected deal value). {at_risk} of them carry value "
            f"at risk; the top {listed.height} are listed.",
        ),
        Note(
            "只成交过一天的顾客在 BG/NBD 中视为仍活跃（流失只发生在复购之后），风险价值为 0，"
            "排在有风险价值的顾客之后，按累计业绩从高到低。",
            "Customers with a single deal day are alive for sure in BG/NBD (dropping out happens only "
            "after a repeat), so they carry no value at risk and come after those who do, by lifetime sales.",
        ),
        overdue_note,
    ]
    return Result(meta=meta, tables={"reactivate": listed}, notes=notes)


def _then_singles(first: pl.DataFrame, limit: int, singles: Callable[[int], pl.DataFrame]) -> pl.DataFrame:
    """The list from the overdue repeat customers ranked (`first`: sql/predict.sql callback_current or
    customers.sql callback_repeat, with the totals on every row), and when those with a value at risk leave room,
    the overdue customers with a single deal day (value at risk 0), singles(n) of them, merged in by lifetime sales
    with the repeat ones of value at risk 0. Read only then: at 10M order lines 3.6M customers have a single deal
    day. The totals stay the repeat customers': a single deal day adds no value at risk."""
    listed = first.filter(pl.col("customer_id").is_not_null())
    positive = pl.col("value_at_risk").fill_null(0.0) > 0
    with_risk = listed.filter(positive)
    if with_risk.height >= limit:
        return first
    single = singles(limit - with_risk.height).filter(pl.col("customer_id").is_not_null())
    if single.height == 0:
        return first
    rest = pl.concat([listed.filter(~positive), single.select(listed.columns)], how="vertical_relaxed")
    rest = rest.sort(["lifetime_sales", "customer_id"], descending=[True, False], nulls_last=True)
    totals = first.select("customers_at_risk", "value_at_risk_total").head(1)
    merged = pl.concat([with_risk, rest], how="vertical_relaxed").head(limit)
    return merged.drop(totals.columns).join(totals, how="cross")


_REACTIVATE_COLUMNS = (
    "customer_id",
    "name",
    "phone",
    "owner_consultant",
    "last_deal",
    "repeat_deals",
    "p_alive",
    "expected_sales_if_alive",
    "value_at_risk",
    "overdue",
    "item",
    "interval_days",
    "due_date",
    "overdue_days",
    "lifetime_sales",
)


def _overdue_total(overdue: pl.DataFrame) -> int:
    return int(overdue["overdue_customers"][0]) if overdue.height else 0


@contextlib.contextmanager
def _alongside(con, task: Callable[[Any], pl.DataFrame]) -> Iterator[Callable[[], pl.DataFrame]]:
    """task(cursor) on a cursor of its own, in a thread, while the block goes on; the block calls what this
    yields for the task's frame (waiting for it, raising its error). DuckDB leaves the interpreter while it
    runs a query, so both go on at once. On a lake the task runs on `con` itself when asked: a lake's attached
    catalog and snapshot are not a cursor's (as reports.content's lanes do)."""
    from aesthetic_cli.warehouse_lake import is_lake

    if is_lake(con):
        yield lambda: task(con)
        return
    from concurrent.futures import ThreadPoolExecutor

    cursor = con.cursor()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aesops-alongside")
    future = pool.submit(task, cursor)
    try:
        yield future.result
    finally:
        if not future.done():
            # The block failed or returned early: stop the query rather than wait for it.
            with contextlib.suppress(Exception):
                cursor.interrupt()
        pool.shutdown(wait=True)
        cursor.close()


def _reactivate_by_overdue(
    con,
    asof: date,
    clinic: str | None,
    meta: dict,
    limit: int,
    show_pii: bool,
    overdue_note: Note,
    exc: Exception,
) -> Result:
    """Without a fitted model: the overdue customers, most lifetime value first (the list before BG/NBD)."""
    from aesthetic_cli.metrics.predict import with_names

    overdue = run(con, "customers", "overdue", {"asof": asof, "clinic": clinic, "limit": limit, "ids": None})
    total = _overdue_total(overdue)
    meta["overdue_customers"] = total
    listed = overdue.head(limit).with_columns(
        pl.lit(None, pl.Int64).alias("repeat_deals"),
        pl.lit(None, pl.Float64).alias("p_alive"),
        pl.lit(None, pl.Float64).alias("expected_sales_if_alive"),
        pl.lit(None, pl.Float64).alias("value_at_risk"),
        pl.lit(True).alias("overdue"),
    )
    listed = mask(with_names(con, listed), show_pii).select(*_REACTIVATE_COLUMNS)
    meta.update({"ranking": "lifetime_sales", "model_error": getattr(exc, "message", str(exc))})
    notes = [
        Note(
            # The model's own reason is English (its Chinese is the CLI's to give, from the message catalog): here
            # the kind of reason, and the meta's model_error keeps the whole text.
            "历史数据不足以拟合复购模型（有成交或有复购的顾客太少，或模型未能收敛），"
            f"改按原规则：{total} 位顾客已超过其上次所购项目的复购中位周期，"
            f"列出累计业绩最高的 {min(limit, total)} 位。",
            f"The repurchase model could not be fitted ({getattr(exc, 'message', exc)}), so the list "
            f"falls back to the item cycle: {total} customers are past the median repurchase interval of "
            f"their last items; the {min(limit, total)} of most lifetime value are listed.",
        ),
        overdue_note,
    ]
    return Result(meta=meta, tables={"reactivate": listed}, notes=notes)


def cards(
    con,
    *,
    asof: date | None = None,
    clinic: str | None = None,
    show_pii: bool = False,
    limit: int = 50,
    snapshot_if_earlier: bool = False,
) -> Result:
    """Cards as exported: balances are a snapshot. A day asked for before the snapshot is refused (its balances
    cannot be known); with snapshot_if_earlier (a report of a past month) the snapshot's day is used and said."""
    asked = asof
    asof = _asof(con, asof)
    snapshot = con.execute(query("customers", "cards_snapshot_day")).fetchone()[0]
    earlier = snapshot is not None and asof < snapshot
    if earlier and asked is not None and not snapshot_if_earlier:
        raise UsageError(
            f"Card balances are a snapshot taken when the cards were exported, and the cards record activity up to "
            f"{snapshot}: their balances on {asof} cannot be known.",
            hint=f"Ask for {snapshot} or a later day, or leave the day out.",
        )
    if earlier:
        asof = snapshot
    df = run(con, "customers", "cards", {"clinic": clinic})
    # Unused N days: the last use N days or more before the date (a card last used exactly 180 days ago is 不动卡).
    dormant_since = asof - timedelta(days=DORMANT_CARD_DAYS)
    lapsed_since = asof - timedelta(days=LAPSED_CARD_DAYS)
    last_activity = pl.coalesce("last_used_at", "opened_at")
    df = df.with_columns(
        pl.when((pl.col("recharge_total") + pl.col("bonus_total")) > 0)
        .then(pl.col("balance") * pl.col("recharge_total") / (pl.col("recharge_total") + pl.col("bonus_total")))
        .otherwise(pl.col("balance"))
        .alias("cash_part"),
        (pl.col("balance") <= 0).alias("empty"),
        ((pl.col("balance") > 0) & (last_activity <= dormant_since)).fill_null(False).alias("dormant"),
        (
            (pl.col("balance") <= 0)
            & (pl.col("recharge_total") > 0)
            & (pl.col("topups_after_last_use") == 0)
            & (last_activity <= lapsed_since)
        )
        .fill_null(False)
        .alias("lapsed"),
    )

    def summarise(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.group_by("clinic").agg(
            pl.len().alias("cards"),
            pl.col("balance").sum().alias("liability"),
            pl.col("cash_part").sum().alias("cash_part"),
            (pl.col("balance").sum() - pl.col("cash_part").sum()).alias("bonus_part"),
            pl.col("empty").sum().alias("empty_cards"),
            pl.col("dormant").sum().alias("dormant_cards"),
            pl.col("balance").filter(pl.col("dormant")).sum().alias("dormant_balance"),
            pl.col("lapsed").sum().alias("lapsed_cards"),
        )

    by_clinic = summarise(df).sort("clinic")
    total = summarise(df.with_columns(pl.lit("合计").alias("clinic")))
    summary = pl.concat([by_clinic, total]) if by_clinic.height > 1 else total
    watch = df.filter(pl.col("dormant") | pl.col("lapsed")).with_columns(
        pl.when(pl.col("dormant")).then(pl.lit("不动卡")).otherwise(pl.lit("不续卡")).alias("status")
    )
    # card_id breaks ties, so the cut at --limit does not depend on the warehouse's row order. Names and
    # phones are read for the listed cards only.
    watch = watch.sort(["balance", "card_id"], descending=[True, False]).head(limit)
    names = run(con, "customers", "customer_names", {"ids": watch["customer_id"].to_list()})
    watch = watch.join(names.drop("owner_consultant"), on="customer_id", how="left", maintain_order="left")
    watch = mask(watch, show_pii).select(
        "card_id", "customer_id", "name", "phone", "clinic", "card_type", "status", "balance", "last_used_at"
    )
    meta = {
        "command": "customers cards",
        "asof": asof,
        "clinic": clinic,
        "dormant_days": DORMANT_CARD_DAYS,
        "lapsed_days": LAPSED_CARD_DAYS,
    }
    notes = [
        Note(
            f"本金 = 余额 × 充值 ÷ (充值 + 赠送)。空卡：余额为零；不动卡：有余额但 {DORMANT_CARD_DAYS} 天未使用；"
            f"不续卡：已用完、{LAPSED_CARD_DAYS} 天未使用且之后未再充值。",
            f"Cash part = balance × recharge / (recharge + bonus). 空卡: zero balance. 不动卡: balance but no use "
            f"for {DORMANT_CARD_DAYS} days. 不续卡: drained, unused {LAPSED_CARD_DAYS} days, no top-up since.",
        )
    ]
    if earlier:
        notes.append(
            Note(
                f"储值卡余额是导出时的快照，卡片记录到 {snapshot}，"
                f"所以按 {snapshot} 计，不是 {asked or asof} 当天的余额。",
                f"Card balances are a snapshot from the export, which records activity up to {snapshot}: they are "
                f"shown as of {snapshot}, not as of {asked or asof}.",
            )
        )
    return Result(meta=meta, tables={"cards": summary, "cards_to_call": watch}, notes=notes)
