"""Score every column against every field, and every dataset against the sheet, from evidence.

Evidence, strongest first: a header that is a known synonym (3); a header made of a field's
parts (消费/结账/收款 + 日期/时间 → order_date, 剩余/可用 + 余额 → balance: 2); a bare generic
header (日期, 金额: 1). The column's values confirm or veto a guess: a date field needs dates, an
amount needs numbers, a flag needs 是/否. The file and sheet names and title rows point to a
dataset. A guess is only taken when it is clear; otherwise `Recognition.doubts` says why not.

Parts are words, not whole headers, so an export from a vendor never seen still matches when it
combines familiar words in a new way; a rule here should describe how clinics name things, never
one file.
"""

from __future__ import annotations

from collections.abc import Iterable, Set

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from aesthetic_cli.importer import datasets as d
from aesthetic_cli.importer.scripts import simplified

# ---------------------------------------------------------------- header words

_BRACKETS = re.compile(r"[(\[【{].*?[)\]】}]")
_SPLIT = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[\u4e00-\u9fff])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[\u4e00-\u9fff])")


@lru_cache(maxsize=65536)
def _normalise(text: str) -> str:
    s = simplified(unicodedata.normalize("NFKC", text).strip())
    s = _BRACKETS.sub("", s).lower()
    return _SPLIT.sub("", s)


def normalise(text: object) -> str:
    """Full/half width folded (NFKC), lower case, units in brackets and punctuation dropped."""
    return "" if text is None else _normalise(str(text))


@lru_cache(maxsize=65536)
def _tokens(text: object) -> frozenset[str]:
    s = simplified(unicodedata.normalize("NFKC", str(text or "")))
    s = _CAMEL.sub(" ", _BRACKETS.sub(" ", s)).lower()
    return frozenset(t for t in _SPLIT.split(s) if t)


def _has(norm: str, tokens: Set[str], word: str) -> bool:
    if word.isascii():
        # English words match whole tokens ("id" must not hit "paid"); long ones also inside a
        # run-together header ("orderdate").
        return word in tokens or (len(word) >= 5 and word in norm)
    return word in norm


def _any(norm: str, tokens: Set[str], words: Iterable[str]) -> bool:
    return any(_has(norm, tokens, w) for w in words)


DATE_W = ("日期", "时间", "日", "date", "time", "day", "on", "at")
AMOUNT_W = ("金额", "额", "款", "价", "amount", "total", "price", "value", "sum")
ID_W = ("编号", "号", "id", "代码", "编码", "code", "no", "number", "num", "ref")
CONSULT_W = ("咨询", "顾问", "consultant", "advisor", "adviser", "coordinator")
ONLINE_W = ("网电", "网络", "网咨", "线上", "在线", "online", "tele", "remote", "web")
PERSON_W = (
    "顾客",
    "客户",
    "会员",
    "患者",
    "病人",
    "客人",
    "来宾",
    "用户",
    "customer",
    "client",
    "member",
    "patient",
    "guest",
)

# field -> list of (groups, avoid): a header matches when it has a word of every group and no
# avoided word. Keys "dataset.field" refine a field for one dataset.
P = tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]
PARTS: dict[str, list[P]] = {
    "customer_id": [
        (
            (PERSON_W + ("档案", "病历"), ID_W + ("卡号",)),
            ("推荐", "介绍", "姓名", "名称", "name", "note", "电话", "手机", "phone", "mobile", "type", "类型"),
        )
    ],
    "phone": [((("手机", "电话", "联系方式", "mobile", "phone", "tel", "cell", "telephone", "cellphone"),), ("备注",))],
    "name": [
        (
            (("姓名", "名字", "客户名", "顾客名", "会员名", "患者名", "name", "fullname"),),
            (
                "项目",
                "产品",
                "商品",
                "门店",
                "机构",
                "员工",
                "卡",
                "渠道",
                "咨询",
                "医生",
                "推荐",
                "介绍",
                "item",
                "product",
                "service",
                "staff",
                "employee",
                "card",
                "store",
                "location",
                "consultant",
                "provider",
                "clinic",
                "campaign",
                "channel",
                "first",
                "last",
                "user",
                "account",
            ),
        )
    ],
    "staff.name": [
        (
            (("姓名", "员工", "名字", "name", "staff", "employee"),),
            ("编号", "工号", "id", "code", "no", "number", "部门", "department"),
        )
    ],
    "gender": [((("性别", "sex", "gender"),), ())],
    "birth_date": [((("生日", "出生", "birth", "dob", "birthday"),), ())],
    "registered_at": [
        (
            (
                (
                    "建档",
                    "注册",
                    "开户",
                    "入会",
                    "登记",
                    "创建",
                    "registered",
                    "created",
                    "creation",
                    "joined",
                    "signup",
                    "since",
                ),
                DATE_W + ("建档", "since"),
            ),
            ("预约", "到院", "消费", "咨询"),
        )
    ],
    "source_channel": [
        (
            (("来源", "渠道", "媒体", "媒介", "平台", "source", "channel", "referral", "marketing"),),
            ("支付", "付款", "收款", "payment", "推荐人", "介绍人", "referrer", "referred"),
        )
    ],
    "channel": [
        (
            (("来源", "渠道", "媒体", "媒介", "平台", "source", "channel", "medium", "platform"),),
            ("支付", "付款", "收款", "payment", "推荐人", "referrer"),
        )
    ],
    "referrer_id": [((("推荐人", "介绍人", "推荐", "referrer", "referred", "referral"),), ("来源", "source", "渠道"))],
    "owner_consultant": [
        (
            (
                ("所属", "归属", "专属", "责任", "跟进", "负责", "owner", "assigned", "primary"),
                CONSULT_W + ("staff", "employee"),
            ),
            ONLINE_W,
        )
    ],
    "member_level": [
        ((("会员", "客户", "vip", "membership", "member", "loyalty"), ("等级", "级别", "level", "tier")), ()),
        ((("等级", "级别", "tier"),), ()),
    ],
    "clinic": [
        (
            (
                (
                    "门店",
                    "机构",
                    "院区",
                    "分院",
                    "诊所",
                    "店铺",
                    "医院",
                    "门诊",
                    "store",
                    "branch",
                    "location",
                    "clinic",
                    "site",
                    "center",
                    "centre",
                    "shop",
                    "venue",
                ),
            ),
            ("编号", "id", "code", "地址", "address"),
        )
    ],
    "online_consultant": [
        (((ONLINE_W), CONSULT_W + ("客服", "agent", "staff", "rep")), ()),
        ((("网电", "网咨", "客服"),), ("到院", "现场")),
        ((("agent", "cs", "csr", "sdr", "setter"),), ()),
    ],
    "consultant": [
        (
            (
                ("现场", "接诊", "开单", "成交", "归属", "接待", "分诊", "销售", "负责", "美学", "设计师"),
                CONSULT_W + ("设计师", "人"),
            ),
            ONLINE_W + ("客服",),
        ),
        ((CONSULT_W + ("美学设计师",),), ONLINE_W + ("客服", "项目", "日期", "时间")),
        (
            (("staff", "employee", "seller", "salesperson", "sold", "rep", "stylist", "advisor"),),
            ("id", "online", "number"),
        ),
    ],
    "department": [((("科室", "部门", "dept", "department", "division"),), ("编号", "id"))],
    "visit_type": [
        ((("初诊", "复诊", "初复", "首诊", "初次复诊"),), ()),
        (
            (
                ("就诊", "到院", "接诊", "来院", "到店", "visit", "appointment", "客户", "顾客"),
                ("类型", "类别", "性质", "type", "status"),
            ),
            ("项目", "service", "支付"),
        ),
        ((("newreturning", "new/returning", "firstvisit", "新老客", "新客老客"),), ()),
    ],
    "intended_item": [
        (
            (("意向", "咨询项目", "interest", "interested", "intended"),),
            ("门店", "店", "机构", "医院", "院区", "store", "location", "clinic", "center", "centre"),
        )
    ],
    "no_deal_reason": [
        (
            (
                ("未成交", "流失", "未购买", "不成交", "未消费", "lost", "nodeal", "notbooked", "unsold"),
                ("原因", "reason", "why"),
            ),
            (),
        )
    ],
    "item": [
        (
            (
                (
                    "项目",
                    "品项",
                    "商品",
                    "产品",
                    "服务",
                    "套餐",
                    "疗程",
                    "service",
                    "treatment",
                    "product",
                    "item",
                    "sku",
                    "package",
                    "procedure",
                ),
            ),
            (
                "意向",
                "类型",
                "类别",
                "分类",
                "定位",
                "价格",
                "单价",
                "金额",
                "数量",
                "次数",
                "成本",
                "科室",
                "日期",
                "时间",
                "编号",
                "id",
                "code",
                "category",
                "type",
                "price",
                "amount",
                "qty",
                "quantity",
                "cost",
                "date",
                "time",
                "提供",
                "provider",
                "咨询",
                "consult",
                "部门",
                "department",
                "消耗",
                "划扣",
            ),
        )
    ],
    "paid_amount": [
        (
            (
                (
                    "实收",
                    "实付",
                    "实缴",
                    "实际收",
                    "实际付",
                    "收款",
                    "付款",
                    "成交",
                    "业绩",
                    "消费",
                    "收银",
                    "实收款",
                    "paid",
                    "net",
                    "revenue",
                    "collected",
                    "payment",
                    "sale",
                    "sales",
                    "charged",
                ),
                AMOUNT_W + ("实收", "实付", "业绩", "paid", "revenue", "sales", "charged"),
            ),
            ("方式", "类型", "method", "type", "日期", "时间", "date", "time", "单号", "id", "编号", "次数", "数量"),
        )
    ],
    "list_amount": [
        (
            (("应收", "原价", "标准价", "标价", "应付", "list", "original", "gross", "retail", "subtotal"),),
            ("日期", "date", "方式"),
        )
    ],
    "quantity": [((("数量", "次数", "qty", "quantity", "units", "count", "件数"),), ("剩余", "remaining"))],
    "payment_method": [
        (
            (
                ("支付", "付款", "收款", "结算", "结账", "payment", "tender", "pay", "paid"),
                ("方式", "类型", "渠道", "方法", "method", "type", "by", "with"),
            ),
            (),
        )
    ],
    "kind": [
        (
            (
                ("收费", "业务", "单据", "交易", "订单", "消费", "收支", "transaction", "order", "line"),
                ("类型", "类别", "type", "kind"),
            ),
            (),
        )
    ],
    "doctor": [
        (
            (
                (
                    "医生",
                    "医师",
                    "主治",
                    "主刀",
                    "doctor",
                    "provider",
                    "practitioner",
                    "injector",
                    "surgeon",
                    "physician",
                ),
            ),
            ("助理", "id"),
        )
    ],
    "order_id": [
        ((("单号", "订单号", "单据号", "流水号", "小票号", "收据号", "订单编号", "单据编号"),), ()),
        (
            (("order", "invoice", "receipt", "transaction", "sale", "ticket", "订单", "单据", "收费单", "流水"), ID_W),
            ("customer", "client", "客户", "顾客"),
        ),
    ],
    "consumed_amount": [
        (
            (("消耗", "划扣", "核销", "耗卡", "consumed", "redeemed", "deducted"),),
            ("次数", "数量", "日期", "时间", "date", "count"),
        )
    ],
    "sessions": [((("次数", "疗程", "sessions", "session", "units", "数量", "qty"),), ("剩余", "remaining"))],
    "operator": [
        (
            (
                (
                    "操作",
                    "治疗师",
                    "执行",
                    "护士",
                    "美容师",
                    "医生",
                    "医师",
                    "operator",
                    "therapist",
                    "provider",
                    "practitioner",
                    "doctor",
                    "injector",
                    "technician",
                ),
            ),
            ("日期", "时间", "date", "time", "id"),
        )
    ],
    "spend.amount": [
        (
            (("费用", "消耗", "花费", "投放", "成本", "支出", "spend", "spent", "cost", "budget"),),
            ("单", "per", "cpl", "cpc", "cpm", "平均"),
        )
    ],
    "impressions": [((("曝光", "展现", "展示", "impressions", "impression", "views", "reach"),), ())],
    "clicks": [((("点击", "clicks", "click"),), ("率", "rate", "ctr", "单价", "cost"))],
    "inquiries": [
        (
            (("咨询量", "私信", "留资", "线索", "表单", "inquiries", "leads", "conversions", "enquiries"),),
            ("成本", "cost", "单价"),
        )
    ],
    "card_id": [
        ((("卡",), ("号", "编号", "id", "代码", "编码")), ("类型", "名称", "会员号")),
        (
            (("card", "voucher", "giftcard", "wallet", "package", "account"), ("id", "no", "number", "code")),
            ("customer", "client"),
        ),
    ],
    "card_type": [
        ((("卡",), ("类型", "种", "名称", "项", "类别", "等级")), ()),
        ((("card", "voucher", "package", "wallet"), ("type", "name", "kind", "tier")), ()),
    ],
    "recharge_total": [
        (
            (("充值", "本金", "实充", "储值金额", "购卡", "recharge", "topup", "loaded", "deposit", "funded"),),
            ("次数", "日期", "时间", "date", "count"),
        )
    ],
    "bonus_total": [((("赠送", "赠金", "赠额", "bonus", "gift", "free", "reward"),), ("次数", "项目", "日期", "date"))],
    "balance": [((("余额", "结余", "剩余金额", "可用金额", "balance", "remaining"),), ("次数", "count", "sessions"))],
    "opened_at": [
        (
            (
                ("开卡", "办卡", "售卡", "购卡", "开通", "opened", "issued", "purchased", "activated"),
                DATE_W + ("开卡",),
            ),
            (),
        )
    ],
    "last_used_at": [
        (
            (
                ("最后", "最近", "上次", "末次", "last", "latest", "recent"),
                ("消费", "使用", "交易", "到院", "用卡", "used", "use", "visit", "transaction", "redeemed"),
            ),
            (),
        )
    ],
    "items.role": [((("定位", "引流", "品项类型", "项目类型", "role", "tier", "positioning"),), ())],
    "list_price": [
        (
            (("标准价", "价格", "原价", "单价", "定价", "售价", "零售价", "价目", "price", "retail", "rate", "fee"),),
            ("成本", "cost", "日期", "date"),
        )
    ],
    "unit_cost": [((("成本", "cost", "耗材"),), ("价格", "price"))],
    "staff.role": [((("岗位", "角色", "职位", "职务", "职称", "role", "position", "title", "job"),), ())],
}

# Dates of the dataset's own event: order_date, visit_date... each with the words that say which event.
EVENT_WORDS: dict[str, tuple[str, ...]] = {
    "order_date": (
        "消费",
        "结账",
        "开单",
        "收款",
        "收费",
        "成交",
        "收银",
        "结算",
        "下单",
        "付款",
        "支付",
        "交易",
        "销售",
        "业绩",
        "单据",
        "订单",
        "order",
        "sale",
        "sales",
        "payment",
        "transaction",
        "checkout",
        "invoice",
        "purchase",
        "paid",
        "sold",
    ),
    "visit_date": (
        "到院",
        "到诊",
        "来诊",
        "来院",
        "到店",
        "接诊",
        "就诊",
        "分诊",
        "来访",
        "到访",
        "签到",
        "接待",
        "visit",
        "arrival",
        "checkin",
        "appointment",
        "appt",
        "booking",
        "service",
    ),
    "lead_date": (
        "咨询",
        "登记",
        "线索",
        "留资",
        "录入",
        "创建",
        "获客",
        "询盘",
        "询单",
        "询价",
        "进线",
        "lead",
        "inquiry",
        "enquiry",
        "created",
        "captured",
        "submitted",
    ),
    "treatment_date": (
        "治疗",
        "划扣",
        "消耗",
        "执行",
        "操作",
        "核销",
        "服务",
        "treatment",
        "service",
        "redeemed",
        "consumed",
        "procedure",
    ),
    "period": ("投放", "统计", "消耗", "花费", "月份", "spend", "report", "reporting", "month", "week"),
    "appointment_date": ("预约", "appointment", "booking", "booked", "scheduled"),
}
for _field, _words in EVENT_WORDS.items():
    PARTS.setdefault(_field, []).append(((_words, DATE_W + ("月份", "month")), ()))
PARTS["period"].append(((("月份", "month", "月度"),), ()))
PARTS["appointment_date"].append(((("预约",),), ("状态", "项目", "渠道")))
PARTS["arrived"] = [
    (
        (("是否到院", "是否到店", "到院", "到店", "已到", "arrived", "showed", "show", "attended"),),
        ("日期", "时间", "date", "time", "类型", "type"),
    )
]
PARTS["lead_id"] = [((("线索", "lead", "inquiry"), ID_W), ())]

# Bare headers that only say what kind of value a column holds: they can fill the dataset's own
# date or amount field, and nothing else.
GENERIC = {
    "date": {"日期", "时间", "date", "day", "datetime", "日期时间"},
    "amount": {"金额", "amount", "总额", "总金额", "total", "合计金额", "sum"},
}
MAIN_AMOUNT = {"orders": "paid_amount", "treatments": "consumed_amount", "spend": "amount"}
# A bare 状态 fills the status of whichever dataset the sheet is (a bill's, a visit's), but says next to nothing of
# which one it is: a treatments export with a 状态 column is no bill. It names its field as weakly as a bare date.
BARE_STATUS = {"状态", "status"}

# Columns clinics export that no dataset needs: an unused date or amount column whose header
# says it is one of these is no sign that the file was misread.
IGNORABLE = (
    "序号",
    "行号",
    "年龄",
    "age",
    "积分",
    "points",
    "折扣",
    "优惠",
    "减免",
    "抵扣",
    "欠款",
    "欠费",
    "discount",
    "tax",
    "tip",
    "小费",
    "税",
    "备注",
    "note",
    "更新",
    "修改",
    "导出",
    "打印",
    "updated",
    "modified",
    "exported",
    "printed",
    "最近",
    "最后",
    "上次",
    "首次",
    "末次",
    "last",
    "first",
    "累计",
    "lifetime",
    "总",
    "total",
    "次数",
    "数量",
    "count",
    "qty",
    "人数",
    "个数",
    "率",
    "rate",
    "ratio",
    "占比",
    "身份证",
    "证件",
    "邮编",
    "zip",
    "postal",
    "qq",
    "微信",
    "邮箱",
    "email",
    "编号",
    "id",
    "no",
    "index",
    "#",
    "提成",
    "commission",
    "单价",
    "price",
    "成本",
    "cost",
    "排名",
    "rank",
    "失效",
    "到期",
    "过期",
    "有效期",
    "expire",
    "expiry",
    "expires",
    "valid",
    "周",
    "week",
    "pv",
    "uv",
    "cpc",
    "cpm",
    "cpl",
    "ctr",
    "roi",
    "roas",
    "入职",
    "离职",
    "hire",
    "hired",
)

# Words in a file, sheet or title that say which dataset it is. The longest word found wins, so
# 会员卡 (cards) outweighs 会员 (customers).
HINTS: dict[str, tuple[str, ...]] = {
    "customers": (
        "顾客",
        "客户",
        "档案",
        "会员",
        "患者",
        "病历",
        "customer",
        "client",
        "member",
        "patient",
        "contacts",
    ),
    "leads": (
        "线索",
        "客资",
        "网电",
        "留资",
        "咨询登记",
        "网咨",
        "获客",
        "进线",
        "询单",
        "lead",
        "inquir",
        "enquir",
        "prospect",
    ),
    "visits": (
        "到院",
        "到诊",
        "来诊",
        "来院",
        "接诊",
        "分诊",
        "到店",
        "就诊",
        "来访",
        "到访",
        "visit",
        "checkin",
        "check-in",
        "appointment",
        "booking",
    ),
    "orders": (
        "收费",
        "收银",
        "订单",
        "成交",
        "消费明细",
        "业绩",
        "流水",
        "销售",
        "收款",
        "order",
        "sales",
        "transaction",
        "invoice",
        "payment",
        "revenue",
        "checkout",
    ),
    "treatments": ("治疗", "划扣", "消耗", "核销", "执行记录", "treatment", "consum", "redemption", "redeem"),
    # 消耗 alone is a treatment's (划扣); after 投放, 广告 or 推广 it is what an ad account spent.
    "spend": (
        *("费用", "投放", "推广", "广告", "花费", "投放消耗", "广告消耗", "推广消耗", "账户消耗"),
        *("spend", "marketing", "campaign", "ads", "adspend"),
    ),
    "cards": ("储值", "会员卡", "储值卡", "卡项", "充值", "card", "prepaid", "giftcard", "wallet", "voucher"),
    "items": (
        "项目目录",
        "品项",
        "价目",
        "价格表",
        "项目表",
        "项目列表",
        "item",
        "catalog",
        "catalogue",
        "menu",
        "pricelist",
        "price-list",
        "price_list",
        "services",
    ),
    "staff": ("员工", "人员", "花名册", "职员", "staff", "employee", "roster", "team"),
}

# ---------------------------------------------------------------- values

_DATE_RE = re.compile(
    r"^((19|20)\d{2}[-/.年](0?[1-9]|1[0-2])([-/.月](0?[1-9]|[12]\d|3[01])日?)?月?|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|(19|20)\d{2}(0[1-9]|1[0-2])([0-2]\d|3[01]))(((?<=日)|[ T])\d{1,2}:\d{2}(:\d{2})?.*)?$"
)
_NUM_RE = re.compile(r"^[-+(（]?[¥￥$]?\s*-?[\d,，]*\.?\d+\s*[元万)）]?$")
_PHONE_RE = re.compile(
    r"^(\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}$|^1[3-9]\d\*{4}\d{4}$"
    r"|^(\+?1[- .]?)?\(?\d{3}\)?[- .]?\d{3}[- .]?\d{4}$|^0\d{2,3}-\d{7,8}$"
)
_ID_RE = re.compile(r"^[A-Za-z]{0,6}[-_]?\d{3,}[A-Za-z0-9-]*$")
_YES_NO = {
    "是",
    "否",
    "y",
    "n",
    "yes",
    "no",
    "true",
    "false",
    "已到",
    "未到",
    "已到院",
    "未到院",
    "到院",
    "已到店",
    "未到店",
    "√",
    "×",
    "✓",
    "✗",
    "✘",
    "x",
    "0",
    "1",
    "有",
    "无",
}


# A unit written in an amount's header: 实收金额(万元), 金额（千元）, 应收(分), 销售额万元. 分 only in brackets
# (积分 and 评分 end with it); 元 is what aesops stores.
# A price per piece names its unit before the slash: 单价(万元/支), 价格（元/次）.
_UNIT_IN_BRACKETS = re.compile(
    r"[(（\[【]\s*(?:单位\s*[:：]?\s*)?(万元|千元|百元|元|角|分|万)\s*(?:/\s*[^)）\]】/]{1,4}\s*)?[)）\]】]"
)
# Or after a separator (实收金额/分, 实收金额_分, 金额-万元); 积分 and 评分 have none.
_UNIT_AT_END = re.compile(r"(?:(万元|千元)|[/_\-|\s]\s*(万元|千元|百元|元|角|分|万))$")
# English and currency spellings, in brackets or after a separator: Net Amount (cents), Amount (K), 金额(RMB),
# Amount in USD, 金额(美元). Lower-cased.
_UNIT_WORD = re.compile(
    r"(?:[(（\[【]\s*|[/_\-|]\s*|\bin\s+)"
    r"(cents?|fen|k|'000|thousands?|10k|yuan|rmb|cny|¥|usd|us\$|hkd|hk\$|mop|eur|美元|港币|港元|澳门元|澳元|欧元|日元)"
    r"\s*[)）\]】]?$"
)
_UNIT_WORDS = {"cent": "分", "cents": "分", "fen": "分", "k": "千元", "'000": "千元", "thousand": "千元"}
_UNIT_WORDS |= {"thousands": "千元", "10k": "万元", "yuan": "元", "rmb": "元", "cny": "元", "¥": "元"}
UNIT_FACTORS = {"万元": 10000, "千元": 1000, "百元": 100, "元": 1, "角": 0.1, "分": 0.01}


def header_unit(text: str) -> str | None:
    """The money unit a header declares, if any: 万元, 千元, 百元, 元, 角 or 分, or a currency other than the
    yuan (USD, 港币, …), which no factor converts."""
    t = unicodedata.normalize("NFKC", text).strip()
    m = _UNIT_IN_BRACKETS.search(t) or _UNIT_AT_END.search(t)
    if m:
        unit = m.group(1) or m.group(m.lastindex or 1)
        return "万元" if unit == "万" else unit
    w = _UNIT_WORD.search(t.lower())
    if w:
        word = w.group(1)
        return _UNIT_WORDS.get(word, word.upper())
    return None


def looks_like_value(text: str) -> bool:
    t = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    return bool(_NUM_RE.match(t) or _DATE_RE.match(t) or _PHONE_RE.match(t))


@dataclass
class Profile:
    """What a column's values look like, as shares of its non-empty sampled cells."""

    filled: int = 0
    date: float = 0.0
    number: float = 0.0
    phone: float = 0.0
    yesno: float = 0.0
    ident: float = 0.0
    distinct: int = 0
    integers: bool = False

    def kind(self) -> str | None:
        """The one word for what the values are, when they clearly are something."""
        if self.filled == 0:
            return None
        if self.date >= 0.8:
            return "date"
        if self.phone >= 0.8:
            return "phone"
        if self.yesno >= 0.9 and self.distinct <= 3:
            return "yesno"
        if self.number >= 0.8:
            return "number"
        return None


def profile(values: list) -> Profile:
    cells = [unicodedata.normalize("NFKC", str(v)).strip() for v in values if v is not None and str(v).strip()]
    cells = [c for c in cells if c not in ("-", "--", "/", "无", "暂无", "null", "None", "N/A", "n/a")]
    n = len(cells)
    if n == 0:
        return Profile()
    share = lambda pred: sum(1 for c in cells if pred(c)) / n  # noqa: E731
    numbers = [c for c in cells if _NUM_RE.match(c.replace(" ", ""))]
    return Profile(
        filled=n,
        date=share(lambda c: bool(_DATE_RE.match(c))),
        number=len(numbers) / n,
        phone=share(lambda c: bool(_PHONE_RE.match(c))),
        yesno=share(lambda c: c.lower() in _YES_NO),
        ident=share(lambda c: bool(_ID_RE.match(c))),
        distinct=len(set(cells)),
        integers=all(re.fullmatch(r"-?\d+", c.replace(",", "")) for c in numbers) if numbers else False,
    )


_ID_FIELDS = {"customer_id", "card_id", "order_id", "lead_id", "referrer_id"}
_CATEGORY_FIELDS = {
    "channel",
    "source_channel",
    "consultant",
    "online_consultant",
    "owner_consultant",
    "clinic",
    "department",
    "visit_type",
    "payment_method",
    "doctor",
    "operator",
    "member_level",
    "card_type",
    "kind",
    "role",
}


def value_fit(f: d.Field, p: Profile) -> int | None:
    """+1 values confirm the field, 0 no evidence, None values contradict it."""
    if p.filled == 0:
        return 0
    kind = p.kind()
    if f.type in (d.DATE, d.PERIOD):
        if p.date >= 0.6:
            return 1
        # Excel serial dates and months written as 202510 are numbers; let the converter judge them.
        return 0 if (p.number >= 0.8 and p.integers) else None
    if f.type in (d.AMOUNT, d.NUMBER):
        if kind in ("date", "phone"):
            return None
        return 1 if p.number >= 0.6 else None
    if f.type == d.PHONE:
        if p.phone >= 0.5:
            return 1
        return None if kind in ("date", "yesno") else 0
    if f.type == d.BOOL:
        return 1 if p.yesno >= 0.8 else None
    if f.name in _ID_FIELDS:
        if kind in ("date", "yesno"):
            return None
        return 1 if p.ident >= 0.6 else 0
    # Names, items, channels: text, not dates, amounts or phones.
    if kind in ("date", "phone", "number"):
        return None
    # Channels, consultants, clinics, departments: a small set of names, repeated.
    if f.name in _CATEGORY_FIELDS and p.filled >= 4 and p.distinct <= max(3, p.filled // 2):
        return 1
    return 0


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[ T].*)?$")


def infer_date_order(columns: list[list]) -> tuple[str | None, str | None, str | None]:
    """(order, example, other): "mdy" or "dmy" when a day above 12 shows which number is the month; (None,
    example, None) when every such date could be read both ways; (None, None, None) when there are none; and
    (None, a day-first date, a month-first date) when some show one order and some the other (13/10/2026 and
    10/20/2026 in one file: no one order reads it)."""
    day_first = month_first = example = None
    for values in columns:
        for v in values:
            m = _DMY.match(str(v).strip()) if v is not None else None
            if not m:
                continue
            text = str(v).strip()
            example = example or text
            a, b = int(m.group(1)), int(m.group(2))
            day_first = day_first or (text if a > 12 else None)
            month_first = month_first or (text if b > 12 else None)
    if day_first and month_first:
        return None, day_first, month_first
    if day_first:
        return "dmy", example, None
    if month_first:
        return "mdy", example, None
    return None, example, None


_TWO_DIGIT_YEAR = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2})(?:[ T].*)?$")
# An export's dates span a few years: read year first, 01/10/25 … 31/10/25 would spread one month over 2001-2031.
_YEARS_SPANNED = 5


def year_first_possible(value) -> bool:
    """A date with a two-digit year that reads year first as well: 26-10-01, not 10/17/25."""
    m = _TWO_DIGIT_YEAR.match(str(value).strip()) if value is not None else None
    return m is not None and 1 <= int(m.group(3)) <= 12


def two_digit_year(columns: list[list]) -> tuple[str, str, bool] | None:
    """(example, separator, whether year first is the recent reading) when the file's dates have a two-digit
    year and every one of them could also be read year first: 26-10-01 is 2026-10-01 or 26 October 2001, and only
    the user knows which. None when there are none, or when a middle number above 12 rules the year-first reading
    out (10/17/25)."""
    example, later, firsts, lasts = None, 0, set(), set()
    for values in columns:
        for v in values:
            m = _TWO_DIGIT_YEAR.match(str(v).strip()) if v is not None else None
            if not m:
                continue
            if int(m.group(3)) > 12 or int(m.group(3)) == 0:
                return None
            example = example or (str(v).strip(), m.group(2))
            firsts.add(int(m.group(1)))
            lasts.add(int(m.group(4)))
            later += 1 if int(m.group(1)) > int(m.group(4)) else -1 if int(m.group(1)) < int(m.group(4)) else 0
    if firsts and max(firsts) - min(firsts) > _YEARS_SPANNED:
        return None
    if not example:
        return None
    # The reading to propose: the one whose years an export could span (25-10-01 … 25-10-31 read day first spans
    # 2001-2031), else the one that makes the dates recent (26-10-01 → 2026, not 2001; 15/10/26 → 2026).
    day_first_spread = max(lasts) - min(lasts) > _YEARS_SPANNED
    return example[0], example[1], day_first_spread or later > 0


# ---------------------------------------------------------------- matching


def _parts_for(ds: d.Dataset, f: d.Field) -> list[P]:
    return PARTS.get(f"{ds.name}.{f.name}", PARTS.get(f.name, []))


@lru_cache(maxsize=1024)
def _exact(f: d.Field) -> frozenset[str]:
    return frozenset(normalise(s) for s in (f.name, *f.synonyms))


def _is_date_group(group: tuple[str, ...]) -> bool:
    return "日期" in group


def header_score(ds: d.Dataset, f: d.Field, header: str, dated: bool = False) -> tuple[int, str] | None:
    """How well a header names a field, from its words alone: (3|2|1, why) or None. dated: the
    column's values are dates, which says what a date word would (a header "Created" of dates)."""
    return _header_score(ds.name, f.name, str(header), dated)


@lru_cache(maxsize=262144)
def _header_score(ds_name: str, f_name: str, header: str, dated: bool) -> tuple[int, str] | None:
    ds = d.DATASETS[ds_name]
    f = ds.field(f_name)
    norm, toks = normalise(header), _tokens(header)
    if not norm:
        return None
    if norm in _exact(f):
        # A bare 金额 or 日期 names the field less surely than 实收金额 or 收费日期.
        if norm in BARE_STATUS:
            return 1, "synonym"
        generic = norm in GENERIC["date"] or norm in GENERIC["amount"]
        return (2, "synonym") if generic else (3, "synonym")
    for groups, avoid in _parts_for(ds, f):
        if all(_any(norm, toks, g) or (dated and _is_date_group(g)) for g in groups) and not _any(norm, toks, avoid):
            return 2, "parts"
    if f.name == ds.date_field and norm in GENERIC["date"]:
        return 1, "generic"
    if MAIN_AMOUNT.get(ds.name) == f.name and norm in GENERIC["amount"]:
        return 1, "generic"
    return None


@dataclass
class Match:
    column: str
    field: str
    score: int
    why: str  # synonym | parts | generic | values | mapping | constant | computed
    values: int = 0  # +1 confirmed by values, 0 no evidence


@dataclass
class Candidate:
    dataset: d.Dataset
    matches: dict[str, Match]  # column -> match
    score: float
    hinted: bool
    missing: list[str]  # required fields not found

    @property
    def viable(self) -> bool:
        return not self.missing

    @property
    def fields(self) -> set[str]:
        return {m.field for m in self.matches.values()}


@dataclass
class Recognition:
    """The chosen dataset and mapping, the runner-up, and every reason to doubt them."""

    best: Candidate
    others: list[Candidate]
    headers: dict[str, str]
    profiles: dict[str, Profile]
    doubts: list[tuple[str, dict]] = field(default_factory=list)  # (message key, arguments)
    hint_words: dict[str, str] = field(default_factory=dict)

    @property
    def sure(self) -> bool:
        return self.best.viable and not self.doubts


def hint_scores(text: str) -> dict[str, str]:
    """dataset -> the hint word found, for the datasets with the longest word found in text."""
    text = unicodedata.normalize("NFKC", text).lower()
    found: dict[str, str] = {}
    for name, words in HINTS.items():
        hits = [w for w in words if w in text]
        if hits:
            found[name] = max(hits, key=len)
    if not found:
        return {}
    longest = max(len(w) for w in found.values())
    return {k: w for k, w in found.items() if len(w) == longest}


def match_dataset(
    ds: d.Dataset,
    headers: dict[str, str],
    profiles: dict[str, Profile],
    fixed: dict[str, Match] | None = None,
    hinted: bool = False,
) -> Candidate:
    fixed = dict(fixed or {})
    taken = {m.field for m in fixed.values()}
    order = {f.name: i for i, f in enumerate(ds.fields)}
    cands: list[tuple[int, int, int, int, str, str, str, int]] = []
    for pos, (col, text) in enumerate(headers.items()):
        if col in fixed:
            continue
        for f in ds.fields:
            if f.name in taken:
                continue
            prof = profiles.get(col, Profile())
            hs = header_score(ds, f, text, dated=prof.kind() == "date" and f.type in (d.DATE, d.PERIOD))
            if hs is None:
                continue
            score, why = hs
            fit = value_fit(f, profiles.get(col, Profile()))
            if fit is None:
                if why != "synonym":
                    continue
                fit = -1  # a known header with odd values: keep it, the converter reports the cells
            cands.append((-(score + fit), -int(f.required), pos, order[f.name], col, f.name, why, fit))
    matches = dict(fixed)
    for neg, _req, _pos, _ord, col, fname, why, fit in sorted(cands):
        if col in matches or fname in taken:
            continue
        matches[col] = Match(col, fname, -neg - fit, why, fit)
        taken.add(fname)
    missing = [f.name for f in ds.required if f.name not in taken]
    score = sum(m.score + max(m.values, 0) for m in matches.values()) + (3 if hinted else 0)
    score += 2 * sum(1 for f in ds.required if f.name in taken)
    return Candidate(ds, matches, score, hinted, missing)


_SPLIT_AMOUNT = re.compile(r"本金|赠金|赠送|现金|卡扣|卡金|储值|微信|支付宝|刷卡|银行卡")


def split_parts(rec: Recognition) -> dict[str, list[str]]:
    """The fields a split amount fills from one of its parts, with every part's header: 本金余额 taken as the balance
    beside an unread 赠金余额 (both the 余额, one in principal, one in bonus) gives {"balance": [本金余额, 赠金余额]}.
    A proposed mapping sums them (trial 8's G6: the balance alone understated the cards' liability by its bonus)."""
    out: dict[str, list[str]] = {}
    for col, m in rec.best.matches.items():
        text = rec.headers.get(col, "")
        norm = normalise(text)
        if col.startswith("=") or not _SPLIT_AMOUNT.search(norm):
            continue
        rest = _SPLIT_AMOUNT.sub("", norm)
        others = [
            h
            for c, h in rec.headers.items()
            if c not in rec.best.matches
            and not c.startswith("=")
            and rec.profiles.get(c, Profile()).kind() == "number"
            and _SPLIT_AMOUNT.search(normalise(h))
            and _SPLIT_AMOUNT.sub("", normalise(h)) == rest
        ]
        if rest and others:
            out[m.field] = [text, *others]
    return out


def _typed_unused(rec_best: Candidate, headers: dict[str, str], profiles: dict[str, Profile]) -> list[tuple[str, str]]:
    """Columns holding dates, amounts or phones that no field claims and no known word excuses."""
    out = []
    # The fields a part of a split amount filled (本金余额 as the balance): another part beside it is unread.
    part_taken = {m.field for c, m in rec_best.matches.items() if _SPLIT_AMOUNT.search(normalise(headers.get(c, "")))}
    for col, text in headers.items():
        if col in rec_best.matches:
            continue
        kind = profiles.get(col, Profile()).kind()
        if kind not in ("date", "number", "phone"):
            continue
        # A phone matters where the dataset keeps phones; a staff roster's phone numbers do not.
        if kind == "phone" and not any(f.type == d.PHONE for f in rec_best.dataset.fields):
            continue
        norm, toks = normalise(text), _tokens(str(text))
        if _any(norm, toks, IGNORABLE):
            continue
        # A second column for a field already filled (备用电话, a second consultant, 金额 beside 实收金额) is
        # known, not unread; a part of a split amount is not: 本金余额 beside 赠金余额 split one balance, 现金实收
        # beside 卡扣实收 one payment, and taking one part alone understates it.
        # (A split only when the column that filled the field is a part too: beside a total, 余额 with 本金余额 and
        # 赠金余额, the parts are details.)
        split = kind == "number" and bool(_SPLIT_AMOUNT.search(norm))
        if any(
            header_score(rec_best.dataset, f, text) and not (split and f.name in part_taken)
            for f in rec_best.dataset.fields
            if f.name in rec_best.fields
        ):
            continue
        # Counts (到院次数, 件数) are whole numbers; the rule is about money, dates and phones.
        p = profiles[col]
        if kind == "number" and p.integers and p.distinct <= 20 and not _any(norm, toks, AMOUNT_W):
            continue
        out.append((text, kind))
    return out


def _dated_by_values(
    cands: list[Candidate], headers: dict[str, str], profiles: dict[str, Profile]
) -> tuple[Candidate, Candidate] | None:
    """The best dataset that lacks only its date while the file has exactly one column of dates it leaves
    unread (an arrivals register dated 登记日期, a word of leads): (the candidate, it completed with that column
    as its date, the match scored as match_dataset scores a generic header confirmed by its values)."""
    done = []
    for c in cands:
        if not c.missing or c.dataset.field(c.missing[0]).type not in (d.DATE, d.PERIOD):
            continue
        completed = _completed_by_values(c, headers, profiles)
        if completed is not None:
            done.append((c, completed))
    return max(done, key=lambda pair: pair[1].score, default=None)


# What a lone unread column must hold to stand in for a missing required field of each type.
_KIND_FOR = {d.DATE: "date", d.PERIOD: "date", d.AMOUNT: "number", d.NUMBER: "number"}


def _completed_by_values(c: Candidate, headers: dict[str, str], profiles: dict[str, Profile]) -> Candidate | None:
    """c lacking one required field, completed with the one column of that field's kind it leaves unread; the
    match scored as match_dataset scores a generic header confirmed by its values. None when that is not so."""
    if c.viable or len(c.missing) != 1:
        return None
    want = _KIND_FOR.get(c.dataset.field(c.missing[0]).type)
    free = [col for col in headers if col not in c.matches and profiles.get(col, Profile()).kind() == want]
    if want is None or len(free) != 1:
        return None
    matches = {**c.matches, free[0]: Match(free[0], c.missing[0], 1, "values", 1)}
    return Candidate(c.dataset, matches, c.score + 2 + 2, c.hinted, [])


def _named_by_values(
    cands: list[Candidate], hints: dict[str, str], headers: dict[str, str], profiles: dict[str, Profile]
) -> Candidate | None:
    """The dataset the file's name points to, when it lacks only one required field and exactly one column of
    that field's kind is left unread (投放消耗.csv with 日期, 渠道, 消费金额(元): spend, the amount by its values).
    It leads the guess, which its "values" match keeps refused: the user confirms the proposal."""
    if not hints or cands[0].dataset.name in hints:
        return None
    for c in cands:
        completed = _completed_by_values(c, headers, profiles) if c.dataset.name in hints else None
        # Only a reading that also takes every column the first guess reads: a leads file named 抖音推广 must
        # not become spend by leaving 姓名 and 手机号码 unread and taking 年龄 as the amount.
        if completed is not None and set(cands[0].matches) <= set(completed.matches):
            return completed
    return None


def _margin(best: Candidate) -> int:
    """How close a rival's score may come before the guess is in doubt: an upsert replaces records."""
    return 4 if best.dataset.mode == "upsert" else 2


def _contest_by_date(
    cands: list[Candidate], hints: dict[str, str], headers: dict[str, str], profiles: dict[str, Profile]
) -> tuple[list[Candidate], Candidate | None]:
    """A dataset that reads the file as well once its one column of dates is taken as its date is a rival (a
    visits register dated 登记日期 reads as leads, leaving 初复诊 and 接诊咨询师 unread). Gives the candidates with
    it first when the file's name points to it or it reads more columns (the guess, still refused), else the
    rival when it comes close."""
    undated = _dated_by_values(cands, headers, profiles)
    if undated is None:
        return cands, None
    first, (lacking, done) = cands[0], undated
    named = done.dataset.name in hints and first.dataset.name not in hints
    # Only a rival that reads, by headers that name its fields outright, columns the first leaves unread
    # (初复诊, 接诊咨询师) is one: an orders file read as treatments dated by 收费日期 gains only a bare 金额.
    gains = any(col not in first.matches and m.score >= 3 for col, m in done.matches.items())
    # And only over the date the first reads as its own event's (登记日期 as lead_date): a customer list's
    # 建档日期 is an attribute, and a leads reading dated by it that reads 意向项目 is no rival.
    dated = next(col for col, m in done.matches.items() if m.why == "values")
    own = first.matches.get(dated)
    gains = gains and own is not None and own.field in {f.name for f in first.dataset.required}
    # Columns read first: the value checks a leads reading gets for its phone are no reason to leave
    # 初复诊 and 接诊咨询师 unread.
    if named or gains and (len(done.matches), done.score) > (len(first.matches), first.score):
        return [done, *(c for c in cands if c is not lacking)], None
    if gains and (len(done.matches) >= len(first.matches) or done.score >= first.score - _margin(first)):
        return cands, done
    return cands, None


def recognise(
    headers: dict[str, str],
    profiles: dict[str, Profile],
    *,
    context: str,
    pool: list[d.Dataset],
    fixed: dict[str, Match] | None = None,
    forced: bool = False,
) -> Recognition:
    """Pick the dataset and mapping. `forced`: the user named the dataset or gave a mapping, so the
    doubts that guard a guess are not raised."""
    hints = hint_scores(context)
    cands = [match_dataset(ds, headers, profiles, fixed, ds.name in hints) for ds in pool]
    cands.sort(key=lambda c: (c.viable, c.score), reverse=True)
    undated_rival = None
    if not forced and cands[0].viable:
        cands, undated_rival = _contest_by_date(cands, hints, headers, profiles)
    named = None if forced else _named_by_values(cands, hints, headers, profiles)
    if named is not None:
        cands = [named, *(c for c in cands if c.dataset is not named.dataset)]
    best, others = cands[0], cands[1:]
    rec = Recognition(best, others, headers, profiles, hint_words=hints)
    if forced or not best.viable:
        return rec
    for m in best.matches.values():
        if m.why == "values":
            kind = profiles.get(m.column, Profile()).kind() or "date"
            rec.doubts.append(("by_values", {"header": headers[m.column], "field": m.field, "kind": kind}))
    if undated_rival is not None:
        rec.doubts.append(("alike", {"other": undated_rival.dataset.name, "a": best.score, "b": undated_rival.score}))
    unused = _typed_unused(best, headers, profiles)
    for text, kind in unused:
        rec.doubts.append(("unused", {"header": text, "kind": kind}))
    if hints and best.dataset.name not in hints:
        other = next(iter(hints))
        rec.doubts.append(("name_elsewhere", {"word": hints[other], "other": other}))
    # A rival counts when it explains the file as well: viable, and leaving no dates, amounts or
    # phones unread (a leads reading of a customer file leaves the birthdays).
    rival = next((c for c in others if c.viable and not _typed_unused(c, headers, profiles)), None)
    if rival is not None and rival.score >= best.score - _margin(best):
        rec.doubts.append(("alike", {"other": rival.dataset.name, "a": best.score, "b": rival.score}))
    if best.dataset.mode == "upsert":
        # An upsert replaces records: the file must say so by more than its key.
        strong = [m for m in best.matches.values() if m.field not in best.dataset.key and m.score >= 2]
        if not strong:
            rec.doubts.append(("thin", {}))
    return rec
