"""A large import builds the semantic layer in full, a small one refreshes only the customers it touched
(derived.refresh's choice by the batches' share of the fact rows, FULL_BUILD_SHARE); either way the layer
is the one a rebuild from the facts gives."""

from __future__ import annotations

import pytest

from aesthetic_cli.importer.load import import_file
from aesthetic_cli.warehouse import connect, derived
from tests.conftest import ORDER_HEAD, layer_rows, run_cli, write_csv

# Eight lines: a top-up and a card-paid item (A), a refund (B), repeat buys of one item (gaps), a customer
# first seen on an order before any visit (D).
ORDERS = [
    ORDER_HEAD,
    ["2025-08-20", "D", "玻尿酸", "4800", "支付宝", "张三"],
    ["2025-10-02", "A", "储值卡充值", "10000", "微信", "张三"],
    ["2025-10-02", "A", "光子嫩肤", "8000", "储值卡", "张三"],
    ["2025-10-05", "B", "水光针", "3000", "微信", "李四"],
    ["2025-10-20", "D", "水光针", "1000", "微信", "张三"],
    ["2025-11-03", "B", "水光针", "-1000", "微信", "李四"],
    ["2025-11-20", "D", "水光针", "1200", "微信", "张三"],
    ["2025-12-20", "A", "水光针", "1500", "微信", "张三"],
]
VISITS = [
    ["到院日期", "顾客编号", "就诊类型", "渠道", "现场咨询师"],
    ["2025-08-01", "D", "", "抖音", "王五"],
    ["2025-10-06", "C", "初诊", "新氧", "李四"],
]
TREATMENTS = [
    ["治疗日期", "顾客编号", "项目", "消耗金额"],
    *[[f"2025-10-{d:02d}", "A", "光子嫩肤", "1000"] for d in range(2, 10)],
]
DAY = [ORDER_HEAD, ["2025-12-21", "C", "水光针", "2600", "微信", "李四"]]


@pytest.fixture
def paths(monkeypatch):
    """Which path each refresh took, in order: the real functions run, wrapped."""
    taken: list[str] = []
    full, scoped = derived._rebuild_all, derived._refresh_scope

    def spy_full(con):
        taken.append("full")
        full(con)

    def spy_scoped(con, ids):
        taken.append("scoped")
        scoped(con, ids)

    monkeypatch.setattr(derived, "_rebuild_all", spy_full)
    monkeypatch.setattr(derived, "_refresh_scope", spy_scoped)
    return taken


def test_the_batches_share_of_the_facts_decides(con, ws, paths):
    # Shares worked out by hand (rows the batch brought / fact rows after it, over orders, visits,
    # treatments and leads), against FULL_BUILD_SHARE 0.4:
    steps = [
        ("orders.csv", ORDERS, "full"),  # 8 / 8: a first import
        ("visits.csv", VISITS, "scoped"),  # 2 / 10
        ("treatments.csv", TREATMENTS, "full"),  # 8 / 18 = 0.44
        ("day.csv", DAY, "scoped"),  # 1 / 19
    ]
    assert derived.FULL_BUILD_SHARE == 0.4
    for name, rows, expected in steps:
        paths.clear()
        import_file(con, write_csv(ws / name, rows), clinic="本院")
        assert paths == [expected], name
        # Either way, the layer a rebuild from the facts gives.
        after = layer_rows(con)
        derived.rebuild(con)
        assert layer_rows(con) == after, name


def test_through_the_cli_a_first_import_builds_in_full_and_one_more_day_is_scoped(ws, paths):
    connect(ws / "aesops.duckdb").close()  # a new warehouse's (empty) layer is built when it is created
    paths.clear()
    assert run_cli("import", str(write_csv(ws / "orders.csv", ORDERS))).exit_code == 0
    assert paths == ["full"]
    assert run_cli("import", str(write_csv(ws / "day.csv", DAY))).exit_code == 0
    assert paths == ["full", "scoped"]
    con = connect(ws / "aesops.duckdb")
    try:
        # C's order (2,600 on 12-21) reached the layer: C's first deal, and the day's net.
        assert (
            con.execute("SELECT first_deal, deal_sales FROM customer_deals WHERE customer_id = 'C'").fetchone()[1]
            == 2600
        )
        after = layer_rows(con)
        derived.rebuild(con)
        assert layer_rows(con) == after
    finally:
        con.close()


def test_a_large_import_gives_the_same_warehouse_by_either_path(ws, monkeypatch):
    # One warehouse refreshed in full after every import, one always through the scoped path (even a first
    # import into an empty warehouse); after each import the two hold the same layer, table for table, and
    # the same coverage.
    full_db, scoped_db = connect(ws / "full.duckdb"), connect(ws / "scoped.duckdb")
    leads = [
        ["咨询日期", "渠道", "预约日期", "顾客编号"],
        ["2025-09-30", "小红书", "2025-10-06", "C"],
        ["2025-07-01", "美团", "", "D"],
    ]
    try:
        for name, rows in [
            ("orders.csv", ORDERS),
            ("visits.csv", VISITS),
            ("leads.csv", leads),
            ("treatments.csv", TREATMENTS),
            ("day.csv", DAY),
        ]:
            path = write_csv(ws / name, rows)
            for db, share in ((full_db, 0.0), (scoped_db, 2.0)):
                monkeypatch.setattr(derived, "FULL_BUILD_SHARE", share)
                import_file(db, path, clinic="本院")
            assert layer_rows(scoped_db) == layer_rows(full_db), name
            meta = "SELECT key, value FROM layer_meta ORDER BY key"
            assert scoped_db.execute(meta).fetchall() == full_db.execute(meta).fetchall(), name
        # By hand, at the end: C first seen on the 10-06 visit through 新氧 (the visit's channel comes before
        # the lead's), first deal 12-21.
        row = "SELECT first_seen::VARCHAR, channel FROM customer_first WHERE customer_id = 'C'"
        assert full_db.execute(row).fetchone() == ("2025-10-06", "新氧")
    finally:
        full_db.close()
        scoped_db.close()


def test_a_lead_gives_the_channel_only_when_nothing_else_does(ws, monkeypatch):
    # A customer's acquisition channel: the record's source channel, else the first visit's channel, else the
    # earliest lead's (by customer number, or linked by phone), else unknown. By hand:
    # - P has no source channel and no visit: the phone-linked lead of 09-01 (小红书) is earlier than P's own
    #   numbered lead of 09-05 (美团): 小红书;
    # - S has a source channel (抖音): S's lead (新氧) does not count;
    # - V has no record and a visit through 大众点评: the visit's channel comes before V's lead (美团);
    # - N has neither record, visit nor lead: unknown.
    files = [
        (
            "customers.csv",
            [
                ["顾客编号", "姓名", "手机号", "来源渠道"],
                ["P", "王小美", "13812345678", ""],
                ["S", "李四", "13900001111", "抖音"],
            ],
        ),
        (
            "leads.csv",
            [
                ["咨询日期", "渠道", "手机号", "顾客编号"],
                ["2025-09-01", "小红书", "13812345678", ""],
                ["2025-09-05", "美团", "", "P"],
                ["2025-09-02", "新氧", "", "S"],
                ["2025-09-03", "美团", "", "V"],
            ],
        ),
        ("visits.csv", [["到院日期", "顾客编号", "就诊类型", "渠道"], ["2025-10-01", "V", "初诊", "大众点评"]]),
        (
            "orders.csv",
            [
                ORDER_HEAD,
                *[
                    [f"2025-10-{d:02d}", c, "水光针", "1000", "微信", "李四"]
                    for d, c in ((2, "P"), (3, "S"), (4, "V"), (5, "N"))
                ],
            ],
        ),
    ]
    expected = {"P": "小红书", "S": "抖音", "V": "大众点评", "N": "unknown"}
    for db_name, share in (("full.duckdb", 0.0), ("scoped.duckdb", 2.0)):
        monkeypatch.setattr(derived, "FULL_BUILD_SHARE", share)
        db = connect(ws / db_name)
        try:
            for name, rows in files:
                import_file(db, write_csv(ws / name, rows), clinic="本院")
            assert dict(db.execute("SELECT customer_id, channel FROM customer_first").fetchall()) == expected, db_name
        finally:
            db.close()
