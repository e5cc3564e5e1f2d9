"""init / import / status through the CLI, and every user-caused error as one clear paragraph."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from pathlib import Path

from tests.conftest import child_env, run_cli, write_csv, write_xlsx

HEAD = ["收费日期", "顾客编号", "项目", "实收金额"]


def test_init_import_status_json(ws):
    path = write_xlsx(
        ws / "o.xlsx",
        [
            ["标题"],
            HEAD,
            ["2025-10-01", "C1", "水光针", "¥1,000"],
            ["2025-10-02", "C2", "x", "?"],
            ["2025-10-03", "C3", "y", 10],
            ["合计", None, None, 1010],
        ],
    )
    r = run_cli("import", str(path))
    assert r.exit_code == 0, r.output
    assert "loaded 2" in r.stderr and "rejected 1" in r.stderr and "row 4, column '实收金额'" in r.stderr
    r = run_cli("status", "--rejects", "--format", "json")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert doc["coverage"] == [
        {
            "dataset": "orders",
            "dataset_zh": "收费明细",
            "clinic": "本院",
            "rows": 2,
            "date_min": "2025-10-01",
            "date_max": "2025-10-03",
        }
    ]
    assert [(x["row_number"], x["column"], x["value"]) for x in doc["rejects"]] == [(4, "实收金额", "?")]
    r = run_cli("import", str(path))
    assert r.exit_code == 0 and "nothing changed" in r.stderr


def test_init_writes_config(tmp_path):
    r = run_cli("init", str(tmp_path / "w"), "--clinic", "静安店")
    assert r.exit_code == 0
    assert 'default_clinic = "静安店"' in (tmp_path / "w" / "aesops.toml").read_text(encoding="utf-8")
    assert (tmp_path / "w" / "aesops.duckdb").exists()


def _no_traceback(r):
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


def test_missing_file(ws):
    r = run_cli("import", "nope.xlsx")
    assert r.exit_code == 2 and "File not found: nope.xlsx" in r.stderr
    _no_traceback(r)


def test_unknown_headers_name_required_columns_and_mapping(ws):
    path = write_csv(ws / "w.csv", [["甲", "乙"], ["1", "2"]])
    r = run_cli("import", str(path))
    assert r.exit_code == 1
    assert "no header row found" in r.stderr and "paid_amount" in r.stderr and "[columns]" in r.stderr
    path = write_csv(ws / "w2.csv", [["收费日期", "顾客编号", "备注"], ["2025-01-01", "C1", "x"]])
    r = run_cli("import", str(path), "--kind", "orders")
    assert r.exit_code == 1 and "item (项目 /" in r.stderr and "paid_amount (实收金额 /" in r.stderr
    _no_traceback(r)


def test_wrong_sheet_lists_sheets(ws):
    path = write_xlsx(ws / "o.xlsx", [HEAD, ["2025-10-01", "C1", "x", 1]], sheet="收费")
    r = run_cli("import", str(path), "--sheet", "到院")
    assert r.exit_code == 2 and "no sheet named '到院'" in r.stderr and "收费" in r.stderr


def test_password_protected_and_corrupt_xlsx(ws):
    enc = ws / "locked.xlsx"
    enc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    r = run_cli("import", str(enc))
    assert r.exit_code == 1 and "password-protected" in r.stderr
    bad = ws / "broken.xlsx"
    bad.write_bytes(b"this is not a workbook")
    r = run_cli("import", str(bad))
    assert r.exit_code == 1 and "not a valid .xlsx" in r.stderr
    zipped = ws / "zip.xlsx"
    import zipfile

    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("hello.txt", "hi")
    r = run_cli("import", str(zipped))
    assert r.exit_code == 1 and "could not be opened" in r.stderr
    _no_traceback(r)


def test_no_workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AESOPS_DB", raising=False)
    r = run_cli("status")
    assert r.exit_code == 2 and "aesops init" in r.stderr


def test_one_bad_file_among_several(ws):
    good = write_csv(ws / "good.csv", [HEAD, ["2025-10-01", "C1", "x", "1"]])
    bad = write_csv(ws / "bad.csv", [["甲"], ["1"]])
    r = run_cli("import", str(bad), str(good))
    assert r.exit_code == 1 and "1 of 2 files were not imported: bad.csv" in r.stderr
    assert "good.csv" in r.stderr and "loaded 1" in r.stderr
    assert "The other files were imported" in r.stderr


def test_every_file_refused_does_not_say_the_others_were_imported(ws):
    bad = [write_csv(ws / f"bad{n}.csv", [["甲"], ["1"]]) for n in (1, 2)]
    r = run_cli("import", *map(str, bad), "--lang", "zh")
    assert r.exit_code == 1 and "2 个文件（共 2 个）没有导入" in r.stderr
    assert "修正这些文件后再运行同一命令。" in r.stderr and "其他文件已导入" not in r.stderr


def _holder(ws, seconds: float) -> subprocess.Popen:
    """Another process holding the warehouse for writing (another import) for `seconds`, then letting it go."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('ready', flush=True); "
                "time.sleep(float(sys.argv[2])); c.close()"
            ),
            str(ws / "aesops.duckdb"),
            str(seconds),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "ready"
    return holder


def test_locked_warehouse(ws):
    holder = _holder(ws, 30)
    try:
        path = write_csv(ws / "o.csv", [HEAD, ["2025-10-01", "C1", "x", "1"]])
        r = run_cli("import", str(path), "--wait", "1")
        assert r.exit_code == 3 and "did not finish within 1s" in r.stderr, r.stderr
        assert "in use by another process; waiting" in r.stderr, r.stderr
    finally:
        holder.kill()
        holder.wait()


def test_an_import_waits_for_the_one_before(ws):
    """Two clinics' nightly imports into one warehouse: the second waits and loads (trial 7's F6: it failed)."""
    holder = _holder(ws, 2)
    try:
        path = write_csv(ws / "o.csv", [HEAD, ["2025-10-01", "C1", "x", "1"]])
        r = run_cli("import", str(path))
        assert r.exit_code == 0 and "loaded 1" in r.stderr, r.stderr
        assert "waiting for it to finish (up to 600s)" in r.stderr, r.stderr
    finally:
        holder.kill()
        holder.wait()


def test_help_teaches(ws):
    r = run_cli("import", "--help")
    assert r.exit_code == 0 and "--mapping" in r.stdout and "Example" in r.stdout


def test_help_imports_no_heavy_module():
    code = (
        "import sys; sys.argv=['aesops','--help']\n"
        "from aesthetic_cli import cli\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "heavy=[m for m in ('polars','duckdb','openpyxl','jinja2','xlsxwriter','pyarrow','fastexcel') "
        "if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=child_env("en")
    ).stdout
    assert "HEAVY []" in out, out


def test_legacy_xls_export(ws):
    # Older CRMs export .xls (BIFF8): a title row, a real date cell, a text date, a ¥ amount, 合计.
    import datetime as dt

    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("收费")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    rows = [
        ["XX医美收费明细"],
        HEAD,
        [dt.date(2025, 1, 3), "C1", "水光针", 1680.0],
        ["2025/1/4", "C2", "玻尿酸", "¥4,800.00"],
        ["合计", None, None, 6480],
    ]
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, dt.date):
                sheet.write(r, c, v, date_style)
            elif v is not None:
                sheet.write(r, c, v)
    book.save(str(ws / "legacy.xls"))
    r = run_cli("import", str(ws / "legacy.xls"))
    assert r.exit_code == 0, r.output
    assert "loaded 2" in r.stderr and "rejected 0" in r.stderr
    import json

    doc = json.loads(run_cli("status", "--format", "json").stdout)
    assert doc["coverage"][0]["rows"] == 2
    assert (doc["coverage"][0]["date_min"], doc["coverage"][0]["date_max"]) == ("2025-01-03", "2025-01-04")
    funnel = json.loads(run_cli("funnel", "--month", "2025-01", "--format", "json").stdout)
    assert funnel["kpis"][0]["sales"] == 1680 + 4800


def test_undecodable_text_files_get_a_paragraph(ws):
    bom = ws / "bom_but_not_utf8.csv"
    bom.write_bytes(b"\xef\xbb\xbf\xe6\x94\xb6\xff\xfe,x\n")
    utf16 = ws / "broken_utf16.csv"
    utf16.write_bytes(b"\xff\xfe\x00\xd8")
    for path in (bom, utf16):
        r = run_cli("import", str(path))
        assert r.exit_code == 1 and "cannot be read as" in r.stderr, r.output
        _no_traceback(r)


def test_output_paths_that_are_files(ws, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    r = run_cli("demo", "--out", str(blocker))
    assert r.exit_code == 2 and "is a file, not a folder" in r.stderr
    path = write_csv(ws / "o.csv", [HEAD, ["2025-10-01", "C1", "x", "1"]])
    assert run_cli("import", str(path)).exit_code == 0
    r = run_cli("report", "daily", "--out", str(blocker / "reports"))
    assert r.exit_code == 2 and "cannot use" in r.stderr and "Not a directory" in r.stderr
    _no_traceback(r)
    assert blocker.read_text() == "x"


def test_a_command_does_not_import_an_installed_pandas(sample_db, tmp_path):
    """Where pandas is installed, DuckDB imports it at the first bound parameter (0.8-1 CPU s); aesops never
    needs it. A stand-in pandas on the path writes a marker when imported: DuckDB alone imports it (the
    control), `aesops funnel` must not."""
    fake = tmp_path / "site" / "pandas"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("import os\nopen(os.environ['PANDAS_MARKER'], 'w').write('imported')\n")
    marker = tmp_path / "imported"
    env = child_env("en", PYTHONPATH=os.pathsep.join([str(fake.parent), str(Path(__file__).resolve().parent.parent)]))
    env["PANDAS_MARKER"] = str(marker)
    control = "import duckdb; duckdb.connect().execute('SELECT $v', {'v': 1}).fetchall()"
    subprocess.run([sys.executable, "-c", control], env=env, check=True)
    assert marker.exists()  # the stand-in is what DuckDB would import
    marker.unlink()
    r = subprocess.run(
        [sys.executable, "-m", "aesthetic_cli", "funnel", "--db", str(sample_db), "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert not marker.exists()
    # An xlsx import hands DuckDB an Arrow table: with pandas marked None in sys.modules (the first way this
    # was done) DuckDB's scan of it crashed the process (SIGSEGV) and the demo failed on its first xlsx.
    book = write_xlsx(
        tmp_path / "收费.xlsx", [["收费日期", "顾客编号", "项目", "实收金额"], ["2025-10-01", "C1", "光子嫩肤", 100]]
    )
    db = tmp_path / "w.duckdb"
    r = subprocess.run(
        [sys.executable, "-m", "aesthetic_cli", "import", str(book), "--db", str(db), "--clinic", "本院"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    assert not marker.exists()


def test_a_db_in_a_missing_folder_is_refused_and_a_new_one_is_named(ws, tmp_path):
    """A mistyped --db in a cron line made its folders and a stray warehouse without a word (trial 7's F10)."""
    path = write_csv(ws / "o.csv", [HEAD, ["2025-10-01", "C1", "x", "1"]])
    stray = tmp_path / "nope" / "dir" / "x.duckdb"
    r = run_cli("import", str(path), "--db", str(stray))
    assert r.exit_code == 2 and f"The folder {stray.parent} of the warehouse {stray} does not exist" in r.stderr
    assert not stray.parent.exists()
    new = tmp_path / "x.duckdb"
    r = run_cli("import", str(path), "--db", str(new))
    assert r.exit_code == 0 and f"A new warehouse: {new}." in r.stderr, r.stderr
    again = write_csv(ws / "o2.csv", [HEAD, ["2025-10-02", "C2", "x", "1"]])
    r = run_cli("import", str(again), "--db", str(new))
    assert r.exit_code == 0 and "A new warehouse" not in r.stderr, r.stderr


def test_a_workspace_whose_warehouse_is_in_a_subfolder_makes_it(tmp_path, monkeypatch):
    """aesops.toml may put the warehouse in a folder of its own: init and import make it, as before (review10 R5: both
    were refused once a missing folder was)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AESOPS_DB", raising=False)
    assert run_cli("init", "ws", "--clinic", "本院").exit_code == 0
    config = tmp_path / "ws" / "aesops.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('db = "aesops.duckdb"', 'db = "data/aesops.duckdb"'))
    monkeypatch.chdir(tmp_path / "ws")
    path = write_csv(tmp_path / "o.csv", [HEAD, ["2025-10-01", "C1", "x", "1"]])
    r = run_cli("import", str(path))
    assert r.exit_code == 0 and "loaded 1" in r.stderr and "A new warehouse" not in r.stderr, r.stderr
    assert (tmp_path / "ws" / "data" / "aesops.duckdb").is_file()
