"""Where an import's CPU goes, statement by statement: `python -m bench.profile_import DB FILE...`.

Runs `aesops import FILE... --db DB` in this process with every DuckDB statement timed by
time.process_time (which counts DuckDB's worker threads), and prints the CPU seconds summed by part:
the layer's named queries (derived.py: query name and table), the importer's functions, and what ran
outside any statement (start-up, Python, Polars). The machine is shared: CPU seconds, not wall."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import defaultdict
from types import FrameType

import duckdb

_totals: dict[str, float] = defaultdict(float)
_counts: dict[str, int] = defaultdict(int)
# Wall seconds per statement too: on a shared machine a statement's wall is mostly waiting for a core, but a
# wall far above its CPU on an idle one is I/O (a COMMIT's or checkpoint's writes and fsyncs).
_walls: dict[str, float] = defaultdict(float)


_HELPERS = ("derived.py", "sqlfiles.py", "memory.py")

# With AESOPS_PROFILE_MEMORY=1, a thread samples the process's resident memory (and DuckDB's own accounting,
# duckdb_memory(), through a second cursor) every 0.25 s, and each statement is charged the largest sample
# taken while it ran: which step of an import holds the memory. "outside" = between statements (Python,
# Polars, Arrow hand-overs).
_MEMORY = os.environ.get("AESOPS_PROFILE_MEMORY") == "1"
_running: list[str] = ["outside"]
_peak_rss: dict[str, float] = defaultdict(float)
_peak_duck: dict[str, tuple[float, float, str]] = {}
_probe: list = []


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _duck_mb() -> tuple[float, float, str]:
    """DuckDB's memory in use and spilled (MB), and its largest tag, or zeros without a probe cursor."""
    if not _probe:
        return 0.0, 0.0, ""
    rows = _probe[0].execute("SELECT tag, memory_usage_bytes, temporary_storage_bytes FROM duckdb_memory()").fetchall()
    used = sum(r[1] for r in rows) / 2**20
    spilled = sum(r[2] for r in rows) / 2**20
    top = max(rows, key=lambda r: r[1])
    return used, spilled, f"{top[0]} {top[1] / 2**20:.0f}"


def _sample(stop: threading.Event) -> None:
    while not stop.wait(0.25):
        label = _running[-1]
        rss = _rss_mb()
        _peak_rss[label] = max(_peak_rss[label], rss)
        try:
            duck = _duck_mb()
        except duckdb.Error:  # a probe racing a closing connection: the RSS sample still counts
            continue
        if duck[0] > _peak_duck.get(label, (0.0, 0.0, ""))[0]:
            _peak_duck[label] = duck


def _label(sql: str) -> str:
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        code = frame.f_code
        if code.co_filename.endswith("warehouse/derived.py") and "name" in frame.f_locals:
            table = frame.f_locals.get("table")
            return f"layer: {frame.f_locals['name']}" + (f" {table}" if table else "")
        # sqlfiles.execute_all and memory.or_with_more_room run the layer's statements for it: name their caller.
        if "aesthetic_cli" in code.co_filename and not code.co_filename.endswith(_HELPERS):
            where = code.co_filename.split("aesthetic_cli/")[-1]
            return f"{where}:{code.co_name}: {' '.join(sql.split())[:50]}"
        frame = frame.f_back
    return "other: " + " ".join(sql.split())[:50]


def _file() -> str:
    """The file being imported (import_file's path), for the memory profile's labels."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "import_file" and "path" in frame.f_locals:
            return str(getattr(frame.f_locals["path"], "name", ""))
        frame = frame.f_back
    return ""


class _Timed:
    def __init__(self, con):
        object.__setattr__(self, "_con", con)

    def __getattr__(self, name):
        return getattr(self._con, name)

    def __setattr__(self, name, value):
        setattr(self._con, name, value)

    def __enter__(self):
        self._con.__enter__()
        return self

    def __exit__(self, *exc):
        c0, w0 = time.process_time(), time.perf_counter()
        try:
            return self._con.__exit__(*exc)
        finally:
            _totals["close (checkpoint)"] += time.process_time() - c0
            _walls["close (checkpoint)"] += time.perf_counter() - w0
            _counts["close (checkpoint)"] += 1

    def _timed(self, method: str, sql, *args, **kwargs):
        label = _label(str(sql))
        if _MEMORY:
            label = f"[{_file()}] {label}"
        if _MEMORY and not _probe:
            _probe.append(self._con.cursor())
        c0, w0 = time.process_time(), time.perf_counter()
        _running.append(label)
        try:
            out = getattr(self._con, method)(sql, *args, **kwargs)
        finally:
            _running.pop()
            _totals[label] += time.process_time() - c0
            _walls[label] += time.perf_counter() - w0
            _counts[label] += 1
        return self if out is self._con else out

    def execute(self, sql, *args, **kwargs):
        return self._timed("execute", sql, *args, **kwargs)

    def executemany(self, sql, *args, **kwargs):
        return self._timed("executemany", sql, *args, **kwargs)

    def sql(self, sql, *args, **kwargs):
        return self._timed("sql", sql, *args, **kwargs)

    def close(self):
        # Closing a written warehouse checkpoints it (DuckDB writes the WAL's changes into the file).
        c0, w0 = time.process_time(), time.perf_counter()
        if _probe:
            _probe.pop().close()
        _running.append("close (checkpoint)")
        try:
            self._con.close()
        finally:
            _running.pop()
            _totals["close (checkpoint)"] += time.process_time() - c0
            _walls["close (checkpoint)"] += time.perf_counter() - w0
            _counts["close (checkpoint)"] += 1


def main(db: str, *files: str) -> None:
    c0, w0 = time.process_time(), time.perf_counter()
    from aesthetic_cli.warehouse import connection

    opened = connection._open

    def timed_open(path, read_only):
        return _Timed(opened(path, read_only))

    connection._open = timed_open  # type: ignore[assignment]
    from bench.step import import_files

    if os.environ.get("AESOPS_PROFILE_NO_LAYER") == "1":
        # The import steps alone: the batches stay pending in layer_pending (the next open refreshes them).
        from aesthetic_cli.warehouse import derived

        derived.refresh_pending = lambda con: None  # type: ignore[assignment]
    stop = threading.Event()
    sampler = threading.Thread(target=_sample, args=(stop,), daemon=True)
    if _MEMORY:
        sampler.start()
    try:
        import_files(db, *files)
    finally:
        stop.set()
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    inside = sum(_totals.values())
    parts: dict[str, float] = defaultdict(float)
    for label, s in _totals.items():
        parts["layer" if label.startswith("layer") else label.split(":")[0]] += s
    print(f"process CPU {cpu:.1f} s, wall {wall:.1f} s; in statements {inside:.1f}, outside {cpu - inside:.1f}")
    for part, s in sorted(parts.items(), key=lambda kv: -kv[1]):
        print(f"  {s:8.2f}  {part}")
    print("statements over 0.2 CPU s (CPU, wall):")
    for label, s in sorted(_totals.items(), key=lambda kv: -kv[1]):
        if s >= 0.2:
            print(f"  {s:8.2f} {_walls[label]:8.2f}  x{_counts[label]:<3} {label}")
    print("statements over 0.5 wall s and over twice their CPU (CPU, wall):")
    for label, w in sorted(_walls.items(), key=lambda kv: -kv[1]):
        if w >= 0.5 and w > 2 * _totals[label]:
            print(f"  {_totals[label]:8.2f} {w:8.2f}  x{_counts[label]:<3} {label}")
    if _MEMORY:
        print("peak resident MB while each statement ran (over 300 MB; DuckDB in use / spilled MB, largest tag):")
        for label, mb in sorted(_peak_rss.items(), key=lambda kv: -kv[1]):
            if mb >= float(os.environ.get("AESOPS_PROFILE_MB", "300")):
                used, spilled, top = _peak_duck.get(label, (0.0, 0.0, ""))
                print(f"  {mb:8.0f}  duckdb {used:6.0f} / {spilled:6.0f}  {top:<22} {label}")


if __name__ == "__main__":
    main(*sys.argv[1:])
