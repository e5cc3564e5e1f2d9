"""cohorts --by first_item / department / clinic: a customer's cohort is named after the item their first deal day's
lines net the most on, so an item bought and given back that day names no cohort (indep9 I1: 眼综合 bought and
refunded beside a 肉毒素 that was kept filed the customer under 眼综合 / 整形外科). Worked out by hand; through the
CLI. A layer of version 9 is brought up to it in place."""

from __future__ import annotations

import json

from tests.conftest import run_cli, write_csv
from tests.test_batches_mapping import _con

ORDERS = [
    ["收费日期", "单号", "顾客编号", "项目名称", "科室", "门店", "实收金额"],
    # K1: 眼综合 bought and refunded on the first deal day; 肉毒素 kept: 肉毒素, 注射科, 徐汇店 (its line).
    ["2026-05-06", "B1", "K1", "眼综合", "整形外科", "静安店", "26800"],
    ["2026-05-06", "B1", "K1", "肉毒素", "注射科", "徐汇店", "2533"],
    ["2026-05-06", "B1R", "K1", "眼综合", "整形外科", "静安店", "-26800"],
    # K2: a 0.00 gift beside the 水光针: 水光针, 注射科.
    ["2026-05-08", "B3", "K2", "面膜", "皮肤科", "静安店", "0"],
    ["2026-05-08", "B3", "K2", "水光针", "注射科", "静安店", "1280"],
    # K3: 热玛吉 refunded the same day (the refund line named for it): no deal; the first deal is 05-20's 光子嫩肤.
    ["2026-05-09", "B4", "K3", "热玛吉", "皮肤科", "静安店", "12800"],
    ["2026-05-09", "B5", "K3", "退费-热玛吉", "皮肤科", "静安店", "-12800"],
    ["2026-05-20", "B6", "K3", "光子嫩肤", "光电科", "静安店", "1500"],
    # K4: two items on the day, the larger by net (300 + 900 of 水光针 against 1,000 of 光子嫩肤).
    ["2026-05-11", "B7", "K4", "光子嫩肤", "光电科", "静安店", "1000"],
    ["2026-05-11", "B7", "K4", "水光针", "注射科", "静安店", "300"],
    ["2026-05-11", "B8", "K4", "水光针", "注射科", "静安店", "900"],
]


def _groups(by: str) -> dict[str, int]:
    result = run_cli("cohorts", "--by", by, "--format", "json")
    assert result.exit_code == 0, result.output
    return {r["group"]: r["customers"] for r in json.loads(result.stdout)["retention"]}


def test_the_cohort_is_named_after_the_item_the_first_deal_day_nets_most_on(ws):
    assert run_cli("import", str(write_csv(ws / "收费.csv", ORDERS)), "--kind", "orders").exit_code == 0
    assert _groups("first_item") == {"肉毒素": 1, "水光针": 2, "光子嫩肤": 1}
    assert _groups("department") == {"注射科": 3, "光电科": 1}
    assert _groups("clinic") == {"徐汇店": 1, "静安店": 3}


def test_a_version_9_layer_gets_its_first_items_again_in_place(ws):
    from aesthetic_cli.warehouse import derived

    assert run_cli("import", str(write_csv(ws / "收费.csv", ORDERS)), "--kind", "orders").exit_code == 0
    con = _con(ws)
    try:
        # As version 9 filed them: the largest sale line, its refund ignored.
        con.execute(
            "UPDATE customer_deals SET first_item = '眼综合', first_department = '整形外科' WHERE customer_id = 'K1'"
        )
        con.execute("UPDATE layer_meta SET value = '9' WHERE key = 'version'")
        assert con.execute("SELECT count(*) FROM layer_meta WHERE key = 'version' AND value = '9'").fetchone() == (1,)
    finally:
        con.close()
    assert _groups("first_item") == {"肉毒素": 1, "水光针": 2, "光子嫩肤": 1}
    con = _con(ws)
    try:
        assert con.execute("SELECT value FROM layer_meta WHERE key = 'version'").fetchone() == (derived.LAYER_VERSION,)
    finally:
        con.close()
