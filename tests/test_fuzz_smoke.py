"""A slice of the fuzz harness in every test run, every format (.xls/.xlsb/.ods and panicking date cells
included); the full run is documented in tests/fuzz/README.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import child_env
from tests.fuzz.runner import PROBLEMS

ROOT = Path(__file__).resolve().parents[1]


def test_hostile_inputs_slice():
    # A process of its own: the harness forks a child per case and must start free of threads.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.fuzz",
            "--cases",
            "120",
            "--seed",
            "7",
            "--quick",
            "--jobs",
            "2",
            "--formats",
            "all",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env=child_env("zh"),
    )
    figures = json.loads(done.stdout)
    assert figures["inputs"] == 120
    bad = {k: figures[k] for k in PROBLEMS}
    assert set(bad.values()) == {0}, (bad, done.stderr[-3000:])
    assert figures["max_rss_mb_inputs_under_20mb"] < 1024
    assert done.returncode == 0
