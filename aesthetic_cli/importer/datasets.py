"""The canonical datasets of SPEC §1: fields, types, header synonyms and how rows are keyed.

Synonyms are matched after `normalise_header` (case, spaces, brackets and units removed), so
`实收金额（元）`, `Paid Amount` and `paid_amount` all find `paid_amount`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aesthetic_cli.importer.scripts import either_script

# Field types the converter knows.
TEXT, DATE, AMOUNT, NUMBER, PHONE, BOOL, PERIOD = "text", "date", "amount", "number", "phone", "bool", "period"


@dataclass(frozen=True)
class Field:
    name: str
    type: str = TEXT
    required: bool = False
    synonyms: tuple[str, ...] = ()
    # A name users type by hand (consultants, channels): new spellings are listed after import.
    watch_names: str | None = None
    # A cell matching voids (lower-cased) says the row is no fact: a voided bill, a visit that did not happen. The
    # row is rejected with the reason (English, as every stored reason), listed like every reject, so nothing counts
    # it and nothing is lost silently.
    # Each rule a (pattern, reason), the first that matches giving the reason.
    voids: tuple[tuple[str, str], ...] = ()
    # ... unless the cell speaks of a refund (退款已撤销, Cancelled refund: the refund was undone, not the bill).
    void_unless: str | None = None

    @property
    def void_pattern(self) -> str:
        return "|".join(f"(?:{pattern})" for pattern, _ in self.voids)


@dataclass(frozen=True)
class Dataset:
    name: str
    label_zh: str
    fields: tuple[Field, ...]
    # append: fact rows, deduplicated on `key` plus the row's rank among equal keys in its file.
    # upsert: one row per `key`; a newer export fills in or corrects it.
    mode: str
    key: tuple[str, ...]
    date_field: str | None = None
    needs_clinic: bool = True
    # Numeric fields summed when an upsert file repeats a key (spend split by campaign).
    sum_fields: tuple[str, ...] = ()
    natural_key: tuple[str, ...] = field(default=())
    # A date of the record that says which of two versions is newer (a card's last use): an upsert keeps the
    # newest, so an older export imported after a newer one replaces nothing.
    newest_by: str | None = None
    # A running total of the record that only grows (a card's 累计充值): on the same newest_by date, the larger is
    # the newer version (a recharge leaves the last use as it was).
    grows: str | None = None
    # (bill id, kind, line): the fields that name one line of a bill whatever its date or amount, so that a later
    # export covering its day that gives it another date or amount corrects it instead of adding it twice.
    corrects_by: tuple[str, str, str] | None = None
    # Fields that say two lines are one, whether an export keyed it by its natural key (a bill number) or, lacking one,
    # by its content: a CRM's two templates of the same days, one with 单号 and one without, are matched on these (and
    # the clinic) instead of loading each line twice (importer/load.py _other_template).
    twins_by: tuple[str, ...] = ()
    # Fields of an upsert record that, all different where both sides give them, say that a row with a stored key
    # but another clinic is another record: two clinics' systems numbering their customers (or cards) alike. An
    # update would merge two people; the file is refused instead (importer/load.py _refuse_other_records).
    other_record_when: tuple[str, ...] = ()

    @property
    def required(self) -> list[Field]:
        return [f for f in self.fields if f.required]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]


CUSTOMER_ID = (
    "顾客编号",
    "客户编号",
    "档案号",
    "会员编号",
    "顾客id",
    "客户id",
    "会员id",
    "customer",
    "customerno",
    "客户号",
    "顾客号",
    "病历号",
    "会员号",
    "客户代码",
    "顾客代码",
    "档案编号",
    "客户档案号",
    "clientid",
    "memberid",
    "memberno",
    "customerid",
    "patientid",
    "client",
)
PHONE_SYN = (
    "手机号",
    "手机",
    "电话",
    "联系电话",
    "手机号码",
    "联系方式",
    "客户手机",
    "顾客手机",
    "手机号码1",
    "mobile",
    "tel",
    "telephone",
    "phonenumber",
    "cellphone",
    "phone",
)
# A CRM with two levels (一级渠道 线上/线下 over 二级渠道 抖音/小红书) is read at the second, the level its spend
# and leads are booked at: those names are known headers, so they win over a header that merely says 渠道.
CHANNEL = (
    *("渠道", "来源", "来源渠道", "渠道来源", "客户来源", "媒体", "平台", "推广渠道", "source"),
    *("二级渠道", "渠道明细", "细分渠道", "子渠道", "渠道细分", "二级来源", "来源明细", "二级来源渠道"),
)
CONSULTANT = (
    "现场咨询师",
    "咨询师",
    "现场咨询",
    "接诊咨询师",
    "开单咨询师",
    "顾问",
    "现场顾问",
    "咨询顾问",
    "美学设计师",
    "成交咨询师",
    "consultant",
    "advisor",
    "salesperson",
)
ONLINE = ("网络咨询师", "网电咨询", "网电咨询师", "网咨", "网络咨询", "网电", "onlineconsultant")
DEPARTMENT = ("科室", "部门", "所属科室", "dept")
ITEM = (
    "项目",
    "项目名称",
    "品项",
    "商品名称",
    "收费项目",
    "治疗项目",
    "服务项目",
    "消费项目",
    "产品名称",
    "项目/产品",
    "product",
    "service",
    "treatment",
    "itemname",
)
CLINIC = Field(
    "clinic",
    TEXT,
    synonyms=(
        "门店",
        "机构",
        "院区",
        "分院",
        "门诊",
        "所属门店",
        "店铺",
        "医院",
        "store",
        "branch",
        "门店名称",
        "机构名称",
        "诊所",
        "消费门店",
        "location",
        "site",
    ),
)


def _f(name, type_=TEXT, required=False, synonyms=(), watch=None, voids=None) -> Field:
    """voids: ((pattern, reason), ..., unless) as VOIDED and NOT_VISITED write them."""
    rules, unless = (tuple(voids[:-1]), voids[-1]) if voids else ((), None)
    return Field(name, type_, required, tuple(synonyms), watch, rules, unless)


# A bill voided, revoked or cancelled after it was keyed, as a status or a kind column says: no money changed hands
# (a red reversal, 红冲, is a line of its own and a refund).
VOIDED_BILL = (either_script(r"作废|撤销|撤单|取消|无效|void|cancel"), "a voided or cancelled bill: not counted")
VOIDED = (VOIDED_BILL, r"退|refund")
# A session of a course bought before, deducted (划扣) in a 消费明细 that lists it beside the sales: the course was the
# sale; the session is consumption, which treatments count. (Paying for an item with stored value is a sale.)
REDEEMED = (
    either_script(r"划扣|核销|扣次|耗次|疗程消耗"),
    "a session of a course deducted (划扣): consumption, not a sale",
)
KIND_VOIDS = (VOIDED_BILL, REDEEMED, r"退|refund")
# A visit registered ahead (an appointment) that did not happen: 未到院, 已取消, 爽约.
NOT_VISITED = (
    (
        either_script(r"未到|待到|未来|取消|爽约|失约|作废|no.?show|cancel|not arrived"),
        "a visit that did not happen (not arrived, cancelled, no-show): not counted",
    ),
    # 取消治疗: the customer came and decided against the treatment.
    either_script(r"治疗|手术|项目|退|treatment"),
)


DATASETS: dict[str, Dataset] = {}


def _register(ds: Dataset) -> None:
    DATASETS[ds.name] = ds


_register(
    Dataset(
        "customers",
        "顾客档案",
        (
            _f("customer_id", TEXT, True, CUSTOMER_ID + ("卡号",)),
            _f("name", TEXT, False, ("姓名", "顾客姓名", "客户姓名", "名字", "客户名称")),
            _f("phone", PHONE, False, PHONE_SYN),
            _f("gender", TEXT, False, ("性别", "sex")),
            _f("birth_date", DATE, False, ("生日", "出生日期", "birthday", "dob")),
            _f("registered_at", DATE, False, ("建档日期", "建档时间", "注册日期", "创建时间", "建档", "registered")),
            _f("source_channel", TEXT, False, CHANNEL + ("source_channel",), "channel"),
            _f("referrer_id", TEXT, False, ("推荐人编号", "推荐人id", "介绍人编号", "推荐人卡号", "referrer")),
            _f(
                "owner_consultant",
                TEXT,
                False,
                ("所属咨询师", "归属咨询师", "专属咨询师", "咨询师", "所属顾问", "顾问", "owner", "advisor"),
                "consultant",
            ),
            _f("member_level", TEXT, False, ("会员等级", "等级", "会员级别", "level")),
            CLINIC,
        ),
        mode="upsert",
        key=("customer_id",),
        other_record_when=("name", "phone"),
        date_field="registered_at",
        needs_clinic=False,
    )
)

_register(
    Dataset(
        "leads",
        "网电线索",
        (
            _f(
                "lead_date",
                DATE,
                True,
                (
                    "咨询日期",
                    "登记日期",
                    "线索日期",
                    "留资日期",
                    "录入日期",
                    "录入时间",
                    "创建日期",
                    "咨询时间",
                    "date",
                ),
            ),
            _f("channel", TEXT, True, CHANNEL, "channel"),
            _f("online_consultant", TEXT, False, ONLINE + ("客服",), "consultant"),
            _f("phone", PHONE, False, PHONE_SYN),
            _f("customer_id", TEXT, False, CUSTOMER_ID),
            _f(
                "appointment_date", DATE, False, ("预约日期", "预约时间", "预约到院日期", "预约到院时间", "appointment")
            ),
            _f("arrived", BOOL, False, ("是否到院", "到院", "已到院", "是否到店", "arrived")),
            _f("lead_id", TEXT, False, ("线索编号", "线索id", "线索号")),
            _f("name", TEXT, False, ("姓名", "客户姓名", "顾客姓名")),
            _f("intended_item", TEXT, False, ("意向项目", "咨询项目")),
            CLINIC,
        ),
        mode="append",
        key=("lead_date", "channel", "phone", "customer_id", "online_consultant"),
        natural_key=("lead_id",),
        date_field="lead_date",
    )
)

_register(
    Dataset(
        "visits",
        "到院接诊",
        (
            _f(
                "visit_date",
                DATE,
                True,
                (
                    "到院日期",
                    "接诊日期",
                    "到院时间",
                    "来院日期",
                    "就诊日期",
                    "到店日期",
                    "接诊时间",
                    "到店时间",
                    "来院时间",
                    "分诊日期",
                    "分诊时间",
                    "visitdate",
                    "arrivaldate",
                ),
            ),
            _f("customer_id", TEXT, True, CUSTOMER_ID),
            _f("visit_type", TEXT, False, ("初诊/复诊/复查", "就诊类型", "到院类型", "接诊类型", "初复诊", "类型")),
            _f("channel", TEXT, False, CHANNEL, "channel"),
            _f("consultant", TEXT, False, CONSULTANT, "consultant"),
            _f("online_consultant", TEXT, False, ONLINE, "consultant"),
            _f("department", TEXT, False, DEPARTMENT),
            _f("intended_item", TEXT, False, ("意向项目", "咨询项目", "意向")),
            _f("no_deal_reason", TEXT, False, ("未成交原因", "未成交原因分析", "流失原因")),
            _f(
                "status",
                TEXT,
                False,
                ("到院状态", "到店状态", "接诊状态", "就诊状态", "状态", "visitstatus", "status"),
                voids=NOT_VISITED,
            ),
            CLINIC,
        ),
        mode="append",
        key=("customer_id", "visit_date"),
        date_field="visit_date",
    )
)

_register(
    Dataset(
        "orders",
        "收费明细",
        (
            _f(
                "order_date",
                DATE,
                True,
                (
                    "收费日期",
                    "成交日期",
                    "消费日期",
                    "收款日期",
                    "结算日期",
                    "下单日期",
                    "收费时间",
                    "成交时间",
                    "收银日期",
                    "单据日期",
                    "开单日期",
                    "结账日期",
                    "业绩日期",
                    "orderdate",
                    "saledate",
                    "paymentdate",
                    "transactiondate",
                ),
            ),
            _f("customer_id", TEXT, True, CUSTOMER_ID),
            _f("item", TEXT, True, ITEM),
            _f(
                "paid_amount",
                AMOUNT,
                True,
                (
                    "实收金额",
                    "实付金额",
                    "收款金额",
                    "实收",
                    "实付",
                    "成交金额",
                    "业绩金额",
                    "消费金额",
                    "实收款",
                    "收银金额",
                    "金额",
                    "paid",
                    "paidamount",
                    "amountpaid",
                    "netamount",
                    "revenue",
                    "amount",
                ),
            ),
            _f("order_id", TEXT, False, ("单号", "订单号", "收费单号", "单据号", "流水号", "order")),
            _f("department", TEXT, False, DEPARTMENT),
            _f("quantity", NUMBER, False, ("数量", "次数", "qty")),
            _f("list_amount", AMOUNT, False, ("应收金额", "原价", "标准价", "应收", "list")),
            _f(
                "payment_method",
                TEXT,
                False,
                (
                    "支付方式",
                    "付款方式",
                    "收款方式",
                    "结算方式",
                    "支付类型",
                    "支付渠道",
                    "payment",
                    "paymentmethod",
                    "paymenttype",
                    "tender",
                ),
            ),
            _f("consultant", TEXT, False, CONSULTANT, "consultant"),
            _f("doctor", TEXT, False, ("医生", "主治医生", "治疗医生", "操作医生"), "consultant"),
            _f(
                "kind",
                TEXT,
                False,
                (
                    "类型",
                    "收费类型",
                    "业务类型",
                    "单据类型",
                    "交易类型",
                    "操作类型",
                    "款项类型",
                    "收支类型",
                    "订单类型",
                ),
                voids=KIND_VOIDS,
            ),
            _f(
                "status",
                TEXT,
                False,
                (
                    "单据状态",
                    "订单状态",
                    "收费状态",
                    "结算状态",
                    "账单状态",
                    "交易状态",
                    # A bare 状态 on a bill's line is the bill's (trial 8's G2: 已作废 lines counted as sales).
                    "状态",
                    "orderstatus",
                    "status",
                ),
                voids=VOIDED,
            ),
            CLINIC,
        ),
        mode="append",
        key=("order_date", "customer_id", "item", "paid_amount", "payment_method"),
        natural_key=("order_id", "order_date", "item", "paid_amount"),
        corrects_by=("order_id", "line_kind", "item"),
        twins_by=("order_date", "customer_id", "item", "paid_amount"),
        date_field="order_date",
    )
)

_register(
    Dataset(
        "treatments",
        "治疗划扣",
        (
            _f("treatment_date", DATE, True, ("治疗日期", "划扣日期", "消耗日期", "执行日期", "操作日期", "治疗时间")),
            _f("customer_id", TEXT, True, CUSTOMER_ID),
            _f("item", TEXT, True, ITEM),
            _f("consumed_amount", AMOUNT, False, ("消耗金额", "划扣金额", "消耗", "金额", "consumed")),
            _f("sessions", NUMBER, False, ("次数", "疗程次数", "划扣次数", "数量")),
            _f("operator", TEXT, False, ("操作人", "医生", "治疗师", "操作医生", "操作员"), "consultant"),
            # 划扣 or 撤销划扣: a reversal keyed positive takes its session back (convert._derive).
            _f("kind", TEXT, False, ("操作类型", "划扣类型", "业务类型", "消耗类型", "类型", "type")),
            CLINIC,
        ),
        mode="append",
        key=("treatment_date", "customer_id", "item", "consumed_amount"),
        date_field="treatment_date",
    )
)

_register(
    Dataset(
        "spend",
        "营销费用",
        (
            _f("period", PERIOD, True, ("月份", "日期", "时间", "投放日期", "统计月份", "投放月份", "month", "date")),
            _f("channel", TEXT, True, CHANNEL, "channel"),
            _f("amount", AMOUNT, True, ("费用", "消耗", "花费", "金额", "投放金额", "消费", "投放费用", "cost")),
            _f("impressions", NUMBER, False, ("曝光量", "展现量", "曝光", "展现")),
            _f("clicks", NUMBER, False, ("点击", "点击量")),
            _f("inquiries", NUMBER, False, ("咨询量", "私信数", "留资数", "线索数", "私信")),
            CLINIC,
        ),
        mode="upsert",
        key=("clinic", "period", "channel"),
        date_field="period",
        sum_fields=("amount", "impressions", "clicks", "inquiries"),
    )
)

_register(
    Dataset(
        "cards",
        "储值卡",
        (
            _f("card_id", TEXT, True, ("卡号", "储值卡号", "会员卡号", "卡编号", "card")),
            _f("customer_id", TEXT, True, CUSTOMER_ID),
            _f("opened_at", DATE, False, ("开卡日期", "开卡时间", "办卡日期")),
            _f("card_type", TEXT, False, ("卡类型", "卡种", "卡名称", "卡项")),
            _f("recharge_total", AMOUNT, False, ("充值金额", "累计充值", "充值总额", "本金", "recharge")),
            _f("bonus_total", AMOUNT, False, ("赠送金额", "累计赠送", "赠金", "bonus")),
            _f("balance", AMOUNT, False, ("余额", "剩余金额", "卡余额", "剩余")),
            _f(
                "last_used_at",
                DATE,
                False,
                ("最后消费日期", "最近使用日期", "最后使用日期", "最近消费日期", "lastused"),
            ),
            CLINIC,
        ),
        mode="upsert",
        key=("card_id",),
        other_record_when=("customer_id",),
        date_field="opened_at",
        newest_by="last_used_at",
        grows="recharge_total",
    )
)

_register(
    Dataset(
        "items",
        "项目目录",
        (
            _f("item", TEXT, True, ITEM),
            _f("department", TEXT, False, DEPARTMENT),
            _f("role", TEXT, False, ("项目定位", "定位", "品项定位", "品项类型", "项目类型")),
            _f("list_price", AMOUNT, False, ("标准价", "价格", "原价", "单价", "定价", "price")),
            _f("unit_cost", AMOUNT, False, ("成本", "单位成本", "成本价", "cost")),
            CLINIC,
        ),
        mode="upsert",
        key=("item",),
        needs_clinic=False,
    )
)

_register(
    Dataset(
        "staff",
        "员工",
        (
            _f("name", TEXT, True, ("姓名", "员工姓名", "员工", "名字")),
            _f("role", TEXT, False, ("岗位", "角色", "职位", "职务")),
            _f("department", TEXT, False, DEPARTMENT),
            CLINIC,
        ),
        mode="upsert",
        key=("name",),
        needs_clinic=False,
    )
)

_BRACKETS = re.compile(r"[（(\[【].*?[)）\]】]")
_NOISE = re.compile(r"[\s_\-*:：#./]")


def normalise_header(header: str | None) -> str:
    if header is None:
        return ""
    h = _BRACKETS.sub("", str(header)).strip().lower()
    h = _NOISE.sub("", h)
    return h


def synonym_index(ds: Dataset) -> dict[str, str]:
    """normalised header -> field name (the field's own English name counts as a synonym)."""
    index: dict[str, str] = {}
    for f in ds.fields:
        for s in (f.name, *f.synonyms):
            index.setdefault(normalise_header(s), f.name)
    return index


def all_synonyms() -> set[str]:
    return {s for ds in DATASETS.values() for s in synonym_index(ds)}
