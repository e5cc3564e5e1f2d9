"""One measured step, run in its own process so that peak memory is the step's own.

Prints one JSON line: {"seconds": wall time, "peak_mb": max resident memory, ...extra}."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _aesops(args: list[str]) -> None:
    from aesthetic_cli.cli import app

    try:
        app(args, prog_name="aesops", standalone_mode=False)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise


def import_files(db: str, *files: str) -> dict:
    _aesops(["import", *files, "--db", db, "--clinic", "本院"])
    return {}


def analysis(db: str, *args: str) -> dict:
    import io
    from contextlib import redirect_stdout

    with redirect_stdout(io.StringIO()):
        _aesops([*args, "--db", db, "--format", "json"])
    return {}


def report(db: str, out: str, month: str) -> dict:
    _aesops(["report", "monthly", "--month", month, "--out", out, "--db", db])
    return {}


def duckdb_kpis(db: str, month: str) -> dict:
    """The baseline of issue 11 (bench/hand_query.py), in-process: start-up from DuckDB's import on."""
    from bench.hand_query import kpis

    row = kpis(db, month)
    return {"sales": float(row[0] or 0), "buyers": row[1], "deal_visits": row[2], "visitors": row[3]}


def one_more_day(db: str, orders_csv: str) -> dict:
    """Import one more day of orders into the warehouse given: the incremental layer refresh at scale. Only the
    import is timed ("timed"); finding the data's last day in the CSV and writing the new day's file come before.
    bench/__main__ imports it into the run's own warehouse (built anew by each run); bench/on_warehouse, which
    reuses a warehouse, into a copy of it."""
    import polars as pl

    last = pl.scan_csv(orders_csv, infer_schema=False).select(pl.col("收费日期").max()).collect().item()
    day = pl.scan_csv(orders_csv, infer_schema=False).filter(pl.col("收费日期") == last).collect()
    from datetime import date, timedelta

    nxt = (date.fromisoformat(last[:10]) + timedelta(days=1)).isoformat()
    path = Path(db).with_name("one_more_day.csv")
    # A new day's lines: same shape, next date, new order numbers (so none is a duplicate).
    ids = [pl.col(c) + "-next" for c in ("单号", "订单号") if c in day.columns]
    day.with_columns(pl.lit(nxt).alias("收费日期"), *ids).write_csv(path)
    t0 = time.perf_counter()
    _aesops(["import", str(path), "--db", db, "--clinic", "本院"])
    return {"timed": time.perf_counter() - t0, "lines": day.height}


def calamine_only(xlsx: str) -> dict:
    """The parse limit: calamine reading every cell as text, nothing else."""
    import fastexcel

    import polars as pl

    # The fastest way calamine reads a whole sheet as text (eager Arrow), so this is the real limit.
    df = pl.from_arrow(fastexcel.read_excel(xlsx).load_sheet(0, header_row=None, dtypes="string", eager=True))
    return {"rows": len(df)}


def openpyxl_loader(xlsx: str, db: str) -> dict:
    """What a director's analyst writes today: openpyxl row by row, Python conversions, a DataFrame, a table."""
    import datetime as dt

    import duckdb
    import openpyxl
    import pandas as pd

    wb = openpyxl.load_workbook(xlsx, read_only=True, data_only=True)
    rows = wb.active.iter_rows(min_row=2, values_only=True)  # the export has a title row above the header
    header = list(next(rows))
    records = []
    for r in rows:
        d = dict(zip(header, r, strict=False))  # short rows end early, as openpyxl gives them
        when = d["收费日期"]
        if when is None or when in ("合计", "总计"):
            continue
        if not isinstance(when, dt.datetime):
            when = dt.datetime.strptime(str(when)[:10], "%Y-%m-%d")
        amount = d["实收金额"]
        if isinstance(amount, str):
            amount = float(amount.replace("¥", "").replace(",", "").replace("元", ""))
        records.append(
            (when.date(), str(d["顾客编号"]), d["项目名称"], float(amount), d["支付方式"], d["咨询师"], d["门店"])
        )
    frame = pd.DataFrame.from_records(
        records, columns=["order_date", "customer_id", "item", "paid_amount", "payment_method", "consultant", "clinic"]
    )
    con = duckdb.connect(db)
    con.register("frame", frame)
    con.execute("CREATE OR REPLACE TABLE orders AS SELECT * FROM frame")
    con.close()
    return {"rows": len(records)}


def pandas_kpis(folder: str, month: str) -> dict:
    """The same monthly KPIs the straightforward pandas way, from the exported CSVs."""
    import pandas as pd

    orders = pd.read_csv(Path(folder) / "orders.csv", dtype=str)
    visits = pd.read_csv(Path(folder) / "visits.csv", dtype=str)
    orders["amount"] = pd.to_numeric(orders["实收金额"], errors="coerce")
    orders["date"] = orders["收费日期"].str.slice(0, 10)
    visits["date"] = visits["到院日期"].str.slice(0, 10)
    o = orders[(orders["date"].str.startswith(month)) & (orders["收费类型"] != "充值")]
    v = visits[visits["date"].str.startswith(month)]
    days = o.groupby(["顾客编号", "date"])["amount"].sum().reset_index()
    deals = days[days["amount"] > 0]
    visitors = len(set(v["顾客编号"]) | set(deals["顾客编号"]))
    buyers = deals["顾客编号"].nunique()
    sales = days["amount"].sum()
    return {
        "sales": float(sales),
        "visitors": visitors,
        "buyers": buyers,
        "close_rate": buyers / visitors if visitors else None,
        "ticket": sales / len(deals) if len(deals) else None,
    }


def _peak_mb() -> float:
    """This process's own peak resident memory. Not ru_maxrss: Linux carries that across fork and exec,
    so a child would report its parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


STEPS = {
    f.__name__: f
    for f in (import_files, analysis, report, calamine_only, openpyxl_loader, pandas_kpis, duckdb_kpis, one_more_day)
}

if __name__ == "__main__":
    name, *args = sys.argv[1:]
    t0 = time.perf_counter()
    extra = STEPS[name](*args)
    seconds = time.perf_counter() - t0
    peak = _peak_mb()
    print(json.dumps({"seconds": seconds, "peak_mb": peak, **extra}, ensure_ascii=False))
