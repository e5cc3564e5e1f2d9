"""Reports that print: xlsx page setup, no ###-prone cells, integer counts, the headline page first
with its lever decomposition worked out by hand, and 门店对比."""

from __future__ import annotations

import datetime as dt
import math

import openpyxl
import pytest

from tests.conftest import REPORT_MONTH as MONTH

NUMBER_SHOWN = {"yyyy-mm-dd": 10, "yyyy-mm-dd hh:mm": 16}


def _book(report_ws):
    return openpyxl.load_workbook(report_ws / "reports" / f"aesops_monthly_{MONTH}.xlsx")


def test_every_sheet_prints_landscape_fitted_to_width_with_titles(report_ws):
    wb = _book(report_ws)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        # fitToWidth absent means 1 (the OOXML default, which xlsxwriter leaves implicit); 0 tall = as many as needed.
        assert int(ws.page_setup.fitToWidth or 1) == 1 and int(ws.page_setup.fitToHeight) == 0, ws.title
        assert ws.print_title_rows, ws.title  # a header (or the sheet title) on every printed page
        assert ws.page_setup.paperSize == 9, ws.title  # A4
    # Stacked tables: each sheet with more than one table breaks pages between them where needed,
    # and never freezes the first table's header over the others.
    assert wb["渠道"].row_breaks.brk or wb["渠道"].max_row < 40
    for name in ("核心指标", "漏斗", "老客"):
        assert wb[name].freeze_panes is None, name


def test_no_cell_too_narrow_for_its_date_or_number(report_ws):
    """Excel shows ### when a date or number is wider than its column: every column is at least as
    wide as the longest value it shows (dates as yyyy-mm-dd, numbers with thousands separators)."""
    wb = _book(report_ws)
    checked_dates = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, (dt.datetime, dt.date)):
                    shown = NUMBER_SHOWN.get(cell.number_format, 10)
                    checked_dates += 1
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    shown = len(f"{abs(v):,.0f}") + (2 if "%" in cell.number_format or "¥" in cell.number_format else 1)
                else:
                    continue
                width = ws.column_dimensions[cell.column_letter].width
                assert width and width >= shown, f"{ws.title}!{cell.coordinate} {v!r} in width {width}"
    assert checked_dates > 20  # the trend, the 口径说明 coverage and batches are real dates


def test_counts_are_whole_numbers_and_dates_are_dates(report_ws):
    wb = _book(report_ws)
    ws = wb["核心指标"]
    rows = {r[0].value: r for r in ws.iter_rows() if r[0].value}
    visitors = rows["来院人数"]
    assert visitors[1].number_format == "#,##0"  # 466, not 466.0
    cov = [c for r in wb["口径说明"].iter_rows() for c in r if isinstance(c.value, dt.datetime)]
    assert cov and all(c.number_format.startswith("yyyy-mm-dd") for c in cov)


def test_headline_sheet_first_with_coloured_changes_and_takeaways(report_ws):
    wb = _book(report_ws)
    assert wb.sheetnames[:2] == ["概览", "门店对比"]
    ws = wb["概览"]
    values = [c.value for r in ws.iter_rows() for c in r if c.value is not None]
    assert any(isinstance(v, str) and v.startswith("业绩环比") for v in values)
    assert sum(1 for v in values if isinstance(v, str) and v[:2] in ("1.", "2.", "3.")) == 3
    colours = {
        c.font.color.rgb
        for r in ws.iter_rows()
        for c in r
        if isinstance(c.value, float) and c.font and c.font.color is not None and c.font.bold
    }
    assert colours & {"FF1A7F37", "FFCF222E"}  # green for a good move, red for a bad one


def test_lever_decomposition_by_hand():
    """100 visitors × 50% × ¥1,000 × 1.0 = ¥50,000 → 120 × 50% × ¥1,000 × 1.0 = ¥60,000: all of the
    ¥10,000 comes from visitors. Then a two-lever move: 100 × 0.5 × 1000 × 1 → 110 × 0.5 × 1100 × 1
    = 60,500; L(60500, 50000) = 10500 / ln(1.21) = 55,076.5; visitors: 55,076.5 × ln 1.1 = 5,249.3,
    ticket the same (the same 10% rise), total 10,500."""
    from aesthetic_cli.reports.headline import decompose

    a = {"visitors": 100, "close_rate": 0.5, "ticket": 1000.0, "frequency": 1.0}
    parts = decompose(a, {**a, "visitors": 120})
    assert parts["visitors"] == pytest.approx(10_000) and parts["ticket"] == pytest.approx(0)
    parts = decompose(a, {**a, "visitors": 110, "ticket": 1100.0})
    assert parts["visitors"] == pytest.approx(5_250.0, abs=1) and parts["ticket"] == pytest.approx(5_250.0, abs=1)
    assert sum(parts.values()) == pytest.approx(10_500)
    assert decompose(a, {**a, "visitors": 0}) is None  # no logarithm of zero: no decomposition


def test_takeaways_name_the_biggest_movers(report_ws):
    """The three takeaways are the three levers with the largest |contribution|, which sum to
    the sales change (checked against the comparison table's sales, not the decomposition's)."""
    from aesthetic_cli.reports import content
    from aesthetic_cli.warehouse import connect

    con = connect(report_ws / "aesops.duckdb", read_only=True)
    try:
        report = content.build(con, "monthly", month_=MONTH)
    finally:
        con.close()
    h = report.headline
    comp = {r["kpi"]: r for r in report.results["funnel"].tables["comparison"].iter_rows(named=True)}
    contrib = dict(zip(h.decomposition["lever"], h.decomposition["contribution"], strict=True))
    assert sum(contrib.values()) == pytest.approx(comp["sales"]["current"] - comp["sales"]["previous"], abs=0.01)
    names = {"visitors": "来院人数", "close_rate": "成交率", "ticket": "客单价", "frequency": "来院频率"}
    top3 = sorted(contrib, key=lambda k: -abs(contrib[k]))[:3]
    assert [t[0].split("环比")[0] for t in h.takeaways[1:]] == [names[k] for k in top3]
    assert not math.isnan(sum(contrib.values()))


def test_lever_table_moves_a_rate_in_points_as_its_takeaway_says(report_ws):
    """成交率's 变动 is current − previous from the comparison table, shown in points in the html (the
    takeaway above says 'N 个百分点'); the other levers' are relative (current / previous − 1)."""
    import re

    from aesthetic_cli.reports import content
    from aesthetic_cli.warehouse import connect

    con = connect(report_ws / "aesops.duckdb", read_only=True)
    try:
        report = content.build(con, "monthly", month_=MONTH)
    finally:
        con.close()
    comp = {r["kpi"]: r for r in report.results["funnel"].tables["comparison"].iter_rows(named=True)}
    change = dict(zip(report.headline.decomposition["lever"], report.headline.decomposition["change"], strict=True))
    rate = comp["close_rate"]["current"] - comp["close_rate"]["previous"]
    assert change["close_rate"] == pytest.approx(rate)
    assert change["visitors"] == pytest.approx(comp["visitors"]["current"] / comp["visitors"]["previous"] - 1)
    html = (report_ws / "reports" / f"aesops_monthly_{MONTH}.html").read_text(encoding="utf-8")
    table = html.split('data-table="levers_contribution"', 1)[1].split("</table>", 1)[0]
    row = re.search(r"<td[^>]*>成交率</td>(.*?)</tr>", table).group(1)
    assert f"{rate * 100:+.1f}pp" in row
    points = re.search(r"成交率环比(?:上升|下降) ([0-9.]+) 个百分点", " ".join(t[0] for t in report.headline.takeaways))
    assert points is None or float(points.group(1)) == pytest.approx(abs(rate) * 100, abs=0.051)


def test_points_read_the_same_in_every_sheet(report_ws):
    """成交率's 环比 in the KPI table and its 变动 in the lever table are the same kind of number: one spelling."""
    wb = _book(report_ws)
    formats = {c.number_format for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    pointed = {f for f in formats if "pp" in f or "pt" in f}
    assert pointed == {'+0.0"pp";-0.0"pp";0.0"pp"'}


def test_clinic_comparison_ranks_by_sales(report_ws):
    """门店对比 against `aesops funnel --by clinic` for this month and the one before."""
    import json

    from tests.conftest import run_cli

    def by_clinic(month: str) -> dict:
        r = run_cli(
            "funnel", "--month", month, "--by", "clinic", "--format", "json", "--db", str(report_ws / "aesops.duckdb")
        )
        return {row["group"]: row for row in json.loads(r.stdout)["kpis"]}

    now, before = by_clinic(MONTH), by_clinic("2026-08")
    wb = _book(report_ws)
    header = next(r for r in wb["门店对比"].iter_rows(values_only=True) if r and r[0] == "排名")
    rows = [
        dict(zip(header, r, strict=False))
        for r in wb["门店对比"].iter_rows(values_only=True)
        if r and isinstance(r[0], int)
    ]
    assert [r["排名"] for r in rows] == list(range(1, len(now) + 1)) and len(rows) == 2
    assert [r["成交业绩"] for r in rows] == sorted((v["sales"] for v in now.values()), reverse=True)
    for r in rows:
        c = r["门店"]
        assert r["业绩环比"] == pytest.approx(now[c]["sales"] / before[c]["sales"] - 1)
        assert r["成交率环比(百分点)"] == pytest.approx((now[c]["close_rate"] - before[c]["close_rate"]) * 100)


def test_pdf_for_meetings_is_printed_by_chromium(report_ws, tmp_path):
    import os
    import shutil

    from tests.conftest import run_cli

    if not (shutil.which("chromium") or os.environ.get("AESOPS_CHROMIUM")):
        if os.environ.get("CI"):
            pytest.fail("chromium is missing under CI: ./run test installs it.")
        pytest.skip("no chromium on this machine")
    r = run_cli(
        "report",
        "daily",
        "--date",
        "2026-09-15",
        "--format",
        "pdf",
        "--out",
        str(tmp_path),
        "--db",
        str(report_ws / "aesops.duckdb"),
    )
    assert r.exit_code == 0, r.output
    data = (tmp_path / "aesops_daily_2026-09-15.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and data.count(b"/Type /Page") >= 2
    # A4 landscape (842 × 595 pt), from the print CSS's @page rule.
    assert b"/MediaBox [0 0 841.91" in data or b"/MediaBox [0 0 842" in data
