"""Spellings another CRM vendor's exports use (a trial with files aesops had not seen), through the CLI:

- a totals row written 合计：2笔, 本页合计 or 合计(1条) was rejected as a bad row, and a quiet day's export (the header
  and 合计：0笔) was refused whole ("more than half the rows unreadable"), so the daily intake filed it as rejected;
- a refund written with the minus sign U+2212 (−300) was "not an amount";
- a phone with a full-width digit (1380013801４) was kept as written and linked to no one."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest

from tests.conftest import ORDER_HEAD, run_cli, write_csv
from tests.test_batches_mapping import _q


def _xlsx(path, rows):
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_day_without_sales_loads_nothing_and_is_not_refused(kind, ws):
    rows = [ORDER_HEAD, ["合计：0笔", None, None, "0.00", None, None]]
    path = (write_csv if kind == "csv" else _xlsx)(ws / f"消费明细_20261105_无销售.{kind}", rows)
    r = run_cli("import", str(path))
    assert r.exit_code == 0, r.output
    assert _q(ws, "SELECT count(*) FROM orders") == [(0,)]
    assert _q(ws, "SELECT count(*) FROM rejects") == [(0,)]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_totals_rows_as_vendors_write_them_are_skipped(kind, ws):
    rows = [
        ORDER_HEAD,
        ["2026-11-01", "C1", "水光针", "1000", "微信", "李娜"],
        ["2026-11-01", "C2", "光子嫩肤", "−300", "微信", "李娜"],  # U+2212: a refund
        ["本页合计", None, None, "700", None, None],
        ["合计(2条)", None, None, "700", None, None],
        ["总计（共2笔）", None, None, "700", None, None],
    ]
    path = (write_csv if kind == "csv" else _xlsx)(ws / f"收费.{kind}", rows)
    r = run_cli("import", str(path))
    assert r.exit_code == 0, r.output
    assert _q(ws, "SELECT customer_id, paid_amount FROM orders ORDER BY 1") == [
        ("C1", Decimal("1000.00")),
        ("C2", Decimal("-300.00")),
    ]
    assert _q(ws, "SELECT count(*) FROM rejects") == [(0,)]


def test_a_full_width_digit_in_a_phone_is_read_as_the_digit(ws):
    rows = [["姓名", "手机号", "顾客编号", "渠道"], ["王五", "1380013801４", "C1", "抖音"]]
    r = run_cli("import", str(write_csv(ws / "客户资料.csv", rows)))
    assert r.exit_code == 0, r.output
    assert _q(ws, "SELECT customer_id, phone FROM customers") == [("C1", "13800138014")]


def test_a_refused_sheet_is_named_in_chinese_in_a_chinese_message(ws):
    # A spend export whose amount header aesops does not know: refused with its guess. The sheet was named in
    # the English "file, sheet 'X'" inside the Chinese sentence.
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "推广费用"
    for r in [["日期", "投放平台", "消费金额(元)", "展现"], ["2026-10-01", "抖音", "1200", "50000"]]:
        sheet.append(r)
    path = ws / "推广费用_202610.xlsx"
    wb.save(path)
    r = run_cli("import", str(path), env={"LANG": "zh_CN.UTF-8"})
    assert r.exit_code != 0 and "Traceback" not in r.output
    assert "推广费用_202610.xlsx 工作表「推广费用」：" in r.stderr, r.stderr
    assert "sheet '" not in r.stderr


def test_the_call_back_list_without_a_model_says_why_in_chinese(ws):
    rows = [ORDER_HEAD, *[["2026-09-01", f"C{i}", "水光针", "1000", "微信", "李娜"] for i in range(5)]]
    rows += [
        ["2026-09-11", "C0", "水光针", "1000", "微信", "李娜"],
        ["2026-11-01", "C9", "光子嫩肤", "800", "微信", "李娜"],
    ]
    assert run_cli("import", str(write_csv(ws / "收费.csv", rows))).exit_code == 0
    r = run_cli("customers", "reactivate", env={"LANG": "zh_CN.UTF-8"})
    assert r.exit_code == 0, r.output
    assert "历史数据不足以拟合复购模型（有成交或有复购的顾客太少，或模型未能收敛）" in r.stdout, r.stdout
    assert "Too little history" not in r.output
    english = run_cli("customers", "reactivate", "--lang", "en")
    assert "Too little history to fit the repurchase model" in english.stdout, english.stdout


def test_a_customer_file_with_the_readme_s_two_row_header(ws):
    """客户 merged over 编号 | 姓名, the other headers merged down (README, Import). No date or amount sits under 编号
    or 姓名, and the two-row reading required one: the header was read as row 1 alone, row 2 was rejected, and 会员卡号
    became the customer id, so every customer loaded under an id no order or visit uses."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "客户资料"
    sheet.append(["客户", None, "手机号码", "客户来源", "建档时间", "会员卡号"])
    sheet.append(["编号", "姓名", None, None, None, None])
    sheet.merge_cells("A1:B1")
    for col in "CDEF":
        sheet.merge_cells(f"{col}1:{col}2")
    sheet.append(["C001", "王小丫", "13900138001", "美团", "2026-10-01", "VIPC001"])
    sheet.append(["C002", "李四", "13900138002", "抖音", "2026-10-02", "VIPC002"])
    path = ws / "客户资料_合并表头.xlsx"
    wb.save(path)
    r = run_cli("import", str(path))
    assert r.exit_code == 0, r.output
    assert _q(ws, "SELECT customer_id, name, phone, source_channel FROM customers ORDER BY 1") == [
        ("C001", "王小丫", "13900138001", "美团"),
        ("C002", "李四", "13900138002", "抖音"),
    ]
    assert _q(ws, "SELECT count(*) FROM rejects") == [(0,)]
