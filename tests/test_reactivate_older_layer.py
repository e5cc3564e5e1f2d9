"""customers reactivate on a warehouse whose layer an older aesops left (layer 7: customer_deals without
last_items) answers as on a current one, through the CLI: every connection brings the layer up to this version
before an analysis reads it (warehouse/connection.py on a file; on a lake tests/test_lake_layer_version.py), so no
analysis guards against a missing column itself (the review found a BinderException traceback on a lake, which
was first patched with such a guard). A newer aesops's layer is refused, and left as it was."""

from __future__ import annotations

import json
import shutil

import duckdb

from aesthetic_cli.warehouse import derived
from aesthetic_cli.sample.bundled import sample_files
from tests.conftest import ORDER_HEAD, run_cli, write_csv

REACTIVATE = ("customers", "reactivate", "--limit", "5", "--format", "json")


def test_reactivate_on_a_layer_7_warehouse_upgrades_it_and_answers_as_before(sample_db, tmp_path):
    current = run_cli(*REACTIVATE, "--db", str(sample_db))
    assert current.exit_code == 0, current.output
    before = json.loads(current.stdout)
    assert before["meta"]["overdue_customers"] > 0 and len(before["reactivate"]) == 5

    older = tmp_path / "older.duckdb"
    shutil.copy(sample_db, older)
    con = duckdb.connect(str(older))
    con.execute("ALTER TABLE customer_deals DROP COLUMN last_items")
    con.execute("UPDATE layer_meta SET value = '7' WHERE key = 'version'")
    con.close()
    after = run_cli(*REACTIVATE, "--db", str(older))
    assert after.exit_code == 0 and "Traceback" not in after.output, after.output
    assert json.loads(after.stdout) == before
    con = duckdb.connect(str(older), read_only=True)
    assert con.execute("SELECT value FROM layer_meta WHERE key = 'version'").fetchone()[0] == derived.LAYER_VERSION
    assert con.execute("SELECT count(last_items) FROM customer_deals").fetchone()[0] > 0
    con.close()


def test_a_newer_layer_is_refused_and_left_as_it_was(sample_db, tmp_path):
    newer = tmp_path / "newer.duckdb"
    shutil.copy(sample_db, newer)
    con = duckdb.connect(str(newer))
    con.execute("UPDATE layer_meta SET value = '99' WHERE key = 'version'")
    con.close()
    refused = run_cli(*REACTIVATE, "--db", str(newer))
    assert refused.exit_code == 2 and "newer aesops" in refused.output and "version 99" in refused.output
    # A writer too: an import is refused before it writes anything.
    orders = write_csv(tmp_path / "orders.csv", [ORDER_HEAD, ["2026-10-31", "Z1", "光子", "100", "微信", "甲"]])
    imported = run_cli("import", str(orders), "--clinic", "静安店", "--db", str(newer))
    assert imported.exit_code == 2 and "newer aesops" in imported.output, imported.output
    zh = run_cli(*REACTIVATE, "--db", str(newer), env={"LANG": "zh_CN.UTF-8"})
    assert zh.exit_code == 2 and "更新版本的 aesops" in zh.output, zh.output
    con = duckdb.connect(str(newer), read_only=True)
    assert con.execute("SELECT value FROM layer_meta WHERE key = 'version'").fetchone()[0] == "99"
    assert con.execute("SELECT count(*) FROM import_batches").fetchone() == (len(sample_files()),)
    con.close()
