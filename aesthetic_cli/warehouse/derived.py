"""The persisted semantic layer (sql/derived.sql): created once, refreshed with each import, read by
every analysis. A refresh after an import reads the facts of the customers its batches touched once,
rewrites of the day tables only the customer-days the batches changed (and every day of a customer
whose first-seen / channel row changed), and item_intervals from a histogram of gaps, so one more day
into a 10M-line warehouse costs about the day, not the history.

Several files imported by one command (`one_refresh`) refresh the layer once, after the last file:
each file's transaction records its batch in layer_pending instead, and whoever opens the warehouse
next finds any batch still pending (a process killed between the two) and refreshes first
(warehouse/connection.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

import duckdb

from aesthetic_cli.errors import WorkspaceError
from aesthetic_cli.sqlfiles import execute_all, query, with_identifiers
from aesthetic_cli.warehouse import rollups

# Bumped whenever derived.sql or the fact schema changes shape; an older warehouse is upgraded once.
# 5: layer_pending, the batches whose refresh is still to come. 6: item_gaps and item_gap_counts, which
# item_intervals is refreshed from, and customer_months. 7: the rollups (warehouse/rollups.py), built alone
# on a version-6 warehouse. 8: customer_deals.last_items, filled alone on a version-6 or 7 warehouse
# (upgrade_in_place). 9: order_lines names a refund line's item as the item it gave back (a view: recreated).
# 10: customer_deals' first item, department and clinic by the first deal day's net per item (fill_first_lines).
LAYER_VERSION = "10"
# The layer versions brought up to LAYER_VERSION in place, table by table, without a full rebuild (at 10M
# order lines a full rebuild took about 16 minutes).
IN_PLACE = (rollups.WITHOUT_ROLLUPS, "7", "8", "9")
TABLES = (
    "customer_phone",
    "customer_first",
    "customer_days",
    "attributed_days",
    "item_intervals",
    "order_days",
    "visit_days",
    "treatment_days",
    "customer_deals",
    "customer_last_items",
    "customer_months",
    "item_gaps",
    "item_gap_counts",
    *rollups.TABLES,
)
VIEWS = (
    "order_facts",
    "visit_facts",
    "treatment_facts",
    "order_day_facts",
    "visit_day_facts",
    "treatment_day_facts",
    "order_lines",
)
# Datasets that rebuild everything: customers feed customer_phone (a change can relink any lead), items
# the departments carried by every day table. Both are small catalogues, rarely imported. Every other
# dataset that feeds the layer (orders, visits, treatments, leads) only appends rows, which the scoped
# refresh relies on (a dropped batch rebuilds everything).
_GLOBAL = {"customers", "items"}
# Datasets that touch no derived table (the analyses read them directly).
_NONE = {"spend", "cards", "staff"}
# The layer's tables in dependency order (customer_first feeds the day tables and customer_deals, which
# feeds customer_last_items), each with the order its rows are written in: day tables in day order, so a
# period's query reads only its days' row groups.
_DAY_TABLES = ("customer_days", "attributed_days", "order_days", "visit_days", "treatment_days")
_ORDER = {
    "customer_first": "",
    **dict.fromkeys(_DAY_TABLES, "ORDER BY day"),
    "customer_months": "ORDER BY month",
    "customer_deals": "ORDER BY first_deal",
    "customer_last_items": "",
}
# The share of the layer's fact rows (orders, visits, treatments, leads) that the refreshed batches brought,
# at and above which one full build is cheaper than the scoped refresh (_full_build_cheaper). Measured on the
# 1M orders split by date (layer CPU s, scoped / full): 5% of the rows 2.5 / 15.7, 15% 5.5 / 11.2,
# 56% 18.2 / 16.2, 100% (a first import) 30.7 / 14.5: the scoped cost grows with the share, the full one
# stays, and they cross near 0.45.
FULL_BUILD_SHARE = 0.4
_NEW_VIEWS = ("new_first", "new_rows", "point", "new_rows_days", "point_deals", "new_rows_last")


@dataclass(frozen=True)
class Coverage:
    first_day: date | None
    last_day: date | None

    def covers(self, start: date) -> bool:
        return self.first_day is not None and self.first_day <= start


def _run(con, name: str, params: dict | None = None) -> None:
    execute_all(con, query("derived", name), params)


def create(con) -> None:
    """The layer's tables and views, empty; idempotent."""
    _run(con, "create_tables")
    _run(con, "create_views")
    rollups.create(con)


def upgrade_in_place(con, found: str) -> None:
    """Bring a layer of a version in IN_PLACE up to LAYER_VERSION by adding what it lacks: the rollups
    (version 6), customer_deals.last_items (6 and 7, from customer_last_items), its first item, department and
    clinic (6 to 9), the views (any). Call inside a transaction."""
    create(con)  # adds last_items (and creates the rollup tables) where missing
    fill_in_place(con, found)


def fill_in_place(con, found: str) -> None:
    """upgrade_in_place once the tables have their current shape (a lake creates them from its own DDL, without
    keys: warehouse_lake.layer_ddl)."""
    if found == rollups.WITHOUT_ROLLUPS:
        rollups.rebuild(con)
    if found in (rollups.WITHOUT_ROLLUPS, "7"):
        _run(con, "fill_last_items")
    _run(con, "fill_first_lines")
    _run(con, "set_version", {"v": LAYER_VERSION})


def is_newer(found: str | None) -> bool:
    """Whether a layer was written by a later aesops than this one. Its tables may hold what this code does not
    know (or lack what it dropped): rebuilding them back would undo the other aesops's upgrade on every shared
    machine, reading them could answer wrongly, so the warehouse is refused instead (check_not_newer)."""
    return found is not None and found.isdigit() and int(found) > int(LAYER_VERSION)


def check_not_newer(found: str | None, where: object) -> None:
    """Refuse a warehouse (a file, or a lake by its catalog) whose layer is newer than this code's, before
    anything is written to it."""
    if is_newer(found):
        raise WorkspaceError(
            f"The warehouse {where} was written by a newer aesops (semantic layer version {found}; this aesops "
            f"reads version {LAYER_VERSION}). Nothing was changed.",
            hint="Upgrade aesops on this machine (pip install -U aesops): every machine that imports into or reads "
            "one warehouse should run the same version.",
        )


def version(con) -> str | None:
    if not con.execute(query("derived", "has_layer")).fetchone()[0]:
        return None
    row = con.execute(query("derived", "version")).fetchone()
    return row[0] if row else None


def refresh(
    con,
    *,
    batch_id: int | None = None,
    dataset: str | None = None,
    batches: Iterable[tuple[int, str]] | None = None,
) -> None:
    """Bring the layer up to date with the facts; call inside the transaction that changed them.

    With batches ((batch_id, dataset) pairs, or one batch_id and its dataset), only what those batches
    touched is rebuilt, together; without any, everything (and nothing is left pending)."""
    if batches is None and batch_id is not None:
        batches = [(batch_id, dataset or "")]
    scoped = None if batches is None else [(int(b), d) for b, d in batches if d not in _NONE]
    if scoped == []:
        return
    full = scoped is None or any(d in _GLOBAL for _, d in scoped)
    _run(con, "scope_open")
    try:
        ids = sorted({b for b, _ in scoped or ()})
        if not full:
            con.executemany(query("derived", "add_scope_batch"), [{"batch": b} for b in ids])
            full = con.execute(query("derived", "batches_replaced_facts")).fetchone()[0] or _full_build_cheaper(
                con, ids
            )
        if full:
            _rebuild_all(con)
        else:
            _refresh_scope(con, ids)
        _run(con, "refresh_coverage")
        _run(con, "set_version", {"v": LAYER_VERSION})
        if full:
            # A full rebuild leaves nothing pending: everything is as the facts say.
            _run(con, "clear_pending")
    except BaseException:
        # The transaction is aborted, and its temporary views and tables go with the caller's ROLLBACK. Dropping
        # them here would fail ("transaction is aborted") and put that error in place of the one that matters:
        # an OutOfMemoryException, which memory.or_with_more_room retries with more room. The 10M bench's import
        # ended in that TransactionException's traceback.
        with contextlib.suppress(duckdb.Error):
            _unscope(con, full)
        raise
    _unscope(con, full)


def _unscope(con, full: bool) -> None:
    _run(con, "scope_close")
    # The staged facts are views over the whole tables in a full rebuild, temp tables otherwise.
    _run(con, "unstage_all" if full else "unstage_scoped")


def _views(con, mode: str, *, first: bool = True) -> None:
    """The new_* views over the staged facts, and scope_first / scope_days / scope_deals for the mode
    (without new_customer_first when the caller has made its own: first=False)."""
    for name in _NEW_VIEWS:
        if first or name != "new_first":
            _run(con, f"{name}_{mode}" if name.startswith("point") else name)


def _table_sql(name: str, table: str) -> str:
    return with_identifiers(
        query("derived", name), t=(table, set(_ORDER)), order_by=(_ORDER[table], set(_ORDER.values()))
    )


def _run_table(con, name: str, table: str, params: dict | None = None) -> None:
    execute_all(con, _table_sql(name, table), params)


def _rebuild_all(con) -> None:
    _run(con, "refresh_phone")
    _run(con, "stage_all")
    _views(con, "all")
    _run(con, "new_rows_full")
    for table in _ORDER:
        _run_table(con, "replace_all", table)
    _run(con, "intervals_all")
    rollups.rebuild(con)


def _full_build_cheaper(con, ids: list[int]) -> bool:
    """Whether a full build costs less than the scoped refresh of these batches (in layer_batches).

    The scoped path reads the facts of every customer the batches touched and rewrites their rows through
    deletes and inserts; the full build reads every fact once and writes each table in one statement. When
    the batches bring a large share of the facts (a first import, a year into an empty or young warehouse)
    the scoped path does the full build's work and more: at 1M order lines into an empty warehouse it took
    30.7 CPU s against the full build's 14.5 (bench/README, 2026-11-24). Measured crossover: FULL_BUILD_SHARE."""
    batch_rows, all_rows = con.execute(query("derived", "batch_share"), {"lo": ids[0], "hi": ids[-1]}).fetchone()
    return all_rows == 0 or batch_rows >= FULL_BUILD_SHARE * all_rows


def _refresh_scope(con, ids: list[int]) -> None:
    """The customers the batches touched, read once from each fact table; of the day tables only the
    customer-days the batches changed are rewritten (found through the day's zone maps), so the cost of
    one more day follows the day, not the history. (layer_batches holds the ids: refresh fills it.)"""
    # lo/hi as constants let DuckDB skip the row groups of other batches (zone maps); the semi-join on
    # layer_batches keeps it exact when the ids are not consecutive.
    span = {"lo": ids[0], "hi": ids[-1]}
    _run(con, "scope_from_batches", span)
    _run(con, "stage_scoped_orders")
    if con.execute(query("derived", "scope_brought_first_facts"), span).fetchone()[0]:
        _stage_visits_and_customers(con)
    else:
        _stage_light(con, span)
    if con.execute(query("derived", "changed_existing")).fetchone()[0]:
        _run(con, "delete_changed_first")
    _run(con, "insert_changed_first")
    _run(con, "dirty_days", span)
    dlo, dhi = con.execute(query("derived", "dirty_span")).fetchone()
    if dlo is not None:
        for table in _DAY_TABLES:
            _run_table(con, "replace_dirty", table, {"dlo": dlo, "dhi": dhi})
        _run(con, "replace_dirty_months", {"dlo": dlo, "dhi": dhi})
        rollups.refresh_dirty(con)
    for table in ("customer_deals", "customer_last_items"):
        _run_table(con, "replace_scoped", table)
    _run(con, "intervals_scoped")
    if con.execute(query("derived", "has_rewritten_gaps")).fetchone()[0]:
        _run(con, "intervals_rewritten")
    _run(con, "intervals_merge")


def _stage_visits_and_customers(con) -> None:
    """The scope's every visit, treatment and customer record (and leads where they give the channel), for
    batches that bring visits or leads: what customer_first is made of changed."""
    _run(con, "stage_scoped_visits")
    _run(con, "stage_scoped_treatments")
    _run(con, "stage_scoped_customers")
    needs_leads = con.execute(query("derived", "scope_lead_count")).fetchone()[0]
    _run(con, "stage_scoped_leads" if needs_leads else "stage_scoped_no_leads")
    _views(con, "scoped")
    _run(con, "changed_customers")


def _stage_light(con, span: dict) -> None:
    """Batches of orders or treatments only: customer_first's new rows from its old ones (stage_light_first
    says why that is exact), and of the scope's visits and treatments only the days the refresh rewrites,
    unless a customer's first_seen or channel changed (then all their days are rewritten, so all are read).
    At 10M lines one more day of orders skips three scans of 9-14M rows (visits, treatments, customers)."""
    _run(con, "stage_light_first")
    new = con.execute(query("derived", "scope_new_count")).fetchone()[0]
    _run(con, "stage_light_leads" if new else "stage_scoped_no_leads")
    _run(con, "new_first_light")
    _run(con, "changed_customers")
    changed, existed = con.execute(query("derived", "changed_counts")).fetchone()
    blo, bhi = con.execute(query("derived", "batch_days"), span).fetchone()
    if existed or blo is None:
        # A changed customer's every visit is dirty (a new one has none: no row means no visit).
        _run(con, "stage_scoped_visits")
    else:
        vlo, vhi = _month_start(blo), _next_month(bhi)
        _run(con, "stage_window_visits", {"vlo": vlo, "vhi": vhi})
    if changed or blo is None:
        _run(con, "stage_scoped_treatments")
    else:
        _run(con, "stage_window_treatments", {"dlo": blo, "dhi": bhi})
    _views(con, "scoped", first=False)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    """The first day of the month after day's."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def rebuild(con) -> None:
    """Everything from the facts: a new warehouse, an upgrade, or a dropped batch."""
    refresh(con)


# The connections (by id) inside one_refresh: their imports record their batches as pending instead
# of refreshing the layer in each file's transaction.
_deferring: ContextVar[frozenset[int]] = ContextVar("aesops_layer_deferring", default=frozenset())


def after_import(con, *, batch_id: int, dataset: str) -> None:
    """Call inside an import's transaction, after its facts: refresh the layer for the batch now, or,
    inside one_refresh, record it as pending (in the same transaction, so it commits with the facts)."""
    if id(con) not in _deferring.get():
        refresh(con, batch_id=batch_id, dataset=dataset)
    elif dataset not in _NONE:
        con.execute(query("derived", "add_pending"), {"batch": batch_id, "dataset": dataset})


@contextlib.contextmanager
def one_refresh(con) -> Iterator[None]:
    """Refresh the layer once for all the imports made on con inside the block, when it ends (even
    by an error: the files committed so far are brought up to date).

    Only on a warehouse file, which the importing process holds alone (DuckDB's file lock) until the
    block has ended: no other process can read facts ahead of their layer, and one that opens the
    file after a crash refreshes first. A lake keeps one refresh per file: each commit there is a
    snapshot that other processes and --as-of read without any lock."""
    from aesthetic_cli.warehouse_lake import is_lake

    if id(con) in _deferring.get() or is_lake(con):
        yield
        return
    token = _deferring.set(_deferring.get() | {id(con)})
    try:
        yield
    except Exception:
        _deferring.reset(token)
        # The error that ended the block is the one to report; batches left pending by a failed refresh
        # are refreshed by whoever opens the warehouse next. So are those of an interrupted import
        # (Ctrl-C, SystemExit, below): a refresh is no thing to start when the user asked to stop.
        with contextlib.suppress(Exception):
            refresh_pending(con)
        raise
    except BaseException:
        _deferring.reset(token)
        raise
    _deferring.reset(token)
    refresh_pending(con)


def pending(con) -> list[tuple[int, str]]:
    """Batches committed whose layer refresh has not (yet) run."""
    return [(int(b), str(d)) for b, d in con.execute(query("derived", "pending")).fetchall()]


def refresh_pending(con) -> None:
    """Refresh the layer for every pending batch, together, in one transaction that also clears them
    (again with more memory if the write limit is too small for it: memory.or_with_more_room)."""
    from aesthetic_cli.warehouse.memory import or_with_more_room

    if pending(con):
        or_with_more_room(con, lambda: _refresh_pending_once(con))


def _refresh_pending_once(con) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        # Read again inside the transaction: what is cleared is exactly what was refreshed.
        batches = pending(con)
        refresh(con, batches=batches)
        _run(con, "clear_pending")
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(Exception):
            con.execute("ROLLBACK")
        raise


def coverage(con) -> Coverage:
    rows = dict(con.execute(query("derived", "read_coverage")).fetchall())

    def day(key: str) -> date | None:
        return date.fromisoformat(rows[key]) if rows.get(key) else None

    return Coverage(day("first_day"), day("last_day"))
