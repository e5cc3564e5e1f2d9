"""Mail through the SMTP server named in aesops.toml: 465 = SMTPS, 587 = STARTTLS, 25 = plain."""

from __future__ import annotations

import mimetypes
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from aesthetic_cli.delivery.retry import Permanent
from aesthetic_cli.delivery.settings import Email

MIME = {
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".html": ("text", "html"),
    ".pdf": ("application", "pdf"),
}


def message(
    cfg: Email,
    subject: str,
    body: str,
    attachments: list[Path] | tuple[Path, ...] = (),
    to: tuple[str, ...] | None = None,
    cc: tuple[str, ...] | None = None,
) -> EmailMessage:
    msg = EmailMessage()  # default policy: UTF-8 subject and body, RFC 2231 file names (静安店.xlsx)
    msg["Subject"] = subject
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(to if to is not None else cfg.to)
    if cc if cc is not None else cfg.cc:
        msg["Cc"] = ", ".join(cc if cc is not None else cfg.cc)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=cfg.sender.split("@")[-1])
    msg.set_content(body)
    for path in attachments:
        maintype, subtype = MIME.get(path.suffix.lower()) or (
            (mimetypes.guess_type(path.name)[0] or "application/octet-stream").split("/", 1)
        )
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return msg


def _connect(cfg: Email) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if cfg.security == "ssl":
        return smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=context)
    server = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
    if cfg.security == "starttls":
        server.starttls(context=context)
    return server


def send(cfg: Email, msg: EmailMessage) -> None:
    """One delivery attempt. A refused login or refused recipients is Permanent (no retry);
    a dropped connection or a 4xx answer is an OSError and is retried by the caller."""
    try:
        with _connect(cfg) as server:
            if cfg.user:
                server.login(cfg.user, cfg.password or "")
            server.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        raise Permanent(
            f"the SMTP server refused the login for {cfg.user} ({exc.smtp_code}); check user and AESOPS_SMTP_PASSWORD"
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise Permanent(f"the SMTP server refused the recipients {', '.join(exc.recipients)}") from None
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            raise Permanent(
                f"the SMTP server answered {exc.smtp_code} "
                f"{exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error}"
            ) from None
        raise
