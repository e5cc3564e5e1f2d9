"""Open the DuckDB warehouse: create the schema and the semantic layer, upgrade an older warehouse
once, and report a lock held by another process."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from aesthetic_cli.errors import LockedError, UsageError, WorkspaceError
from aesthetic_cli.sqlfiles import query, script
from aesthetic_cli.warehouse import derived, migrate
from aesthetic_cli.warehouse.memory import bounded_memory, or_with_more_room


def _open(db_path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        con = duckdb.connect(str(db_path), read_only=read_only)
        con.execute(query("connection", "quiet"))  # no DuckDB progress bar on stderr, under cron into the mail
        return con
    except duckdb.IOException as exc:
        # DuckDB's words for a file another process holds ("Could not set lock on file …: Conflicting lock is held
        # in …"); a damaged file's "checksum … in block at location …" holds "lock" too, and is no reason to wait.
        if re.search(r"could not set lock|conflicting lock", str(exc), re.IGNORECASE):
            raise LockedError(
                f"The warehouse {db_path} is in use by another process (an aesops import, or a program that has it "
                "open).",
                hint="Wait for the other import or report to finish (cron jobs included) and try again.",
            ) from None
        if not read_only and re.search(r"permission denied|operation not permitted|read-only", str(exc), re.I):
            raise WorkspaceError(
                f"The warehouse {db_path} cannot be written to (the file or its folder is read-only).",
                hint="An import needs write access: check the file's permissions; the analyses can still read it.",
            ) from None
        raise WorkspaceError(f"The warehouse {db_path} cannot be opened: {exc}") from None
    except duckdb.Error as exc:
        raise WorkspaceError(
            f"{db_path} is not an aesops warehouse or is damaged: {exc}",
            hint="Point --db at the right file, or move this one away and re-import.",
        ) from None


def _make_current(con, db_path: Path) -> None:
    """Schema, money columns and the semantic layer as this version of aesops expects them."""
    found = derived.version(con)
    # A newer aesops's layer is refused before anything is written (derived.is_newer says why).
    derived.check_not_newer(found, db_path)
    con.execute(script("schema"))
    with bounded_memory(con):
        if found in derived.IN_PLACE:
            # Every layer table is there but what later versions added (the rollups, customer_deals.last_items):
            # add those alone (a full rebuild of a 10M-line warehouse took about 16 minutes), then bring the
            # layer up to any pending batches as below.
            con.execute("BEGIN TRANSACTION")
            try:
                derived.upgrade_in_place(con, found)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            found = derived.LAYER_VERSION
        if found == derived.LAYER_VERSION:
            # Batches committed by an import that was killed before its one refresh (derived.one_refresh).
            derived.refresh_pending(con)
            return
        or_with_more_room(con, lambda: _upgrade(con))


def _upgrade(con) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        migrate.upgrade(con)
        derived.create(con)
        derived.rebuild(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _layer_state(con) -> tuple[str | None, int]:
    """The layer's version and how many batches wait for their refresh. One query, not the three of
    derived.version() and derived.pending(), which every analysis paid (~3-6 ms, most of it in
    duckdb_tables()); a warehouse that fails it, one from an older aesops, has no version (to upgrade)."""
    try:
        version, pending = con.execute(query("connection", "layer_state")).fetchone()
    except duckdb.CatalogException:
        return None, 0
    return version, pending


def connect(db_path: Path, *, read_only: bool = False, create: bool = True) -> duckdb.DuckDBPyConnection:
    if db_path.suffix == ".toml":
        # A lake workspace's aesops.toml stands where the file would (--db, AESOPS_DB, the workspace).
        from aesthetic_cli.warehouse_lake import connect_path

        return connect_path(db_path, read_only=read_only)
    from aesthetic_cli.warehouse_lake import requested_as_of

    if requested_as_of():
        raise UsageError(
            f"--as-of reads a past snapshot of a lake workspace; {db_path} is a single DuckDB file, "
            "which keeps no snapshots.",
            hint="Drop --as-of, or point --db at a lake workspace.",
        )
    if not db_path.exists():
        if read_only or not create:
            raise WorkspaceError(
                f"The warehouse {db_path} does not exist yet.",
                hint="Run `aesops init` and `aesops import FILE...` first.",
            )
        db_path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(db_path, read_only)
    if not read_only:
        try:
            _make_current(con, db_path)
        except BaseException:
            con.close()
            raise
        return con
    found, pending = _layer_state(con)
    if found != derived.LAYER_VERSION or pending:
        # A warehouse written by an older aesops, or one whose last import was killed before it refreshed
        # the layer: bring it up to date once (needs a moment of write access), then read as asked. No
        # reader ever reads a layer behind its facts. One of a newer aesops is refused as it stands.
        con.close()
        derived.check_not_newer(found, db_path)
        writer = _open(db_path, False)
        try:
            _make_current(writer, db_path)
        finally:
            writer.close()
        con = _open(db_path, True)
    return con


def connect_waiting(
    db_path: Path,
    wait_seconds: float,
    *,
    read_only: bool = False,
    deadline: float | None = None,
    waiting: Callable[[], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """connect, waiting up to wait_seconds (or to a deadline of time.monotonic() already running) while another
    process holds the file: a report at 08:00 for the 07:55 import, or two clinics' nightly imports into one
    warehouse (trial 7's F6: the second failed at once). waiting is called once, when the wait begins."""
    deadline = time.monotonic() + wait_seconds if deadline is None else deadline
    told = False
    while True:
        try:
            return connect(db_path, read_only=read_only)
        except LockedError:
            if time.monotonic() >= deadline:
                raise LockedError(
                    f"Another process is still using {db_path} and did not finish within {wait_seconds:g}s.",
                    hint="Nothing was written. Let it finish, or raise --wait; exit code 3 means exactly this.",
                ) from None
            if waiting and not told:
                waiting()
                told = True
            time.sleep(0.5)
