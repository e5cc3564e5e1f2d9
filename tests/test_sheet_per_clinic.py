"""A chain's workbook of a sheet per clinic (静安店, 徐汇店) without a 门店 column: each sheet's rows are that clinic's.
Every sheet was filed under --clinic (trial 8's G5: 静安店 19,560 and 徐汇店 nothing, for 5,780 and 13,780), and
without --clinic the file was refused. Worked out by hand; through the CLI."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import run_cli, write_xlsx
from tests.test_batches_mapping import _q

HEAD = ["收费日期", "顾客编号", "项目名称", "实收金额"]
JINGAN = [HEAD, ["2026-10-02", "J001", "玻尿酸", "4500"], ["2026-10-09", "J002", "水光针", "1280"]]
XUHUI = [HEAD, ["2026-10-02", "X001", "热玛吉", "12800"], ["2026-10-21", "X002", "光子", "980"]]
BY_CLINIC = "SELECT clinic, sum(paid_amount), count(*) FROM orders GROUP BY 1 ORDER BY 1"


@pytest.mark.parametrize("clinic", [[], ["--clinic", "静安店"], ["--clinic", "本院"]])
def test_each_sheet_named_as_a_clinic_is_that_clinics(ws, clinic):
    path = write_xlsx(ws / "收费明细_各门店.xlsx", XUHUI, sheet="徐汇店", extra_sheets={"静安店": JINGAN[:]})
    result = run_cli("import", str(path), *clinic)
    assert result.exit_code == 0, result.output
    assert _q(ws, BY_CLINIC) == [("徐汇店", Decimal("13780.00"), 2), ("静安店", Decimal("5780.00"), 2)]
    if clinic:
        # Said, as a 门店 column that overrules --clinic is.
        assert "sheet name) says 徐汇店" in " ".join(result.output.split()), result.output


def test_a_clinic_column_or_a_sheet_named_otherwise_keeps_the_rules_before(ws):
    # A 门店 column decides over the sheet's name; a sheet named 收费明细 or 到院 names no clinic.
    with_column = [[*HEAD, "门店"], ["2026-10-02", "J001", "玻尿酸", "4500", "静安店"]]
    path = write_xlsx(ws / "a.xlsx", with_column, sheet="徐汇店")
    assert run_cli("import", str(path)).exit_code == 0
    plain = write_xlsx(ws / "b.xlsx", [HEAD, ["2026-10-03", "J003", "光子", "300"]], sheet="收费明细")
    assert run_cli("import", str(plain), "--clinic", "静安店").exit_code == 0
    assert _q(ws, BY_CLINIC) == [("静安店", Decimal("4800.00"), 2)]
