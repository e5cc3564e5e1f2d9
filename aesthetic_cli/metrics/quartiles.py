"""Worst-quartile flags shared by the cut lists (砍渠道, 砍品项), SPEC §2."""

from __future__ import annotations

import math

MIN_FOR_QUARTILES = 4  # fewer values than this form no quartiles


def quantile(values: list[float], q: float) -> float:
    """Linear-interpolated quantile that keeps infinity (never reached, no buyer) as the worst value."""
    xs = sorted(values)
    pos = q * (len(xs) - 1)
    lo, frac = int(pos), pos - int(pos)
    if frac == 0 or xs[lo] == xs[lo + 1]:
        return xs[lo]
    if math.isinf(xs[lo + 1]) or math.isinf(xs[lo]):
        return math.inf
    return xs[lo] + frac * (xs[lo + 1] - xs[lo])


def worst_quarter(values: list[float], worst: str) -> tuple[set[int], float]:
    """Positions at or beyond the worst quartile, and the quartile itself: the threshold a flagged value is
    at or beyond. A value tied with the median is flagged only when it is also the worst value: a channel that
    sent nobody is among the worst however many others sent nobody, but seven channels tied at a middling 5
    beside one at 0 are not all "the worst quarter". A value as good as the best is never flagged: when every
    value is the same, nobody is worse than anybody."""
    median = quantile(values, 0.5)
    if worst == "low":
        q, best, bottom = quantile(values, 0.25), max(values), min(values)
        return {i for i, x in enumerate(values) if x <= q and x < best and (x < median or x == bottom)}, q
    q, best, top = quantile(values, 0.75), min(values), max(values)
    return {i for i, x in enumerate(values) if x >= q and x > best and (x > median or x == top)}, q
