"""The register on a day: caseloads in force, caps valid then, over-cap, continuity.

A small, hand-computable register is imported from CSV files; every expected number
below is worked out by hand from those files (and cross-checked by a plain-Python
reading of the same rows).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from caseload.operate.status import Caseload, Continuity, Status, status
from caseload.register import importer
from caseload.register.problems import ImportRejected
from tests.conftest import CopyOf

KS = "coordinating_caseworker"
VK = "company_consultant"
MENTOR = "mentor"

# D1 is the trial department. A2 leaves on 2018-06-30; B1 starts on 2018-03-01.
FILES: dict[str, str] = {
    "departments": """department_id,name,is_trial,role_model
D1,Trial department,true,all_apart
D2,Control department,false,all_apart
""",
    "staff": """staff_id,name,department_id,fte,start_date,end_date,exit_kind
A1,Anna,D1,1.0,2017-01-01,,
A2,Bo,D1,"0,8",2017-06-01,2018-06-30,external
B1,Carla,D2,1,2018-03-01,,
B2,Dorte,D2,0.5,2017-01-01,,
""",
    "roles": """staff_id,role,start_date,end_date
A1,coordinating_caseworker,2017-01-01,
A2,coordinating_caseworker,2017-06-01,2018-06-30
B1,coordinating_caseworker,2018-03-01,
B2,company_consultant,2017-01-01,
B2,mentor,2018-01-01,
""",
    # job centre 130; D1 220 then 50 from February 2018; A2's own cap of 2;
    # consultants 3 everywhere; no cap for mentors
    "caps": """role,department_id,staff_id,cap,start_date,end_date
coordinating_caseworker,,,130,2017-01-01,
coordinating_caseworker,D1,,220,2017-01-01,2018-01-31
coordinating_caseworker,D1,,50,2018-02-01,
coordinating_caseworker,,A2,2,2018-01-01,
company_consultant,,,3,2017-01-01,
""",
    "citizens": "citizen_id,birth_date,sex,origin,target_group\n"
    + "".join(f"C0{i},1970-01-0{i},female,danish,activity_ready_30_plus\n" for i in range(1, 9)),
    "responsibilities": """citizen_id,staff_id,role,start_date,end_date,reason
C01,A2,coordinating_caseworker,2017-06-01,2018-06-30,intake
C01,A1,coordinating_caseworker,2018-07-01,,staff_exit
C02,A2,coordinating_caseworker,2017-09-01,2018-06-30,intake
C02,B1,coordinating_caseworker,2018-07-01,,reallocation
C03,A2,coordinating_caseworker,2018-02-01,2018-05-31,intake
C04,A1,coordinating_caseworker,2017-03-01,,intake
C05,A1,coordinating_caseworker,2018-03-15,2018-03-15,cover
C06,B1,coordinating_caseworker,2018-03-01,,intake
C07,A1,coordinating_caseworker,2016-01-01,2017-12-31,intake
C08,A1,coordinating_caseworker,2018-05-01,,intake
C02,B2,company_consultant,2018-04-01,,handoff
C04,B2,company_consultant,2018-04-01,,handoff
C06,B2,company_consultant,2018-04-01,,handoff
C08,B2,company_consultant,2018-05-01,2018-09-30,handoff
C05,B2,mentor,2018-01-01,,intake
""",
}
ORDER = ["departments", "staff", "roles", "caps", "citizens", "responsibilities"]
DEPARTMENT_OF = {"A1": "D1", "A2": "D1", "B1": "D2", "B2": "D2"}


def _fill(engine: Engine, folder: Path) -> None:
    for table in ORDER:
        path = folder / f"{table}.csv"
        path.write_text(FILES[table], encoding="utf-8")
        result = importer.import_file(engine, table, path)
        assert result.inserted == FILES[table].count("\n") - 1, table


@pytest.fixture
def register(register_copy: CopyOf) -> Engine:
    """FILES imported (once per session and backend; this test gets a copy)."""
    return register_copy(_fill)


def _status(engine: Engine, day: date) -> Status:
    with engine.connect() as conn:
        return status(conn, day)


def _loads(report: Status) -> dict[tuple[str, str], tuple[int, int | None]]:
    """(staff, role) -> (citizens, cap)."""
    return {(c.staff_id, c.role): (c.citizens, c.cap) for c in report.caseloads}


def _continuity(report: Status) -> dict[str, tuple[int, float]]:
    return {c.department: (c.changes, c.citizen_years) for c in report.continuity}


# --- caseloads on a day ------------------------------------------------------------------


def test_caseloads_on_a_day_count_the_responsibilities_in_force(register: Engine) -> None:
    report = _status(register, date(2018, 6, 30))
    assert report.as_of == date(2018, 6, 30)
    # A2 still holds C01 and C02 on their last day (end inclusive), not C03 (ended 31 May);
    # A1 holds C04 (open) and C08; C07 ended in 2017 and C05 was a single day in March.
    assert _loads(report) == {
        ("A1", KS): (2, 50),
        ("A2", KS): (2, 2),
        ("B1", KS): (1, 130),
        ("B2", VK): (4, 3),
        ("B2", MENTOR): (1, None),
    }


def test_caseload_rows_carry_the_professional(register: Engine) -> None:
    report = _status(register, date(2018, 6, 30))
    # without a caseload rule the load is the count and the capacity the cap itself
    assert report.caseloads == [
        Caseload("A1", "Anna", "D1", True, KS, 1.0, 2, 50, 2.0, 50.0),
        Caseload("A2", "Bo", "D1", True, KS, 0.8, 2, 2, 2.0, 2.0),
        Caseload("B2", "Dorte", "D2", False, VK, 0.5, 4, 3, 4.0, 3.0),
        Caseload("B1", "Carla", "D2", False, KS, 1.0, 1, 130, 1.0, 130.0),
        Caseload("B2", "Dorte", "D2", False, MENTOR, 0.5, 1, None, 1.0, None),
    ]


def test_one_day_responsibility_counts_on_that_day_only(register: Engine) -> None:
    assert _loads(_status(register, date(2018, 3, 14)))[("A1", KS)] == (1, 50)
    assert _loads(_status(register, date(2018, 3, 15)))[("A1", KS)] == (2, 50)
    assert _loads(_status(register, date(2018, 3, 16)))[("A1", KS)] == (1, 50)


def test_responsibility_start_and_end_days_are_inclusive(register: Engine) -> None:
    # C03 with A2: 2018-02-01 .. 2018-05-31
    assert _loads(_status(register, date(2018, 1, 31)))[("A2", KS)] == (2, 2)
    assert _loads(_status(register, date(2018, 2, 1)))[("A2", KS)] == (3, 2)
    assert _loads(_status(register, date(2018, 5, 31)))[("A2", KS)] == (3, 2)
    assert _loads(_status(register, date(2018, 6, 1)))[("A2", KS)] == (2, 2)


# --- as of a past date -------------------------------------------------------------------


def test_as_of_before_and_after_a_handover(register: Engine) -> None:
    before = _loads(_status(register, date(2018, 6, 30)))
    after = _loads(_status(register, date(2018, 7, 1)))
    # C01 moves A2 -> A1 and C02 moves A2 -> B1 on 1 July; A2 has left
    assert before[("A2", KS)] == (2, 2)
    assert ("A2", KS) not in after
    assert after == {
        ("A1", KS): (3, 50),
        ("B1", KS): (2, 130),
        ("B2", VK): (4, 3),
        ("B2", MENTOR): (1, None),
    }


def test_register_is_read_as_of_each_date(register: Engine) -> None:
    expected: dict[date, dict[tuple[str, str], tuple[int, int | None]]] = {
        # before B1 is employed and before B2 is a mentor; D1's cap is still 220
        date(2017, 12, 31): {
            ("A1", KS): (2, 220),  # C04, C07 (its last day)
            ("A2", KS): (2, 220),  # C01, C02; A2's own cap starts 2018-01-01
            ("B2", VK): (0, 3),
        },
        date(2018, 1, 15): {
            ("A1", KS): (1, 220),
            ("A2", KS): (2, 2),
            ("B2", VK): (0, 3),
            ("B2", MENTOR): (1, None),
        },
        date(2018, 2, 28): {
            ("A1", KS): (1, 50),
            ("A2", KS): (3, 2),
            ("B2", VK): (0, 3),
            ("B2", MENTOR): (1, None),
        },
        date(2018, 3, 1): {
            ("A1", KS): (1, 50),
            ("A2", KS): (3, 2),
            ("B1", KS): (1, 130),
            ("B2", VK): (0, 3),
            ("B2", MENTOR): (1, None),
        },
        date(2018, 12, 31): {
            ("A1", KS): (3, 50),
            ("B1", KS): (2, 130),
            ("B2", VK): (3, 3),  # C08's consultant period ended 30 September
            ("B2", MENTOR): (1, None),
        },
    }
    for day, loads in expected.items():
        assert _loads(_status(register, day)) == loads, day


def test_professional_not_yet_employed_or_already_left_is_absent(register: Engine) -> None:
    def present(day: date) -> set[str]:
        return {c.staff_id for c in _status(register, day).caseloads}

    assert present(date(2016, 12, 31)) == set()
    assert present(date(2017, 1, 1)) == {"A1", "B2"}
    assert present(date(2017, 6, 1)) == {"A1", "A2", "B2"}
    assert present(date(2018, 2, 28)) == {"A1", "A2", "B2"}
    assert present(date(2018, 3, 1)) == {"A1", "A2", "B1", "B2"}
    assert present(date(2018, 6, 30)) == {"A1", "A2", "B1", "B2"}
    assert present(date(2018, 7, 1)) == {"A1", "B1", "B2"}


def test_cap_shown_is_the_one_valid_on_each_date(register: Engine) -> None:
    def cap_of_a1(day: date) -> int | None:
        return _loads(_status(register, day))[("A1", KS)][1]

    assert cap_of_a1(date(2017, 6, 30)) == 220
    assert cap_of_a1(date(2018, 1, 31)) == 220
    assert cap_of_a1(date(2018, 2, 1)) == 50
    assert cap_of_a1(date(2019, 6, 30)) == 50


# --- over cap ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "over"),
    [
        (date(2017, 12, 31), []),
        (date(2018, 1, 15), []),  # A2 at 2 of 2 is at, not over, the cap
        (date(2018, 2, 1), [("A2", KS, 3, 2)]),
        (date(2018, 3, 15), [("A2", KS, 3, 2)]),
        (date(2018, 5, 1), [("A2", KS, 3, 2), ("B2", VK, 4, 3)]),
        (date(2018, 6, 1), [("B2", VK, 4, 3)]),
        (date(2018, 7, 1), [("B2", VK, 4, 3)]),
        (date(2018, 12, 31), []),  # B2 back at 3 of 3
    ],
)
def test_over_cap_lists_exactly_those_above_their_cap(
    register: Engine, day: date, over: list[tuple[str, str, int, int]]
) -> None:
    report = _status(register, day)
    assert [(c.staff_id, c.role, c.citizens, c.cap) for c in report.over_cap] == over
    assert all(c.over_cap for c in report.over_cap)
    assert sum(c.over_cap for c in report.caseloads) == len(over)


def test_no_cap_is_never_over(register: Engine) -> None:
    mentor = next(c for c in _status(register, date(2018, 6, 30)).caseloads if c.role == MENTOR)
    assert mentor.cap is None and mentor.citizens == 1 and not mentor.over_cap


# --- continuity --------------------------------------------------------------------------


def test_continuity_for_the_calendar_year_2018(register: Engine) -> None:
    # window 2018-01-01 .. 2018-12-31; a cover is no change and no citizen-day (the absent
    # caseworker keeps the citizen); a citizen counts once a day per department
    # D1 changes: C01->A1 (staff_exit, 1 Jul)                                = 1
    # D1 days: C01 (A2 181 + A1 184) 365 + C02/A2 181 + C03 120 + C04 365
    #          + C08/A1 245                                                  = 1276
    # D2 changes: C02->B1 (1 Jul), four consultant handoffs                  = 5
    # D2 days: C02 (consultant from 1 Apr, B1 from 1 Jul) 275 + C04 275
    #          + C05 mentor 365 + C06 (B1 from 1 Mar) 306 + C08/B2 153       = 1374
    report = _status(register, date(2018, 12, 31))
    assert [c.department for c in report.continuity] == ["D1", "D2"]
    got = _continuity(report)
    assert got["D1"] == (1, pytest.approx(1276 / 365.25, rel=1e-12))
    assert got["D2"] == (5, pytest.approx(1374 / 365.25, rel=1e-12))
    per = {c.department: c.per_citizen_year for c in report.continuity}
    assert per["D1"] == pytest.approx(1 / (1276 / 365.25), rel=1e-12)
    assert per["D2"] == pytest.approx(5 / (1374 / 365.25), rel=1e-12)


def test_continuity_for_the_year_to_mid_2018(register: Engine) -> None:
    # window 2017-07-01 .. 2018-06-30
    # D1: no change (C05's cover is none); days C01 365 + C02 303 + C03 120 + C04 365
    #     + C07 184 (Jul-Dec 2017) + C08 61                                  = 1398
    # D2: 4 changes (consultant handoffs); days C06 (B1 and consultant) 122 + C02 91
    #     + C04 91 + C08 61 + C05 mentor 181                                 = 546
    got = _continuity(_status(register, date(2018, 6, 30)))
    assert got == {
        "D1": (0, pytest.approx(1398 / 365.25, rel=1e-12)),
        "D2": (4, pytest.approx(546 / 365.25, rel=1e-12)),
    }


def test_a_change_on_the_first_day_of_the_window_counts(register: Engine) -> None:
    # the 1 July 2018 handovers are inside the year to 2019-06-30 (first day 2018-07-01)
    on_edge = _continuity(_status(register, date(2019, 6, 30)))
    assert (on_edge["D1"][0], on_edge["D2"][0]) == (1, 1)
    # ... and outside the year to 2019-07-01 (first day 2018-07-02)
    past_edge = _continuity(_status(register, date(2019, 7, 1)))
    assert (past_edge["D1"][0], past_edge["D2"][0]) == (0, 0)
    # D1 in the year to 2019-07-01: C01/A1, C04, C08/A1 all open, 365 days each
    assert past_edge["D1"][1] == pytest.approx(3 * 365 / 365.25, rel=1e-12)


def test_continuity_before_anything_started_is_empty(register: Engine) -> None:
    assert _status(register, date(2015, 12, 31)).continuity == []


def test_continuity_omits_a_department_with_nothing_in_the_window(register: Engine) -> None:
    # year to 2017-02-28: only C07 with A1 (from 2016-01-01); D2 holds nobody yet
    report = _status(register, date(2017, 2, 28))
    assert report.continuity == [
        Continuity("D1", 0, pytest.approx(365 / 365.25, rel=1e-12), ()),  # type: ignore[arg-type]
    ]


# --- cross-check against a plain reading of the files ------------------------------------


def _responsibilities() -> list[tuple[str, str, date, date | None, str, str]]:
    rows = csv.DictReader(io.StringIO(FILES["responsibilities"]))
    return [
        (
            r["staff_id"],
            r["role"],
            date.fromisoformat(r["start_date"]),
            date.fromisoformat(r["end_date"]) if r["end_date"] else None,
            r["reason"],
            r["citizen_id"],
        )
        for r in rows
    ]


def _expected_continuity(day: date) -> dict[str, tuple[int, int]]:
    """Changes (not intake, not cover) and the days each citizen had anyone of the
    department, counted day by day."""
    first = day - timedelta(days=364)
    changes: dict[str, int] = {}
    covered: dict[str, set[tuple[str, date]]] = {}
    for staff, _role, start, end, reason, citizen in _responsibilities():
        last = end or date.max
        if start > day or last < first or reason == "cover":
            continue
        dept = DEPARTMENT_OF[staff]
        changes[dept] = changes.get(dept, 0) + (reason != "intake" and start >= first)
        days = covered.setdefault(dept, set())
        for k in range((min(last, day) - max(start, first)).days + 1):
            days.add((citizen, max(start, first) + timedelta(days=k)))
    return {d: (changes[d], len(covered[d])) for d in changes}


def _expected_reasons(day: date) -> dict[str, dict[str, int]]:
    first = day - timedelta(days=364)
    out: dict[str, dict[str, int]] = {}
    for staff, _role, start, _end, reason, _citizen in _responsibilities():
        if reason not in ("intake", "cover") and first <= start <= day:
            per = out.setdefault(DEPARTMENT_OF[staff], {})
            per[reason] = per.get(reason, 0) + 1
    return out


def _expected_counts(day: date) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for staff, role, start, end, _reason, _citizen in _responsibilities():
        if start <= day and (end is None or end >= day):
            out[(staff, role)] = out.get((staff, role), 0) + 1
    return out


@pytest.mark.parametrize(
    "day",
    [
        date(2017, 6, 30),
        date(2017, 12, 31),
        date(2018, 3, 15),
        date(2018, 6, 30),
        date(2018, 7, 1),
        date(2018, 9, 30),
        date(2019, 2, 28),
        date(2020, 2, 29),
    ],
)
def test_status_matches_a_plain_reading_of_the_files(register: Engine, day: date) -> None:
    report = _status(register, day)
    counts = _expected_counts(day)
    for c in report.caseloads:
        assert c.citizens == counts.get((c.staff_id, c.role), 0), (day, c)
    # every responsibility in force belongs to someone listed (all are employed in role)
    assert sum(c.citizens for c in report.caseloads) == sum(counts.values())
    expected = _expected_continuity(day)
    got = {c.department: c for c in report.continuity}
    assert set(got) == set(expected)
    for dept, (changes, days) in expected.items():
        assert got[dept].changes == changes, (day, dept)
        assert got[dept].citizen_years == pytest.approx(days / 365.25, rel=1e-12), (day, dept)
    # the changes split by reason add up to them, reason by reason as the file says
    reasons = _expected_reasons(day)
    for dept, c in got.items():
        assert dict(c.by_reason) == reasons.get(dept, {}), (day, dept)
        assert sum(n for _, n in c.by_reason) == c.changes


# --- overlapping role periods ------------------------------------------------------------


def test_overlapping_role_periods_do_not_count_a_professional_twice(
    register: Engine, tmp_path: Path
) -> None:
    """A1 is recorded twice as coordinating caseworker from 2018-01-01 (a second, overlapping
    role period). Either the import refuses that, or status still lists A1 once: a citizen
    must never be counted twice."""
    path = tmp_path / "more_roles.csv"
    path.write_text(
        "staff_id,role,start_date,end_date\nA1,coordinating_caseworker,2018-01-01,\n",
        encoding="utf-8",
    )
    try:
        importer.import_file(register, "roles", path)
    except ImportRejected as rejected:
        assert {p.row for p in rejected.problems} == {2}
        return
    report = _status(register, date(2018, 6, 30))
    a1 = [c for c in report.caseloads if c.staff_id == "A1"]
    assert [(c.role, c.citizens) for c in a1] == [(KS, 2)]
    assert sum(c.citizens for c in report.caseloads if c.role == KS) == 5


def test_a_caseload_rule_weighs_cases_and_caps_pro_rata(register: Engine, tmp_path: Path) -> None:
    """With a job-centre rule (complex 1.5, very complex 2, pro rata to FTE, new staff at
    half the cap for 6 months): B2 (0.5 FTE, consultant cap 3) carries 1.5; B1 (started
    2018-03-01) has 130 x 0.5 = 65 until 2018-09-01; A1 (1.0, weight of complex C04 1.5)."""
    rules = tmp_path / "caseload_rules.csv"
    rules.write_text(
        "department_id,weight_simple,weight_complex,weight_very_complex,new_staff_months,"
        "new_staff_share,pro_rata_fte\n,1,1.5,2,6,0.5,true\n",
        encoding="utf-8",
    )
    citizens = tmp_path / "citizens.csv"
    citizens.write_text(
        "citizen_id,birth_date,sex,origin,target_group,complexity\n"
        "C04,1975-01-01,female,danish,activity_ready_30_plus,complex\n",
        encoding="utf-8",
    )
    importer.import_file(register, "caseload_rules", rules)
    importer.import_file(register, "citizens", citizens)
    report = _status(register, date(2018, 6, 30))
    rows = {(c.staff_id, c.role): c for c in report.caseloads}
    assert (rows[("A1", KS)].load, rows[("A1", KS)].capacity) == (2.5, 50.0)
    assert rows[("B1", KS)].capacity == 65.0
    assert rows[("B2", VK)].capacity == 1.5 and rows[("B2", VK)].over_cap
    assert rows[("A2", KS)].capacity == pytest.approx(1.6)  # 2 x 0.8
    assert [(c.staff_id, c.role) for c in report.over_cap] == [("A2", KS), ("B2", VK)]
    later = {(c.staff_id, c.role): c for c in _status(register, date(2018, 9, 1)).caseloads}
    assert later[("B1", KS)].capacity == 130.0
