"""A monthly report of a year with no saved target plan says so in the report's language only: the
Chinese report used to read 没有 2026 年的目标计划（…）。No saved target plan for 2026. and the English
report carried the Chinese sentence too."""

from __future__ import annotations

import re

import openpyxl
import pytest

from aesthetic_cli.reports.xlsx import sheet_name
from tests.conftest import run_cli, write_csv

HAN = re.compile(r"[\u4e00-\u9fff]")


def _target_sheet_text(path, lang: str) -> str:
    wb = openpyxl.load_workbook(path)
    # An English report's sheets are named in English, every one (a trial found 概览, 渠道 ... in English reports).
    assert lang == "zh" or not any(HAN.search(name) for name in wb.sheetnames), wb.sheetnames
    sheet = wb[sheet_name("目标", lang)]
    return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_no_plan_note_is_in_one_language(ws, lang):
    orders = write_csv(
        ws / "收费明细.csv",
        [
            ["收费日期", "顾客编号", "项目", "实收金额"],
            ["2026-10-03", "C1", "水光针", "1680"],
            ["2026-10-20", "C2", "热玛吉", "9800"],
        ],
    )
    assert run_cli("import", str(orders)).exit_code == 0
    out = ws / "reports"
    r = run_cli("report", "monthly", "--month", "2026-10", "--format", "xlsx", "--out", str(out), "--lang", lang)
    assert r.exit_code == 0, r.output
    text = _target_sheet_text(out / "aesops_monthly_2026-10.xlsx", lang)
    lines = [line for line in text.splitlines() if "2026" in line and ("目标" in line or "target" in line)]
    assert lines, text
    note = lines[-1]
    if lang == "zh":
        assert "No saved target plan" not in note and "没有 2026 年的目标计划" in note, note
    else:
        assert "No saved target plan for 2026" in note and not HAN.search(note), note


@pytest.mark.parametrize(
    "kind", [("monthly", "--month", "2026-09"), ("weekly", "--week", "2026-W39"), ("daily", "--date", "2026-09-15")]
)
def test_every_sheet_of_an_english_report_is_named_in_english(kind, sample_db, tmp_path):
    # reports/xlsx.EN_SHEETS names each section's sheet; a section added without an entry would keep its Chinese key.
    out = tmp_path / "out"
    r = run_cli("report", *kind, "--lang", "en", "--format", "xlsx", "--out", str(out), "--db", str(sample_db))
    assert r.exit_code == 0, r.output
    names = openpyxl.load_workbook(next(out.glob("*.xlsx")), read_only=True).sheetnames
    assert names[0] == "At a glance" and names[-1] == "Definitions"
    assert not any(HAN.search(name) for name in names), names
