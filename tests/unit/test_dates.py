"""Whole years and their cut-off day agree, including 29 February and anniversaries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from caseload.domain.dates import whole_years, years_before


@pytest.mark.parametrize(
    ("since", "day", "years"),
    [
        (date(2016, 3, 1), date(2019, 3, 1), 3),  # the anniversary itself (no 29 Feb between)
        (date(2016, 3, 2), date(2019, 3, 1), 2),
        (date(1989, 3, 1), date(2019, 3, 1), 30),
        (date(2016, 2, 29), date(2019, 2, 28), 3),  # 29 Feb counts on 28 Feb ...
        (date(2016, 2, 29), date(2020, 2, 28), 3),  # ... but not in a leap year
        (date(2016, 2, 29), date(2020, 2, 29), 4),
        (date(2015, 1, 1), date(2018, 1, 1), 3),
        (date(2015, 1, 2), date(2018, 1, 1), 2),
    ],
)
def test_whole_years(since: date, day: date, years: int) -> None:
    assert whole_years(since, day) == years


@pytest.mark.parametrize(
    "day",
    [
        date(2018, 1, 1),
        date(2019, 2, 28),
        date(2020, 2, 29),
        date(2019, 3, 1),
        date(2020, 2, 28),
        date(2021, 12, 31),
    ],
)
def test_years_before_is_the_cut_off_of_whole_years(day: date) -> None:
    """Every since-day within two months of the cut-off: >= 3 years exactly up to it."""
    cut = years_before(day, 3)
    for offset in range(-60, 61):
        since = cut + timedelta(days=offset)
        assert (whole_years(since, day) >= 3) is (since <= cut), (since, day)
