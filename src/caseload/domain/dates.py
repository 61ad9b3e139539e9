"""Whole years between days (age, years on kontanthjælp), one rule everywhere.

An anniversary counts on its day; one on 29 February counts on 28 February in other years.
"""

from __future__ import annotations

from calendar import isleap, monthrange
from datetime import date


def whole_years(since: date, day: date) -> int:
    """Completed years from ``since`` to ``day``."""
    before = (day.month, day.day) < (since.month, since.day)
    if (since.month, since.day) == (2, 29) and (day.month, day.day) == (2, 28):
        before = isleap(day.year)  # in a leap year the anniversary is still to come
    return day.year - since.year - int(before)


def years_before(day: date, years: int) -> date:
    """The last ``since`` with ``whole_years(since, day) >= years``."""
    year = day.year - years
    if (day.month, day.day) == (2, 29) and not isleap(year):
        return date(year, 2, 28)
    if (day.month, day.day) == (2, 28) and not isleap(day.year) and isleap(year):
        return date(year, 2, 29)
    return date(year, day.month, day.day)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, clamped to the month's end
    (2020-12-31 + 2 months = 2021-02-28), as store.sql.add_months does in the database."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))
