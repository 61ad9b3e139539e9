"""One citizen's case (operate.case) on the example register, on SQLite and PostgreSQL:
every part as the examples hold it, the as-of day, corrections beside their meeting, the
next job meeting due as `caseload overdue` computes it, the version, and the JSON."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, select

from caseload.operate.case import NotFound, case, to_json
from caseload.operate.meetings import correct_meeting, mark_meeting, record_meeting
from caseload.operate.rhythm import due_dates
from caseload.register import catalogue, importer
from caseload.store import schema as s
from tests.conftest import EXAMPLES, CopyOf


def _load_examples(engine: Engine, _folder: Path) -> None:
    for spec in catalogue.SPECS:
        importer.import_file(engine, spec.name, EXAMPLES / f"{spec.name}.csv")


@pytest.fixture
def loaded(register_copy: CopyOf) -> Engine:
    return register_copy(_load_examples)


def test_every_part_of_a_case(loaded: Engine) -> None:
    """C000002: two caseworkers (a staff exit), a handoff to VK-001, a no-show and its
    follow-up, a medical request, a plan through the team, two spells, the trial arm."""
    with loaded.connect() as conn:
        found = case(conn, "C000002", date(2019, 9, 1))
    assert (found.citizen, found.version, found.target_group) == (
        "C000002",
        1,
        "activity_ready_30_plus",
    )
    assert [(r.role, r.staff, r.start, r.end, r.reason) for r in found.responsibilities] == [
        ("coordinating_caseworker", "KS-002", date(2018, 1, 1), date(2019, 6, 30), "intake"),
        ("company_consultant", "VK-001", date(2018, 9, 1), None, "handoff"),
        ("coordinating_caseworker", "KS-001", date(2019, 7, 1), None, "staff_exit"),
    ]
    assert [(m.code, m.kind, m.status, m.held) for m in found.meetings] == [
        ("M0000002", "job_meeting", "no_show", None),
        ("M0000003", "follow_up", "held", date(2018, 3, 8)),
    ]
    assert [(s.benefit, s.start, s.end) for s in found.spells] == [
        ("kontanthjaelp", date(2016, 1, 1), date(2018, 10, 31)),
        ("resource_course", date(2018, 11, 1), None),
    ]
    assert [(q.code, q.kind, q.questions, q.followed_up) for q in found.requests] == [
        ("L000001", "le145", 3, date(2018, 4, 16))
    ]
    assert [
        (p.code, p.completed, [(r.meeting, r.recommendation) for r in p.recommendations])
        for p in found.plans
    ] == [("P000001", date(2018, 8, 15), [(date(2018, 9, 20), "resource_course")])]
    assert [(a.trial, a.arm) for a in found.arms] == [("CPH-2018", "trial")]
    assert (found.orders, found.placements, found.paid_hours) == ((), (), ())
    # the rule of activity_ready_30_plus: first job meeting within 21 days of entry; a
    # no-show on 2018-03-01 is followed up within 7 days, but the first was due sooner
    nxt = found.next_job_meeting
    assert nxt is not None
    assert (nxt.due, nxt.overdue, nxt.last_held, nxt.missed_by_citizen, nxt.outreach) == (
        date(2018, 1, 22),
        True,
        None,
        1,
        False,
    )


def test_orders_placements_hours_and_the_as_of_day(loaded: Engine) -> None:
    with loaded.connect() as conn:
        later = case(conn, "C000001", date(2019, 9, 1))
        early = case(conn, "C000001", date(2018, 4, 1))
    [order] = later.orders
    assert (order.code, order.supplier, order.report_every_days) == ("O000001", "Supplier 3", 30)
    assert [(r.due, r.received, r.acted_on) for r in order.reports] == [
        (date(2018, 3, 22), date(2018, 3, 23), date(2018, 3, 26)),
        (date(2018, 4, 21), date(2018, 4, 25), None),
    ]
    assert [(p.code, p.kind, p.weekly_hours) for p in later.placements] == [
        ("V000001", "work_placement", 12.0)
    ]
    assert [(h.month, h.hours) for h in later.paid_hours] == [
        (date(2018, 9, 1), 20.0),
        (date(2018, 10, 1), 32.0),
    ]
    # on 2018-04-01: one report due so far, no placement, no paid hours, one spell
    assert [r.due for r in early.orders[0].reports] == [date(2018, 3, 22)]
    assert (early.placements, early.paid_hours) == ((), ())
    assert [s.benefit for s in early.spells] == ["kontanthjaelp"]


def test_meetings_with_their_corrections_and_the_version(loaded: Engine) -> None:
    at = datetime(2019, 8, 13, 10, 0)
    with loaded.begin() as conn:
        planned = record_meeting(conn, "C000001", None, "job_meeting", "planned", date(2019, 8, 10))
        mark_meeting(conn, planned.meeting, "held", date(2019, 8, 12), minutes=50, place="home")
        correct_meeting(
            conn, planned.meeting, "it was at the job centre", "anna", place="job_centre", at=at
        )
        record_meeting(conn, "C000001", None, "job_meeting", "planned", date(2019, 11, 1))
    with loaded.connect() as conn:
        found = case(conn, "C000001", date(2019, 9, 1))
    assert found.version == 5
    codes = [m.code for m in found.meetings]
    assert codes == ["M0000001", planned.meeting, "M0000006"]  # a planned one after the day
    held = found.meetings[1]
    assert (held.status, held.held, held.scheduled, held.minutes, held.place) == (
        "held",
        date(2019, 8, 12),
        date(2019, 8, 10),
        50,
        "job_centre",
    )
    [correction] = held.corrections
    assert (correction.at, correction.by, correction.reason, correction.place) == (
        at,
        "anna",
        "it was at the job centre",
        "home",
    )
    nxt = found.next_job_meeting
    assert nxt is not None
    assert (nxt.last_held, nxt.due, nxt.planned) == (
        date(2019, 8, 12),
        date(2019, 11, 12),
        date(2019, 11, 1),
    )
    data = json.loads(json.dumps(to_json(found)))
    assert data["version"] == 5 and data["as_of"] == "2019-09-01"
    assert data["meetings"][1]["corrections"][0] == {
        "at": "2019-08-13T10:00:00",
        "by": "anna",
        "reason": "it was at the job centre",
        "kind": "job_meeting",
        "status": "held",
        "due": data["meetings"][1]["due"],
        "scheduled": "2019-08-10",
        "held": "2019-08-12",
        "minutes": 50,
        "place": "home",
        "staff": None,
        "absence_accepted": False,
    }
    assert data["next_job_meeting"]["due"] == "2019-11-12"


def test_an_unknown_citizen_is_not_found_and_a_cpr_number_not_repeated(loaded: Engine) -> None:
    with loaded.connect() as conn:
        with pytest.raises(NotFound, match="no citizen 'C9'"):
            case(conn, "C9", date(2019, 9, 1))
        with pytest.raises(NotFound) as raised:
            case(conn, "0101801234", date(2019, 9, 1))
    assert "0101801234" not in raised.value.message("en")
    assert "0101801234" not in raised.value.message("da")


def _as_date(value: date | str | None) -> date | None:
    """A date from the database (SQLite gives computed dates as text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _same_as_overdue(conn: Connection, day: date, citizens: list[tuple[int, str]]) -> int:
    """Each citizen's next job meeting in the case view is what ``operate.rhythm`` (behind
    `caseload overdue`) computes for everyone at once; returns how many were on a caseload."""
    due = due_dates(conn.dialect.name, day).subquery()
    rows = {r.citizen_id: r for r in conn.execute(select(due))}
    on = 0
    for cid, code in citizens:
        nxt = case(conn, code, day).next_job_meeting
        if cid not in rows:
            assert nxt is None, code
            continue
        r, on = rows[cid], on + 1
        assert nxt is not None, code
        assert (nxt.due, nxt.last_held, nxt.planned, nxt.missed_by_citizen, nxt.outreach) == (
            _as_date(r.due),
            _as_date(r.last_held),
            _as_date(r.planned),
            int(r.missed_by_citizen),
            bool(r.outreach),
        ), code
        assert nxt.overdue == (nxt.due < day)
    return on


@pytest.mark.parametrize(
    "day", [date(2017, 12, 31), date(2018, 1, 15), date(2018, 3, 5), date(2019, 9, 1)]
)
def test_the_next_job_meeting_is_the_one_overdue_computes(loaded: Engine, day: date) -> None:
    with loaded.begin() as conn:  # a planned job meeting ahead, for C000003
        record_meeting(conn, "C000003", None, "job_meeting", "planned", date(2019, 10, 1))
    with loaded.connect() as conn:
        c = s.citizen
        citizens = [(int(i), str(code)) for i, code in conn.execute(select(c.c.id, c.c.code))]
        on = _same_as_overdue(conn, day, citizens)
    assert on == (0 if day < date(2018, 1, 1) else 3)


def test_the_next_job_meeting_matches_overdue_across_the_demo(demo: Engine) -> None:
    """Every 10th citizen of the demo job centre on three days: held, missed, accepted
    absences, outreach and re-entries, as `caseload overdue` computes them."""
    with demo.connect() as conn:
        c = s.citizen
        citizens = [
            (int(i), str(code))
            for i, code in conn.execute(select(c.c.id, c.c.code).where(c.c.id % 10 == 0))
        ]
        on = sum(
            _same_as_overdue(conn, day, citizens)
            for day in (date(2018, 2, 1), date(2018, 11, 15), date(2019, 6, 30))
        )
    assert on > 500
