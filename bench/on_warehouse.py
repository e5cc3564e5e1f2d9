"""The analysis part of ./run bench on an existing warehouse, without importing it again (a 10M import takes
about 15 minutes): the hand query, every catalog analysis, report monthly and one more day (on a copy).

    .venv/bin/python -m bench.on_warehouse bench/work/bench_10m.duckdb bench/work/data_10000000 \
        [--skip "customers predict"]

Prints one JSON line per step."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from bench.__main__ import MONTH, analyses, beside_hand, measured, step


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db", type=Path)
    ap.add_argument("data", type=Path, help="the folder of CSVs the warehouse was imported from")
    ap.add_argument("--skip", default="", help="comma-separated analyses to leave out")
    ap.add_argument("--runs", type=int, default=3, help="runs of each read-only step (median)")
    opts = ap.parse_args()
    skip = {s.strip() for s in opts.skip.split(",") if s.strip()}

    def rec(what: str, r: dict) -> None:
        print(json.dumps({"what": what, **r}, ensure_ascii=False), flush=True)

    for name, args in analyses():
        if name not in skip:
            hand, r = beside_hand(opts.runs, opts.db, args)
            rec(name, {**r, "hand_seconds": hand["seconds"], "hand_wall": hand["wall"]})
    out = opts.db.with_name(opts.db.stem + "_reports")
    out.mkdir(exist_ok=True)
    rec("report monthly", measured(opts.runs, "report", opts.db, out, MONTH))
    copy = opts.db.with_name(opts.db.stem + "_one_more_day.duckdb")
    shutil.copy(opts.db, copy)
    try:
        r = step("one_more_day", copy, opts.data / "orders.csv")
        rec("one more day (the import timed)", {"seconds": r["timed"], "peak_mb": r["peak_mb"]})
    finally:
        copy.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
