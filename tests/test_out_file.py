"""`--out FILE` writes the file the user named, in the format its extension names, or refuses.

`aesops channels --out 渠道.xlsx` printed the table and wrote nothing: --out was read only with --format xlsx,
and `--format csv --out x.csv` printed the CSV to the screen. Every command that offers --format and --out is
tried here, through the CLI, against what the same command prints with --format."""

from __future__ import annotations

import json

import openpyxl
import pytest

from tests.conftest import REPORT_MONTH, run_cli
from tests.test_golden import COMMANDS as GOLDEN_COMMANDS

# The golden files' commands (fixed periods, nothing depends on today), but the call-back list (its fits are
# slow and --out is theirs alike), and batches, which writes its own JSON.
COMMANDS = {k: v for k, v in GOLDEN_COMMANDS.items() if k != "customers_reactivate"} | {"batches": ("batches",)}


def _without_times(obj):
    # The run's own clock (generated_at, the import times of status) differs between two runs.
    if isinstance(obj, dict):
        return {k: _without_times(v) for k, v in obj.items() if k not in ("generated_at", "imported_at")}
    if isinstance(obj, list):
        return [_without_times(v) for v in obj]
    return obj


@pytest.mark.parametrize("name", COMMANDS)
def test_out_writes_the_format_its_extension_names(name, report_ws, tmp_path):
    # report_ws: the sample with the demo's saved target plan, which targets track reads
    args = (*COMMANDS[name], "--db", str(report_ws / "aesops.duckdb"))
    printed_csv = run_cli(*args, "--format", "csv")
    printed_json = run_cli(*args, "--format", "json")
    assert printed_csv.exit_code == printed_json.exit_code == 0

    for ext in ("csv", "json", "xlsx"):
        target = tmp_path / f"{name}.{ext}"
        r = run_cli(*args, "--out", str(target))
        assert r.exit_code == 0, r.output
        assert r.stdout == ""  # the file, not the screen
        assert f"wrote {target}" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{name}.csv", f"{name}.json", f"{name}.xlsx"]

    # The CSV file is what --format csv prints, BOM (for Excel on Windows) and all.
    raw = (tmp_path / f"{name}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw == printed_csv.stdout_bytes
    written = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
    assert _without_times(written) == _without_times(json.loads(printed_json.stdout))
    # The workbook's first sheet: the first table's column labels, as in the CSV, with rows under them.
    sheet = openpyxl.load_workbook(tmp_path / f"{name}.xlsx", read_only=True).worksheets[0]
    rows = [[v for v in r if v is not None] for r in sheet.iter_rows(values_only=True)]
    head = rows[2]
    csv_lines = printed_csv.stdout.lstrip("\ufeff").splitlines()
    csv_lines = csv_lines[1:] if csv_lines[0].startswith("#") else csv_lines
    labels = csv_lines[0].split(",")
    # The workbook leaves out a column that is the same on every row (分组 = 全部 without --by); else the same.
    assert [str(v) for v in head] == [c for c in labels if c in head]
    assert len(head) >= len(labels) - 1
    assert len(rows) > 3 and all(len(r) for r in rows[3 : 3 + min(3, len(csv_lines) - 1)])  # rows under them


def test_an_explicit_format_wins_over_the_extension(sample_db, tmp_path):
    target = tmp_path / "channels.txt"
    r = run_cli("channels", "--month", REPORT_MONTH, "--db", str(sample_db), "--format", "csv", "--out", str(target))
    assert r.exit_code == 0 and r.stdout == ""
    assert target.read_text(encoding="utf-8-sig").startswith("# channels")


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (("--out", "{dir}/渠道.txt"), "--out {dir}/渠道.txt: the extension does not say which format to write."),
        (("--out", "{dir}/渠道"), "--out {dir}/渠道: the extension does not say which format to write."),
        (("--format", "table", "--out", "{dir}/渠道.xlsx"), "a table on the screen is not written to a file."),
    ],
)
def test_out_without_a_file_format_is_refused_not_ignored(extra, said, sample_db, tmp_path):
    args = [a.replace("{dir}", str(tmp_path)) for a in extra]
    r = run_cli("channels", "--month", REPORT_MONTH, "--db", str(sample_db), *args)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert said.replace("{dir}", str(tmp_path)) in r.stderr, r.stderr
    assert "Name the file .xlsx, .csv or .json, or add --format xlsx, csv or json." in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_refusal_in_chinese(sample_db, tmp_path):
    r = run_cli("channels", "--db", str(sample_db), "--out", str(tmp_path / "渠道.doc"), env={"LANG": "zh_CN.UTF-8"})
    assert r.exit_code == 2
    assert f"--out {tmp_path / '渠道.doc'}：从扩展名看不出要写成哪种格式。" in r.stderr, r.stderr
    assert "请把文件命名为 .xlsx、.csv 或 .json" in r.stderr


@pytest.mark.parametrize("ext", ["csv", "json"])
def test_a_file_into_a_missing_folder_is_refused_with_the_path_and_leaves_nothing(ext, sample_db, tmp_path):
    target = tmp_path / "no such folder" / f"channels.{ext}"
    r = run_cli("channels", "--db", str(sample_db), "--out", str(target))
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    assert f"Could not write {target} (cannot use it: No such file or directory)" in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_write_leaves_no_half_file(sample_db, tmp_path, monkeypatch):
    from aesthetic_cli.cli import output

    def interrupted(result, out, lang):
        out.write("渠道,投放费用\r\n")
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "_csv", interrupted)
    target = tmp_path / "channels.csv"
    r = run_cli("channels", "--db", str(sample_db), "--out", str(target))
    assert r.exit_code != 0 and "Traceback" not in r.output
    assert list(tmp_path.iterdir()) == []  # neither channels.csv nor .channels.csv.part
