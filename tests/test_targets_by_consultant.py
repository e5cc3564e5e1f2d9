"""`targets split` and `targets track` credit a consultant as `consultants` does (SPEC §2: by the visit's
consultant), on the world of tests/test_funnel_by_consultant.py, where the visit and the order lines name
different consultants. Worked out by hand from that file's docstring:

  2025 by the visit's consultant that day, else the order lines': 王芳 (A) 3,500 + 10,000 + 9,800 = 23,300;
  李娜 (B) −2,000 + 2,000 + 1,500 + 2,000 + 800 in October, and P7's 1,000 of 08-01 (no visit that day: the
  order line's B) = 5,300. Nobody else sold. By the order lines' consultant (the old crediting) A had 14,600
  and B 13,000 + 1,000 = 14,000.

  targets split shapes 2026 on 2025's complete months: August and September (the data ends on 10-28, so October
  is not whole). The split test adds P11: 09-10 初诊 with A, 热玛吉 6,000 keyed under B. Over August-September
  A has 6,000 (P11, received by A) and B 1,000 (P7): a 70,000 target splits 60,000 : 10,000. By the order
  lines' consultant B would have had all 7,000, and the whole target.

  Tracked over October 2025 against a 2025 plan, each consultant's actual is their October sales as
  `consultants` shows them: A 23,300, B 4,300 (by the order lines: A 14,600, B 13,000).
"""

from __future__ import annotations

import json

from tests.conftest import load, run_cli
from tests.test_funnel_by_consultant import A, B, world  # noqa: F401  (the fixture)


def _received_by_a_keyed_under_b(ws, day: str, customer: str, item: str, amount: str) -> None:
    """One more first visit received by A whose order line names B, imported into the world's warehouse."""
    from aesthetic_cli.warehouse import connect

    con = connect(ws / "aesops.duckdb")
    try:
        load(
            con,
            ws,
            visits=[["到院日期", "顾客编号", "就诊类型", "现场咨询师", "科室"], [day, customer, "初诊", A, "皮肤科"]],
            orders=[
                ["收费日期", "顾客编号", "项目", "实收金额", "支付方式", "咨询师", "科室"],
                [day, customer, item, amount, "微信", B, "皮肤科"],
            ],
        )
    finally:
        con.close()


def _rows(r, table: str) -> list[dict]:
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)[table]


def test_a_consultant_s_share_of_the_plan_is_their_share_of_sales_as_consultants_credits_them(world):  # noqa: F811
    _received_by_a_keyed_under_b(world, "2025-09-10", "P11", "热玛吉", "6000")
    r = run_cli("targets", "split", "--year", "2026", "--total", "70000", "--by", "consultant", "--format", "json")
    out = json.loads(r.stdout)
    assert r.exit_code == 0, r.output
    table = next(v for k, v in out.items() if k != "meta" and any("consultant" in row for row in v))
    got = {row["consultant"]: row for row in table if row.get("consultant") in (A, B)}
    # Each month's split is in whole yuan (its parts add up to the month exactly), so a year's sum per consultant
    # may be a few yuan off the share of the total: within a yuan a month.
    assert abs(got[A]["target"] - 60000) <= 12 and abs(got[B]["target"] - 10000) <= 12, got
    assert got[A]["target"] + got[B]["target"] == 70000


def test_tracking_a_consultant_reads_the_sales_consultants_shows(world):  # noqa: F811
    # A 2025 plan split by consultant needs 2024 history: P20, 2024-10-01, received by A, 500 keyed under B.
    _received_by_a_keyed_under_b(world, "2024-10-01", "P20", "水光针", "500")
    assert run_cli("targets", "split", "--year", "2025", "--total", "120000", "--save").exit_code == 0
    track = json.loads(run_cli("targets", "track", "--month", "2025-10", "--format", "json").stdout)
    progress = next(v for k, v in track.items() if k != "meta" and v and "scope" in v[0])
    actual = {row["key"]: row["actual"] for row in progress if row["scope"] == "consultant"}
    consultants = _rows(run_cli("consultants", "--month", "2025-10", "--format", "json"), "onsite")
    assert {k: round(actual[k]) for k in (A, B)} == {A: 23300, B: 4300}
    assert {row["consultant"]: round(row["sales"]) for row in consultants if row["consultant"] in (A, B)} == {
        A: 23300,
        B: 4300,
    }
