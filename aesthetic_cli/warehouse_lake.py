"""A chain's shared warehouse on DuckLake: the catalog in PostgreSQL, the data as Parquet files in a folder
(or S3-compatible storage). Many processes import and read at once; every commit is a snapshot, and a
past snapshot can be read again (--as-of).

The extensions come from their pip packages of the pinned DuckDB version (LOAD by path), never from
INSTALL over the network. A lake workspace's aesops.toml stands where a file workspace's .duckdb file
would: `warehouse.connect(path_to_aesops.toml)` opens the lake it describes.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import random
import re
import time
import tomllib
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from aesthetic_cli.errors import AesopsError, UsageError, WorkspaceError
from aesthetic_cli.sqlfiles import Fragment, per_column, query, script, with_fragments, with_identifiers

LAKE = "aesops_lake"  # the lake's catalog name in a connection; distinctive, so is_lake() cannot be fooled
PG = "aesops_lake_pg"  # the catalog database itself, for the batch-number sequence
AS_OF_ENV = "AESOPS_AS_OF"
# The snapshot a command asked for with --as-of; every read-only connection it opens reads that snapshot.
as_of_var: ContextVar[str | None] = ContextVar("aesops_as_of", default=None)


def requested_as_of() -> str | None:
    return as_of_var.get() or os.environ.get(AS_OF_ENV) or None


EXTENSIONS = {
    "ducklake": "duckdb_extension_ducklake",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
    "httpfs": "duckdb_extension_httpfs",
}

# Commit conflicts DuckLake cannot settle itself (two imports deleting from the same table, e.g. both
# updating customers): the whole file transaction is run again, a little later each time.
MAX_ATTEMPTS = 8


def extension_file(name: str) -> Path:
    """The .duckdb_extension file shipped by the extension's pip package."""
    try:
        package = importlib.import_module(EXTENSIONS[name])
    except ImportError:
        raise WorkspaceError(
            f"The DuckDB extension '{name}' is not installed; a lake workspace needs it.",
            hint=f"Install aesops with its lake extras: pip install 'aesops[lake]' (package "
            f"{EXTENSIONS[name].replace('_', '-')}=={duckdb.__version__}).",
        ) from None
    found = sorted(Path(package.__file__ or ".").parent.glob(f"extensions/*/{name}.duckdb_extension"))
    if not found:
        raise WorkspaceError(f"The package {EXTENSIONS[name]} holds no {name}.duckdb_extension file.")
    return found[-1]


def _sql_string(text: str) -> str:
    # ATTACH and LOAD take no bound parameters: quote the one literal they need.
    return "'" + text.replace("'", "''") + "'"


def load_extensions(con, names=("ducklake", "postgres_scanner")) -> None:
    for name in names:
        try:
            con.execute(f"LOAD {_sql_string(str(extension_file(name)))}")
        except duckdb.Error as exc:
            raise WorkspaceError(
                f"DuckDB {duckdb.__version__} cannot load the {name} extension: {exc}",
                hint="The duckdb-extension-* packages must be built for the installed DuckDB version; "
                "reinstall aesops so that pip installs the pinned versions.",
            ) from None


def check_catalog(url: str) -> str:
    """postgresql://USER@HOST:PORT/DB, without a password (that comes from PGPASSWORD, never a file)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname or not parts.path.strip("/"):
        raise UsageError(f"--catalog {url}: expected postgresql://USER@HOST:PORT/DATABASE.")
    if parts.password:
        raise UsageError(
            "--catalog must not contain a password: it would be written to aesops.toml.",
            hint="Set PGPASSWORD (or use ~/.pgpass) for the catalog database's password.",
        )
    return url


def lake_ddl() -> str:
    """schema.sql for DuckLake, which has neither PRIMARY KEY/UNIQUE constraints nor sequences. Derived
    rather than copied, so the two backends cannot drift apart. Keys stay unique the way the file
    warehouse keeps fact keys unique: the importer anti-joins (appends) or deletes then inserts (upserts)."""
    ddl = re.sub(r"CREATE SEQUENCE[^;]*;", "", script("schema"))
    # Parquet has no 128-bit integer: DuckDB 1.5.5 writes a UHUGEINT column as DOUBLE, rounding every
    # key, and re-exported rows would no longer match their keys. UUID is 16 exact bytes in Parquet.
    ddl = ddl.replace("row_key UHUGEINT", "row_key UUID")
    return _without_keys(ddl)


def _without_keys(ddl: str) -> str:
    ddl = re.sub(r",\s*PRIMARY KEY\s*\([^)]*\)", "", ddl)
    return re.sub(r"\s+PRIMARY KEY", "", ddl)


def layer_ddl() -> str:
    """The semantic layer's tables and views (sql/derived.sql), without keys for DuckLake."""
    return _without_keys(query("derived", "create_tables")) + ";\n" + query("derived", "create_views")


def _settings_of(config: Path) -> dict:
    try:
        return tomllib.loads(config.read_text(encoding="utf-8")).get("workspace", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"{config} cannot be read as a lake workspace: {exc}.") from None


def parse_as_of(text: str | None) -> tuple[str, object] | None:
    """A snapshot id (digits) or a timestamp (2026-10-31, 2026-10-31 18:00, ISO 8601)."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    if text.isdigit():
        return "SNAPSHOT_VERSION", int(text)
    try:
        return "SNAPSHOT_TIME", datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--as-of {text}: give a snapshot number (see `aesops status`) or a time such as "
            "2026-10-31 or '2026-10-31 18:00'."
        ) from None


def connect_lake(settings: dict, *, read_only: bool = False, as_of: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the lake that a workspace's [workspace] settings describe, as the connection's default catalog.

    Its semantic layer is this aesops's version whichever way it is opened, as a file's is
    (warehouse/connection.py): a writer upgrades it (_make_current); a reader at the current snapshot that
    finds it older has it upgraded once, by a writer it opens for that, then reads (_read_current); a past
    snapshot (--as-of) is read only if its layer is this version (_past_layer_error says why); a newer
    aesops's layer is refused (derived.is_newer)."""
    con = _attach(settings, read_only=read_only, as_of=as_of)
    try:
        if not read_only:
            _make_current(con, settings["catalog"])
            return con
        return _read_current(con, settings, as_of)
    except BaseException:
        con.close()
        raise


def _read_current(con, settings: dict, as_of: str | None) -> duckdb.DuckDBPyConnection:
    """con (read-only) if its layer is this aesops's version; else the lake upgraded and opened again.

    Upgrading from a reader, rather than refusing until the next import, is what a file warehouse does and
    is as safe here: the upgrade is one transaction, so one snapshot (readers keep theirs, --as-of still
    reads every earlier one), taken under the importers' lock (writer_lock) so it waits for an import
    rather than conflicting with it; it only adds to or rebuilds the layer, which is derived from the
    facts, and never touches a fact. Only a reader that may not write to the lake (a read-only role or
    data path) is refused, with what to run (_cannot_upgrade)."""
    from aesthetic_cli.warehouse import derived

    found = layer_version(con)
    if found == derived.LAYER_VERSION:
        return con
    catalog = settings.get("catalog", "")
    derived.check_not_newer(found, catalog)
    if parse_as_of(as_of):
        raise _past_layer_error(as_of, found, _upgraded_at(con, as_of))
    con.close()
    try:
        writer = _attach(settings, read_only=False, as_of=None)
    except AesopsError as exc:  # the catalog refuses a writer (a read-only role, say)
        raise _cannot_upgrade(catalog, found, exc.message) from None
    try:
        _make_current(writer, catalog)  # upgrades it (or finds it done meanwhile by another process)
    except duckdb.Error as exc:  # the catalog or the data path refuses the upgrade's writes
        raise _cannot_upgrade(catalog, found, str(exc)) from None
    finally:
        writer.close()
    con = _attach(settings, read_only=True, as_of=None)
    found = layer_version(con)
    if found != derived.LAYER_VERSION:
        # Written back between the upgrade and this read: another machine runs an older aesops.
        con.close()
        raise _cannot_upgrade(catalog, found, "an older aesops wrote it again meanwhile")
    return con


def layer_version(con) -> str | None:
    """The layer version of the snapshot con reads (None before any aesops layer): one query, which each
    analysis pays."""

    try:
        row = con.execute(query("derived", "version")).fetchone()
    except duckdb.CatalogException:
        return None
    return None if row is None else row[0]


def _upgraded_at(con, as_of: str | None) -> int | None:
    """The first snapshot after the one asked for whose layer is this version (None: none yet), or None when
    DuckLake cannot say: it only improves the refusal's hint."""
    from aesthetic_cli.warehouse import derived

    point = parse_as_of(as_of)
    try:
        if point is None:
            return None
        kind, value = point
        if kind == "SNAPSHOT_VERSION":
            start = value
        else:
            start = con.execute(query("lake", "snapshot_at"), {"lake": LAKE, "t": value}).fetchone()[0]
        last = con.execute(query("lake", "last_snapshot"), {"lake": LAKE}).fetchone()[0]
        if not isinstance(start, int) or last is None or last <= start:
            return None
        params = {"lake": LAKE, "from": start + 1, "to": int(last), "v": derived.LAYER_VERSION}
        return con.execute(query("lake", "first_snapshot_of_layer"), params).fetchone()[0]
    except duckdb.Error:
        return None


def _past_layer_error(as_of: str | None, found: str | None, upgraded_at: int | None = None) -> AesopsError:
    """A past snapshot is read as it was: upgrading it would mean writing into history, which DuckLake does
    not do. Reading its older layer with this code gave a traceback (a column of a later version missing) or,
    worse, could give an answer by another definition (which analyses read which layer tables is nowhere
    declared, so "where it is safe" cannot be told): so the analysis is refused, with what would work."""
    from aesthetic_cli.warehouse import derived

    if found is None:
        return UsageError(
            f"--as-of {as_of}: the lake held no aesops warehouse yet at that snapshot.",
            hint="List the snapshots with `aesops status`.",
        )
    message = (
        f"--as-of {as_of}: the warehouse's semantic layer at that snapshot is version {found}, written by an "
        f"older aesops; this aesops reads version {derived.LAYER_VERSION} and cannot upgrade a past snapshot."
    )
    if upgraded_at is not None:
        return UsageError(
            message,
            hint=f"Snapshots from {upgraded_at} on have this version (the lake was upgraded there; `aesops status` "
            "lists the snapshots); read this one with the aesops version that wrote it.",
        )
    return UsageError(
        message,
        hint="No later snapshot has this version yet: any analysis without --as-of upgrades the lake (once, from "
        "then on); read this one with the aesops version that wrote it.",
    )


def _cannot_upgrade(catalog: str, found: str | None, why: str) -> AesopsError:
    from aesthetic_cli.warehouse import derived

    # A refused commit's text is pages of the catalog's SQL; PostgreSQL's (or the file system's) reason is the
    # line to show.
    denied = re.search(r"permission denied[^\n\"]*", why, re.IGNORECASE)
    why = denied.group(0) if denied else why
    return WorkspaceError(
        f"The lake {catalog} holds semantic layer version {found or 'none'}, older than this aesops's version "
        f"{derived.LAYER_VERSION}, and it could not be upgraded from here: {why.splitlines()[0]}",
        hint="Someone who may write to the lake (its catalog database and data path) should run `aesops init` in "
        "the lake workspace's folder, or import with this aesops: either upgrades it once, for every reader.",
    )


def _attach(settings: dict, *, read_only: bool, as_of: str | None) -> duckdb.DuckDBPyConnection:
    catalog = check_catalog(settings.get("catalog", ""))
    data_path = settings.get("data_path")
    if not data_path:
        raise WorkspaceError("The lake workspace has no data_path in aesops.toml.")
    point = parse_as_of(as_of)
    if point and not read_only:
        raise UsageError("--as-of reads a past snapshot; it cannot be used to change the warehouse.")
    con = duckdb.connect()
    try:
        con.execute(query("connection", "quiet"))  # no DuckDB progress bar on stderr (sql/connection.sql)
        names = ("ducklake", "postgres_scanner", "httpfs") if "://" in data_path else ("ducklake", "postgres_scanner")
        load_extensions(con, names)
        if data_path.startswith("s3://"):
            _s3_secret(con)
        options = [f"DATA_PATH {_sql_string(data_path)}"]
        if read_only:
            options.append("READ_ONLY")
        if point:
            kind, value = point
            options.append(f"{kind} {value}" if kind == "SNAPSHOT_VERSION" else f"{kind} {_sql_string(str(value))}")
        try:
            con.execute(f"ATTACH {_sql_string('ducklake:postgres:' + catalog)} AS {LAKE} ({', '.join(options)})")
        except duckdb.Error as exc:
            raise _attach_error(catalog, data_path, point, exc) from None
        con.execute(f"USE {LAKE}")
        if not read_only:
            con.execute(f"ATTACH {_sql_string(catalog)} AS {PG} (TYPE postgres)")
    except BaseException:
        con.close()
        raise
    return con


def _s3_secret(con) -> None:
    """S3 or an S3-compatible store (MinIO, OSS, COS): credentials from the machine's AWS_* environment,
    never from aesops.toml. AWS_ENDPOINT_URL names a store other than AWS."""
    env = os.environ
    parts = [
        f"KEY_ID {_sql_string(env.get('AWS_ACCESS_KEY_ID', ''))}",
        f"SECRET {_sql_string(env.get('AWS_SECRET_ACCESS_KEY', ''))}",
        f"REGION {_sql_string(env.get('AWS_REGION', 'us-east-1'))}",
    ]
    if env.get("AWS_ENDPOINT_URL"):
        endpoint = urlsplit(env["AWS_ENDPOINT_URL"])
        parts += [
            f"ENDPOINT {_sql_string(endpoint.netloc or endpoint.path)}",
            "URL_STYLE 'path'",
            f"USE_SSL {'false' if endpoint.scheme == 'http' else 'true'}",
        ]
    con.execute(f"CREATE OR REPLACE TEMPORARY SECRET aesops_s3 (TYPE s3, {', '.join(parts)})")


def _attach_error(catalog: str, data_path: str, point, exc: Exception) -> AesopsError:
    text = str(exc)
    if point and ("snapshot" in text.lower()):
        return UsageError(
            f"--as-of: the lake has no such snapshot ({text.splitlines()[0]}).",
            hint="List the snapshots with `aesops status`.",
        )
    return WorkspaceError(
        f"The lake catalog {catalog} (data in {data_path}) cannot be opened: {text.splitlines()[0]}",
        hint="Check that the PostgreSQL server is up, the database exists and PGPASSWORD is set.",
    )


def _has_schema(con) -> bool:
    return (
        con.execute(
            query("lake", "has_schema"),
            {"c": LAKE},
        ).fetchone()[0]
        > 0
    )


def _make_current(con, catalog: str) -> None:
    """Tables, the semantic layer and the batch sequence on a new lake; on a lake an older aesops wrote, the
    layer upgraded as a file's is (warehouse/connection.py): in place where derived.IN_PLACE says it can be
    (at 10M order lines a full rebuild took about 16 minutes), else rebuilt; a newer aesops's layer refused."""
    from aesthetic_cli.warehouse import derived

    if _has_schema(con) and layer_version(con) == derived.LAYER_VERSION:
        return
    # Under the importers' lock: an upgrade waits for an import instead of conflicting with it, and two
    # processes that both found the lake behind upgrade it once (the second finds it done, below).
    with writer_lock(con):
        fresh = not _has_schema(con)
        found = None if fresh else layer_version(con)
        if found == derived.LAYER_VERSION:
            return
        derived.check_not_newer(found, catalog)

        def once():
            con.execute("BEGIN TRANSACTION")
            try:
                # Every statement of it is CREATE ... IF NOT EXISTS: on a lake an older aesops made it adds the
                # tables it lacks (the appended datasets' _prior tables, layer 9).
                con.execute(lake_ddl())
                con.execute(layer_ddl())  # the layer's tables as this version has them (adds last_items)
                if found in derived.IN_PLACE:
                    derived.fill_in_place(con, found)
                else:
                    derived.rebuild(con)
                con.execute("COMMIT")
            except BaseException:
                # A failed COMMIT has ended the transaction already: its error is the one to tell.
                with contextlib.suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                raise

        retry_conflicts(once)
    con.execute(f"CALL postgres_execute('{PG}', {_sql_string(query('lake', 'batch_seq'))})")


def connect_path(config: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A lake workspace named by its aesops.toml (what --db, AESOPS_DB or the workspace point at)."""
    settings = _settings_of(config)
    if settings.get("backend") != "ducklake":
        raise WorkspaceError(f'{config} does not describe a lake workspace (no backend = "ducklake").')
    return connect_lake(settings, read_only=read_only, as_of=requested_as_of())


def is_lake(con) -> bool:
    return con.execute("SELECT current_database()").fetchone()[0] == LAKE


@contextlib.contextmanager
def writer_lock(con):
    """Imports into one lake one at a time (sql/lake.sql writer_lock); nothing on a file, where DuckDB's
    file lock already admits one writer. The lock lives in a transaction of its own, on a second cursor,
    taken before the import's transaction starts and released after it commits: the import's snapshot
    then begins after the previous import's commit, so the two cannot conflict."""
    if not is_lake(con):
        yield
        return
    holder = con.cursor()
    try:
        holder.execute("BEGIN TRANSACTION")
        holder.execute(f"SELECT * FROM postgres_query('{PG}', {_sql_string(query('lake', 'writer_lock'))})").fetchall()
        yield
    finally:
        with contextlib.suppress(duckdb.Error):
            holder.execute("ROLLBACK")
        holder.close()


def next_batch_id(con) -> int:
    if is_lake(con):
        return con.execute(
            f"SELECT * FROM postgres_query('{PG}', {_sql_string(query('lake', 'next_batch'))})"
        ).fetchone()[0]
    return con.execute("SELECT nextval('batch_seq')").fetchone()[0]


def row_key_sql(con, expr: str) -> str:
    """The importer's 128-bit row key in the backend's type (see lake_ddl): the same bits either way."""
    return f"CAST(lpad(to_hex({expr}), 32, '0') AS UUID)" if is_lake(con) else expr


def is_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.TransactionException) and "conflict" in str(exc).lower()


def retry_conflicts(work, *, attempts: int = MAX_ATTEMPTS):
    """Run work() (one whole transaction) again when DuckLake reports a commit conflict, with jittered
    exponential backoff; work must roll back its own transaction before raising."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except duckdb.TransactionException as exc:
            if not is_conflict(exc) or attempt == attempts:
                raise
            time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def snapshots(con, limit: int = 10):
    return con.execute(query("lake", "snapshots"), {"limit": limit}).pl()


def current_snapshot(con) -> int | None:
    return con.execute(query("lake", "current_snapshot")).fetchone()[0]


def describe(con) -> dict:
    """For a report's 口径说明: which lake, and which snapshot the numbers come from."""
    if not is_lake(con):
        return {}
    point = parse_as_of(requested_as_of())
    if point and point[0] == "SNAPSHOT_VERSION":
        snap = point[1]
    elif point:
        snap = con.execute(
            query("lake", "snapshot_at"),
            {"lake": LAKE, "t": point[1]},
        ).fetchone()[0]
    else:
        snap = current_snapshot(con)
    return {"backend": "ducklake", "snapshot": snap}


def local_data_path(text: str) -> str:
    """A local folder becomes absolute and ends in '/' (DuckLake joins file names onto it); URLs are kept."""
    if "://" in text:
        return text if text.endswith("/") else text + "/"
    folder = Path(text).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder) + "/"


def lake_tables() -> list[str]:
    return re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", lake_ddl())


def _scalar(con, sql: str):
    row = con.execute(sql).fetchone()
    assert row is not None  # an aggregate always has its one row
    return row[0]


def push_file(db_path: Path, settings: dict) -> dict[str, int]:
    """Copy a file warehouse into an empty lake in one transaction (one snapshot), batch ids kept."""
    if db_path.suffix == ".toml" or not db_path.is_file():
        raise UsageError(
            f"{db_path} is not a DuckDB warehouse file to push.",
            hint="Run `aesops lake push` in the file workspace (or pass --db FILE).",
        )
    from aesthetic_cli.warehouse import derived

    con = connect_lake(settings)
    try:
        if _scalar(con, query("lake", "count_batches")):
            raise UsageError(
                "The lake already holds imports; push copies a workspace into an empty lake only.",
                hint="Import new exports into the lake with `aesops import` instead.",
            )
        try:
            con.execute(f"ATTACH {_sql_string(str(db_path))} AS aesops_src (READ_ONLY)")
        except duckdb.Error as exc:
            raise WorkspaceError(
                f"{db_path} cannot be opened: {str(exc).splitlines()[0]}",
                hint="Stop any aesops import or report using it, then push again.",
            ) from None
        counts = {}
        con.execute("BEGIN TRANSACTION")
        try:
            tables = lake_tables()
            for table in tables:
                names = [c for (c,) in con.execute(query("lake", "lake_columns"), {"c": LAKE, "t": table}).fetchall()]
                cols = per_column(query("lake", "quoted"), names, names)
                source = cols.replace('"row_key"', row_key_sql(con, '"row_key"') + ' AS "row_key"')
                where = {"lake": (LAKE, {LAKE}), "table": (table, tables)}
                copy = with_identifiers(query("lake", "push_table"), **where)
                con.execute(with_fragments(copy, cols=cols, source=Fragment(source)))
                counts[table] = _scalar(con, with_identifiers(query("lake", "push_count"), **where))
            derived.rebuild(con)  # the semantic layer from the copied facts, in the same snapshot
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
        top = _scalar(con, query("lake", "max_batch"))
        if top:
            # Later imports continue the file's numbering rather than reuse its batch ids.
            con.execute(f"SELECT * FROM postgres_query('{PG}', 'SELECT setval(''aesops_batch_seq'', {int(top)})')")
        return counts
    finally:
        con.close()
