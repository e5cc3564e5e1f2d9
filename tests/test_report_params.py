"""A report's parameters (clinic, period, weights, horizons) read as words in the report's language, in the
html page, the xlsx sheet and the sent summary: no key names, no Python dicts, no "全部 all"."""

from __future__ import annotations

import openpyxl
import pytest

from aesthetic_cli.present.params import rows
from aesthetic_cli.reports.xlsx import sheet_name
from tests.conftest import REPORT_MONTH, run_cli

# What a director reads, worked out by hand from the defaults (SPEC's scorecards: on-site 0.5 sales +
# 0.5 repurchase; online close, arrival and appointment rates at 1 each; horizons 30/90/180/365).
EXPECTED = {
    "zh": [
        ("门店", "全部门店"),
        ("报表", "月报"),
        ("现场咨询师评分权重", "成交业绩 0.5，180天复购率 0.5"),
        ("渠道回收期（天）", "30, 90, 180, 365"),
        ("显示个人信息", "否"),
    ],
    "en": [
        ("Clinic", "All clinics"),
        ("Report", "Monthly"),
        ("On-site consultant score weights", "Sales 0.5, 180-day repurchase 0.5"),
        ("Channel payback horizons (days)", "30, 90, 180, 365"),
        ("Personal data shown", "no"),
    ],
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_parameters_are_words_in_the_reports_language(sample_db, tmp_path, lang):
    out = tmp_path / "out"
    args = ["report", "monthly", "--month", REPORT_MONTH, "--out", str(out), "--db", str(sample_db)]
    r = run_cli(*args, "--lang", lang, "--format", "xlsx,html")
    assert r.exit_code == 0, r.output
    page = next(out.glob("*.html")).read_text(encoding="utf-8")
    for name, value in EXPECTED[lang]:
        assert f"<th>{name}</th><td>{value}</td>" in page
    subtitle = "全部门店 · " if lang == "zh" else "All clinics · "
    assert f"<p>{subtitle}" in page
    for leak in ("全部 all", "{&#39;", "<th>scorecard_onsite</th>", "<th>clinic</th>"):
        assert leak not in page
    sheet = openpyxl.load_workbook(next(out.glob("*.xlsx")))[sheet_name("口径说明", lang)]
    pairs = {(row[0], row[1]) for row in sheet.iter_rows(values_only=True) if row[0] and row[1]}
    for pair in EXPECTED[lang]:
        assert pair in pairs


def test_one_clinic_is_named_and_unknown_keys_still_show():
    assert rows({"clinic": "静安店", "custom": 3}, "zh") == [("门店", "静安店"), ("custom", "3")]


def test_the_clinic_tables_close_rate_change_is_in_points_like_the_kpi_table(sample_db, tmp_path):
    """门店核心指标's 成交率环比 is this month's close rate minus last month's, per clinic, shown as the KPI
    table shows a change of a rate ("+1.2pp"), not as a bare 1.19."""
    import json
    import re

    from aesthetic_cli.metrics.periods import parse_month

    prev = parse_month(REPORT_MONTH).previous().label
    by_month = {}
    for month in (REPORT_MONTH, prev):
        r = run_cli("funnel", "--month", month, "--by", "clinic", "--format", "json", "--db", str(sample_db))
        assert r.exit_code == 0, r.output
        rows = json.loads(r.stdout)["kpis"]
        by_month[month] = {x["group"]: x["close_rate"] for x in rows if x.get("segment", "all") == "all"}
    expected = {c: f"{(rate - by_month[prev][c]) * 100:+.1f}pp" for c, rate in by_month[REPORT_MONTH].items()}
    assert len(expected) >= 2

    out = tmp_path / "out"
    r = run_cli(
        "report", "monthly", "--month", REPORT_MONTH, "--out", str(out), "--db", str(sample_db), "--format", "html"
    )
    assert r.exit_code == 0, r.output
    page = next(out.glob("*.html")).read_text(encoding="utf-8")
    table = page[page.index("门店核心指标") :]
    for clinic, cell in expected.items():
        row = re.search(rf"<td[^>]*>{re.escape(clinic)}</td>(.*?)</tr>", table, re.S)
        assert row, clinic
        assert f">{cell}<" in row.group(1), (clinic, cell, row.group(1))


def test_data_sources_name_each_files_dataset_as_the_reader_does(report_ws):
    """数据来源 / 导入批次: the sample's orders file reads 'orders（收费明细）' in the zh html and xlsx, the
    dataset's Chinese name beside the key (the --dataset spelling), not the bare key."""
    html = (report_ws / "reports" / f"aesops_monthly_{REPORT_MONTH}.html").read_text(encoding="utf-8")
    sources = html.split("数据来源", 1)[1].split("</table>", 1)[0]
    assert "<td>orders（收费明细）</td>" in sources and "<td>orders</td>" not in sources
    ws = openpyxl.load_workbook(report_ws / "reports" / f"aesops_monthly_{REPORT_MONTH}.xlsx")["口径说明"]
    cells = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert "orders（收费明细）" in cells and "cards（储值卡）" in cells
