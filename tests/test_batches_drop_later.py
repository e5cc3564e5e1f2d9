"""`aesops batches drop` of a batch that later exports built on: refused for records as for lines (trial 7's F3: a
middle day's spend dropped, and the later exports that carried it had skipped it as a duplicate), and only for the
later batches whose days meet its own (F5: every later batch of the dataset was named)."""

from __future__ import annotations

from tests.conftest import run_cli, write_csv
from tests.test_batches_mapping import _batch_ids, _q

SPEND = ["日期", "渠道", "投放金额"]
ORDERS = ["收费日期", "顾客编号", "项目名称", "实收金额"]


def _import(ws, name: str, rows: list[list], kind: str) -> int:
    r = run_cli("import", str(write_csv(ws / name, rows)), "--kind", kind)
    assert r.exit_code == 0, r.output
    return _batch_ids(ws)[-1][0]


def test_a_spend_batch_a_later_export_carries_cannot_be_dropped_alone(ws):
    first = _import(
        ws, "投放_0918-0920.csv", [SPEND, *[[f"2026-09-{d}", "抖音", "100"] for d in (18, 19, 20)]], "spend"
    )
    later = _import(
        ws, "投放_0919-0921.csv", [SPEND, *[[f"2026-09-{d}", "抖音", "100"] for d in (19, 20, 21)]], "spend"
    )
    refused = run_cli("batches", "drop", str(first))
    assert refused.exit_code == 2 and f"later batch(es) {later}" in refused.stderr, refused.stderr
    assert "Drop those 1 later batches first" in refused.stderr, refused.stderr
    assert _q(ws, "SELECT count(*), sum(amount) FROM spend") == [(4, 400)]
    # Newest first, both go.
    assert run_cli("batches", "drop", str(later)).exit_code == 0
    assert run_cli("batches", "drop", str(first)).exit_code == 0
    assert _q(ws, "SELECT count(*) FROM spend") == [(0,)]


def test_later_batches_of_other_days_do_not_block_a_drop(ws):
    oct1 = _import(ws, "收费_1001.csv", [ORDERS, ["2026-10-01", "C1", "水光针", "1000"]], "orders")
    oct2 = _import(ws, "收费_1002.csv", [ORDERS, ["2026-10-02", "C2", "水光针", "800"]], "orders")
    again = [ORDERS, ["2026-10-02", "C2", "水光针", "800"], ["2026-10-02", "C3", "光子", "500"]]
    later = _import(ws, "收费_1002_again.csv", again, "orders")
    # 10-01's batch: the later ones hold 10-02 only, and could not have skipped a line of it.
    assert run_cli("batches", "drop", str(oct1)).exit_code == 0
    # 10-02's first batch: the re-export skipped its line.
    refused = run_cli("batches", "drop", str(oct2))
    assert refused.exit_code == 2 and f"later batch(es) {later} of orders" in refused.stderr, refused.stderr
    assert _q(ws, "SELECT customer_id FROM orders ORDER BY 1") == [("C2",), ("C3",)]


def test_the_batch_list_names_the_clinics_of_its_rows(ws):
    """A file that names its clinics in a 门店 column: the list shows them, not the --clinic default it was given
    (trial 6 E5, trial 7 F8: blank, or 本院 for rows of 浦东店 and 静安店)."""
    rows = [
        [*ORDERS, "门店"],
        ["2026-10-01", "C1", "水光针", "1000", "静安店"],
        ["2026-10-01", "C2", "水光针", "800", "浦东店"],
    ]
    _import(ws, "收费.csv", rows, "orders")
    import json

    listed = json.loads(run_cli("batches", "--format", "json").stdout)["batches"]
    assert [b["clinic"] for b in listed] == ["浦东店, 静安店"]
    table = run_cli("batches", env={"COLUMNS": "200"})
    assert "浦东店, 静安店" in table.stdout and "本院" not in table.stdout, table.stdout
