"""What makes reports safe under cron: one run per workspace at a time, and files that appear whole."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

from aesthetic_cli.errors import LockedError, OutputError


@contextlib.contextmanager
def workspace_lock(db_path: Path, wait_seconds: float):
    """Hold an exclusive lock beside the warehouse; a second run waits up to wait_seconds, then gives up."""
    import fcntl  # here, not at the top: write_whole (--out FILE) needs no lock, and fcntl is POSIX's alone

    lock_path = db_path.with_name(db_path.name + ".report.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock_path, "a+")  # noqa: SIM115 - held for the whole with-block
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockedError(
                        f"Another aesops report is running on {db_path} and did not finish within {wait_seconds:g}s.",
                        hint="Nothing was written. Let it finish, or raise --wait; exit code 3 means exactly this.",
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def write_temporary(target: Path, write, *, make_folder: bool = True) -> Path:
    """write(tmp_path) fills a temporary file beside target; the caller moves it in place (os.replace)."""
    if make_folder:
        target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        # mkstemp makes the file private (0600); a report should be as readable as any file the user writes.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return Path(tmp)


def write_whole(target: Path, write) -> None:
    """write(tmp_path) fills a temporary file beside target, which then takes target's place: a file the user named
    (--out FILE) appears whole or not at all, Ctrl-C included. Its folder must exist (a report's folder is made,
    a file's is not: a mistyped path is said, not created); a missing or read-only one is an OutputError."""
    try:
        tmp = write_temporary(target, write, make_folder=False)
    except OSError as exc:
        raise _not_written(target, exc) from None
    try:
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _not_written(target, exc) from None


def _not_written(target: Path, exc: OSError) -> OutputError:
    return OutputError(
        f"Could not write {target} (cannot use it: {exc.strerror or exc}).",
        hint="Check that the folder exists and can be written to, or choose another --out.",
    )
