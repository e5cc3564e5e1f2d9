"""Try again with backoff: a mail server or robot that hiccups at 08:00 usually answers a few seconds later."""

from __future__ import annotations

import time
from collections.abc import Callable


class SendFailed(Exception):
    """One destination failed after every try; `attempts` lists each try's reason."""

    def __init__(self, target: str, attempts: list[str]):
        super().__init__(f"{target}: {attempts[-1] if attempts else 'failed'}")
        self.target = target
        self.attempts = attempts


def with_retries(
    target: str,
    send: Callable[[], object],
    *,
    tries: int = 3,
    backoff: float = 1.0,
    retry_on: tuple[type[BaseException], ...] = (OSError,),
    warn: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
):
    """send() up to `tries` times, waiting backoff, 2·backoff, 4·backoff ... between tries.
    Errors outside retry_on (a refused login, a robot rejecting the message shape) are not retried:
    the same request would be refused again."""
    attempts: list[str] = []
    for i in range(tries):
        try:
            return send()
        except retry_on as exc:
            attempts.append(_reason(exc))
            if i + 1 < tries:
                wait = backoff * (2**i)
                if warn:
                    warn(f"{target}: try {i + 1} of {tries} failed ({attempts[-1]}); retrying in {wait:g}s.")
                sleep(wait)
        except Permanent as exc:
            attempts.append(str(exc))
            break
    raise SendFailed(target, attempts)


class Permanent(Exception):
    """A refusal that retrying cannot fix (bad credentials, a rejected message)."""


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text
