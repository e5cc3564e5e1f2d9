"""The intake folder and the cron job that uses it: intake → report → send, quiet unless something is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_cli, write_csv

ORDERS = [
    ["收费日期", "顾客编号", "项目", "实收金额"],
    ["2026-03-02", "C1", "水光针", "1,200.00"],
    ["2026-03-02", "C2", "热玛吉", "¥9,800"],
    ["2026-03-03", "C1", "光子嫩肤", "800元"],
]
VISITS = [
    ["到院日期", "顾客编号", "初诊/复诊/复查", "渠道", "现场咨询师"],
    ["2026-03-02", "C1", "初诊", "抖音", "王芳"],
    ["2026-03-02", "C2", "初诊", "美团", "王芳"],
    ["2026-03-03", "C3", "初诊", "抖音", "刘洋"],
]
BAD = [["日期", "备注"], ["2026-03-02", "这不是收费明细"]]


def _drop(inbox: Path) -> None:
    inbox.mkdir(exist_ok=True)
    write_csv(inbox / "收费明细_3月.csv", ORDERS)
    write_csv(inbox / "到院登记.csv", VISITS)
    write_csv(inbox / "随手记.csv", BAD)
    past = os.path.getmtime(inbox / "随手记.csv") - 60  # copied a minute ago: settled
    for p in inbox.iterdir():
        os.utime(p, (past, past))


def test_three_files_two_processed_one_rejected_with_reason(ws, con):
    con.close()  # the command opens the warehouse itself
    inbox = ws / "inbox"
    _drop(inbox)
    r = run_cli("intake", str(inbox))
    assert r.exit_code == 1, r.output  # a rejected export is an error cron should mail
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["到院登记.csv", "收费明细_3月.csv"]
    assert sorted(p.name for p in (inbox / "rejected").iterdir()) == ["随手记.csv", "随手记.csv.reason.txt"]
    reason = (inbox / "rejected" / "随手记.csv.reason.txt").read_text(encoding="utf-8")
    assert "随手记.csv" in reason and "order_date" in reason  # the importer's own explanation: what is missing
    assert "rejected 随手记.csv" in r.stderr and "Traceback" not in r.output
    assert [p.name for p in inbox.iterdir() if p.is_file()] == []  # nothing left behind

    from aesthetic_cli.warehouse import connect

    c = connect(ws / "aesops.duckdb", read_only=True)
    # 1,200 + 9,800 + 800 = 11,800 yuan from the three order lines; three visits.
    assert float(c.execute("SELECT sum(paid_amount) FROM orders").fetchone()[0]) == 11800.0
    assert c.execute("SELECT count(*) FROM visits").fetchone()[0] == 3
    c.close()

    again = run_cli("intake", str(inbox))  # nothing new: silent, success
    assert again.exit_code == 0 and again.output == ""


def test_files_still_arriving_wait_for_the_next_run(ws):
    inbox = ws / "inbox"
    inbox.mkdir()
    write_csv(inbox / "收费明细.csv", ORDERS)  # just written: mtime now
    (inbox / "~$收费明细.xlsx").write_bytes(b"excel lock file")
    r = run_cli("intake", str(inbox))
    assert r.exit_code == 0 and r.output == ""
    assert sorted(p.name for p in inbox.iterdir()) == ["~$收费明细.xlsx", "收费明细.csv"]
    assert run_cli("intake", str(inbox), "--settle", "0").exit_code == 0
    assert (inbox / "processed" / "收费明细.csv").exists()


def test_intake_of_a_missing_folder_is_a_usage_error(ws):
    r = run_cli("intake", str(ws / "nope"))
    assert r.exit_code == 2 and "does not exist" in r.stderr


def test_cron_line_runs_intake_then_report_and_mails_only_errors(ws, tmp_path):
    """Run the installed daily line itself in a shell, as cron would: stdout is routine and
    discarded; stderr (what cron mails) carries only the rejected file."""
    inbox = ws / "inbox"
    _drop(inbox)
    exe = Path(sys.executable).with_name("aesops")
    r = run_cli("schedule", "print", "--intake", str(inbox), "--out", str(tmp_path / "out"))
    assert r.exit_code == 0
    lines = [ln for ln in r.stdout.splitlines() if ln and not ln.startswith("#")]
    daily = next(ln for ln in lines if "report daily" in ln)
    assert "intake" in daily and daily.index("intake") < daily.index("report daily")
    assert "2>" not in daily and "--send" not in daily  # no [delivery] in this workspace
    command = daily.split(None, 5)[5]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # cron's bare environment
    done = subprocess.run(
        ["/bin/sh", "-c", command.replace(str(exe), str(exe))], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.stdout == ""
    assert "已拒收 随手记.csv" in done.stderr  # cron has no LANG: Chinese, the default
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 4
    assert (tmp_path / "out" / "daily" / "aesops_daily_2026-03-03.xlsx").exists()


def test_schedule_adds_send_when_delivery_is_configured(ws):
    (ws / "aesops.toml").write_text(
        (ws / "aesops.toml").read_text(encoding="utf-8")
        + """
[[delivery.webhook]]
kind = "wecom"
url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K"
""",
        encoding="utf-8",
    )
    r = run_cli("schedule", "print")
    lines = [ln for ln in r.stdout.splitlines() if "report" in ln and not ln.startswith("#")]
    assert len(lines) == 3 and all("--send" in ln and " intake " in ln for ln in lines)
