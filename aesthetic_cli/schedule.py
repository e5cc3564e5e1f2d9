"""Crontab lines that run the reports for a workspace, and their idempotent installation."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from aesthetic_cli.errors import UsageError

# (report, cron timing, what it covers): daily at 08:00 for the data's last day, weekly on Monday
# 08:30 for the last complete week, monthly on the 1st at 09:00 for the last complete month.
DEFAULT_TIMES = {"daily": "0 8 * * *", "weekly": "30 8 * * 1", "monthly": "0 9 1 * *"}


def _markers(root: Path) -> tuple[str, str]:
    return f"# >>> aesops reports for {root} >>>", f"# <<< aesops reports for {root} <<<"


def executable() -> str:
    """The aesops that is running now, so cron uses the same install (cron's PATH is minimal)."""
    beside = Path(sys.executable).with_name("aesops")  # the venv's own script, whatever PATH says
    if beside.exists():
        return shlex.quote(str(beside))
    found = shutil.which("aesops")
    return shlex.quote(found) if found else f"{shlex.quote(sys.executable)} -m aesthetic_cli"


def block(
    root: Path,
    db: Path,
    out: Path,
    exe: str | None = None,
    times: dict | None = None,
    formats: str = "xlsx,html",
    inbox: Path | None = None,
    send: bool = False,
    per_clinic: bool = False,
) -> str:
    """One line per report: intake of the inbox folder, then the report, then (with send) delivery.
    Routine output goes to /dev/null; stderr is left alone, so cron mails exactly the real errors
    (a rejected export, a failed delivery) to MAILTO. Each step takes the workspace lock, so a run
    that overlaps the previous one waits for it instead of interleaving."""
    exe = exe or executable()
    times = times or DEFAULT_TIMES
    begin, end = _markers(root)
    lines = [
        begin,
        "# Managed by `aesops schedule install`; edit with care, reinstalling replaces this block.",
        "# Routine output is discarded; cron mails stderr (real errors only) to MAILTO.",
    ]
    env = f"cd {shlex.quote(str(root))} && LANG=C.UTF-8 AESOPS_DB={shlex.quote(str(db))}"
    for kind, when in times.items():
        steps = []
        if inbox is not None:
            # `;` not `&&`: a rejected export is mailed, and the report still runs on what did load.
            steps.append(f"{env} {exe} intake {shlex.quote(str(inbox))} >/dev/null;")
        report = (
            f"{env} {exe} report {kind} --format {formats} --out {shlex.quote(str(out / kind))}"
            f"{' --per-clinic' if per_clinic else ''}{' --send' if send else ''} >/dev/null"
        )
        steps.append(f"mkdir -p {shlex.quote(str(out))} && {report}")
        lines.append(f"{when} " + " ".join(steps))
    lines.append(end)
    return "\n".join(lines) + "\n"


def merge(existing: str, new_block: str, root: Path) -> str:
    """The crontab with this workspace's block replaced (or added); everything else untouched."""
    begin, end = _markers(root)
    out, skipping = [], False
    for line in existing.splitlines():
        if line.strip() == begin:
            skipping = True
            continue
        if skipping and line.strip() == end:
            skipping = False
            continue
        if not skipping:
            out.append(line)
    while out and not out[-1].strip():
        out.pop()
    text = "\n".join(out)
    return (text + "\n\n" if text else "") + new_block


def install(new_block: str, root: Path) -> str:
    crontab = shutil.which("crontab")
    if crontab is None:
        raise UsageError(
            "There is no `crontab` command on this machine.",
            hint="Install cron (e.g. apt-get install cron), or add the lines from "
            "`aesops schedule print` to your scheduler by hand.",
        )
    current = subprocess.run([crontab, "-l"], capture_output=True, text=True)
    existing = current.stdout if current.returncode == 0 else ""  # "no crontab for user" is empty
    merged = merge(existing, new_block, root)
    done = subprocess.run([crontab, "-"], input=merged, capture_output=True, text=True)
    if done.returncode != 0:
        raise UsageError(f"crontab refused the new table: {done.stderr.strip()}")
    return merged
