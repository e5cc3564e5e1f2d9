"""Sparklines: a monthly series as a row of bars (▁▂▃▅█), for a trend read at a glance in a table."""

from __future__ import annotations

import re
from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"
# Columns of one monthly series: m1, m2, … (retention), s0, s1, … (cumulative sales).
_SERIES = re.compile(r"([a-z_]+?)(\d+)\Z")


def spark(values: Sequence[float | int | None]) -> str:
    """One bar per value, scaled from 0 (or the lowest negative value) to the highest; a missing value
    (a month not reached yet) is a space, so a short curve is not mistaken for a fall to zero."""
    known = [float(v) for v in values if v is not None]
    if not known:
        return " " * len(values)
    low, high = min(0.0, *known), max(known)
    span = high - low
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif span == 0:
            out.append(BARS[0])
        else:
            out.append(BARS[round((float(v) - low) / span * (len(BARS) - 1))])
    return "".join(out).rstrip()


def series_columns(columns: Sequence[str]) -> list[str]:
    """The longest run of columns that are one series (prefix + consecutive month numbers), at least 4."""
    best: list[str] = []
    run: list[str] = []
    for c in columns:
        m = _SERIES.match(c)
        prev = _SERIES.match(run[-1]) if run else None
        if m and prev and m.group(1) == prev.group(1) and int(m.group(2)) == int(prev.group(2)) + 1:
            run.append(c)
        else:
            run = [c] if m else []
        if len(run) > len(best):
            best = list(run)
    return best if len(best) >= 4 else []
