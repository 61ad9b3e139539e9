"""domain.rhythm.booking_day: the next meeting's day offered when one is held."""

from __future__ import annotations

from datetime import date

import pytest

from caseload.domain.rhythm import DEFAULT_RULE, Contact, MeetingRule, booking_day, next_due


@pytest.mark.parametrize(
    ("held", "expected"),
    [
        (date(2019, 3, 1), date(2019, 5, 31)),  # Friday 1 March + 3 months: Saturday 1 June
        (date(2019, 3, 4), date(2019, 6, 4)),  # a Tuesday: kept
        (date(2019, 11, 30), date(2020, 2, 28)),  # 29 Feb 2020 is a Saturday: Friday 28
        (date(2019, 10, 6), date(2020, 1, 6)),  # a Monday: kept
    ],
)
def test_the_deadline_on_a_working_day(held: date, expected: date) -> None:
    assert booking_day(held, DEFAULT_RULE) == expected
    assert expected.weekday() < 5


def test_never_after_the_statutory_due_date() -> None:
    """Booked on the offered day, the meeting is on time: no later than the due date the
    rhythm gives after the held meeting (``next_due``), for every day of a year and two
    intervals."""
    for months in (1, 3):
        rule = MeetingRule(months, 30, 14, 2)
        day = date(2019, 1, 1)
        while day.year == 2019:
            offered = booking_day(day, rule)
            due = next_due(day, [Contact("held", day)], day, rule).due
            assert day < offered <= due, (day, months)
            day = date.fromordinal(day.toordinal() + 1)
