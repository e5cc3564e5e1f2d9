"""Phones and names stay masked where a new vendor's exports put them (a trial with another CRM's files):

- a rejected cell's value in the import summary and in `status --rejects`: a phone written with spaces or +86, and a
  name shifted into an amount column, were printed as they are (status had no masking and no --show-pii at all);
- a customer id that is a mobile number (CRMs that key members by phone) was listed in full by the call-back list.

Each masked as the rest of aesops masks (139****8002, 张**), and shown with --show-pii."""

from __future__ import annotations

import pytest

from aesthetic_cli.privacy import mask_value
from tests.conftest import ORDER_HEAD, run_cli, write_csv


@pytest.mark.parametrize(
    ("value", "field", "shown"),
    [
        ("13900138002", "order_date", "139****8002"),
        ("+86 139 0013 8002", "paid_amount", "139****8002"),
        ("8613900138002", "paid_amount", "139****8002"),
        ("139-0013-8002", "visit_date", "139****8002"),
        ("电话 139 0013 8002 已退", "paid_amount", "电话 139****8002 已退"),
        ("张小花", "paid_amount", "张**"),
        ("欧阳娜娜", "order_date", "欧***"),
        ("张小花", "name", "张**"),
        ("139.0013.8002", "paid_amount", "139****8002"),
        ("张三 13900138002", "paid_amount", "张* 139****8002"),
        ("6234-5678", "paid_amount", "62****78"),  # a landline: 623****4567 would still show every digit
        ("6234567", "paid_amount", "62****67"),
        # not personal: kept, so the message still says what the cell held
        ("2026-10-03", "paid_amount", "2026-10-03"),
        ("20261003", "paid_amount", "20261003"),
        ("2026.10.03 14:05", "paid_amount", "2026.10.03 14:05"),
        # what the reader must see to fix the cell: Chinese that is no name
        ("免单", "paid_amount", "免单"),
        ("赠送", "paid_amount", "赠送"),
        ("待定", "order_date", "待定"),
        ("十月八日", "order_date", "十月八日"),
        ("1,280.00元", "order_date", "1,280.00元"),
        ("水光针", "item", "水光针"),
        ("实收金额", None, "实收金额"),  # a header, not a cell of a dataset field
        ("abc", "paid_amount", "abc"),
    ],
)
def test_a_cell_in_a_message(value, field, shown):
    assert mask_value(value, field) == shown


ROWS = [
    ORDER_HEAD,
    ["2026-10-01", "C1", "水光针", "1000", "微信", "李娜"],
    ["2026-10-02", "C2", "水光针", "1200", "微信", "李娜"],
    ["2026-10-03", "C3", "水光针", "1500", "微信", "李娜"],
    ["2026-10-04", "C4", "水光针", "张小花", "微信", "李娜"],  # a name shifted into the amount
    ["+86 139 0013 8002", "C5", "水光针", "900", "微信", "李娜"],  # a phone in the date
]


def test_rejected_cells_are_masked_in_the_summary_and_in_status(ws):
    path = write_csv(ws / "收费.csv", ROWS)
    r = run_cli("import", str(path))
    assert r.exit_code == 0, r.output
    said = r.output
    assert "张**" in said and "139****8002" in said, said
    assert "张小花" not in said and "0013" not in said and "13900138002" not in said

    listed = run_cli("status", "--rejects", "--format", "csv")
    assert listed.exit_code == 0, listed.output
    rows = listed.stdout.split("# rejects", 1)[1]
    assert "张**" in rows and "139****8002" in rows, rows
    assert "张小花" not in listed.stdout and "0013" not in listed.stdout

    shown = run_cli("status", "--rejects", "--format", "csv", "--show-pii")
    assert "张小花" in shown.stdout and "+86 139 0013 8002" in shown.stdout, shown.stdout


def test_a_customer_id_that_is_a_phone_is_masked_in_the_lists(ws):
    # Members keyed by their mobile: two deal days of 水光针 ten days apart, then nothing for weeks (overdue).
    rows = [
        ORDER_HEAD,
        ["2026-09-01", "139 1111 2222", "水光针", "1680", "微信", "李娜"],
        ["2026-09-11", "139 1111 2222", "水光针", "1680", "微信", "李娜"],
        ["2026-09-01", "M0001", "水光针", "1680", "微信", "李娜"],
        ["2026-09-11", "M0001", "水光针", "1680", "微信", "李娜"],
        ["2026-11-02", "M0002", "光子嫩肤", "980", "微信", "李娜"],
    ]
    assert run_cli("import", str(write_csv(ws / "收费.csv", rows))).exit_code == 0
    r = run_cli("customers", "reactivate", "--format", "csv")
    assert r.exit_code == 0, r.output
    ids = [line.split(",")[0] for line in r.stdout.lstrip("\ufeff").splitlines()[1:]]
    assert sorted(ids) == ["139****2222", "M0001"], r.stdout  # an id that is no phone is kept: it is how one looks
    shown = run_cli("customers", "reactivate", "--format", "csv", "--show-pii")
    assert "139 1111 2222" in shown.stdout


def test_predict_lists_phone_ids_in_the_order_of_the_ids_themselves(ws):
    """customers predict sorted after masking: ties of expected sales were ordered by the masked ids (139****0099
    after 139****0000), not as the unmasked list orders them. Pairs of customers share a history (so their
    expected sales tie); within a pair the first id in true order is the last in masked order."""
    from datetime import date, timedelta

    rows = [ORDER_HEAD]
    for k in range(20):
        first = date(2026, 1, 1) + timedelta(days=3 * k)
        again = first + timedelta(days=20 + 7 * k)
        for cid in (f"1390000{k:02d}99", f"1391111{k:02d}00"):
            rows += [[str(first), cid, "水光针", str(1000 + 37 * k), "微信", "李娜"]]
            rows += [[str(again), cid, "水光针", str(900 + 53 * k), "微信", "李娜"]]
    rows += [["2026-10-31", "M1", "光子嫩肤", "800", "微信", "李娜"]]
    assert run_cli("import", str(write_csv(ws / "收费.csv", rows))).exit_code == 0
    masked = run_cli("customers", "predict", "--format", "csv")
    shown = run_cli("customers", "predict", "--format", "csv", "--show-pii")
    assert masked.exit_code == shown.exit_code == 0, masked.output

    def ids(r) -> list[str]:
        return [line.split(",")[0] for line in r.stdout.lstrip("\ufeff").splitlines()[1:] if line]

    true_ids = ids(shown)
    assert len(true_ids) == 41
    assert ids(masked) == [x if not x.startswith("139") else x[:3] + "****" + x[-4:] for x in true_ids]
