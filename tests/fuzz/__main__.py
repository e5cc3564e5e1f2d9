"""python -m tests.fuzz --cases 10000 --seed 1: hostile imports under a watchdog (see README.md)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tests.fuzz.runner import dump, run, summary


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    p.add_argument("--cases", type=int, default=300)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=2, help="children at once")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds before a case counts as a hang")
    p.add_argument("--mem-mb", type=float, default=2048.0, help="RSS at which a case is killed as runaway")
    p.add_argument("--quick", action="store_true", help="leave out the costly cases (for the test suite)")
    p.add_argument(
        "--formats",
        choices=["csv,xlsx", "all"],
        default="csv,xlsx",
        help="all: a quarter of the cases in .xls/.xlsb/.ods or with panicking xlsx date cells",
    )
    p.add_argument("--report", type=Path, help="write the summary and every failing case's details as JSON")
    p.add_argument("--keep", type=Path, help="copy failing inputs (and their output) into this folder")
    args = p.parse_args(argv)
    t0 = time.monotonic()
    outcomes = run(
        args.cases,
        args.seed,
        jobs=args.jobs,
        timeout=args.timeout,
        mem_limit_mb=args.mem_mb,
        keep_failures=args.keep,
        report=args.report,
        quick=args.quick,
        formats=args.formats,
        progress=sys.stderr.isatty() or args.cases >= 1000,
    )
    figures = {
        **summary(outcomes),
        "seed": args.seed,
        "formats": args.formats,
        "wall_seconds": round(time.monotonic() - t0, 1),
    }
    if args.report:
        dump(outcomes, args.report)
    print(json.dumps(figures, indent=1))
    for o in [o for o in outcomes if o.problems][:20]:
        print(f"FAIL {o.case} [{o.mutation} on {o.seed_file}] {o.problems}: {o.message[-300:]!r}", file=sys.stderr)
    return 1 if any(o.problems for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
