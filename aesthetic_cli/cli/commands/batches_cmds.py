"""aesops batches, aesops batches drop N: list import batches and undo one."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from aesthetic_cli.cli.analyse import open_warehouse
from aesthetic_cli.cli.output import say
from aesthetic_cli.cli.options import Db, FormatOpt, Lang, LangOpt, OutFile, pick_format

batches_app = typer.Typer(help="Import batches: list them, drop one (undo an import).", no_args_is_help=False)

_HEAD = {
    "zh": ["批次", "数据集", "文件", "工作表", "门店", "读取", "新增", "更新", "重复", "拒绝", "日期范围", "导入时间"],
    "en": [
        "batch",
        "dataset",
        "file",
        "sheet",
        "clinic",
        "read",
        "loaded",
        "updated",
        "dups",
        "rejected",
        "dates",
        "imported",
    ],
}
_SHEET = 3  # the sheet's place in _HEAD


@batches_app.callback(invoke_without_command=True)
def batches(
    ctx: typer.Context, db: Db = None, fmt: FormatOpt = None, out: OutFile = None, lang: LangOpt = Lang.zh
) -> None:
    """List import batches, oldest first.

    Example:
        aesops batches
        aesops batches drop 7
    """
    if ctx.invoked_subcommand is not None:
        return
    from aesthetic_cli.importer.batches import list_batches

    _ws, con = open_warehouse(db)
    with con:
        rows = list_batches(con)
    chosen = pick_format(fmt, out)
    if chosen == "json":
        text = json.dumps({"meta": {"count": len(rows)}, "batches": rows}, ensure_ascii=False, default=str, indent=2)
        if out is None:
            typer.echo(text)
        else:
            from aesthetic_cli.cli.output import say, write_file

            write_file(out, lambda f: f.write(text + "\n"), bom=False)
            say("wrote", markup=False, path=out)
        return
    if chosen in ("csv", "xlsx"):
        # Through the one output sink, so a spreadsheet gets what every analysis's does (BOM, labels, --out).
        import polars as pl

        from aesthetic_cli.cli.output import render
        from aesthetic_cli.metrics.result import Result

        frame = pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
        render(Result(meta={"count": len(rows)}, tables={"batches": frame}), chosen, lang.value, path=out)
        return
    from rich.console import Console
    from rich.table import Table

    # The sheet column only when a batch came from a named sheet: at 80 columns every column counts.
    sheets = any(r["sheet"] for r in rows)
    head = [h for i, h in enumerate(_HEAD[lang.value]) if sheets or i != _SHEET]
    table = Table(*head)
    for r in rows:
        dates = f"{r['date_min']} → {r['date_max']}" if r["date_min"] else ""
        cells = [
            str(r["batch_id"]),
            r["dataset"],
            r["file_name"],
            r["sheet"] or "",
            r["clinic"] or "",
            str(r["rows_read"]),
            str(r["rows_loaded"]),
            str(r["rows_updated"]),
            str(r["duplicates"]),
            str(r["rejected"]),
            dates,
            f"{r['imported_at']:%Y-%m-%d %H:%M}",
        ]
        table.add_row(*[c for i, c in enumerate(cells) if sheets or i != _SHEET])
    Console(highlight=False, markup=False).print(table)


@batches_app.command("drop")
def drop(
    batch_id: Annotated[int, typer.Argument(help="The batch number (see `aesops batches`).")],
    db: Db = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Remove one import batch exactly: its rows go, records it updated get their old values back,
    and the file can be imported again (e.g. with a better --mapping).

    Example:
        aesops batches drop 7
    """
    from aesthetic_cli.importer.batches import drop_batch

    _ws, con = open_warehouse(db, read_only=False)
    with con:
        done = drop_batch(con, batch_id)
    say(
        "batch_dropped",
        markup=False,
        batch=done["batch_id"],
        file=done["file_name"],
        dataset=done["dataset"],
        removed=f"{done['removed']:,}",
        restored=f"{done['restored']:,}",
    )


def register(app: typer.Typer) -> None:
    app.add_typer(batches_app, name="batches")
