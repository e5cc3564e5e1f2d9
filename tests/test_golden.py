"""Golden files: what a director's scripts and mail robots read (csv, json, html) does not change unnoticed.

The numbers in these files are checked elsewhere against hand computations; here the point is the
shape (columns, labels, order, formats, escaping) of the output as a whole. When a change is meant,
regenerate and review the diff:

    AESOPS_UPDATE_GOLDEN=1 ./run test tests/test_golden.py

JSON is compared as data (floats to 1e-9 relative, everything else exactly); csv and html as text,
with the version and the times of generation and import taken out."""

from __future__ import annotations

import csv
import json
import math
import os
import re
from pathlib import Path

import pytest

from tests.conftest import REPORT_MONTH, json_differences, run_cli

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("AESOPS_UPDATE_GOLDEN") == "1"

# One command per catalog analysis, on fixed periods of the sample data so that nothing depends on today.
COMMANDS = {
    "status": ("status",),
    "funnel": ("funnel", "--month", REPORT_MONTH),
    "funnel_by_channel": ("funnel", "--month", REPORT_MONTH, "--by", "channel"),
    "channels": ("channels", "--month", REPORT_MONTH),
    "consultants": ("consultants", "--month", REPORT_MONTH),
    "cohorts": ("cohorts", "--from", "2025-10-01", "--to", "2026-09-30", "--months", "6"),
    "items": ("items", "--month", REPORT_MONTH),
    "customers_rfm": ("customers", "rfm", "--date", "2026-09-30"),
    "customers_reactivate": ("customers", "reactivate", "--date", "2026-09-30", "--limit", "15"),
    "customers_cards": ("customers", "cards", "--date", "2026-10-31", "--limit", "15"),
    "targets_track": ("targets", "track", "--month", REPORT_MONTH),
}


def _compare_text(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path.name}: run with AESOPS_UPDATE_GOLDEN=1 and review it"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = [
            f"line {i + 1}:\n  golden: {a}\n  now:    {b}"
            for i, (a, b) in enumerate(zip(expected.splitlines(), text.splitlines(), strict=False))
            if not _same_line(a, b, name)
        ]
        if not diff and len(expected.splitlines()) == len(text.splitlines()):
            return
        lengths = f"{len(expected.splitlines())} lines golden, {len(text.splitlines())} now"
        pytest.fail(f"{name} differs from its golden file ({lengths}):\n" + "\n".join(diff[:8]))


def _same_line(golden: str, now: str, name: str) -> bool:
    """CSV lines are equal when every cell is, a float's last bits aside (a sum's order may change them)."""
    if golden == now:
        return True
    if not name.endswith(".csv"):
        return False
    a, b = next(csv.reader([golden])), next(csv.reader([now]))
    return len(a) == len(b) and all(x == y or _close(x, y) for x, y in zip(a, b, strict=True))


def _close(x: str, y: str) -> bool:
    try:
        return math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-12)
    except ValueError:
        return False


def _cli(report_ws, *args: str):
    r = run_cli(*args, env={"AESOPS_DB": str(report_ws / "aesops.duckdb")})
    assert r.exit_code == 0, r.output
    return _stable(r.stdout)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_csv_and_json_match_their_golden_files(report_ws, name):
    args = COMMANDS[name]
    _compare_text(f"{name}.csv", _cli(report_ws, *args, "--format", "csv"))
    now = json.loads(_cli(report_ws, *args, "--format", "json"))
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        path.write_text(json.dumps(now, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return
    differences = json_differences(json.loads(path.read_text(encoding="utf-8")), now)
    assert not differences, f"{name}.json differs from its golden file:\n" + "\n".join(differences[:8])


def test_english_csv_matches_its_golden_file(report_ws):
    _compare_text("consultants_en.csv", _cli(report_ws, *COMMANDS["consultants"], "--format", "csv", "--lang", "en"))


def _stable(text: str) -> str:
    """The version and the times (generated, imported) change with every run; nothing else may."""
    text = re.sub(r"<footer>aesops [^<]*</footer>", "<footer>aesops VERSION · GENERATED</footer>", text)
    text = re.sub(r"<th>aesops( 版本| version)?</th><td>[^<]*</td>", r"<th>aesops\1</th><td>VERSION</td>", text)
    return re.sub(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?\b", "TIME", text)


@pytest.mark.parametrize("report", ["daily", "weekly", "monthly"])
def test_html_reports_match_their_golden_files(report_ws, report):
    written = sorted((report_ws / "reports").glob(f"*{report}*.html")) or sorted(
        p for p in (report_ws / "reports").glob("*.html") if report in p.name.lower()
    )
    assert len(written) == 1, [p.name for p in (report_ws / "reports").iterdir()]
    _compare_text(f"report_{report}.html", _stable(written[0].read_text(encoding="utf-8")))
