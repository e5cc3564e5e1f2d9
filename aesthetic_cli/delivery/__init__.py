"""Send written reports to people: mail (with the files attached) and group robots (a markdown
summary, and the file where the robot accepts uploads). Reports are always written before
anything is sent, so a failed delivery loses nothing; it ends with Exit.DELIVERY (4)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aesthetic_cli.delivery import mail, robots
from aesthetic_cli.delivery.retry import SendFailed, with_retries
from aesthetic_cli.delivery.settings import Delivery
from aesthetic_cli.delivery.summary import Summary
from aesthetic_cli.errors import DeliveryError


@dataclass
class Outgoing:
    summary: Summary
    files: list[Path]
    clinic: str | None = None  # set for one clinic's report of a --per-clinic run: it goes to its route
    main: bool = True  # the report for the whole workspace (or the one clinic asked for)


# Destinations are named in English, each wording a template of present/messages.py: the CLI shows
# them (and the failures that name them) wholly in the reader's language.
_ROBOT = {"wecom": "WeCom", "dingtalk": "DingTalk", "feishu": "Feishu"}


def _hook_name(i: int, kind: str) -> str:
    return f"{_ROBOT[kind]} robot #{i + 1}"


def deliver(
    cfg: Delivery, outgoing: list[Outgoing], *, warn: Callable[[str], None] = lambda _m: None, sleep=None
) -> list[str]:
    """Send everything; keep going past a failed destination; raise DeliveryError listing every
    failure at the end. Returns one line per destination reached."""
    kw = {"tries": cfg.tries, "backoff": cfg.backoff, "warn": warn, **({"sleep": sleep} if sleep else {})}
    done, failed = [], []
    routes = {r.clinic: r.to for r in cfg.routes}
    for out in outgoing:
        attach = [p for p in out.files if p.suffix.lstrip(".") in cfg.attach]
        if cfg.email is not None:
            to = cfg.email.to if out.main else routes.get(out.clinic or "")
            if to:
                msg = mail.message(
                    cfg.email, out.summary.title, out.summary.text(), attach, to=to, cc=cfg.email.cc if out.main else ()
                )
                target = f"mail to {', '.join(to)}"
                email = cfg.email

                def send_mail(msg=msg, email=email) -> None:
                    mail.send(email, msg)

                try:
                    with_retries(target, send_mail, **kw)
                    done.append(target)
                except SendFailed as exc:
                    failed.append(exc)
        if not out.main:
            continue  # a clinic's own report goes to its manager only, not to the whole group
        for i, hook in enumerate(cfg.webhooks):
            target = _hook_name(i, hook.kind)

            def post(hook=hook, out=out) -> None:
                robots.post_summary(hook, out.summary.title, out.summary.markdown(colour=hook.kind))

            def upload(path: Path, hook=hook) -> Callable[[], None]:
                return lambda: None if robots.post_file(hook, path) else None

            try:
                with_retries(target, post, **kw)
                for path in attach if hook.kind == "wecom" and hook.upload_files else []:
                    with_retries(f"{target}, file {path.name}", upload(path), **kw)
                done.append(target)
            except SendFailed as exc:
                failed.append(exc)
    if failed:
        files = [p for o in outgoing for p in o.files]  # none for `send --test`
        # One failure a line: a reason may hold any punctuation, a line break it does not.
        raise DeliveryError(
            "Delivery failed for:\n"
            + "\n".join(f"  {f.target}: attempts {len(f.attempts)}, last error: {_last(f)}" for f in failed),
            hint=(
                "The reports were written and are kept: "
                + ", ".join(str(p) for p in files)
                + ". Fix the settings or the network and send "
                "again (aesops send --test checks them); exit code 4 means exactly this."
            )
            if files
            else "Fix the settings or the network and run aesops send --test again; exit code 4 means exactly this.",
        )
    return done


def _last(failure: SendFailed) -> str:
    return " ".join(failure.attempts[-1].split()) if failure.attempts else "?"


def test(cfg: Delivery, *, warn: Callable[[str], None] = lambda _m: None, sleep=None) -> list[str]:
    """`aesops send --test`: a short test message to every destination, with the same retries."""
    from aesthetic_cli.delivery.summary import Line

    probe = Summary(
        "aesops 测试消息 · test message",
        [Line("设置检查", "正常", "—", "—")],
        ["这是一条测试消息：收到即说明 aesops.toml 中的发送设置可用。"],
    )
    return deliver(cfg, [Outgoing(probe, [])], warn=warn, sleep=sleep)
