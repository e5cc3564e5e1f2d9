"""A fourth CRM vendor's exports (a trial with files aesops had not seen), through the CLI. Each test is a defect
that loaded wrong numbers with exit 0, or said one thing and did another, before its fix; expected figures are
worked out by hand."""

from __future__ import annotations


import pytest

from tests.conftest import month_kpis, run_cli, write_csv, write_xlsx
from tests.test_batches_mapping import _q

HEAD = ["收费日期", "顾客编号", "项目"]


def _sales(month: str = "2026-10") -> float:
    return month_kpis(month)["sales"]


@pytest.mark.parametrize("header", ["实收金额/分", "实收金额_分", "Net Amount (cents)"])
def test_an_amount_in_fen_spelled_without_brackets_is_refused_and_its_mapping_converts_it(ws, header):
    """168000 + 1280000 fen is 14,480 yuan; read as yuan it was 1,448,000 with exit 0."""
    path = write_csv(
        ws / "收费.csv",
        [[*HEAD, header], ["2026-10-01", "C1", "水光针", "168000"], ["2026-10-02", "C2", "热玛吉", "1280000"]],
    )
    refused = run_cli("import", str(path), "--clinic", "本院")
    assert refused.exit_code != 0
    assert "is in 分 but aesops reads amounts in yuan" in refused.output
    mapping = ws / "收费.csv.aesops-mapping.toml"
    assert run_cli("import", str(path), "--clinic", "本院", "--mapping", str(mapping)).exit_code == 0
    assert _sales() == 14480


def test_an_amount_in_another_currency_is_refused_and_not_converted(ws):
    path = write_csv(ws / "sales.csv", [[*HEAD, "Net Amount (USD)"], ["2026-10-01", "C1", "水光针", "100"]])
    refused = run_cli("import", str(path), "--clinic", "本院")
    assert refused.exit_code != 0
    assert "is in USD" in refused.output
    mapping = (ws / "sales.csv.aesops-mapping.toml").read_text(encoding="utf-8")
    assert '# "Net Amount (USD)" = "paid_amount"' in mapping and "[computed]" not in mapping


@pytest.mark.parametrize(
    ("header", "value", "verdict"),
    [("实收金额(万元)", "0.15", "不会导入"), ("实收金额(K)", "1.5", "不会导入"), ("实收金额", "1500", "会导入。")],
)
def test_explain_says_what_the_import_does(ws, header, value, verdict):
    """--explain said 会导入 for a file the import then refused for its unit."""
    path = write_csv(ws / "收费.csv", [[*HEAD, header], ["2026-10-01", "C1", "水光针", value]])
    result = run_cli("--lang", "zh", "import", str(path), "--explain")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].strip().startswith(verdict)
    imported = run_cli("import", str(path), "--clinic", "本院")
    assert (imported.exit_code == 0) == (verdict == "会导入。")


def test_lines_that_give_money_back_with_a_positive_amount_are_refunds(ws):
    """A refund keyed with a positive amount, said by its item (退费-水光针, 玻尿酸(退款)), a negative quantity, or a
    收支类型 of 支出 or 红冲: each subtracts (the vendor's file gave 39,920 for 1,960). Worked line by line below."""
    write_csv(ws / "收费.csv", REFUND_ROWS)
    assert run_cli("import", str(ws / "收费.csv"), "--clinic", "本院").exit_code == 0
    assert _sales() == 1680 + 12800 + 2200 - 1680 - 1000 - 2800 + 980 - 480 - 500


def test_both_import_paths_read_the_refunds_alike(ws, monkeypatch):
    from tests.test_import_setwise import _import_both, _without_times

    path = write_csv(ws / "o.csv", REFUND_ROWS)
    fast, fast_snap, ref, ref_snap = _import_both(ws, monkeypatch, path, clinic="本院")
    assert _without_times(fast_snap) == _without_times(ref_snap)


REFUND_ROWS = [
    ["收费日期", "顾客编号", "项目", "实收金额", "数量", "收支类型"],
    ["2026-10-01", "C1", "水光针", "1680", "1", "收入"],  # + 1,680
    ["2026-10-01", "C2", "热玛吉", "12800", "1", "收入"],  # + 12,800
    ["2026-10-02", "C3", "玻尿酸", "2200", "1", "收入"],  # + 2,200
    ["2026-10-03", "C1", "退费-水光针", "1680", "1", "收入"],  # − 1,680 (item)
    ["2026-10-03", "C3", "玻尿酸(退款)", "1000", "1", "收入"],  # − 1,000 (item)
    ["2026-10-04", "C2", "热玛吉", "2800", "-1", "收入"],  # − 2,800 (quantity)
    ["2026-10-05", "C4", "光子嫩肤", "980", "1", "收入"],  # + 980
    ["2026-10-05", "C4", "光子嫩肤", "480", "1", "支出"],  # − 480 (支出)
    ["2026-10-06", "C2", "热玛吉", "500", "1", "红冲"],  # − 500 (红冲)
]


@pytest.mark.parametrize(
    ("dates", "proposed", "loaded"),
    [
        (["26-10-01", "26-10-15"], "%y-%m-%d", ("2026-10-01", "2026-10-15")),
        (["15/10/26", "16/10/26"], "%d/%m/%y", ("2026-10-15", "2026-10-16")),
    ],
)
def test_a_two_digit_year_is_asked_not_guessed(ws, dates, proposed, loaded):
    """26-10-01 loaded as 2001-10-26 (its 26 read as a day), with exit 0: the data's last day moved to 2031. A
    two-digit year that reads year first too is a doubt; the mapping proposes the reading that makes dates recent."""
    path = write_csv(
        ws / "收费.csv", [[*HEAD, "实收金额"], *[[d, f"C{i}", "水光针", "100"] for i, d in enumerate(dates)]]
    )
    refused = run_cli("import", str(path), "--clinic", "本院")
    assert refused.exit_code != 0 and "two-digit year" in refused.output
    mapping = ws / "收费.csv.aesops-mapping.toml"
    assert f'date_format = "{proposed}"' in mapping.read_text(encoding="utf-8")
    assert run_cli("import", str(path), "--clinic", "本院", "--mapping", str(mapping)).exit_code == 0
    assert [str(d) for (d,) in _q(ws, "SELECT order_date FROM orders ORDER BY 1")] == list(loaded)


def test_one_two_digit_year_among_full_dates_is_rejected_not_read_as_a_day(ws):
    """A file of 2026-10-01 dates with one 26-10-11: the one cell is unreadable (rejected, listed); it set the
    whole file's order to day-first and loaded as 2011-10-26."""
    rows = [[*HEAD, "实收金额"], ["2026-10-01", "C1", "水光针", "100"], ["26-10-11", "C2", "水光针", "100"]]
    rows += [["2026-10-02", "C3", "水光针", "100"], ["2026-10-03", "C4", "水光针", "100"]]
    path = write_csv(ws / "收费.csv", rows)
    result = run_cli("import", str(path), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert _q(ws, "SELECT min(order_date)::VARCHAR, max(order_date)::VARCHAR, count(*) FROM orders") == [
        ("2026-10-01", "2026-10-03", 3)
    ]
    assert _q(ws, "SELECT row_number, value FROM rejects") == [(3, "26-10-11")]


def test_the_same_file_for_another_clinic_is_refused_not_counted_twice(ws):
    """A file without a clinic column imported with --clinic 静安店 and again with --clinic 徐汇店: the chain's sales
    were doubled (16,280 for 8,140). The second import is refused, naming the first; dropping that batch lets the
    file go to the right clinic."""
    path = write_csv(
        ws / "收费.csv",
        [[*HEAD, "实收金额"], ["2026-10-01", "C1", "水光针", "1680"], ["2026-10-02", "C2", "热玛吉", "6460"]],
    )
    assert run_cli("import", str(path), "--clinic", "静安店").exit_code == 0
    again = run_cli("import", str(path), "--clinic", "徐汇店")
    assert again.exit_code != 0
    assert "imported for clinic '静安店' in batch 1" in again.output and "batches drop 1" in again.output
    assert _sales() == 8140
    assert run_cli("batches", "drop", "1").exit_code == 0
    assert run_cli("import", str(path), "--clinic", "徐汇店").exit_code == 0
    assert _q(ws, "SELECT clinic, sum(paid_amount)::INTEGER FROM orders GROUP BY 1") == [("徐汇店", 8140)]


TSV = "收费日期\t顾客编号\t项目名称\t实收金额\r\n2026-10-01\tK1\t水光针\t1680\r\n2026-10-02\tK2\t热玛吉\t12800\r\n"


@pytest.mark.parametrize("encoding", ["gbk", "utf-16", "utf-8"])
def test_an_xls_that_is_tab_separated_text_is_read_as_text(ws, encoding):
    """Many CRMs save 'Excel' exports as tab-separated text named .xls: it was refused with calamine's English
    'Invalid OLE … not an office document?'."""
    path = ws / "收费明细.xls"
    path.write_bytes(TSV.encode(encoding))
    result = run_cli("import", str(path), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert _sales() == 1680 + 12800


def test_an_xls_that_is_a_web_page_is_refused_in_the_reader_s_language(ws):
    path = ws / "收费明细.xls"
    path.write_text("<html><body><table><tr><td>收费日期</td></tr></table></body></html>", encoding="utf-8")
    result = run_cli("--lang", "zh", "import", str(path), "--clinic", "本院")
    assert result.exit_code != 0
    assert "是命名为 .xls 的网页（HTML）表格" in result.output and "OLE" not in result.output


def test_a_balance_split_in_two_columns_is_refused_not_half_read(ws):
    """本金余额 beside 赠金余额: the first was read as the balance and the second left unused, with exit 0, so the
    cards' liability was 16,000 for 19,000. The file is refused; a mapping summing the two gives the whole."""
    path = write_csv(
        ws / "储值卡余额.csv",
        [
            ["卡号", "会员编号", "开卡日期", "累计充值", "累计赠送", "本金余额", "赠金余额"],
            ["CD1", "V01", "2026-01-05", "10000", "2000", "5000", "1000"],
            ["CD2", "V02", "2026-02-05", "5000", "500", "0", "0"],
            ["CD3", "V03", "2026-03-05", "20000", "4000", "10000", "0"],
            ["CD4", "V04", "2026-04-05", "3000", "0", "1000", "2000"],
        ],
    )
    refused = run_cli("import", str(path), "--clinic", "本院")
    assert refused.exit_code != 0 and "赠金余额" in refused.output
    mapping = ws / "m.toml"
    mapping.write_text(
        'kind = "cards"\n[columns]\n"卡号" = "card_id"\n"会员编号" = "customer_id"\n"开卡日期" = "opened_at"\n'
        '"累计充值" = "recharge_total"\n"累计赠送" = "bonus_total"\n[computed]\nbalance = "[本金余额] + [赠金余额]"\n',
        encoding="utf-8",
    )
    assert run_cli("import", str(path), "--clinic", "本院", "--mapping", str(mapping)).exit_code == 0
    assert _q(ws, "SELECT sum(balance)::INTEGER FROM cards") == [(6000 + 0 + 10000 + 3000,)]


def test_small_spellings_a_ledger_uses(ws):
    """2,200- (a ledger's trailing minus) is −2,200, not rejected; ✗ is 'no' like ×; a consultant typed with a
    zero-width space (U+200B) is the same consultant, not a second one printing alike."""
    rows = [
        ["收费日期", "顾客编号", "项目", "实收金额", "咨询师"],
        ["2026-10-01", "C1", "热玛吉", "12,800.00", "张敏"],
        ["2026-10-02", "C1", "热玛吉", "2,200-", "\u200b张敏"],
    ]
    write_csv(ws / "收费.csv", rows)
    result = run_cli("import", str(ws / "收费.csv"), "--clinic", "本院")
    assert result.exit_code == 0 and "rejected 0" in result.output, result.output
    assert _sales() == 12800 - 2200
    assert _q(ws, "SELECT DISTINCT consultant FROM orders") == [("张敏",)]
    leads = [["咨询日期", "渠道", "手机号", "是否到院"], ["2026-10-01", "抖音", "13800138000", "✗"]]
    leads += [["2026-10-01", "抖音", "13800138001", "✓"]]
    write_csv(ws / "线索.csv", leads)
    assert run_cli("import", str(ws / "线索.csv"), "--clinic", "本院").exit_code == 0
    assert _q(ws, "SELECT arrived FROM leads ORDER BY phone") == [(False,), (True,)]


def test_a_sheet_or_file_of_refunds_reads_its_positive_amounts_as_refunds(ws):
    """收费明细.xlsx with sheets 收款明细 and 退款明细 (the same header, amounts positive): the refund of 12,800
    counted as a sale (28,260 for 2,660). A file named 退款明细 alone does the same; a name saying both (收退款明细)
    does not."""
    head = ["收费日期", "顾客编号", "项目", "实收金额"]
    paid = [head, ["2026-10-01", "C1", "热玛吉", "12800"], ["2026-10-02", "C2", "水光针", "1680"]]
    paid += [["2026-10-03", "C3", "光子嫩肤", "980"]]
    back = [head, ["2026-10-10", "C1", "热玛吉", "12800"]]
    write_xlsx(ws / "收费明细.xlsx", paid, sheet="收款明细", extra_sheets={"退款明细": back})
    result = run_cli("import", str(ws / "收费明细.xlsx"), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert "every line's amount counts as a refund" in result.output
    assert _sales() == 1680 + 980
    write_csv(ws / "退款明细_202610.csv", [head, ["2026-10-11", "C2", "水光针", "1680"]])
    assert run_cli("import", str(ws / "退款明细_202610.csv"), "--clinic", "本院").exit_code == 0
    assert _sales() == 980
    write_csv(ws / "收退款明细.csv", [head, ["2026-10-12", "C4", "水光针", "500"]])
    assert run_cli("import", str(ws / "收退款明细.csv"), "--clinic", "本院").exit_code == 0
    assert _sales() == 980 + 500


def test_both_import_paths_read_a_refunds_file_alike(ws, monkeypatch):
    from tests.test_import_setwise import _import_both, _without_times

    path = write_csv(
        ws / "退款明细.csv", [["收费日期", "顾客编号", "项目", "实收金额"], ["2026-10-11", "C2", "水光针", "1680"]]
    )
    fast, fast_snap, ref, ref_snap = _import_both(ws, monkeypatch, path, clinic="本院")
    assert _without_times(fast_snap) == _without_times(ref_snap)
    assert fast_snap["orders"] and "-1680" in str(fast_snap["orders"])


def test_day_first_two_digit_years_over_a_month_still_import(ws):
    """01/10/25 … 31/10/25: read year first, one month would spread over 2001-2031, so only day first is possible
    (a review found these refused); 25-10-01 14:20 … 25-10-31 14:20 is asked, with the time in the proposed format."""
    rows = [[*HEAD, "实收金额"], *[[f"{d:02d}/10/25", f"C{d}", "水光针", "100"] for d in range(1, 32)]]
    result = run_cli("import", str(write_csv(ws / "收费.csv", rows)), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert _sales("2025-10") == 3100
    timed = [[*HEAD, "实收金额"], ["25-10-01 14:20", "T1", "水光针", "100"], ["25-10-31 14:20", "T2", "水光针", "100"]]
    path = write_csv(ws / "收费2.csv", timed)
    assert run_cli("import", str(path), "--clinic", "本院").exit_code != 0
    mapping = ws / "收费2.csv.aesops-mapping.toml"
    assert 'date_format = "%y-%m-%d %H:%M"' in mapping.read_text(encoding="utf-8")


def test_parts_beside_their_total_and_an_items_list_for_two_clinics_still_import(ws):
    """A review found the split rule refusing files that carry the total too (余额 beside 本金余额 and 赠金余额), and
    the other-clinic rule refusing an items list, which is one row per item whichever clinic's file brings it."""
    cards = [["卡号", "顾客编号", "开卡日期", "充值金额", "赠送金额", "余额", "本金余额", "赠金余额"]]
    cards += [["K1", "C1", "2026-01-05", "10000.50", "2000.25", "6000.75", "5000.50", "1000.25"]]
    result = run_cli("import", str(write_csv(ws / "储值卡.csv", cards)), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    items = write_csv(ws / "项目.csv", [["项目名称", "科室", "标准价", "成本"], ["水光针", "皮肤科", "1000", "300"]])
    assert run_cli("import", str(items), "--clinic", "静安店").exit_code == 0
    assert run_cli("import", str(items), "--clinic", "徐汇店").exit_code == 0


def test_a_wide_text_xls_and_a_dollar_sign_alone(ws):
    """A tab-separated .xls whose header runs past 512 bytes was still refused with calamine's 'Invalid OLE'; a bare
    $ in a header is no currency aesops can name (yuan are written ¥ and $ alike in some exports)."""
    head = ["收费日期", "顾客编号", "项目名称", "实收金额", *[f"备注字段{i:02d}" for i in range(60)]]
    lines = ["\t".join(head), "\t".join(["2026-10-01", "K1", "水光针", "1680", *[""] * 60])]
    (ws / "宽表.xls").write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    result = run_cli("import", str(ws / "宽表.xls"), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert _sales() == 1680
    from aesthetic_cli.importer.recognise import header_unit

    assert header_unit("Amount ($)") is None


def test_spend_rows_added_together_are_said_to_be_added_not_skipped(ws):
    """Spend split by campaign (two 抖音 rows of one day) is summed, rightly, but the import said 重复跳过 1, as if a
    row had been dropped."""
    rows = [
        ["日期", "渠道", "计划", "消耗"],
        ["2026-10-01", "抖音", "计划A", "100"],
        ["2026-10-01", "抖音", "计划B", "200"],
    ]
    rows += [["2026-10-01", "小红书", "计划C", "50"]]
    result = run_cli("import", str(write_csv(ws / "投放.csv", rows)), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert "duplicates skipped 0" in result.output and "1 more rows were added" in result.output
    assert _q(ws, "SELECT channel, amount::INTEGER FROM spend ORDER BY 1") == [("小红书", 50), ("抖音", 300)]


def test_a_header_wrapped_in_its_cell_is_named_on_one_line(ws):
    """实收\\n金额 (a header cell wrapped in Excel) was printed raw, breaking the reject line, the unused columns' line
    and --explain across lines."""
    rows = [["收费日期", "顾客编号", "项目", "实收\n金额", "备\n注"], ["2026-10-01", "C1", "水光针", "1680", ""]]
    rows += [["2026-10-02", "C2", "水光针", "abc", "x"], ["2026-10-03", "C3", "水光针", "980", "y"]]
    path = write_xlsx(ws / "收费.xlsx", rows)
    result = run_cli("import", str(path), "--clinic", "本院")
    assert result.exit_code == 0, result.output
    assert "column '实收 金额'" in result.output and "columns not used: 备 注" in result.output
    explained = run_cli("import", str(path), "--explain")
    assert "  实收 金额 " in explained.output
