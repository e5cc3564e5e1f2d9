"""`channels --clinic`: a channel's sales and horizons are the clinic's own, as its arrivals and buyers are (indep7 D1:
every purchase of a customer who ever came to the clinic counted, at any clinic). Figures by hand; through the CLI."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli, write_csv

CUSTOMERS = [
    ["顾客编号", "姓名", "来源渠道", "门店"],
    ["P1", "甲", "抖音", "静安店"],
    ["P2", "乙", "抖音", "浦东店"],
    ["P3", "丙", "美团", "静安店"],
]
# P1 and P2 are first seen in June (抖音). P1 buys at 静安 in June and at 浦东 in July; P2 at 浦东, then 静安, in June.
# P3 (September) only takes the data to 09-30, so that June's 60 days are complete.
ORDERS = [
    ["收费日期", "顾客编号", "项目名称", "实收金额", "门店"],
    ["2025-06-05", "P1", "水光针", "1000", "静安店"],
    ["2025-07-10", "P1", "热玛吉", "2000", "浦东店"],
    ["2025-06-10", "P2", "水光针", "500", "浦东店"],
    ["2025-06-20", "P2", "光子嫩肤", "300", "静安店"],
    ["2025-09-30", "P3", "水光针", "800", "静安店"],
]


@pytest.mark.parametrize(
    ("clinic", "sales", "sales_60d"),
    [
        (None, 1800.0, 3800.0),  # 1000 + 500 + 300; and P1's 2000 within 60 days of 06-05
        ("浦东店", 500.0, 2500.0),  # P2's 500; and P1's 2000 at 浦东 (35 days on)
        ("静安店", 1300.0, 1300.0),  # P1's 1000 and P2's 300
    ],
)
def test_a_clinics_channel_sales_are_bought_there(ws, clinic, sales, sales_60d):
    files = [str(write_csv(ws / "顾客.csv", CUSTOMERS)), str(write_csv(ws / "收费.csv", ORDERS))]
    assert run_cli("import", *files).exit_code == 0
    scope = ["--clinic", clinic] if clinic else []
    result = run_cli("channels", "--month", "2025-06", "--horizon", "60", *scope, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["channel"]: r for r in json.loads(result.stdout)["channels"]}
    assert (rows["抖音"]["sales"], rows["抖音"]["sales_60d"]) == (sales, sales_60d)
