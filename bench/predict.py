"""Fit and score the repurchase models on synthetic customers and print the seconds.

    .venv/bin/python -m bench.predict                 # 100,000 customers (budget: 5 s on 2 cores)
    .venv/bin/python -m bench.predict --customers 1000000

The customers are drawn from the BG/NBD and Gamma-Gamma processes themselves (parameters near the
CDNOW estimates), so the run also shows how close the fit comes to the truth. The time covers what
`customers predict` does after its SQL: both fits, P(alive), expected deals and sales for 90 and 180 days.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

TRUE = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5, "p": 6.0, "q": 3.8, "v": 15.0}


def simulate(
    n: int, *, seed: int = 7, weeks: float = 78.0, r=0.25, alpha=4.0, a=0.8, b=2.5, p=6.0, q=3.8, v=15.0
) -> dict[str, np.ndarray]:
    """n customers whose first deal falls uniformly in the first half of `weeks`, observed to its end.

    While alive a customer buys at rate λ ~ Gamma(r, α) (a Poisson process); after each repeat they drop
    out with probability p ~ Beta(a, b), so at most K ~ Geometric(p) ≥ 1 repeats happen. Of the N
    purchases the Poisson process would make in (0, T], the customer makes x = min(N, K); the last of
    them is the x-th of N uniform times on (0, T], whose distribution is T · Beta(x, N − x + 1).
    Deal values: ν ~ Gamma(q, v) per customer, the mean of x values ~ Gamma(p·x, x·ν).
    """
    rng = np.random.default_rng(seed)
    T = weeks - rng.uniform(0, weeks / 2, n)
    lam = rng.gamma(r, 1 / alpha, n)
    drop = rng.beta(a, b, n)
    N = rng.poisson(lam * T)
    K = rng.geometric(drop)
    x = np.minimum(N, K)
    t_x = np.zeros(n)
    some = x > 0
    t_x[some] = T[some] * rng.beta(x[some], N[some] - x[some] + 1)
    nu = rng.gamma(q, 1 / v, n)
    mx = np.full(n, np.nan)
    mx[some] = rng.gamma(p * x[some], 1 / (x[some] * nu[some]))
    return {"x": x.astype(np.float64), "t_x": t_x, "T": T, "mx": mx}


def fit_and_score(data: dict[str, np.ndarray], horizons=(90, 180)) -> dict:
    from aesthetic_cli.metrics import clv_models as cm

    x, t_x, T, mx = data["x"], data["t_x"], data["T"], data["mx"]
    m = cm.fit_bgnbd(x, t_x, T)
    g = cm.fit_gamma_gamma(x, mx)
    value = cm.expected_value(g, x, mx)
    alive = cm.p_alive(m, x, t_x, T)
    sales = {h: alive * cm.expected_deals_if_alive(m, h / 7, x, t_x, T) * value for h in horizons}
    return {"model": m, "value_model": g, "sales": sales}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3, help="Runs; the best is reported.")
    args = ap.parse_args()
    data = simulate(args.customers)
    times, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fit_and_score(data)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    m, g = out["model"], out["value_model"]
    print(f"customers: {args.customers:,} ({int((data['x'] > 0).sum()):,} with a repeat)")
    print(
        f"fitted BG/NBD r={m.r:.3f} alpha={m.alpha:.3f} a={m.a:.3f} b={m.b:.3f} (true {TRUE['r']}, "
        f"{TRUE['alpha']}, {TRUE['a']}, {TRUE['b']}); Gamma-Gamma p={g.p:.2f} q={g.q:.2f} v={g.v:.2f} "
        f"(true {TRUE['p']}, {TRUE['q']}, {TRUE['v']})"
    )
    # CPU seconds beside the wall clock: on a shared machine the wall clock mostly measures the neighbours.
    print(
        f"fit + score: best {min(times):.2f} s wall, {min(cpu):.2f} s CPU, of {args.repeat} runs "
        f"(wall: {', '.join(f'{t:.2f}' for t in times)}; load average {_load()})"
    )


def _load() -> str:
    import os

    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "n/a"


if __name__ == "__main__":
    main()
