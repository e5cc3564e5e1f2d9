"""Sample data: deterministic, realistic (measured from the files), and the demo runs end to end."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from aesthetic_cli.sample.api import generate
from aesthetic_cli.sample.bundled import sample_dir
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.suffix != ".md"}


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, seed=11, clinics=1, months=3)
    generate(b, seed=11, clinics=1, months=3)
    generate(c, seed=12, clinics=1, months=3)
    assert digests(a) == digests(b)
    da, dc = digests(a), digests(c)
    assert da.keys() == dc.keys() and all(da[k] != dc[k] for k in ("到院登记.csv", "网电线索.csv"))


def test_committed_sample_matches_the_generator(tmp_path):
    generate(tmp_path / "s")
    assert digests(tmp_path / "s") == digests(sample_dir())


# Independent plain-SQL recomputation of the published ranges from the imported files.
RANGES_SQL = {
    "close_and_ticket": """
        WITH day_sales AS (SELECT clinic, customer_id, order_date d, sum(paid_amount) net
                           FROM orders WHERE line_kind <> 'topup' GROUP BY ALL),
        deals AS (SELECT * FROM day_sales WHERE net > 0),
        v AS (SELECT clinic, date_trunc('month', visit_date) m, count(DISTINCT customer_id) visitors
              FROM visits GROUP BY ALL),
        b AS (SELECT clinic, date_trunc('month', d) m, count(DISTINCT customer_id) buyers, count(*) dv
              FROM deals GROUP BY ALL),
        s AS (SELECT clinic, date_trunc('month', d) m, sum(net) sales FROM day_sales GROUP BY ALL)
        SELECT median(buyers / visitors), median(sales / dv)
        FROM v JOIN b USING (clinic, m) JOIN s USING (clinic, m)""",
    "cac": """
        WITH deals AS (SELECT customer_id, order_date d FROM orders WHERE line_kind <> 'topup'
                       GROUP BY ALL HAVING sum(paid_amount) > 0),
        nb AS (SELECT source_channel ch, count(DISTINCT customer_id) n
               FROM customers JOIN deals USING (customer_id) GROUP BY 1),
        sp AS (SELECT channel ch, sum(amount) spend FROM spend GROUP BY 1)
        SELECT ch, spend / n FROM sp JOIN nb USING (ch)
        UNION ALL SELECT 'ALL', sum(spend) / sum(n) FROM sp JOIN nb USING (ch)""",
    "repurchase_12m": """
        WITH deals AS (SELECT customer_id, order_date d FROM orders WHERE line_kind <> 'topup'
                       GROUP BY ALL HAVING sum(paid_amount) > 0),
        fd AS (SELECT customer_id, min(d) f FROM deals GROUP BY 1),
        elig AS (SELECT * FROM fd WHERE f <= (SELECT max(order_date) FROM orders) - INTERVAL 365 DAY)
        SELECT avg(CASE WHEN EXISTS (SELECT 1 FROM deals x WHERE x.customer_id = e.customer_id
                                     AND x.d > e.f AND x.d <= e.f + INTERVAL 365 DAY) THEN 1 ELSE 0 END)
        FROM elig e""",
}


def test_generated_rates_fall_in_published_ranges(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    close_rate, ticket = con.execute(RANGES_SQL["close_and_ticket"]).fetchone()
    assert 0.40 <= close_rate <= 0.60
    assert 3000 <= ticket <= 4000
    cac = dict(con.execute(RANGES_SQL["cac"]).fetchall())
    assert 800 <= cac.pop("ALL") <= 1500
    in_range = [ch for ch, v in cac.items() if 800 <= v <= 1500]
    assert len(in_range) >= 3 and len(cac) == 6  # channels must differ: not all alike
    assert max(cac.values()) > 2 * min(cac.values())
    rep = con.execute(RANGES_SQL["repurchase_12m"]).fetchone()[0]
    assert 0.30 <= rep <= 0.40


def test_big_seller_customers_return_less(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    rows = dict(
        con.execute("""
        WITH deals AS (SELECT customer_id, order_date d FROM orders WHERE line_kind <> 'topup'
                       GROUP BY ALL HAVING sum(paid_amount) > 0),
        fd AS (SELECT customer_id, min(d) f FROM deals GROUP BY 1)
        SELECT owner_consultant, avg(CASE WHEN EXISTS (SELECT 1 FROM deals x WHERE x.customer_id = fd.customer_id
                                      AND x.d > fd.f) THEN 1 ELSE 0 END)
        FROM fd JOIN customers USING (customer_id) GROUP BY 1""").fetchall()
    )
    others = [v for k, v in rows.items() if k not in ("王芳", "吴倩")]
    assert rows["王芳"] < min(others) and rows["吴倩"] < min(others)


def test_sample_has_the_mess_the_importer_must_handle():
    folder = sample_dir()
    raw = (folder / "网电线索.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gbk").startswith("咨询日期")
    assert (folder / "到院登记.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_scale_fast_path_writes_clean_csvs(tmp_path):
    written, world = generate(tmp_path / "big", scale=20_000, seed=5)
    assert {p.name for p in written} >= {"orders.csv", "visits.csv", "customers.csv"}
    lines = (tmp_path / "big" / "orders.csv").read_text(encoding="utf-8").count("\n") - 1
    assert 14_000 <= lines <= 26_000 and lines == len(world.orders)


def test_demo_through_the_cli(tmp_path):
    out = tmp_path / "demo"
    r = run_cli("demo", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert (out / "aesops.duckdb").exists() and (out / "analyses" / "status.json").exists()
    assert "Done." in r.stderr
    # Each file's and each analysis's arrow in one column of the terminal, Chinese names counted as two cells.
    from aesthetic_cli.present.wrap import cells

    rows = [x for x in r.stderr.splitlines() if x.startswith("   ") and " → " in x]
    imports = [x for x in rows if "loaded" in x]
    outputs = [x for x in rows if "analyses/" in x]
    assert len(imports) == 11 and len(outputs) >= 10, r.stderr
    for group in (imports, outputs):
        assert len({cells(x[: x.index(" → ")]) for x in group}) == 1, group
    again = run_cli("demo", "--out", str(out))  # re-running replaces the earlier demo
    assert again.exit_code == 0


def test_demo_refuses_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    r = run_cli("demo", "--out", str(tmp_path))
    assert r.exit_code == 2 and "not empty" in r.stderr
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_sample_generate_cli(tmp_path):
    r = run_cli("sample", "generate", "--out", str(tmp_path / "g"), "--months", "2", "--clinics", "1")
    assert r.exit_code == 0 and "Wrote" in r.stderr
    assert (tmp_path / "g" / "收费明细_2026.xlsx").exists()


def test_wheel_carries_sql_templates_and_sample_data(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("aesops-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "aesthetic_cli/sql/schema.sql" in names
    assert "aesthetic_cli/report_templates/report.html.j2" in names
    assert "aesthetic_cli/sample_data/收费明细_2025.xlsx" in names
