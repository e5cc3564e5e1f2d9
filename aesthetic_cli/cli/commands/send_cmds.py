"""aesops send --test: check the [delivery] settings by sending a test message everywhere."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from aesthetic_cli.cli.analyse import open_workspace
from aesthetic_cli.cli.output import err, interactive, say
from aesthetic_cli.cli.options import Db


def _settings(ws):
    from aesthetic_cli.delivery import settings

    return settings.require(settings.load(ws.settings))


def _said(line: str) -> str:
    """A destination as delivery/ names it (English), in the reader's language."""
    from aesthetic_cli.cli.errors import message_lang
    from aesthetic_cli.present.messages import localize

    return localize(line, message_lang()) or line


def _warn(verbose: bool):
    # A retry that then succeeds is routine: under cron it stays silent (cron mails stderr).
    if not (verbose or interactive()):
        return lambda _m: None
    from aesthetic_cli.cli.errors import message_lang
    from aesthetic_cli.present.messages import localize

    # delivery/retry.py words the warning in English; the reader gets it in their language.
    return lambda m: err.print(localize(m, message_lang()) or m, markup=False)


def send_written(ws, written, *, verbose: bool = False) -> None:
    """Deliver reports already on disk (reports/run.py produce()); DeliveryError (exit 4) if any fails."""
    from aesthetic_cli import delivery
    from aesthetic_cli.delivery.summary import from_report

    cfg = _settings(ws)
    outgoing = [delivery.Outgoing(from_report(w.report, w.paths), w.paths, w.clinic, w.main) for w in written]
    for line in delivery.deliver(cfg, outgoing, warn=_warn(verbose)):
        if verbose:
            say("sent", markup=False, line=_said(line))


def send(
    test: Annotated[
        bool, typer.Option("--test", help="Send a test message to every mail recipient and robot.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="One line per destination.")] = True,
    db: Db = None,
    to: Annotated[
        Optional[str], typer.Option("--to", help="With --test: mail only this address.", show_default=False)
    ] = None,
) -> None:
    """Check the [delivery] settings in aesops.toml: connect to the SMTP server, log in,
    send a test mail, and post a test message to each group robot (企业微信, 钉钉, 飞书).

    Exit codes: 0 every destination answered; 2 the settings are wrong (the message names the key);
    4 a destination could not be reached after retries.

    Example:
        AESOPS_SMTP_PASSWORD=... aesops send --test
    """
    from dataclasses import replace

    from aesthetic_cli import delivery

    if not test:
        from aesthetic_cli.errors import UsageError

        raise UsageError("say --test: reports are sent by `aesops report ... --send`.")
    ws = open_workspace(db)
    cfg = _settings(ws)
    if to and cfg.email:
        cfg = replace(cfg, email=replace(cfg.email, to=(to,), cc=()))
    for line in delivery.test(cfg, warn=_warn(verbose)):
        say("send_ok", markup=False, line=_said(line))


def register(app: typer.Typer) -> None:
    app.command("send")(send)
