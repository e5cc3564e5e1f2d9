"""A mapping file written to overrule aesops' guess, with a line the sheet cannot follow: a header the sheet does not
have (实收 for 实收金额), or two of the sheet's columns given one field. The import went ahead on aesops' own guess
without a word (trial 8's G7); it is refused, naming the lines and the sheet's headers, and nothing is loaded. Two
spellings of one field for the sheets of one workbook stay fine. Through the CLI."""

from __future__ import annotations

from tests.conftest import run_cli, write_csv, write_xlsx
from tests.test_batches_mapping import _q

HEAD = ["收费日期", "顾客编号", "项目", "实收金额", "现场咨询师"]
ROWS = [HEAD, ["2026-10-02", "C1", "水光针", "1280", "王芳"], ["2026-10-03", "C2", "玻尿酸", "4800", "李娜"]]
BASE = '"收费日期" = "order_date"\n"顾客编号" = "customer_id"\n"项目" = "item"\n'


def _mapping(ws, name: str, lines: str):
    path = ws / name
    path.write_text('kind = "orders"\n[columns]\n' + BASE + lines, encoding="utf-8")
    return path


def test_a_header_the_sheet_does_not_have_is_refused(ws):
    mapping = _mapping(ws, "nocol.toml", '"实收" = "paid_amount"\n')
    result = run_cli("import", str(write_csv(ws / "收费.csv", ROWS)), "--mapping", str(mapping))
    assert result.exit_code != 0, result.output
    out = " ".join(result.output.split())
    assert "nocol.toml names columns the sheet does not have: 实收. Its columns are: 收费日期, 顾客编号" in out, out
    assert _q(ws, "SELECT count(*) FROM orders") == [(0,)]


def test_two_columns_for_one_field_are_refused(ws):
    mapping = _mapping(ws, "twice.toml", '"实收金额" = "paid_amount"\n"现场咨询师" = "paid_amount"\n')
    result = run_cli("import", str(write_csv(ws / "收费.csv", ROWS)), "--mapping", str(mapping), env={"LANG": "zh_CN"})
    assert result.exit_code != 0, result.output
    assert "twice.toml 把表里的两列都对应到 paid_amount：实收金额, 现场咨询师" in result.output, result.output
    assert _q(ws, "SELECT count(*) FROM orders") == [(0,)]


def test_two_spellings_for_the_sheets_of_one_workbook_are_fine(ws):
    other = [["收费日期", "顾客编号", "项目", "实付金额"], ["2026-10-20", "C3", "光子", "500"]]
    path = write_xlsx(ws / "收费.xlsx", ROWS, sheet="10月上", extra_sheets={"10月下": other})
    mapping = ws / "both.toml"
    mapping.write_text(
        'kind = "orders"\nsheets = "all"\n[columns]\n'
        + BASE
        + '"实收金额" = "paid_amount"\n"实付金额" = "paid_amount"\n',
        encoding="utf-8",
    )
    result = run_cli("import", str(path), "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert _q(ws, "SELECT sum(paid_amount)::INTEGER FROM orders") == [(1280 + 4800 + 500,)]
