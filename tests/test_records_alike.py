"""Two clinics whose systems number their customers (or cards) alike: 静安店's 1001 is 王芳 and 徐汇店's 1001 is 赵敏.
Loaded as an update, the second record replaced the first and the chain counted two people as one (trial 5's D9,
D10). The file is refused, naming its rows, and the warehouse is left as it was; the same person moving clinic
stays an update. Every import runs through the CLI."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import run_cli, write_csv
from tests.test_batches_mapping import _q

CUSTOMERS = ["顾客编号", "姓名", "手机号", "门店"]
CARDS = ["卡号", "顾客编号", "门店", "开卡日期", "充值金额", "余额"]


def _import(ws, name: str, rows: list[list], *extra: str):
    return run_cli("import", str(write_csv(ws / f"{name}.csv", rows)), *extra)


def test_another_clinics_customer_under_the_same_number_is_refused(ws):
    first = _import(
        ws, "静安_顾客", [CUSTOMERS, ["1001", "王芳", "13800001111", "静安店"], ["1002", "李娜", "", "静安店"]]
    )
    assert first.exit_code == 0, first.output
    before = _q(ws, "SELECT customer_id, name, phone, clinic FROM customers ORDER BY 1")
    batches = _q(ws, "SELECT count(*) FROM import_batches")
    # Row 3 is the clash: another name and phone. Row 2 is 1002 moving clinic with the same name (an update, but the
    # file is refused whole, so nothing of it lands).
    second = _import(
        ws,
        "徐汇_顾客",
        [CUSTOMERS, ["1002", "李娜", "13900002222", "徐汇店"], ["1001", "赵敏", "13700003333", "徐汇店"]],
    )
    assert second.exit_code != 0, second.output
    out = " ".join(second.output.split())
    assert "徐汇_顾客.csv: 1 rows give a 顾客编号 that another clinic's record already has" in out, out
    assert "rows 3 (1001: 静安店 → 徐汇店)" in out, out
    assert "Nothing was imported" in out
    # Names and phones are personal data: the message names rows, numbers and clinics only.
    assert "赵敏" not in out and "13700003333" not in out and "王芳" not in out
    assert _q(ws, "SELECT customer_id, name, phone, clinic FROM customers ORDER BY 1") == before
    assert _q(ws, "SELECT count(*) FROM import_batches") == batches


def test_the_same_person_moving_clinic_is_an_update(ws):
    assert _import(ws, "a", [CUSTOMERS, ["1001", "王芳", "13800001111", "静安店"]]).exit_code == 0
    # Same name, a new phone, another clinic: one person, moved.
    moved = _import(ws, "b", [CUSTOMERS, ["1001", "王芳", "13900002222", "徐汇店"]])
    assert moved.exit_code == 0, moved.output
    assert _q(ws, "SELECT customer_id, name, phone, clinic FROM customers") == [
        ("1001", "王芳", "13900002222", "徐汇店")
    ]


def test_a_file_that_numbers_two_clinics_customers_alike_is_refused(ws):
    # One chain-wide export, each clinic's 1001 on its own row: the last row used to win.
    both = _import(
        ws,
        "全部顾客",
        [CUSTOMERS, ["1001", "王芳", "13800001111", "静安店"], ["1001", "赵敏", "13700003333", "徐汇店"]],
    )
    assert both.exit_code != 0, both.output
    assert "rows 3 (1001: 静安店 → 徐汇店)" in " ".join(both.output.split())
    assert _q(ws, "SELECT count(*) FROM customers") == [(0,)]


def test_another_clinics_card_under_the_same_number_is_refused_and_the_liability_kept(ws):
    ja = [
        CARDS,
        ["K001", "JA1", "静安店", "2026-01-05", "8000", "8000"],
        ["K002", "JA2", "静安店", "2026-02-01", "5000", "5000"],
    ]
    assert _import(ws, "静安_储值卡", ja).exit_code == 0
    xh = _import(ws, "徐汇_储值卡", [CARDS, ["K001", "XH1", "徐汇店", "2026-03-01", "1000", "1000"]])
    assert xh.exit_code != 0, xh.output
    assert "rows 2 (K001: 静安店 → 徐汇店)" in " ".join(xh.output.split()), xh.output
    # 8000 + 5000 as stored; the update made it 1000 + 5000.
    assert _q(ws, "SELECT sum(balance) FROM cards") == [(Decimal("13000.00"),)]


def test_the_refusal_speaks_chinese(ws):
    assert _import(ws, "a", [CUSTOMERS, ["1001", "王芳", "13800001111", "静安店"]]).exit_code == 0
    zh = run_cli(
        "import",
        str(write_csv(ws / "b.csv", [CUSTOMERS, ["1001", "赵敏", "13700003333", "徐汇店"]])),
        env={"LANG": "zh_CN.UTF-8"},
    )
    out = " ".join(zh.output.split())
    assert (
        "b.csv：有 1 行的顾客编号已是另一家门店另一位顾客的（姓名和手机号不同；行 2 (1001: 静安店 → 徐汇店)）" in out
    ), out
    assert "各自的仓库（--db）" in out, out


def test_masked_tagged_or_nameless_records_are_updates_not_refusals(ws):
    """review11 R2: a 脱敏 export (王*, 138****1111), a tag (李娜（VIP）), a stray space (张 伟) and a file without
    names were refused as other people. A refusal needs both name and phone given on both sides, and both different."""
    stored = [
        CUSTOMERS,
        ["1001", "王芳", "13800001111", "静安店"],
        ["1002", "李娜", "13800002222", "静安店"],
        ["1003", "张伟", "13800003333", "静安店"],
        ["1004", "赵敏", "13800004444", "静安店"],
    ]
    assert _import(ws, "静安", stored).exit_code == 0
    xuhui = [
        CUSTOMERS,
        ["1001", "王*", "138****1111", "徐汇店"],
        ["1002", "李娜（VIP）", "13900002222", "徐汇店"],
        ["1003", "张 伟", "13900003333", "徐汇店"],
    ]
    moved = _import(ws, "徐汇", xuhui)
    assert moved.exit_code == 0, moved.output
    nameless = _import(ws, "徐汇_无姓名", [["顾客编号", "手机号", "门店"], ["1004", "13900004444", "徐汇店"]])
    assert nameless.exit_code == 0, nameless.output
    assert _q(ws, "SELECT customer_id, clinic FROM customers ORDER BY 1") == [
        ("1001", "徐汇店"),
        ("1002", "徐汇店"),
        ("1003", "徐汇店"),
        ("1004", "徐汇店"),
    ]


def test_a_number_on_thousands_of_rows_is_checked_in_one_pass(ws):
    # A placeholder number (0) on many rows, at two clinics with other names and phones: the 1,500 at the clinic its
    # first row is not are refused, and quickly (each row against the number's first row, not every pair).
    rows = [CUSTOMERS] + [["0", f"顾客{i}", f"139{i:08d}", "静安店" if i % 2 else "徐汇店"] for i in range(3000)]
    refused = _import(ws, "占位编号", rows)
    assert refused.exit_code != 0
    assert "1500 rows give a 顾客编号" in " ".join(refused.output.split()), refused.output


def test_a_masked_name_that_cannot_be_the_stored_one_is_still_another_person(ws):
    """recheck8 C4: with masked values not compared at all, 赵* with another phone replaced 王五's record. A masked
    value stands for what it shows: 赵* is not 王五 (refused), 王* may be 王芳 (an update)."""
    assert _import(ws, "静安", [CUSTOMERS, ["1001", "王五", "13800001111", "静安店"]]).exit_code == 0
    other = _import(ws, "徐汇", [CUSTOMERS, ["1001", "赵*", "13900009999", "徐汇店"]])
    assert other.exit_code != 0 and "rows 2 (1001: 静安店 → 徐汇店)" in " ".join(other.output.split()), other.output
    same = _import(ws, "徐汇2", [CUSTOMERS, ["1001", "王*", "13900009999", "徐汇店"]])
    assert same.exit_code == 0, same.output
