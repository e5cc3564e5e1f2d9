"""A bill's total written on every line of the bill (订单实收金额 beside 项目实收): read as the line's amount it counts
the bill once per line. When another column's lines add up to it, bill by bill, that column is the line's amount."""

from __future__ import annotations

import polars as pl

from aesthetic_cli.importer import convert as cv
from aesthetic_cli.importer import datasets as d
from aesthetic_cli.importer import recognise as rg

# The rows read to decide: enough bills to tell a total from a coincidence, few enough to cost nothing.
SAMPLE_ROWS = 5000
# The bills of several lines on whose every line a total column must be the same.
CONSTANT = 0.95
WHY = "bill_lines"


def prefer_line_amounts(frame: pl.DataFrame, row: int, headers: dict[str, str], rec: rg.Recognition) -> None:
    """Moves an amount field from a bill-total column to the unread column of the bill's lines (in place). When the
    lines add up to the total bill by bill, that is all; when some bills' do not (a discount on the bill), neither
    column is sure, and the move is the guess a refusal proposes. A column the user mapped is left as mapped."""
    best = rec.best
    bill = next((c for c, m in best.matches.items() if m.field == "order_id"), None)
    if bill is None or bill not in frame.columns:
        return
    body = _without_subtotals(frame.slice(row + 1, SAMPLE_ROWS))
    for mapped, m in list(best.matches.items()):
        f = best.dataset.field(m.field)
        if f.type != d.AMOUNT or m.why in ("mapping", "constant", "computed") or mapped not in frame.columns:
            continue
        for col, text in headers.items():
            if col in best.matches or col not in frame.columns or not rg.header_score(best.dataset, f, text):
                continue
            # The mapped column as the bill's total beside the lines, or (the lines read first) as the lines beside it.
            found = _bill_total(body, bill, mapped, col)
            total, lines = mapped, col
            if found is None:
                found = _bill_total(body, bill, col, mapped)
                total, lines = col, mapped
            if found is None:
                continue
            if lines != mapped:
                del best.matches[mapped]
                best.matches[lines] = rg.Match(lines, m.field, m.score, WHY, m.values)
            if found:
                rec.doubts.append(("bill_total", {"total": headers[total], "lines": headers[lines], "bills": found}))
            break


def _without_subtotals(body: pl.DataFrame) -> pl.DataFrame:
    """The rows convert.py reads as lines: a bill's 小计 line inside it is skipped there, and would read here as a
    bill whose lines do not add up."""
    text = [c for c, t in body.schema.items() if t == pl.String]
    if not text:
        return body
    labelled = pl.any_horizontal(
        pl.col(c).str.replace_all(r"\s", "").str.contains(cv.SUBTOTAL).fill_null(False) for c in text
    )
    return body.filter(~labelled)


def _bill_total(body: pl.DataFrame, bill: str, total: str, lines: str) -> int | None:
    """None when `total` is not a bill's total beside `lines`; else how many bills' lines do not add up to it (0: they
    all do). A bill's total is the same on every line of nearly every bill of several lines, where the line amounts
    differ in most."""
    cells = (
        body.select(pl.col(c).cast(pl.String) for c in dict.fromkeys((bill, total, lines)))
        .select(
            pl.col(bill).str.strip_chars().alias("bill"),
            cv.parse_amount(total).alias("total"),
            cv.parse_amount(lines).alias("line"),
        )
        .drop_nulls()
    )
    bills = cells.group_by("bill").agg(
        pl.len().alias("n"),
        (pl.col("total").min() == pl.col("total").max()).alias("constant"),
        (pl.col("line").min() != pl.col("line").max()).alias("varies"),
        ((pl.col("line").sum() - pl.col("total").first()).abs() < 0.005).alias("sums"),
    )
    several = bills.filter(pl.col("n") >= 2)
    if several.is_empty():
        return None
    constant, varies = several["constant"].sum() / several.height, several["varies"].sum() / several.height
    if constant < CONSTANT or varies < 0.5:
        return None
    # One bill off is enough for a doubt: taken as sure, its discount would be lost without a word.
    return bills.filter(~(pl.col("constant") & pl.col("sums"))).height
