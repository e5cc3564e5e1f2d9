"""Render a Report as one self-contained HTML file (inline CSS and SVG, no network) with Jinja2."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

from aesthetic_cli import __version__
from aesthetic_cli.importer.explain import dataset_name
from aesthetic_cli.present.formatting import cell_kind, kpi_change, kpi_value, show_value
from aesthetic_cli.present.labels import label, value_label
from aesthetic_cli.present.params import clinic_text
from aesthetic_cli.present.params import rows as param_rows
from aesthetic_cli.metrics.result import note_text
from aesthetic_cli.reports import svg
from aesthetic_cli.reports.content import DEFINITIONS, Block, Report


def _batch_cell(column: str, value, lang: str):
    return dataset_name(value, lang) if column == "dataset" and isinstance(value, str) else value


def _t(pair, lang):
    return pair[0] if lang == "zh" else pair[1]


def _chart(block: Block, lang: str) -> str | None:
    ch = block.chart
    if ch is None or ch.kind == "heat" or block.frame.height == 0:
        return None
    labels = [str(v) for v in block.frame[ch.x].to_list()]
    series = {label(s, lang): [None if v is None else float(v) for v in block.frame[s].to_list()] for s in ch.series}
    draw = svg.line if ch.kind == "line" else svg.bars
    return draw(labels, series, _t(ch.title, lang))


def _rows(block: Block, lang: str) -> list[list[dict]]:
    frame = block.frame
    heat_cols = set(block.chart.series) if block.chart and block.chart.kind == "heat" else set()
    vmax = max([v for c in heat_cols for v in frame[c].to_list() if v is not None] or [0.0])
    rows = []
    for rec in frame.iter_rows(named=True):
        cells = []
        for col, value in rec.items():
            numeric = isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
            cell = {
                "text": show_value(col, value_label(col, value, lang), cell_kind(rec, col)),
                "cls": "num" if numeric else "",
                "bg": None,
                "fg": None,
            }
            if col in heat_cols and value is not None:
                cell["bg"] = svg.heat_colour(value, vmax)
                cell["fg"] = "#ffffff" if vmax and value / vmax > 0.55 else "#1d2733"
            cells.append(cell)
        rows.append(cells)
    return rows


def _change(card, v, lang: str) -> dict:
    good = card.good(v)
    return {"text": kpi_change(card.kpi, v, lang), "cls": "flat" if good is None else "good" if good else "bad"}


def _headline(report: Report, lang: str) -> dict | None:
    """KPI cards: the value, 环比 and 同比, each coloured by whether the move is good for the clinic."""
    h = getattr(report, "headline", None)
    if h is None:
        return None
    cards = []
    for c in h.cards:
        cards.append(
            {
                "name": label(c.kpi, lang),
                "value": kpi_value(c.kpi, c.current),
                "mom": _change(c, c.mom, lang),
                "yoy": _change(c, c.yoy, lang),
            }
        )
    return {"label": h.period_label, "cards": cards, "takeaways": [_t(t, lang) for t in h.takeaways]}


@cache
def template():
    """The compiled page template: compiled once per process (a --per-clinic run renders it per clinic), and
    loaded by run.produce in a lane while the other lane finishes its last analysis."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("aesthetic_cli", "report_templates"), autoescape=select_autoescape(["html", "j2"])
    )
    return env.get_template("report.html.j2")


def render(report: Report, lang: str = "zh") -> str:
    sections = []
    headline = _headline(report, lang)
    for s in report.sections:
        blocks = []
        is_headline = headline is not None and s.key == "概览"
        for b in s.blocks:
            if is_headline and b.name == "headline_kpis":
                continue  # drawn as cards
            blocks.append(
                {
                    "name": b.name,
                    "title": _t(b.title, lang),
                    "headers": [label(c, lang) for c in b.frame.columns],
                    "rows": _rows(b, lang) if b.frame.width else [],
                    "heat": bool(b.chart and b.chart.kind == "heat"),
                    "chart_svg": _chart(b, lang),
                    "chart_title": _t(b.chart.title, lang) if b.chart else "",
                }
            )
        sections.append(
            {
                "title": _t(s.title, lang),
                "blocks": blocks,
                "key": s.key,
                "headline": headline if is_headline else None,
                "notes": [] if is_headline else [note_text(n, lang) for n in s.notes],
            }
        )
    batches = report.provenance.get("batches")
    keep = ["batch_id", "file_name", "dataset", "rows_loaded", "date_min", "date_max", "imported_at"]
    batch_rows = (
        [[show_value(c, _batch_cell(c, r[c], lang)) for c in keep] for r in batches.iter_rows(named=True)]
        if batches is not None
        else []
    )
    p = report.period
    dates = f"{p.start} ~ {p.end}" if p.start != p.end else f"{p.start}"
    clinic = clinic_text(report.params.get("clinic"), lang)
    last = report.params.get("data_last_day")
    subtitle = f"{clinic} · {dates} · 数据截至 {last}" if lang == "zh" else f"{clinic} · {dates} · data to {last}"
    return template().render(
        lang=lang,
        title=_t(report.title, lang),
        period=report.period.label,
        subtitle=subtitle,
        sections=sections,
        definitions=DEFINITIONS,
        params=param_rows(report.params, lang),
        batch_headers=[label(c, lang) for c in keep],
        batches=batch_rows,
        empty="（无数据）" if lang == "zh" else "(no data)",
        version=__version__,
        generated=report.params.get("generated_at"),
    )


def write(report: Report, path: Path, lang: str = "zh") -> None:
    path.write_text(render(report, lang), encoding="utf-8")
