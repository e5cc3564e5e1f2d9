"""The memory limit under which aesops writes to a warehouse (imports, the layer's refresh and rebuild)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TypeVar

import duckdb

# DuckDB's own default is 80% of the machine; writing stays well under the 4 GB budget instead, and
# spills its staging tables to disk (a file warehouse spills beside itself, an in-memory one to the
# system's temporary folder).
WRITE_MEMORY_LIMIT = "2GB"

T = TypeVar("T")


@contextlib.contextmanager
def bounded_memory(con):
    """The write memory limit for the block. Imports hold it around the layer refresh after their last file
    (derived.one_refresh) too: unbounded, the refresh after the six datasets of the 10M bench peaked at
    4.9 GB, and the layer's rebuild when a 10M warehouse of an older layer version is opened at 4.7 GB.
    Nesting is harmless: each level restores what it found."""
    # SET takes no bound parameters; both values are DuckDB's own setting text or the constant above.
    before = _limit(con)
    con.execute(f"SET memory_limit = '{WRITE_MEMORY_LIMIT}'")
    try:
        yield
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute(f"SET memory_limit = '{before}'")


def _limit(con) -> str:
    return str(con.execute("SELECT current_setting('memory_limit')").fetchone()[0]).replace("'", "")


def or_with_more_room(con, work: Callable[[], T]) -> T:
    """work() (one transaction that rolls itself back on failure), inside bounded_memory; if DuckDB runs out of
    memory there, once more under DuckDB's own default limit (80% of the machine).

    The write limit keeps imports within their budget, but one transaction that builds the whole layer of a
    chain-sized warehouse can need more: the full build after the 10M bench's six datasets ran out at
    customer_last_items. Those batches stay pending, and every later open would retry and fail the same way:
    a warehouse that no command can open. Over the budget once is better than that."""
    try:
        return work()
    except duckdb.OutOfMemoryException:
        con.execute("RESET memory_limit")
        try:
            return work()
        finally:
            # Called inside bounded_memory: back to the write limit itself (DuckDB's text of a limit, '1.8 GiB',
            # does not set the same limit again), and bounded_memory restores the caller's when it ends.
            with contextlib.suppress(duckdb.Error):
                con.execute(f"SET memory_limit = '{WRITE_MEMORY_LIMIT}'")
