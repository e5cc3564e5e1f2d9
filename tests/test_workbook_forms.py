"""Workbooks as CRMs and back offices really write them: bill cells merged down over the bill's lines, formulas
saved without their results, Excel 2003 XML Spreadsheets named .xls, and workbooks under the other suffix. Through
the CLI; expected figures are worked out by hand."""

from __future__ import annotations

import shutil

import pytest
from pathlib import Path

import openpyxl
import xlsxwriter

from tests.conftest import month_kpis, run_cli
from tests.test_batches_mapping import _q

HEAD = ["收费日期", "顾客编号", "项目", "实收金额"]
# Three bills: D1 (C001, 10-01) 1,000 + 2,000; D2 (C002, 10-02) 5,000; D3 (C003, 10-03) 800 + 1,000 + 300.
BILLS = [
    ("D1", "2026-10-01", "C001", [("水光针", 1000), ("玻尿酸", 2000)]),
    ("D2", "2026-10-02", "C002", [("热玛吉", 5000)]),
    ("D3", "2026-10-03", "C003", [("光子嫩肤", 800), ("水光针", 1000), ("祛斑", 300)]),
]
LINES = [(d, c, item, amount) for _, d, c, lines in BILLS for item, amount in lines]


def _lines(ws):
    sql = "SELECT order_id, order_date::VARCHAR, customer_id, item, paid_amount::DOUBLE FROM orders ORDER BY 1, 4"
    return _q(ws, sql)


def test_bill_cells_merged_down_over_the_lines_belong_to_every_line(ws):
    """Excel shows D1 / 2026-10-01 / C001 on both of D1's lines; calamine gives them on the first only, and the
    other three lines were rejected as missing their date and customer."""
    path = ws / "收费单.xlsx"
    wb = xlsxwriter.Workbook(path)
    sheet = wb.add_worksheet("收费明细")
    sheet.merge_range(0, 0, 0, 4, "2026年10月收费明细")  # a title merged across: left as it is
    sheet.write_row(1, 0, ["单号", *HEAD])
    r = 2
    for bill, day, customer, lines in BILLS:
        for col, value in enumerate((bill, day, customer)):
            if len(lines) > 1:
                sheet.merge_range(r, col, r + len(lines) - 1, col, value)
            else:
                sheet.write(r, col, value)
        for k, (item, amount) in enumerate(lines):
            sheet.write(r + k, 3, item)
            sheet.write_number(r + k, 4, amount)
        r += len(lines)
    wb.close()
    result = run_cli("import", str(path), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert _lines(ws) == sorted(
        [(b, d, c, item, float(a)) for b, d, c, lines in BILLS for item, a in lines], key=lambda t: (t[0], t[3])
    )
    k = month_kpis("2026-10")
    assert (k["sales"], k["buyers"], k["deal_visits"]) == (10100, 3, 3)


def test_a_two_row_header_made_of_merged_cells_still_names_its_columns(ws):
    """收费日期 merged over both header rows, 金额 across 实收 | 应收: the fill applies below the header only."""
    path = ws / "two_rows.xlsx"
    wb = xlsxwriter.Workbook(path)
    sheet = wb.add_worksheet("收费")
    for col, text in enumerate(["收费日期", "顾客编号", "项目"]):
        sheet.merge_range(0, col, 1, col, text)
    sheet.merge_range(0, 3, 0, 4, "金额")
    sheet.write_row(1, 3, ["实收", "应收"])
    for i, (day, customer, item, amount) in enumerate(LINES, start=2):
        sheet.write_row(i, 0, [day, customer, item, amount, amount + 100])
    wb.close()
    result = run_cli("import", str(path), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert month_kpis("2026-10")["sales"] == 10100  # 实收, not 应收 (10,700)


def _openpyxl_book(path, header: list, rows: list) -> str:
    """A workbook as openpyxl saves it (formulas keep no result at all), one sheet 收费明细."""
    book = openpyxl.Workbook()
    book.active.title = "收费明细"
    for row in [header, *rows]:
        book.active.append(list(row))
    book.save(path)
    return str(path)


def _formula_workbook(path, *, with_values: bool, rows=LINES):
    """实收金额 = 数量 × 单价 as a formula, the way a back office writes it with xlsxwriter: with the results
    (`value=`) or without (xlsxwriter then saves 0 and asks Excel to compute when opened)."""
    wb = xlsxwriter.Workbook(path)
    sheet = wb.add_worksheet("收费明细")
    sheet.write_row(0, 0, [*HEAD, "数量", "单价"])
    for i, (day, customer, item, amount) in enumerate(rows, start=1):
        sheet.write_row(i, 0, [day, customer, item])
        sheet.write_formula(i, 3, f"=E{i + 1}*F{i + 1}", None, amount if with_values else 0)
        sheet.write_row(i, 4, [1, amount])
    wb.close()
    return path


def test_formulas_saved_without_their_results_are_refused_naming_the_cell(ws):
    """The amounts read 0: sales of 0 with exit 0 before. Now every line is rejected with the formula and how to
    get its result, so the file is refused whole and nothing is loaded."""
    path = _formula_workbook(ws / "公式.xlsx", with_values=False)
    result = run_cli("import", str(path), "--clinic", "本院", env={"LANG": "zh_CN.UTF-8"})
    assert result.exit_code == 1
    said = "第 2 行，列“实收金额”：公式没有保存计算结果：请在 Excel 或 WPS 中打开、保存后再导入（“=E2*F2”）"
    assert said in result.output
    assert "Traceback" not in result.output
    assert _q(ws, "SELECT count(*) FROM orders") == [(0,)]


def test_formulas_with_their_results_load_the_results(ws):
    path = _formula_workbook(ws / "公式.xlsx", with_values=True)
    result = run_cli("import", str(path), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert month_kpis("2026-10")["sales"] == 10100


def test_an_openpyxl_workbook_without_results_is_refused_but_its_total_formula_alone_is_harmless(ws):
    """openpyxl keeps no result at all (<v/>). Its 合计 row's =SUM is a total row, skipped either way."""
    total = ["合计", None, None, f"=SUM(D2:D{len(LINES) + 1})"]
    ok = run_cli("import", _openpyxl_book(ws / "plain_amounts.xlsx", HEAD, [*LINES, total]), "--clinic", "本院")
    assert ok.exit_code == 0, ok.output
    assert month_kpis("2026-10")["sales"] == 10100

    rows = [[d, c, f"{item}B", f"=E{i}", a] for i, (d, c, item, a) in enumerate(LINES, start=2)]
    refused = run_cli("import", _openpyxl_book(ws / "formula_amounts.xlsx", [*HEAD, "单价"], rows), "--clinic", "本院")
    assert refused.exit_code == 1
    assert "a formula saved without its result" in refused.output and "'=E2'" in refused.output
    assert month_kpis("2026-10")["sales"] == 10100  # the first file's, nothing more


NAMESPACES = (
    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:x="urn:schemas-microsoft-com:office:excel" '
    'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">'
)


def _cell(value, kind="String", extra=""):
    return f'<Cell{extra}><Data ss:Type="{kind}">{value}</Data></Cell>'


def _spreadsheet_xml(path, *, cut: bool = False):
    """An Excel 2003 XML Spreadsheet as an ASP.NET back office writes it: a title merged across, D1's bill cells
    merged down over its two lines (the second row skips them with ss:Index), a date-time cell, rich text, a 合计
    row and a hidden sheet of old data."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?mso-application progid="Excel.Sheet"?>',
        NAMESPACES,
        '<Worksheet ss:Name="收费明细"><Table>',
        "<Row>" + _cell("2026年10月收费明细", extra=' ss:MergeAcross="4"') + "</Row>",
        "<Row>" + "".join(_cell(h) for h in ["单号", *HEAD]) + "</Row>",
        "<Row>"
        + _cell("D1", extra=' ss:MergeDown="1"')
        + _cell("2026-10-01T00:00:00.000", "DateTime", ' ss:MergeDown="1"')
        + _cell("C001", extra=' ss:MergeDown="1"')
        + _cell("水光针")
        + _cell("1000", "Number")
        + "</Row>",
        '<Row><Cell ss:Index="4"><Data ss:Type="String">玻尿酸</Data></Cell>' + _cell("2000.5", "Number") + "</Row>",
        "<Row>"
        + _cell("D2")
        + _cell("2026-10-02T14:30:00.000", "DateTime")
        + _cell("C002")
        + _cell("热<html:B>玛吉</html:B>")
        + _cell("5000", "Number")
        + "</Row>",
        '<Row ss:Index="7">' + _cell("合计") + '<Cell ss:Index="5"><Data ss:Type="Number">8000.5</Data></Cell></Row>',
        "</Table></Worksheet>",
        '<Worksheet ss:Name="旧数据"><Table><Row>'
        + "".join(_cell(h) for h in HEAD)
        + "</Row><Row>"
        + "".join(_cell(v) for v in ["2026-09-01", "C9", "x", "99"])
        + '</Row></Table><WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel">'
        "<Visible>SheetHidden</Visible></WorksheetOptions></Worksheet>",
        "</Workbook>",
    ]
    text = "\n".join(parts)
    path.write_text(text[: len(text) // 2] if cut else text, encoding="utf-8")
    return path


def test_an_excel_2003_xml_spreadsheet_named_xls_is_read(ws):
    """calamine said "Invalid OLE" in English. D1's two lines are 1,000 + 2,000.50, D2's 5,000 (8,000.50); the
    hidden sheet's 99 stays out."""
    path = _spreadsheet_xml(ws / "收费明细.xls")
    result = run_cli("import", str(path), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert "hidden sheet" in result.output
    assert _lines(ws) == [
        ("D1", "2026-10-01", "C001", "水光针", 1000.0),
        ("D1", "2026-10-01", "C001", "玻尿酸", 2000.5),
        ("D2", "2026-10-02", "C002", "热玛吉", 5000.0),
    ]


def test_a_damaged_xml_spreadsheet_is_refused_in_the_readers_language(ws):
    path = _spreadsheet_xml(ws / "收费明细.xls", cut=True)
    result = run_cli("import", str(path), "--clinic", "本院", env={"LANG": "zh_CN.UTF-8"})
    assert result.exit_code == 1
    assert "收费明细.xls 是已损坏的 Excel 2003 XML 表格" in result.output and "Traceback" not in result.output


def test_a_workbook_under_the_other_suffix_is_read_by_its_content(ws):
    """An xlsx named .xls got calamine's "Invalid OLE … not an office document"."""
    xlsx = ws / "made.xlsx"
    _openpyxl_book(xlsx, HEAD, LINES)
    named_xls = ws / "收费.xls"
    shutil.copy(xlsx, named_xls)
    xlsx.unlink()
    result = run_cli("import", str(named_xls), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert month_kpis("2026-10")["sales"] == 10100


def test_an_old_xls_named_xlsx_is_read_by_its_content(ws):
    """It was refused as "password-protected (encrypted) or not a real .xlsx file"."""
    named_xlsx = ws / "收费.xlsx"
    shutil.copy(Path(__file__).parent / "data" / "orders_bills.xls", named_xlsx)
    result = run_cli("import", str(named_xlsx), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert month_kpis("2026-10")["sales"] == 10100


def test_an_amount_merged_over_a_bills_lines_is_the_bills_once(ws):
    """D1's 3,000 merged over its two lines is the bill's total: Excel's SUM gives 3,800 with D2's 800. Filled down it
    loaded 3,000 twice (6,800). The second line, with no amount of its own, is rejected and listed."""
    path = ws / "收费单.xlsx"
    wb = xlsxwriter.Workbook(path)
    sheet = wb.add_worksheet("收费明细")
    sheet.write_row(0, 0, ["单号", *HEAD])
    for col, value in enumerate(["D1", "2026-10-01", "C001"]):
        sheet.merge_range(1, col, 2, col, value)
    sheet.write(1, 3, "水光针")
    sheet.write(2, 3, "玻尿酸")
    sheet.merge_range(1, 4, 2, 4, 3000)
    sheet.write_row(3, 0, ["D2", "2026-10-02", "C002", "热玛吉", 800])
    wb.close()
    result = run_cli("import", str(path), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert month_kpis("2026-10")["sales"] == 3800


def test_a_text_formula_without_its_result_is_no_item(ws):
    """项目 = VLOOKUP(…) saved by openpyxl without a result loaded as the item "=VLOOKUP(B2,items,2,0)"."""
    rows = [[d, c, f"=VLOOKUP(B{i},items,2,0)", a] for i, (d, c, _item, a) in enumerate(LINES, start=2)]
    refused = run_cli("import", _openpyxl_book(ws / "vlookup.xlsx", HEAD, rows), "--clinic", "本院")
    assert refused.exit_code == 1
    assert "a formula saved without its result" in refused.output


def test_a_formula_whose_result_is_zero_is_read_when_the_writer_computed_the_others(ws):
    """A gift line's =E*F is 0 for real; xlsxwriter saved the other results, so its 0 is one too: 10,100 + 0."""
    rows = [*LINES, ("2026-10-04", "C004", "赠送面膜", 0)]
    path = _formula_workbook(ws / "公式.xlsx", with_values=True, rows=rows)
    result = run_cli("import", str(path), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert _q(ws, "SELECT count(*), sum(paid_amount)::DOUBLE FROM orders") == [(7, 10100.0)]


@pytest.mark.parametrize("variant", ["gb2312", "utf-16", "no declaration"])
def test_xml_spreadsheets_in_other_encodings_and_without_a_declaration_are_read(ws, variant):
    path = _spreadsheet_xml(ws / "收费明细.xls")
    text = path.read_text(encoding="utf-8")
    if variant == "gb2312":
        path.write_bytes(text.replace('encoding="utf-8"', 'encoding="gb2312"').encode("gb18030"))
    elif variant == "utf-16":
        path.write_bytes(text.replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16"))
    else:
        path.write_text(text.split("\n", 2)[2], encoding="utf-8")
    result = run_cli("import", str(path), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert month_kpis("2026-10")["sales"] == 8000.5


def test_an_xml_spreadsheet_with_a_stray_cell_far_away_is_refused_at_once(ws):
    """One cell at row 1,000,000 made a frame of millions of empty rows: 44 s, 5 GB, then a traceback."""
    path = ws / "stray.xls"
    path.write_text(
        f'<?xml version="1.0"?>\n{NAMESPACES}<Worksheet ss:Name="S"><Table>'
        '<Row><Cell><Data ss:Type="String">收费日期</Data></Cell><Cell><Data ss:Type="String">x</Data></Cell></Row>'
        '<Row ss:Index="1000000"><Cell ss:Index="200"><Data ss:Type="String">x</Data></Cell></Row>'
        "</Table></Worksheet></Workbook>",
        encoding="utf-8",
    )
    result = run_cli("import", str(path), "--clinic", "本院")
    assert result.exit_code == 1 and "is far larger than its 3 cells" in result.output
