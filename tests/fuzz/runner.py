"""Run each case as `aesops import` in a child process, under a watchdog, and judge the outcome.

The harness imports aesops once and forks a child per case (a "zygote"): a fresh process per input,
as cron would run it, without paying Python's start-up ten thousand times. The parent never runs
Polars or DuckDB, so it holds no threads when it forks. The child reports its peak RSS through
wait4(); the parent samples RSS to kill a runaway child and kills a child that overruns its time.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.fuzz.generate import SAMPLES, Case, cases
import contextlib

TRACEBACK = "Traceback (most recent call last)"
# Rust's panic hook writes this to stderr, beneath Python, even when the panic is caught as a message.
RUST_PANIC = "panicked at"


@dataclass
class Outcome:
    case: str
    mutation: str
    seed_file: str
    size: int
    exit: int | None = None
    signal: int | None = None
    seconds: float = 0.0
    max_rss_mb: float = 0.0
    problems: list[str] = field(default_factory=list)
    message: str = ""


def _preload() -> None:
    # Imported, not used: the children inherit the modules without the parent starting any thread.
    import duckdb  # noqa: F401
    import fastexcel  # noqa: F401
    import polars  # noqa: F401

    import aesthetic_cli.cli  # noqa: F401
    import aesthetic_cli.cli.commands.ingest  # noqa: F401
    import aesthetic_cli.importer.load  # noqa: F401
    import aesthetic_cli.privacy  # noqa: F401
    import aesthetic_cli.workspace  # noqa: F401

    # What Polars and the CLI import lazily on first use; imported here once instead of in every child.
    import importlib

    for name in ("pyarrow", "pydantic", "rich.progress", "rich.table", "rich.markup", "rich.text", "ssl"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _digest(db: Path) -> dict:
    """Every table's row count and an order-free hash of its rows."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "AND table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        return {
            t: con.execute(
                f'SELECT count(*), coalesce(sum(hash(CAST(t AS VARCHAR))::HUGEINT), 0)::VARCHAR FROM "{t}" AS t'
            ).fetchone()
            for t in tables
        }
    finally:
        con.close()


def _child(case_path: Path, db: Path, result_path: Path, out_path: Path, before: dict) -> None:
    """In the forked child: run the CLI as cron would, then judge the warehouse."""
    fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    report: dict = {}
    try:
        from aesthetic_cli.cli import app

        try:
            app(args=["import", str(case_path), "--db", str(db), "--clinic", "本院"], prog_name="aesops")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:  # noqa: BLE001 - what the real entry point would print as a traceback
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        report["exit"] = code
        # Every case starts from a copy of the same warehouse: its digest was taken once.
        report["changed"] = code != 0 and json.loads(json.dumps(_digest(db), default=str)) != before
        if code == 0:
            import duckdb

            con = duckdb.connect(str(db), read_only=True)
            row = con.execute("""SELECT rows_read, rows_loaded + rows_updated + duplicates + rejected
                                 + skipped FROM import_batches ORDER BY batch_id DESC LIMIT 1""").fetchone()
            con.close()
            report["accounted"] = list(row) if row else None
    except BaseException:  # noqa: BLE001 - the harness itself must report, never die silently
        report["harness_error"] = traceback.format_exc()
    result_path.write_text(json.dumps(report, default=str))
    os._exit(0)


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _base_warehouse(work: Path) -> Path:
    """A warehouse with some data in it, made in a child so that the parent stays thread-free."""
    db = work / "base.duckdb"
    pid = os.fork()
    if pid == 0:
        try:
            from aesthetic_cli import workspace
            from aesthetic_cli.importer.load import import_file
            from aesthetic_cli.warehouse import connect

            workspace.init(work, clinic="本院")
            con = connect(work / "aesops.duckdb")
            for name in ("项目目录.xlsx", "员工.xlsx", "营销费用.xlsx"):
                import_file(con, SAMPLES / name, clinic="本院")
            con.close()
            os.replace(work / "aesops.duckdb", db)
            os._exit(0)
        except BaseException:  # noqa: BLE001
            traceback.print_exc()
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise SystemExit("fuzz: could not build the base warehouse")
    digest_file = work / "base.json"
    pid = os.fork()
    if pid == 0:
        digest_file.write_text(json.dumps(_digest(db), default=str))
        os._exit(0)
    os.waitpid(pid, 0)
    return db, json.loads(digest_file.read_text())


def run(
    count: int,
    seed: int,
    jobs: int = 2,
    timeout: float = 60.0,
    mem_limit_mb: float = 2048.0,
    keep_failures: Path | None = None,
    progress: bool = False,
    report: Path | None = None,
    quick: bool = False,
    formats: str = "csv,xlsx",
) -> list[Outcome]:
    _preload()
    work = Path(tempfile.mkdtemp(prefix="aesops-fuzz-"))
    try:
        base, base_digest = _base_warehouse(work)
        outcomes: list[Outcome] = []
        running: dict[int, tuple[Case, Path, float, Outcome]] = {}
        gen = iter(cases(count, seed, quick=quick, formats=formats))
        done = 0

        def start(case: Case) -> None:
            cdir = work / case.name.split(".")[0]
            cdir.mkdir()
            path = cdir / case.name
            path.write_bytes(case.data)
            db = cdir / "aesops.duckdb"
            shutil.copyfile(base, db)
            outcome = Outcome(case.name, case.mutation, case.seed_file, len(case.data))
            pid = os.fork()
            if pid == 0:
                _child(path, db, cdir / "result.json", cdir / "output.txt", base_digest)
            running[pid] = (case, cdir, time.monotonic(), outcome)

        exhausted = False
        last_tick = time.monotonic()
        while running or not exhausted:
            # A gap of seconds between two 10 ms ticks means the run was paused (pkill -STOP during a
            # benchmark, a suspended laptop): that time is nobody's, so it does not count towards a hang.
            tick = time.monotonic()
            if tick - last_tick > 5.0:
                gap = tick - last_tick
                for pid, (c, d, t0, o) in list(running.items()):
                    running[pid] = (c, d, t0 + gap, o)
            last_tick = tick
            while not exhausted and len(running) < jobs:
                case = next(gen, None)
                if case is None:
                    exhausted = True
                    break
                start(case)
            for pid, (case, cdir, t0, outcome) in list(running.items()):
                got, status, usage = os.wait4(pid, os.WNOHANG)
                elapsed = time.monotonic() - t0
                if got == 0:
                    if outcome.problems:  # killed, not reaped yet
                        continue
                    if elapsed > timeout:
                        os.kill(pid, signal.SIGKILL)
                        outcome.problems.append("hang")
                    elif _rss_mb(pid) > mem_limit_mb:
                        os.kill(pid, signal.SIGKILL)
                        outcome.problems.append("memory")
                    continue
                del running[pid]
                outcome.seconds = round(elapsed, 3)
                outcome.max_rss_mb = round(usage.ru_maxrss / 1024, 1)
                _judge(outcome, status, cdir)
                outcomes.append(outcome)
                done += 1
                if outcome.problems and keep_failures:
                    keep_failures.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(cdir / case.name, keep_failures / case.name)
                    shutil.copyfile(cdir / "output.txt", keep_failures / (case.name + ".out.txt"))
                shutil.rmtree(cdir, ignore_errors=True)
                if done % 200 == 0:
                    if progress:
                        bad = sum(1 for o in outcomes if o.problems)
                        print(f"fuzz: {done}/{count} cases, {bad} with problems", file=sys.stderr, flush=True)
                    if report:  # a long run leaves its figures so far, should it be stopped
                        dump(outcomes, report)
            time.sleep(0.01)
        return outcomes
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _judge(outcome: Outcome, status: int, cdir: Path) -> None:
    if os.WIFSIGNALED(status):
        outcome.signal = os.WTERMSIG(status)
        if not outcome.problems:  # not killed by the watchdog: the process aborted
            outcome.problems.append("abort")
        return
    output = (cdir / "output.txt").read_text(errors="replace") if (cdir / "output.txt").exists() else ""
    outcome.message = output[-600:]
    result_file = cdir / "result.json"
    if not result_file.exists():
        outcome.problems.append("abort")
        return
    result = json.loads(result_file.read_text())
    if "harness_error" in result:
        outcome.problems.append("harness")
        outcome.message = result["harness_error"][-600:]
        return
    outcome.exit = result["exit"]
    if TRACEBACK in output or RUST_PANIC in output:
        outcome.problems.append("traceback")
    if outcome.exit not in (0, 1, 2, 3):
        outcome.problems.append("exit")
    if outcome.exit != 0 and result.get("changed"):
        outcome.problems.append("failed_import_changed_warehouse")
    acc = result.get("accounted")
    if outcome.exit == 0 and acc and acc[0] != acc[1]:
        outcome.problems.append("rows_unaccounted")


# Every kind of failure the harness judges; the summary counts each, and a clean run has 0 of all.
PROBLEMS = (
    "traceback",
    "abort",
    "hang",
    "memory",
    "exit",
    "failed_import_changed_warehouse",
    "rows_unaccounted",
    "harness",
)


def summary(outcomes: list[Outcome]) -> dict:
    small = [o.max_rss_mb for o in outcomes if o.size < 20 << 20]
    count = {k: sum(1 for o in outcomes if k in o.problems) for k in PROBLEMS}
    return {
        "inputs": len(outcomes),
        "imported": sum(1 for o in outcomes if o.exit == 0),
        "refused_with_message": sum(1 for o in outcomes if o.exit in (1, 2) and not o.problems),
        **count,
        "max_rss_mb_inputs_under_20mb": max(small, default=0.0),
        "max_seconds": max((o.seconds for o in outcomes), default=0.0),
    }


def dump(outcomes: list[Outcome], path: Path) -> None:
    path.write_text(
        json.dumps(
            {"summary": summary(outcomes), "failures": [asdict(o) for o in outcomes if o.problems]},
            ensure_ascii=False,
            indent=1,
        )
    )
