"""Equal scorecard scores share a rank and are still listed in one defined order (score, then the team's
headline figure, then the name), the same in the CLI's JSON, in the monthly report and in the core."""

from __future__ import annotations

import json

import polars as pl

from aesthetic_cli.metrics.consultants import scorecard
from tests.conftest import ORDER_HEAD, load, ranked_rows, run_cli


def test_equal_scores_are_listed_by_sales_then_by_name(con, ws):
    # October 2025, no repurchase cohort (nobody closed in April), so with the default weights the score is
    # half the sales percentile: 周婷 5,000 and 王芳 5,000 tie at 0.375 (rank 1, both), 李娜 3,000 scores 0
    # (rank 3). Their sales are equal too, so the name decides: 周 (U+5468) before 王 (U+738B).
    visits = [["到院日期", "顾客编号", "现场咨询师", "就诊类型"]]
    orders = [ORDER_HEAD]
    for d, c, who, amount in [
        ("2025-10-03", "A1", "王芳", 5000),
        ("2025-10-04", "B1", "周婷", 5000),
        ("2025-10-05", "C1", "李娜", 3000),
    ]:
        visits.append([d, c, who, "初诊"])
        orders.append([d, c, "水光针", str(amount), "微信", who])
    load(con, ws, visits=visits, orders=orders)
    con.close()
    expected = [(1, "周婷"), (1, "王芳"), (3, "李娜")]
    for _ in range(3):  # the same on every run, not by luck once
        doc = json.loads(run_cli("consultants", "--month", "2025-10", "--role", "onsite", "--format", "json").stdout)
        assert [(r["rank"], r["consultant"]) for r in doc["onsite"]] == expected
    assert doc["onsite"][0]["score"] == doc["onsite"][1]["score"] == 0.375
    r = run_cli("report", "monthly", "--month", "2025-10", "--format", "xlsx", "--out", str(ws / "out"))
    assert r.exit_code == 0, r.output
    report = ranked_rows(ws / "out" / "aesops_monthly_2025-10.xlsx", "咨询师")
    assert report == expected


def test_a_tied_score_is_broken_by_the_headline_figure_before_the_name():
    # Two consultants, 50/50 weights: 甲 has the higher sales, 乙 the higher repurchase rate, so each scores
    # 0.5 × 1 + 0.5 × 0 = 0.5. Sales then puts 甲 first, although 乙 (U+4E59) sorts before 甲 (U+7532).
    team = pl.DataFrame({"consultant": ["乙", "甲"], "sales": [50.0, 100.0], "repurchase_rate": [0.2, 0.1]})
    card = scorecard(team, {"sales": 0.5, "repurchase_rate": 0.5}, then_by="sales")
    assert card.select("consultant", "score", "rank").rows() == [("甲", 0.5, 1), ("乙", 0.5, 1)]
    # Without a headline figure, the name alone orders the tie.
    card = scorecard(team, {"sales": 0.5, "repurchase_rate": 0.5})
    assert card["consultant"].to_list() == ["乙", "甲"]


def test_scores_equal_as_fractions_share_a_rank_though_their_floats_differ():
    """Eight consultants, 50/50 weights: 甲 is 3rd in sales and 2nd in repurchase (5/7 and 6/7 as percentiles),
    乙 4th and 1st (4/7 and 7/7); both score 11/14 exactly. As the scorecard summed its doubles, 甲's came out one
    bit below 乙's and 甲 was ranked 2nd (found by an independent recomputation of 2026-03)."""
    names = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛"]
    sales = [600.0, 500.0, 800.0, 700.0, 400.0, 300.0, 200.0, 100.0]  # 丙 丁 甲 乙 …: 甲 3rd, 乙 4th
    repurchase = [0.7, 0.8, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]  # 乙 1st, 甲 2nd
    team = pl.DataFrame({"consultant": names, "sales": sales, "repurchase_rate": repurchase})
    card = scorecard(team, {"sales": 0.5, "repurchase_rate": 0.5}, then_by="sales")
    top = {r["consultant"]: (r["rank"], r["score"]) for r in card.head(2).iter_rows(named=True)}
    assert top["甲"][0] == top["乙"][0] == 1
    assert top["甲"][1] == top["乙"][1] == round(11 / 14, 12)
