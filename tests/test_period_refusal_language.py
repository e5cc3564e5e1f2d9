"""A period after the data, or a warehouse without data, is refused in the reader's language only: the Chinese
message used to carry its English translation in the same line."""

from __future__ import annotations

from tests.conftest import load, run_cli


def test_a_month_after_the_data_is_refused_in_one_language(con, ws):
    load(con, ws, orders=[["收费日期", "顾客编号", "项目", "实收金额"], ["2026-10-31", "A", "光子", "900"]])
    con.close()
    zh = run_cli("funnel", "--month", "2027-01", env={"LANG": "zh_CN.UTF-8"})
    assert zh.exit_code == 2 and "数据截至 2026-10-31，2027-01 在数据之后" in zh.stderr
    assert "lies wholly after" not in zh.stderr and "Choose a period" not in zh.stderr
    en = run_cli("funnel", "--month", "2027-01")
    assert en.exit_code == 2 and "The data ends 2026-10-31; 2027-01 lies wholly after it" in en.stderr
    assert "数据截至" not in en.stderr
