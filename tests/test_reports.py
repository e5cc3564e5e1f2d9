"""Reports: xlsx checked against the analyses' JSON, HTML in a real browser, cron safety, schedule."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from aesthetic_cli.present.labels import label
from aesthetic_cli.reports.safe import workspace_lock
from tests.conftest import child_env, run_cli

from tests.conftest import REPORT_MONTH as MONTH  # noqa: E402 - one month for every report test


def cli_json(root: Path, *args: str) -> dict:
    r = run_cli(*args, "--format", "json", "--db", str(root / "aesops.duckdb"))
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def table_rows(ws, header_first: str) -> tuple[list[str], list[list]]:
    """The rows of the table whose header row starts with header_first, up to the first empty row."""
    rows = list(ws.iter_rows(values_only=True))
    for i, row in enumerate(rows):
        if row and row[0] == header_first:
            header = [c for c in row if c is not None]
            body = []
            for r in rows[i + 1 :]:
                if r[0] is None:
                    break
                body.append(list(r[: len(header)]))
            return header, body
    raise AssertionError(f"no table headed {header_first!r} in {ws.title}")


def test_monthly_xlsx_sheets_charts_and_no_formulas(report_ws):
    wb = openpyxl.load_workbook(report_ws / "reports" / f"aesops_monthly_{MONTH}.xlsx")
    assert wb.sheetnames == [
        "概览",
        "门店对比",
        "核心指标",
        "漏斗",
        "渠道",
        "咨询师",
        "复购",
        "老客",
        "品项",
        "目标",
        "口径说明",
    ]
    for name in ("核心指标", "漏斗", "渠道", "咨询师", "品项"):
        assert len(wb[name]._charts) >= 1, name
    # A bar chart's value axis starts at zero, so bars compare by height (门店对比's two clinics drew
    # ¥486k three times as tall as ¥478k in LibreOffice with an automatic minimum).
    bars = [c for ws in wb.worksheets for c in ws._charts if c.tagname == "barChart"]
    assert bars and all(c.y_axis.scaling.min == 0 for c in bars)
    assert wb["复购"].conditional_formatting, "cohort heat map"
    # Headers are frozen only where one table fills the sheet; stacked tables get the autofilter only.
    assert wb["门店对比"].freeze_panes and wb["核心指标"].auto_filter.ref and not wb["核心指标"].freeze_panes
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
    definitions = [r[0] for r in wb["口径说明"].iter_rows(values_only=True) if r[0]]
    assert "指标定义 Definitions" in definitions and "导入批次 Import batches (files)" in definitions
    # Written for the director: no references to documents they don't have.
    assert not any("SPEC" in str(v) for r in wb["口径说明"].iter_rows(values_only=True) for v in r if v)
    assert any(str(r[1]).endswith(".xlsx") for r in wb["口径说明"].iter_rows(values_only=True) if r[1])


def test_monthly_xlsx_values_equal_the_json_of_the_same_analyses(report_ws):
    wb = openpyxl.load_workbook(report_ws / "reports" / f"aesops_monthly_{MONTH}.xlsx")
    funnel = cli_json(report_ws, "funnel", "--month", MONTH)
    _, rows = table_rows(wb["核心指标"], label("kpi", "zh"))
    by_kpi = {r[0]: r for r in rows}
    for item in funnel["comparison"]:
        row = by_kpi[label(item["kpi"], "zh")]
        # JSON carries 6 decimals; the workbook keeps full precision.
        assert row[1] == pytest.approx(item["current"], abs=1e-6)
        assert (row[2] is None and item["previous"] is None) or row[2] == pytest.approx(item["previous"], abs=1e-6)
    channels = cli_json(report_ws, "channels", "--month", MONTH)
    header, rows = table_rows(wb["渠道"], label("channel", "zh"))
    got = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert len(got) == len(channels["channels"])
    for ch in channels["channels"]:
        row = got[ch["channel"]]
        assert row[label("spend", "zh")] == pytest.approx(ch["spend"])
        assert row[label("sales", "zh")] == pytest.approx(ch["sales"])
        assert (row[label("cac", "zh")] is None) == (ch["cac"] is None)
        if ch["cac"] is not None:
            assert row[label("cac", "zh")] == pytest.approx(ch["cac"])
    consultants = cli_json(report_ws, "consultants", "--month", MONTH, "--role", "onsite")
    header, rows = table_rows(wb["咨询师"], label("rank", "zh"))
    got = {r[1]: dict(zip(header, r, strict=True)) for r in rows}
    for c in consultants["onsite"]:
        assert got[c["consultant"]][label("sales", "zh")] == pytest.approx(c["sales"])


def test_monthly_lists_the_overdue_customers_by_value_at_risk(report_ws):
    wb = openpyxl.load_workbook(report_ws / "reports" / f"aesops_monthly_{MONTH}.xlsx")
    texts = [c for row in wb["老客"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(t.startswith("逾期老客（前20，按风险价值）") for t in texts)
    header, rows = table_rows(wb["老客"], label("customer_id", "zh"))
    want = cli_json(report_ws, "customers", "reactivate", "--date", "2026-09-30", "--limit", "20")
    assert want["meta"]["ranking"] == "value_at_risk"
    assert [r[0] for r in rows] == [c["customer_id"] for c in want["reactivate"]]
    risk = [r[header.index(label("value_at_risk", "zh"))] for r in rows]
    assert len(risk) == 20 and risk == sorted(risk, reverse=True) and risk[-1] > 0
    definitions = [r[0] for r in wb["口径说明"].iter_rows(values_only=True) if r[0]]
    assert "风险价值 value at risk" in definitions


def test_weekly_and_daily_reports(report_ws):
    for name, sheets in (
        ("aesops_weekly_2026-W38.xlsx", ["概览", "本周", "目标进度", "漏斗", "口径说明"]),
        ("aesops_daily_2026-09-15.xlsx", ["概览", "当日", "月度进度", "口径说明"]),
    ):
        wb = openpyxl.load_workbook(report_ws / "reports" / name)
        assert wb.sheetnames == sheets
    track = cli_json(report_ws, "targets", "track", "--date", "2026-09-15")
    wb = openpyxl.load_workbook(report_ws / "reports" / "aesops_daily_2026-09-15.xlsx")
    header, rows = table_rows(wb["月度进度"], label("scope", "zh"))
    first = dict(zip(header, rows[0], strict=True))
    total = next(r for r in track["progress"] if r["scope"] == "all")
    assert first[label("actual", "zh")] == pytest.approx(total["actual"])
    assert first[label("target", "zh")] == pytest.approx(total["target"])


def test_text_that_looks_like_a_formula_stays_text(con, ws):
    from aesthetic_cli.importer.load import import_file
    from tests.conftest import write_csv

    import_file(
        con, write_csv(ws / "c.csv", [["顾客编号", "姓名", "手机号"], ["X1", '=HYPERLINK("http://x")', "13800000000"]])
    )
    import_file(
        con,
        write_csv(
            ws / "o.csv",
            [
                ["收费日期", "顾客编号", "项目", "实收金额"],
                ["2025-01-01", "X1", "水光针", "1000"],
                ["2025-02-01", "X1", "水光针", "1000"],
                ["2025-03-01", "X1", "水光针", "1000"],
                ["2025-03-01", "X1", "@SUM(1)", "5"],
                ["2025-06-30", "Y", "x", "1"],
            ],
        ),
        clinic="本院",
    )
    con.close()
    r = run_cli("report", "monthly", "--month", "2025-06", "--format", "xlsx", "--out", str(ws / "r"), "--show-pii")
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(ws / "r" / "aesops_monthly_2025-06.xlsx")
    cells = [c for s in wb.worksheets for row in s.iter_rows() for c in row if isinstance(c.value, str)]
    # X1 is overdue for 水光针 (every 31 days, last on 03-01), so the call-back list names them.
    assert any(c.value == '=HYPERLINK("http://x")' and c.data_type == "s" for c in cells)
    assert any(c.value == "@SUM(1)" and c.data_type == "s" for c in cells)
    assert all(c.data_type != "f" for s in wb.worksheets for row in s.iter_rows() for c in row)
    r = run_cli("customers", "reactivate", "--show-pii", "--format", "csv", "--date", "2025-06-30")
    assert "'=HYPERLINK" in r.stdout


def _chromium() -> str | None:
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if path is None and os.environ.get("CI"):
        pytest.fail("chromium is missing under CI: ./run test installs it (apt-get install chromium).")
    return path


@pytest.mark.parametrize("name,width", [(f"aesops_monthly_{MONTH}.html", 1100), ("aesops_daily_2026-09-15.html", 390)])
def test_html_in_a_real_browser(report_ws, tmp_path, name, width):
    chromium = _chromium()
    if chromium is None:
        pytest.skip("no chromium on this machine (./run test installs it where it can)")
    from playwright.sync_api import sync_playwright

    html = (report_ws / "reports" / name).read_text(encoding="utf-8")
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched
    expected = html.count('<figure class="chart"')
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": width, "height": 900})
        errors, requests = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto((report_ws / "reports" / name).as_uri())
        shot = tmp_path / "shot.png"
        # Layout is what is checked, not speed: beside the suite's lake and fuzz processes a full-page
        # capture of the monthly report has taken over Playwright's default 30 s.
        page.screenshot(path=str(shot), full_page=True, timeout=180_000)
        charts = page.locator("figure.chart svg").count()
        drawn = page.locator("figure.chart svg .series").count()
        sections = page.locator("section").count()
        browser.close()
    assert errors == []
    assert all(u.startswith("file://") for u in requests), requests
    assert charts == expected and charts >= 2 and drawn >= charts
    assert sections >= 3
    assert shot.stat().st_size > 20_000


def _report_cmd(root: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "aesthetic_cli",
        "report",
        "monthly",
        "--month",
        MONTH,
        "--out",
        str(out),
        "--db",
        str(root / "aesops.duckdb"),
        *extra,
    ]


def test_cron_run_prints_nothing_and_writes_reports(report_ws, tmp_path):
    out = tmp_path / "cron"
    done = subprocess.run(
        _report_cmd(report_ws, out),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env=child_env(None),
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert sorted(p.name for p in out.iterdir()) == [f"aesops_monthly_{MONTH}.html", f"aesops_monthly_{MONTH}.xlsx"]
    verbose = subprocess.run(
        _report_cmd(report_ws, out, "--verbose"), capture_output=True, text=True, timeout=120, env=child_env(None)
    )
    assert verbose.stdout == "" and verbose.stderr.count("已写出 ") == 2  # no LANG: Chinese, the default


def test_two_overlapping_runs_neither_corrupt_nor_interleave(report_ws, tmp_path):
    out = tmp_path / "both"
    runs = [
        subprocess.Popen(
            _report_cmd(report_ws, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env("zh")
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=180), p.stdout.read(), p.stderr.read()) for p in runs]
    assert all(r == (0, "", "") for r in results), results
    wb = openpyxl.load_workbook(out / f"aesops_monthly_{MONTH}.xlsx")  # whole, not interleaved
    assert "口径说明" in wb.sheetnames
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_held_lock_makes_the_second_run_give_up_cleanly(report_ws, tmp_path):
    out = tmp_path / "locked"
    with workspace_lock(report_ws / "aesops.duckdb", wait_seconds=1):
        done = subprocess.run(
            _report_cmd(report_ws, out, "--wait", "1"), capture_output=True, text=True, timeout=60, env=child_env("zh")
        )
    assert done.returncode == 3
    assert "另一个 aesops 报表正在" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists() or not any(out.iterdir())


def test_report_errors(report_ws, tmp_path):
    r = run_cli("report", "monthly", "--format", "docx", "--db", str(report_ws / "aesops.duckdb"))
    assert r.exit_code == 2 and "xlsx, html and/or pdf" in r.stderr
    r = run_cli(
        "report", "weekly", "--week", "2026-W99", "--db", str(report_ws / "aesops.duckdb"), "--out", str(tmp_path)
    )
    assert r.exit_code == 2


def test_schedule_print_and_install_idempotent(report_ws, tmp_path, monkeypatch):
    # A stand-in crontab keeps the machine's real one untouched.
    store = tmp_path / "crontab.txt"
    store.write_text("MAILTO=ops@example.com\n15 3 * * * /usr/bin/backup\n")
    fake = tmp_path / "bin" / "crontab"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nif [ "$1" = "-l" ]; then cat "{store}"; else cat > "{store}"; fi\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(report_ws)
    printed = run_cli("schedule", "print")
    assert printed.exit_code == 0
    lines = [ln for ln in printed.stdout.splitlines() if not ln.startswith("#")]
    assert [ln.split()[:5] for ln in lines] == [
        ["0", "8", "*", "*", "*"],
        ["30", "8", "*", "*", "1"],
        ["0", "9", "1", "*", "*"],
    ]
    assert all("report" in ln and "AESOPS_DB=" in ln and "LANG=C.UTF-8" in ln for ln in lines)
    assert run_cli("schedule", "install").exit_code == 0
    once = store.read_text()
    assert run_cli("schedule", "install").exit_code == 0
    assert store.read_text() == once  # idempotent
    assert once.startswith("MAILTO=ops@example.com\n15 3 * * * /usr/bin/backup\n")
    assert once.count("report daily") == 1


def test_chart_ticks_read_as_the_quarters_they_are():
    """The axis runs from 0 to a round maximum in quarters: 50万 → 12.5万 and 37.5万 (were shown as 12万 and
    38万), 10 → 2.5 and 7.5, 1亿 → 2,500万."""
    import re

    from aesthetic_cli.reports import svg

    def ticks(ymax: float) -> list[str]:
        return re.findall(r'class="tick">([^<]*)<', "".join(svg._axes(0.0, ymax)))

    assert ticks(500_000) == ["0", "12.5万", "25万", "37.5万", "50万"]
    assert ticks(10) == ["0", "2.5", "5", "7.5", "10"]
    assert ticks(1e8) == ["0", "2,500万", "5,000万", "7,500万", "1亿"]
