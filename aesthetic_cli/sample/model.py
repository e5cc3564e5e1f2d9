"""The clinic world the sample generator simulates: channels, staff, items, seasons.

Parameters are set so that what the analyses measure falls in published industry ranges
(on-site close rate ~40-60%, ticket ~3,000-4,000 yuan, CAC ~800-1,500 yuan, 12-month
repurchase ~30-40%); the tests check those ranges on the generated files, not here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Channel:
    name: str
    leads_per_month: float  # per clinic, before seasonality; 0 for walk-in channels
    cost_per_lead: float  # 0 = no spend (referrals, walk-ins)
    appointment_rate: float
    arrival_given_appointment: float
    quality: float  # multiplies close probability and ticket
    loyalty: float  # multiplies the chance to come back
    walk_ins_per_month: float = 0.0  # arrivals that never were a lead


CHANNELS = (
    Channel("新氧", 55, 190, 0.62, 0.60, 1.05, 1.00),
    Channel("抖音", 110, 120, 0.48, 0.50, 0.80, 0.80),
    Channel("小红书", 60, 160, 0.55, 0.55, 1.00, 1.05),
    Channel("大众点评", 45, 135, 0.68, 0.66, 0.95, 1.00),
    Channel("百度竞价", 40, 330, 0.45, 0.50, 0.85, 0.90),
    Channel("美容院渠道", 14, 560, 0.85, 0.85, 1.30, 0.95),
    Channel("老带新", 0, 0, 0, 0, 1.20, 1.30, walk_ins_per_month=16),
    Channel("自然到院", 0, 0, 0, 0, 0.90, 1.00, walk_ins_per_month=14),
)


@dataclass(frozen=True)
class Consultant:
    name: str
    close: float  # multiplies close probability
    ticket: float  # multiplies the number/price of items bought
    loyalty: float  # multiplies the chance their customers come back


# One per clinic is the "big seller": high ticket, customers rarely return (over-promising).
CONSULTANTS = {
    "静安店": (
        Consultant("陈静", 1.05, 1.0, 1.05),
        Consultant("刘洋", 0.95, 0.95, 1.0),
        Consultant("王芳", 1.10, 1.55, 0.40),
        Consultant("赵敏", 0.85, 0.90, 1.15),
    ),
    "浦东店": (
        Consultant("孙丽", 1.00, 1.0, 1.0),
        Consultant("周婷", 1.10, 1.05, 1.05),
        Consultant("吴倩", 1.05, 1.60, 0.35),
        Consultant("郑爽", 0.85, 0.85, 1.10),
    ),
    "徐汇店": (
        Consultant("钱程", 1.0, 1.0, 1.0),
        Consultant("冯雪", 1.05, 1.45, 0.45),
        Consultant("褚佳", 0.9, 0.95, 1.1),
    ),
    "南山店": (
        Consultant("卫然", 1.0, 1.0, 1.0),
        Consultant("蒋欣", 1.08, 1.50, 0.40),
        Consultant("沈悦", 0.92, 0.95, 1.1),
    ),
}
ONLINE = {
    "静安店": ("小美", "小雅"),
    "浦东店": ("小琳", "小悦"),
    "徐汇店": ("小青",),
    "南山店": ("小蓝",),
}
DOCTORS = {"注射科": ("李医生", "黄医生"), "皮肤科": ("何医生", "林医生"), "整形外科": ("杨主任", "许主任")}


@dataclass(frozen=True)
class Item:
    name: str
    department: str
    price: float
    unit_cost: float
    cycle_days: int  # median days to the next session; 0 = one-off (surgery)
    role: str
    weight: float  # how often it is bought


ITEMS = (
    Item("玻尿酸填充", "注射科", 4800, 1900, 200, "利润款", 1.0),
    Item("肉毒素除皱", "注射科", 2980, 950, 130, "主推款", 1.1),
    Item("水光针", "注射科", 1680, 520, 60, "引流款", 1.6),
    Item("体验水光", "注射科", 299, 420, 60, "引流款", 0.5),  # loss-making door opener
    Item("溶脂针", "注射科", 1980, 700, 90, "利润款", 0.5),
    Item("光子嫩肤", "皮肤科", 1280, 380, 45, "引流款", 1.3),
    Item("超皮秒祛斑", "皮肤科", 3600, 1100, 90, "主推款", 0.9),
    Item("热玛吉", "皮肤科", 12800, 5200, 330, "利润款", 0.2),
    Item("小气泡清洁", "皮肤科", 99, 160, 30, "引流款", 0.7),  # loss-making door opener
    Item("双眼皮", "整形外科", 9800, 3600, 0, "定制款", 0.12),
    Item("隆鼻", "整形外科", 19800, 8200, 0, "定制款", 0.05),
    Item("吸脂塑形", "整形外科", 16800, 6900, 0, "定制款", 0.05),
)

# Month multipliers: Chinese New Year dip (Feb), 双11 (Nov), a summer lift.
SEASON = {1: 0.95, 2: 0.62, 3: 1.0, 4: 1.02, 5: 1.05, 6: 1.08, 7: 1.05, 8: 1.0, 9: 1.0, 10: 1.05, 11: 1.42, 12: 1.12}
# 周年庆 month per clinic.
ANNIVERSARY = {"静安店": 9, "浦东店": 5, "徐汇店": 4, "南山店": 10}
ANNIVERSARY_LIFT = 1.3

NO_DEAL_REASONS = (
    ("价格太高", 0.34),
    ("考虑一下", 0.26),
    ("对比其他机构", 0.17),
    ("效果顾虑", 0.13),
    ("时间不合适", 0.10),
)
PAYMENTS = (("微信", 0.45), ("支付宝", 0.25), ("刷卡", 0.2), ("现金", 0.05), ("分期", 0.05))

BASE_CLOSE_NEW = 0.50
BASE_CLOSE_OLD = 0.68
# Chance a customer comes back for another deal after each deal, before consultant and channel.
BASE_RETURN = 0.48
TOPUP_SHARE = 0.12
REFUND_SHARE = 0.02
CLINIC_NAMES = ("静安店", "浦东店", "徐汇店", "南山店")
