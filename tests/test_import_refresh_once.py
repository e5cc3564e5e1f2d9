"""Several files imported by one command refresh the semantic layer once, after the last file
(derived.one_refresh), and nothing is given up for it: the layer equals a full rebuild, each file still
commits alone, and a process killed between its last file and the refresh leaves a warehouse that the
next command reads right.

The world is test_funnel_channels' October (five customers A–E, its docstring has the story), and
before the command under test a customers file adds G, with phone 13800000007 and no channel.
The command under test then imports, in one go:
  orders      12-21: D 水光针 1,200; B refund −500; F (new) 光子嫩肤 2,600; G 玻尿酸 3,000
  visits      12-21: D 复诊 大众点评; F untyped 抖音
  treatments  12-21: E 双眼皮 4,900 (E has nothing else that day: only this batch brings E into scope)
  leads       12-01: 小红书, phone 13800000007, no customer id (links to G by phone alone)
G has no source_channel and no visit, so G's channel is that of the lead linked by phone: 小红书.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from aesthetic_cli.importer.load import import_file, import_files
from aesthetic_cli.warehouse import connect, derived
from tests.conftest import layer_rows, run_cli, write_csv
from tests.test_funnel_channels import world  # noqa: F401  (the fixture)

DAY = {
    "day_orders.csv": [
        ["收费日期", "顾客编号", "项目", "实收金额", "支付方式", "咨询师"],
        ["2025-12-21", "D", "水光针", "1200", "微信", "李四"],
        ["2025-12-21", "B", "水光针", "-500", "微信", "李四"],
        ["2025-12-21", "F", "光子嫩肤", "2600", "储值卡", "王五"],
        ["2025-12-21", "G", "玻尿酸", "3000", "微信", "王五"],
    ],
    "day_visits.csv": [
        ["到院日期", "顾客编号", "就诊类型", "渠道", "现场咨询师"],
        ["2025-12-21", "D", "复诊", "大众点评", "李四"],
        ["2025-12-21", "F", "", "抖音", "王五"],
    ],
    "day_treatments.csv": [["治疗日期", "顾客编号", "项目", "消耗金额"], ["2025-12-21", "E", "双眼皮", "4900"]],
    "day_leads.csv": [["咨询日期", "渠道", "手机号", "预约日期"], ["2025-12-01", "小红书", "13800000007", ""]],
}


@pytest.fixture
def before(world, ws):  # noqa: F811
    """The October world and customer G (a customers file: a full rebuild), then closed."""
    g = write_csv(ws / "g.csv", [["顾客编号", "手机号", "来源渠道"], ["G", "13800000007", ""]])
    import_file(world, g, clinic="本院")
    world.close()
    return ws / "aesops.duckdb"


def _day_files(ws: Path) -> list[Path]:
    return [write_csv(ws / name, rows) for name, rows in DAY.items()]


def _rebuilt_copy(db: Path) -> dict:
    """Every layer table as a full rebuild of a copy of the warehouse gives it."""
    copy = db.with_name("rebuilt.duckdb")
    shutil.copy(db, copy)
    con = duckdb.connect(str(copy))
    try:
        derived.rebuild(con)
        return layer_rows(con)
    finally:
        con.close()


def _check_by_hand(con) -> None:
    # G: no source_channel, no visit, so the channel of the lead linked by phone: 小红书.
    assert con.execute("SELECT channel FROM customer_first WHERE customer_id = 'G'").fetchone() == ("小红书",)
    assert con.execute("SELECT channel, net FROM order_days WHERE customer_id = 'G'").fetchall() == [("小红书", 3000)]
    # F: new, first seen 12-21 by an untyped first visit (so a first reception), channel from that visit.
    assert con.execute("SELECT first_receptions, channel FROM visit_days WHERE customer_id = 'F'").fetchall() == [
        (1, "抖音")
    ]
    # E: 9,800 in October + 4,900 on 12-21 in treatment_days.
    assert con.execute("SELECT sum(consumption) FROM treatment_days WHERE customer_id = 'E'").fetchone()[0] == 14_700
    # D: deals on 08-20, 10-10, 10-20 and now 12-21 (4,800 + 2,000 + 1,000 + 1,200 = 9,000).
    assert con.execute("SELECT deal_days, lifetime_sales FROM customer_deals WHERE customer_id = 'D'").fetchone() == (
        4,
        9000,
    )
    # B: 3,000 on 10-05, −1,000 on 11-03, −500 on 12-21: lifetime 1,500, still one deal day.
    assert con.execute("SELECT deal_days, lifetime_sales FROM customer_deals WHERE customer_id = 'B'").fetchone() == (
        1,
        1500,
    )
    # 水光针 bought twice by D (10-20, 12-21: 62 days apart); B's 12-21 line is a refund.
    assert con.execute("SELECT repeats, median_interval_days FROM item_intervals WHERE item = '水光针'").fetchone() == (
        1,
        62.0,
    )
    assert con.execute("SELECT count(*) FROM layer_pending").fetchone()[0] == 0


def test_one_command_of_four_files_refreshes_once_as_a_rebuild_would(before, ws):
    result = run_cli("import", *map(str, _day_files(ws)), "--db", str(before))
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(before), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 7 + 4
        _check_by_hand(con)
        layer = layer_rows(con)
    finally:
        con.close()
    assert layer == _rebuilt_copy(before)


def test_the_refresh_runs_once_scoped_to_every_batch(before, ws, monkeypatch):
    calls: list = []
    real = derived.refresh
    monkeypatch.setattr(derived, "refresh", lambda con, **kw: calls.append(kw) or real(con, **kw))
    con = connect(before)
    try:
        results = import_files(con, _day_files(ws), clinic="本院")
        assert len(calls) == 1
        assert sorted(calls[0]["batches"]) == sorted((r.batch_id, r.dataset) for r in results)
        _check_by_hand(con)
    finally:
        con.close()


def test_a_failed_file_in_the_middle_leaves_the_others_and_a_current_layer(before, ws):
    files = _day_files(ws)
    # Every amount unreadable: refused whole, its transaction never commits.
    bad = write_csv(ws / "bad_orders.csv", [["收费日期", "顾客编号", "项目", "实收金额"], *[["x", "Z", "y", "?"]] * 3])
    result = run_cli("import", str(files[0]), str(bad), *map(str, files[1:]), "--db", str(before))
    assert result.exit_code != 0
    assert "bad_orders.csv" in result.output
    con = duckdb.connect(str(before), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM orders WHERE customer_id = 'Z'").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 7 + 4
        _check_by_hand(con)
        layer = layer_rows(con)
    finally:
        con.close()
    assert layer == _rebuilt_copy(before)


KILLED = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from aesthetic_cli.importer.load import import_file
    from aesthetic_cli.warehouse import connect, derived

    con = connect(Path(sys.argv[1]))
    with derived.one_refresh(con):
        for f in sys.argv[2:]:
            import_file(con, Path(f), clinic="本院")
        # Every file committed, the one refresh not yet run: the worst moment to die.
        os.kill(os.getpid(), signal.SIGKILL)
""")


def _kill_before_the_refresh(db: Path, files: list[Path]) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.run([sys.executable, "-c", KILLED, str(db), *map(str, files)], env=env, capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def test_killed_between_the_files_and_the_refresh_the_next_command_answers_right(before, ws):
    _kill_before_the_refresh(before, _day_files(ws))

    # What the kill left, read with DuckDB alone: the four batches' facts, committed, with their
    # refresh still pending, so the layer is behind (F, new on 12-21, is in no day table yet).
    raw = duckdb.connect(str(before), read_only=True)
    try:
        assert raw.execute("SELECT count(*) FROM layer_pending").fetchone()[0] == 4
        assert raw.execute("SELECT count(*) FROM orders WHERE customer_id = 'F'").fetchone()[0] == 1
        assert raw.execute("SELECT count(*) FROM order_days WHERE customer_id = 'F'").fetchone()[0] == 0
    finally:
        raw.close()

    # The next command, a reader: December's sales are A's 1,500 on 12-20 and the 12-21 lines
    # (D 1,200 − B 500 + F 2,600 + G 3,000): 7,800. The layer as the kill left it says 1,500.
    result = run_cli("funnel", "--month", "2025-12", "--format", "json", "--db", str(before))
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    rows = next(v for k, v in answer.items() if k != "meta")
    assert [r["sales"] for r in rows] == [7800], rows
    con = duckdb.connect(str(before), read_only=True)
    try:
        _check_by_hand(con)
        layer = layer_rows(con)
    finally:
        con.close()
    assert layer == _rebuilt_copy(before)


def test_killed_before_the_refresh_then_another_import_leaves_a_current_layer(before, ws):
    files = _day_files(ws)
    _kill_before_the_refresh(before, files[:2])  # orders and visits, refresh pending
    # Any command that opens the warehouse to write (targets, batches, import) finds the layer current.
    con = connect(before)
    try:
        assert con.execute("SELECT count(*) FROM layer_pending").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM order_days WHERE customer_id = 'F'").fetchone()[0] == 1
    finally:
        con.close()
    # Then an import of the rest.
    result = run_cli("import", *map(str, files[2:]), "--db", str(before))
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(before), read_only=True)
    try:
        _check_by_hand(con)
        layer = layer_rows(con)
    finally:
        con.close()
    assert layer == _rebuilt_copy(before)
