"""The root command builds only the subcommand it runs (cli/root.py COMMANDS); everything a reader sees of the
command tree (--help of each command in both languages, completion, what a mistyped line is told, --as-of)
must be what building the whole tree gave."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from tests.conftest import child_env, run_cli


def test_the_lazy_list_is_every_command_in_the_order_the_modules_registered_them():
    """Registering every module on one Typer, as root.py did before it built lazily, gives the same names in
    the same (--help) order."""
    from aesthetic_cli.cli.commands import (
        analysis,
        batches_cmds,
        customers_cmds,
        demo,
        ingest,
        intake_cmds,
        lake_cmds,
        report_cmds,
        sample,
        schedule_cmds,
        send_cmds,
        targets_cmds,
        workspace_cmds,
    )
    from aesthetic_cli.cli.root import COMMANDS, tree

    eager = typer.Typer()
    eager.callback()(lambda: None)
    for module in (workspace_cmds, ingest, analysis, customers_cmds, targets_cmds, report_cmds, schedule_cmds):
        module.register(eager)
    for module in (sample, demo, send_cmds, intake_cmds, lake_cmds, batches_cmds):
        module.register(eager)
    assert list(typer.main.get_command(eager).commands) == list(COMMANDS)  # type: ignore[attr-defined]
    assert [p for p, _ in tree() if len(p) == 1] == [(name,) for name in COMMANDS]


def _paths():
    from aesthetic_cli.cli.root import tree

    return [p for p, _ in tree()]


@pytest.mark.parametrize("path", _paths(), ids=lambda p: " ".join(p) or "aesops")
def test_every_command_s_help_in_both_languages(path):
    """Each command built on its own still gets its Chinese help (present/help_zh.py) and its English one."""
    from aesthetic_cli.present.help_zh import COMMANDS as ZH

    zh = run_cli(*path, "--help", env={"LANG": "zh_CN.UTF-8"})
    en = run_cli("--lang", "en", *path, "--help")
    assert zh.exit_code == en.exit_code == 0, zh.output + en.output
    assert zh.stdout.startswith("用法：aesops") and en.stdout.startswith("Usage: aesops"), zh.stdout + en.stdout
    first = ZH[" ".join(path)].split("\n")[0].strip()
    assert first[:20] in zh.stdout.replace("\n  ", ""), (first, zh.stdout)
    assert "选项：" in zh.stdout and "Options:" in en.stdout


def test_as_of_is_on_the_reading_commands_as_before():
    """lake_cmds gave --as-of to every command that reads the warehouse and was registered before it."""
    from aesthetic_cli.cli.root import tree

    has = {" ".join(p): any("--as-of" in getattr(q, "opts", ()) for q in c.params) for p, c in tree()}
    assert has["items"] and has["customers rfm"] and has["report monthly"] and has["status"]
    assert not has["import"] and not has["init"] and not has["lake push"] and not has["batches drop"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("custmers",), "No such command 'custmers'. Did you mean 'customers'?"),
        (("customers", "rmf"), "No such command 'rmf'. Did you mean 'rfm'?"),
        (("report", "monthy"), "No such command 'monthy'. Did you mean 'monthly'"),
        (("items", "--monht", "2026-10"), "No such option: --monht (Possible options: --month"),
        (("customers", "cards", "--limt", "3"), "No such option: --limt"),
    ],
)
def test_a_mistyped_command_or_option_gets_the_same_suggestion(args, said):
    r = run_cli(*args)
    assert r.exit_code == 2 and said in r.stderr, r.stderr


def test_a_command_imports_no_other_command_s_module(sample_db):
    """`aesops items` imports cli/commands/analysis.py (and lake_cmds for --as-of), not the modules of import,
    reports, the sample or the schedule."""
    code = (
        "import sys\n"
        f"sys.argv = ['aesops', 'items', '--db', {str(sample_db)!r}, '--format', 'json']\n"
        "from aesthetic_cli import cli\n"
        "try:\n    cli.main()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith('aesthetic_cli.cli.commands.')), "
        "file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=child_env("en"))
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED "))
    loaded = eval(line.removeprefix("LOADED "))  # a list literal printed by the child
    assert loaded == ["aesthetic_cli.cli.commands.analysis", "aesthetic_cli.cli.commands.lake_cmds"]


def test_every_command_that_offers_xlsx_takes_the_file_to_write_it_to():
    """`--format xlsx` needs `--out` (a workbook is not written to a terminal): a command offering the one without
    the other left its reader with an error telling them to use an option the command does not have."""
    from aesthetic_cli.cli.root import tree

    def opts(c):
        return {o: q for q in c.params for o in getattr(q, "opts", ())}

    offering = [
        " ".join(p)
        for p, c in tree()
        if "xlsx" in getattr(getattr(opts(c).get("--format"), "type", None), "choices", ())
    ]
    assert "customers predict" in offering and "channels" in offering
    assert [name for name in offering if "--out" not in opts(dict(tree())[tuple(name.split())])] == []


def test_a_workbook_into_a_missing_folder_is_refused_with_the_path(sample_db, tmp_path):
    """xlsxwriter's FileCreateError reached the reader as a traceback."""
    target = tmp_path / "no such folder" / "cards.xlsx"
    r = run_cli("customers", "cards", "--db", str(sample_db), "--format", "xlsx", "--out", str(target))
    assert r.exit_code != 0 and "Traceback" not in r.output, r.output
    assert f"Could not write {target} (cannot use it: No such file or directory)" in r.stderr, r.stderr
    assert not target.parent.exists()
