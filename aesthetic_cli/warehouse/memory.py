"""The memory limit under which aesops writes to a warehouse (imports, the layer's refresh and rebuild)."""

from __future__ import annotations

import contextlib

import duckdb

# DuckDB's own default is 80% of the machine; writing stays well under the 4 GB budget instead, and
# spills its staging tables to disk (a file warehouse spills beside itself, an in-memory one to the
# system's temporary folder).
WRITE_MEMORY_LIMIT = "2GB"


@contextlib.contextmanager
def bounded_memory(con):
    """The write memory limit for the block. Imports hold it around the layer refresh after their last file
    (derived.one_refresh) too: unbounded, the refresh after the six datasets of the 10M bench peaked at
    4.9 GB, and the layer's rebuild when a 10M warehouse of an older layer version is opened at 4.7 GB.
    Nesting is harmless: each level restores what it found."""
    # SET takes no bound parameters; both values are DuckDB's own setting text or the constant above.
    before = str(con.execute("SELECT current_setting('memory_limit')").fetchone()[0]).replace("'", "")
    con.execute(f"SET memory_limit = '{WRITE_MEMORY_LIMIT}'")
    try:
        yield
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute(f"SET memory_limit = '{before}'")
