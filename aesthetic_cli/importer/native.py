"""Calls into the Rust spreadsheet reader (calamine, behind fastexcel) without Rust's own error output.

A panic inside calamine reaches Python as pyo3's PanicException (a BaseException, not an Exception),
which the reader turns into a message. But before that, Rust's panic hook has already written
"thread '<unnamed>' panicked at …" to the process's stderr, below Python, with a whole native stack
trace when RUST_BACKTRACE is set (as on many developer machines and CI images): a traceback in all
but name, in front of the message, and in every mail cron sends. calamine also prints warnings there
on its way to some errors ("ods row repeat count capped"). So stderr (file descriptor 2) is held in a
temporary file while the reader runs: dropped when the reader failed, since aesops's own message
says what went wrong, and written back unchanged when it succeeded, so that nothing else is lost.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator

_STDERR = 2


@contextlib.contextmanager
def quiet_failures() -> Iterator[None]:
    """Run the block with fd 2 held; its output is dropped only when the block raised."""
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    try:
        saved = os.dup(_STDERR)
    except OSError:  # no stderr at all (a daemon): nothing to keep clean
        yield
        return
    with tempfile.TemporaryFile() as held:
        failed = True
        try:
            os.dup2(held.fileno(), _STDERR)
            yield
            failed = False
        finally:
            os.dup2(saved, _STDERR)
            os.close(saved)
            if not failed:
                held.seek(0)
                _write_all(held.read())


def _write_all(data: bytes) -> None:
    while data:
        try:
            data = data[os.write(_STDERR, data) :]
        except OSError:
            return
