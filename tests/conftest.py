from __future__ import annotations

import csv
import math
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

# The order-lines header of the small hand-built worlds: date, customer, item, paid, payment, consultant.
ORDER_HEAD = ["收费日期", "顾客编号", "项目", "实收金额", "支付方式", "咨询师"]


@pytest.fixture
def ws(tmp_path, monkeypatch):
    """A fresh workspace in a temp folder, made current, with default clinic 本院."""
    from aesthetic_cli import workspace

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AESOPS_DB", raising=False)
    workspace.init(tmp_path, clinic="本院")
    return tmp_path


@pytest.fixture
def con(ws):
    from aesthetic_cli.warehouse import connect

    c = connect(ws / "aesops.duckdb")
    yield c
    c.close()


def run_cli(*args: str, env: dict | None = None):
    from aesthetic_cli.cli import app

    runner = CliRunner()
    # Messages follow the locale (Chinese unless it is English); assertions here read the English
    # text unless a test sets LANG itself (tests/test_terminal.py checks both languages).
    base = {"COLUMNS": "160", "LANG": "en_US.UTF-8", "LC_ALL": None, "LC_MESSAGES": None, "AESOPS_LANG": None}
    return runner.invoke(app, list(args), env={**base, **(env or {})}, catch_exceptions=False)


def month_kpis(month: str) -> dict:
    """The whole warehouse's headline KPIs of a month, through the CLI's JSON, as a director's script reads them."""
    import json

    result = run_cli("funnel", "--month", month, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["kpis"][0]


LOCALES = {"zh": "zh_CN.UTF-8", "en": "en_US.UTF-8"}
LOCALE_VARS = ("LANG", "LC_ALL", "LC_MESSAGES", "AESOPS_LANG")


def child_env(lang: str | None, **extra: str) -> dict[str, str]:
    """The environment of an aesops child process (subprocess.run/Popen), in the language the test
    expects rather than the one of the machine running it: "zh" or "en" sets LANG and clears the
    variables that would override it; None clears them all, for aesops's own default (Chinese, as
    under cron). The rest (PATH, the venv, NO_COLOR) is inherited; `extra` adds or replaces."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    if lang is not None:
        env["LANG"] = LOCALES[lang]
    return {**env, **extra}


def layer_rows(con) -> dict[str, list[str]]:
    """Every row of every semantic-layer table, order-free: two warehouses' layers compare equal or not."""
    from aesthetic_cli.warehouse import derived

    return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in derived.TABLES}


def ranked_rows(workbook: Path, sheet: str) -> list[tuple[int, str]]:
    """(rank, name) of the first ranked table on a report sheet: the rows under its 排名 header."""
    import openpyxl

    rows = list(openpyxl.load_workbook(workbook, read_only=True)[sheet].iter_rows(values_only=True))
    head = next(i for i, rw in enumerate(rows) if rw and rw[0] == "排名")
    out = []
    for rw in rows[head + 1 :]:
        if rw[0] is None:
            break
        out.append((int(rw[0]), rw[1]))
    return out


def write_xlsx(path: Path, rows: list[list], sheet: str = "Sheet1", extra_sheets: dict | None = None) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    first = wb.active
    if extra_sheets:
        for name, content in extra_sheets.items():
            s = wb.create_sheet(name, 0)
            for r in content:
                s.append(r)
    first.title = sheet
    for r in rows:
        first.append(r)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(rows)
    return path


def load(con, ws, **files):
    """Import each named table of rows (orders=[header, row, ...]) as a CSV of one clinic, 本院."""
    from aesthetic_cli.importer.load import import_file

    for name, rows in files.items():
        import_file(con, write_csv(ws / f"{name}.csv", rows), clinic="本院")


def row(df, **where):
    """The one row of a frame with these values; fails unless exactly one matches."""
    for k, v in where.items():
        df = df.filter(df[k] == v)
    assert df.height == 1, df
    return df.row(0, named=True)


def snapshot(con) -> dict:
    """Every table's full content, sorted, to compare a warehouse before and after."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
        ).fetchall()
    ]
    return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}


os.environ.setdefault("NO_COLOR", "1")


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory):
    """The bundled sample data imported once; tests open it read-only."""
    from aesthetic_cli.importer.load import import_file
    from aesthetic_cli.sample.bundled import sample_files
    from aesthetic_cli.warehouse import connect

    path = tmp_path_factory.mktemp("sample") / "aesops.duckdb"
    con = connect(path)
    for f in sample_files():
        import_file(con, f, clinic="静安店")
    con.close()
    return path


REPORT_MONTH = "2026-09"


@pytest.fixture(scope="session")
def report_ws(sample_db, tmp_path_factory):
    """A workspace on a copy of the sample warehouse with a 2026 plan, and its three reports."""
    from aesthetic_cli import workspace
    from aesthetic_cli.metrics import targets
    from aesthetic_cli.reports.run import write_reports
    from aesthetic_cli.warehouse import connect

    root = tmp_path_factory.mktemp("reportws")
    workspace.init(root, clinic="静安店")
    db = root / "aesops.duckdb"
    shutil.copy(sample_db, db)
    con = connect(db)
    targets.save(con, targets.split(con, 2026, growth=0.15))
    con.close()
    out = root / "reports"
    write_reports(db, "monthly", out, formats=["xlsx", "html"], month_=REPORT_MONTH)
    write_reports(db, "weekly", out, formats=["xlsx", "html"], week_="2026-W38")
    write_reports(db, "daily", out, formats=["xlsx", "html"], day="2026-09-15")
    return root


def json_differences(golden, now, where: str = "$", rel: float = 1e-9) -> list[str]:
    """Where two JSON values differ, as paths; floats to `rel` relative (0: exactly), all else exactly."""
    if isinstance(golden, dict) and isinstance(now, dict):
        out = [f"{where}: keys {sorted(set(golden) ^ set(now))}"] if set(golden) != set(now) else []
        return out + [
            d for k in golden.keys() & now.keys() for d in json_differences(golden[k], now[k], f"{where}.{k}", rel)
        ]
    if isinstance(golden, list) and isinstance(now, list):
        if len(golden) != len(now):
            return [f"{where}: {len(golden)} items golden, {len(now)} now"]
        return [
            d
            for i, (a, b) in enumerate(zip(golden, now, strict=True))
            for d in json_differences(a, b, f"{where}[{i}]", rel)
        ]
    if (
        isinstance(golden, float)
        and isinstance(now, float)
        and math.isclose(golden, now, rel_tol=rel, abs_tol=1e-12 if rel else 0)
    ):
        return []
    return [] if golden == now and type(golden) is type(now) else [f"{where}: golden {golden!r}, now {now!r}"]
