"""Whole years between days (age, years on kontanthjælp), one rule everywhere.

An anniversary counts on its day; one on 29 February counts on 28 February in other years.
"""

from __future__ import annotations

from calendar import isleap
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
