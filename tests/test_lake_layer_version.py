"""A lake whose semantic layer another aesops version wrote, opened by an analysis through the CLI against a
real PostgreSQL (tests/test_lake.py's cluster): an older layer at the current snapshot is upgraded once, in
place, nothing lost, and the answers are the hand-worked ones; a past snapshot of an older layer (--as-of) is
refused in the reader's language, as is a newer aesops's layer; a reader that may not write is told what to run,
and that works. One small lake (tests/test_layer_v8.py's orders), several checks: seconds, not minutes."""

from __future__ import annotations

import json
import random
import tomllib
from pathlib import Path

from aesthetic_cli.warehouse import derived
from aesthetic_cli.warehouse_lake import _attach, current_snapshot, layer_version
from tests.conftest import layer_rows, run_cli, write_csv
from tests.test_lake import lake_workspace, pg  # noqa: F401  (pg: the session's PostgreSQL cluster)
from tests.test_layer_v8 import LAST_ITEMS, ORDERS

# By hand (tests/test_layer_v8.py): as of the data's last day, 2025-12-31, H and J are overdue; October's sales
# are A's 光子 on 10-02 (2000) and K's on 10-29 (1500).
OVERDUE = ("customers", "reactivate", "--date", "2025-12-31")
OCTOBER = ("funnel", "--month", "2025-10")
# A layer version past this aesops's, as a later release would write it.
NEWER = str(int(derived.LAYER_VERSION) + 1)
# Enough customers for the repurchase model to fit (30 with a deal, 10 repeating, at least): the count of overdue
# customers it comes with reads customer_deals.last_items (layer 8), the column whose absence gave the traceback.
# None of them is overdue nor buys in October 2025, so the figures above stay as worked out:
# - 30 buy 洁面 on 0-4 of these days, two months apart, and once in December 2025: every 洁面 gap is 61 days or
#   more, so its median interval is too, and a last deal on or after 12-01 is due on or after 12-31.
# - 20 bought 2-4 times in 2024, each time an item nobody else buys and they never buy again: no interval, so
#   never due (they are the model's lapsed customers).
# The seed is one on which BG/NBD converges (several do not, on so few customers; asserted below).
EARLY = ["2024-06-05", "2024-08-05", "2024-10-05", "2024-12-05", "2025-02-05", "2025-04-05", "2025-06-05", "2025-08-05"]


def _model_customers(seed: int = 4) -> list[list[str]]:
    r = random.Random(seed)
    rows = []
    for i in range(30):
        for day in sorted(r.sample(EARLY, r.choice([0, 0, 1, 1, 2, 3, 4]))) + [f"2025-12-{r.randint(1, 28):02d}"]:
            rows.append([day, f"F{i:02d}", "洁面", str(r.randint(1, 20) * 100), "微信", "甲"])
    for i in range(20):
        for k, month in enumerate(sorted(r.sample(range(1, 13), r.randint(2, 4)))):
            day = f"2024-{month:02d}-{r.randint(1, 28):02d}"
            rows.append([day, f"D{i:02d}", f"体验{i}-{k}", str(r.randint(1, 20) * 100), "微信", "乙"])
    return rows


def _settings(db: Path) -> dict:
    return tomllib.loads(db.read_text(encoding="utf-8"))["workspace"]


def _cli(db: Path, *args: str, lang: str = "en"):
    env = {"LANG": "zh_CN.UTF-8"} if lang == "zh" else None
    return run_cli(*args, "--db", str(db), "--format", "json", env=env)


def _answer(db: Path, *args: str) -> dict:
    result = _cli(db, *args)
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)


def _raw(settings: dict, *, read_only: bool = True):
    """The lake as it stands, without aesops's layer check: what the previous version's reader saw."""
    return _attach(settings, read_only=read_only, as_of=None)


def _write(settings: dict, *statements: str) -> int:
    """Statements in one transaction (one snapshot); returns the snapshot."""
    con = _raw(settings, read_only=False)
    try:
        con.execute("BEGIN TRANSACTION")
        for sql in statements:
            con.execute(sql)
        con.execute("COMMIT")
        return current_snapshot(con)
    finally:
        con.close()


def _state(settings: dict) -> tuple[str | None, int, int, dict]:
    """(layer version, orders rows, current snapshot, every layer row)."""
    con = _raw(settings)
    try:
        version = layer_version(con)
        layer = layer_rows(con) if version == derived.LAYER_VERSION else {}
        return version, con.execute("SELECT count(*) FROM orders").fetchone()[0], current_snapshot(con), layer
    finally:
        con.close()


def _set_version(v: str) -> list[str]:
    return ["DELETE FROM layer_meta WHERE key = 'version'", f"INSERT INTO layer_meta VALUES ('version', '{v}')"]


def test_a_lake_of_another_layer_version_is_upgraded_or_refused_plainly(pg, tmp_path, monkeypatch):  # noqa: F811
    ws = tmp_path / "ws"
    db = lake_workspace(pg, ws)
    orders = write_csv(tmp_path / "orders.csv", ORDERS + _model_customers())
    imported = run_cli("import", str(orders), "--clinic", "本院", "--db", str(db))
    assert imported.exit_code == 0, imported.output
    settings = _settings(db)
    before = _answer(db, *OVERDUE)
    assert before["meta"]["overdue_customers"] == 2
    assert before["meta"]["ranking"] == "value_at_risk", before["meta"]  # the model fitted: the path that crashed
    october = _answer(db, *OCTOBER)
    assert october["kpis"][0]["sales"] == 3500
    version, orders, v8_snap, layer = _state(settings)
    assert version == derived.LAYER_VERSION and orders > len(ORDERS)

    # The lake as layer version 7 left it (the previous aesops): customer_deals without last_items.
    v7_snap = _write(settings, "ALTER TABLE customer_deals DROP COLUMN last_items", *_set_version("7"))

    # A past snapshot cannot be upgraded: an analysis of it is refused, naming its version and what works (no later
    # snapshot has version 8 yet: an analysis at the current one upgrades the lake).
    for lang, words in (
        ("en", ("version 7", "cannot upgrade a past snapshot", "any analysis without --as-of upgrades")),
        ("zh", ("版本 7", "历史快照不能升级", "任何不带 --as-of 的分析都会升级")),
    ):
        past = _cli(db, *OVERDUE, "--as-of", str(v7_snap), lang=lang)
        assert past.exit_code == 2 and "Traceback" not in past.output, past.output
        assert all(w in past.output for w in words), past.output

    # At the current snapshot an analysis upgrades it once, in place (no full rebuild), then answers as before.
    rebuilt: list[object] = []
    monkeypatch.setattr(derived, "_rebuild_all", rebuilt.append)
    assert _answer(db, *OVERDUE) == before
    assert rebuilt == []
    assert _answer(db, *OCTOBER) == october
    version, orders_after, snap, layer_after = _state(settings)
    # One snapshot more (the upgrade's one transaction), every fact and layer row as before, last_items refilled.
    assert (version, orders_after, snap) == (derived.LAYER_VERSION, orders, v7_snap + 1)
    assert layer_after == layer
    con = _raw(settings)
    last_items = dict(con.execute("SELECT customer_id, last_items FROM customer_deals").fetchall())
    assert {c: last_items[c] for c in LAST_ITEMS} == LAST_ITEMS
    con.close()
    # History stays as it was: the layer-7 snapshot is still refused, now naming the upgrade's snapshot (by number,
    # and found from a time as well), and the earlier layer-8 one is still read.
    con = _raw(settings)
    v7_time = con.execute(
        "SELECT strftime(snapshot_time AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%f+00:00') "
        "FROM ducklake_snapshots('aesops_lake') WHERE snapshot_id = $s",
        {"s": v7_snap},
    ).fetchone()[0]
    con.close()
    for as_of in (str(v7_snap), v7_time):
        past = _cli(db, *OVERDUE, "--as-of", as_of)
        assert past.exit_code == 2 and f"Snapshots from {v7_snap + 1} on have this version" in past.output, past.output
    assert _answer(db, *OCTOBER, "--as-of", str(v8_snap)) == october

    # A newer aesops's layer is refused, by readers and importers alike, and left as it is.
    newer_snap = _write(settings, *_set_version(NEWER))
    for args in (OVERDUE, ("status",)):
        newer = _cli(db, *args)
        assert newer.exit_code == 2 and "newer aesops" in newer.output, newer.output
        assert f"version {NEWER}" in newer.output, newer.output
    more = run_cli(
        "import", str(write_csv(tmp_path / "more.csv", ORDERS[:1] + ORDERS[-1:])), "--clinic", "本院", "--db", str(db)
    )
    assert more.exit_code == 2 and "newer aesops" in more.output, more.output
    assert _state(settings)[:3] == (NEWER, orders, newer_snap)
    zh = _cli(db, *OVERDUE, lang="zh")
    assert "更新版本的 aesops" in zh.output and f"版本 {derived.LAYER_VERSION}" in zh.output, zh.output

    # A reader that may not write to the lake (a read-only PostgreSQL role) cannot upgrade it: it is told who should
    # run what, and once the workspace's owner ran `aesops init` there, it reads.
    _write(settings, *_set_version("7"))
    catalog = settings["catalog"]
    database = catalog.rsplit("/", 1)[1]
    psql = [str(pg.bin / "psql"), "-h", "127.0.0.1", "-p", str(pg.port), "-U", "aesops", "-d", database, "-c"]
    pg._run(*psql, "CREATE ROLE reader LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
    reader = tmp_path / "reader" / "aesops.toml"
    reader.parent.mkdir()
    reader.write_text(db.read_text(encoding="utf-8").replace("aesops@", "reader@"), encoding="utf-8")
    refused = _cli(reader, *OVERDUE)
    assert refused.exit_code == 2 and "Traceback" not in refused.output, refused.output
    assert "could not be upgraded from here: permission denied" in refused.output, refused.output
    assert "aesops init" in refused.output, refused.output
    assert _state(settings)[0] == "7"
    assert run_cli("init", str(ws)).exit_code == 0
    assert _answer(reader, *OCTOBER) == october
    assert _state(settings)[0] == derived.LAYER_VERSION
