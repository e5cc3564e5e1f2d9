"""Helpers every command uses: find the workspace, open the warehouse, run one catalog analysis."""

from __future__ import annotations

from pathlib import Path

from aesthetic_cli import deferred


def open_workspace(db: Path | None):
    from aesthetic_cli import workspace

    return workspace.resolve(db)


def open_warehouse(db: Path | None, *, read_only: bool = True):
    from aesthetic_cli.warehouse import connect

    ws = open_workspace(db)
    return ws, connect(ws.db_path, read_only=read_only)


def context(ws, clinic: str | None = None, show_pii: bool = False):
    """The settings and filters an analysis runs with; aesops.toml is read here, once."""
    from aesthetic_cli.catalog import Context

    settings = ws.config
    return Context(settings=settings, clinic=clinic, show_pii=show_pii or not settings.mask_pii)


def analyse(
    key: str,
    db,
    *,
    period=None,
    clinic=None,
    show_pii=False,
    fmt=None,
    lang=None,
    read_only=True,
    period_of=None,
    out=None,
    **options,
):
    """Open the warehouse, run one catalog analysis, print it: the whole body of most commands.
    period_of(con) resolves the period once the data's coverage is known."""
    from aesthetic_cli import catalog
    from aesthetic_cli.cli.options import pick_format
    from aesthetic_cli.cli.output import render

    chosen = pick_format(fmt, out)
    ws, con = open_warehouse(db, read_only=read_only)
    # Polars imports on a thread while this one reads the layer: it is first needed for the query's rows.
    deferred.start("polars")
    with con:
        if period_of is not None:
            period = period_of(con)
        result = catalog.run(key, con, context(ws, clinic, show_pii), period, **options)
    render(result, chosen, lang.value if lang is not None else "zh", titles=catalog.get(key).tables, path=out)
    return result
