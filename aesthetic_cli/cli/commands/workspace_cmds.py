"""aesops init, aesops status."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aesthetic_cli.cli.analyse import analyse
from aesthetic_cli.cli.output import say
from aesthetic_cli.cli.options import Db, FormatOpt, Lang, LangOpt, OutFile, ShowPii


def init(
    folder: Annotated[Path, typer.Argument(help="Workspace folder (created if missing).")] = Path("."),
    clinic: Annotated[
        str, typer.Option("--clinic", help="Default clinic (门店) for files without a clinic column.")
    ] = "本院",
    force: Annotated[bool, typer.Option("--force", help="Rewrite aesops.toml with defaults.")] = False,
    catalog: Annotated[
        str | None,
        typer.Option(
            "--catalog",
            help="A chain's shared lake: its PostgreSQL catalog, "
            "postgresql://USER@HOST:PORT/DB (password from PGPASSWORD).",
            show_default=False,
        ),
    ] = None,
    data_path: Annotated[
        str | None,
        typer.Option(
            "--data-path",
            help="With --catalog: folder (or s3://bucket/prefix/) for the lake's Parquet files.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create a workspace: aesops.toml (settings) and an empty warehouse, a DuckDB file or, with
    --catalog and --data-path, a DuckLake shared by a chain's clinics.

    Examples:
        aesops init ~/clinic --clinic 静安店
        aesops init ~/chain --catalog postgresql://aesops@db.internal:5432/aesops --data-path /srv/lake/
    """
    from aesthetic_cli import workspace
    from aesthetic_cli.warehouse import connect

    if (catalog is None) != (data_path is None):
        from aesthetic_cli.errors import UsageError

        raise UsageError("A lake workspace needs both --catalog and --data-path.")
    if catalog and data_path:
        from aesthetic_cli.warehouse_lake import check_catalog, local_data_path

        check_catalog(catalog)
        data_path = local_data_path(data_path)
    ws = workspace.init(folder, clinic=clinic, force=force, catalog=catalog, data_path=data_path)
    connect(ws.db_path).close()
    say("workspace_ready", markup=False, folder=folder.resolve(), db=ws.db_path.name, clinic=ws.default_clinic)
    say("next_import", markup=False)


def status(
    db: Db = None,
    rejects: Annotated[bool, typer.Option("--rejects", help="List every rejected row and blanked cell.")] = False,
    batch: Annotated[int | None, typer.Option("--batch", help="Only this import batch (with --rejects).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many recent batches to show.")] = 10,
    show_pii: ShowPii = False,
    fmt: FormatOpt = None,
    out: OutFile = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """What the warehouse holds: rows and dates per dataset and clinic, recent imports, rejects.

    Example:
        aesops status --rejects --batch 3
    """
    analyse("status", db, fmt=fmt, out=out, lang=lang, show_pii=show_pii, rejects=rejects, batch=batch, limit=limit)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("status")(status)
