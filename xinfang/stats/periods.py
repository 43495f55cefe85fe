"""Reporting periods: a month, quarter, year or any range of local dates, with 环比 and 同比.

Every period is a closed range of local (Asia/Shanghai) dates, both ends
included. A metric puts a case in a period by one of its stored dates (see
docs/metrics.md); a stored moment (``received_at``, an event's ``at``) is
compared with the local midnights that bound the range, so that an index on
the column is used and 23:30 on the last day is still inside.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

KINDS = ("month", "quarter", "year", "range")
# The API and the page refuse a range longer than this (a decade of monthly reports).
MAX_RANGE_DAYS = 3660
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2099, 12, 31)


class PeriodError(ValueError):
    """A period that cannot be reported (message in Chinese)."""


def _shift_year(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February in a year without one
        return d.replace(year=d.year + years, day=28)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: str = "range"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise PeriodError(f"统计期间类型“{self.kind}”无效")
        if self.end < self.start:
            raise PeriodError("统计期间的结束日期不能早于开始日期")
        if (self.end - self.start).days + 1 > MAX_RANGE_DAYS:
            raise PeriodError(f"统计期间不能超过{MAX_RANGE_DAYS}天")

    # ------------------------------------------------------------ constructors

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), _month_end(year, month), "month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise PeriodError("季度须为1至4")
        first = 3 * (quarter - 1) + 1
        return cls(date(year, first, 1), _month_end(year, first + 2), "quarter")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), "year")

    @classmethod
    def range(cls, start: date, end: date) -> Period:
        return cls(start, end, "range")

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        """The month, quarter or year that contains ``day``."""
        if kind == "month":
            return cls.month(day.year, day.month)
        if kind == "quarter":
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if kind == "year":
            return cls.year(day.year)
        raise PeriodError("任意期间须给出开始和结束日期")

    # ------------------------------------------------------------ comparisons

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """环比: the period just before (the previous month, quarter or year; a range of the same length)."""
        if self.kind == "month":
            before = self.start - timedelta(days=1)
            return Period.month(before.year, before.month)
        if self.kind == "quarter":
            before = self.start - timedelta(days=1)
            return Period.containing("quarter", before)
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        return Period.range(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def last_year(self) -> Period:
        """同比: the same period one year earlier (a month is the whole month, so February has its own length)."""
        if self.kind == "month":
            return Period.month(self.start.year - 1, self.start.month)
        if self.kind == "quarter":
            return Period.quarter(self.start.year - 1, (self.start.month - 1) // 3 + 1)
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        return Period.range(_shift_year(self.start, -1), _shift_year(self.end, -1))

    def cutoff(self, today: date) -> date:
        """The last day whose events count: the period's end, or today for a period still running."""
        return min(self.end, today)

    def moments(self) -> tuple[datetime, datetime]:
        """[first local midnight, the midnight after the last day) as aware datetimes."""
        tz = timezone.get_current_timezone()
        return (
            timezone.make_aware(datetime.combine(self.start, time.min), tz),
            timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min), tz),
        )

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{self.start.year}年"
        return f"{self.start:%Y年%m月%d日}至{self.end:%Y年%m月%d日}"

    def as_params(self) -> dict[str, str]:
        """The query parameters that name this period on the page and in the API."""
        if self.kind == "month":
            return {"period": "month", "year": str(self.start.year), "month": str(self.start.month)}
        if self.kind == "quarter":
            return {"period": "quarter", "year": str(self.start.year), "quarter": str((self.start.month - 1) // 3 + 1)}
        if self.kind == "year":
            return {"period": "year", "year": str(self.start.year)}
        return {"period": "range", "start": self.start.isoformat(), "end": self.end.isoformat()}


def parse(
    kind: str,
    *,
    year: int | None = None,
    month: int | None = None,
    quarter: int | None = None,
    start: date | None = None,
    end: date | None = None,
    today: date,
) -> Period:
    """A period from the page's or the API's parameters; missing parts default to the one containing today."""
    kind = kind or "month"
    if kind == "range":
        if start is None or end is None:
            raise PeriodError("任意期间须给出开始日期和结束日期")
        # The period asked for; its 环比 and 同比 periods may reach a little before 1900.
        if start < FIRST_DAY or end > LAST_DAY:
            raise PeriodError("统计期间须在1900-01-01至2099-12-31之间")
        return Period.range(start, end)
    if kind not in KINDS:
        raise PeriodError(f"统计期间类型“{kind}”无效")
    y = year or today.year
    if not FIRST_DAY.year <= y <= LAST_DAY.year:
        raise PeriodError("年份须在1900至2099之间")
    if kind == "year":
        return Period.year(y)
    if kind == "quarter":
        return Period.quarter(y, quarter or (today.month - 1) // 3 + 1)
    m = month or today.month
    if not 1 <= m <= 12:
        raise PeriodError("月份须为1至12")
    return Period.month(y, m)
