"""What a command loads besides its answer: each library below costs start-up time on every run (bench/README,
2026-11-24 "Start-up"), so a command that does not use one must not import it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import child_env, run_cli

# Not needed to answer an analysis as JSON: pydantic (Typer 0.29's option checks, ~0.15 CPU s), Rich (only
# for tables and chatter), pyarrow (DuckDB's .pl() path), and the report, model and import libraries.
UNUSED = ("pydantic", "rich", "pyarrow", "jinja2", "xlsxwriter", "scipy", "numpy", "openpyxl", "fastexcel")


def _child(code: str) -> subprocess.CompletedProcess:
    """`code` run in a fresh interpreter (what it imports is its own), in English."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=child_env("en"))


def _loaded(*args: str) -> tuple[str, list[str]]:
    """Run `aesops ARGS` in a fresh interpreter; its stdout and which of UNUSED it imported."""
    code = (
        "import sys\n"
        f"sys.argv = ['aesops', *{list(args)!r}]\n"
        "from aesthetic_cli import cli\n"
        "try:\n    cli.main()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
        f"print('LOADED', [m for m in {UNUSED!r} if m in sys.modules], file=sys.stderr)\n"
    )
    done = _child(code)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED "))
    return done.stdout, eval(line.removeprefix("LOADED "))  # a list literal printed by the child


@pytest.mark.parametrize("command", [["channels"], ["customers", "cards"]])
def test_an_analysis_as_json_imports_nothing_it_does_not_use(sample_db, command):
    out, loaded = _loaded(*command, "--db", str(sample_db), "--format", "json")
    assert json.loads(out)["meta"]  # the answer itself, whole
    assert loaded == []


def test_the_monthly_report_does_not_import_pyarrow_or_pydantic(sample_db, tmp_path):
    _, loaded = _loaded("report", "monthly", "--db", str(sample_db), "--out", str(tmp_path))
    assert list(tmp_path.glob("*.xlsx")) and list(tmp_path.glob("*.html"))
    assert "pyarrow" not in loaded and "pydantic" not in loaded, loaded


@pytest.mark.parametrize(
    "args, lang, said",
    [
        (("customers", "cards", "--limit", "0"), "zh", "'--limit' 的值无效：应大于或等于 1"),
        (("cohorts", "--months", "40"), "en", "Invalid value for '--months': Input should be less than or equal to 36"),
        (("cohorts", "--months", "0"), "zh", "'--months' 的值无效：应大于或等于 1"),
        (("targets", "split", "--year", "x"), "zh", "'--year' 的值无效：应是整数（无法读成整数）"),
        (("customers", "cards", "--limit", "1.5"), "en", "Input should be a valid integer, unable to parse string as"),
        (("targets", "split", "--year", "2027", "--growth", "abc"), "en", "Input should be a valid number, unable"),
    ],
)
def test_a_bad_number_is_told_in_the_same_words_as_before(sample_db, args, lang, said):
    """Without pydantic the numbers are checked by click's types: their reasons ('0 is not in the range x>=1.',
    "'x' is not a valid int.") are said in the words aesops printed before, which the catalog translates."""
    r = run_cli(*args, "--db", str(sample_db), env={"LANG": "zh_CN.UTF-8" if lang == "zh" else "en_US.UTF-8"})
    assert r.exit_code == 2 and said in r.stderr, r.stderr


def test_the_models_module_leaves_scipy_for_a_thread():
    # customers reactivate imports SciPy on a thread while the warehouse reads the models' inputs
    # (metrics/clv_models.preload); that overlap needs importing the models' modules not to import SciPy itself.
    code = "import sys, aesthetic_cli.metrics.predict; print(sorted(m for m in sys.modules if m.startswith('scipy')))"
    done = _child(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_analyses_modules_leave_polars_for_a_thread():
    # An analysis imports Polars on a thread while DuckDB answers (cli/analyse.py, aesthetic_cli/deferred.py): that
    # needs importing the catalog, every metrics module, the warehouse and the command layer not to import it.
    code = (
        "import sys\n"
        "import aesthetic_cli.catalog, aesthetic_cli.cli.analyse, aesthetic_cli.warehouse, aesthetic_cli.privacy\n"
        "from aesthetic_cli.metrics import channels, cohorts, consultants, customers, funnel, items, predict, targets\n"
        "print('polars' in sys.modules)"
    )
    done = _child(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_a_module_that_fails_on_the_import_thread_fails_where_it_is_used_and_prints_nothing_there(tmp_path):
    """Any error of a thread's import (not only ImportError: a binary mismatch raises ValueError) is left to the
    first use, which raises it in the caller's thread and words; the thread printed a traceback of its own."""
    (tmp_path / "brokenmod.py").write_text("raise RuntimeError('built for another numpy')\n")
    code = (
        f"import sys, time; sys.path.insert(0, {str(tmp_path)!r})\n"
        "from aesthetic_cli import deferred\n"
        "deferred.start('brokenmod'); time.sleep(0.3)\n"
        "try:\n    deferred.Deferred('brokenmod').anything\n"
        "except RuntimeError as exc:\n    print('caller:', exc)\n"
    )
    done = _child(code)
    assert done.returncode == 0 and done.stdout.strip() == "caller: built for another numpy", done
    assert done.stderr == "", done.stderr
