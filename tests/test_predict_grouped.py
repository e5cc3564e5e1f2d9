"""The repurchase fits on input grouped in the warehouse, and the call-back list ranked there
(metrics/predict.fit and at_risk), against the ungrouped reference: one row per customer, summarised
from the CDNOW file by Python dicts (tests/test_predict.cdnow_summary), not by the warehouse's SQL."""

from __future__ import annotations

import statistics
from collections import Counter
from itertools import pairwise

import numpy as np
import pytest

from aesthetic_cli.metrics import clv_models as cm
from tests import test_predict
from tests.test_predict import CALIBRATION_END, cdnow_rows, cdnow_summary

# The CDNOW warehouse of test_predict (imported once per module), for the tests below.
cdnow_db, cdnow = test_predict.cdnow_db, test_predict.cdnow

BGNBD_PARAMS = ("r", "alpha", "a", "b", "log_likelihood")
GG_PARAMS = ("p", "q", "v", "log_likelihood", "freq_value_corr")


def _grouped(x, t_x, T):
    """The distinct (x, t_x, T) with how many customers share each, ascending: by a Counter, not by numpy."""
    counts = Counter(zip(x.tolist(), t_x.tolist(), T.tolist(), strict=True))
    rows = sorted(counts)
    return [np.array([r[i] for r in rows]) for i in range(3)] + [np.array([counts[r] for r in rows], float)]


def test_grouped_bgnbd_fit_is_the_per_customer_fit():
    x, t_x, T, _ = cdnow_summary(include_zero_days=False)
    gx, gt, gT, n = _grouped(x, t_x, T)
    assert len(gx) < len(x) / 2 and n.sum() == len(x)  # CDNOW's 2,349 customers share far fewer rows
    per_customer, grouped = cm.fit_bgnbd(x, t_x, T), cm.fit_bgnbd(gx, gt, gT, n)
    assert grouped.n_customers == per_customer.n_customers == len(x)
    for name in BGNBD_PARAMS:
        assert getattr(grouped, name) == pytest.approx(getattr(per_customer, name), rel=1e-9), name


def test_the_warehouse_fit_is_the_per_customer_fit(cdnow):
    from aesthetic_cli.metrics.predict import fit, summarise

    fitted = fit(cdnow, until=CALIBRATION_END)
    x, t_x, T, mx = cdnow_summary(include_zero_days=False)
    # The warehouse's grouped rows are exactly the Counter's, in days.
    gx, gt, gT, n = _grouped(x, t_x, T)
    rows = fitted.rows
    assert rows["repeat_deals"].to_list() == gx.tolist() and rows["customers"].to_list() == n.tolist()
    assert (rows["recency_days"] * 1.0).to_list() == (gt * 7).round().tolist()
    assert (rows["age_days"] * 1.0).to_list() == (gT * 7).round().tolist()
    reference = cm.fit_bgnbd(x, t_x, T)
    for name in BGNBD_PARAMS:
        assert getattr(fitted.model, name) == pytest.approx(getattr(reference, name), rel=1e-9), name
    # Gamma-Gamma reads the distinct (x, mx) with their counts: the same fit as on the warehouse's per-customer
    # summary (what customers predict lists), and as on the file's float sums (the warehouse's are exact
    # decimals), to ten digits: the fit solves for the maximum (clv_models._maximum). Before, it agreed with the
    # file's only to 1e-4, where L-BFGS-B stopped on finite differences.
    s = summarise(cdnow, until=CALIBRATION_END)
    same = cm.fit_gamma_gamma(s["repeat_deals"].to_numpy(), s["avg_repeat_value"].fill_null(np.nan).to_numpy())
    file_fit = cm.fit_gamma_gamma(x, mx)
    for name in GG_PARAMS:
        assert getattr(fitted.value_model, name) == pytest.approx(getattr(same, name), rel=1e-10), name
        assert getattr(fitted.value_model, name) == pytest.approx(getattr(file_fit, name), rel=1e-9), name
    assert fitted.value_model.n_customers == same.n_customers == int((x > 0).sum())


def test_the_list_ranked_in_the_warehouse_is_the_per_customer_ranking(cdnow):
    from aesthetic_cli.metrics.customers import reactivate

    r = reactivate(cdnow, asof=CALIBRATION_END, limit=40)
    model, gg = r.meta["model"], r.meta["gamma_gamma"]
    m = cm.BGNBD(model["r"], model["alpha"], model["a"], model["b"], 0.0, 0, 0)
    # Every customer's value at risk by the definition, one customer at a time, from the file's summary.
    x, t_x, T, mx = cdnow_summary(include_zero_days=False)
    value = np.where(x > 0, gg["p"] * (gg["v"] + x * np.nan_to_num(mx)) / (gg["p"] * x + gg["q"] - 1), 0.0)
    rows = zip(x, t_x, T, strict=True)
    if_alive = np.array([cm.expected_deals_if_alive(m, 180 / 7, [a], [b], [c])[0] for a, b, c in rows])
    risk = (1 - cm.p_alive(m, x, t_x, T)) * if_alive * value
    # The list's customers are the overdue (SPEC §2): CDNOW sells one item, so a customer is overdue when more days
    # than the item's median repurchase interval have passed since their last deal day, (T − t_x) weeks. The
    # interval as it stood at the calibration end: the days between a customer's consecutive purchase days up to it,
    # from the file (the purchases after it are not known on that day).
    bought: dict[str, set] = {}
    for cid, day, amount in cdnow_rows():
        if amount > 0 and day <= CALIBRATION_END:
            bought.setdefault(cid, set()).add(day)
    gaps = [(b - a).days for days in bought.values() for a, b in pairwise(sorted(days))]
    interval = statistics.median(gaps)
    overdue = np.rint((T - t_x) * 7) > interval
    assert 0 < overdue.sum() < len(x) and ((risk > 0) & ~overdue).sum() > 100
    assert r.meta["overdue_customers"] == int(overdue.sum())
    assert r.meta["customers_at_risk"] == int(((risk > 0) & overdue).sum())
    assert r.meta["value_at_risk_total"] == pytest.approx(risk[overdue].sum(), rel=1e-9)
    listed = r.tables["reactivate"]["value_at_risk"].to_list()
    assert listed == pytest.approx(sorted(risk[overdue & (risk > 0)], reverse=True)[:40], rel=1e-9)
