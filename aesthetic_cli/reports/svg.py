"""Charts as inline SVG: no JavaScript, no network, readable on a phone and printable."""

from __future__ import annotations

import math
from html import escape

COLOURS = ["#2F6FDE", "#E8833A", "#3BA272", "#9A60B4", "#EA7CCC"]
W, H, LEFT, RIGHT, TOP, BOTTOM = 640, 290, 64, 16, 16, 80  # BOTTOM leaves room for slanted labels


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(v))
    for step in (1, 2, 2.5, 5, 10):
        if v <= step * mag:
            return step * mag
    return 10 * mag


def _short(v: float) -> str:
    """A tick's value as written: quarters of a round maximum are 12.5万 and 2.5, never 12万 and 2 (which
    rounding to whole numbers gave, so a 50万 axis read 0, 12万, 25万, 38万, 50万)."""
    a = abs(v)
    if a >= 1e8:
        return _trim(v / 1e8) + "亿"
    if a >= 1e4:
        return _trim(v / 1e4) + "万"
    return _trim(v)


def _trim(x: float) -> str:
    text = f"{x:,.2f}"
    return text.rstrip("0").rstrip(".")


def _axes(ymin: float, ymax: float) -> list[str]:
    parts = []
    plot_h = H - TOP - BOTTOM
    for i in range(5):
        v = ymin + (ymax - ymin) * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{escape(_short(v))}</text>')
    return parts


def text_width(text: str, size: float = 11) -> float:
    """Rough rendered width in px: CJK glyphs are about one em wide, Latin digits and letters about 0.6 em."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.62 for ch in text)


def _fit(text: str, width: float, size: float = 11) -> str:
    """Shorten a label to fit width, with an ellipsis, so neighbours never overlap."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…" if text else ""


def _label_step(labels: list[str], slot: float, size: float = 11, floor: float = 36) -> int:
    """Show every n-th x label so that each shown label has room (its width plus a gap)."""
    if not labels or slot <= 0:
        return 1
    need = max(min(text_width(lab, size), 80.0) for lab in labels) + 8
    return max(1, math.ceil(max(need, floor) / slot))


def _legend(names: list[str]) -> list[str]:
    out, x = [], LEFT
    for i, n in enumerate(names):
        out.append(f'<rect x="{x}" y="{H - 16}" width="10" height="10" fill="{COLOURS[i % len(COLOURS)]}"/>')
        out.append(f'<text x="{x + 14}" y="{H - 7}" class="legend">{escape(n)}</text>')
        x += 18 + 8 * len(n) + 6 * sum(1 for ch in n if ord(ch) > 0x2E80)
    return out


def _svg(body: list[str], title: str) -> str:
    return (
        f'<svg viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(body)}</svg>'
    )


def _range(series: dict[str, list[float | None]]) -> tuple[float, float]:
    values = [v for vs in series.values() for v in vs if v is not None]
    lo = min([0.0, *values])
    hi = _nice_max(max([0.0, *values]))
    return (-_nice_max(-lo) if lo < 0 else 0.0), hi


def line(labels: list[str], series: dict[str, list[float | None]], title: str) -> str:
    ymin, ymax = _range(series)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    n = max(len(labels) - 1, 1)

    def xy(i, v):
        return LEFT + plot_w * i / n, TOP + plot_h - plot_h * (v - ymin) / ((ymax - ymin) or 1)

    body = _axes(ymin, ymax)
    for i, name in enumerate(series):
        pts = [xy(j, v) for j, v in enumerate(series[name]) if v is not None]
        colour = COLOURS[i % len(COLOURS)]
        body.append(
            f'<polyline class="series" fill="none" stroke="{colour}" stroke-width="2.5" '
            f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in pts)}"/>'
        )
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in pts]
    # Labels are centred on their point; every step-th is shown so that none overlap, counting
    # back from the last (the period the report is about is always labelled).
    step = _label_step(labels, plot_w / n)
    last = len(labels) - 1
    for j, lab in enumerate(labels):
        if (last - j) % step == 0:
            x, _ = xy(j, ymin)
            x = min(max(x, LEFT + text_width(lab) / 2), W - RIGHT - text_width(lab) / 2)
            body.append(
                f'<text x="{x:.1f}" y="{H - BOTTOM + 16}" text-anchor="middle" class="tick">{escape(lab)}</text>'
            )
    return _svg(body + _legend(list(series)), title)


def bars(labels: list[str], series: dict[str, list[float | None]], title: str) -> str:
    ymin, ymax = _range(series)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    groups, k = max(len(labels), 1), max(len(series), 1)
    gw = plot_w / groups
    bw = max(2.0, gw * 0.8 / k)
    zero = TOP + plot_h - plot_h * (0 - ymin) / ((ymax - ymin) or 1)
    body = _axes(ymin, ymax)
    for i, name in enumerate(series):
        for j, v in enumerate(series[name]):
            if v is None:
                continue
            y = TOP + plot_h - plot_h * (v - ymin) / ((ymax - ymin) or 1)
            x = LEFT + gw * j + gw * 0.1 + bw * i
            body.append(
                f'<rect class="series" x="{x:.1f}" y="{min(y, zero):.1f}" width="{bw:.1f}" '
                f'height="{abs(zero - y):.1f}" fill="{COLOURS[i % len(COLOURS)]}"><title>{escape(name)} '
                f"{escape(labels[j])}: {v:,.0f}</title></rect>"
            )
    # Upright labels when each fits its bar group; otherwise slanted 35° (a slanted label needs
    # only a line's height of width), shortened to 70 px, and thinned only if even that is too tight.
    upright = _label_step(labels, gw, floor=0) == 1
    step = 1 if upright else max(1, math.ceil(14 / gw))
    y0 = H - BOTTOM + 16
    for j, lab in enumerate(labels):
        if j % step:
            continue
        x = LEFT + gw * j + gw / 2
        if upright:
            body.append(f'<text x="{x:.1f}" y="{y0}" text-anchor="middle" class="tick">{escape(lab)}</text>')
        else:
            body.append(
                f'<text x="{x + 4:.1f}" y="{y0 - 4}" text-anchor="end" class="tick" '
                f'transform="rotate(-35 {x + 4:.1f} {y0 - 4})">{escape(_fit(lab, 70))}'
                f"<title>{escape(lab)}</title></text>"
            )
    return _svg(body + _legend(list(series)), title)


def heat_colour(v: float | None, vmax: float) -> str:
    if v is None:
        return "#ffffff"
    t = 0.0 if vmax <= 0 else min(1.0, v / vmax)
    r, g, b = (int(247 + (8 - 247) * t), int(251 + (48 - 251) * t), int(255 + (107 - 255) * t))
    return f"#{r:02x}{g:02x}{b:02x}"
