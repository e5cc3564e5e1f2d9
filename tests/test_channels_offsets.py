"""channels' acquisition sums (sql/channels.sql acquired_days: per channel and day since first_seen, from
order_days) held to the plain computation: the acquired customers' customer-days summed from the raw order
lines in Python, the period's sales, each horizon's sales and the payback day worked out customer-day by
customer-day. On the bundled sample, every clinic and none, several periods and horizons."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from aesthetic_cli.metrics.base import prepare
from aesthetic_cli.metrics.channels import channel_roi
from aesthetic_cli.metrics.periods import Period, month
from aesthetic_cli.warehouse import connect


@pytest.fixture(scope="module")
def sample(sample_db):
    con = connect(sample_db, read_only=True)
    yield con
    con.close()


def _plain(con, period: Period, clinic: str | None, horizons: tuple[int, ...]) -> dict[str, dict]:
    """Per channel: sales in the period, sales within each horizon, payback days, from the raw facts."""
    first = {
        cid: (channel, seen)
        for cid, channel, seen in con.execute("SELECT customer_id, channel, first_seen FROM customer_first").fetchall()
    }
    if clinic is not None:
        at_clinic = {
            r[0]
            for r in con.execute(
                "SELECT customer_id FROM visits WHERE clinic = $c "
                "UNION SELECT customer_id FROM orders WHERE clinic = $c",
                {"c": clinic},
            ).fetchall()
        }
    acquired = {
        cid: cs
        for cid, cs in first.items()
        if period.start <= cs[1] <= period.end and (clinic is None or cid in at_clinic)
    }
    days: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for cid, day, paid in con.execute(
        "SELECT customer_id, order_date, paid_amount FROM orders WHERE line_kind <> 'topup'"
    ).fetchall():
        if cid in acquired:
            days[(cid, day)] += paid
    spend: dict[str, Decimal] = defaultdict(Decimal)
    for channel, amount in con.execute(
        "SELECT channel, amount FROM spend WHERE period BETWEEN $s AND $e AND ($c IS NULL OR clinic = $c)",
        {"s": period.start, "e": period.end, "c": clinic},
    ).fetchall():
        spend[channel] += amount
    out: dict[str, dict] = {}
    for channel in {cs[0] for cs in acquired.values()}:
        rows = sorted(
            (day, net) for (cid, day), net in days.items() if acquired[cid][0] == channel and day >= acquired[cid][1]
        )
        seen = {cid: cs[1] for cid, cs in acquired.items() if cs[0] == channel}
        by_offset: dict[int, Decimal] = defaultdict(Decimal)
        for (cid, day), net in days.items():
            if cid in seen and day >= seen[cid]:
                by_offset[(day - seen[cid]).days] += net
        running, payback = Decimal(0), None
        for offset in sorted(by_offset):
            running += by_offset[offset]
            if spend[channel] > 0 and running >= spend[channel]:
                payback = offset
                break
        out[channel] = {
            "sales": float(sum((net for day, net in rows if period.start <= day <= period.end), Decimal(0))),
            **{
                f"sales_{h}d": float(
                    sum(
                        (
                            net
                            for (cid, day), net in days.items()
                            if cid in seen and seen[cid] <= day < seen[cid] + timedelta(days=h)
                        ),
                        Decimal(0),
                    )
                )
                for h in horizons
            },
            "payback_days": payback,
        }
    return out


PERIODS = [
    month(date(2025, 3, 1)),
    month(date(2025, 10, 1)),
    month(date(2026, 6, 1)),
    Period(date(2025, 1, 10), date(2025, 4, 20), "range"),
]


@pytest.mark.parametrize("clinic", [None, "静安店", "浦东店"])
def test_acquired_sums_equal_the_plain_computation(sample, clinic):
    horizons = (7, 30, 90, 180)
    last = prepare(sample).last_day
    checked = 0
    for period in PERIODS:
        ours = channel_roi(sample, period, horizons=horizons, clinic=clinic).tables["channels"]
        plain = _plain(sample, period, clinic, horizons)
        complete = [h for h in horizons if period.end + timedelta(days=h - 1) <= last]
        for r in ours.iter_rows(named=True):
            want = plain.get(r["channel"])
            if want is None:  # a channel with spend or leads but nobody acquired: nothing summed
                assert r["sales"] == 0.0 and all(r[f"sales_{h}d"] in (None, 0.0) for h in horizons), r
                continue
            assert r["sales"] == want["sales"], (period, r["channel"])
            for h in complete:
                assert r[f"sales_{h}d"] == want[f"sales_{h}d"], (period, r["channel"], h)
            assert r["payback_days"] == want["payback_days"], (period, r["channel"])
            checked += 1
        assert set(plain) <= set(ours["channel"].to_list())
    assert checked > 10


# A hand world (October 2025). Of a clinic, the days after first_seen are those of its own order lines, as its
# arrivals and buyers are (indep7 D1: every clinic's days counted for a customer who came there once).
HAND_ORDERS = [
    ["收费日期", "顾客编号", "项目", "实收金额", "支付方式", "咨询师", "门店"],
    # A: first seen 10-03 at 静安店 (1000); 10-20 at 浦东店 (500, day 17); 11-15 at 浦东店 (300, day 43).
    ["2025-10-03", "A", "水光针", "1000", "微信", "甲", "静安店"],
    ["2025-10-20", "A", "光子", "500", "微信", "乙", "浦东店"],
    ["2025-11-15", "A", "光子", "300", "微信", "乙", "浦东店"],
    # B: only at 浦东店, 10-10 (2000): acquired, but not 静安店's.
    ["2025-10-10", "B", "水光针", "2000", "微信", "乙", "浦东店"],
    # C: first seen 09-20, before the period: not acquired in October.
    ["2025-09-20", "C", "水光针", "400", "微信", "甲", "静安店"],
    ["2025-10-05", "C", "水光针", "100", "微信", "甲", "静安店"],
    # D: 10-25 a sale and its refund (nets 0), then 12-01 (250, day 37).
    ["2025-10-25", "D", "水光针", "600", "微信", "甲", "静安店"],
    ["2025-10-25", "D", "水光针", "-600", "微信", "甲", "静安店"],
    ["2025-12-01", "D", "光子", "250", "微信", "甲", "静安店"],
    # E: the data's last day 2026-03-01, so that October's 90 days (to 2026-01-28) are complete.
    ["2026-03-01", "E", "光子", "100", "微信", "甲", "静安店"],
]


def test_acquired_customers_days_at_every_clinic(con, ws):
    import json

    from aesthetic_cli.metrics.periods import parse_month
    from tests.conftest import load, run_cli

    load(con, ws, orders=HAND_ORDERS)
    oct_ = parse_month("2025-10")

    def totals(clinic):
        t = channel_roi(con, oct_, horizons=(30, 90), clinic=clinic).tables["channels"]
        return sum(t["sales"]), sum(t["sales_30d"]), sum(t["sales_90d"])

    # 静安店: A and D, at 静安店. Period: A 1000 (its 10-20 was at 浦东店), D 0 = 1000; 30 days: 1000; 90 days:
    # A 1000, D 0 + 250 = 1250.
    assert totals("静安店") == (1000.0, 1000.0, 1250.0)
    # Every clinic: B's 2000 besides.
    assert totals(None) == (3500.0, 3500.0, 4050.0)
    con.close()  # the CLI opens the warehouse itself
    out = run_cli("channels", "--month", "2025-10", "--clinic", "静安店", "--horizon", "30,90", "--format", "json")
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)["channels"]
    assert (sum(r["sales"] for r in rows), sum(r["sales_90d"] or 0 for r in rows)) == (1000.0, 1250.0)
