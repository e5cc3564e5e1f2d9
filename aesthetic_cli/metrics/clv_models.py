"""The two customer-base models behind `customers predict`, on plain arrays (no warehouse here).

BG/NBD, Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
Pareto/NBD model", Marketing Science 24(2): while alive a customer buys at rate λ ~ Gamma(r, α); after
each purchase they drop out with probability p ~ Beta(a, b). Per customer: x repeat purchases, the last
at t_x, observed for T (time since the first purchase), all in weeks as in the paper.

Gamma-Gamma, Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base
analysis", J. Marketing Research 42(4): a purchase's value ~ Gamma(p, ν), ν ~ Gamma(q, v) across
customers; fitted on each repeat customer's average repeat value. It assumes the value is independent of
how often the customer buys: `freq_value_corr` reports that correlation so a reader can judge.

Every formula below is the paper's equation, written on logs so that 100k customers cost a few
vectorised calls (scipy.special) rather than a Python loop.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from aesthetic_cli import deferred
from aesthetic_cli.deferred import Deferred
from aesthetic_cli.errors import ModelFitError


# SciPy's import is 0.4-1.0 s of interpreter time: customers.reactivate runs it on a thread (preload) while the
# warehouse's queries for the models run on the main one (aesthetic_cli/deferred.py).
special = Deferred("scipy.special")
optimize = Deferred("scipy.optimize")


def preload() -> None:
    """Import what the fits use on a thread (customers.reactivate)."""
    deferred.start("scipy.special", "scipy.optimize")


# Below these the maximum-likelihood estimates are noise: refuse rather than print confident numbers.
MIN_CUSTOMERS = 30
MIN_REPEAT_CUSTOMERS = 10
# Parameters are fitted on their logs, bounded so the optimiser cannot wander off to 0 or infinity;
# an estimate at a bound means the data does not identify the model, which is reported as such.
_LOG_BOUND = 12.0


def _one_blas_thread(fit):
    """Run a fit with BLAS on one thread. OpenBLAS splits each dot product of the likelihood (28k rows for
    BG/NBD, 145k for Gamma-Gamma at 1M order lines) over every core and its workers spin between calls:
    at 1M the BG/NBD fit took 0.8 CPU s that way, 0.08 on one thread (bench/README, 2026-11-23 late).
    The sums' last bits may change with it; the fit does not (it stops far above that)."""

    @functools.wraps(fit)
    def one_thread(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return fit(*args, **kwargs)

    return one_thread


@dataclass(frozen=True)
class BGNBD:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    n_customers: int
    iterations: int

    def as_meta(self) -> dict:
        return {
            "name": "BG/NBD",
            "r": self.r,
            "alpha": self.alpha,
            "a": self.a,
            "b": self.b,
            "log_likelihood": self.log_likelihood,
            "time_unit": "week",
            "n_customers": self.n_customers,
            "iterations": self.iterations,
        }


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    v: float
    log_likelihood: float
    n_customers: int
    freq_value_corr: float | None

    def as_meta(self) -> dict:
        return {
            "name": "Gamma-Gamma",
            "p": self.p,
            "q": self.q,
            "v": self.v,
            "log_likelihood": self.log_likelihood,
            "n_customers": self.n_customers,
            "freq_value_corr": self.freq_value_corr,
        }


def _arrays(*cols) -> list[np.ndarray]:
    # Counts and amounts may arrive as ints or Decimals from the warehouse: the models work in float64.
    return [np.asarray(c, dtype=np.float64) for c in cols]


# ---------------------------------------------------------------- BG/NBD


def distinct_rows(*cols) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The distinct rows of the columns, each row's count, and for every input row the index of its distinct
    row. Customers share (x, t_x, T) by the thousand (whole days, few repeat counts), so the likelihood and
    the forecasts are worked out once per distinct row and weighted or spread back (lifetimes' `weights`)."""
    arrays = _arrays(*cols)
    # A lexsort and a diff: np.unique(axis=0) sorts rows as opaque bytes, several seconds at 1M rows.
    order = np.lexsort(arrays[::-1])
    ordered = [a[order] for a in arrays]
    starts = np.ones(order.size, dtype=bool)
    for a in ordered:
        starts[1:] &= a[1:] == a[:-1]
    starts = ~starts
    starts[:1] = True
    inv = np.empty(order.size, dtype=np.intp)
    inv[order] = np.cumsum(starts) - 1
    counts = np.diff(np.append(np.flatnonzero(starts), order.size)).astype(np.float64)
    return [a[starts] for a in ordered], counts, inv


class _Customers:
    """x, t_x, T compressed to distinct rows with a count each (`n` = all customers), with what does not
    depend on the parameters worked out once: the special functions of x per distinct x, spread by index.
    With `weight`, the rows are already distinct, ascending in (x, t_x, T), and weight counts the customers
    of each (the warehouse grouped them: sql/predict.sql bgnbd_input): the same rows in the same order as
    distinct_rows gives, so the same sums and the same fit."""

    def __init__(self, x, t_x, T, weight=None):
        if weight is None:
            (self.x, self.t_x, self.T), self.weight, self.row_of = distinct_rows(x, t_x, T)
        else:
            self.x, self.t_x, self.T, self.weight = _arrays(x, t_x, T, weight)
            self.row_of = np.arange(self.x.size)
        self.n = int(self.weight.sum())
        self.ux, self.inv = np.unique(self.x, return_inverse=True)
        self.repeat = self.x > 0
        self.counts = np.bincount(self.inv, weights=self.weight, minlength=self.ux.size)


def _loglik(r: float, alpha: float, a: float, b: float, c: _Customers) -> np.ndarray:
    """Per distinct row."""
    ux, inv = c.ux, c.inv
    uxm = np.maximum(ux, 1.0)  # the dropped-out term exists only after a repeat; keep betaln's arguments valid
    per_x = special.gammaln(r + ux) - special.gammaln(r) + r * np.log(alpha) - special.betaln(a, b)
    still_x = special.betaln(a, b + ux)
    dropped_x = np.where(ux > 0, special.betaln(a + 1, b + uxm - 1), -np.inf)
    rx = r + c.x
    still = still_x[inv] - rx * np.log(alpha + c.T)
    dropped = dropped_x[inv] - rx * np.log(alpha + c.t_x)
    return per_x[inv] + np.logaddexp(still, dropped)


def _loglik_sum_and_grad(r: float, alpha: float, a: float, b: float, c: _Customers) -> tuple[float, np.ndarray]:
    """Σ log-likelihood and its gradient in (r, α, a, b), differentiating eq. (6) term by term. With
    w = the share of each customer's likelihood from the "still alive" term:
      ∂/∂r = ψ(r+x) − ψ(r) + ln α − w ln(α+T) − (1−w) ln(α+t_x)
      ∂/∂α = r/α − (r+x) (w/(α+T) + (1−w)/(α+t_x))
      ∂/∂a = ψ(a+b) − ψ(a) + w (ψ(a) − ψ(a+b+x)) + (1−w) (ψ(a+1) − ψ(a+b+x))
      ∂/∂b = ψ(a+b) − ψ(b) + w (ψ(b+x) − ψ(a+b+x)) + (1−w) (ψ(b+x−1) − ψ(a+b+x))
    Each distinct row counts as many times as customers share it (c.weight); terms in x alone are summed per
    distinct x, weighted by how many customers (or how much w) share it."""
    ux, inv, cnt, k = c.ux, c.inv, c.counts, c.weight
    uxm = np.maximum(ux, 1.0)
    per_x = special.gammaln(r + ux) - special.gammaln(r) + r * np.log(alpha) - special.betaln(a, b)
    still_x = special.betaln(a, b + ux)
    dropped_x = np.where(ux > 0, special.betaln(a + 1, b + uxm - 1), -np.inf)
    rx = r + c.x
    log_aT, log_at = np.log(alpha + c.T), np.log(alpha + c.t_x)
    still = still_x[inv] - rx * log_aT
    dropped = dropped_x[inv] - rx * log_at
    lse = np.logaddexp(still, dropped)
    total = float(cnt @ per_x + k @ lse)
    w = np.exp(still - lse)
    kw, ku = k * w, k * (1.0 - w)
    w_x = np.bincount(inv, weights=kw, minlength=ux.size)
    u_x = cnt - w_x
    dg = special.digamma
    n = c.n
    d_r = cnt @ (dg(r + ux) - dg(r) + np.log(alpha)) - kw @ log_aT - ku @ log_at
    d_alpha = n * r / alpha - (rx * (kw / (alpha + c.T) + ku / (alpha + c.t_x))).sum()
    abx = dg(a + b + ux)
    d_a = n * (dg(a + b) - dg(a)) + w_x @ (dg(a) - abx) + u_x @ (dg(a + 1) - abx)
    d_b = n * (dg(a + b) - dg(b)) + w_x @ (dg(b + ux) - abx) + u_x @ np.where(ux > 0, dg(b + uxm - 1) - abx, 0.0)
    return total, np.array([d_r, d_alpha, d_a, d_b])


def bgnbd_loglik(r: float, alpha: float, a: float, b: float, x, t_x, T) -> np.ndarray:
    """Each customer's log-likelihood, the paper's equation (6):

    L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
        + δ(x>0) · B(a+1, b+x−1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))
    """
    c = _Customers(x, t_x, T)
    return _loglik(r, alpha, a, b, c)[c.row_of]


@_one_blas_thread
def fit_bgnbd(x, t_x, T, weight=None) -> BGNBD:
    """Maximum likelihood (L-BFGS-B on log r, log α, log a, log b); a clear error when it cannot be done.
    One row per customer, or (with `weight`) distinct rows ascending in (x, t_x, T), each with its count."""
    c = _Customers(x, t_x, T, weight)
    x, t_x, T = c.x, c.t_x, c.T
    n = c.n
    repeaters = int(c.weight @ c.repeat)
    if n < MIN_CUSTOMERS or repeaters < MIN_REPEAT_CUSTOMERS:
        raise ModelFitError(
            f"Too little history to fit the repurchase model: {n} customers with a deal, {repeaters} of them "
            f"with a repeat deal (at least {MIN_CUSTOMERS} and {MIN_REPEAT_CUSTOMERS} are needed).",
            hint="Use a later --until, all clinics, or import more months of orders.",
        )
    if not (np.all(x >= 0) and np.all(t_x >= 0) and np.all(t_x <= T + 1e-9)):
        raise ModelFitError("Inconsistent customer summaries: recency must lie between 0 and the customer's age.")
    # Start at a rate that reproduces the average repeat rate (λ = r/α with r = 1) and a mild dropout.
    rate = max(float(c.weight @ x) / max(float(c.weight @ T), 1e-9), 1e-6)
    start = np.log([1.0, 1.0 / rate, 1.0, 3.0])

    def nll(theta):
        params = np.exp(theta)
        ll, grad = _loglik_sum_and_grad(*params, c)
        if not (np.isfinite(ll) and np.all(np.isfinite(grad))):
            return 1e300, np.zeros(4)
        # Per customer keeps the scale O(1); the chain rule turns ∂/∂θ into θ·∂/∂θ on the log scale.
        return -ll / n, -grad * params / n

    res = _maximum(nll, start, [(-_LOG_BOUND, _LOG_BOUND)] * 4)
    at_bound = np.any(np.abs(res.x) > _LOG_BOUND - 1e-3)
    if not np.isfinite(res.fun) or res.fun >= 1e299 or at_bound or not (res.success or _flat_enough(res)):
        raise ModelFitError(
            f"The repurchase model (BG/NBD) did not converge on these {n} customers ({res.message}).",
            hint="The history may be too short or too uniform; try a later --until or more data.",
        )
    r, alpha, a, b = (float(v) for v in np.exp(res.x))
    return BGNBD(r, alpha, a, b, float(-res.fun * n), n, int(res.nit))


def _maximum(nll, start: np.ndarray, bounds: list[tuple[float, float]]):
    """Minimise nll (value and gradient on the log scale) with L-BFGS-B, then solve gradient = 0 from there.

    L-BFGS-B stops on its own tolerances, where the per-customer log-likelihood is flat to the last bits
    of a float but its gradient is not yet 0: SciPy 1.14 (Fortran L-BFGS-B) and 1.17 (C) stopped at points
    whose expected deal values differed by up to 8 cents in 6,000 on the sample chain, and the golden
    files failed on a machine with the newer SciPy. The gradient is exact where the value has run out of
    digits, so a root finder on it (MINPACK's hybrid method) takes the point to the maximum itself: the
    data's answer, not the optimiser's. The polished point is kept only if it lies within the bounds, its
    gradient is smaller, and its likelihood is no worse."""
    res = optimize.minimize(nll, start, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": 500})
    if not np.isfinite(res.fun) or res.fun >= 1e299:
        return res
    root = optimize.root(lambda theta: nll(theta)[1], res.x, method="hybr", options={"xtol": 1e-14})
    lo, hi = np.array(bounds).T
    if np.all(np.isfinite(root.x)) and np.all((root.x > lo) & (root.x < hi)):
        fun, jac = nll(root.x)
        if np.max(np.abs(jac)) < np.max(np.abs(res.jac)) and fun <= res.fun + 1e-12 * max(1.0, abs(res.fun)):
            res.x, res.fun, res.jac = root.x, fun, jac
    return res


def _flat_enough(res) -> bool:
    # L-BFGS-B sometimes stops on "ABNORMAL" line searches at an optimum it cannot improve by rounding.
    return res.nit > 0 and np.all(np.abs(getattr(res, "jac", np.ones(1))) < 1e-4)


def _alive_odds(m: BGNBD, x, t_x, T) -> np.ndarray:
    """δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x): the odds of having dropped out (paper, eq. 11)."""
    xm = np.maximum(x, 1.0)
    log_odds = np.log(m.a) - np.log(m.b + xm - 1) + (m.r + x) * (np.log(m.alpha + T) - np.log(m.alpha + t_x))
    return np.where(x > 0, np.exp(np.minimum(log_odds, 700.0)), 0.0)


def p_alive(m: BGNBD, x, t_x, T) -> np.ndarray:
    """P(alive | x, t_x, T). A customer without a repeat is alive for sure in BG/NBD: dropping out
    happens only just after a purchase."""
    x, t_x, T = _arrays(x, t_x, T)
    return 1.0 / (1.0 + _alive_odds(m, x, t_x, T))


def expected_deals_if_alive(m: BGNBD, t: float, x, t_x, T) -> np.ndarray:
    """E[purchases in (T, T+t] | x, t_x, T, alive at T]: the paper's eq. (10) without its P(alive) factor.

    (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))]
    """
    x, t_x, T = _arrays(x, t_x, T)
    aa, bb, cc = m.r + x, m.b + x, m.a + m.b + x - 1
    z = t / (m.alpha + T + t)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_hyp = np.log(special.hyp2f1(aa, bb, cc, z))
        # Euler's transformation where the direct series overflows (large x): the same value, computed stably.
        alt = np.log(special.hyp2f1(cc - aa, cc - bb, cc, z)) + (cc - aa - bb) * np.log1p(-z)
        log_hyp = np.where(np.isfinite(log_hyp), log_hyp, alt)
        out = (cc / (m.a - 1)) * (-np.expm1(log_hyp + aa * (np.log(m.alpha + T) - np.log(m.alpha + T + t))))
    if not np.all(np.isfinite(out)):
        raise ModelFitError(
            "The fitted repurchase model gives no finite forecast for some customers.",
            hint="The fitted parameters are extreme; try a later --until or more data.",
        )
    return out


def expected_deals(m: BGNBD, t: float, x, t_x, T) -> np.ndarray:
    """E[purchases in (T, T+t] | x, t_x, T] (paper, eq. 10) = P(alive) · E[… | alive]."""
    return p_alive(m, x, t_x, T) * expected_deals_if_alive(m, t, x, t_x, T)


# ---------------------------------------------------------------- Gamma-Gamma


def _gg_loglik(p: float, q: float, v: float, x, mx, log_mx, ux, inv) -> np.ndarray:
    pux = p * ux
    per_x = special.gammaln(pux + q) - special.gammaln(pux) - special.gammaln(q) + q * np.log(v) + pux * np.log(ux)
    px = p * x
    return per_x[inv] + (px - 1) * log_mx - (px + q) * np.log(v + x * mx)


class _GGSum:
    """Σ _gg_loglik over the customers and its gradient in (p, q, v), for the fit. Each customer's term depends
    on their (x, mx) alone, and customers share those by the thousand (whole deal counts, round prices: 8.4k
    distinct rows for 1.4M repeat customers at 10M order lines), so each distinct row's term is worked out once
    and weighted by how many customers share it. Differentiating the term (eq. 3) with ψ = digamma:
      ∂/∂p = x (ψ(px+q) − ψ(px) + ln x + ln mx − ln(v + x·mx))
      ∂/∂q = ψ(px+q) − ψ(q) + ln v − ln(v + x·mx)
      ∂/∂v = q/v − (px+q)/(v + x·mx)"""

    def __init__(self, x, mx, weight=None):
        if weight is None:
            (self.x, mx), self.weight, _ = distinct_rows(x, mx)
        else:
            self.x, mx, self.weight = _arrays(x, mx, weight)
        self.n = float(self.weight.sum())
        self.log_mx = np.log(mx)
        self.ux, self.inv = np.unique(self.x, return_inverse=True)
        self.log_ux = np.log(self.ux)
        self.counts = np.bincount(self.inv, weights=self.weight, minlength=self.ux.size)
        self.xmx = self.x * mx
        self.kx = self.weight * self.x

    def __call__(self, p: float, q: float, v: float) -> tuple[float, np.ndarray]:
        ux, cnt, k = self.ux, self.counts, self.weight
        pux = p * ux
        per_x = special.gammaln(pux + q) - special.gammaln(pux) - special.gammaln(q) + q * np.log(v) + pux * self.log_ux
        px = p * self.x
        log_vxm = np.log(v + self.xmx)
        total = float(cnt @ per_x + k @ ((px - 1) * self.log_mx - (px + q) * log_vxm))
        dg_sum = special.digamma(pux + q)
        d_p = (cnt * ux) @ (dg_sum - special.digamma(pux) + self.log_ux) + self.kx @ (self.log_mx - log_vxm)
        d_q = cnt @ dg_sum - self.n * (special.digamma(q) - np.log(v)) - k @ log_vxm
        d_v = self.n * q / v - k @ ((px + q) / (v + self.xmx))
        return total, np.array([d_p, d_q, d_v])


def gamma_gamma_loglik(p: float, q: float, v: float, x, mx) -> np.ndarray:
    """Each repeat customer's log-likelihood of their average value mx over x purchases (RFM and CLV, eq. 3):

    f(mx | p, q, v, x) = Γ(px+q) / (Γ(px) Γ(q)) · v^q · mx^(px−1) · x^(px) / (v + x·mx)^(px+q)
    """
    x, mx = _arrays(x, mx)
    ux, inv = np.unique(x, return_inverse=True)
    return _gg_loglik(p, q, v, x, mx, np.log(mx), ux, inv)


@_one_blas_thread
def fit_gamma_gamma(x, mx, weight=None) -> GammaGamma:
    """Fit on customers with x ≥ 1 and a positive average value; the others carry no value information.
    One row per customer, or (with `weight`) distinct (x, mx) rows, each with its count of customers."""
    x, mx = _arrays(x, mx)
    w = np.ones(x.size) if weight is None else _arrays(weight)[0]
    keep = (x > 0) & np.isfinite(mx) & (mx > 0)
    x, mx, w = x[keep], mx[keep], w[keep]
    n = int(w.sum())
    if n < MIN_REPEAT_CUSTOMERS:
        raise ModelFitError(
            f"Too few repeat customers ({n}) to fit the deal-value model (Gamma-Gamma); at least "
            f"{MIN_REPEAT_CUSTOMERS} are needed.",
            hint="Use a later --until, all clinics, or more data.",
        )
    corr = _weighted_corr(x, mx, w)
    # Start near the data: p·v/(q−1) ≈ the mean value, with q = 3 and p = 2.
    start = np.log([2.0, 3.0, max(float(w @ mx / n), 1e-6)])

    loglik_sum = _GGSum(x, mx, None if weight is None else w)

    def nll(theta):
        params = np.exp(theta)
        ll, grad = loglik_sum(*params)
        if not (np.isfinite(ll) and np.all(np.isfinite(grad))):
            return 1e300, np.zeros(3)
        return -ll / n, -grad * params / n

    res = _maximum(nll, start, [(-_LOG_BOUND, _LOG_BOUND + 8)] * 3)
    p, q, v = (float(t) for t in np.exp(res.x))
    if not np.isfinite(res.fun) or res.fun >= 1e299 or not (res.success or _flat_enough(res)) or q <= 1:
        raise ModelFitError(
            f"The deal-value model (Gamma-Gamma) did not converge on these {n} repeat customers "
            f"({res.message}; q = {q:.3g}, which must exceed 1 for the expected value to exist).",
            hint="Deal values may be too uneven (a few huge deals); try a later --until or more data.",
        )
    return GammaGamma(p, q, v, float(-res.fun * n), n, corr)


def _weighted_corr(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float | None:
    """Pearson's correlation of x and y over customers, each row counting w times; None when one is constant."""
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    c = np.cov(x, y, aweights=w)
    return float(c[0, 1] / np.sqrt(c[0, 0] * c[1, 1]))


def expected_value(g: GammaGamma, x, mx) -> np.ndarray:
    """E[value of a deal | x, mx] = p(v + x·mx) / (px + q − 1); for x = 0 the population mean pv/(q−1)."""
    x, mx = _arrays(x, mx)
    mx = np.where((x > 0) & np.isfinite(mx), mx, 0.0)
    return g.p * (g.v + x * mx) / (g.p * x + g.q - 1)
