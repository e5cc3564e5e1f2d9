"""Analyses on a lake workspace (DuckLake: PostgreSQL catalog, Parquet data) against the same data in a
file workspace, as a ratio of wall times; each analysis in its own process, as a user runs it.

    ./run bench                         # the main suite (bench/__main__.py)
    .venv/bin/python -m bench.lake      # this one: 1M order lines by default
    .venv/bin/python -m bench.lake --lines 100000
    .venv/bin/python -m bench.lake --reuse --repeat 2   # keep the imported file warehouse; best of 2 runs

Needs Debian's PostgreSQL server binaries (a throwaway cluster is started, as in the tests). Writes
bench/results/lake.md and lake.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from bench.__main__ import HERE, analyses, dataset, step


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the file warehouse of an earlier run")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each analysis per backend; the best is kept")
    opts = parser.parse_args(argv)
    sys.path.insert(0, str(HERE.parent))
    from tests.pg_cluster import start_cluster, stop_cluster

    work = HERE / "work"
    folder = dataset(work, opts.lines)
    file_db = work / f"lake_bench_{opts.lines}.duckdb"
    if not (opts.reuse and file_db.exists()):
        file_db.unlink(missing_ok=True)
        files = sorted(str(p) for p in folder.iterdir() if p.suffix in (".csv", ".xlsx"))
        print(f"import {opts.lines:,} order lines into a file workspace", flush=True)
        step("import_files", file_db, *files)
    # The machine may be shared: the load average is recorded with the figures (ratios of runs made
    # side by side stay meaningful when absolute seconds do not).
    loads = [os.getloadavg()[0]]
    cluster, root = start_cluster()
    try:
        catalog = cluster.new_database()
        lake_ws = root / "ws"
        t0 = time.perf_counter()
        from aesthetic_cli.cli import app

        for args in (
            ["lake", "push", "--catalog", catalog, "--data-path", str(root / "data"), "--db", str(file_db)],
            ["init", str(lake_ws), "--catalog", catalog, "--data-path", str(root / "data")],
        ):
            app(args, prog_name="aesops", standalone_mode=False)
        push_seconds = time.perf_counter() - t0
        lake_db = lake_ws / "aesops.toml"
        rows = []
        for key, args in analyses():
            file_s = lake_s = float("inf")
            for _ in range(opts.repeat):  # file and lake alternate, so both meet the same load
                file_s = min(file_s, step("analysis", file_db, *args)["seconds"])
                lake_s = min(lake_s, step("analysis", lake_db, *args)["seconds"])
                loads.append(os.getloadavg()[0])
            rows.append(
                {
                    "analysis": key,
                    "file_s": round(file_s, 2),
                    "lake_s": round(lake_s, 2),
                    "ratio": round(lake_s / file_s, 2),
                }
            )
            print(f"  {key:24} file {file_s:6.2f} s   lake {lake_s:6.2f} s   ×{lake_s / file_s:.2f}", flush=True)
    finally:
        stop_cluster(cluster, root)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    load = {"min": min(loads), "max": max(loads), "cores": os.cpu_count()}
    (out / "lake.json").write_text(
        json.dumps(
            {
                "lines": opts.lines,
                "push_seconds": push_seconds,
                "repeat": opts.repeat,
                "load_average_1min": load,
                "rows": rows,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    lines = [
        f"# Lake vs file workspace at {opts.lines:,} order lines",
        "",
        f"lake push (copy the file warehouse into the lake): {push_seconds:.1f} s",
        "",
        (
            f"best of {opts.repeat} run(s) per backend; 1-minute load average {load['min']:.1f}–"
            f"{load['max']:.1f} on {load['cores']} cores during the runs"
        ),
        "",
        "| analysis | file (s) | lake (s) | lake / file |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {r['analysis']} | {r['file_s']} | {r['lake_s']} | ×{r['ratio']} |" for r in rows]
    (out / "lake.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
