"""Cards (SPEC §2): 不动卡 is a balance unused 180 days, so a card last used exactly 180 days before the date is
one and a card used 179 days before is not; 不续卡's 90 days read the same way. Dates by hand below."""

from __future__ import annotations

from datetime import date

from aesthetic_cli.metrics.customers import cards
from tests.conftest import load

CARD_HEAD = ["卡号", "顾客编号", "开卡日期", "充值金额", "赠送金额", "余额", "最后消费日期"]


def test_a_card_unused_exactly_180_days_is_dormant(con, ws):
    # As of 2025-10-31: 180 days before is 2025-05-04 (31 - 4 = 27 days of May, then 30 + 31 + 31 + 30 + 31 = 153
    # for June to October: 27 + 153 = 180), 179 days before is 2025-05-05; 90 days before is 2025-08-02.
    load(
        con,
        ws,
        cards=[
            CARD_HEAD,
            ["K1", "A", "2025-01-01", "1000", "0", "500", "2025-05-04"],
            ["K2", "B", "2025-01-01", "1000", "0", "300", "2025-05-05"],
            ["K3", "C", "2025-01-01", "1000", "0", "0", "2025-08-02"],
            ["K4", "D", "2025-01-01", "1000", "0", "0", "2025-08-03"],
        ],
    )
    s = cards(con, asof=date(2025, 10, 31)).tables["cards"].row(0, named=True)
    # K1 dormant (500); K2 not. K3 drained 90 days ago, never recharged since: 不续卡; K4 (89 days) not.
    assert (s["dormant_cards"], s["dormant_balance"], s["lapsed_cards"], s["empty_cards"]) == (1, 500, 1, 2)


def test_a_day_before_the_cards_export_is_refused_and_a_report_says_it_shows_the_snapshot(con, ws):
    """Balances are the export's: on 2025-03-31, K2 (opened 2025-06-01) did not exist and K1's balance is unknown.
    A day asked for before the file's last recorded day (2025-09-01) is refused, through the core and the CLI; a
    report of a past month shows the snapshot as of that day and says so."""
    import pytest

    from aesthetic_cli.errors import UsageError
    from tests.conftest import run_cli

    load(
        con,
        ws,
        cards=[
            CARD_HEAD,
            ["K1", "A", "2025-01-01", "1000", "0", "500", "2025-09-01"],
            ["K2", "B", "2025-06-01", "2000", "0", "2000", ""],
        ],
    )
    with pytest.raises(UsageError, match="up to 2025-09-01"):
        cards(con, asof=date(2025, 3, 31))
    # The snapshot's own day and any later one are answered; K1 last used 2025-09-01 is not dormant on 2025-09-01.
    assert cards(con, asof=date(2025, 9, 1)).tables["cards"].row(0, named=True)["liability"] == 2500
    past = cards(con, asof=date(2025, 3, 31), snapshot_if_earlier=True)
    assert past.meta["asof"] == date(2025, 9, 1)
    assert past.tables["cards"].row(0, named=True)["liability"] == 2500
    assert any("按 2025-09-01 计" in n.zh and "not as of 2025-03-31" in n.en for n in past.notes)
    con.close()
    r = run_cli("customers", "cards", "--date", "2025-03-31", "--lang", "zh")
    assert r.exit_code != 0 and "卡片记录到 2025-09-01" in r.stderr and "Traceback" not in r.output, r.output


def test_cards_exported_after_the_orders_are_shown_as_of_their_export_without_a_date(con, ws):
    """Orders end 2025-10-03, the cards file records a use on 2025-10-05: the plain command answers as of 10-05."""
    import json

    from tests.conftest import ORDER_HEAD, run_cli

    load(
        con,
        ws,
        orders=[ORDER_HEAD, ["2025-10-03", "A", "水光针", "1680", "微信", "甲"]],
        cards=[["卡号", "顾客编号", "充值金额", "余额", "最后消费日期"], ["K1", "A", "1000", "400", "2025-10-05"]],
    )
    con.close()
    r = run_cli("customers", "cards", "--format", "json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["meta"]["asof"] == "2025-10-05" and out["cards"][0]["liability"] == 400
