"""Delivery against real servers: aiosmtpd for mail, a local http.server for the group robots.
Signatures are recomputed here from the vendors' documented recipes, not with the code's helpers."""

from __future__ import annotations

import base64
import email
import hashlib
import hmac
import json
import shutil
import socket
import threading
import time
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from tests.conftest import run_cli

SECRET = "SEC0123456789abcdef"
PASSWORD = "s3cret-pw"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    class Handler:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(
                {
                    "from": envelope.mail_from,
                    "rcpt": list(envelope.rcpt_tos),
                    "msg": email.message_from_bytes(envelope.content, policy=policy.default),
                    "login": session.auth_data.login if session.auth_data else None,
                }
            )
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"aesops@clinic.example" and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    handler = Handler()
    port = _free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port, authenticator=authenticator, auth_require_tls=False)
    ctl.start()
    handler.port = port
    yield handler
    ctl.stop()


class Robots:
    """A stand-in for the three vendors' webhook endpoints; `fail` makes every request a 503."""

    def __init__(self):
        self.requests: list[dict] = []
        self.fail = False
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                u = urlparse(self.path)
                outer.requests.append(
                    {"path": u.path, "query": u.query, "ctype": self.headers["Content-Type"], "body": body}
                )
                if outer.fail:
                    self.send_response(503)
                    self.end_headers()
                    return
                answer = {"errcode": 0, "errmsg": "ok"}
                if u.path.endswith("/upload_media"):
                    answer["media_id"] = f"MEDIA{len(outer.requests)}"
                if u.path.startswith("/open-apis"):
                    answer = {"code": 0, "msg": "success", "data": {}}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def robots():
    r = Robots()
    yield r
    r.server.shutdown()
    r.server.server_close()


def _workspace(tmp_path, monkeypatch, sample_db, smtp_port: int, robots_url: str, *, routes: bool = False) -> Path:
    from aesthetic_cli import workspace

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AESOPS_DB", raising=False)
    workspace.init(tmp_path, clinic="静安店")
    shutil.copy(sample_db, tmp_path / "aesops.duckdb")
    toml = (
        (tmp_path / "aesops.toml").read_text(encoding="utf-8")
        + f"""
[delivery]
tries = 3
backoff_seconds = 0.01

[delivery.email]
host = "127.0.0.1"
port = {smtp_port}
security = "plain"
sender = "aesops@clinic.example"
to = ["ceo@clinic.example"]
cc = ["ops@clinic.example"]
user = "aesops@clinic.example"

[[delivery.webhook]]
kind = "wecom"
url = "{robots_url}/cgi-bin/webhook/send?key=KEY123"

[[delivery.webhook]]
kind = "dingtalk"
url = "{robots_url}/robot/send?access_token=TOKEN"

[[delivery.webhook]]
kind = "feishu"
url = "{robots_url}/open-apis/bot/v2/hook/HOOK"
"""
    )
    if routes:
        toml += '\n[[delivery.route]]\nclinic = "静安店"\nto = ["jingan@clinic.example"]\n'
    (tmp_path / "aesops.toml").write_text(toml, encoding="utf-8")
    return tmp_path


ENV = {"AESOPS_SMTP_PASSWORD": PASSWORD, "AESOPS_WEBHOOK_SECRET": SECRET}


def test_report_send_mails_and_posts_in_each_vendors_format(sample_db, tmp_path, monkeypatch, smtp, robots):
    root = _workspace(tmp_path, monkeypatch, sample_db, smtp.port, robots.url)
    before = time.time()
    r = run_cli("report", "daily", "--date", "2026-09-15", "--out", str(root / "out"), "--send", env=ENV)
    assert r.exit_code == 0, r.output
    written = sorted(p.name for p in (root / "out").iterdir())
    assert written == ["aesops_daily_2026-09-15.html", "aesops_daily_2026-09-15.xlsx"]

    # Mail: logged in, To + Cc as envelope recipients, Chinese summary with 环比/同比, both files attached.
    assert len(smtp.messages) == 1
    m = smtp.messages[0]
    assert m["login"] == b"aesops@clinic.example"
    assert sorted(m["rcpt"]) == ["ceo@clinic.example", "ops@clinic.example"]
    msg = m["msg"]
    assert "日报" in msg["Subject"] and "2026-09-15" in msg["Subject"]
    body = msg.get_body(("plain",)).get_content()
    assert "成交业绩" in body and "环比" in body and "同比" in body
    attachments = {a.get_filename(): a.get_content() for a in msg.iter_attachments()}
    assert set(attachments) == set(written)
    assert attachments["aesops_daily_2026-09-15.xlsx"] == (root / "out" / "aesops_daily_2026-09-15.xlsx").read_bytes()

    by_path = {}
    for req in robots.requests:
        by_path.setdefault(req["path"], []).append(req)

    # 企业微信: a markdown message, then upload_media (multipart field "media") and a file message per report.
    wecom = by_path["/cgi-bin/webhook/send"]
    first = json.loads(wecom[0]["body"])
    assert first["msgtype"] == "markdown" and "成交业绩" in first["markdown"]["content"]
    assert len(first["markdown"]["content"].encode()) <= 4096
    uploads = by_path["/cgi-bin/webhook/upload_media"]
    assert len(uploads) == 2
    for up in uploads:
        assert parse_qs(up["query"]) == {"key": ["KEY123"], "type": ["file"]}
        assert up["ctype"].startswith("multipart/form-data; boundary=")
        assert b'name="media"' in up["body"] and b"filelength=" in up["body"]
    files = [json.loads(w["body"]) for w in wecom[1:]]
    assert [f["msgtype"] for f in files] == ["file", "file"] and all(f["file"]["media_id"] for f in files)

    # 钉钉: markdown with title/text; timestamp (ms) and sign in the query, sign = urlencoded base64 HMAC.
    (ding,) = by_path["/robot/send"]
    payload = json.loads(ding["body"])
    assert payload["msgtype"] == "markdown" and payload["markdown"]["title"] and "环比" in payload["markdown"]["text"]
    q = parse_qs(ding["query"])
    assert q["access_token"] == ["TOKEN"]
    ts = q["timestamp"][0]
    assert abs(int(ts) / 1000 - before) < 120
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest())
    raw_sign = ding["query"].split("sign=")[1].split("&")[0]
    assert unquote(raw_sign) == expected.decode()  # urlencoded once in the URL, like the vendor's sample

    # 飞书: an interactive card; timestamp (s) and sign in the JSON body, HMAC keyed by "ts\nsecret" over "".
    (fs,) = by_path["/open-apis/bot/v2/hook/HOOK"]
    payload = json.loads(fs["body"])
    assert payload["msg_type"] == "interactive"
    assert "成交业绩" in json.dumps(payload["card"], ensure_ascii=False)
    key = f"{payload['timestamp']}\n{SECRET}".encode()
    assert payload["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert abs(int(payload["timestamp"]) - before) < 120


def test_failing_robots_retry_then_exit_4_and_reports_stay(sample_db, tmp_path, monkeypatch, smtp, robots):
    root = _workspace(tmp_path, monkeypatch, sample_db, smtp.port, robots.url)
    robots.fail = True
    r = run_cli("report", "daily", "--date", "2026-09-15", "--out", str(root / "out"), "--send", env=ENV)
    assert r.exit_code == 4, r.output
    assert "Delivery failed" in r.stderr and "exit code 4" in r.stderr
    assert "DingTalk robot #2: attempts 3" in r.stderr and "Feishu robot #3: attempts 3" in r.stderr, r.stderr
    # 3 robots × 3 tries, each a 503; the mail still went out; the reports are on disk.
    assert len(robots.requests) == 9
    assert len(smtp.messages) == 1
    assert (root / "out" / "aesops_daily_2026-09-15.xlsx").stat().st_size > 0
    assert (root / "out" / "aesops_daily_2026-09-15.html").stat().st_size > 0


def test_unreachable_smtp_retries_and_exits_4(sample_db, tmp_path, monkeypatch, robots):
    root = _workspace(tmp_path, monkeypatch, sample_db, _free_port(), robots.url)  # nothing listens there
    r = run_cli("report", "daily", "--date", "2026-09-15", "--out", str(root / "out"), "--send", env=ENV)
    assert r.exit_code == 4, r.output
    assert "mail to ceo@clinic.example: attempts 3" in r.stderr, r.stderr
    assert (root / "out" / "aesops_daily_2026-09-15.xlsx").exists()


def test_wrong_password_is_not_retried(sample_db, tmp_path, monkeypatch, smtp, robots):
    root = _workspace(tmp_path, monkeypatch, sample_db, smtp.port, robots.url)
    r = run_cli("send", "--test", env={**ENV, "AESOPS_SMTP_PASSWORD": "wrong"})
    assert r.exit_code == 4, r.output
    assert (
        "refused the login" in r.stderr and ": attempts 1, last error: the SMTP server refused the login" in r.stderr
    ), r.stderr
    assert smtp.messages == []
    assert root.exists()


def test_per_clinic_reports_go_to_their_routes(sample_db, tmp_path, monkeypatch, smtp, robots):
    root = _workspace(tmp_path, monkeypatch, sample_db, smtp.port, robots.url, routes=True)
    r = run_cli(
        "report",
        "daily",
        "--date",
        "2026-09-15",
        "--out",
        str(root / "out"),
        "--format",
        "xlsx",
        "--per-clinic",
        "--send",
        env=ENV,
    )
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in (root / "out").iterdir())
    assert "aesops_daily_2026-09-15.xlsx" in names and "aesops_daily_2026-09-15_静安店.xlsx" in names
    by_rcpt = {tuple(sorted(m["rcpt"])): m["msg"] for m in smtp.messages}
    assert set(by_rcpt) == {("ceo@clinic.example", "ops@clinic.example"), ("jingan@clinic.example",)}
    store = by_rcpt[("jingan@clinic.example",)]
    assert [a.get_filename() for a in store.iter_attachments()] == ["aesops_daily_2026-09-15_静安店.xlsx"]
    assert "静安店" in store["Subject"]
    # The group robots get the whole-workspace summary once, not every clinic's.
    assert len([q for q in robots.requests if q["path"] == "/robot/send"]) == 1


def test_send_test_reaches_every_destination(sample_db, tmp_path, monkeypatch, smtp, robots):
    _workspace(tmp_path, monkeypatch, sample_db, smtp.port, robots.url)
    r = run_cli("send", "--test", env=ENV)
    assert r.exit_code == 0, r.output
    assert len(smtp.messages) == 1 and "测试" in smtp.messages[0]["msg"]["Subject"]
    assert {q["path"] for q in robots.requests} == {
        "/cgi-bin/webhook/send",
        "/robot/send",
        "/open-apis/bot/v2/hook/HOOK",
    }
    assert r.stderr.count("ok:") == 4


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ('[delivery.email]\nhost = "smtp.x.cn"\nport = 465\nsender = "a@x.cn"\n', "lacks to"),
        ('[delivery.email]\nhost = "smtp.x.cn"\nport = 2525\nsender = "a@x.cn"\nto = ["b@x.cn"]\n', "465 (SSL)"),
        (
            '[delivery.email]\nhost = "smtp.x.cn"\nport = 465\nsender = "a@x.cn"\nto = ["not-an-address"]\n',
            "not e-mail addresses: not-an-address",
        ),
        (
            '[delivery.email]\nhost = "smtp.x.cn"\nport = 465\nsender = "a@x.cn"\nto = ["b@x.cn"]\nuser = "a@x.cn"\n',
            "AESOPS_SMTP_PASSWORD",
        ),
        ('[[delivery.webhook]]\nkind = "slack"\nurl = "https://x"\n', "wecom"),
        ('[[delivery.webhook]]\nkind = "dingtalk"\nurl = "https://x"\nsecret = "SEC1"\n', "environment variable"),
        ('[[delivery.route]]\nclinic = "静安店"\nto = ["a@x.cn"]\n', "no [delivery.email]"),
        ("", "nowhere to send"),
    ],
)
def test_settings_are_checked_with_clear_messages(ws, snippet, message):
    (ws / "aesops.toml").write_text((ws / "aesops.toml").read_text(encoding="utf-8") + "\n" + snippet, encoding="utf-8")
    r = run_cli("send", "--test", env={"AESOPS_SMTP_PASSWORD": ""})
    assert r.exit_code == 2, r.output
    assert message in r.stderr and "Traceback" not in r.output


def test_ports_choose_the_security():
    from aesthetic_cli.delivery import settings

    base = {"host": "smtp.x.cn", "sender": "a@x.cn", "to": ["b@x.cn"]}
    got = {
        p: settings.load({"delivery": {"email": {**base, "port": p}}}, env={}).email.security for p in (465, 587, 25)
    }
    assert got == {465: "ssl", 587: "starttls", 25: "plain"}


def test_retry_waits_double_each_time():
    from aesthetic_cli.delivery.retry import SendFailed, with_retries

    waits, calls = [], []

    def flaky():
        calls.append(1)
        raise ConnectionRefusedError("refused")

    with pytest.raises(SendFailed) as exc:
        with_retries("x", flaky, tries=3, backoff=1.0, sleep=waits.append)
    assert waits == [1.0, 2.0] and len(calls) == 3 and len(exc.value.attempts) == 3
