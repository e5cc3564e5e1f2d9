"""BG/NBD fitted on distinct (x, t_x, T) rows with a count each gives the same model as fitting on every customer.

The reference is the plain per-customer fit: `distinct_rows` replaced by one that keeps every row (count 1),
which is how the models were fitted before. Same optimiser, same start: only the weighting differs.
"""

from __future__ import annotations

import numpy as np
import pytest

from aesthetic_cli.metrics import clv_models as cm
from aesthetic_cli.metrics import predict


def _every_row(*cols):
    arrays = [np.asarray(c, dtype=np.float64) for c in cols]
    n = arrays[0].size
    return arrays, np.ones(n), np.arange(n)


@pytest.fixture(scope="module")
def repeated():
    """Simulated customers on whole weeks: 20k customers, a few thousand distinct rows."""
    from bench.predict import simulate

    d = simulate(20_000, seed=5)
    t_x, T = np.round(d["t_x"]), np.round(d["T"])
    return d["x"], np.minimum(t_x, T), T


def test_the_data_set_has_many_repeated_rows(repeated):
    x, t_x, T = repeated
    (ux, ut_x, uT), weight, row = cm.distinct_rows(x, t_x, T)
    assert weight.sum() == x.size and ux.size < x.size / 3
    # Every customer points at a row equal to their own, and the rows are distinct.
    assert np.array_equal(ux[row], x) and np.array_equal(ut_x[row], t_x) and np.array_equal(uT[row], T)
    assert len(set(zip(ux, ut_x, uT, strict=True))) == ux.size
    assert np.array_equal(np.bincount(row), weight)


def test_weighted_fit_equals_the_per_customer_fit(repeated, monkeypatch):
    x, t_x, T = repeated
    m = cm.fit_bgnbd(x, t_x, T)
    monkeypatch.setattr(cm, "distinct_rows", _every_row)
    m0 = cm.fit_bgnbd(x, t_x, T)
    for name in ("r", "alpha", "a", "b", "log_likelihood"):
        assert getattr(m, name) == pytest.approx(getattr(m0, name), rel=1e-10), name
    assert m.n_customers == m0.n_customers == x.size


def test_log_likelihood_and_gradient_are_sums_over_every_customer(repeated):
    """The weighted sum equals eq. (6) summed customer by customer, and its gradient a finite difference."""
    x, t_x, T = repeated
    c = cm._Customers(x, t_x, T)
    params = np.array([0.4, 6.0, 0.8, 2.5])
    ll, grad = cm._loglik_sum_and_grad(*params, c)
    per_customer = cm.bgnbd_loglik(*params, x, t_x, T)
    assert per_customer.size == x.size
    assert ll == pytest.approx(per_customer.sum(), rel=1e-12)
    for i in range(4):
        h = np.zeros(4)
        h[i] = params[i] * 1e-6
        up = cm.bgnbd_loglik(*(params + h), x, t_x, T).sum()
        down = cm.bgnbd_loglik(*(params - h), x, t_x, T).sum()
        assert grad[i] == pytest.approx((up - down) / (2 * h[i]), rel=1e-5)


def test_forecasts_per_distinct_row_equal_those_per_customer(repeated):
    x, t_x, T = repeated
    m = cm.BGNBD(0.4, 6.0, 0.8, 2.5, log_likelihood=0.0, n_customers=x.size, iterations=0)
    for t in (90 / 7, 180 / 7):
        spread = predict._per_distinct_row(cm.expected_deals, m, t, x, t_x, T)
        assert spread == pytest.approx(cm.expected_deals(m, t, x, t_x, T), rel=1e-12)
