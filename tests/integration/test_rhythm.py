"""The meeting rhythm in SQL (operate.rhythm) on SQLite and PostgreSQL.

A small register is written row by row; every expected due date, count and share below is
worked out by hand in the comments, and the due dates are also checked against the
one-citizen statement of the rule, domain.rhythm.next_due.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, timedelta

import polars as pl
import pytest
from sqlalchemy import Engine, delete, insert, select

from caseload.domain.rhythm import DEFAULT_RULE, Contact, Due, MeetingRule, next_due
from caseload.operate.rhythm import Overdue, due_dates, due_frame, overdue, timeliness
from caseload.store import schema as s
from caseload.store.database import reader
from tests.helpers import jobcentre_id

KS = "coordinating_caseworker"
MENTOR = "mentor"
GROUP = "activity_ready_30_plus"
DAY = date(2020, 6, 15)  # a Monday

D = date  # short for the tables below

# staff code -> (name, department code)
STAFF = {"P1": ("Anna", "D1"), "P2": ("Bo", "D1"), "P3": ("Carla", "D2"), "P4": ("Dan", "D2")}

# (citizen, staff, role, start, end, reason)
Responsibility = tuple[str, str, str, date, date | None, str]
# (citizen, staff, kind, due_date, scheduled_date, held_date, status, absence_accepted)
Meeting = tuple[str, str, str, date | None, date | None, date | None, str, bool]

RESPONSIBILITIES: list[Responsibility] = [
    ("C01", "P1", KS, D(2020, 5, 25), None, "intake"),
    ("C02", "P1", KS, D(2019, 10, 1), None, "intake"),
    ("C03", "P1", KS, D(2019, 9, 1), None, "intake"),
    # a first stretch, a gap, and a second intake: entry is the second
    ("C04", "P2", KS, D(2019, 1, 1), D(2019, 6, 30), "intake"),
    ("C04", "P2", KS, D(2020, 5, 1), None, "intake"),
    # left the caseload before the day: not listed
    ("C05", "P2", KS, D(2019, 1, 1), D(2020, 5, 31), "intake"),
    ("C06", "P2", KS, D(2020, 1, 1), None, "intake"),
    ("C07", "P3", KS, D(2020, 1, 1), None, "intake"),
    ("C08", "P3", KS, D(2020, 1, 1), None, "intake"),
    ("C09", "P3", KS, D(2020, 1, 1), None, "intake"),
    ("C10", "P1", KS, D(2020, 1, 1), None, "intake"),
    # P2 is only C11's mentor: the caseworker P1 is the primary contact
    ("C11", "P1", KS, D(2020, 6, 1), None, "intake"),
    ("C11", "P2", MENTOR, D(2020, 6, 5), None, "handoff"),
    # reallocated from P1 to P2: entry stays the intake, the contact is P2
    ("C12", "P1", KS, D(2020, 2, 1), D(2020, 4, 30), "intake"),
    ("C12", "P2", KS, D(2020, 5, 1), None, "reallocation"),
    # no intake at all: entry is the earliest start
    ("C13", "P3", KS, D(2020, 4, 10), D(2020, 4, 30), "reallocation"),
    ("C13", "P3", KS, D(2020, 5, 1), None, "handoff"),
    # starts after the day: not listed
    ("C14", "P3", KS, D(2020, 7, 1), None, "intake"),
]

J = "job_meeting"
MEETINGS: list[Meeting] = [
    # C02: the later of two held meetings counts; a no-show after the day is ignored
    ("C02", "P1", J, D(2019, 12, 31), D(2019, 12, 1), D(2019, 12, 1), "held", False),
    ("C02", "P1", J, D(2020, 3, 1), D(2020, 3, 31), D(2020, 3, 31), "held", False),
    ("C02", "P1", J, D(2020, 6, 30), D(2020, 6, 16), None, "no_show", False),
    # C03: held on 30 November
    ("C03", "P1", J, D(2019, 10, 1), D(2019, 11, 30), D(2019, 11, 30), "held", False),
    # C04: meetings of the first stretch, before the latest entry
    ("C04", "P2", J, D(2019, 1, 31), D(2019, 3, 1), D(2019, 3, 1), "held", False),
    ("C04", "P2", J, D(2019, 6, 1), D(2019, 4, 1), None, "no_show", False),
    # C05: off the caseload
    ("C05", "P2", J, D(2020, 4, 1), D(2020, 4, 1), D(2020, 4, 1), "held", False),
    # C06: held, then cancelled by the citizen
    ("C06", "P2", J, D(2020, 4, 20), D(2020, 4, 20), D(2020, 4, 20), "held", False),
    ("C06", "P2", J, D(2020, 7, 20), D(2020, 6, 1), None, "cancelled_by_citizen", False),
    # C07: a cancellation before the held meeting; planned meetings (one stale, in the past)
    ("C07", "P3", J, D(2020, 1, 31), D(2020, 3, 1), None, "cancelled_by_job_centre", False),
    ("C07", "P3", J, D(2020, 3, 15), D(2020, 3, 10), D(2020, 3, 10), "held", False),
    ("C07", "P3", J, D(2020, 6, 10), D(2020, 6, 1), None, "planned", False),
    ("C07", "P3", J, D(2020, 6, 10), D(2020, 7, 1), None, "planned", False),
    ("C07", "P3", J, D(2020, 6, 10), D(2020, 6, 20), None, "planned", False),
    # C08: held, a plain cancellation, then an accepted absence with only a due date
    ("C08", "P3", J, D(2020, 3, 20), D(2020, 3, 20), D(2020, 3, 20), "held", False),
    ("C08", "P3", J, D(2020, 4, 1), D(2020, 4, 1), None, "cancelled_by_citizen", False),
    ("C08", "P3", J, D(2020, 6, 10), None, None, "no_show", True),
    # C09: held, then two no-shows
    ("C09", "P3", J, D(2020, 4, 1), D(2020, 4, 1), D(2020, 4, 1), "held", False),
    ("C09", "P3", J, D(2020, 5, 1), D(2020, 5, 1), None, "no_show", False),
    ("C09", "P3", J, D(2020, 5, 20), D(2020, 5, 20), None, "no_show", False),
    # C10: held, cancelled by the job centre, then a no-show
    ("C10", "P1", J, D(2020, 5, 1), D(2020, 5, 1), D(2020, 5, 1), "held", False),
    ("C10", "P1", J, D(2020, 5, 10), D(2020, 5, 10), None, "cancelled_by_job_centre", False),
    ("C10", "P1", J, D(2020, 6, 5), D(2020, 6, 5), None, "no_show", False),
    # C11: other kinds of meeting do not count
    ("C11", "P1", "follow_up", D(2020, 6, 5), D(2020, 6, 5), D(2020, 6, 5), "held", False),
    ("C11", "P1", "phone_contact", D(2020, 6, 6), D(2020, 6, 6), None, "no_show", False),
    ("C11", "P1", "phone_contact", D(2020, 6, 7), D(2020, 6, 7), None, "no_show", False),
]

# citizen -> (primary contact, entry, last_held, due, missed_by_citizen, outreach, planned),
# on 2020-06-15 under the built-in rule (3 months / 30 days / 14 days / 2)
EXPECTED: dict[str, tuple[str, date, date | None, date, int, bool, date | None]] = {
    # 2020-05-25 + 30 days = 2020-06-24
    "C01": ("P1", D(2020, 5, 25), None, D(2020, 6, 24), 0, False, None),
    # held 2020-03-31 + 3 months = "06-31" -> 2020-06-30; the no-show of 06-16 is after the day
    "C02": ("P1", D(2019, 10, 1), D(2020, 3, 31), D(2020, 6, 30), 0, False, None),
    # held 2019-11-30 + 3 months = "2020-02-30" -> 2020-02-29
    "C03": ("P1", D(2019, 9, 1), D(2019, 11, 30), D(2020, 2, 29), 0, False, None),
    # entry 2020-05-01 (latest intake); the 2019 meetings are ignored: + 30 days = 2020-05-31
    "C04": ("P2", D(2020, 5, 1), None, D(2020, 5, 31), 0, False, None),
    # held 2020-04-20 -> 2020-07-20; cancelled 2020-06-01 -> 2020-06-15 (sooner)
    "C06": ("P2", D(2020, 1, 1), D(2020, 4, 20), D(2020, 6, 15), 1, False, None),
    # held 2020-03-10 -> 2020-06-10; the cancellation of 03-01 was before it; the next
    # planned meeting on or after the day is 2020-06-20 (06-01 is past, 07-01 later)
    "C07": ("P3", D(2020, 1, 1), D(2020, 3, 10), D(2020, 6, 10), 0, False, D(2020, 6, 20)),
    # held 2020-03-20 -> 2020-06-20; cancelled 04-01 -> 04-15 (sooner); accepted absence on
    # its due date 06-10 -> 06-24: max(04-15, 06-24) = 2020-06-24; only the plain one counts
    "C08": ("P3", D(2020, 1, 1), D(2020, 3, 20), D(2020, 6, 24), 1, False, None),
    # held 2020-04-01 -> 2020-07-01; no-shows 05-01 (-> 05-15) and 05-20: 2020-05-15, outreach
    "C09": ("P3", D(2020, 1, 1), D(2020, 4, 1), D(2020, 5, 15), 2, True, None),
    # held 2020-05-01 -> 08-01; job centre cancelled 05-10 -> 05-24; no-show 06-05 -> 06-19:
    # 2020-05-24; one missed by the citizen, no outreach
    "C10": ("P1", D(2020, 1, 1), D(2020, 5, 1), D(2020, 5, 24), 1, False, None),
    # only other kinds of meeting: 2020-06-01 + 30 days = 2020-07-01
    "C11": ("P1", D(2020, 6, 1), None, D(2020, 7, 1), 0, False, None),
    # entry the intake 2020-02-01 + 30 days = 2020-03-02 (leap year)
    "C12": ("P2", D(2020, 2, 1), None, D(2020, 3, 2), 0, False, None),
    # no intake: earliest start 2020-04-10 + 30 days = 2020-05-10
    "C13": ("P3", D(2020, 4, 10), None, D(2020, 5, 10), 0, False, None),
}
CITIZENS = sorted({r[0] for r in RESPONSIBILITIES})


def _write(
    engine: Engine,
    citizens: dict[str, str],
    responsibilities: Iterable[Responsibility],
    meetings: Iterable[Meeting],
) -> tuple[dict[str, int], dict[str, int]]:
    """Departments, staff, citizens (code -> target group), responsibilities and meetings;
    returns the ids of staff and citizens by code."""
    with engine.begin() as conn:
        centre = jobcentre_id(conn)
        departments = {}
        for code in sorted({d for _, d in STAFF.values()}):
            departments[code] = conn.execute(
                insert(s.department)
                .values(
                    code=code,
                    name=f"Department {code}",
                    is_trial=code == "D1",
                    role_model="all_apart",
                    jobcentre_id=centre,
                )
                .returning(s.department.c.id)
            ).scalar_one()
        staff = {}
        for code, (name, dept) in STAFF.items():
            staff[code] = conn.execute(
                insert(s.professional)
                .values(
                    code=code,
                    name=name,
                    department_id=departments[dept],
                    fte=1.0,
                    start_date=D(2015, 1, 1),
                )
                .returning(s.professional.c.id)
            ).scalar_one()
        people = {}
        for code, group in citizens.items():
            people[code] = conn.execute(
                insert(s.citizen)
                .values(
                    code=code,
                    birth_date=D(1980, 1, 1),
                    sex="female",
                    origin="danish",
                    target_group=group,
                    jobcentre_id=centre,
                )
                .returning(s.citizen.c.id)
            ).scalar_one()
        for citizen, who, role, start, end, reason in responsibilities:
            conn.execute(
                insert(s.responsibility).values(
                    citizen_id=people[citizen],
                    professional_id=staff[who],
                    role=role,
                    start_date=start,
                    end_date=end,
                    reason=reason,
                )
            )
        for i, (citizen, who, kind, due, scheduled, held, status, accepted) in enumerate(
            meetings, 1
        ):
            conn.execute(
                insert(s.meeting).values(
                    code=f"M{i:03d}",
                    citizen_id=people[citizen],
                    professional_id=staff[who],
                    kind=kind,
                    due_date=due,
                    scheduled_date=scheduled,
                    held_date=held,
                    status=status,
                    absence_accepted=accepted,
                )
            )
    return staff, people


def _contacts(citizen: str, meetings: Iterable[Meeting]) -> list[Contact]:
    """A citizen's job meetings as next_due reads them: the held date of a held meeting,
    else the scheduled date, else the due date."""
    out = []
    for who, _, kind, due, scheduled, held, status, accepted in meetings:
        if who != citizen or kind != J:
            continue
        day = held if status == "held" else (scheduled or due)
        assert day is not None
        out.append(Contact(status, day, accepted))
    return out


def _rows(frame: pl.DataFrame, people: dict[str, int], staff: dict[str, int]) -> dict[str, tuple]:
    code_of = {v: k for k, v in people.items()}
    staff_of = {v: k for k, v in staff.items()}
    return {
        code_of[r["citizen_id"]]: (
            staff_of[r["professional_id"]],
            r["entry"],
            r["last_held"],
            r["due"],
            r["missed_by_citizen"],
            r["outreach"],
            r["planned"],
        )
        for r in frame.iter_rows(named=True)
    }


@pytest.fixture
def register(engine: Engine) -> tuple[Engine, dict[str, int], dict[str, int]]:
    staff, people = _write(engine, dict.fromkeys(CITIZENS, GROUP), RESPONSIBILITIES, MEETINGS)
    return engine, staff, people


def test_due_frame_matches_the_hand_computed_rhythm(
    register: tuple[Engine, dict[str, int], dict[str, int]],
) -> None:
    engine, staff, people = register
    with reader(engine).connect() as conn:
        frame = due_frame(conn, DAY)
    assert frame.columns == [
        "citizen_id",
        "professional_id",
        "entry",
        "last_held",
        "due",
        "missed_by_citizen",
        "outreach",
        "planned",
    ]
    for column in ("entry", "last_held", "due", "planned"):
        assert frame.schema[column] == pl.Date
    assert frame.schema["outreach"] == pl.Boolean
    # C05 left before the day and C14 starts after it
    assert frame.height == len(EXPECTED)
    got = _rows(frame, people, staff)
    assert sorted(got) == sorted(EXPECTED)
    for citizen, expected in EXPECTED.items():
        assert got[citizen] == expected, citizen
        for value in got[citizen]:
            assert value is None or type(value) in (str, int, bool, date), (citizen, value)


def test_due_frame_agrees_with_next_due(
    register: tuple[Engine, dict[str, int], dict[str, int]],
) -> None:
    engine, staff, people = register
    with reader(engine).connect() as conn:
        got = _rows(due_frame(conn, DAY), people, staff)
    for citizen, (_, entry, last_held, due, missed, outreach, _) in got.items():
        reference = next_due(entry, _contacts(citizen, MEETINGS), DAY, DEFAULT_RULE)
        assert reference == Due(due, last_held, missed, outreach), citizen


def test_due_dates_on_other_days(
    register: tuple[Engine, dict[str, int], dict[str, int]],
) -> None:
    engine, staff, people = register
    with reader(engine).connect() as conn:
        # 2020-01-15: C04's first stretch has ended and its second not begun; C13 not yet on
        # C05: entry 2019-01-01, nothing held by then -> 2019-01-31 (overdue long since)
        early = _rows(due_frame(conn, D(2020, 1, 15)), people, staff)
        # 2019-05-01, in C04's first stretch: held 2019-03-01 -> 2019-06-01; no-show 04-01 ->
        # 2019-04-15 (sooner); one missed by the citizen
        first = _rows(due_frame(conn, D(2019, 5, 1)), people, staff)
        rows = conn.execute(due_dates(conn.dialect.name, D(2019, 5, 1))).all()
    assert "C04" not in early and "C13" not in early and "C01" not in early
    assert early["C05"] == ("P2", D(2019, 1, 1), None, D(2019, 1, 31), 0, False, None)
    assert first["C04"] == ("P2", D(2019, 1, 1), D(2019, 3, 1), D(2019, 4, 15), 1, False, None)
    assert sorted(first) == ["C04", "C05"]
    assert len(rows) == 2


def _rules_register(engine: Engine) -> tuple[dict[str, int], dict[str, int]]:
    citizens = {
        "R1": GROUP,
        "R2": "sickness_benefit",
        "R3": GROUP,
        "R4": "sickness_benefit",
        "R5": "job_ready_30_plus",
    }
    responsibilities = [
        ("R1", "P1", KS, D(2020, 1, 1), None, "intake"),
        ("R2", "P1", KS, D(2020, 1, 1), None, "intake"),
        ("R3", "P1", KS, D(2020, 5, 1), None, "intake"),
        ("R4", "P1", KS, D(2020, 5, 1), None, "intake"),
        ("R5", "P1", KS, D(2020, 5, 1), None, "intake"),
    ]
    meetings = [
        (c, "P1", J, d, d, held, status, False)
        for c in ("R1", "R2")
        for d, held, status in (
            (D(2020, 3, 31), D(2020, 3, 31), "held"),
            (D(2020, 5, 10), None, "no_show"),
        )
    ]
    return _write(engine, citizens, responsibilities, meetings)


RULE_DAY = D(2020, 5, 20)


def _rule_rows(
    engine: Engine, staff: dict[str, int], people: dict[str, int]
) -> dict[str, tuple[date, int, bool]]:
    with reader(engine).connect() as conn:
        got = _rows(due_frame(conn, RULE_DAY), people, staff)
    return {c: (row[3], row[4], row[5]) for c, row in got.items()}


def _by_next_due(rules: dict[str, MeetingRule]) -> dict[str, tuple[date, int, bool]]:
    """The same citizens through next_due, each under the given rule."""
    held = [Contact("held", D(2020, 3, 31)), Contact("no_show", D(2020, 5, 10))]
    out = {}
    for citizen, rule in rules.items():
        entry, meetings = (D(2020, 1, 1), held) if citizen in ("R1", "R2") else (D(2020, 5, 1), [])
        due = next_due(entry, meetings, RULE_DAY, rule)
        out[citizen] = (due.due, due.missed_by_citizen, due.outreach)
    return out


def test_meeting_rules_default_row_and_target_group_row(engine: Engine) -> None:
    staff, people = _rules_register(engine)
    # R1 and R2: held 2020-03-31, no-show 2020-05-10; R3-R5: entry 2020-05-01, no meetings

    # no rule rows: the built-in 3 months / 30 days / 14 days / 2 for everyone.
    # R1, R2: min(03-31 + 3 months = 06-30, 05-10 + 14 = 05-24) = 05-24, 1 missed, 1 < 2;
    # R3-R5: 05-01 + 30 = 05-31
    builtin = {
        "R1": (D(2020, 5, 24), 1, False),
        "R2": (D(2020, 5, 24), 1, False),
        "R3": (D(2020, 5, 31), 0, False),
        "R4": (D(2020, 5, 31), 0, False),
        "R5": (D(2020, 5, 31), 0, False),
    }
    assert _rule_rows(engine, staff, people) == builtin
    assert _by_next_due(dict.fromkeys(builtin, DEFAULT_RULE)) == builtin

    default = MeetingRule(
        interval_months=2, first_within_days=20, follow_up_within_days=10, outreach_after_missed=1
    )
    sickness = MeetingRule(
        interval_months=1, first_within_days=10, follow_up_within_days=5, outreach_after_missed=3
    )
    with engine.begin() as conn:
        conn.execute(insert(s.meeting_rule).values(target_group=None, **vars(default)))
        conn.execute(
            insert(s.meeting_rule).values(target_group="sickness_benefit", **vars(sickness))
        )
    # default row 2 / 20 / 10 / 1 for R1, R3, R5:
    #   R1: min(03-31 + 2 months = 05-31, 05-10 + 10 = 05-20) = 05-20; 1 >= 1 -> outreach
    #   R3, R5: 05-01 + 20 = 05-21
    # sickness_benefit's own row 1 / 10 / 5 / 3 for R2, R4:
    #   R2: min(03-31 + 1 month = "04-31" -> 04-30, 05-10 + 5 = 05-15) = 04-30; 1 < 3
    #   R4: 05-01 + 10 = 05-11
    both = {
        "R1": (D(2020, 5, 20), 1, True),
        "R2": (D(2020, 4, 30), 1, False),
        "R3": (D(2020, 5, 21), 0, False),
        "R4": (D(2020, 5, 11), 0, False),
        "R5": (D(2020, 5, 21), 0, False),
    }
    assert _rule_rows(engine, staff, people) == both
    assert (
        _by_next_due({"R1": default, "R2": sickness, "R3": default, "R4": sickness, "R5": default})
        == both
    )

    # without the default row the others fall back to the built-in rule; R2, R4 keep theirs
    with engine.begin() as conn:
        conn.execute(delete(s.meeting_rule).where(s.meeting_rule.c.target_group.is_(None)))
    own_only = {**builtin, "R2": both["R2"], "R4": both["R4"]}
    assert _rule_rows(engine, staff, people) == own_only


def _counts(summary: list[Overdue]) -> list[tuple[str, str, int, int, int, int]]:
    return [(o.staff, o.name, o.citizens, o.overdue, o.due_soon, o.outreach) for o in summary]


def test_overdue_per_caseworker(register: tuple[Engine, dict[str, int], dict[str, int]]) -> None:
    engine, _, _ = register
    with reader(engine).connect() as conn:
        summary, listed = overdue(conn, DAY, 14)
    # window 2020-06-15 .. 2020-06-29
    # P1: C01 06-24 soon, C02 06-30 (outside), C03 02-29 overdue, C10 05-24 overdue,
    #     C11 07-01 (outside)
    # P2: C04 05-31 overdue, C06 06-15 soon (due on the day: not overdue), C12 03-02 overdue
    # P3: C07 06-10 overdue, C08 06-24 soon, C09 05-15 overdue + outreach, C13 05-10 overdue
    # most overdue first, then by staff code
    assert _counts(summary) == [
        ("P3", "Carla", 4, 3, 1, 1),
        ("P1", "Anna", 5, 2, 1, 0),
        ("P2", "Bo", 3, 2, 1, 0),
    ]
    # listed: overdue, due soon or outreach; by staff, then due date.
    # days overdue = 2020-06-15 - due
    assert listed.select("staff", "citizen", "due", "days_overdue").rows() == [
        ("P1", "C03", D(2020, 2, 29), 107),  # 31 + 30 + 31 + 15
        ("P1", "C10", D(2020, 5, 24), 22),
        ("P1", "C01", D(2020, 6, 24), -9),
        ("P2", "C12", D(2020, 3, 2), 105),  # 29 + 30 + 31 + 15
        ("P2", "C04", D(2020, 5, 31), 15),
        ("P2", "C06", D(2020, 6, 15), 0),
        ("P3", "C13", D(2020, 5, 10), 36),
        ("P3", "C09", D(2020, 5, 15), 31),
        ("P3", "C07", D(2020, 6, 10), 5),
        ("P3", "C08", D(2020, 6, 24), -9),
    ]
    assert listed.filter(pl.col("outreach")).get_column("citizen").to_list() == ["C09"]


def test_overdue_window(register: tuple[Engine, dict[str, int], dict[str, int]]) -> None:
    engine, _, _ = register
    with reader(engine).connect() as conn:
        summary, listed = overdue(conn, DAY, 16)
    # window to 2020-07-01: C02 (06-30) and C11 (07-01) are due soon too
    assert _counts(summary)[1] == ("P1", "Anna", 5, 2, 3, 0)
    assert {"C02", "C11"} <= set(listed.get_column("citizen").to_list())


def test_overdue_for_one_caseworker(
    register: tuple[Engine, dict[str, int], dict[str, int]],
) -> None:
    engine, staff, people = register
    with reader(engine).connect() as conn:
        summary, listed = overdue(conn, DAY, 14, caseworker=staff["P2"])
        frame = due_frame(conn, DAY, caseworker=staff["P2"])
        p1 = due_frame(conn, DAY, caseworker=staff["P1"])
    # P2's citizens by primary contact: C04, C06, C12 (reallocated to P2); not C11, whose
    # mentor P2 is, nor C05, who left
    assert _counts(summary) == [("P2", "Bo", 3, 2, 1, 0)]
    assert listed.get_column("citizen").to_list() == ["C12", "C04", "C06"]
    assert set(_rows(frame, people, staff)) == {"C04", "C06", "C12"}
    assert set(frame.get_column("professional_id").to_list()) == {staff["P2"]}
    # the rows for one caseworker are those of the whole frame
    got = _rows(frame, people, staff)
    assert got == {c: EXPECTED[c] for c in ("C04", "C06", "C12")}
    # P1: C01, C02, C03, C10, C11 (not C12, whose intake P1 made)
    assert set(_rows(p1, people, staff)) == {"C01", "C02", "C03", "C10", "C11"}


def test_overdue_for_a_caseworker_without_citizens(
    register: tuple[Engine, dict[str, int], dict[str, int]],
) -> None:
    engine, staff, _ = register
    with reader(engine).connect() as conn:
        frame = due_frame(conn, DAY, caseworker=staff["P4"])
        summary, listed = overdue(conn, DAY, 14, caseworker=staff["P4"])
    assert frame.height == 0
    assert summary == []
    assert listed.height == 0


# Timeliness: held job meetings due 2020-06-01 .. 2020-06-14, in the weeks starting Monday
# 2020-06-01 and Monday 2020-06-08. P1 is in D1, P3 in D2. X1, X3 trial arm, X2 control,
# X4 only in another trial.
# (citizen, staff, kind, due_date, held_date, status)
TIMELY: list[tuple[str, str, str, date, date | None, str]] = [
    ("X1", "P1", J, D(2020, 6, 1), D(2020, 6, 1), "held"),  # D1 wk1 timely
    ("X2", "P1", J, D(2020, 6, 3), D(2020, 6, 5), "held"),  # D1 wk1 late
    ("X1", "P1", J, D(2020, 6, 7), D(2020, 6, 7), "held"),  # D1 wk1 (Sunday) timely
    ("X2", "P1", J, D(2020, 6, 8), D(2020, 6, 20), "held"),  # D1 wk2 late
    ("X3", "P3", J, D(2020, 6, 2), D(2020, 5, 30), "held"),  # D2 wk1 timely (early)
    ("X4", "P3", J, D(2020, 6, 10), D(2020, 6, 10), "held"),  # D2 wk2 timely
    ("X3", "P3", J, D(2020, 6, 12), D(2020, 6, 11), "held"),  # D2 wk2 timely
    # not counted: not held, another kind, due before the first day or after the last
    ("X1", "P1", J, D(2020, 6, 2), None, "no_show"),
    ("X1", "P1", J, D(2020, 6, 2), None, "planned"),
    ("X1", "P1", "follow_up", D(2020, 6, 2), D(2020, 6, 9), "held"),
    ("X1", "P1", J, D(2020, 5, 31), D(2020, 6, 9), "held"),
    ("X1", "P1", J, D(2020, 6, 15), D(2020, 6, 20), "held"),
]


@pytest.fixture
def timely(engine: Engine) -> Engine:
    citizens = dict.fromkeys(("X1", "X2", "X3", "X4"), GROUP)
    meetings = [
        (c, who, kind, due, due, held, status, False) for c, who, kind, due, held, status in TIMELY
    ]
    _, people = _write(engine, citizens, [], meetings)
    with engine.begin() as conn:
        trials = {}
        for code in ("T1", "T2"):
            trials[code] = conn.execute(
                insert(s.trial)
                .values(code=code, name=f"Trial {code}", unit="citizen", start_date=D(2020, 1, 1))
                .returning(s.trial.c.id)
            ).scalar_one()
        for code, citizen, arm in (
            ("T1", "X1", "trial"),
            ("T1", "X2", "control"),
            ("T1", "X3", "trial"),
            ("T2", "X4", "trial"),
            ("T2", "X2", "trial"),
        ):
            conn.execute(
                insert(s.trial_assignment).values(
                    trial_id=trials[code],
                    citizen_id=people[citizen],
                    arm=arm,
                    probability=0.5,
                    assigned_date=D(2020, 1, 1),
                )
            )
    return engine


def _table(frame: pl.DataFrame) -> list[tuple[str, date, int, int, float]]:
    return frame.select("group", "week", "held", "timely", "share").rows()


def test_timeliness_by_department(timely: Engine) -> None:
    with reader(timely).connect() as conn:
        frame = timeliness(conn, D(2020, 6, 1), D(2020, 6, 14))
    assert frame.schema["week"] == pl.Date
    # D1 week 1: due 06-01 (timely), 06-03 (late), 06-07 (timely) -> 3 held, 2 timely
    # D1 week 2: due 06-08 held 06-20 (late) -> 1, 0
    # D2 week 1: due 06-02 held early -> 1, 1; week 2: 06-10, 06-12 both timely -> 2, 2
    assert _table(frame) == [
        ("D1", D(2020, 6, 1), 3, 2, pytest.approx(2 / 3)),
        ("D1", D(2020, 6, 8), 1, 0, 0.0),
        ("D2", D(2020, 6, 1), 1, 1, 1.0),
        ("D2", D(2020, 6, 8), 2, 2, 1.0),
    ]


def test_timeliness_by_arm(timely: Engine) -> None:
    with reader(timely).connect() as conn:
        frame = timeliness(conn, D(2020, 6, 1), D(2020, 6, 14), by="arm", trial="T1")
        other = timeliness(conn, D(2020, 6, 1), D(2020, 6, 14), by="arm", trial="T2")
    # T1 control (X2): 06-03 late (wk1), 06-08 late (wk2)
    # T1 trial (X1, X3): wk1 06-01, 06-07 (X1) and 06-02 (X3), all timely; wk2 06-12 (X3);
    # X4's 06-10 belongs to T2 only
    assert _table(frame) == [
        ("control", D(2020, 6, 1), 1, 0, 0.0),
        ("control", D(2020, 6, 8), 1, 0, 0.0),
        ("trial", D(2020, 6, 1), 3, 3, 1.0),
        ("trial", D(2020, 6, 8), 1, 1, 1.0),
    ]
    # T2 trial (X2, X4): wk1 06-03 late; wk2 06-08 late, 06-10 timely
    assert _table(other) == [
        ("trial", D(2020, 6, 1), 1, 0, 0.0),
        ("trial", D(2020, 6, 8), 2, 1, 0.5),
    ]


def test_timeliness_narrow_window_and_bad_grouping(timely: Engine) -> None:
    with reader(timely).connect() as conn:
        # only due 2020-06-07 .. 2020-06-08: D1's 06-07 (timely, week 1) and 06-08 (late)
        frame = timeliness(conn, D(2020, 6, 7), D(2020, 6, 8))
        with pytest.raises(ValueError, match="department or arm"):
            timeliness(conn, D(2020, 6, 1), D(2020, 6, 14), by="team")
    assert _table(frame) == [
        ("D1", D(2020, 6, 1), 1, 1, 1.0),
        ("D1", D(2020, 6, 8), 1, 0, 0.0),
    ]


def _entry(responsibilities: list[Responsibility], day: date) -> date | None:
    """The entry as operate.rhythm defines it, or None when off the caseload on ``day``."""
    started = [r for r in responsibilities if r[3] <= day]
    if not any(r[4] is None or r[4] >= day for r in started):
        return None
    intakes = [r[3] for r in started if r[5] == "intake"]
    return max(intakes) if intakes else min(r[3] for r in started)


def test_random_histories_agree_with_next_due(engine: Engine) -> None:
    """Seeded random histories (stints, kinds, statuses, accepted absences, target groups with
    and without their own rule) read by the SQL and by next_due, citizen by citizen."""
    rng = random.Random(20200615)
    groups = ("activity_ready_30_plus", "sickness_benefit", "job_ready_30_plus")
    rules = {None: MeetingRule(2, 21, 10, 2), "sickness_benefit": MeetingRule(1, 7, 5, 1)}
    base = D(2019, 6, 1)
    citizens: dict[str, str] = {}
    responsibilities: list[Responsibility] = []
    meetings: list[Meeting] = []
    statuses = (
        "held",
        "held",
        "held",
        "no_show",
        "cancelled_by_citizen",
        "cancelled_by_job_centre",
        "planned",
    )
    for i in range(80):
        code = f"Z{i:02d}"
        citizens[code] = rng.choice(groups)
        start = base + timedelta(days=rng.randrange(0, 300))
        first_end = start + timedelta(days=rng.randrange(30, 400))
        who = rng.choice(("P1", "P2", "P3"))
        reason = rng.choice(("intake", "intake", "reallocation"))
        if rng.random() < 0.4:
            responsibilities.append((code, who, KS, start, first_end, reason))
            restart = first_end + timedelta(days=rng.randrange(1, 120))
            responsibilities.append(
                (
                    code,
                    rng.choice(("P1", "P2", "P3")),
                    KS,
                    restart,
                    None,
                    rng.choice(("intake", "reallocation")),
                )
            )
        else:
            end = first_end if rng.random() < 0.2 else None
            responsibilities.append((code, who, KS, start, end, reason))
        for _ in range(rng.randrange(0, 9)):
            due = start + timedelta(days=rng.randrange(-60, 500))
            status = rng.choice(statuses)
            kind = J if rng.random() < 0.85 else "follow_up"
            scheduled = None if rng.random() < 0.2 else due + timedelta(rng.randrange(-10, 20))
            held = (scheduled or due) + timedelta(rng.randrange(0, 5)) if status == "held" else None
            accepted = status in ("no_show", "cancelled_by_citizen") and rng.random() < 0.3
            meetings.append((code, who, kind, due, scheduled, held, status, accepted))
    staff, people = _write(engine, citizens, responsibilities, meetings)
    with engine.begin() as conn:
        for group, rule in rules.items():
            conn.execute(insert(s.meeting_rule).values(target_group=group, **vars(rule)))
    code_of = {v: k for k, v in people.items()}
    compared = 0
    for day in (D(2019, 12, 31), D(2020, 2, 29), D(2020, 6, 15), D(2020, 11, 30)):
        with reader(engine).connect() as conn:
            frame = due_frame(conn, day)
        got = {code_of[r["citizen_id"]]: r for r in frame.iter_rows(named=True)}
        expected = {}
        for code, group in citizens.items():
            entry = _entry([r for r in responsibilities if r[0] == code], day)
            if entry is None:
                continue
            rule = rules.get(group, rules[None])
            expected[code] = (entry, next_due(entry, _contacts(code, meetings), day, rule))
        assert sorted(got) == sorted(expected), day
        for code, (entry, due) in expected.items():
            row = got[code]
            assert (
                row["entry"],
                row["last_held"],
                row["due"],
                row["missed_by_citizen"],
                row["outreach"],
            ) == (entry, due.last_held, due.due, due.missed_by_citizen, due.outreach), (day, code)
            compared += 1
        # the scoped statements (one caseworker's; a scope of citizen ids, as the API's "my
        # citizens" passes) prune to their citizens early: they must give the same rows
        with reader(engine).connect() as conn:
            for who in ("P1", "P2", "P3"):
                mine = due_frame(conn, day, caseworker=staff[who])
                assert mine.sort("citizen_id").equals(
                    frame.filter(pl.col("professional_id") == staff[who]).sort("citizen_id")
                ), (day, who)
            some = sorted(rng.sample(sorted(got), 15))
            ids = select(s.citizen.c.id).where(s.citizen.c.code.in_(some))
            scoped = {
                code_of[r.citizen_id]: r._asdict()
                for r in conn.execute(due_dates(conn.dialect.name, day, within=ids))
            }
            assert sorted(scoped) == some, day
            for code in some:
                assert {k: scoped[code][k] for k in ("professional_id", "due", "outreach")} == {
                    k: got[code][k] for k in ("professional_id", "due", "outreach")
                }, (day, code)
    assert compared > 100
