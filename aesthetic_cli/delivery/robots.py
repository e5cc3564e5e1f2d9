"""Group robots: 企业微信, 钉钉 and 飞书 custom-robot webhooks, each in its documented format.

References (the vendors' own pages):
- 企业微信 群机器人配置说明 https://developer.work.weixin.qq.com/document/path/91770 :
  POST {"msgtype": "markdown", "markdown": {"content": ...}} (content ≤ 4096 bytes, UTF-8;
  <font color="info|comment|warning"> allowed); files go first to
  /cgi-bin/webhook/upload_media?key=KEY&type=file as multipart/form-data (field "media", with
  filename and filelength), whose media_id is then sent as {"msgtype": "file", "file": {"media_id": ...}}.
  No signing: the key in the URL is the credential. Success is {"errcode": 0}.
- 钉钉 自定义机器人 https://open.dingtalk.com/document/robots/custom-robot-access and
  .../customize-robot-security-settings : {"msgtype": "markdown", "markdown": {"title", "text"}};
  加签: string_to_sign = timestamp(ms) + "\\n" + secret, HmacSHA256 keyed with the secret, Base64, then
  urlEncode, appended as &timestamp=...&sign=... . Success is {"errcode": 0}. No file upload for webhooks.
- 飞书 自定义机器人 https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot :
  {"msg_type": "interactive", "card": {...}} with a lark_md text element; 签名校验:
  string_to_sign = timestamp(s) + "\\n" + secret used as the HMAC-SHA256 *key* over an empty message,
  Base64, sent in the JSON body as "timestamp" and "sign". Success is {"code": 0}. No file upload.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import parse_qs, quote_plus, urlencode, urlparse, urlunparse

from aesthetic_cli.delivery.retry import Permanent
from aesthetic_cli.delivery.settings import Webhook

WECOM_MARKDOWN_LIMIT = 4096  # bytes
WECOM_FILE_LIMIT = 20 * 1024 * 1024  # upload_media accepts files of 5 B .. 20 MB


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def feishu_sign(timestamp_s: int, secret: str) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _post(url: str, body: bytes, content_type: str, timeout: float = 20) -> dict:
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - the configured webhook
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500 and exc.code != 429:
            raise Permanent(f"HTTP {exc.code} from the robot: check its url") from None
        raise OSError(f"HTTP {exc.code} from the robot") from None
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        raise OSError("the robot answered with something that is not JSON") from None


def _check(answer: dict, kind: str) -> dict:
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code not in (0, None):
        msg = answer.get("errmsg") or answer.get("msg") or ""
        # 频率限制 (45009 企业微信, 130101 钉钉, 9499/11232 飞书) clears up: worth another try.
        if code in (45009, 130101, 11232):
            raise OSError(f"{kind} robot is rate-limiting ({code} {msg})")
        raise Permanent(f"{kind} robot refused the message: {code} {msg}")
    return answer


def _json(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def _truncate_utf8(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 8].decode("utf-8", errors="ignore") + "\n……"


def _wecom_upload_url(url: str) -> str:
    parts = urlparse(url)
    key = parse_qs(parts.query).get("key", [""])[0]
    path = parts.path.rsplit("/", 1)[0] + "/upload_media"
    return urlunparse(parts._replace(path=path, query=urlencode({"key": key, "type": "file"})))


def _multipart(path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    data = path.read_bytes()
    # filename* (RFC 5987) carries a Chinese name; filename= keeps an ASCII fallback.
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="media"; '
        f'filename="{path.name.encode("ascii", "replace").decode()}"; '
        f"filename*=UTF-8''{quote_plus(path.name)}; filelength={len(data)}\r\n"
        f"Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post_summary(hook: Webhook, title: str, markdown: str, *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    if hook.kind == "wecom":
        content = _truncate_utf8(markdown, WECOM_MARKDOWN_LIMIT)
        _check(
            _post(hook.url, _json({"msgtype": "markdown", "markdown": {"content": content}}), "application/json"),
            "企业微信",
        )
    elif hook.kind == "dingtalk":
        url = hook.url
        if hook.secret:
            ts = int(now * 1000)
            url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={dingtalk_sign(ts, hook.secret)}"
        _check(
            _post(
                url, _json({"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}), "application/json"
            ),
            "钉钉",
        )
    elif hook.kind == "feishu":
        payload: dict = {
            "msg_type": "interactive",
            "card": {
                "config": {"wide_screen_mode": True},
                "header": {"title": {"tag": "plain_text", "content": title}, "template": "blue"},
                "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": markdown}}],
            },
        }
        if hook.secret:
            ts = int(now)
            payload = {"timestamp": str(ts), "sign": feishu_sign(ts, hook.secret), **payload}
        _check(_post(hook.url, _json(payload), "application/json"), "飞书")


def post_file(hook: Webhook, path: Path) -> bool:
    """Upload a report where the robot API allows it (企业微信 only). False when it does not."""
    if hook.kind != "wecom" or not hook.upload_files or path.stat().st_size > WECOM_FILE_LIMIT:
        return False
    body, ctype = _multipart(path)
    answer = _check(_post(_wecom_upload_url(hook.url), body, ctype), "企业微信")
    media_id = answer.get("media_id")
    if not media_id:
        raise OSError("WeCom upload_media answered without a media_id")
    _check(_post(hook.url, _json({"msgtype": "file", "file": {"media_id": media_id}}), "application/json"), "企业微信")
    return True
