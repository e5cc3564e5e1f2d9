"""The terminal layer, tried through the CLI: tables that fit, pipes, CSV for Excel, xlsx, periods."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import child_env, run_cli, write_csv

COMMANDS = [
    ("channels",),
    ("consultants",),
    ("funnel", "--by", "channel"),
    ("targets", "split", "--year", "2026", "--growth", "0.15"),
]


def _shown(column, value, row):
    """A JSON number written the way a person reads it in the table (the display rules of SPEC §3)."""
    from aesthetic_cli.present.formatting import cell_kind, show_value

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


def _notes(stdout: str) -> list[list[str]]:
    """The notes under the tables: each a bullet line and the indented lines that continue it."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("• "))
    notes: list[list[str]] = []
    for line in lines[start:]:
        if line.startswith("• "):
            notes.append([line])
        else:
            assert line.startswith("  "), line
            notes[-1].append(line)
    return notes


@pytest.mark.parametrize("width", [60, 80])
@pytest.mark.parametrize("args", [("channels",), ("consultants",)], ids=lambda a: a[0])
def test_a_chinese_note_breaks_between_characters_under_its_bullet(sample_db, args, width):
    from rich.cells import cell_len

    whole = _notes(run_cli(*args, "--db", str(sample_db), "--lang", "zh", env={"COLUMNS": "1000"}).stdout)
    folded = _notes(run_cli(*args, "--db", str(sample_db), "--lang", "zh", env={"COLUMNS": str(width)}).stdout)
    assert all(len(n) == 1 for n in whole) and any(len(n) > 1 for n in folded)
    for one, lines in zip(whole, folded, strict=True):
        # The same words, each line within the terminal and filled: Rich broke only at spaces and left
        # "• 30d, 90d, 180d, 365d" alone, 58 cells short, with the Chinese sentence on the lines below.
        assert "".join("".join(lines).split()) == "".join(one[0].split())
        assert all(cell_len(line) <= width for line in lines)
        assert all(cell_len(line) >= width - 20 for line in lines[:-1]), lines


def test_each_group_of_a_folded_table_carries_its_whole_title_on_one_line(sample_db):
    # The last group of the call-back list is the key and one number: Rich wrapped the title to that width.
    res = run_cli("customers", "reactivate", "--limit", "5", "--db", str(sample_db), env={"COLUMNS": "80"})
    groups: dict[str, set[int]] = {}
    for line in res.stdout.splitlines():
        if m := re.fullmatch(r"(\S.*) \((\d+)/(\d+)\)", line.strip()):
            groups.setdefault(m.group(1), set()).add(int(m.group(2)))
            assert int(m.group(3)) == 4
    assert groups == {next(iter(groups)): {1, 2, 3, 4}}, groups


def test_a_wide_table_folds_into_groups_that_repeat_the_key_column(sample_db):
    res = run_cli("channels", "--db", str(sample_db), env={"COLUMNS": "80"})
    out = res.stdout
    assert "(1/" in out and "(2/" in out
    # The key column (渠道) heads every group.
    groups = out.split("渠道 ROI（本期获客）")[1:]
    assert len(groups) >= 2
    assert all("渠道" in g.splitlines()[2] for g in groups)


def test_a_folded_ranked_table_repeats_the_name_beside_the_rank(sample_db):
    # 咨询师 ranks tie (two consultants at 3): a group showing only 排名 could not be read.
    data = json.loads(run_cli("consultants", "--db", str(sample_db), "--format", "json").stdout)
    names = [r["consultant"] for r in data["onsite"]]
    res = run_cli("consultants", "--db", str(sample_db), env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    groups = res.stdout.split("现场咨询师排名")[1:]
    assert len(groups) >= 2, res.stdout
    for g in groups:
        header = g.splitlines()[2]
        assert "排名" in header and "咨询师" in header, header
        assert all(n in g for n in names), (names, g)


def test_piped_output_is_the_table_by_default(sample_db):
    res = run_cli("funnel", "--db", str(sample_db))
    assert "核心指标" in res.stdout and not res.stdout.lstrip().startswith("{")


def _aesops():
    return [sys.executable, "-c", "from aesthetic_cli.cli import main; main()"]


def test_a_closed_pipe_is_quiet_and_exits_0(sample_db):
    # The reader is gone before aesops writes a byte: every write meets a broken pipe.
    proc = subprocess.Popen(
        [*_aesops(), "funnel", "--db", str(sample_db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env("zh", COLUMNS="100"),
    )
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait() == 0
    assert err == b""


def test_funnel_piped_into_head_exits_0_with_empty_stderr(sample_db, tmp_path):
    cmd = " ".join(_q(a) for a in _aesops()) + f" funnel --db {_q(str(sample_db))} | head -n 1"
    res = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, env=child_env("zh", COLUMNS="100"))
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
    from aesthetic_cli.present.labels import label

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
    from aesthetic_cli.present.labels import label

    first_column = [c for c in data["kpis"][0] if c != "group"][0]  # 分组=全部 on every row is dropped
    assert ws.cell(3, 1).value == label(first_column, "zh")
    missing = run_cli("funnel", "--db", str(sample_db), "--format", "xlsx")
    assert missing.exit_code == 2 and "--out" in missing.output


def test_every_message_has_both_languages_and_the_same_fields():
    import re

    from aesthetic_cli.present.messages import MESSAGES

    for key, (zh, en) in MESSAGES.items():
        assert zh.strip() and en.strip(), key
        assert re.search(r"[\u4e00-\u9fff]", zh), f"{key}: the Chinese text has no Chinese"
        assert sorted(re.findall(r"\{(\w+)\}", zh)) == sorted(re.findall(r"\{(\w+)\}", en)), key


def test_an_error_speaks_the_locale_or_lang(sample_db):
    db = ("--db", str(sample_db))
    zh = run_cli("funnel", *db, "--month", "2026-13", env={"LANG": "zh_CN.UTF-8"})
    assert zh.exit_code == 2 and zh.stderr.startswith("错误：") and "不是月份" in zh.stderr
    en = run_cli("funnel", *db, "--month", "2026-13", env={"LANG": "en_US.UTF-8"})
    assert en.exit_code == 2 and en.stderr.startswith("Error: ") and "错误" not in en.stderr
    flag = run_cli("funnel", *db, "--month", "2026-13", "--lang", "en", env={"LANG": "zh_CN.UTF-8"})
    assert flag.stderr.startswith("Error: ")
    # A message raised in English in the core, shown in Chinese by the catalog.
    missing = run_cli("funnel", "--db", "nope.duckdb", env={"LANG": "zh_CN.UTF-8"})
    assert "还不存在" in missing.stderr and "aesops init" in missing.stderr


def test_import_summary_and_reject_reasons_in_chinese(ws):
    from tests.conftest import write_csv

    f = write_csv(
        ws / "收费.csv",
        [
            ["收费日期", "顾客编号", "项目", "实收金额"],
            ["2026-10-01", "C1", "水光", "1000"],
            ["2026-10-02", "C2", "水光", "12345"],
            ["hello", "C3", "水光", "500"],
        ],
    )
    r = run_cli("import", str(f), env={"LANG": "zh_CN.UTF-8"})
    assert "读取 3 · 载入 2" in r.stderr and "重复跳过 0" in r.stderr, r.stderr
    assert "不是日期" in r.stderr and "整行拒收" in r.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10", "2026-10"),
        ("2026/10", "2026-10"),
        ("2026年10月", "2026-10"),
        ("2026年3月", "2026-03"),
        ("10月", "2025-10"),
        ("12月", "2025-12"),
        ("本月", "2026-01"),
        ("上月", "2025-12"),
    ],
)
def test_months_as_people_write_them(text, expected):
    from datetime import date

    from aesthetic_cli.metrics.periods import parse_month

    # The data ends 2026-01-20: 10月 is the latest October it reaches, 2025-10; 本月 is 2026-01.
    assert parse_month(text, date(2026, 1, 20)).label == expected


@pytest.mark.parametrize("last_day", ["2026-01-20", None])
def test_a_month_that_does_not_exist_is_called_so_with_or_without_data(last_day):
    from datetime import date

    from aesthetic_cli.errors import UsageError
    from aesthetic_cli.metrics.periods import parse_month

    day = date.fromisoformat(last_day) if last_day else None
    with pytest.raises(UsageError, match="is not a month"):
        parse_month("13月", day)
    with pytest.raises(UsageError, match="is not a month"):
        parse_month("0月", day)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-W43", "2026-W43"),
        ("2026W43", "2026-W43"),
        ("2026年第43周", "2026-W43"),
        ("第43周", "2025-W43"),
        ("第2周", "2026-W02"),
    ],
)
def test_weeks_as_people_write_them(text, expected):
    from datetime import date

    from aesthetic_cli.metrics.periods import parse_week

    # 2026-01-20 is in ISO week 2026-W04: week 43 of 2026 has not begun, so 第43周 is 2025's.
    assert parse_week(text, date(2026, 1, 20)).label == expected


def test_a_chinese_month_through_the_cli(sample_db):
    a = json.loads(run_cli("funnel", "--db", str(sample_db), "--format", "json").stdout)["meta"]
    last = a.get("period") or a
    b = json.loads(run_cli("funnel", "--db", str(sample_db), "--month", "本月", "--format", "json").stdout)["meta"]
    assert a == b, (last, b)


def _on_a_terminal(args, env):
    """Run aesops with stdout on a real pseudo-terminal; returns what reached the terminal."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([*_aesops(), *args], stdout=slave, stderr=subprocess.PIPE, env=child_env("zh", **env))
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait()
    os.close(master)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_a_long_table_on_a_terminal_goes_through_the_pager_and_no_pager_turns_it_off(sample_db, tmp_path):
    paged = tmp_path / "paged.txt"
    env = {"AESOPS_PAGER": f"cat > {paged}", "LINES": "20", "COLUMNS": "100", "NO_COLOR": "1"}
    rc, screen = _on_a_terminal(["funnel", "--db", str(sample_db)], env)
    assert rc == 0 and "核心指标" in paged.read_text(encoding="utf-8") and "核心指标" not in screen
    paged.unlink()
    rc, screen = _on_a_terminal(["--no-pager", "funnel", "--db", str(sample_db)], env)
    assert rc == 0 and not paged.exists() and "核心指标" in screen
    # After the subcommand too, where people type it.
    rc, screen = _on_a_terminal(["funnel", "--no-pager", "--db", str(sample_db)], env)
    assert rc == 0 and not paged.exists() and "核心指标" in screen
    # Short output is printed straight away, like git with less -F.
    rc, screen = _on_a_terminal(["funnel", "--db", str(sample_db)], {**env, "LINES": "10000"})
    assert not paged.exists() and "核心指标" in screen


def test_cohort_columns_read_as_months(sample_db):
    out = run_cli("cohorts", "--db", str(sample_db), "--months", "3").stdout
    assert "第1月" in out and "第3月" in out and " m1 " not in out
    assert "│ 2025-11 │" in out and "2025-11-01" not in out


def test_the_demo_suggests_a_command_that_runs_as_printed(monkeypatch, tmp_path):
    from aesthetic_cli.demo_run import _program

    fake = tmp_path / "venv" / "bin" / "aesops"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\n")
    monkeypatch.setattr(sys, "argv", [str(fake)])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert _program() == str(fake.resolve())  # not on PATH: the full path
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin")
    fake.chmod(0o755)
    assert _program() == "aesops"


def test_sparkline_bars_by_hand():
    from aesthetic_cli.present.sparkline import series_columns, spark

    # 0..8 over eight bars ▁▂▃▄▅▆▇█: 0 is the lowest, 8 the highest, 4 is 3.5 steps up, rounded to ▅.
    assert spark([0, 4, 8]) == "▁▅█"
    assert spark([3, 3, 3]) == "███"  # bars rise from zero: a flat 3 is the full height of its own row
    assert spark([0, 0]) == "▁▁"
    # A month not reached yet is blank, not a fall to zero; trailing blanks are dropped.
    assert spark([0.5, None, 0.25, None]) == "█ ▅"
    assert spark([None, None]) == "  "
    assert series_columns(["cohort", "customers", "m1", "m2", "m3", "m4"]) == ["m1", "m2", "m3", "m4"]
    assert series_columns(["s0", "s1", "s3", "s4"]) == []  # not consecutive months
    assert series_columns(["m1", "m2", "m3"]) == []  # too short to be a trend


def test_cohorts_show_each_cohorts_retention_as_a_sparkline(sample_db):
    data = json.loads(run_cli("cohorts", "--db", str(sample_db), "--format", "json").stdout)
    table = run_cli("cohorts", "--db", str(sample_db), env={"COLUMNS": "160"}).stdout
    assert "趋势" in table
    first = data["retention"][0]
    months = [first[f"m{k}"] for k in range(1, 13)]
    line = next(line for line in table.splitlines() if f" {first['cohort'][:7]} " in line)  # 首单月 2024-11
    bars = next(cell.strip() for cell in line.split("│") if cell.strip() and set(cell.strip()) <= set("▁▂▃▄▅▆▇█ "))
    # The best month of the cohort's first year is the full bar, the worst the lowest one it has.
    assert bars[months.index(max(months))] == "█"
    assert bars[months.index(min(months))] == min(bars, key="▁▂▃▄▅▆▇█".index)
    assert len(bars) == 12


def test_report_monthly_takes_a_month_as_people_write_it(sample_db, tmp_path):
    # The sample data ends 2026-10-31, so 上月 (the month before the data's last month) is 2026-09,
    # the same month as --month 2026/09 or 2026年9月.
    r = run_cli(
        "report", "monthly", "--month", "上月", "--format", "html", "--out", str(tmp_path), "--db", str(sample_db)
    )
    assert r.exit_code == 0, r.output
    assert [p.name for p in tmp_path.iterdir()] == ["aesops_monthly_2026-09.html"]
    bad = run_cli("report", "monthly", "--month", "2026年13月", "--out", str(tmp_path), "--db", str(sample_db))
    assert bad.exit_code == 2 and "is not a month" in bad.stderr


def test_a_table_names_the_period_it_covers(ws):
    """trial 8's G11: a table pasted into a group chat did not say its month; only the JSON did."""
    rows = [["收费日期", "顾客编号", "项目", "实收金额", "门店"], ["2026-10-02", "C1", "水光针", "1280", "静安店"]]
    visits = [["到院日期", "顾客编号", "门店"], ["2026-10-17", "C1", "静安店"]]
    files = [str(write_csv(ws / "收费.csv", rows)), str(write_csv(ws / "到院.csv", visits))]
    assert run_cli("import", *files).exit_code == 0
    zh = run_cli("channels", "--month", "2026-10", "--no-pager", env={"LANG": "zh_CN.UTF-8"})
    assert zh.stdout.splitlines()[0] == "期间：2026-10-01 至 2026-10-31（数据截至 2026-10-17） · 全部门店", zh.stdout
    en = run_cli("customers", "rfm", "--clinic", "静安店", "--lang", "en", "--no-pager")
    assert en.stdout.splitlines()[0] == "As of 2026-10-17 · Clinic: 静安店", en.stdout
    # Not in what a script reads.
    assert not run_cli("channels", "--month", "2026-10", "--format", "csv").stdout.lstrip("\ufeff").startswith("期间")
