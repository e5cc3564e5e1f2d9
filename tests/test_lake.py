"""A chain's shared warehouse on DuckLake, against a real PostgreSQL server these tests start themselves:
the same answers as a file workspace, concurrent imports and readers, snapshots and --as-of, lake push."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import child_env, run_cli, write_csv
from tests.pg_cluster import start_cluster, stop_cluster
from tests.test_same_file_at_once import _import_at_once, _loaded_once, _same_file_orders

# Every analysis the catalog offers, with options that give each a full answer on the sample data.
ANALYSES = [
    ("funnel", "--month", "2026-10"),
    ("funnel", "--month", "2026-10", "--by", "channel"),
    ("channels", "--month", "2025-10"),
    ("consultants",),
    ("cohorts", "--by", "channel"),
    ("items", "--month", "2026-10"),
    ("customers", "rfm"),
    ("customers", "reactivate", "--limit", "50"),
    ("customers", "cards"),
    ("targets", "split", "--year", "2027", "--growth", "0.15"),
]


@pytest.fixture(scope="session")
def pg():
    cluster, root = start_cluster()
    yield cluster
    stop_cluster(cluster, root)


def lake_workspace(pg, folder: Path, clinic: str = "本院") -> Path:
    """`aesops init --catalog --data-path` on a fresh database; returns the aesops.toml that --db takes."""
    result = run_cli(
        "init",
        str(folder),
        "--clinic",
        clinic,
        "--catalog",
        pg.new_database(),
        "--data-path",
        str(folder / "lake_data"),
    )
    assert result.exit_code == 0, result.output
    return folder / "aesops.toml"


def json_lines(obj: dict) -> list[str]:
    """JSON as lines, so a failed comparison shows the differing fields. Floats to 12 significant
    digits: a rate summed in another order may differ in its 17th digit (as between two runs of the
    file warehouse on more threads); amounts in yuan keep every cent at that precision."""

    def plain(v):
        if isinstance(v, float):
            return float(f"{v:.12g}")
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return v

    return json.dumps(plain(obj), ensure_ascii=False, indent=1, sort_keys=True).splitlines()


def unordered(obj: dict) -> dict:
    """Rows in a canonical order: these synthetic clinics tie on scores, and the order among equal
    ranks is not defined by the scorecard (only the shared rank is)."""
    return {
        k: sorted(v, key=lambda r: json.dumps(r, sort_keys=True)) if isinstance(v, list) else v for k, v in obj.items()
    }


def answer(db: Path, *args: str, as_of: str | None = None) -> dict:
    extra = ("--as-of", as_of) if as_of else ()
    result = run_cli(*args, "--db", str(db), "--format", "json", *extra)
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)


def sample_lake(pg, folder: Path) -> Path:
    """The bundled sample imported into a lake: the costliest setup here (a minute or more on a loaded
    machine), so one test reads it for every check, rather than a fixture that pytest-xdist's workers
    would each build again."""
    from aesthetic_cli.sample.bundled import sample_files

    db = lake_workspace(pg, folder)
    result = run_cli("import", *map(str, sample_files()), "--clinic", "静安店", "--db", str(db))
    assert result.exit_code == 0, result.output
    return db


def test_the_sample_lake_answers_like_the_file_workspace(pg, tmp_path, sample_db):
    lake = sample_lake(pg, tmp_path / "lake")
    # The file workspace is the reference: every analysis of the catalog gives the very same JSON, to the cent.
    import difflib

    differ = {}
    for args in ANALYSES:
        on_lake, on_file = json_lines(answer(lake, *args)), json_lines(answer(sample_db, *args))
        if on_lake != on_file:
            differ[" ".join(args)] = "\n".join(list(difflib.unified_diff(on_file, on_lake, "file", "lake"))[:40])
    assert not differ, "on the lake these analyses answer otherwise than on the file:\n" + "\n".join(
        f"{name}:\n{diff}" for name, diff in differ.items()
    )
    _each_row_once_with_the_file_schema(lake, sample_db)
    _status_lists_snapshots_and_reimport_changes_nothing(lake)


def _each_row_once_with_the_file_schema(sample_lake: Path, sample_db: Path) -> None:
    import duckdb

    from aesthetic_cli.warehouse import connect

    lake = connect(sample_lake, read_only=True)
    file = duckdb.connect(str(sample_db), read_only=True)
    try:
        for table in ("orders", "visits", "leads", "treatments", "customers", "cards", "spend", "items", "staff"):
            # The same columns and types, but for row_key: UUID on the lake (Parquet has no 128-bit integer).
            cols = (
                "SELECT column_name, replace(data_type, 'UHUGEINT', 'UUID') FROM information_schema.columns "
                "WHERE table_name = $t AND table_catalog = current_database() ORDER BY ordinal_position"
            )
            assert lake.execute(cols, {"t": table}).fetchall() == file.execute(cols, {"t": table}).fetchall()
            count = f"SELECT count(*) FROM {table}"
            assert lake.execute(count).fetchone() == file.execute(count).fetchone(), table
        assert (
            lake.execute("SELECT count(*), count(DISTINCT row_key) FROM orders").fetchone()
            == file.execute("SELECT count(*), count(DISTINCT row_key) FROM orders").fetchone()
        )
    finally:
        lake.close()
        file.close()


def _status_lists_snapshots_and_reimport_changes_nothing(sample_lake: Path) -> None:
    from aesthetic_cli.sample.bundled import sample_files

    before = answer(sample_lake, "status")
    # One snapshot per import (11 sample files) after the schema's creation.
    assert len(before["snapshots"]) == 10
    ids = [s["snapshot_id"] for s in before["snapshots"]]
    assert ids == sorted(ids, reverse=True)
    again = run_cli("import", *map(str, sample_files()), "--clinic", "静安店", "--db", str(sample_lake))
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.output or "already imported" in again.output
    assert answer(sample_lake, "status")["snapshots"][0]["snapshot_id"] == ids[0]


def _orders_csv(path: Path, clinic: str, day: str, amounts: list[int], prefix: str) -> Path:
    rows = [["收费日期", "顾客编号", "项目", "实收金额", "单号", "门店"]]
    rows += [[day, f"{prefix}{i:04d}", "光子嫩肤", a, f"{prefix}-O{i:04d}", clinic] for i, a in enumerate(amounts)]
    return write_csv(path, rows)


def test_as_of_an_earlier_snapshot_gives_the_earlier_answer(pg, tmp_path):
    db = lake_workspace(pg, tmp_path / "ws", clinic="静安店")
    first = _orders_csv(tmp_path / "a.csv", "静安店", "2026-10-03", [1000, 2500], "A")
    assert run_cli("import", str(first), "--db", str(db)).exit_code == 0
    # Worked by hand: two deals, 1000 + 2500 = 3500 sales.
    before = answer(db, "funnel", "--month", "2026-10")
    assert before["kpis"][0]["sales"] == 3500
    snap = answer(db, "status")["snapshots"][0]
    # committed_at is shown to the second (floored): waiting over a second puts committed_at + 1 s after the
    # first snapshot and before the second.
    time.sleep(1.1)
    second = _orders_csv(tmp_path / "b.csv", "静安店", "2026-10-04", [700], "B")
    assert run_cli("import", str(second), "--db", str(db)).exit_code == 0
    assert answer(db, "funnel", "--month", "2026-10")["kpis"][0]["sales"] == 4200
    assert answer(db, "funnel", "--month", "2026-10", as_of=str(snap["snapshot_id"])) == before
    committed = datetime.fromisoformat(snap["committed_at"].removesuffix(" UTC") + "+00:00")
    at_time = (committed + timedelta(seconds=1)).isoformat()
    assert answer(db, "funnel", "--month", "2026-10", as_of=at_time) == before
    # A snapshot that does not exist, and --as-of on a single-file workspace, are refused plainly.
    missing = run_cli("funnel", "--db", str(db), "--as-of", "999", "--format", "json")
    assert missing.exit_code == 2 and "snapshot" in missing.output
    file_ws = run_cli("funnel", "--db", str(tmp_path / "x.duckdb"), "--as-of", "1")
    assert file_ws.exit_code == 2 and "lake" in file_ws.output

    # A report's 口径说明 names the snapshot its numbers come from, the past one under --as-of.
    from aesthetic_cli.reports import content
    from aesthetic_cli.warehouse import connect
    from aesthetic_cli.warehouse_lake import as_of_var

    latest = answer(db, "status")["snapshots"][0]["snapshot_id"]
    for as_of, expected in ((None, latest), (str(snap["snapshot_id"]), snap["snapshot_id"])):
        token = as_of_var.set(as_of)
        try:
            con = connect(db, read_only=True)
            report = content.build(con, "monthly", month_="2026-10")
            con.close()
        finally:
            as_of_var.reset(token)
        assert report.params["lake_backend"] == "ducklake" and report.params["lake_snapshot"] == expected


def test_lake_push_copies_a_file_workspace(pg, tmp_path, sample_db):
    import shutil

    src = tmp_path / "file_ws"
    src.mkdir()
    shutil.copy(sample_db, src / "aesops.duckdb")
    catalog = pg.new_database()
    pushed = run_cli(
        "lake", "push", "--catalog", catalog, "--data-path", str(tmp_path / "data"), "--db", str(src / "aesops.duckdb")
    )
    assert pushed.exit_code == 0, pushed.output
    again = run_cli(
        "lake", "push", "--catalog", catalog, "--data-path", str(tmp_path / "data"), "--db", str(src / "aesops.duckdb")
    )
    assert again.exit_code == 2 and "empty lake" in again.output
    result = run_cli("init", str(tmp_path / "lake_ws"), "--catalog", catalog, "--data-path", str(tmp_path / "data"))
    assert result.exit_code == 0, result.output
    db = tmp_path / "lake_ws" / "aesops.toml"
    assert answer(db, "funnel", "--month", "2026-10") == answer(sample_db, "funnel", "--month", "2026-10")
    file_batches = [b["batch_id"] for b in answer(sample_db, "status", "--limit", "100")["batches"]]
    assert [b["batch_id"] for b in answer(db, "status", "--limit", "100")["batches"]] == file_batches
    # The next import continues the numbering.
    extra = _orders_csv(tmp_path / "n.csv", "静安店", "2026-10-05", [100], "N")
    assert run_cli("import", str(extra), "--db", str(db)).exit_code == 0
    assert answer(db, "status")["batches"][0]["batch_id"] == max(file_batches) + 1


CLINICS = ["东城店", "西城店", "南山店", "北湖店"]


CUSTOMERS = 20  # per clinic; small, like the order lines: the test is about concurrency, not volume


def _clinic_files(folder: Path, n: int, clinic: str, lines: int) -> list[Path]:
    """One clinic's month: its customers (an upsert, which deletes: the case DuckLake's commits conflict on)
    and its order lines and visits (appends)."""
    p = f"C{n}"
    orders = [["收费日期", "顾客编号", "项目", "实收金额", "单号", "门店"]]
    visits = [["到院日期", "顾客编号", "就诊类型", "渠道", "现场咨询师", "门店"]]
    customers = [["顾客编号", "姓名", "来源渠道", "会员等级", "门店"]]
    for i in range(lines):
        cust = f"{p}{i % CUSTOMERS:04d}"
        day = f"2026-10-{1 + i % 28:02d}"
        orders.append(
            [day, cust, ["光子嫩肤", "玻尿酸", "热玛吉"][i % 3], 100 + (i * 37) % 900, f"{p}-O{i:05d}", clinic]
        )
        visits.append(
            [day, cust, "初诊" if i < CUSTOMERS else "复诊", ["抖音", "小红书"][i % 2], f"顾问{n}{i % 3}", clinic]
        )
    for i in range(CUSTOMERS):
        customers.append([f"{p}{i:04d}", f"客{i}", ["抖音", "小红书"][i % 2], "金卡" if i % 4 == 0 else "普通", clinic])
    return [
        write_csv(folder / f"{name}_{n}.csv", rows)
        for name, rows in (("customers", customers), ("orders", orders), ("visits", visits))
    ]


READER = """
import json, os, sys, time
from tests.conftest import run_cli
done, db, until = sys.argv[1], sys.argv[2], float(sys.argv[3])
seen, slowest, runs = [], 0.0, 0
# Read until the writers are done (and once more after that), within a time limit; through the CLI,
# in this one process, so that the loop measures reading rather than Python start-up.
while time.time() < until and runs < 60:
    finished = os.path.exists(done)
    t = time.time()
    status = run_cli("status", "--db", db, "--format", "json")
    funnel = run_cli("funnel", "--db", db, "--format", "json")
    slowest = max(slowest, time.time() - t)
    runs += 1
    if status.exit_code or funnel.exit_code:
        print(json.dumps({"error": status.output + funnel.output})); sys.exit(1)
    seen.append([[r["dataset"], r["clinic"], r["rows"]] for r in json.loads(status.stdout)["coverage"]])
    if finished:
        break
    time.sleep(1.0)  # a few reads during the imports prove the point; more would only slow the writers
print(json.dumps({"runs": runs, "slowest": slowest, "seen": seen}))
"""


def test_four_clinics_import_at_once_while_two_read(pg, tmp_path):
    lines = 40
    db = lake_workspace(pg, tmp_path / "lake")
    files = {c: _clinic_files(tmp_path, n, c, lines) for n, c in enumerate(CLINICS)}
    # A first clinic already in the lake, so that readers always have data to analyse.
    seed = _orders_csv(tmp_path / "seed.csv", "总店", "2026-10-01", [500, 600], "S")
    assert run_cli("import", str(seed), "--db", str(db)).exit_code == 0

    env = child_env("en", PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    until, done = time.time() + 240, tmp_path / "writers_done"
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(done), str(db), str(until)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "aesthetic_cli", "import", *map(str, files[c]), "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for c in CLINICS
    ]
    for w in writers:
        out, errs = w.communicate(timeout=300)
        assert w.returncode == 0, errs
    done.touch()
    for r in readers:
        out, errs = r.communicate(timeout=300)
        assert r.returncode == 0, out + errs
        report = json.loads(out.strip().splitlines()[-1])  # its one JSON line comes last
        assert report["runs"] >= 2, report  # it read while the imports ran, and once after
        # A reader sees each clinic's orders all or nothing: never half a file.
        for seen in report["seen"]:
            for dataset, clinic, rows in seen:
                if clinic in CLINICS and dataset in ("orders", "visits", "customers"):
                    assert rows == (lines if dataset != "customers" else CUSTOMERS), (dataset, clinic, rows)

    from aesthetic_cli.warehouse import connect

    lake = connect(db, read_only=True)
    try:
        # Every row once: 4 clinics × 40 order lines + the 2 seed lines, unique keys, 4 × 3 + 1 batches.
        assert lake.execute("SELECT count(*), count(DISTINCT row_key) FROM orders").fetchone() == (4 * lines + 2,) * 2
        assert lake.execute("SELECT count(*) FROM visits").fetchone()[0] == 4 * lines
        assert lake.execute("SELECT count(*), count(DISTINCT customer_id) FROM customers").fetchone() == (80, 80)
        # Every fourth customer is 金卡: 5 of each clinic's 20.
        assert lake.execute("SELECT count(*) FILTER (WHERE member_level = '金卡') FROM customers").fetchone()[0] == 20
        assert lake.execute("SELECT count(*), count(DISTINCT batch_id) FROM import_batches").fetchone() == (13, 13)
        # A lake refreshes its layer in each file's own commit (every snapshot is read without a lock):
        # nothing is ever left pending there, unlike one command of several files on a file warehouse.
        assert lake.execute("SELECT count(*) FROM layer_pending").fetchone()[0] == 0
    finally:
        lake.close()

    # The same files imported one after another into a file workspace give the same answers.
    file_ws = tmp_path / "file"
    assert run_cli("init", str(file_ws)).exit_code == 0
    file_db = file_ws / "aesops.duckdb"
    assert (
        run_cli("import", *map(str, [seed, *[f for c in CLINICS for f in files[c]]]), "--db", str(file_db)).exit_code
        == 0
    )
    for args in (("funnel", "--month", "2026-10", "--by", "clinic"), ("consultants",), ("customers", "rfm")):
        assert json_lines(unordered(answer(db, *args))) == json_lines(unordered(answer(file_db, *args))), args


def test_one_file_imported_by_several_processes_at_once_loads_once_on_the_lake(pg, tmp_path):
    db = lake_workspace(pg, tmp_path / "ws", clinic="静安店")
    path = _same_file_orders(tmp_path / "orders.csv")
    ran = _import_at_once(db, path)

    from aesthetic_cli.warehouse import connect

    con = connect(db, read_only=True)
    try:
        _loaded_once(con, ran)
    finally:
        con.close()
    # Sales worked by hand: 100 + 101 + … + 399 = 300 × 249.5 = 74,850 (the unreadable line is not a sale).
    assert answer(db, "funnel", "--month", "2026-10")["kpis"][0]["sales"] == 74850


def test_a_corrected_bill_line_on_the_lake(pg, tmp_path):
    """A later export's corrected lines replace the stored ones on DuckLake as in a file (UUID row keys, the prior
    table, the two passes), and dropping its batch brings the first version back. Figures by hand, as in
    tests/test_corrected_lines.py."""
    from tests.test_corrected_lines import FIRST, LATER

    db = lake_workspace(pg, tmp_path / "ws")
    for name, rows in (("收费_1003-1005", FIRST), ("收费_1003-1007", LATER)):
        r = run_cli("import", str(write_csv(tmp_path / f"{name}.csv", rows)), "--kind", "orders", "--db", str(db))
        assert r.exit_code == 0, r.output
    assert "loaded 1 · updated 3" in r.output, r.output
    # 980 + 12000 + 350 + 1500 + 1500.
    assert answer(db, "funnel", "--month", "2026-10")["kpis"][0]["sales"] == 16330
    batches = json.loads(run_cli("batches", "--format", "json", "--db", str(db)).stdout)
    last = max(b["batch_id"] for b in (batches["batches"] if isinstance(batches, dict) else batches))
    assert run_cli("batches", "drop", str(last), "--db", str(db)).exit_code == 0
    # 880 + 12000 + 300 + 1500.
    assert answer(db, "funnel", "--month", "2026-10")["kpis"][0]["sales"] == 14680


def test_lines_of_two_templates_on_the_lake(pg, tmp_path):
    """The same bill lines exported without 单号, then with: loaded once on DuckLake too (its UPDATE ... FROM and
    prior table), and back to the first export's lines when the second batch is dropped (tests/test_two_templates)."""
    from tests.test_two_templates import WITH, WITHOUT

    db = lake_workspace(pg, tmp_path / "ws")
    for name, rows in (("无单号", WITHOUT), ("有单号", WITH)):
        r = run_cli(
            "import",
            str(write_csv(tmp_path / f"{name}.csv", rows)),
            "--kind",
            "orders",
            "--clinic",
            "静安店",
            "--db",
            str(db),
        )
        assert r.exit_code == 0, r.output
    assert "loaded 1 · updated 5" in " ".join(r.output.split()), r.output
    assert answer(db, "funnel", "--month", "2026-10")["kpis"][0]["sales"] == 20360
    batches = json.loads(run_cli("batches", "--format", "json", "--db", str(db)).stdout)
    last = max(b["batch_id"] for b in (batches["batches"] if isinstance(batches, dict) else batches))
    assert run_cli("batches", "drop", str(last), "--db", str(db)).exit_code == 0
    assert answer(db, "funnel", "--month", "2026-10")["kpis"][0]["sales"] == 20360 - 1280
