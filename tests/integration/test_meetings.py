"""Meetings by hand on SQLite and PostgreSQL: ids caseload gives (unique with several writers
at once), a planned meeting marked held, cancelled or no-show (feeding the rhythm as one
recorded so), corrections keeping the earlier values and the reason, version conflicts."""

from __future__ import annotations

import threading
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, select

from caseload.domain.cpr import looks_like_cpr
from caseload.operate.meetings import (
    Booking,
    Conflict,
    NotFound,
    Refused,
    correct_meeting,
    mark_meeting,
    record_meeting,
    register_with_next,
)
from caseload.operate.refusals import shown_id
from caseload.operate.rhythm import due_dates
from caseload.store import schema as s
from tests.helpers import add_row

KS = "coordinating_caseworker"
ENTRY = date(2019, 1, 1)
CITIZENS = ("C1", "C2", "C3", "C4", "C5", "C6")


def _add(conn: Connection, table: Any, **values: Any) -> int:
    return add_row(conn, table, **values)


@pytest.fixture
def ids(engine: Engine) -> dict[str, int]:
    """KS1 and KS2 in department D; citizens C1..C6 on KS1's caseload from 2019-01-01 (the
    built-in rule: first job meeting within 30 days, every 3 months, follow-up in 14)."""
    found: dict[str, int] = {}
    with engine.begin() as conn:
        dept = _add(conn, s.department, code="D", name="D", is_trial=False, role_model="all_apart")
        for code in ("KS1", "KS2"):
            found[code] = _add(
                conn,
                s.professional,
                code=code,
                name=code,
                department_id=dept,
                fte=1.0,
                start_date=date(2015, 1, 1),
            )
            _add(
                conn,
                s.professional_role,
                professional_id=found[code],
                role=KS,
                start_date=date(2015, 1, 1),
            )
        for code in CITIZENS:
            found[code] = _add(
                conn,
                s.citizen,
                code=code,
                birth_date=date(1970, 1, 1),
                sex="female",
                origin="danish",
                target_group="activity_ready_30_plus",
            )
            _add(
                conn,
                s.responsibility,
                citizen_id=found[code],
                professional_id=found["KS1"],
                role=KS,
                start_date=ENTRY,
                reason="intake",
            )
    return found


def _meeting(engine: Engine, code: str) -> dict[str, Any]:
    m = s.meeting
    with engine.connect() as conn:
        return dict(conn.execute(select(m).where(m.c.code == code)).one()._mapping)


def _version(engine: Engine, citizen: str) -> int:
    c = s.citizen
    with engine.connect() as conn:
        return int(conn.execute(select(c.c.version).where(c.c.code == citizen)).scalar_one())


def _rhythm(engine: Engine, citizen: int, day: date) -> tuple[Any, ...]:
    """(last held, due, missed by the citizen, outreach, planned) as `caseload overdue` sees
    it on ``day``."""
    with engine.connect() as conn:
        due = due_dates(conn.dialect.name, day).subquery()
        row = conn.execute(
            select(due.c.last_held, due.c.due, due.c.missed_by_citizen, due.c.outreach).where(
                due.c.citizen_id == citizen
            )
        ).one()
    return tuple(
        date.fromisoformat(v) if isinstance(v, str) else (bool(v) if i == 3 else v)
        for i, v in enumerate(row)
    )


def _corrections(engine: Engine) -> list[dict[str, Any]]:
    mc = s.meeting_correction
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(mc).order_by(mc.c.id))]


# --- ids -----------------------------------------------------------------------------------


def test_caseload_gives_an_id_when_none_is_given(engine: Engine, ids: dict[str, int]) -> None:
    """An imported meeting holds M0000002: the ids given skip it, never clash, and never
    look like a CPR number."""
    with engine.begin() as conn:
        _add(
            conn,
            s.meeting,
            code="M0000002",
            citizen_id=ids["C1"],
            kind="job_meeting",
            scheduled_date=date(2019, 1, 10),
            held_date=date(2019, 1, 10),
            status="held",
        )
    made = []
    for day in (date(2019, 2, 1), date(2019, 2, 2), date(2019, 2, 3)):
        with engine.begin() as conn:
            made.append(record_meeting(conn, "C1", None, "job_meeting", "planned", day))
    assert [r.meeting for r in made] == ["M0000003", "M0000004", "M0000005"]
    assert [r.version for r in made] == [2, 3, 4]
    for r in made:
        assert not looks_like_cpr(r.meeting) and shown_id(r.meeting) == repr(r.meeting)
        assert _meeting(engine, r.meeting)["scheduled_date"] == r.day


def test_ids_are_unique_under_concurrent_writers(engine: Engine, ids: dict[str, int]) -> None:
    """Six users record four meetings each at once (one citizen each): 24 meetings, 24 ids."""
    start = threading.Barrier(len(CITIZENS))
    errors: list[BaseException] = []
    made: list[str] = []

    def user(citizen: str) -> None:
        try:
            start.wait()
            for n in range(4):
                with engine.begin() as conn:
                    r = record_meeting(
                        conn, citizen, None, "phone_contact", "held", date(2019, 3, 1 + n)
                    )
                made.append(r.meeting)
        except BaseException as error:  # reported below, with the test's assertion
            errors.append(error)

    threads = [threading.Thread(target=user, args=(c,)) for c in CITIZENS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(made) == len(set(made)) == 24
    with engine.connect() as conn:
        stored = conn.execute(select(s.meeting.c.code)).scalars().all()
    assert sorted(stored) == sorted(made)
    assert all(code.startswith("M") and code[1:].isdigit() for code in stored)


def test_a_cpr_number_is_never_a_meeting_id(engine: Engine, ids: dict[str, int]) -> None:
    with pytest.raises(Refused) as raised, engine.begin() as conn:
        record_meeting(conn, "C1", "010180-1234", "job_meeting", "held", date(2019, 2, 1))
    assert "1234" not in raised.value.message("en") and "CPR" in raised.value.message("en")
    with pytest.raises(Refused, match="cannot be blank"), engine.begin() as conn:
        record_meeting(conn, "C1", "  ", "job_meeting", "held", date(2019, 2, 1))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.meeting)).scalar_one() == 0


# --- marking a planned meeting ---------------------------------------------------------------


def test_a_planned_meeting_marked_held_counts_as_one_recorded_held(
    engine: Engine, ids: dict[str, int]
) -> None:
    """C1's meeting planned for 2019-01-28 is held on 2019-01-25; C2's is recorded held on
    2019-01-25. Both are due 2019-01-31 (30 days after entry), held on time, and the rhythm
    sees the same: last held 2019-01-25, next due 2019-04-25."""
    with engine.begin() as conn:
        planned = record_meeting(conn, "C1", "P1", "job_meeting", "planned", date(2019, 1, 28))
    assert (planned.due, planned.version) == (date(2019, 1, 31), 2)
    with engine.begin() as conn:
        held = mark_meeting(
            conn, "P1", "held", date(2019, 1, 25), "KS2", 50, "home", version=planned.version
        )
    assert (held.citizen, held.status, held.day, held.due, held.version) == (
        "C1",
        "held",
        date(2019, 1, 25),
        date(2019, 1, 31),
        3,
    )
    with engine.begin() as conn:
        record_meeting(conn, "C2", "R1", "job_meeting", "held", date(2019, 1, 25))
    marked, recorded = _meeting(engine, "P1"), _meeting(engine, "R1")
    for column in ("status", "held_date", "due_date", "kind"):
        assert marked[column] == recorded[column], column
    assert marked["scheduled_date"] == date(2019, 1, 28)  # the day it was planned for stays
    assert (marked["duration_minutes"], marked["place"], marked["professional_id"]) == (
        50,
        "home",
        ids["KS2"],
    )
    day = date(2019, 3, 1)
    assert _rhythm(engine, ids["C1"], day) == _rhythm(engine, ids["C2"], day)
    assert _rhythm(engine, ids["C1"], day) == (date(2019, 1, 25), date(2019, 4, 25), 0, False)


@pytest.mark.parametrize(
    ("status", "by_citizen"),
    [("no_show", 1), ("cancelled_by_citizen", 1), ("cancelled_by_job_centre", 0)],
)
def test_a_planned_meeting_marked_missed_counts_as_one_recorded_missed(
    engine: Engine, ids: dict[str, int], status: str, by_citizen: int
) -> None:
    """Missed on the day it was planned (2019-01-20): a follow-up is due 14 days later."""
    with engine.begin() as conn:
        record_meeting(conn, "C1", "P1", "job_meeting", "planned", date(2019, 1, 20))
        marked = mark_meeting(conn, "P1", status)
        record_meeting(conn, "C2", "R1", "job_meeting", status, date(2019, 1, 20))
    assert (marked.day, marked.status) == (date(2019, 1, 20), status)
    assert _meeting(engine, "P1")["held_date"] is None
    day = date(2019, 1, 25)
    assert _rhythm(engine, ids["C1"], day) == _rhythm(engine, ids["C2"], day)
    assert _rhythm(engine, ids["C1"], day) == (None, date(2019, 1, 31), by_citizen, False)
    # rescheduled and missed again on another day, with the absence accepted
    with engine.begin() as conn:
        record_meeting(conn, "C3", "P3", "job_meeting", "planned", date(2019, 1, 20))
        mark_meeting(conn, "P3", "cancelled_by_citizen", date(2019, 1, 22), absence_accepted=True)
    p3 = _meeting(engine, "P3")
    assert (p3["scheduled_date"], p3["absence_accepted"]) == (date(2019, 1, 22), True)
    assert _rhythm(engine, ids["C3"], day)[1:] == (date(2019, 2, 5), 0, False)


def test_a_meeting_held_with_the_next_booked_is_two_meetings_recorded_in_turn(
    engine: Engine, ids: dict[str, int]
) -> None:
    """The meeting form's edit (held, the next one booked) writes what recording the two one
    after the other writes: the booking's due date counts the meeting held with it, and
    the case version moves twice. C1 had a cancelled one before (a follow-up was due)."""
    for citizen in ("C1", "C2"):
        with engine.begin() as conn:
            record_meeting(
                conn, citizen, f"X{citizen}", "job_meeting", "cancelled_by_citizen", ENTRY
            )
    with engine.begin() as conn:
        first, booked = register_with_next(
            conn,
            "C1",
            "job_meeting",
            "held",
            date(2019, 1, 20),
            "KS1",
            45,
            "job_centre",
            False,
            2,
            Booking(date(2019, 4, 19), "phone"),
        )
    with engine.begin() as conn:
        one = record_meeting(
            conn,
            "C2",
            None,
            "job_meeting",
            "held",
            date(2019, 1, 20),
            "KS1",
            45,
            "job_centre",
            version=2,
        )
        two = record_meeting(
            conn,
            "C2",
            None,
            "job_meeting",
            "planned",
            date(2019, 4, 19),
            "KS1",
            None,
            "phone",
            version=one.version,
        )
    assert booked is not None
    assert (first.due, first.version) == (one.due, one.version) == (date(2019, 1, 15), 3)
    assert (booked.due, booked.version) == (two.due, two.version) == (date(2019, 4, 20), 4)
    ignore = {"id", "code", "citizen_id"}
    for mine, theirs in ((first, one), (booked, two)):
        a, b = _meeting(engine, mine.meeting), _meeting(engine, theirs.meeting)
        assert {k: v for k, v in a.items() if k not in ignore} == {
            k: v for k, v in b.items() if k not in ignore
        }
    # a refusal of the booking (before the citizen's entry) writes neither meeting
    with pytest.raises(Refused), engine.begin() as conn:
        register_with_next(
            conn,
            "C3",
            "job_meeting",
            "held",
            date(2019, 1, 20),
            "KS1",
            45,
            None,
            False,
            1,
            Booking(date(2018, 6, 1)),
        )
    assert _version(engine, "C3") == 1


def test_only_a_planned_meeting_is_marked(engine: Engine, ids: dict[str, int]) -> None:
    with engine.begin() as conn:
        record_meeting(conn, "C1", "H1", "job_meeting", "held", date(2019, 1, 20))
        record_meeting(conn, "C1", "P1", "job_meeting", "planned", date(2019, 2, 20))
    version, before = _version(engine, "C1"), _meeting(engine, "H1")
    with pytest.raises(Refused) as raised, engine.begin() as conn:
        mark_meeting(conn, "H1", "no_show")
    said = raised.value.message("en")
    assert "H1 is already recorded as held" in said and "correct it instead" in said
    assert "allerede registreret som afholdt" in raised.value.message("da")
    for refused, match in (
        ({"status": "planned"}, "planned already"),
        ({"status": "no_show", "minutes": 30}, "only a held meeting has minutes"),
        ({"status": "held", "absence_accepted": True}, "absence accepted"),
        ({"status": "held", "day": date(2018, 12, 1)}, "before the citizen's entry"),
        ({"status": "held", "citizen": "C2"}, "not a meeting of 'C2'"),
        ({"status": "gone"}, "unknown meeting status 'gone'"),
    ):
        options = {"day": date(2019, 2, 20), **refused}
        with pytest.raises(Refused, match=match), engine.begin() as conn:
            mark_meeting(conn, "P1", **options)
    with pytest.raises(NotFound, match="no meeting 'NOPE'"), engine.begin() as conn:
        mark_meeting(conn, "NOPE", "held", date(2019, 2, 20))
    assert _version(engine, "C1") == version
    assert _meeting(engine, "H1") == before
    assert _meeting(engine, "P1")["status"] == "planned"


# --- corrections ------------------------------------------------------------------------------


def test_a_correction_keeps_the_earlier_values_and_the_reason(
    engine: Engine, ids: dict[str, int]
) -> None:
    with engine.begin() as conn:
        record_meeting(
            conn, "C1", "M1", "job_meeting", "held", date(2019, 1, 20), "KS1", 30, "home"
        )
    first_at, second_at = datetime(2019, 1, 21, 9, 30), datetime(2019, 1, 22, 14, 0)
    with engine.begin() as conn:
        done = correct_meeting(
            conn,
            "M1",
            " it was a video meeting of 40 minutes ",
            "anna",
            minutes=40,
            place="video",
            staff="KS2",
            version=2,
            at=first_at,
        )
    assert (done.changed, done.reason, done.version) == (
        ("minutes", "place", "staff"),
        "it was a video meeting of 40 minutes",
        3,
    )
    now = _meeting(engine, "M1")
    assert (now["duration_minutes"], now["place"], now["professional_id"]) == (
        40,
        "video",
        ids["KS2"],
    )
    assert (now["held_date"], now["due_date"]) == (date(2019, 1, 20), date(2019, 1, 31))
    with engine.begin() as conn:
        again = correct_meeting(
            conn, "M1", "the citizen did not come", "bo", status="no_show", at=second_at
        )
    assert again.changed == ("status", "day")
    now = _meeting(engine, "M1")
    assert (now["status"], now["held_date"], now["scheduled_date"]) == (
        "no_show",
        None,
        date(2019, 1, 20),
    )
    rows = _corrections(engine)
    earlier = [
        (
            r["reason"],
            r["corrected_by"],
            r["corrected_at"],
            r["status"],
            r["held_date"],
            r["duration_minutes"],
            r["place"],
            r["professional_id"],
            r["due_date"],
        )
        for r in rows
    ]
    assert earlier == [
        (
            "it was a video meeting of 40 minutes",
            "anna",
            first_at,
            "held",
            date(2019, 1, 20),
            30,
            "home",
            ids["KS1"],
            date(2019, 1, 31),
        ),
        (
            "the citizen did not come",
            "bo",
            second_at,
            "held",
            date(2019, 1, 20),
            40,
            "video",
            ids["KS2"],
            date(2019, 1, 31),
        ),
    ]
    assert {r["meeting_id"] for r in rows} == {now["id"]}
    assert _version(engine, "C1") == 4
    # the rhythm follows the corrected meeting: a no-show, not a meeting held
    assert _rhythm(engine, ids["C1"], date(2019, 1, 25)) == (None, date(2019, 1, 31), 1, False)


def test_correcting_the_day_moves_the_due_date(engine: Engine, ids: dict[str, int]) -> None:
    """Recorded held 2019-05-10 after one held 2019-01-20 (due 2019-04-20: late); the right
    day was 2019-04-15 (on time). A job meeting corrected to a follow-up has no due date."""
    with engine.begin() as conn:
        record_meeting(conn, "C1", "M1", "job_meeting", "held", date(2019, 1, 20))
        record_meeting(conn, "C1", "M2", "job_meeting", "held", date(2019, 5, 10))
        done = correct_meeting(conn, "M2", "wrong day typed", day=date(2019, 4, 15))
    assert done.changed == ("day",)
    m2 = _meeting(engine, "M2")
    assert (m2["held_date"], m2["scheduled_date"], m2["due_date"]) == (
        date(2019, 4, 15),
        date(2019, 4, 15),
        date(2019, 4, 20),
    )
    assert _rhythm(engine, ids["C1"], date(2019, 6, 1))[:2] == (
        date(2019, 4, 15),
        date(2019, 7, 15),
    )
    with engine.begin() as conn:
        correct_meeting(conn, "M2", "it was a follow-up", kind="follow_up")
    assert _meeting(engine, "M2")["due_date"] is None
    assert _rhythm(engine, ids["C1"], date(2019, 6, 1))[:2] == (
        date(2019, 1, 20),
        date(2019, 4, 20),
    )


def test_a_correction_needs_a_reason_and_a_change(engine: Engine, ids: dict[str, int]) -> None:
    with engine.begin() as conn:
        record_meeting(conn, "C1", "M1", "job_meeting", "held", date(2019, 1, 20), place="home")
    for reason in ("", "   "):
        with pytest.raises(Refused, match="needs a reason"), engine.begin() as conn:
            correct_meeting(conn, "M1", reason, place="video")
    with pytest.raises(Refused, match="nothing to correct"), engine.begin() as conn:
        correct_meeting(conn, "M1", "same", place="home", status="held")
    with pytest.raises(Refused, match="unknown meeting place 'moon'"), engine.begin() as conn:
        correct_meeting(conn, "M1", "where", place="moon")
    with pytest.raises(Refused, match="before the citizen's entry"), engine.begin() as conn:
        correct_meeting(conn, "M1", "day", day=date(2018, 12, 31))
    with pytest.raises(NotFound, match="no professional 'X9'"), engine.begin() as conn:
        correct_meeting(conn, "M1", "who", staff="X9")
    assert _corrections(engine) == []
    assert _version(engine, "C1") == 2
    # a planned meeting is corrected too (e.g. the wrong place), and stays planned
    with engine.begin() as conn:
        record_meeting(conn, "C1", "P1", "job_meeting", "planned", date(2019, 4, 1))
        correct_meeting(conn, "P1", "at home, not at the job centre", place="home")
    assert (_meeting(engine, "P1")["status"], _meeting(engine, "P1")["place"]) == (
        "planned",
        "home",
    )


def test_stale_versions_conflict_and_write_nothing(engine: Engine, ids: dict[str, int]) -> None:
    with engine.begin() as conn:
        record_meeting(conn, "C1", "P1", "job_meeting", "planned", date(2019, 1, 25))
    assert _version(engine, "C1") == 2
    with engine.begin() as conn:  # someone else changes the case
        record_meeting(conn, "C1", None, "phone_contact", "held", date(2019, 1, 10))
    before = _meeting(engine, "P1")
    with pytest.raises(Conflict, match=r"version 3, you had 2"), engine.begin() as conn:
        mark_meeting(conn, "P1", "held", date(2019, 1, 25), version=2)
    with pytest.raises(Conflict, match=r"version 3, you had 2"), engine.begin() as conn:
        correct_meeting(conn, "P1", "place", place="video", version=2)
    assert _meeting(engine, "P1") == before
    assert _corrections(engine) == []
    with engine.begin() as conn:
        assert mark_meeting(conn, "P1", "held", date(2019, 1, 25), version=3).version == 4
