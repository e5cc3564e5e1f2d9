"""The memory limit under which aesops writes to a warehouse (imports, the layer's refresh and rebuild)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TypeVar

import duckdb

# DuckDB's own default is 80% of the machine; writing stays well under the 4 GB budget instead, and
# spills its staging tables to disk (a file warehouse spills beside itself, an in-memory one to the
# system's temporary folder).
WRITE_MEMORY_LIMIT = "2GB"

T = TypeVar("T")


# The connections (by id) inside bounded_memory: an inner block (import_files inside `aesops import`) leaves
# the limit as it is. Restoring DuckDB's text of it ('1.8 GiB') does not set the same limit again (1.6 GiB).
_bounded: ContextVar[frozenset[int]] = ContextVar("aesops_bounded_memory", default=frozenset())


@contextlib.contextmanager
def bounded_memory(con) -> Iterator[None]:
    """The write memory limit for the block. Imports hold it around the layer refresh after their last file
    (derived.one_refresh) too: unbounded, the refresh after the six datasets of the 10M bench peaked at
    4.9 GB, and the layer's rebuild when a 10M warehouse of an older layer version is opened at 4.7 GB.
    Nested on the same connection, only the outermost block sets and restores it."""
    if id(con) in _bounded.get():
        yield
        return
    # SET takes no bound parameters; both values are DuckDB's own setting text or the constant above.
    before = _limit(con)
    con.execute(f"SET memory_limit = '{WRITE_MEMORY_LIMIT}'")
    token = _bounded.set(_bounded.get() | {id(con)})
    try:
        yield
    finally:
        _bounded.reset(token)
        with contextlib.suppress(duckdb.Error):
            con.execute(f"SET memory_limit = '{before}'")


def _default_bytes() -> int | None:
    """DuckDB's own default limit (80% of the machine's memory) in bytes, read from a new in-memory instance
    (None if DuckDB ever writes it otherwise than '18.8 GiB')."""
    import re

    fresh = duckdb.connect()
    try:
        text = _limit(fresh)
    finally:
        fresh.close()
    m = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?i?B|bytes)\s*", text)
    if m is None:
        return None
    power = {"": 0, "K": 1, "M": 2, "G": 3, "T": 4}[m.group(2)[0] if m.group(2)[0] in "KMGT" else ""]
    return int(float(m.group(1)) * (1024 if "i" in m.group(2) else 1000) ** power)


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
        # Not RESET: in DuckDB 1.5.5 it puts the setting's text back but leaves the buffer pool's limit where it
        # was, so the second try ran out at the same 1.8 GiB (the 10M bench's import, before this).
        more = _default_bytes()
        con.execute(f"SET memory_limit = '{more}B'" if more else "RESET memory_limit")
        try:
            return work()
        finally:
            # Called inside bounded_memory: back to its limit, which it restores to the caller's when it ends.
            with contextlib.suppress(duckdb.Error):
                con.execute(f"SET memory_limit = '{WRITE_MEMORY_LIMIT}'")
