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
