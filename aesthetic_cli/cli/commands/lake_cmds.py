"""aesops lake push, and --as-of on every command that reads the warehouse (a lake's past snapshot)."""

from __future__ import annotations

import functools
import inspect
from typing import Annotated

import typer

from aesthetic_cli.cli.output import say
from aesthetic_cli.cli.options import Db

AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Lake workspaces: read the warehouse as it was at this snapshot (a number from "
        "`aesops status`) or time (2026-10-31 18:00), to recompute a past answer.",
        show_default=False,
    ),
]

# Commands that change the warehouse: a past snapshot cannot be written to.
WRITERS = {"import", "init", "push", "intake"}

lake_app = typer.Typer(
    help="A chain's shared warehouse (DuckLake): copy a file workspace into it.", no_args_is_help=True
)


@lake_app.command("push")
def push(
    catalog: Annotated[
        str,
        typer.Option(
            "--catalog",
            help="The lake's PostgreSQL catalog, postgresql://USER@HOST:PORT/DB (password from PGPASSWORD).",
        ),
    ],
    data_path: Annotated[
        str, typer.Option("--data-path", help="Folder (or s3://bucket/prefix/) for the lake's Parquet files.")
    ],
    db: Db = None,
) -> None:
    """Copy this workspace's DuckDB warehouse into an empty lake, in one snapshot, batch numbers
    kept, so a chain can move to the shared warehouse without re-importing years of exports.

    Example:
        aesops lake push --catalog postgresql://aesops@db.internal:5432/aesops --data-path /srv/lake/
        aesops init ~/chain --catalog postgresql://aesops@db.internal:5432/aesops --data-path /srv/lake/
    """
    from aesthetic_cli.cli.analyse import open_workspace
    from aesthetic_cli.warehouse_lake import check_catalog, local_data_path, push_file

    ws = open_workspace(db)
    check_catalog(catalog)
    counts = push_file(ws.db_path, {"catalog": catalog, "data_path": local_data_path(data_path)})
    say("lake_copied", markup=False, db=ws.db_path.name, counts=", ".join(f"{t} {n:,}" for t, n in counts.items() if n))
    say("lake_next", markup=False, catalog=catalog, data_path=data_path)


def with_as_of(callback):
    """The command with an --as-of option; connections it opens read that snapshot."""
    signature = inspect.signature(callback, eval_str=True)

    @functools.wraps(callback)
    def run(*args, as_of: str | None = None, **kwargs):
        from aesthetic_cli.warehouse_lake import as_of_var

        token = as_of_var.set(as_of)
        try:
            return callback(*args, **kwargs)
        finally:
            as_of_var.reset(token)

    params = [
        *signature.parameters.values(),
        inspect.Parameter("as_of", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=AsOf),
    ]
    run.__signature__ = signature.replace(parameters=params)
    # Resolved annotations: the wrapped module's names are not in scope here for typer to evaluate.
    run.__annotations__ = {p.name: p.annotation for p in params}
    del run.__wrapped__  # typer must read the new signature, not the wrapped one
    return run


def add_as_of(typer_app: typer.Typer) -> None:
    """--as-of on every reading command of typer_app (cli/root.py passes each module's commands here)."""
    for info in typer_app.registered_commands:
        name = info.name or (info.callback.__name__ if info.callback else "")
        if info.callback and name not in WRITERS and "db" in inspect.signature(info.callback).parameters:
            info.callback = with_as_of(info.callback)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None and group.typer_instance is not lake_app:
            add_as_of(group.typer_instance)


def register(app: typer.Typer) -> None:
    app.add_typer(lake_app, name="lake")
