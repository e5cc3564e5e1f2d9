"""report monthly runs its analyses two at a time (reports/content.py side_by_side): the same results in the
same order as one after another, and a failure stops the other lane instead of waiting for it."""

from __future__ import annotations

import time

import duckdb
import pytest
from polars.testing import assert_frame_equal

from aesthetic_cli import catalog
from aesthetic_cli.catalog import Context
from aesthetic_cli.reports.content import side_by_side
from aesthetic_cli.settings import Settings


def test_two_lanes_give_what_one_gives_in_the_asked_order(sample_db):
    from aesthetic_cli.warehouse import connect

    con = connect(sample_db, read_only=True)
    ctx = Context(settings=Settings())
    tasks = {
        "items": lambda c: catalog.run("items", c, ctx),
        "funnel": lambda c: catalog.run("funnel", c, ctx),
        "customers cards": lambda c: catalog.run("customers cards", c, ctx),
    }
    try:
        lanes = side_by_side(con, tasks)
        one = {key: task(con) for key, task in tasks.items()}
    finally:
        con.close()
    assert list(lanes) == list(tasks)
    for key in tasks:
        assert lanes[key].meta == one[key].meta
        assert list(lanes[key].tables) == list(one[key].tables)
        for name, frame in one[key].tables.items():
            assert_frame_equal(lanes[key].tables[name], frame)


def test_a_failed_task_stops_the_other_lanes_query():
    con = duckdb.connect()

    def fails(_):
        time.sleep(0.2)
        raise ValueError("boom")

    def slow(c):  # 10^11 pairs: a minute or more if nothing stops it
        return c.execute(
            "SELECT count(*) FROM range(100000000) a, range(1000) b WHERE a.range + b.range = -1"
        ).fetchall()

    started = time.perf_counter()
    with pytest.raises(ValueError, match="boom"):
        side_by_side(con, {"fails": fails, "slow": slow})
    assert time.perf_counter() - started < 15


def _threads(c) -> int:
    return int(c.execute("SELECT current_setting('threads')").fetchone()[0])


@pytest.mark.parametrize(("threads", "per_lane"), [(2, 1), (4, 2), (1, 1)])
def test_the_lanes_share_the_duckdb_threads_and_give_the_setting_back(threads, per_lane):
    # Two lanes: half the threads per query, not DuckDB's one per core for each (bench/README 2026-11-24
    # morning); one each on two cores, never none. Whatever runs after the lanes gets the connection's setting
    # back, after a failure too.
    con = duckdb.connect(config={"threads": threads})
    default = _threads(con)
    assert default == threads
    seen = side_by_side(con, {"a": _threads, "b": _threads})
    assert seen == {"a": per_lane, "b": per_lane}
    assert _threads(con) == default

    def fails(_):
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        side_by_side(con, {"fails": fails, "b": _threads})
    assert _threads(con) == default
