"""Where an import's CPU goes, statement by statement: `python -m bench.profile_import DB FILE...`.

Runs `aesops import FILE... --db DB` in this process with every DuckDB statement timed by
time.process_time (which counts DuckDB's worker threads), and prints the CPU seconds summed by part:
the layer's named queries (derived.py: query name and table), the importer's functions, and what ran
outside any statement (start-up, Python, Polars). The machine is shared: CPU seconds, not wall."""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from types import FrameType

_totals: dict[str, float] = defaultdict(float)
_counts: dict[str, int] = defaultdict(int)
# Wall seconds per statement too: on a shared machine a statement's wall is mostly waiting for a core, but a
# wall far above its CPU on an idle one is I/O (a COMMIT's or checkpoint's writes and fsyncs).
_walls: dict[str, float] = defaultdict(float)


_HELPERS = ("derived.py", "sqlfiles.py", "memory.py")


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
        c0, w0 = time.process_time(), time.perf_counter()
        try:
            out = getattr(self._con, method)(sql, *args, **kwargs)
        finally:
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
        try:
            self._con.close()
        finally:
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

    import_files(db, *files)
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


if __name__ == "__main__":
    main(*sys.argv[1:])
