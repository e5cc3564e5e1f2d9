"""The repurchase models' fits land on the data's maximum, not where an optimiser happened to stop.

L-BFGS-B stops on its own tolerances. SciPy 1.14 (Fortran L-BFGS-B) and 1.17 (C) stopped at points whose expected
deal values differed by up to 8 cents on the sample chain, and the golden call-back list failed on a machine with
the newer SciPy. clv_models._maximum solves gradient = 0 from where L-BFGS-B stops. Checked here without the
fits' own gradients: a central difference of the plain per-customer log-likelihood at the fit, and the same fit
whether the likelihood is summed per customer or per distinct row. (The published CDNOW figures, which the fits
now reproduce to every printed digit: tests/test_predict.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from aesthetic_cli.metrics import clv_models as cm
from tests import test_clv_weights
from tests.test_clv_weights import _every_row

# Simulated customers on whole weeks, sharing (x, t_x, T) rows (test_clv_weights' fixture).
repeated = test_clv_weights.repeated


@pytest.fixture(scope="module")
def values():
    """Repeat customers drawn from the Gamma-Gamma model (p = 4, q = 3, γ = 500: a mean deal of 1,000), each
    average rounded to 10 yuan so that customers share (x, mx) as a clinic's do (whole deal counts, list prices)."""
    rng = np.random.default_rng(5)
    n = 20_000
    x = rng.integers(1, 6, n).astype(np.float64)
    nu = rng.gamma(3.0, 1 / 500.0, n)
    mx = np.maximum(np.round(rng.gamma(4.0 * x, 1 / nu) / x, -1), 10.0)
    return x, mx


def _plain_gg(x, mx):
    ux, inv = np.unique(x, return_inverse=True)
    log_mx = np.log(mx)
    return lambda p, q, v: float(cm._gg_loglik(p, q, v, x, mx, log_mx, ux, inv).sum())


def _central_slope(f, theta: np.ndarray, i: int, h: float = 1e-5) -> float:
    up, down = theta.copy(), theta.copy()
    up[i] += h
    down[i] -= h
    return (f(np.exp(up)) - f(np.exp(down))) / (2 * h)


def test_gamma_gamma_sum_and_gradient_over_distinct_rows_are_the_per_customer_ones(values):
    x, mx = values
    summed = cm._GGSum(x, mx)
    assert summed.x.size < x.size / 4  # customers share rows indeed
    plain = _plain_gg(x, mx)
    rng = np.random.default_rng(7)
    for p, q, v in np.exp(rng.uniform([-1.0, 0.2, 4.0], [3.0, 3.0, 10.0], (30, 3))):
        ll, grad = summed(p, q, v)
        assert ll == pytest.approx(plain(p, q, v), rel=1e-11)
        for i, param in enumerate((p, q, v)):
            # ∂/∂param = ∂/∂log(param) / param, the slope by a central difference of the plain sum
            slope = _central_slope(lambda t: plain(*t), np.log([p, q, v]), i) / param
            assert grad[i] == pytest.approx(slope, rel=1e-5, abs=1e-6 * abs(ll) / param)


def test_gamma_gamma_fit_is_the_maximum_of_the_per_customer_likelihood(values):
    x, mx = values
    g = cm.fit_gamma_gamma(x, mx)
    plain = _plain_gg(x, mx)
    theta = np.log([g.p, g.q, g.v])
    assert g.log_likelihood == pytest.approx(plain(g.p, g.q, g.v), rel=1e-11)
    assert (g.p, g.q, g.v) == pytest.approx((4.0, 3.0, 500.0), rel=0.15)  # the model is identified here
    for i in range(3):
        # per customer: L-BFGS-B's own stop left slopes of 1e-6 to 1e-7 here
        assert abs(_central_slope(lambda t: plain(*t), theta, i) / x.size) < 1e-8, i


def test_bgnbd_fit_is_the_maximum_of_the_per_customer_likelihood(repeated):
    x, t_x, T = repeated
    m = cm.fit_bgnbd(x, t_x, T)

    def plain(params):
        return float(cm.bgnbd_loglik(*params, x, t_x, T).sum())

    theta = np.log([m.r, m.alpha, m.a, m.b])
    for i in range(4):
        assert abs(_central_slope(plain, theta, i) / x.size) < 1e-8, i


def test_fits_per_customer_and_per_distinct_row_agree_to_ten_digits(values, repeated, monkeypatch):
    x, mx = values
    dx, t_x, T = repeated
    grouped_gg, grouped_bg = cm.fit_gamma_gamma(x, mx), cm.fit_bgnbd(dx, t_x, T)
    monkeypatch.setattr(cm, "distinct_rows", _every_row)
    # the customers in another order too: a sum's last bits change with it
    order = np.random.default_rng(3).permutation(x.size)
    per_gg, per_bg = cm.fit_gamma_gamma(x[order], mx[order]), cm.fit_bgnbd(dx[order], t_x[order], T[order])
    for name in ("p", "q", "v"):
        assert getattr(grouped_gg, name) == pytest.approx(getattr(per_gg, name), rel=1e-10), name
    for name in ("r", "alpha", "a", "b"):
        assert getattr(grouped_bg, name) == pytest.approx(getattr(per_bg, name), rel=1e-10), name
