"""The [delivery] part of aesops.toml, read and checked in one place. Secrets never live in the
file: the SMTP password comes from AESOPS_SMTP_PASSWORD, robot signing secrets from
AESOPS_WEBHOOK_SECRET (or a per-robot variable named by `secret_env`)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

from aesthetic_cli.errors import UsageError

KINDS = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书"}
PORT_SECURITY = {465: "ssl", 587: "starttls", 25: "plain"}
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_WHERE = "aesops.toml"


@dataclass(frozen=True)
class Email:
    host: str
    port: int
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    user: str | None = None
    password: str | None = None
    security: str = "ssl"  # ssl (465) | starttls (587) | plain (25)
    timeout: float = 30.0


@dataclass(frozen=True)
class Webhook:
    kind: str
    url: str
    secret: str | None = None
    upload_files: bool = True  # only the 企业微信 robot accepts files


@dataclass(frozen=True)
class Route:
    clinic: str
    to: tuple[str, ...]


@dataclass(frozen=True)
class Delivery:
    email: Email | None = None
    webhooks: tuple[Webhook, ...] = ()
    routes: tuple[Route, ...] = ()
    tries: int = 3
    backoff: float = 1.0  # seconds before the 2nd try; doubles each time (1, 2, 4 ...)
    attach: tuple[str, ...] = ("xlsx", "html")
    extra: dict = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.email is None and not self.webhooks


def _bad(message: str, hint: str | None = None) -> UsageError:
    return UsageError(f"{_WHERE}: {message}", hint=hint or "See README, 'Sending reports', for the settings.")


def _addresses(value, key: str, *, required: bool) -> tuple[str, ...]:
    if value is None:
        value = []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(f'{key} must be a list of e-mail addresses, e.g. {key} = ["ceo@clinic.example"].')
    bad = [v for v in value if not _ADDRESS.match(v.strip())]
    if bad:
        raise _bad(f"{key} has {len(bad)} address(es) that are not e-mail addresses: {', '.join(bad[:3])}.")
    if required and not value:
        raise _bad(f"{key} is empty: name at least one recipient.")
    return tuple(v.strip() for v in value)


def _email(node: dict, env: Mapping[str, str]) -> Email:
    if not isinstance(node, dict):
        raise _bad("[delivery.email] must be a table.")
    missing = [k for k in ("host", "port", "sender", "to") if k not in node]
    if missing:
        raise _bad(
            f"[delivery.email] lacks {', '.join(missing)}.",
            hint='Example: host = "smtp.example.com", port = 465, sender = "aesops@clinic.example", '
            'to = ["ceo@clinic.example"].',
        )
    port = node["port"]
    if not isinstance(port, int) or not 0 < port < 65536:
        raise _bad(f"[delivery.email] port = {port!r} is not a port number (465 = SSL, 587 = STARTTLS, 25 = plain).")
    security = node.get("security") or PORT_SECURITY.get(port)
    if security not in ("ssl", "starttls", "plain"):
        raise _bad(
            f"[delivery.email] port {port} is not one of 465 (SSL), 587 (STARTTLS) or 25 (plain).",
            hint='Say which with security = "ssl" | "starttls" | "plain".',
        )
    if not isinstance(node["host"], str) or not node["host"].strip():
        raise _bad('[delivery.email] host must be the SMTP server\'s name, e.g. "smtp.exmail.qq.com".')
    sender = _addresses(node["sender"], "[delivery.email] sender", required=True)[0]
    user = node.get("user")
    password = env.get("AESOPS_SMTP_PASSWORD")
    if user and not password:
        raise _bad(
            f"[delivery.email] user = {user!r} needs a password in the environment variable "
            "AESOPS_SMTP_PASSWORD (it is never read from aesops.toml).",
            hint="Set it in the crontab line or the service's environment, e.g. AESOPS_SMTP_PASSWORD=... .",
        )
    return Email(
        host=node["host"].strip(),
        port=port,
        sender=sender,
        to=_addresses(node["to"], "[delivery.email] to", required=True),
        cc=_addresses(node.get("cc"), "[delivery.email] cc", required=False),
        user=user or None,
        password=password if user else None,
        security=security,
        timeout=float(node.get("timeout", 30)),
    )


def _webhook(i: int, node: dict, env: Mapping[str, str]) -> Webhook:
    where = f"[[delivery.webhook]] #{i + 1}"
    if not isinstance(node, dict):
        raise _bad(f"{where} must be a table with kind and url.")
    kind = node.get("kind")
    if kind not in KINDS:
        raise _bad(f'{where} kind = {kind!r}: use "wecom" (企业微信), "dingtalk" (钉钉) or "feishu" (飞书).')
    url = node.get("url")
    parsed = urlparse(url) if isinstance(url, str) else None
    if not parsed or parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise _bad(f"{where} ({KINDS[kind]}) url is not a web address: copy the robot's webhook address.")
    secret_env = node.get("secret_env", "AESOPS_WEBHOOK_SECRET")
    secret = env.get(secret_env) or None
    if node.get("secret"):
        raise _bad(f"{where} has a secret in the file: move it to the environment variable {secret_env}.")
    return Webhook(
        kind=kind,
        url=str(url),
        secret=secret if kind != "wecom" else None,
        upload_files=bool(node.get("upload_files", True)),
    )


def _route(i: int, node: dict) -> Route:
    where = f"[[delivery.route]] #{i + 1}"
    if not isinstance(node, dict) or not isinstance(node.get("clinic"), str) or not node["clinic"].strip():
        raise _bad(f'{where} needs clinic = "门店名" and to = [...].')
    return Route(clinic=node["clinic"].strip(), to=_addresses(node.get("to"), f"{where} to", required=True))


def load(settings: dict, env: Mapping[str, str] | None = None) -> Delivery:
    """The delivery settings of a workspace, or a UsageError naming the key to fix."""
    env = dict(os.environ) if env is None else env
    node = settings.get("delivery") or {}
    if not isinstance(node, dict):
        raise _bad("[delivery] must be a table.")
    email = _email(node["email"], env) if "email" in node else None
    hooks = node.get("webhook") or []
    if isinstance(hooks, dict):
        hooks = [hooks]
    webhooks = tuple(_webhook(i, h, env) for i, h in enumerate(hooks))
    routes_node = node.get("route") or []
    if isinstance(routes_node, dict):
        routes_node = [routes_node]
    routes = tuple(_route(i, r) for i, r in enumerate(routes_node))
    if routes and email is None:
        raise _bad("[[delivery.route]] sends mail, but there is no [delivery.email] to send it with.")
    tries = node.get("tries", 3)
    backoff = node.get("backoff_seconds", 1.0)
    if not isinstance(tries, int) or not 1 <= tries <= 10:
        raise _bad(f"[delivery] tries = {tries!r}: a whole number from 1 to 10.")
    if not isinstance(backoff, (int, float)) or backoff < 0:
        raise _bad(f"[delivery] backoff_seconds = {backoff!r}: seconds, 0 or more.")
    attach = node.get("attach", ["xlsx", "html"])
    if not isinstance(attach, list) or any(a not in ("xlsx", "html", "pdf") for a in attach):
        raise _bad(f"[delivery] attach = {attach!r}: a list of xlsx, html, pdf.")
    return Delivery(
        email=email, webhooks=webhooks, routes=routes, tries=tries, backoff=float(backoff), attach=tuple(attach)
    )


def require(delivery: Delivery) -> Delivery:
    if delivery.empty:
        raise _bad(
            "there is nowhere to send reports: no [delivery.email] and no [[delivery.webhook]].",
            hint='Add for example:\n[delivery.email]\nhost = "smtp.example.com"\nport = 465\n'
            'sender = "aesops@clinic.example"\nto = ["ceo@clinic.example"]',
        )
    return delivery
