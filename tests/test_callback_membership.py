"""The call-back list (customers reactivate, and the monthly report's) is the overdue customers of SPEC §2 ("a
reactivation list of customers overdue against the median repurchase interval of the items they bought"),
ranked by value at risk ("not by past sales alone"), then lifetime sales, then customer_id. On a world built by
hand: who is overdue is worked out below from the dates, not by the code; the values at risk are recomputed from
the fitted parameters the result reports (BG/NBD's P(alive) and E[deals | alive], Gamma-Gamma's closed form).
Both paths: as of the data's last day for every clinic (customer_deals as it stands), and as of an earlier day or
for a clinic (the overdue customers kept from their last deal's items)."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pytest

from aesthetic_cli.importer.load import import_file
from aesthetic_cli.metrics import clv_models as cm
from aesthetic_cli.metrics.customers import reactivate
from tests.conftest import ORDER_HEAD, run_cli, write_csv

LAST = date(2025, 12, 31)
EARLIER = date(2025, 9, 30)
D = timedelta

# 水光针 repeats; 玻尿酸 never does (no interval: it makes nobody overdue). The gaps between a customer's
# purchases of 水光针: R01..R12, R15, R16 60 days each, R13 and R14 two of 60 each, L01 and L02 198 days: 20 gaps,
# the 10th and 11th are 60, so the median interval is 60 days. A customer is overdue as of day t when their last deal
# day d (with 水光针) has d + 60 < t.
#
# R01..R08: 1,000 on 2025-03-01 + 7(k−1) days, then B[k] 60 days later (last deal 04-30 .. 06-18, due 06-29 ..
#   08-17): overdue as of 09-30 and 12-31, one repeat each, so a value at risk above 0.
# R09..R12: 10-02 + (k−9) days, then 60 days later (last 12-01 .. 12-04, due 2026-01-30 ..): repeat customers with
#   value at risk, not overdue as of 12-31, no deal at all by 09-30.
# R16: 1,000 on 09-01 and 1,700 on 10-31 (due 12-30): overdue as of 12-31, by a day. R15: 1,000 on 09-02 and 600
#   on 11-01 (due 12-31): not overdue as of 12-31 (due on the day, not before it). As of 09-30 each has one deal day
#   (due 10-31 / 11-01): not overdue.
# R13, R14: 07-20 / 07-21, 60 and 120 days later (last 11-17 / 11-18, due 2026-01-16 / 17): not overdue as of
#   12-31; as of 09-30 one repeat (09-17 / 09-18, due 11-16 / 17): not overdue either (they make the ten repeat
#   customers the fits need by 09-30).
# L01, L02: 05-01 / 05-02, then 198 days later (11-15 / 11-16, due 2026-01-14 / 15): not overdue as of 12-31. As of
#   09-30 they have one deal day (05-01 / 05-02, due 06-30 / 07-01): overdue with a single deal day.
# S01..S20: one 水光针 on 07-01 + (k−1) days (due 08-30 .. 09-18): overdue as of 09-30 and 12-31, single deal day.
#   Lifetime sales 100·k, but S05 2,000 (tied with S20) and S03 3,000 less a refund of 2,700 on 08-15 (a day that
#   nets below zero, no deal): 300.
# M01: 玻尿酸 5,000 and 水光针 600 on 06-20 (due 08-19 by its 水光针): overdue, single, lifetime 5,600.
# S21..S25: one 水光针 on 12-10 .. 12-14 (due in February): not overdue. G01..G05: 玻尿酸 only: never overdue.
# Z: 玻尿酸 on 12-31, the data's last day.
# P001..P150 give the models a population to fit (the hand-made customers alone leave BG/NBD unconverged): drawn
#   with a fixed seed as BG/NBD pictures customers (purchases of 光子 at exponential gaps, a drop-out chance after
#   each), all before 2025-09-01, each ending with a day of 玻尿酸 alone the day after their last: their last deal
#   day holds 玻尿酸 only, so they are never overdue, whatever 光子's interval.
# Clinics (their record and their orders): 西店 R07, R08, S19..S25, G01..G05, Z; 东店 the others (31 customers,
# 14 with a repeat: enough for both fits).
B = {1: 800, 2: 3000, 3: 1200, 4: 500, 5: 2500, 6: 900, 7: 1500, 8: 2000}
# The overdue repeat customers' first deal day and average repeat value (their one repeat's amount).
REPEAT = {f"R{k:02}": (date(2025, 3, 1) + D(7 * (k - 1)), B[k]) for k in B} | {"R16": (date(2025, 9, 1), 1700)}
WEST = {"R07", "R08", "S19", "S20", "S21", "S22", "S23", "S24", "S25", "G01", "G02", "G03", "G04", "G05", "Z"}


def _orders() -> list[list[str]]:
    rows: list[tuple[date, str, str, int]] = []
    for cid, (first, repeat) in REPEAT.items():
        rows += [(first, cid, "水光针", 1000), (first + D(60), cid, "水光针", repeat)]
    rows += [(date(2025, 9, 2), "R15", "水光针", 1000), (date(2025, 11, 1), "R15", "水光针", 600)]
    for k in range(9, 13):
        first = date(2025, 10, 2) + D(k - 9)
        rows += [(first, f"R{k:02}", "水光针", 700 + 100 * k), (first + D(60), f"R{k:02}", "水光针", 900)]
    for cid, first in (("R13", date(2025, 7, 20)), ("R14", date(2025, 7, 21))):
        rows += [(first + D(60 * i), cid, "水光针", 1000 + 100 * i) for i in range(3)]
    for cid, first, amount in (("L01", date(2025, 5, 1), 4000), ("L02", date(2025, 5, 2), 1500)):
        rows += [(first, cid, "水光针", amount), (first + D(198), cid, "水光针", 100)]
    for k in range(1, 21):
        amount = {3: 3000, 5: 2000}.get(k, 100 * k)
        rows.append((date(2025, 7, 1) + D(k - 1), f"S{k:02}", "水光针", amount))
    rows.append((date(2025, 8, 15), "S03", "水光针", -2700))
    rows += [(date(2025, 6, 20), "M01", "玻尿酸", 5000), (date(2025, 6, 20), "M01", "水光针", 600)]
    rows += [(date(2025, 12, 10) + D(k - 21), f"S{k:02}", "水光针", 300) for k in range(21, 26)]
    rows += [(date(2025, 6, 1) + D(k - 1), f"G{k:02}", "玻尿酸", 4000) for k in range(1, 6)]
    rows.append((LAST, "Z", "玻尿酸", 4000))
    rng = random.Random(11)
    for k in range(1, 151):
        day, rate, drop = date(2024, 1, 1) + D(rng.randrange(420)), rng.uniform(20, 150), rng.uniform(0.05, 0.6)
        while True:
            rows.append((day, f"P{k:03}", "光子", rng.randrange(300, 3000)))
            gap = D(1 + int(rng.expovariate(1 / rate)))
            if rng.random() < drop or day + gap + D(1) >= date(2025, 9, 1):
                break
            day += gap
        rows.append((day + D(1), f"P{k:03}", "玻尿酸", 3000))
    clinic = {cid: ("西店" if cid in WEST else "东店") for _, cid, _, _ in rows}
    head = [[*ORDER_HEAD, "门店"]]
    return head + [[d.isoformat(), cid, item, str(a), "微信", "甲", clinic[cid]] for d, cid, item, a in rows]


@pytest.fixture
def world(con, ws):
    orders = _orders()
    import_file(con, write_csv(ws / "orders.csv", orders), clinic=None)
    people = sorted({r[1] for r in orders[1:]})
    records = [["顾客编号", "姓名", "手机号", "门店"]] + [
        [cid, f"客{cid}", f"1380000{i:04}", "西店" if cid in WEST else "东店"] for i, cid in enumerate(people)
    ]
    import_file(con, write_csv(ws / "customers.csv", records), clinic=None)
    return con


# The singles' order by lifetime sales, highest first, equal sales by customer_id (worked out from the amounts).
SINGLES_LAST = ["M01", "S05", "S20", "S19", "S18", "S17", "S16", "S15", "S14", "S13", "S12", "S11", "S10"]
SINGLES_LAST += ["S09", "S08", "S07", "S06", "S04", "S03", "S02", "S01"]
# As of 09-30: L01 (4,000) after M01; L02 (1,500) ties S15 and comes first by id.
SINGLES_EARLIER = ["M01", "L01", "S05", "S20", "S19", "S18", "S17", "S16", "L02", "S15", "S14", "S13", "S12"]
SINGLES_EARLIER += ["S11", "S10", "S09", "S08", "S07", "S06", "S04", "S03", "S02", "S01"]
# 东店 as of 12-31: without R07, R08, S19, S20.
SINGLES_EAST = [c for c in SINGLES_LAST if c not in WEST]


def _risk_by_hand(meta: dict, until: date, repeat: list[str]) -> dict[str, float]:
    """Each repeat customer's value at risk from the reported parameters: one repeat, recency 60 days, age from the
    first deal day to `until` (weeks), average repeat value REPEAT's: (1 − P(alive)) × E[deals in 180 days | alive] ×
    p (v + x·mx) / (p x + q − 1)."""
    m = cm.BGNBD(*(meta["model"][k] for k in ("r", "alpha", "a", "b")), 0.0, 0, 0)
    gg = meta["gamma_gamma"]
    out = {}
    for cid in repeat:
        first, repeat_value = REPEAT[cid]
        x, t_x, T = [1.0], [60 / 7], [(until - first).days / 7]
        alive = cm.p_alive(m, x, t_x, T)[0]
        if_alive = cm.expected_deals_if_alive(m, 180 / 7, x, t_x, T)[0]
        value = gg["p"] * (gg["v"] + repeat_value) / (gg["p"] + gg["q"] - 1)
        out[cid] = (1 - alive) * if_alive * value
    return out


def _check(r, until: date, repeat: list[str], singles: list[str], limit: int) -> None:
    risk = _risk_by_hand(r.meta, until, repeat)
    assert all(v > 0 for v in risk.values())
    by_risk = sorted(repeat, key=lambda c: -risk[c])
    listed = r.tables["reactivate"]
    assert listed["customer_id"].to_list() == (by_risk + singles)[:limit]
    got = dict(zip(listed["customer_id"], listed["value_at_risk"], strict=True))
    for cid in by_risk[:limit]:
        assert got[cid] == pytest.approx(risk[cid], rel=1e-9), cid
    assert all(got[c] == 0 for c in singles[: max(0, limit - len(repeat))])
    assert listed["overdue"].all() and listed["due_date"].is_not_null().all()
    assert r.meta["overdue_customers"] == len(repeat) + len(singles)
    assert r.meta["customers_at_risk"] == len(repeat)
    assert r.meta["value_at_risk_total"] == pytest.approx(sum(risk.values()), rel=1e-9)


def test_the_premise_the_interval_is_60_days(world):
    assert world.execute("SELECT median_interval_days FROM item_intervals WHERE item = '水光针'").fetchone()[0] == 60


def test_last_day_lists_the_overdue_by_value_at_risk_then_the_singles_by_lifetime_sales(world):
    # Current path. Overdue as of 12-31: R01..R08, R16 (value at risk), then the 21 singles; R09..R12, R15 and L01,
    # L02 are repeat customers with value at risk but not overdue: not listed.
    repeat = [*(f"R{k:02}" for k in range(1, 9)), "R16"]
    for limit in (50, 10, 3):
        r = reactivate(world, limit=limit)
        assert r.meta["asof"] == LAST and r.meta["ranking"] == "value_at_risk"
        _check(r, LAST, repeat, SINGLES_LAST, limit)
    # After the data's last day (a month in progress asks as of its end): the same path, fitted up to 12-31.
    # 2026-01-20: R09..R12 (due 01-30 ..), L01, L02 (due 01-14 / 01-15) and R13, R14 (01-16 / 01-17): L01, L02,
    # R13, R14 overdue now, and R15; not R09..R12; S21..S25 (due 02-08 ..) not yet.
    r = reactivate(world, asof=date(2026, 1, 20), limit=50)
    ids = r.tables["reactivate"]["customer_id"].to_list()
    assert set(ids) == set(repeat) | set(SINGLES_LAST) | {"L01", "L02", "R13", "R14", "R15"}
    assert r.meta["customers_at_risk"] == 14 and r.meta["overdue_customers"] == 35
    assert ids[14:] == SINGLES_LAST  # the fourteen with value at risk first


def test_an_earlier_day_and_a_clinic_take_the_general_path(world):
    # As of 09-30: fitted up to 09-30; L01 and L02 have a single deal day and are overdue.
    _check(reactivate(world, asof=EARLIER, limit=50), EARLIER, [f"R{k:02}" for k in range(1, 9)], SINGLES_EARLIER, 50)
    _check(reactivate(world, asof=EARLIER, limit=12), EARLIER, [f"R{k:02}" for k in range(1, 9)], SINGLES_EARLIER, 12)
    # 东店 as of 12-31: R01..R06, R16, then its singles; R07, R08, S19, S20 are 西店's.
    r = reactivate(world, clinic="东店", limit=50)
    _check(r, LAST, [*(f"R{k:02}" for k in range(1, 7)), "R16"], SINGLES_EAST, 50)


def test_through_the_cli(world, ws):
    world.close()  # the CLI opens the warehouse itself

    def listed(*args: str) -> tuple[list[str], dict]:
        res = run_cli("customers", "reactivate", "--format", "json", *args)
        assert res.exit_code == 0, res.output
        out = json.loads(res.stdout)
        return [x["customer_id"] for x in out["reactivate"]], out["meta"]

    ids, meta = listed("--limit", "50")
    assert sorted(ids[:9]) == [*(f"R{k:02}" for k in range(1, 9)), "R16"] and ids[9:] == SINGLES_LAST
    assert (meta["overdue_customers"], meta["customers_at_risk"]) == (30, 9)
    ids, meta = listed("--date", EARLIER.isoformat(), "--limit", "50")
    assert sorted(ids[:8]) == [f"R{k:02}" for k in range(1, 9)] and ids[8:] == SINGLES_EARLIER
    assert (meta["overdue_customers"], meta["customers_at_risk"]) == (31, 8)
    ids, meta = listed("--clinic", "东店", "--limit", "9")
    assert sorted(ids[:7]) == [*(f"R{k:02}" for k in range(1, 7)), "R16"] and ids[7:] == SINGLES_EAST[:2]
    assert (meta["overdue_customers"], meta["customers_at_risk"]) == (7 + len(SINGLES_EAST), 7)
    # The notes say what the list is and where the single-deal customers go (English under LANG=en_US).
    assert "overdue customers" in meta["notes"][0] and "by lifetime sales" in meta["notes"][1]


def test_a_clinic_s_list_takes_its_customers_by_an_order_there_without_customer_records(ws):
    """--clinic takes a customer of the clinic by their record or an order there, as rfm and predict do. With the
    order lines alone (no 顾客档案 file: no record names a clinic), the record-only test listed nobody."""
    orders = _orders()
    write_csv(ws / "orders.csv", orders)
    assert run_cli("import", str(ws / "orders.csv")).exit_code == 0
    head, lines = orders[0], orders[1:]
    at_east = {r[head.index("顾客编号")] for r in lines if r[head.index("门店")] == "东店"}

    def listed(*clinic: str) -> tuple[dict, set[str]]:
        r = run_cli("customers", "reactivate", "--limit", "1000", *clinic, "--format", "json")
        assert r.exit_code == 0, r.output
        out = json.loads(r.stdout)
        return out["meta"], {row["customer_id"] for row in out["reactivate"]}

    whole_meta, whole = listed()
    east_meta, east = listed("--clinic", "东店")
    # The overdue customers are the same people whichever fit ranks them: the clinic's are those with an order there.
    assert east == whole & at_east and east, (len(east), len(whole & at_east))
    assert east_meta["overdue_customers"] == len(east) < whole_meta["overdue_customers"]
