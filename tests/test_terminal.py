"""The terminal layer, tried through the CLI: tables that fit, pipes, CSV for Excel, xlsx, periods."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import run_cli

COMMANDS = [
    ("channels",),
    ("consultants",),
    ("funnel", "--by", "channel"),
    ("targets", "split", "--year", "2026", "--growth", "0.15"),
]


def _shown(column, value, row):
    """A JSON number written the way a person reads it in the table (the display rules of SPEC §3)."""
    from aesthetic_cli.formatting import cell_kind, show_value

    return show_value(column, value, cell_kind(row, column))


@pytest.mark.parametrize("width", [80, 100, 160])
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_number_appears_whole_and_no_line_is_wider_than_the_terminal(sample_db, args, width):
    data = json.loads(run_cli(*args, "--db", str(sample_db), "--format", "json").stdout)
    res = run_cli(*args, "--db", str(sample_db), env={"COLUMNS": str(width)})
    assert res.exit_code == 0, res.output
    from rich.cells import cell_len

    lines = res.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    numbers = 0
    for name, rows in data.items():
        if name == "meta":
            continue
        for row in rows:
            for column, value in row.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    text = _shown(column, value, row)
                    if text in ("—", ""):
                        continue
                    numbers += 1
                    # Whole: the number sits on one line between cell borders, not split over two.
                    assert any(f" {text} " in line for line in lines), (name, column, text, width)
    assert numbers > 10


def test_a_wide_table_folds_into_groups_that_repeat_the_key_column(sample_db):
    res = run_cli("channels", "--db", str(sample_db), env={"COLUMNS": "80"})
    out = res.stdout
    assert "(1/" in out and "(2/" in out
    # The key column (渠道) heads every group.
    groups = [b for b in out.split("渠道 ROI（本期获客）")[1:]]
    assert len(groups) >= 2
    assert all("渠道" in g.splitlines()[2] for g in groups)


def test_piped_output_is_the_table_by_default(sample_db):
    res = run_cli("funnel", "--db", str(sample_db))
    assert "核心指标" in res.stdout and not res.stdout.lstrip().startswith("{")


def _aesops():
    return [sys.executable, "-c", "from aesthetic_cli.cli import main; main()"]


def test_a_closed_pipe_is_quiet_and_exits_0(sample_db):
    # The reader is gone before aesops writes a byte: every write meets a broken pipe.
    proc = subprocess.Popen([*_aesops(), "funnel", "--db", str(sample_db)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "100"})
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait() == 0
    assert err == b""


def test_funnel_piped_into_head_exits_0_with_empty_stderr(sample_db, tmp_path):
    cmd = " ".join(_q(a) for a in _aesops()) + f" funnel --db {_q(str(sample_db))} | head -n 1"
    res = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, env={**os.environ, "COLUMNS": "100"})
    assert res.returncode == 0 and res.stderr == b""
    assert len(res.stdout.decode().splitlines()) == 1


def _q(s):
    import shlex

    return shlex.quote(s)


def test_csv_is_for_excel_bom_labels_in_lang_integers_and_two_decimals(sample_db):
    res = run_cli("channels", "--db", str(sample_db), "--format", "csv")
    raw = res.stdout_bytes
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["# channels"]
    header = rows[1]
    assert header[0] == "渠道", header
    data = json.loads(run_cli("channels", "--db", str(sample_db), "--format", "json").stdout)["channels"]
    first = dict(zip(header, rows[2], strict=True))
    from aesthetic_cli.labels import label

    for column, value in data[0].items():
        cell = first[label(column, "zh")]
        if isinstance(value, int) and not isinstance(value, bool):
            assert cell == str(value)
        elif column in ("spend", "sales_30d", "cac") and value is not None:
            assert cell == f"{value:.2f}", (column, cell)
    en = run_cli("channels", "--db", str(sample_db), "--format", "csv", "--lang", "en").stdout_bytes
    assert en.decode("utf-8-sig").splitlines()[1].startswith("Channel")


def test_any_analysis_as_an_xlsx_workbook(sample_db, tmp_path):
    import openpyxl

    out = tmp_path / "funnel.xlsx"
    res = run_cli("funnel", "--db", str(sample_db), "--format", "xlsx", "--out", str(out))
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    data = json.loads(run_cli("funnel", "--db", str(sample_db), "--format", "json").stdout)
    assert len(wb.sheetnames) == len([k for k in data if k != "meta"])
    ws = wb.worksheets[0]
    assert ws.cell(1, 1).value == "核心指标"
    from aesthetic_cli.labels import label

    first_column = [c for c in data["kpis"][0] if c != "group"][0]  # 分组=全部 on every row is dropped
    assert ws.cell(3, 1).value == label(first_column, "zh")
    missing = run_cli("funnel", "--db", str(sample_db), "--format", "xlsx")
    assert missing.exit_code == 2 and "--out" in missing.output
