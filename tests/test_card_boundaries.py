"""Cards (SPEC §2): 不动卡 is a balance unused 180 days, so a card last used exactly 180 days before the date is
one and a card used 179 days before is not; 不续卡's 90 days read the same way. Dates by hand below."""

from __future__ import annotations

from datetime import date

from aesthetic_cli.metrics.customers import cards
from tests.conftest import load


def test_a_card_unused_exactly_180_days_is_dormant(con, ws):
    # As of 2025-10-31: 180 days before is 2025-05-04 (31 - 4 = 27 days of May, then 30 + 31 + 31 + 30 + 31 = 153
    # for June to October: 27 + 153 = 180), 179 days before is 2025-05-05; 90 days before is 2025-08-02.
    load(
        con,
        ws,
        cards=[
            ["卡号", "顾客编号", "开卡日期", "充值金额", "赠送金额", "余额", "最后消费日期"],
            ["K1", "A", "2025-01-01", "1000", "0", "500", "2025-05-04"],
            ["K2", "B", "2025-01-01", "1000", "0", "300", "2025-05-05"],
            ["K3", "C", "2025-01-01", "1000", "0", "0", "2025-08-02"],
            ["K4", "D", "2025-01-01", "1000", "0", "0", "2025-08-03"],
        ],
    )
    s = cards(con, asof=date(2025, 10, 31)).tables["cards"].row(0, named=True)
    # K1 dormant (500); K2 not. K3 drained 90 days ago, never recharged since: 不续卡; K4 (89 days) not.
    assert (s["dormant_cards"], s["dormant_balance"], s["lapsed_cards"], s["empty_cards"]) == (1, 500, 1, 2)
