"""aesops import."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from aesthetic_cli.cli.analyse import open_workspace
from aesthetic_cli.cli.output import err, interactive
from aesthetic_cli.cli.errors import message_lang
from aesthetic_cli.cli.options import Db, Lang
from aesthetic_cli.present.messages import localize, t
from aesthetic_cli.sqlfiles import query

KINDS = "customers, leads, visits, orders, treatments, spend, cards, items, staff"


def escape(text: str) -> str:
    """Rich's markup escape, imported when an import speaks: every other command loads this module at start-up."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def import_(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Exports to import: .xlsx .xls .csv (UTF-8, UTF-8-BOM, GBK, UTF-16), or a folder of them.",
            show_default=False,
        ),
    ],
    kind: Annotated[
        str | None, typer.Option("--kind", help=f"Dataset, when the headers do not say: {KINDS}.", show_default=False)
    ] = None,
    clinic: Annotated[
        str | None,
        typer.Option(
            "--clinic",
            help="Clinic (门店) for rows without one. Default: the workspace's default_clinic.",
            show_default=False,
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet",
            help="Sheet name or number (1 = first). Default: the first sheet whose headers fit.",
            show_default=False,
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping", help="TOML file mapping your headers to aesops fields (see below).", show_default=False
        ),
    ] = None,
    amount_unit: Annotated[
        str, typer.Option("--amount-unit", help="yuan, or fen (分) for systems that export amounts ×100.")
    ] = "yuan",
    explain: Annotated[
        bool,
        typer.Option(
            "--explain", help="Show the mapping aesops would use, column by column, with its evidence; load nothing."
        ),
    ] = False,
    lang: Annotated[
        Lang | None, typer.Option("--lang", help="Language: zh (中文) or en (English).", show_default=False)
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar (there is none on a pipe anyway).")
    ] = False,
    wait: Annotated[
        float,
        typer.Option("--wait", help="Seconds to wait while another process (another import) uses the warehouse."),
    ] = 600,
    db: Db = None,
) -> None:
    """Import CRM/POS exports into the warehouse.

    The dataset is recognised from the headers (Chinese or English); title rows, blank rows
    and 合计/总计 rows are skipped; a header over two rows (客户 merged over 编号 | 姓名) reads
    as one (客户编号, 客户姓名); amounts like ¥1,234.00 or 1234元 and dates like
    2025/1/3, 2025年1月3日 or Excel serials are read. Unreadable rows are rejected with
    their row number and listed by `aesops status --rejects`; good rows still load. Each
    file loads whole or not at all, and importing it again changes nothing.

    A file aesops is not sure of (columns with dates, amounts or phones left unread, a file
    name that points elsewhere, two datasets that fit alike) is refused whole, and what it
    guessed is written next to it as FILE.aesops-mapping.toml to check and pass with --mapping.

    Mapping file (for headers aesops does not know; see the README for sheets, header_row,
    date_order, date_format, amount_unit, [constants], [computed] and [values.FIELD]):

        kind = "orders"
        [columns]
        "收款日" = "order_date"
        "客人ID" = "customer_id"

    Example:
        aesops import 收费明细_2025-10.xlsx 到院登记.csv --clinic 静安店
    """
    from aesthetic_cli.errors import InputFileError, WorkspaceError
    from aesthetic_cli.importer.load import explain as explain_file
    from aesthetic_cli.importer.load import import_file
    from aesthetic_cli.warehouse.memory import bounded_memory
    from aesthetic_cli.warehouse import connect_waiting, derived

    talk = lang.value if lang is not None else message_lang()
    # A folder stands for the exports in it (trial 8's G8: a director's first move was refused).
    from aesthetic_cli.intake import exports_in

    files = [f for path in files for f in (exports_in(path) if path.is_dir() else [path])]
    if explain:
        for path in files:
            for line in explain_file(path, kind=kind, sheet=sheet, mapping=mapping, lang=talk, amount_unit=amount_unit):
                typer.echo(line)
        return
    ws = open_workspace(db)
    given = clinic
    clinic = clinic or ws.default_clinic
    failed: list[str] = []
    # A path given by --db or $AESOPS_DB (not the workspace's own, whose folder aesops makes): a mistyped one in a
    # cron line would fill a stray warehouse night after night (trial 7's F10). Its folder must exist, and a
    # warehouse this import starts there is named.
    named = (db is not None or bool(os.environ.get("AESOPS_DB"))) and ws.db_path.suffix != ".toml"
    new = named and not ws.db_path.exists()
    if new and not ws.db_path.parent.is_dir():
        raise WorkspaceError(
            f"The folder {ws.db_path.parent} of the warehouse {ws.db_path} does not exist.",
            hint="Check --db (or $AESOPS_DB); to start a warehouse there, create the folder first.",
        )
    # Two clinics' nightly imports into one warehouse: the second waits for the first, as a report does.
    con = connect_waiting(
        ws.db_path,
        wait,
        waiting=lambda: err.print(t("waiting_for_warehouse", talk, path=ws.db_path, secs=f"{wait:g}"), markup=False),
    )
    if new:
        err.print(t("new_warehouse", talk, path=ws.db_path), markup=False)
    # One refresh of the semantic layer after the last file, not one per file (derived.one_refresh).
    # The import's memory limit holds for the refresh too (warehouse.memory.bounded_memory).
    with con, _progress(files, show=interactive() and not quiet) as bar, bounded_memory(con), derived.one_refresh(con):
        for path in files:
            try:
                result = import_file(
                    con,
                    path,
                    kind=kind,
                    sheet=sheet,
                    mapping=mapping,
                    amount_unit=amount_unit,
                    clinic=clinic,
                    lang=talk,
                    progress=bar.start(path),
                )
            except InputFileError as exc:
                # Each file is atomic: a bad one is reported and left out, the others still load.
                if len(files) == 1:
                    raise
                err.print(f"[red]{t('error', talk).strip()}[/red] {escape(localize(exc.message, talk) or '')}")
                if exc.hint:
                    err.print(escape(localize(exc.hint, talk) or ""))
                failed.append(path.name)
                continue
            for r in (result, *result.more):
                _summary(r, con, talk)
                other = [c for c in r.clinics if c != given]
                if given and other:
                    # The file's 门店 column decides; --clinic only fills its empty cells. Said, as 上海徐汇 for
                    # 徐汇店 would otherwise split the clinic's figures without a word.
                    err.print(t("clinic_from_file", talk, names=", ".join(other), clinic=given), markup=False)
            for name, why in result.skipped_sheets:
                err.print(t("sheet_skipped", talk, name=name, why=localize(why, talk)), markup=False)
    if failed:
        raise InputFileError(
            f"{len(failed)} of {len(files)} files were not imported: {', '.join(failed)}.",
            hint="The other files were imported. Fix these and run the same command again; "
            "files already imported are skipped."
            if len(failed) < len(files)
            else "Fix these and run the same command again.",
        )


class _Rows:
    """The importer's progress callback, drawn as a Rich bar of rows with their rate and time left; a
    silent stand-in when there is no terminal (cron, pipes) or with --quiet."""

    def __init__(self, progress=None, files: int = 0):
        self.progress, self.task, self.files, self.seen = progress, None, files, 0

    def start(self, path: Path):
        if self.progress is None:
            return None
        self.seen += 1
        name = escape(path.name) + (f" ({self.seen}/{self.files})" if self.files > 1 else "")
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(name, total=None)

        def report(done: int, total: int | None) -> None:
            self.progress.update(self.task, completed=done, total=total)

        return report


@contextmanager
def _progress(files: list[Path], *, show: bool):
    if not show:
        yield _Rows()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task):
            return Text(f"{task.speed:,.0f} 行/秒 rows/s" if task.speed else "", style="progress.data.speed")

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), Rate(), TimeRemainingColumn())
    with Progress(*columns, console=err.console(), transient=True) as progress:
        rows = _Rows(progress, len(files))
        yield rows


def _summary(r, con, lang: str) -> None:
    """One block per file on stderr: what was read, loaded, skipped and rejected. Everything taken
    from the file (names, headers, cells) is escaped: a consultant called `[/]` is text, not markup."""
    from aesthetic_cli.present.messages import reason
    from aesthetic_cli.privacy import mask_value

    if r.status == "unchanged":
        err.print(
            escape(
                t(
                    "import_unchanged",
                    lang,
                    file=r.file.name,
                    batch=r.batch_id,
                    when=f"{r.previous_import:%Y-%m-%d %H:%M}",
                )
            )
        )
        return
    from aesthetic_cli.importer.explain import dataset_name

    where = escape(f"{r.file.name}" + (f" [{r.sheet}]" if r.sheet else ""))
    dates = f", {r.date_min} → {r.date_max}" if r.date_min else ""
    err.print(t("import_file", lang, where=where, dataset=dataset_name(r.dataset, lang), batch=r.batch_id, dates=dates))
    err.print(
        t(
            "import_counts",
            lang,
            read=f"{r.rows_read:,}",
            loaded=f"{r.loaded:,}",
            updated=f"{r.updated:,}",
            dup=f"{r.duplicates:,}",
            rejected=f"{r.rejected:,}",
            skipped=f"{r.skipped:,}",
        )
    )
    if r.summed:
        err.print(t("rows_summed", lang, n=f"{r.summed:,}"), markup=False)
    if r.older:
        from aesthetic_cli.importer.datasets import DATASETS

        older = "lines_older" if DATASETS[r.dataset].mode == "append" else "rows_older"
        err.print(t(older, lang, n=f"{r.older:,}"), markup=False)
    if r.repeated:
        err.print(t("lines_repeated", lang, n=f"{r.repeated:,}"), markup=False)
    if r.problems is not None and r.problems.height:
        for row in r.problems.head(5).iter_rows(named=True):
            value = f"'{mask_value(row['value'], row['field'])}' " if row["value"] is not None else ""
            action = t("row_rejected" if row["severity"] == "rejected" else "cell_blanked", lang)
            column = t("problem_column", lang, name=row["column"]) if row["column"] else ""
            err.print(
                escape(
                    t(
                        "problem_row",
                        lang,
                        row=row["_row"],
                        column=column,
                        value=value,
                        reason=reason(row["reason"], lang),
                        action=action,
                    )
                )
            )
        if r.problems.height > 5:
            err.print(t("more_problems", lang, n=r.problems.height - 5, batch=r.batch_id))
    if r.layout is not None and r.layout.constants.get("kind") == "退款":
        err.print(t("read_as_refunds", lang), markup=False)
    if r.ignored_headers:
        shown = r.ignored_headers if len(r.ignored_headers) <= 10 else [*r.ignored_headers[:8], "…"]
        more = t("more_columns", lang, n=len(r.ignored_headers)) if len(r.ignored_headers) > 10 else ""
        err.print(escape(t("columns_unused", lang, names=", ".join(shown)) + more))
    for kind, names in r.new_names.items():
        key = {"channel": "new_channel", "consultant": "new_consultant"}.get(kind, "new_other")
        err.print(t(key, lang, kind=kind, names=", ".join(names)), markup=False)
        for name, others in _lookalikes(con, kind, names):
            err.print(t("lookalike", lang, name=name, others=others), style="yellow", markup=False)


def _lookalikes(con, kind: str, names: list[str]) -> list[tuple[str, str]]:
    """Names equal once spaces, case and script are ignored are probably one person or channel typed twice (张敏
    and 張敏, 美团 and 美團 from a Hong Kong branch's export); so is a channel whose name holds another's (抖音信息流
    and 抖音, 美团点评 and 美团), as ad platforms and CRMs name them."""
    from aesthetic_cli.importer.scripts import simplified

    def norm_of(name: str) -> str:
        return simplified("".join(name.split()).lower())

    rows = con.execute(query("status", "known_names"), {"k": kind}).fetchall()
    by_norm: dict[str, set[str]] = {}
    for (name,) in rows:
        by_norm.setdefault(norm_of(name), set()).add(name)
    hints, reported = [], set()
    for name in names:
        norm = norm_of(name)
        others = by_norm.get(norm, set()) - {name}
        if kind == "channel":
            others |= {
                o
                for n, known in by_norm.items()
                if n != norm and len(min(n, norm, key=len)) >= 2 and (n in norm or norm in n)
                for o in known
            }
        if others and name not in reported:
            reported.update(others)
            hints.append((name, ", ".join(repr(o) for o in sorted(others))))
    return hints


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
