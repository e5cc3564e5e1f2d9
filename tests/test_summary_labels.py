"""The summary sent to mail and group robots names and formats each KPI exactly as the report does
(glossary labels, present/formatting), in Chinese and in English."""

from __future__ import annotations

import polars as pl
import pytest

from aesthetic_cli.delivery.summary import from_report
from aesthetic_cli.metrics.periods import parse_month
from aesthetic_cli.reports import html
from aesthetic_cli.reports.content import Report
from aesthetic_cli.reports.headline import Card, Headline


def _report(lang: str) -> Report:
    cards = [
        # sales 123,456.6 up 10% on last month, no last year; close rate 35% up 1.2 points, down 0.5 points
        Card("sales", 123_456.6, 112_233.3, 0.10, None, None),
        Card("close_rate", 0.35, 0.338, 0.012, 0.355, -0.005),
        Card("visitors", 1_234, 1_300, -0.0508, 1_100, 0.1218),
    ]
    headline = Headline(
        "2026-09", cards, [("业绩比上月多 1.1 万。", "Sales 11k above last month.")], pl.DataFrame(), None
    )
    return Report(
        "monthly",
        parse_month("2026-09"),
        ("月度经营分析", "Monthly review"),
        {"clinic": "静安店", "lang": lang},
        [],
        {},
        {},
        headline,
    )


EXPECTED = {
    "zh": [
        "月度经营分析 · 2026-09 · 静安店",
        "",
        "成交业绩：¥123,457（环比 +10.0%，同比 —）",
        "成交率：35.0%（环比 +1.2个百分点，同比 -0.5个百分点）",
        "来院人数：1,234（环比 -5.1%，同比 +12.2%）",
        "",
        "业绩比上月多 1.1 万。",
    ],
    "en": [
        "Monthly review · 2026-09 · 静安店",
        "",
        "Sales: ¥123,457 (MoM +10.0%, YoY —)",
        "Close rate: 35.0% (MoM +1.2 pts, YoY -0.5 pts)",
        "Visitors: 1,234 (MoM -5.1%, YoY +12.2%)",
        "",
        "Sales 11k above last month.",
    ],
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_summary_says_each_kpi_as_written_by_hand(lang):
    text = from_report(_report(lang)).text()
    assert text.splitlines()[: len(EXPECTED[lang])] == EXPECTED[lang]
    # The group-robot markdown uses the same names and numbers.
    md = from_report(_report(lang)).markdown()
    assert ("**成交率** 35.0%" if lang == "zh" else "**Close rate** 35.0%") in md
    assert ("环比 +1.2个百分点" if lang == "zh" else "MoM +1.2 pts") in md


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_summary_and_the_html_cards_agree(lang):
    report = _report(lang)
    cards = html._headline(report, lang)["cards"]
    lines = from_report(report).lines
    assert [(c["name"], c["value"], c["mom"]["text"], c["yoy"]["text"]) for c in cards] == [
        (ln.name, ln.value, ln.mom, ln.yoy) for ln in lines
    ]
