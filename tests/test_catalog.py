"""One catalog: for every analysis, the CLI's JSON, the report's tables and the core's result are the
same numbers, with the workspace's settings (scorecard weights included)."""

from __future__ import annotations

import json
import shutil
import openpyxl
import pytest

from aesthetic_cli import catalog
from aesthetic_cli.present.labels import label
from tests.conftest import json_differences, run_cli

MONTH = "2026-09"
# Weights far from the defaults: rank by sales alone. A report that read its own (50/50) weights
# would rank the sample's big sellers with poor repurchase (王芳, 吴倩) lower.
WEIGHTS = "\n[scorecard.onsite]\nsales = 1.0\nrepurchase_rate = 0.0\n"


@pytest.fixture(scope="module")
def weighted_ws(sample_db, tmp_path_factory):
    from aesthetic_cli import workspace

    root = tmp_path_factory.mktemp("weighted")
    workspace.init(root, clinic="静安店")
    text = (root / "aesops.toml").read_text(encoding="utf-8")
    start = text.index("[scorecard.onsite]")
    end = text.index("[scorecard.online]")
    (root / "aesops.toml").write_text(text[:start] + WEIGHTS.strip() + "\n\n" + text[end:], encoding="utf-8")
    shutil.copy(sample_db, root / "aesops.duckdb")
    return root


def cli(root, *args):
    r = run_cli(*args, "--format", "json", env={"AESOPS_DB": str(root / "aesops.duckdb")})
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_cli_report_and_core_agree_for_every_analysis_of_the_monthly_report(weighted_ws, monkeypatch):
    from aesthetic_cli import workspace
    from aesthetic_cli.reports import content
    from aesthetic_cli.warehouse import connect

    monkeypatch.chdir(weighted_ws)
    ws = workspace.resolve()
    con = connect(ws.db_path, read_only=True)
    report = content.build(con, "monthly", month_=MONTH, settings=ws.config)
    ctx = catalog.Context(settings=ws.config)
    cli_args = {
        "funnel": ("funnel", "--month", MONTH),
        "channels": ("channels", "--month", MONTH),
        "consultants": ("consultants", "--month", MONTH),
        "cohorts": ("cohorts", "--from", "2025-10-01", "--to", "2026-09-30", "--months", "12"),
        "customers_rfm": ("customers", "rfm", "--date", "2026-09-30"),
        # Balances are the cards export's, recorded to 2026-10-31: the report of September shows them as of then.
        "customers_cards": ("customers", "cards", "--date", "2026-10-31", "--limit", "20"),
        "customers_reactivate": ("customers", "reactivate", "--date", "2026-09-30", "--limit", "20"),
        "items": ("items", "--month", MONTH),
    }
    assert set(cli_args) <= set(report.results), "the report must compute these analyses"
    for name, args in cli_args.items():
        from_report = json.loads(json.dumps(report.results[name].to_json_obj(), ensure_ascii=False))
        if name == "customers_cards":
            # The one difference: the report, asked for September, says why its cards are October's.
            snapshot = from_report["meta"]["notes"].pop()
            assert snapshot.startswith("Card balances are a snapshot") and "not as of 2026-09-30" in snapshot
        # Floats to 1e-12: Polars' parallel group-by may chunk a column differently from run to run, and its
        # division kernels then differ in the 17th digit (seen: an RFM share ...305 against ...303).
        differences = json_differences(from_report, cli(weighted_ws, *args), rel=1e-12)
        assert not differences, f"{name}: report vs CLI\n" + "\n".join(differences[:10])
    # And the core, called directly with the workspace's settings, gives the same again.
    core = catalog.run("consultants", con, ctx, report.period).to_json_obj()
    assert json.loads(json.dumps(core, ensure_ascii=False)) == cli(weighted_ws, *cli_args["consultants"])
    assert core["meta"]["weights"]["onsite"] == {"sales": 1.0, "repurchase_rate": 0.0}
    con.close()


def test_report_ranks_consultants_with_the_configured_weights(weighted_ws, monkeypatch):
    monkeypatch.chdir(weighted_ws)
    out = weighted_ws / "reports"
    r = run_cli("report", "monthly", "--month", MONTH, "--format", "xlsx", "--out", str(out))
    assert r.exit_code == 0, r.output
    onsite = cli(weighted_ws, "consultants", "--month", MONTH, "--role", "onsite")["onsite"]
    # Independently of the scorecard code: with all weight on sales, rank follows sales.
    by_sales = [c["consultant"] for c in sorted(onsite, key=lambda c: -c["sales"])]
    assert [c["consultant"] for c in sorted(onsite, key=lambda c: c["rank"])] == by_sales
    ws = openpyxl.load_workbook(out / f"aesops_monthly_{MONTH}.xlsx")["咨询师"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, row in enumerate(rows) if row and row[0] == label("rank", "zh"))
    names = []
    for row in rows[head + 1 :]:
        if row[0] is None:
            break
        names.append(row[1])
    assert names == by_sales


def test_every_catalog_analysis_is_a_command_with_help_and_an_example():
    for key in catalog.ANALYSES:
        r = run_cli(*key.split(), "--help")
        assert r.exit_code == 0, key
        assert "Example" in r.stdout, f"`aesops {key} --help` has no example"


def test_a_month_in_progress_reports_its_customers_as_of_the_data_s_last_day(ws, monkeypatch):
    """Data to 2026-10-15: the report of October said RFM "as of 2026-10-31" and counted the 16 days the data has
    not reached as days without a deal (an independent recomputation found 2,967 overdue against 2,851)."""
    from aesthetic_cli import workspace
    from aesthetic_cli.reports import content
    from aesthetic_cli.warehouse import connect
    from tests.conftest import write_csv

    rows = [["收费日期", "顾客编号", "项目", "实收金额"]]
    rows += [[f"2026-0{m}-10", f"C{i}", "水光针", "1000"] for i in range(1, 6) for m in (5, 6, 7)]
    rows += [["2026-10-15", "C1", "水光针", "1000"]]
    path = write_csv(ws / "收费.csv", rows)
    assert run_cli("import", str(path), "--clinic", "本院").exit_code == 0
    monkeypatch.chdir(ws)
    conf = workspace.resolve()
    con = connect(conf.db_path, read_only=True)
    report = content.build(con, "monthly", month_="2026-10", settings=conf.config)
    con.close()
    analyses = {
        "customers_rfm": ("customers", "rfm"),
        "customers_reactivate": ("customers", "reactivate", "--limit", "20"),
    }
    for name, args in analyses.items():
        from_report = json.loads(json.dumps(report.results[name].to_json_obj(), ensure_ascii=False))
        to_15 = json.loads(run_cli(*args, "--date", "2026-10-15", "--format", "json").stdout)
        to_31 = json.loads(run_cli(*args, "--date", "2026-10-31", "--format", "json").stdout)
        assert to_15 != to_31, name  # the test tells the two apart
        assert not json_differences(from_report, to_15, rel=1e-12), name


@pytest.mark.parametrize("how", ["--db", "AESOPS_DB", "AESOPS_DB toml"])
def test_a_warehouse_named_from_another_folder_is_read_with_its_own_settings(weighted_ws, tmp_path, monkeypatch, how):
    """From another folder, `--db WS/aesops.duckdb` ranked with the default 50/50 weights, silently; AESOPS_DB
    naming the workspace's aesops.toml was refused as if it had to be a lake."""
    monkeypatch.chdir(tmp_path)
    db, toml = weighted_ws / "aesops.duckdb", weighted_ws / "aesops.toml"
    args, env = ["consultants", "--month", MONTH, "--format", "json"], {}
    if how == "--db":
        args += ["--db", str(db)]
    else:
        env["AESOPS_DB"] = str(toml if how.endswith("toml") else db)
    r = run_cli(*args, env=env)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["meta"]["weights"]["onsite"] == {"sales": 1.0, "repurchase_rate": 0.0}
