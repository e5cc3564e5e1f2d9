"""Periods: a calendar month by default, or --from/--to, --week, --year, --date (SPEC §2)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from aesthetic_cli.errors import UsageError


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str  # month | week | year | day | range

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "year":
            return str(self.start.year)
        if self.kind == "week":
            y, w, _ = self.start.isocalendar()
            return f"{y}-W{w:02d}"
        if self.kind == "day":
            return self.start.isoformat()
        return f"{self.start} ~ {self.end}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """环比: the period just before, of the same kind."""
        if self.kind == "month":
            return month(_shift_month(self.start, -1))
        if self.kind == "year":
            return Period(date(self.start.year - 1, 1, 1), date(self.start.year - 1, 12, 31), "year")
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1), self.kind)

    def last_year(self) -> Period:
        """同比: the same period a year earlier."""
        if self.kind == "month":
            return month(date(self.start.year - 1, self.start.month, 1))
        if self.kind == "week":
            y, w, _ = self.start.isocalendar()
            try:
                return week(f"{y - 1}-W{w:02d}")
            except UsageError:
                return week(f"{y - 1}-W52")
        return Period(_minus_year(self.start), _minus_year(self.end), self.kind)


@dataclass(frozen=True)
class Spans:
    """What a period is compared on: the current span and the spans of 环比 and 同比 that cover the
    same days. `through` is the data's last day when it ends inside the period (截至 MM-DD)."""

    current: Period
    previous: Period
    last_year: Period
    through: date | None

    @property
    def through_label(self) -> str | None:
        return f"{self.through:%m-%d}" if self.through else None


def require_data(period: Period, last_day: date | None, first_day: date | None = None) -> date:
    """SPEC §2: a period that lies wholly after the data's last day is refused, never shown as zeros; so is one
    wholly before its first day. Returns the last day, known to exist."""
    if last_day is None:
        raise UsageError(
            f"The warehouse holds no orders or visits yet, so {period.label} has no numbers.",
            hint="Import exports first: aesops import FILE...",
        )
    if period.start > last_day:
        raise UsageError(
            f"The data ends {last_day}; {period.label} lies wholly after it, so it is not shown as zeros.",
            hint=f"Choose a period that starts on or before {last_day}, or import newer exports.",
        )
    if first_day is not None and period.end < first_day:
        raise UsageError(
            f"The data starts {first_day}; {period.label} lies wholly before it, so it is not shown as zeros.",
            hint=f"Choose a period that ends on or after {first_day}, or import older exports.",
        )
    return last_day


def comparable(period: Period, last_day: date | None, first_day: date | None = None) -> Spans:
    """The one rule for every view that compares periods (funnel, reports, targets track). When the data
    ends inside the period, the current span is the period's first day to the data's last day, and the
    previous period and last year cover the same days: 10-01..10-15 against 09-01..09-15 and last
    year's 10-01..10-15. A period wholly after the data is refused."""
    last_day = require_data(period, last_day, first_day)
    prev, ly = period.previous(), period.last_year()
    if period.end <= last_day:
        return Spans(period, prev, ly, None)
    cut = last_day
    offset = cut - period.start
    # A year back is the same calendar day (02-29 becomes 02-28); a week back or an ISO week a year
    # back is the same weekday, so those count days from their own start.
    ly_end = ly.start + offset if period.kind == "week" else _minus_year(cut)
    prev_end = _minus_year(cut) if period.kind == "year" else prev.start + offset
    return Spans(
        Period(period.start, cut, period.kind),
        Period(prev.start, min(prev_end, prev.end), prev.kind),
        Period(ly.start, min(ly_end, ly.end), ly.kind),
        cut,
    )


def _minus_year(d: date) -> date:
    return d.replace(year=d.year - 1) if not (d.month == 2 and d.day == 29) else date(d.year - 1, 2, 28)


def _shift_month(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


def month(first: date) -> Period:
    last = calendar.monthrange(first.year, first.month)[1]
    return Period(first.replace(day=1), first.replace(day=last), "month")


def parse_month(text: str, last_day: date | None = None) -> Period:
    """A month as people write it: 2026-10, 2026/10, 2026.10, 202610, 2026年10月; and, counted from the
    data's last day (not today's date: the warehouse may lag), 10月 (the latest October the data
    reaches), 本月 (the data's last month), 上月 (the month before it)."""
    t = text.strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*月?", t)
    if m and 1 <= int(m.group(2)) <= 12:
        return month(date(int(m.group(1)), int(m.group(2)), 1))
    rel = {"本月": 0, "这个月": 0, "this": 0, "上月": -1, "上个月": -1, "last": -1}
    only = re.fullmatch(r"(\d{1,2})\s*月", t)
    if (t.lower() in rel or (only and 1 <= int(only.group(1)) <= 12)) and last_day is not None:
        if only:
            n = int(only.group(1))
            return month(date(last_day.year if n <= last_day.month else last_day.year - 1, n, 1))
        return month(_shift_month(last_day.replace(day=1), rel[t.lower()]))
    if t.lower() in rel or (only and 1 <= int(only.group(1)) <= 12):
        raise UsageError(
            f"--month '{t}' counts from the data's last day, and the warehouse holds no data yet.",
            hint="Write it as YYYY-MM, e.g. --month 2026-10.",
        )
    raise UsageError(
        f"--month '{t}' is not a month.", hint="Write it as YYYY-MM (2026-10), 2026/10, 2026年10月, 10月, 本月 or 上月."
    )


def week(text: str) -> Period:
    t = text.strip()
    m = re.fullmatch(r"(\d{4})\s*-?\s*W(\d{1,2})", t, re.IGNORECASE) or re.fullmatch(
        r"(\d{4})\s*年?\s*第\s*(\d{1,2})\s*周", t
    )
    if not m:
        raise UsageError(f"--week '{t}' is not an ISO week.", hint="Write it as 2026-W43, 2026年第43周 or 第43周.")
    try:
        start = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise UsageError(f"--week '{t}' does not exist.") from None
    return Period(start, start + timedelta(days=6), "week")


def parse_week(text: str, last_day: date | None = None) -> Period:
    """第43周 alone is week 43 of the ISO year of the data's last day (the year before when that week
    has not begun yet)."""
    m = re.fullmatch(r"第\s*(\d{1,2})\s*周", text.strip())
    if m and last_day is not None:
        year = last_day.isocalendar()[0]
        p = week(f"{year}-W{int(m.group(1)):02d}")
        return p if p.start <= last_day else week(f"{year - 1}-W{int(m.group(1)):02d}")
    return week(text)


def parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{option} '{text}' is not a date.", hint=f"Write it as YYYY-MM-DD, e.g. {option} 2026-10-01."
        ) from None


def resolve(
    *,
    month_: str | None = None,
    from_: str | None = None,
    to: str | None = None,
    year: int | None = None,
    week_: str | None = None,
    day: str | None = None,
    default_end: date | None = None,
) -> Period:
    given = [x for x in (month_, from_ or to, year, week_, day) if x]
    if len(given) > 1:
        raise UsageError("Give one period: --month, --from/--to, --week, --year or --date.")
    if month_:
        return parse_month(month_, default_end)
    if week_:
        return parse_week(week_, default_end)
    if year:
        return Period(date(year, 1, 1), date(year, 12, 31), "year")
    if day:
        d = parse_date(day, "--date")
        return Period(d, d, "day")
    if from_ or to:
        if not (from_ and to):
            raise UsageError("--from and --to go together.", hint="e.g. --from 2026-10-01 --to 2026-10-15")
        a, b = parse_date(from_, "--from"), parse_date(to, "--to")
        if b < a:
            raise UsageError(f"--to {b} is before --from {a}.")
        return Period(a, b, "range")
    if default_end is None:
        raise UsageError(
            "The warehouse has no orders yet, so there is no default month.",
            hint="Import exports first (aesops import FILE...), or pass --month YYYY-MM.",
        )
    return month(default_end.replace(day=1))
