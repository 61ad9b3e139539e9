"""Which caseload cap applies: person before department before job centre, valid on the day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from caseload.domain.caps import Cap, applicable_cap

KS = "coordinating_caseworker"
VK = "company_consultant"
DAY = date(2018, 6, 30)

CENTRE = Cap(KS, 130, date(2018, 1, 1))
DEPARTMENT = Cap(KS, 50, date(2018, 1, 1), department="JI6")
PERSON = Cap(KS, 40, date(2018, 1, 1), professional="KS-002")


def _cap(caps: list[Cap], day: date = DAY, role: str = KS, dept: str = "JI6") -> int | None:
    found = applicable_cap(caps, role, dept, "KS-002", day)
    return None if found is None else found.cap


# --- scope --------------------------------------------------------------------------------


def test_person_cap_beats_department_and_job_centre() -> None:
    for caps in (
        [CENTRE, DEPARTMENT, PERSON],
        [PERSON, DEPARTMENT, CENTRE],
        [DEPARTMENT, PERSON, CENTRE],
    ):
        assert applicable_cap(caps, KS, "JI6", "KS-002", DAY) is PERSON


def test_person_cap_wins_even_when_it_is_higher() -> None:
    generous = Cap(KS, 300, date(2018, 1, 1), professional="KS-002")
    assert _cap([CENTRE, DEPARTMENT, generous]) == 300


def test_department_cap_beats_job_centre_cap() -> None:
    assert applicable_cap([CENTRE, DEPARTMENT], KS, "JI6", "KS-001", DAY) is DEPARTMENT
    assert applicable_cap([DEPARTMENT, CENTRE], KS, "JI6", "KS-001", DAY) is DEPARTMENT


def test_department_cap_wins_even_when_it_started_earlier() -> None:
    old_department = Cap(KS, 60, date(2010, 1, 1), department="JI6")
    late_centre = Cap(KS, 130, date(2018, 6, 1))
    assert _cap([late_centre, old_department]) == 60


def test_job_centre_cap_when_nothing_more_specific() -> None:
    assert applicable_cap([CENTRE], KS, "JI6", "KS-001", DAY) is CENTRE
    assert applicable_cap([CENTRE, DEPARTMENT, PERSON], KS, "JI1", "KS-101", DAY) is CENTRE


def test_other_departments_and_people_do_not_apply() -> None:
    other_dept = Cap(KS, 50, date(2018, 1, 1), department="JI1")
    other_person = Cap(KS, 10, date(2018, 1, 1), professional="KS-001")
    assert _cap([other_dept, other_person]) is None
    assert _cap([other_dept, other_person, CENTRE]) == 130
    assert _cap([other_dept, other_person, DEPARTMENT]) == 50


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2017, 12, 31), None),  # the day before it starts
        (date(2018, 1, 1), 50),  # start inclusive
        (date(2018, 6, 30), 50),
        (date(2018, 12, 31), 50),  # end inclusive
        (date(2019, 1, 1), None),  # the day after it ends
    ],
)
def test_only_caps_valid_on_the_day_count(day: date, expected: int | None) -> None:
    cap = Cap(KS, 50, date(2018, 1, 1), date(2018, 12, 31), department="JI6")
    assert _cap([cap], day) == expected


def test_one_day_cap() -> None:
    cap = Cap(KS, 7, date(2018, 3, 15), date(2018, 3, 15), professional="KS-002")
    assert _cap([cap], date(2018, 3, 14)) is None
    assert _cap([cap], date(2018, 3, 15)) == 7
    assert _cap([cap], date(2018, 3, 16)) is None


def test_open_end_holds_for_ever() -> None:
    assert _cap([CENTRE], date(2099, 12, 31)) == 130
    assert _cap([CENTRE], date(2017, 12, 31)) is None


def test_expired_person_cap_falls_back_to_department() -> None:
    person = Cap(KS, 40, date(2018, 1, 1), date(2018, 3, 31), professional="KS-002")
    caps = [CENTRE, DEPARTMENT, person]
    assert _cap(caps, date(2018, 3, 31)) == 40
    assert _cap(caps, date(2018, 4, 1)) == 50


def test_not_yet_valid_department_cap_falls_back_to_job_centre() -> None:
    department = Cap(KS, 50, date(2018, 7, 1), department="JI6")
    assert _cap([CENTRE, department], date(2018, 6, 30)) == 130
    assert _cap([CENTRE, department], date(2018, 7, 1)) == 50


def test_cap_change_220_to_50() -> None:
    caps = [
        Cap(KS, 220, date(2015, 1, 1), date(2017, 12, 31), department="JI6"),
        Cap(KS, 50, date(2018, 1, 1), department="JI6"),
    ]
    assert _cap(caps, date(2017, 12, 31)) == 220
    assert _cap(caps, date(2018, 1, 1)) == 50


# --- same scope: the later start wins -----------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda cap, start: Cap(KS, cap, start),
        lambda cap, start: Cap(KS, cap, start, department="JI6"),
        lambda cap, start: Cap(KS, cap, start, professional="KS-002"),
    ],
    ids=["job_centre", "department", "person"],
)
def test_later_start_wins_within_a_scope(make: Callable[[int, date], Cap]) -> None:
    early = make(220, date(2015, 1, 1))  # open-ended, still valid
    late = make(50, date(2018, 1, 1))
    assert _cap([early, late], date(2018, 6, 30)) == 50
    assert _cap([late, early], date(2018, 6, 30)) == 50
    # before the later one starts, the earlier one is the only one in force
    assert _cap([late, early], date(2017, 12, 31)) == 220


def test_later_start_in_a_broader_scope_does_not_beat_a_narrower_one() -> None:
    person = Cap(KS, 40, date(2015, 1, 1), professional="KS-002")
    newer_department = Cap(KS, 50, date(2018, 6, 1), department="JI6")
    newer_centre = Cap(KS, 130, date(2018, 6, 30))
    assert _cap([newer_centre, newer_department, person]) == 40


# --- roles and absence --------------------------------------------------------------------


def test_caps_of_another_role_are_ignored() -> None:
    consultant = [
        Cap(VK, 55, date(2018, 1, 1)),
        Cap(VK, 45, date(2018, 1, 1), department="JI6"),
        Cap(VK, 30, date(2018, 1, 1), professional="KS-002"),
    ]
    assert _cap(consultant) is None
    assert _cap([*consultant, CENTRE]) == 130
    assert _cap([*consultant, CENTRE, DEPARTMENT, PERSON], role=VK) == 30
    assert _cap([*consultant, PERSON], role="mentor") is None


def test_none_when_no_cap() -> None:
    assert applicable_cap([], KS, "JI6", "KS-002", DAY) is None
    assert applicable_cap(iter([]), KS, "JI6", "KS-002", DAY) is None


def test_accepts_any_iterable() -> None:
    assert applicable_cap(iter([CENTRE, DEPARTMENT, PERSON]), KS, "JI6", "KS-002", DAY) is PERSON
