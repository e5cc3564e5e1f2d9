"""The demo's steps: each capability adds itself here, so the demo always shows the whole product."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from aesthetic_cli import workspace
from aesthetic_cli.errors import UsageError
from aesthetic_cli.importer.load import import_file
from aesthetic_cli.metrics.result import write_json
from aesthetic_cli.warehouse import derived
from aesthetic_cli.sample.bundled import sample_files
from aesthetic_cli.warehouse import connect

DEMO_MARK = ".aesops-demo"


def _fresh(out: Path) -> workspace.Workspace:
    """A new workspace in `out`; an earlier demo there is replaced, anything else is left alone."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder.", hint="Name a folder for the demo workspace.")
    if out.exists() and any(out.iterdir()) and not (out / DEMO_MARK).exists():
        raise UsageError(
            f"{out} is not empty and was not made by `aesops demo`.",
            hint="Pick a new folder with --out, or leave --out off for a temporary one.",
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / DEMO_MARK).write_text("made by aesops demo; safe to delete\n", encoding="utf-8")
    for stale in ("aesops.duckdb", "aesops.duckdb.wal"):
        (out / stale).unlink(missing_ok=True)
    return workspace.init(out, clinic="静安店", force=True)


def analyses(con, settings) -> list[tuple[str, Callable]]:
    """(name, function returning a Result) for every analysis in the catalog: the demo shows the
    whole product because it walks the same list the commands and reports use."""
    from aesthetic_cli import catalog
    from aesthetic_cli.metrics.base import prepare
    from aesthetic_cli.metrics.periods import month

    ctx = catalog.Context(settings=settings)
    last = prepare(con).last_day
    assert last is not None, "the demo imports the sample before it analyses"
    this_month = month(last.replace(day=1))
    # The demo's own choices of period: channels a year back so every horizon up to 365 days is
    # complete; targets for next year; everything else the catalog's default (the data's last month).
    periods = {"channels": _year_ago(con), "targets split": this_month.start.year + 1, "targets track": this_month}

    def plan_then_track(a):
        # A plan for the data's last year (+15% on the year before), so there is something to track.
        catalog.run("targets split", con, ctx, this_month.start.year, growth=0.15, save=True)
        return catalog.run(a.key, con, ctx, periods[a.key], **a.demo)

    steps: list[tuple[str, Callable]] = []
    for a in catalog.ANALYSES.values():
        period = periods.get(a.key)
        label = "" if period is None or a.period in ("none", "asof") else f"_{getattr(period, 'label', period)}"
        name = a.key.replace(" ", "_") + label
        if a.key == "targets track":
            steps.append((name, functools.partial(plan_then_track, a)))
        else:
            steps.append((name, functools.partial(catalog.run, a.key, con, ctx, period, **a.demo)))
    return steps


def _year_ago(con):
    """Channel ROI a year back from the data's end, so that every horizon up to 365 days is complete."""
    from aesthetic_cli.metrics.base import prepare
    from aesthetic_cli.metrics.periods import month

    last = prepare(con).last_day
    return month(last.replace(year=last.year - 1, day=1))


def run_demo(out: Path, *, lang: str = "zh", say: Callable[[str], None] = print, talk: str | None = None) -> dict:
    """talk: the language of what is said along the way (default: that of the reports)."""
    from aesthetic_cli.present.messages import t
    from aesthetic_cli.present.wrap import cells, pad

    talk = talk or lang
    ws = _fresh(out)
    files = sample_files()
    name_width = max(cells(p.name) for p in files)
    say(t("demo_import", talk, n=len(files), db=ws.db_path))
    con = connect(ws.db_path)
    summary: dict = {"workspace": str(out), "imports": [], "analyses": []}
    try:
        # One refresh of the semantic layer after the last file, as `aesops import` does.
        with derived.one_refresh(con):
            for path in files:
                r = import_file(con, path, clinic=ws.default_clinic)
                summary["imports"].append(
                    {
                        "file": path.name,
                        "dataset": r.dataset,
                        "loaded": r.loaded,
                        "duplicates": r.duplicates,
                        "rejected": r.rejected,
                    }
                )
                say(
                    t(
                        "demo_file",
                        talk,
                        file=pad(path.name, name_width),
                        dataset=f"{r.dataset:<10}",
                        loaded=f"{r.loaded:>6,}",
                        dup=f"{r.duplicates:>4}",
                        rejected=r.rejected,
                    )
                )
        say(t("demo_analyses", talk))
        target = out / "analyses"
        target.mkdir(exist_ok=True)
        summary["channels_month"] = _year_ago(con).label
        todo = list(analyses(con, ws.config))
        width = max(len(name) for name, _ in todo)
        for name, compute in todo:
            result = compute()
            path = target / f"{name}.json"
            with path.open("w", encoding="utf-8") as f:
                write_json(result.to_json_obj(), f)  # the same file `aesops … --format json` writes
            summary["analyses"].append(name)
            say(f"   {name:<{width}} → {path.relative_to(out)}")
    finally:
        con.close()
    from aesthetic_cli.reports.run import write_reports

    say(t("demo_reports", talk))
    for kind in ("monthly", "weekly", "daily"):
        for path in write_reports(
            ws.db_path, kind, out / "reports", formats=["xlsx", "html"], lang=lang, settings=ws.config
        ):
            summary.setdefault("reports", []).append(str(path))
            say(f"   {kind:<8} → {path.relative_to(out)}")
    say("")
    say(t("demo_done", talk, out=out))
    say(t("demo_try", talk, reports=out / "reports", out=out))
    aesops = _program()
    for command, key in (
        ("funnel --by channel", "funnel"),
        (f"channels --month {summary['channels_month']}", "channels"),
        ("consultants", "consultants"),
        ("customers reactivate", "reactivate"),
        ("targets track", "track"),
        ("import YOUR_EXPORTS/*.xlsx", "import"),
    ):
        say(f"           {aesops} {command:<28} # {t('demo_cmd_' + key, talk)}")
    if aesops != "aesops":
        say(t("demo_not_on_path", talk, activate=Path(aesops).parent / "activate"))
    return summary


def _program() -> str:
    """How the reader can run aesops from any folder, as printed: plain `aesops` when the shell finds
    this same program, else its full path (./run demo runs .venv/bin/aesops, which is not on PATH)."""
    import shutil
    import sys

    me = Path(sys.argv[0]).resolve() if sys.argv and Path(sys.argv[0]).name == "aesops" else None
    found = shutil.which("aesops")
    if me is None or (found and Path(found).resolve() == me):
        return "aesops"
    return str(me)
