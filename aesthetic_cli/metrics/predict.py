"""Predicted repurchase (复购预测, SPEC §2): BG/NBD for who is still a customer and how many deals they
will make, Gamma-Gamma for what a deal will be worth, fitted on each customer's deal days.

A deal is a customer-day with positive net sales (sale and refund lines, top-ups excluded); a repeat is a
deal day after the customer's first. Time is in weeks, as in the papers: frequency x = repeat deal days up
to the calibration end `until` (column repeat_deals: "frequency" means deal visits / buyers elsewhere in
aesops), recency t_x = weeks from the first to the last deal day, age T = weeks from
the first deal day to `until`. The value model reads the average of the repeat deals (the first deal is
left out, as Fader, Hardie & Lee do: a first purchase is often unlike the ones that follow).

The models themselves live in clv_models.py; this module reads the warehouse and shapes the Result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from aesthetic_cli.errors import UsageError
from aesthetic_cli.lazy_polars import pl
from aesthetic_cli.metrics import clv_models as cm
from aesthetic_cli.metrics.base import prepare, run
from aesthetic_cli.metrics.result import Note, Result
from aesthetic_cli.privacy import mask
from aesthetic_cli.sqlfiles import execute_all, query

DEFAULT_HORIZONS = (90, 180)
WEEK = 7.0
# Paper's Figure 4 / holdout table: customers grouped by calibration repeat deals 0, 1, ..., 6, 7+.
BUCKET_TOP = 7


@dataclass
class Scored:
    """Per-customer summary with the model's forecasts (unmasked), and the fitted models."""

    frame: pl.DataFrame
    model: cm.BGNBD
    value_model: cm.GammaGamma
    until: date
    horizons: tuple[int, ...]


def _until(con, until: date | None) -> tuple[date, date]:
    cov = prepare(con)
    if cov.last_day is None:
        raise UsageError(
            "The warehouse has no orders yet: nothing to predict from.",
            hint="Import exports first: aesops import FILE...",
        )
    until = until or cov.last_day
    if until > cov.last_day:
        raise UsageError(
            f"--until {until} lies after the data's last day ({cov.last_day}).",
            hint="The calibration end must be a day the data covers; leave it out to use the last day.",
        )
    return until, cov.last_day


def summarise(con, *, until: date, clinic: str | None = None) -> pl.DataFrame:
    """x, t_x and T (weeks) and the average repeat deal value, one row per customer with a deal by `until`
    (without names: with_names adds them to the rows that are shown)."""
    df = run(con, "predict", "summary", {"until": until, "clinic": clinic})
    return df.with_columns(
        (pl.col("recency_days") / WEEK).alias("recency_weeks"),
        (pl.col("age_days") / WEEK).alias("age_weeks"),
        # Money is DECIMAL in the warehouse; the models work in float64.
        pl.col("avg_repeat_value").cast(pl.Float64),
    )


def with_names(con, frame: pl.DataFrame) -> pl.DataFrame:
    """The customers' name, phone and owner consultant beside each row, read for these rows only."""
    names = run(con, "customers", "customer_names", {"ids": frame["customer_id"].to_list()})
    return frame.join(names, on="customer_id", how="left", maintain_order="left")


@dataclass
class Fitted:
    """Both models fitted up to `until`, and BG/NBD's input: the distinct (x, recency, age in days) rows."""

    model: cm.BGNBD
    value_model: cm.GammaGamma
    rows: pl.DataFrame


def fit(con, *, until: date, clinic: str | None = None) -> Fitted:
    """Fit both models on the customers' history up to `until`, on what each reads from the warehouse: the
    distinct (x, t_x, T) rows with their counts for BG/NBD (grouped there; the same rows in the same order
    as fit_bgnbd's own grouping, so the same fit: tests/test_predict_grouped.py), the repeat customers'
    (x, mx) for Gamma-Gamma. The 508k-customer summary at 1M order lines stays in DuckDB.
    Raises ModelFitError when the data is too thin or the fit does not converge."""
    with per_customer_kept(con, until=until, clinic=clinic) as bgnbd_input:
        return _fit(con, bgnbd_input, until)


def fit_and_rank(
    con,
    *,
    until: date,
    clinic: str | None,
    days: int,
    overdue_asof: date | None,
    rank: Callable[[Any, dict[str, float]], pl.DataFrame],
) -> tuple[Fitted, pl.DataFrame]:
    """fit, then rank(con, Gamma-Gamma's {p, q, v}) on the same kept summary (one pass over the customers for
    both), while `forecast_rows` holds P(alive) and E[deals in the next `days` | alive] per distinct
    (x, t_x, T) row of BG/NBD's input, worked out here once per row (sql/predict.sql ranked_callback reads them).
    With `overdue_asof`, a summary kept from customer_deals as they stand flags each customer overdue or not as of
    that day (keep_current_overdue)."""
    with per_customer_kept(con, until=until, clinic=clinic, overdue_asof=overdue_asof) as bgnbd_input:
        fitted = _fit(con, bgnbd_input, until)
        x, t_x, T, _ = _bgnbd_arrays(fitted.rows)
        m, g = fitted.model, fitted.value_model
        forecast = {
            "repeat_deals": fitted.rows["repeat_deals"].to_numpy(),
            "recency_days": fitted.rows["recency_days"].to_numpy(),
            "age_days": fitted.rows["age_days"].to_numpy(),
            "p_alive": cm.p_alive(m, x, t_x, T),
            "if_alive": cm.expected_deals_if_alive(m, days / WEEK, x, t_x, T),
        }
        # DuckDB scans the arrays in place (no copy, no pyarrow), for the ranking only.
        con.register(_FORECAST_ROWS, forecast)
        try:
            return fitted, rank(con, {"p": g.p, "q": g.q, "v": g.v})
        finally:
            con.unregister(_FORECAST_ROWS)


_FORECAST_ROWS = "forecast_rows"


@contextmanager
def per_customer_kept(con, *, until: date, clinic: str | None, overdue_asof: date | None = None) -> Iterator[str]:
    """The per-customer summary up to `until` as a temporary table of this connection while the block runs
    (sql/predict.sql keep_per_customer; a read-only warehouse takes temporary tables). Yields the name of the
    query of BG/NBD's input. When the summary is the layer's customer_deals as they stand (_current), only the
    repeat customers are kept, read straight from it (flagged overdue as of `overdue_asof` when given), and
    BG/NBD's input is grouped from it (keep_current)."""
    if _current(con, until, clinic):
        if overdue_asof is None:
            execute_all(con, query("predict", "keep_current"), {"until": until})
        else:
            execute_all(con, query("predict", "keep_current_overdue"), {"until": until, "asof": overdue_asof})
        bgnbd_input = "bgnbd_input_current"
    else:
        execute_all(con, query("predict", "keep_per_customer"), {"until": until, "clinic": clinic})
        bgnbd_input = "bgnbd_input"
    try:
        yield bgnbd_input
    finally:
        execute_all(con, query("predict", "drop_per_customer"))


def _current(con, until: date, clinic: str | None) -> bool:
    """Whether the summary up to `until` is the layer's customer_deals as they stand: no clinic asked and no
    customer with a day after `until` (it is the data's last day, or later). At 10M order lines keeping the
    general summary (5M customers through the late and clinic filters, twice) took 1.4 CPU s."""
    last = prepare(con).last_day
    return clinic is None and last is not None and until >= last


def _fit(con, bgnbd_input: str, until: date) -> Fitted:
    # Both models' inputs first, then both fits: the queries run while SciPy may still be importing on another
    # thread (customers.reactivate), and the fits are the first to need it.
    rows = run(con, "predict", bgnbd_input, {"until": until} if bgnbd_input == "bgnbd_input_current" else {})
    gg = run(con, "predict", "gg_input", {})
    x, t_x, T, n = _bgnbd_arrays(rows)
    model = cm.fit_bgnbd(x, t_x, T, n)
    gx, mx, gn = (gg[c].to_numpy().astype(np.float64) for c in ("repeat_deals", "avg_repeat_value", "customers"))
    value_model = cm.fit_gamma_gamma(gx, mx, gn)
    return Fitted(model, value_model, rows)


def _bgnbd_arrays(rows: pl.DataFrame) -> tuple[np.ndarray, ...]:
    x = rows["repeat_deals"].to_numpy().astype(np.float64)
    # Weeks as summarise works them out (days / 7.0), so the same floats reach the model.
    t_x = (rows["recency_days"] / WEEK).to_numpy().astype(np.float64)
    T = (rows["age_days"] / WEEK).to_numpy().astype(np.float64)
    return x, t_x, T, rows["customers"].to_numpy().astype(np.float64)


def score(
    con, *, until: date | None = None, clinic: str | None = None, horizons: tuple[int, ...] = DEFAULT_HORIZONS
) -> Scored:
    """Fit both models on the customers' history up to `until` and forecast each horizon (days) for every
    customer. Raises ModelFitError when the data is too thin or the fit does not converge."""
    until, _last = _until(con, until)
    fitted = fit(con, until=until, clinic=clinic)
    model, value_model = fitted.model, fitted.value_model
    df = summarise(con, until=until, clinic=clinic)
    x, t_x, T = (df[c].to_numpy().astype(np.float64) for c in ("repeat_deals", "recency_weeks", "age_weeks"))
    mx = df["avg_repeat_value"].fill_null(np.nan).to_numpy().astype(np.float64)
    value = cm.expected_value(value_model, x, mx)
    # The forecasts depend on (x, t_x, T) alone: worked out once per distinct row and spread back.
    (ux, ut_x, uT), _, row = cm.distinct_rows(x, t_x, T)
    alive = cm.p_alive(model, ux, ut_x, uT)[row]
    cols = [pl.Series("p_alive", alive), pl.Series("expected_value", value)]
    for h in horizons:
        if_alive = cm.expected_deals_if_alive(model, h / WEEK, ux, ut_x, uT)[row]
        deals = alive * if_alive
        cols += [
            pl.Series(f"expected_deals_{h}d", deals),
            pl.Series(f"expected_sales_{h}d", deals * value),
            pl.Series(f"expected_deals_if_alive_{h}d", if_alive),
        ]
    return Scored(df.with_columns(cols), model, value_model, until, tuple(horizons))


def predict(
    con,
    *,
    until: date | None = None,
    horizons: tuple[int, ...] = DEFAULT_HORIZONS,
    clinic: str | None = None,
    show_pii: bool = False,
    check: bool = False,
) -> Result:
    """`aesops customers predict`: the fitted models in meta, a forecast per customer, and with `check`
    the holdout comparison of predicted and actual repeat deals after `until`."""
    horizons = tuple(sorted(set(horizons)))
    if not horizons or min(horizons) < 1:
        raise UsageError("--horizon takes whole days, at least 1, e.g. --horizon 90,180.")
    until, last = _until(con, until)
    if check and until >= last:
        raise UsageError(
            f"--check needs data after --until {until}, and the data ends on {last}.",
            hint="Set --until earlier, e.g. half-way through the data, to hold out the rest.",
        )
    s = score(con, until=until, clinic=clinic, horizons=horizons)
    first = horizons[0]
    per_h = [c for h in horizons for c in (f"expected_deals_{h}d", f"expected_sales_{h}d")]
    named = s.frame.join(
        run(con, "customers", "all_customer_names", {}), on="customer_id", how="left", maintain_order="left"
    )
    # Sorted before masking: a phone-number id masked (139****2222) ties with others and would order ties anew.
    customers = mask(
        named.sort([f"expected_sales_{first}d", "customer_id"], descending=[True, False]), show_pii
    ).select(
        "customer_id",
        "name",
        "phone",
        "owner_consultant",
        "repeat_deals",
        "recency_weeks",
        "age_weeks",
        "last_deal",
        "avg_repeat_value",
        "p_alive",
        "expected_value",
        *per_h,
    )
    meta = {
        "command": "customers predict",
        "until": until,
        "clinic": clinic,
        "horizons_days": list(horizons),
        "model": s.model.as_meta(),
        "gamma_gamma": s.value_model.as_meta(),
    }
    tables = {"customers": customers}
    corr = s.value_model.freq_value_corr
    notes = [
        Note(
            f"BG/NBD 与 Gamma-Gamma 以截至 {until} 的成交日拟合（{s.model.n_customers} 位顾客，时间单位为周）："
            f"r={s.model.r:.3f}, α={s.model.alpha:.3f}, a={s.model.a:.3f}, b={s.model.b:.3f}；"
            f"p={s.value_model.p:.3f}, q={s.value_model.q:.3f}, v={s.value_model.v:.3f}。",
            f"BG/NBD and Gamma-Gamma fitted on deal days up to {until} ({s.model.n_customers} customers, "
            f"time in weeks): r={s.model.r:.3f}, α={s.model.alpha:.3f}, a={s.model.a:.3f}, b={s.model.b:.3f}; "
            f"p={s.value_model.p:.3f}, q={s.value_model.q:.3f}, v={s.value_model.v:.3f}.",
        )
    ]
    if corr is not None:
        notes.append(
            Note(
                f"Gamma-Gamma 假设成交次数与单次金额无关：复购顾客两者的相关系数为 {corr:.2f}"
                f"{'（较弱，可用）' if abs(corr) < 0.3 else '（偏强，金额预测需谨慎）'}。",
                f"Gamma-Gamma assumes deal count and deal value are independent: their correlation "
                f"among repeat customers is {corr:.2f}"
                f"{' (weak: fine)' if abs(corr) < 0.3 else ' (strong: read expected values with care)'}.",
            )
        )
    if check:
        tables["check"], meta["holdout"] = holdout_check(con, s, last)
        h = meta["holdout"]
        notes.append(
            Note(
                f"留出期 {h['from']}–{h['to']}（{h['weeks']:.1f} 周）：预测复购 {h['predicted_deals']:.0f} 次，"
                f"实际 {h['actual_deals']} 次。",
                f"Holdout {h['from']}–{h['to']} ({h['weeks']:.1f} weeks): predicted repeat deals "
                f"{h['predicted_deals']:.0f}, actual {h['actual_deals']}.",
            )
        )
    return Result(meta=meta, tables=tables, notes=notes)


def holdout_check(con, s: Scored, last: date) -> tuple[pl.DataFrame, dict]:
    """Predicted (eq. 10 over the holdout's length) against actual deal days after `until`, in total and
    by calibration frequency 0 … 6, 7+, as the paper's holdout comparison does."""
    weeks = (last - s.until).days / WEEK
    df = s.frame.select("customer_id", "repeat_deals", "recency_weeks", "age_weeks")
    x, t_x, T = (df[c].to_numpy().astype(np.float64) for c in ("repeat_deals", "recency_weeks", "age_weeks"))
    actual = run(con, "predict", "holdout", {"until": s.until, "last": last})
    df = (
        df.with_columns(pl.Series("predicted", _per_distinct_row(cm.expected_deals, s.model, weeks, x, t_x, T)))
        .join(actual, on="customer_id", how="left")
        .with_columns(pl.col("actual_deals").fill_null(0))
    )
    bucket = (
        pl.when(pl.col("repeat_deals") >= BUCKET_TOP)
        .then(pl.lit(f"{BUCKET_TOP}+"))
        .otherwise(pl.col("repeat_deals").cast(pl.String))
    )

    def agg(frame):
        return frame.agg(
            pl.len().alias("customers"),
            pl.col("actual_deals").sum().alias("actual_deals"),
            pl.col("predicted").sum().alias("predicted_deals"),
        )

    by = (
        agg(
            df.with_columns(
                bucket.alias("frequency_bucket"), pl.col("repeat_deals").clip(upper_bound=BUCKET_TOP).alias("_o")
            ).group_by("frequency_bucket", "_o")
        )
        .sort("_o")
        .drop("_o")
    )
    total = agg(df.with_columns(pl.lit("合计 total").alias("frequency_bucket")).group_by("frequency_bucket"))
    table = pl.concat([by, total], how="vertical_relaxed").with_columns(
        (pl.col("actual_deals") / pl.col("customers")).alias("actual_per_customer"),
        (pl.col("predicted_deals") / pl.col("customers")).alias("predicted_per_customer"),
    )
    meta = {
        "from": s.until + timedelta(days=1),
        "to": last,
        "weeks": weeks,
        "actual_deals": int(total["actual_deals"][0]),
        "predicted_deals": float(total["predicted_deals"][0]),
    }
    return table, meta


def _per_distinct_row(forecast, model, t: float, x, t_x, T) -> np.ndarray:
    (ux, ut_x, uT), _, row = cm.distinct_rows(x, t_x, T)
    return forecast(model, t, ux, ut_x, uT)[row]
