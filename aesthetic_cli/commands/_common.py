"""Helpers every command uses: find the workspace, open the warehouse, talk to people on stderr."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

err = Console(stderr=True, highlight=False, soft_wrap=True)


def interactive() -> bool:
    """Progress bars and chatter only for a person at a terminal; cron and pipes get silence."""
    return sys.stderr.isatty()


def open_workspace(db: Path | None):
    from aesthetic_cli import workspace

    return workspace.resolve(db)


def open_warehouse(db: Path | None, *, read_only: bool = True):
    from aesthetic_cli.warehouse import connect

    ws = open_workspace(db)
    return ws, connect(ws.db_path, read_only=read_only)
