"""Simulate clinics month by month: leads arrive, consultants close or lose them, customers come
back on their items' cycles, top up cards, get refunds. Deterministic for a seed."""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from aesthetic_cli.sample import model as m

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "静婷丽娜敏燕芳霞雪琳颖倩洁晶悦欣怡萱璐妍彤佳雯蕾薇媛瑶琪晨曦岚月瑾涵梦诗雨思可欢"


@dataclass
class World:
    clinics: tuple[str, ...]
    start: date
    end: date
    customers: list[dict] = field(default_factory=list)
    leads: list[dict] = field(default_factory=list)
    visits: list[dict] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)
    treatments: list[dict] = field(default_factory=list)
    spend: list[dict] = field(default_factory=list)
    cards: list[dict] = field(default_factory=list)
    copies: int = 1  # the fast path writes this many tiled copies of the lists above


def month_starts(start: date, end: date):
    d = start.replace(day=1)
    while d <= end:
        yield d
        d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)


class Simulator:
    def __init__(self, seed: int, clinics: int, months: int, end: date, volume: float):
        if not 1 <= clinics <= len(m.CLINIC_NAMES):
            raise ValueError(f"clinics must be 1..{len(m.CLINIC_NAMES)}")
        self.rng = random.Random(seed)
        self.volume = volume
        start = end.replace(day=1)
        for _ in range(months - 1):
            start = (start - timedelta(days=1)).replace(day=1)
        self.world = World(clinics=m.CLINIC_NAMES[:clinics], start=start, end=end)
        self._customer_seq = 0
        self._order_seq = 0
        self._phones: set[str] = set()
        self._buyers: dict[str, list[str]] = {c: [] for c in self.world.clinics}
        self._item_weights = [i.weight for i in m.ITEMS]

    # --- helpers -----------------------------------------------------------------------
    def _poisson(self, lam: float) -> int:
        # Knuth for small lambda, normal approximation above: deterministic and dependency-free.
        if lam <= 0:
            return 0
        if lam > 40:
            return max(0, round(self.rng.gauss(lam, lam**0.5)))
        limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def _pick(self, pairs):
        r, acc = self.rng.random() * sum(w for _, w in pairs), 0.0
        for value, w in pairs:
            acc += w
            if r <= acc:
                return value
        return pairs[-1][0]

    def _day_in(self, month: date) -> date:
        days = calendar.monthrange(month.year, month.month)[1]
        return month + timedelta(days=self.rng.randrange(days))

    def _phone(self) -> str:
        while True:
            p = "1" + self.rng.choice("3456789") + "".join(self.rng.choice("0123456789") for _ in range(9))
            if p not in self._phones:
                self._phones.add(p)
                return p

    def _name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def _season(self, clinic: str, month: date) -> float:
        s = m.SEASON[month.month]
        return s * (m.ANNIVERSARY_LIFT if m.ANNIVERSARY.get(clinic) == month.month else 1.0)

    # --- the simulation ----------------------------------------------------------------
    def run(self) -> World:
        w = self.world
        for month in month_starts(w.start, w.end):
            for clinic in w.clinics:
                season = self._season(clinic, month)
                for ch in m.CHANNELS:
                    self._channel_month(clinic, ch, month, season)
        w.orders.sort(key=lambda o: (o["order_date"], o["order_id"]))
        w.visits.sort(key=lambda v: (v["visit_date"], v["customer_id"]))
        w.leads.sort(key=lambda x: x["lead_date"])
        w.treatments.sort(key=lambda t: (t["treatment_date"], t["customer_id"]))
        return w

    def _channel_month(self, clinic: str, ch: m.Channel, month: date, season: float) -> None:
        rng = self.rng
        n_leads = self._poisson(ch.leads_per_month * season * self.volume)
        online = m.ONLINE[clinic]
        for _ in range(n_leads):
            lead_date = self._day_in(month)
            if lead_date > self.world.end:
                continue
            phone, name = self._phone(), self._name()
            oc = rng.choice(online)
            appointed = rng.random() < ch.appointment_rate
            appt = lead_date + timedelta(days=rng.randrange(0, 12)) if appointed else None
            arrived = appt is not None and rng.random() < ch.arrival_given_appointment and appt <= self.world.end
            cid = (
                self._new_customer(clinic, ch.name, appt if arrived else lead_date, phone, name, None)
                if arrived
                else None
            )
            self.world.leads.append(
                {
                    "lead_date": lead_date,
                    "channel": ch.name,
                    "online_consultant": oc,
                    "phone": phone,
                    "name": name,
                    "customer_id": cid,
                    "appointment_date": appt,
                    "arrived": bool(arrived),
                    "clinic": clinic,
                }
            )
            if arrived and appt is not None:
                self._journey(clinic, cid, ch, appt, oc)
        for _ in range(self._poisson(ch.walk_ins_per_month * season * self.volume)):
            d = self._day_in(month)
            if d > self.world.end:
                continue
            referrer = None
            if ch.name == "老带新" and self._buyers[clinic]:
                referrer = rng.choice(self._buyers[clinic])
            cid = self._new_customer(clinic, ch.name, d, self._phone(), self._name(), referrer)
            self._journey(clinic, cid, ch, d, None)
        if ch.cost_per_lead > 0:
            amount = n_leads * ch.cost_per_lead * rng.uniform(0.9, 1.1)
            self.world.spend.append(
                {
                    "period": month,
                    "channel": ch.name,
                    "amount": round(amount, -1),
                    "clinic": clinic,
                    "impressions": int(amount * rng.uniform(25, 40)),
                    "clicks": int(amount * rng.uniform(0.4, 0.8)),
                    "inquiries": int(n_leads * rng.uniform(1.4, 2.2)),
                }
            )

    def _new_customer(self, clinic, channel, when, phone, name, referrer) -> str:
        self._customer_seq += 1
        code = {"静安店": "JA", "浦东店": "PD", "徐汇店": "XH", "南山店": "NS"}[clinic]
        cid = f"{code}{self._customer_seq:06d}"
        self.world.customers.append(
            {
                "customer_id": cid,
                "name": name,
                "phone": phone,
                "gender": "女" if self.rng.random() < 0.88 else "男",
                "birth_date": date(self.rng.randint(1970, 2004), self.rng.randint(1, 12), self.rng.randint(1, 28)),
                "registered_at": when,
                "source_channel": channel,
                "referrer_id": referrer,
                "owner_consultant": None,
                "member_level": "普通会员",
                "clinic": clinic,
            }
        )
        return cid

    def _journey(self, clinic, cid, ch: m.Channel, first_day: date, online: str | None) -> None:
        rng, end = self.rng, self.world.end
        consultant = rng.choice(m.CONSULTANTS[clinic])
        self.world.customers[-1]["owner_consultant"] = consultant.name
        intent = self._choose_item()
        close = min(0.9, m.BASE_CLOSE_NEW * consultant.close * ch.quality)
        visit = {
            "visit_date": first_day,
            "customer_id": cid,
            "visit_type": "初诊",
            "channel": ch.name,
            "consultant": consultant.name,
            "online_consultant": online,
            "department": intent.department,
            "intended_item": intent.name,
            "no_deal_reason": None,
            "clinic": clinic,
        }
        self.world.visits.append(visit)
        state = {"balance": 0.0, "card": None}
        day = first_day
        if rng.random() >= close:
            visit["no_deal_reason"] = self._pick(m.NO_DEAL_REASONS)
            # Some come back within weeks and decide then.
            if rng.random() > 0.25:
                return
            day = first_day + timedelta(days=rng.randint(5, 45))
            if day > end:
                return
            self.world.visits.append({**visit, "visit_date": day, "visit_type": "复诊", "no_deal_reason": None})
            if rng.random() > 0.55:
                self.world.visits[-1]["no_deal_reason"] = self._pick(m.NO_DEAL_REASONS)
                return
        last_item = self._deal(clinic, cid, consultant, ch, day, intent, state, first=True)
        self._buyers[clinic].append(cid)
        p_return = min(0.92, m.BASE_RETURN * consultant.loyalty * ch.loyalty)
        while rng.random() < p_return:
            cycle = last_item.cycle_days or rng.choice((90, 120, 180))
            day = day + timedelta(days=max(14, int(cycle * rng.lognormvariate(0, 0.35))))
            if day > end:
                return
            dept_item = self._choose_item(prefer=last_item)
            self.world.visits.append(
                {
                    "visit_date": day,
                    "customer_id": cid,
                    "visit_type": "复诊",
                    "channel": ch.name,
                    "consultant": consultant.name,
                    "online_consultant": None,
                    "department": dept_item.department,
                    "intended_item": dept_item.name,
                    "no_deal_reason": None,
                    "clinic": clinic,
                }
            )
            if rng.random() < m.BASE_CLOSE_OLD * consultant.close:
                last_item = self._deal(clinic, cid, consultant, ch, day, dept_item, state, first=False)
            else:
                self.world.visits[-1]["no_deal_reason"] = self._pick(m.NO_DEAL_REASONS)
            # Loyal customers grow more loyal; the over-seller's customers do not.
            p_return = min(0.9, p_return * 1.12 if consultant.loyalty >= 0.8 else p_return * 0.8)

    def _choose_item(self, prefer: m.Item | None = None) -> m.Item:
        if prefer is not None and prefer.cycle_days and self.rng.random() < 0.6:
            return prefer
        return self.rng.choices(m.ITEMS, weights=self._item_weights)[0]

    def _deal(
        self, clinic, cid, consultant: m.Consultant, ch: m.Channel, day: date, intent: m.Item, state, first: bool
    ) -> m.Item:
        rng = self.rng
        self._order_seq += 1
        order_id = f"SF{day:%Y%m%d}{self._order_seq:06d}"
        items = [intent]
        if rng.random() < 0.15 * consultant.ticket * ch.quality:
            items.append(self._choose_item())
        if consultant.ticket > 1.3 and rng.random() < 0.25:
            items.append(rng.choice([i for i in m.ITEMS if i.price >= 4800]))
        if first and rng.random() < m.TOPUP_SHARE:
            recharge = rng.choice((5000, 10000, 10000, 20000, 30000))
            bonus = recharge * rng.choice((0.1, 0.15, 0.2))
            self._order(
                order_id,
                day,
                cid,
                "储值卡充值",
                recharge,
                "储值",
                None,
                consultant,
                rng.choice(("微信", "刷卡")),
                clinic,
                kind="充值",
            )
            state["balance"] += recharge + bonus
            state["card"] = {
                "card_id": f"CARD{self._order_seq:07d}",
                "customer_id": cid,
                "opened_at": day,
                "card_type": f"{recharge // 1000}k储值卡",
                "recharge_total": float(recharge),
                "bonus_total": float(bonus),
                "balance": 0.0,
                "last_used_at": None,
                "clinic": clinic,
            }
            self.world.cards.append(state["card"])
        for item in items:
            price = item.price * rng.choice((0.8, 0.85, 0.9, 0.95, 1.0))
            qty = 1 if item.cycle_days == 0 or rng.random() < 0.9 else rng.choice((2, 3))
            amount = round(price * qty, 0)
            method = None
            if state["card"] is not None and state["balance"] >= 1:
                # The card pays what it can; a remainder is split onto another method, draining the card.
                from_card = min(amount, round(state["balance"], 0))
                state["balance"] -= from_card
                state["card"]["last_used_at"] = day
                self._order(
                    order_id,
                    day,
                    cid,
                    item.name,
                    from_card,
                    item.department,
                    item.price * qty,
                    consultant,
                    "储值卡",
                    clinic,
                    qty=qty,
                )
                amount_left = amount - from_card
                method = "储值卡"  # no cash refund of a line the card paid for, even in part
                if amount_left > 0:
                    self._order(
                        order_id,
                        day,
                        cid,
                        item.name,
                        amount_left,
                        item.department,
                        None,
                        consultant,
                        self._pick(m.PAYMENTS),
                        clinic,
                        qty=0,
                    )
            else:
                method = self._pick(m.PAYMENTS)
                self._order(
                    order_id,
                    day,
                    cid,
                    item.name,
                    amount,
                    item.department,
                    item.price * qty,
                    consultant,
                    method,
                    clinic,
                    qty=qty,
                )
            self.world.treatments.append(
                {
                    "treatment_date": min(self.world.end, day + timedelta(days=rng.choice((0, 0, 0, 3, 7, 14)))),
                    "customer_id": cid,
                    "item": item.name,
                    "consumed_amount": amount,
                    "sessions": qty,
                    "operator": rng.choice(m.DOCTORS[item.department]),
                    "clinic": clinic,
                }
            )
            if method != "储值卡" and rng.random() < m.REFUND_SHARE:
                back = day + timedelta(days=rng.randint(3, 40))
                if back <= self.world.end:
                    self._order(
                        f"TK{back:%Y%m%d}{self._order_seq:06d}",
                        back,
                        cid,
                        item.name,
                        -amount,
                        item.department,
                        None,
                        consultant,
                        method,
                        clinic,
                        kind="退款",
                    )
        if state["card"] is not None:
            state["card"]["balance"] = max(0.0, round(state["balance"], 2))
        return items[0]

    def _order(
        self, order_id, day, cid, item, amount, dept, list_amount, consultant, method, clinic, qty=1, kind="收费"
    ):
        doctor = self.rng.choice(m.DOCTORS[dept]) if dept in m.DOCTORS else None
        self.world.orders.append(
            {
                "order_date": day,
                "order_id": order_id,
                "customer_id": cid,
                "item": item,
                "department": dept,
                "quantity": qty,
                "list_amount": list_amount,
                "paid_amount": float(amount),
                "payment_method": method,
                "consultant": consultant.name,
                "doctor": doctor,
                "kind": kind,
                "clinic": clinic,
            }
        )


def simulate(
    seed: int = 7, clinics: int = 2, months: int = 24, end: date = date(2026, 10, 31), volume: float = 1.0
) -> World:
    return Simulator(seed, clinics, months, end, volume).run()
