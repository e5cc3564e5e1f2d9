"""Write a simulated world as a Chinese CRM/POS would export it, mess included.

The mess is deliberate and small, so the demo exercises the importer: title rows, 合计 rows,
GBK and BOM CSVs, amounts as `¥1,234.00` text, dates in several forms, a few bad rows and an
orders re-export that overlaps the previous one. The fast path writes clean CSVs for benchmarks.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from aesthetic_cli.sample import model as m
from aesthetic_cli.sample.simulate import World

FIXED_TIME = dt.datetime(2026, 1, 1)  # workbook metadata: same seed, same bytes

COLUMNS = {
    "customers": [
        ("顾客编号", "customer_id"),
        ("姓名", "name"),
        ("手机号", "phone"),
        ("性别", "gender"),
        ("生日", "birth_date"),
        ("建档日期", "registered_at"),
        ("来源渠道", "source_channel"),
        ("推荐人编号", "referrer_id"),
        ("所属咨询师", "owner_consultant"),
        ("会员等级", "member_level"),
        ("门店", "clinic"),
    ],
    "leads": [
        ("咨询日期", "lead_date"),
        ("渠道", "channel"),
        ("网络咨询师", "online_consultant"),
        ("客户姓名", "name"),
        ("手机号", "phone"),
        ("顾客编号", "customer_id"),
        ("预约日期", "appointment_date"),
        ("是否到院", "arrived"),
        ("门店", "clinic"),
    ],
    "visits": [
        ("到院日期", "visit_date"),
        ("顾客编号", "customer_id"),
        ("初诊/复诊/复查", "visit_type"),
        ("渠道", "channel"),
        ("现场咨询师", "consultant"),
        ("网络咨询师", "online_consultant"),
        ("科室", "department"),
        ("意向项目", "intended_item"),
        ("未成交原因", "no_deal_reason"),
        ("门店", "clinic"),
    ],
    "orders": [
        ("收费日期", "order_date"),
        ("单号", "order_id"),
        ("顾客编号", "customer_id"),
        ("项目名称", "item"),
        ("科室", "department"),
        ("数量", "quantity"),
        ("应收金额", "list_amount"),
        ("实收金额", "paid_amount"),
        ("支付方式", "payment_method"),
        ("咨询师", "consultant"),
        ("医生", "doctor"),
        ("收费类型", "kind"),
        ("门店", "clinic"),
    ],
    "treatments": [
        ("划扣日期", "treatment_date"),
        ("顾客编号", "customer_id"),
        ("项目", "item"),
        ("划扣金额", "consumed_amount"),
        ("次数", "sessions"),
        ("操作人", "operator"),
        ("门店", "clinic"),
    ],
    "spend": [
        ("月份", "period"),
        ("渠道", "channel"),
        ("费用", "amount"),
        ("曝光量", "impressions"),
        ("点击", "clicks"),
        ("咨询量", "inquiries"),
        ("门店", "clinic"),
    ],
    "cards": [
        ("卡号", "card_id"),
        ("顾客编号", "customer_id"),
        ("开卡日期", "opened_at"),
        ("卡类型", "card_type"),
        ("充值金额", "recharge_total"),
        ("赠送金额", "bonus_total"),
        ("余额", "balance"),
        ("最后消费日期", "last_used_at"),
        ("门店", "clinic"),
    ],
}


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def write_csv(path: Path, header: list[str], rows, encoding: str = "utf-8", title: str | None = None) -> None:
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        if title:
            w.writerow([title])
        w.writerow(header)
        w.writerows(rows)


def write_xlsx(
    path: Path,
    sheet: str,
    header: list[str],
    rows,
    title: str | None = None,
    total: tuple[int, float] | None = None,
    date_cols: frozenset[int] | set[int] = frozenset(),
) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": FIXED_TIME, "author": "CRM导出"})
    ws = wb.add_worksheet(sheet)
    bold, datef = wb.add_format({"bold": True}), wb.add_format({"num_format": "yyyy-mm-dd"})
    r = 0
    if title:
        ws.merge_range(0, 0, 0, len(header) - 1, title, bold)
        r = 1
    ws.write_row(r, 0, header, bold)
    for row in rows:
        r += 1
        for c, v in enumerate(row):
            if isinstance(v, dt.date) and c in date_cols:
                ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), datef)
            elif v is None:
                continue
            elif isinstance(v, bool):
                ws.write_string(r, c, "是" if v else "否")
            elif isinstance(v, dt.date):
                ws.write_string(r, c, v.isoformat())
            else:
                ws.write(r, c, v)
    if total:
        r += 1
        ws.write(r, 0, "合计", bold)
        ws.write(r, total[0], total[1], bold)
    ws.freeze_panes(2 if title else 1, 0)
    wb.close()


def _rows(records: list[dict], dataset: str, fmt=None):
    keys = [k for _, k in COLUMNS[dataset]]
    for rec in records:
        yield [fmt(k, rec[k]) if fmt else rec[k] for k in keys]


def export_messy(world: World, out: Path, seed: int) -> list[Path]:
    """The default sample: what a clinic's CRM/POS actually hands over."""
    rng = random.Random(seed * 7919 + 1)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    heads = {ds: [h for h, _ in cols] for ds, cols in COLUMNS.items()}

    # Customers: xlsx, real date cells.
    p = out / "顾客档案.xlsx"
    write_xlsx(p, "顾客档案", heads["customers"], _rows(world.customers, "customers"), date_cols={4, 5})
    written.append(p)

    # Leads: GBK CSV (Excel's default for Chinese Windows), dates written 2025年1月3日.
    def lead_fmt(k, v):
        if isinstance(v, dt.date):
            return f"{v.year}年{v.month}月{v.day}日"
        return _text(v)

    p = out / "网电线索.csv"
    write_csv(p, heads["leads"], _rows(world.leads, "leads", lead_fmt), encoding="gbk")
    written.append(p)

    # Visits: UTF-8 with BOM, date and time.
    def visit_fmt(k, v):
        if k == "visit_date":
            return f"{v:%Y-%m-%d} {rng.randint(9, 20):02d}:{rng.choice((0, 15, 30, 45)):02d}"
        return _text(v)

    p = out / "到院登记.csv"
    write_csv(p, heads["visits"], _rows(world.visits, "visits", visit_fmt), encoding="utf-8-sig")
    written.append(p)

    # Orders: one workbook per year with a title row and a 合计 row; the second re-exports the
    # last month of the first (an overlap the importer must load once); a few bad rows.
    years = sorted({o["order_date"].year for o in world.orders})
    for year in years:
        lines = [o for o in world.orders if o["order_date"].year == year]
        if year != years[0]:
            lines = [
                o for o in world.orders if o["order_date"] >= dt.date(year - 1, 12, 1) and o["order_date"].year <= year
            ]
        rows = []
        for o in lines:
            row = [o[k] for _, k in COLUMNS["orders"]]
            if rng.random() < 0.1:
                row[7] = f"¥{o['paid_amount']:,.2f}"
            if rng.random() < 0.05:
                row[0] = f"{o['order_date'].year}/{o['order_date'].month}/{o['order_date'].day}"
            rows.append(row)
        if len(rows) > 10:
            # Two unreadable lines per workbook (an impossible date, a pending amount), as typed by hand.
            for i, (col, value) in ((len(rows) // 3, (0, "2025-02-30")), (len(rows) // 2, (7, "待定"))):
                bad = list(rows[i])
                bad[col] = value
                bad[1] = f"{bad[1]}-X"
                rows.insert(i, bad)
        total = sum(o["paid_amount"] for o in lines)
        p = out / f"收费明细_{year}.xlsx"
        write_xlsx(
            p,
            "收费明细",
            heads["orders"],
            rows,
            title=f"医美集团 {year}年收费明细（导出）",
            total=(7, round(total, 2)),
            date_cols={0},
        )
        written.append(p)

    p = out / "治疗划扣.csv"
    write_csv(p, heads["treatments"], _rows(world.treatments, "treatments", lambda k, v: _text(v)))
    written.append(p)

    def spend_fmt(k, v):
        return f"{v.year}年{v.month}月" if k == "period" else v

    p = out / "营销费用.xlsx"
    write_xlsx(p, "投放费用", heads["spend"], _rows(world.spend, "spend", spend_fmt), title="渠道投放费用（月度）")
    written.append(p)

    p = out / "储值卡.xlsx"
    write_xlsx(p, "储值卡", heads["cards"], _rows(world.cards, "cards"), date_cols={2, 7})
    written.append(p)

    p = out / "项目目录.xlsx"
    write_xlsx(
        p,
        "项目",
        ["项目名称", "科室", "项目定位", "标准价", "成本"],
        [[i.name, i.department, i.role, i.price, i.unit_cost] for i in m.ITEMS],
    )
    written.append(p)

    staff: list[list[str | None]] = []
    for clinic in world.clinics:
        staff += [[c.name, "现场咨询师", "咨询部", clinic] for c in m.CONSULTANTS[clinic]]
        staff += [[n, "网络咨询师", "网电部", clinic] for n in m.ONLINE[clinic]]
    staff += [[d, "医生", dept, None] for dept, ds in m.DOCTORS.items() for d in ds]
    p = out / "员工.xlsx"
    write_xlsx(p, "员工", ["姓名", "岗位", "科室", "门店"], staff)
    written.append(p)
    return written


def _shift_phone(k: int):
    """Copy k's phones: same prefix, last eight digits moved, so copies do not share phones."""
    import polars as pl

    p = pl.col("phone").cast(pl.String)
    tail = ((p.str.slice(3).cast(pl.Int64, strict=False) + k * 999_983) % 100_000_000).cast(pl.String).str.zfill(8)
    return (p.str.slice(0, 3) + tail).alias("phone")


def export_fast(world: World, out: Path, copies: int = 1) -> list[Path]:
    """Clean UTF-8 CSVs, one per dataset: the benchmark path, no xlsx and no mess.

    Large sizes tile the simulated world: copy k has its customer, card and order ids suffixed
    with -k, so the rates stay those of the simulation and rows grow exactly linearly. Each copy
    is streamed to the file, so memory stays that of one copy."""
    import polars as pl

    out.mkdir(parents=True, exist_ok=True)
    written = []
    id_cols = {"customer_id", "referrer_id", "order_id", "card_id"}
    for ds, cols in COLUMNS.items():
        keys = [k for _, k in cols]
        base = pl.DataFrame(
            [{k: r[k] for k in keys} for r in getattr(world, ds)],
            schema_overrides={k: pl.String for k in keys if k in id_cols},
            infer_schema_length=None,
        )
        if base.width == 0:
            base = pl.DataFrame(schema=dict.fromkeys(keys, pl.String))
        header = [h for h, _ in cols]
        p = out / f"{ds}.csv"
        with open(p, "wb") as fh:
            for k in range(copies):
                part = (
                    base
                    if k == 0
                    else base.with_columns(
                        [(pl.col(c) + f"-{k}").alias(c) for c in keys if c in id_cols and c in base.columns]
                        + ([_shift_phone(k)] if "phone" in base.columns else [])
                    )
                )
                part.rename(dict(zip(keys, header, strict=True))).write_csv(fh, include_header=(k == 0))
        written.append(p)
    return written
