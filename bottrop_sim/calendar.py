"""Monthly calendar: 'YYYY-MM' strings and month numbers (year * 12 + month - 1)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

YEAR_MONTH_PATTERN = r"^(19[5-9]\d|20\d\d|2100)-(0[1-9]|1[0-2])$"
_YEAR_MONTH = re.compile(YEAR_MONTH_PATTERN)


@lru_cache(maxsize=4096)  # a pure function, called several times a month with the same few strings
def month_number(year_month: str) -> int:
    """Month number of a 'YYYY-MM' string (ValueError if malformed)."""
    if not _YEAR_MONTH.match(year_month):
        raise ValueError(f"not a YYYY-MM month: {year_month!r}")
    year, month = year_month.split("-")
    return int(year) * 12 + int(month) - 1


@lru_cache(maxsize=4096)
def year_month(number: int) -> str:
    """'YYYY-MM' string of a month number."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def month_of_date(date: dt.date) -> int:
    """Month number of the month that contains ``date``."""
    return date.year * 12 + date.month - 1
