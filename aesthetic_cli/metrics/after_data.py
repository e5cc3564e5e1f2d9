"""Rows dated after the data's last day (the last day of orders and visits, where periods end): a later export
of leads, treatments or spend than of orders. They are left out of the period, and the period's notes say so."""

from __future__ import annotations

from datetime import date

from aesthetic_cli.metrics.base import run
from aesthetic_cli.metrics.result import Note

_NAMES = {"leads": ("线索", "lead"), "treatments": ("划扣", "treatment"), "spend": ("投放", "spend")}


def left_out_note(con, last_day: date | None, until: date, clinic: str | None) -> Note | None:
    """A note naming the rows of each dataset dated after last_day and up to `until` (the period's end), if any."""
    if last_day is None or until <= last_day:
        return None
    counts = run(con, "kpis", "rows_after_data", {"after": last_day, "until": until, "clinic": clinic}).row(
        0, named=True
    )
    parts = [(n, *_NAMES[name]) for name, n in counts.items() if n]
    if not parts:
        return None
    zh = "、".join(f"{word} {n:,} 行" for n, word, _ in parts)
    en = ", ".join(f"{n:,} {word} row{'s' if n > 1 else ''}" for n, _, word in parts)
    return Note(
        f"订单和到院数据到 {last_day} 为止，期间也截至这一天：之后的{zh}未计入（导入同期的订单和到院后再看）。",
        f"Orders and visits end on {last_day}, and so does the period: {en} dated after it are left out (import "
        "the orders and visits of those days to count them).",
    )
