"""Changing one citizen's case by hand: the rules (caps, role model, takeover only among
attached professionals, meetings not before entry), overrides with a stored reason, and
optimistic concurrency — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, select

from caseload.operate import casework
from caseload.operate.casework import Conflict, Refused, change_contact
from caseload.operate.meetings import record_meeting
from caseload.register.contacts import primary_contact
from caseload.store import schema as s
from tests.helpers import add_row

KS, VK = "coordinating_caseworker", "company_consultant"
ENTRY = date(2019, 1, 1)
DAY = date(2019, 3, 1)


def _add(conn: Connection, table: Any, **values: Any) -> int:
    return add_row(conn, table, **values)


def _register(engine: Engine, model: str = "all_apart") -> dict[str, int]:
    """KS1 holds C1 (and C4), KS2 holds C2 and C3 (cap 2: full), KS3 holds both roles and is
    C1's company consultant, VK1 is a consultant attached to nobody."""
    ids: dict[str, int] = {}
    with engine.begin() as conn:
        dept = _add(conn, s.department, code="D", name="D", is_trial=False, role_model=model)
        for code, roles in (
            ("KS1", [KS]),
            ("KS2", [KS]),
            ("KS3", [KS, VK]),
            ("VK1", [VK]),
            ("VK2", [VK]),
        ):
            ids[code] = _add(
                conn,
                s.professional,
                code=code,
                name=code,
                department_id=dept,
                fte=1.0,
                start_date=date(2015, 1, 1),
            )
            for role in roles:
                _add(
                    conn,
                    s.professional_role,
                    professional_id=ids[code],
                    role=role,
                    start_date=date(2015, 1, 1),
                )
        for role in (KS, VK):
            _add(
                conn,
                s.caseload_cap,
                role=role,
                department_id=dept,
                cap=2,
                start_date=date(2015, 1, 1),
            )
        if model == "buddy_pair":
            _add(
                conn,
                s.buddy_pair,
                caseworker_id=ids["KS1"],
                partner_id=ids["VK2"],
                start_date=date(2015, 1, 1),
            )
        for code, holder in (("C1", "KS1"), ("C2", "KS2"), ("C3", "KS2"), ("C4", "KS1")):
            ids[code] = _add(
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
                citizen_id=ids[code],
                professional_id=ids[holder],
                role=KS,
                start_date=ENTRY,
                reason="intake",
            )
        _add(
            conn,
            s.responsibility,
            citizen_id=ids["C1"],
            professional_id=ids["KS3"],
            role=VK,
            start_date=ENTRY,
            reason="intake",
        )
    return ids


def _rows(engine: Engine) -> list[tuple[Any, ...]]:
    r = s.responsibility
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(r).order_by(r.c.id))]


def _version(engine: Engine, citizen: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(s.citizen.c.version).where(s.citizen.c.code == citizen)
            ).scalar_one()
        )


def test_reallocation_ends_the_old_and_starts_the_new(engine: Engine) -> None:
    ids = _register(engine)
    with engine.begin() as conn:
        done = change_contact(conn, "C4", KS, "KS3", DAY, "reallocation")
    assert (done.ended, done.started, done.version) == (1, 1, 2)
    r = s.responsibility
    with engine.connect() as conn:
        rows = conn.execute(
            select(r.c.professional_id, r.c.start_date, r.c.end_date, r.c.reason)
            .where(r.c.citizen_id == ids["C4"], r.c.role == KS)
            .order_by(r.c.start_date)
        ).all()
    assert [tuple(x) for x in rows] == [
        (ids["KS1"], ENTRY, DAY - timedelta(days=1), "intake"),
        (ids["KS3"], DAY, None, "reallocation"),
    ]


def test_over_cap_is_refused_unless_overridden_with_a_reason(engine: Engine) -> None:
    ids = _register(engine)
    before = _rows(engine)
    with (
        pytest.raises(Refused, match=r"KS2 would carry 3 against a cap of 2"),
        engine.begin() as conn,
    ):
        change_contact(conn, "C1", KS, "KS2", DAY, "reallocation")
    assert _rows(engine) == before
    assert _version(engine, "C1") == 1
    with pytest.raises(Refused), engine.begin() as conn:  # a blank reason is no reason
        change_contact(conn, "C1", KS, "KS2", DAY, "reallocation", override="  ")
    with engine.begin() as conn:
        change_contact(
            conn,
            "C1",
            KS,
            "KS2",
            DAY,
            "reallocation",
            override="citizen asked for KS2; agreed with the leader",
        )
    r = s.responsibility
    with engine.connect() as conn:
        reason = conn.execute(
            select(r.c.override_reason).where(
                r.c.citizen_id == ids["C1"], r.c.professional_id == ids["KS2"]
            )
        ).scalar_one()
    assert reason == "citizen asked for KS2; agreed with the leader"


def test_the_same_professional_twice_is_refused(engine: Engine) -> None:
    _register(engine)
    with pytest.raises(Refused, match="already holds C1"), engine.begin() as conn:
        change_contact(conn, "C1", KS, "KS1", DAY, "reallocation")


def test_a_professional_without_the_role_is_refused(engine: Engine) -> None:
    _register(engine)
    with (
        pytest.raises(Refused, match="does not hold the role coordinating caseworker"),
        engine.begin() as conn,
    ):
        change_contact(conn, "C1", KS, "VK1", DAY, "reallocation")


def test_cover_only_by_someone_already_attached(engine: Engine) -> None:
    ids = _register(engine)
    # KS2 is not attached to C1 (and is full): refused, naming the rule
    with pytest.raises(Refused, match="already attached to the citizen"), engine.begin() as conn:
        change_contact(conn, "C1", KS, "KS2", DAY, "cover", until=DAY + timedelta(days=20))
    # KS3 is C1's company consultant: may cover the caseworker role during KS1's holiday
    until = DAY + timedelta(days=20)
    with engine.begin() as conn:
        change_contact(conn, "C1", KS, "KS3", DAY, "cover", until=until)
    r = s.responsibility
    with engine.connect() as conn:
        cover = conn.execute(
            select(r.c.professional_id, r.c.end_date, r.c.covers_professional_id).where(
                r.c.citizen_id == ids["C1"], r.c.reason == "cover"
            )
        ).one()
        own_open = conn.execute(
            select(r.c.end_date).where(
                r.c.citizen_id == ids["C1"], r.c.role == KS, r.c.reason == "intake"
            )
        ).scalar_one()

        def contact_on(day: date) -> int:
            pc = primary_contact(day)
            return int(
                conn.execute(
                    select(pc.c.professional_id).where(pc.c.citizen_id == ids["C1"])
                ).scalar_one()
            )

        during, after = contact_on(DAY + timedelta(days=5)), contact_on(until + timedelta(1))
    assert tuple(cover) == (ids["KS3"], until, ids["KS1"])
    assert own_open is None  # the absent caseworker keeps the citizen
    assert (during, after) == (ids["KS3"], ids["KS1"])


def test_only_a_cover_has_an_end(engine: Engine) -> None:
    _register(engine)
    with pytest.raises(Refused, match="only a cover has an end"), engine.begin() as conn:
        change_contact(conn, "C4", KS, "KS3", DAY, "reallocation", until=DAY)


def test_handoff_goes_to_a_company_consultant(engine: Engine) -> None:
    ids = _register(engine)
    with pytest.raises(Refused, match="goes to a company consultant"), engine.begin() as conn:
        change_contact(conn, "C4", KS, "KS3", DAY, "handoff")
    with engine.begin() as conn:
        change_contact(conn, "C4", VK, "VK1", DAY, "handoff")
    r = s.responsibility
    with engine.connect() as conn:
        got = conn.execute(
            select(r.c.professional_id, r.c.reason).where(
                r.c.citizen_id == ids["C4"], r.c.role == VK
            )
        ).one()
    assert tuple(got) == (ids["VK1"], "handoff")


def test_buddy_pair_hands_off_to_the_partner_only(engine: Engine) -> None:
    _register(engine, "buddy_pair")
    with pytest.raises(Refused, match="caseworker's partner"), engine.begin() as conn:
        change_contact(conn, "C4", VK, "VK1", DAY, "handoff")
    with engine.begin() as conn:
        change_contact(conn, "C4", VK, "VK2", DAY, "handoff")


def test_all_inclusive_keeps_the_roles_with_the_caseworker(engine: Engine) -> None:
    _register(engine, "all_inclusive")
    with pytest.raises(Refused, match="all-inclusive"), engine.begin() as conn:
        change_contact(conn, "C4", VK, "VK1", DAY, "handoff")


def test_a_stale_version_is_a_conflict_and_loses_nothing(engine: Engine) -> None:
    _register(engine)
    seen = _version(engine, "C4")  # both users open the case at version 1
    with engine.begin() as conn:  # the first saves
        first = change_contact(conn, "C4", KS, "KS3", DAY, "reallocation", version=seen)
    assert first.version == seen + 1
    before = _rows(engine)
    with pytest.raises(Conflict, match=r"version 2, you had 1"), engine.begin() as conn:
        record_meeting(conn, "C4", "M-LATE", "job_meeting", "held", DAY, version=seen)
    assert _rows(engine) == before
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.meeting)).scalar_one() == 0
    assert _version(engine, "C4") == 2
    with engine.begin() as conn:  # reloaded: the second user's change goes through
        record_meeting(conn, "C4", "M-LATE", "job_meeting", "held", DAY, version=2)
    assert _version(engine, "C4") == 3


def test_meetings_not_before_entry_and_due_from_the_rhythm(engine: Engine) -> None:
    ids = _register(engine)
    with pytest.raises(Refused, match="before the citizen's entry"), engine.begin() as conn:
        record_meeting(conn, "C1", "M0", "job_meeting", "held", ENTRY - timedelta(days=1))
    with pytest.raises(Refused, match="absence accepted"), engine.begin() as conn:
        record_meeting(conn, "C1", "M0", "job_meeting", "held", DAY, absence_accepted=True)
    with engine.begin() as conn:
        # first job meeting: due 30 days after entry (2019-01-31), held late on 2019-02-10
        record_meeting(
            conn, "C1", "M1", "job_meeting", "held", date(2019, 2, 10), "KS1", 45, "home"
        )
        # next: due three months after the one held, 2019-05-10; held on time
        record_meeting(conn, "C1", "M2", "job_meeting", "held", date(2019, 5, 1), "KS1")
    m = s.meeting
    with engine.connect() as conn:
        got = conn.execute(
            select(
                m.c.code,
                m.c.due_date,
                m.c.held_date,
                m.c.professional_id,
                m.c.duration_minutes,
                m.c.place,
            ).order_by(m.c.code)
        ).all()
    assert [tuple(x) for x in got] == [
        ("M1", date(2019, 1, 31), date(2019, 2, 10), ids["KS1"], 45, "home"),
        ("M2", date(2019, 5, 10), date(2019, 5, 1), ids["KS1"], None, None),
    ]


def test_unknown_citizen_and_staff_are_named(engine: Engine) -> None:
    _register(engine)
    with pytest.raises(casework.NotFound, match="no citizen 'C9'"), engine.begin() as conn:
        change_contact(conn, "C9", KS, "KS1", DAY, "reallocation")
    with pytest.raises(casework.NotFound, match="no professional 'X'"), engine.begin() as conn:
        change_contact(conn, "C1", KS, "X", DAY, "reallocation")


def test_a_takeover_for_leave_goes_only_to_someone_attached(engine: Engine) -> None:
    """A permanent takeover because the caseworker is on leave follows the same rule as a
    cover (seed 004): KS2 knows nothing of C1 and is refused; KS3, C1's consultant, may."""
    _register(engine)
    with pytest.raises(Refused, match="already attached to the citizen"), engine.begin() as conn:
        change_contact(conn, "C4", KS, "KS2", DAY, "staff_leave")
    with engine.begin() as conn:
        change_contact(conn, "C1", KS, "KS3", DAY, "staff_leave")


def test_a_cover_has_an_end_and_covers_do_not_overlap(engine: Engine) -> None:
    _register(engine)
    with pytest.raises(Refused, match="a cover has an end"), engine.begin() as conn:
        change_contact(conn, "C1", KS, "KS3", DAY, "cover")
    with engine.begin() as conn:
        change_contact(conn, "C1", KS, "KS3", DAY, "cover", until=DAY + timedelta(days=13))
    before = _rows(engine)
    with (
        pytest.raises(
            Refused, match="already has a cover in the role from 2019-03-01 to 2019-03-14"
        ),
        engine.begin() as conn,
    ):
        change_contact(
            conn, "C1", KS, "KS3", DAY + timedelta(days=7), "cover", until=DAY + timedelta(days=20)
        )
    assert _rows(engine) == before


def test_changes_are_recorded_in_date_order(engine: Engine) -> None:
    """A change dated before one already recorded would leave two caseworkers at once."""
    _register(engine)
    with engine.begin() as conn:
        change_contact(conn, "C4", KS, "KS3", DAY, "reallocation")
    before = _rows(engine)
    with (
        pytest.raises(
            Refused, match="already has a change in coordinating caseworker from 2019-03-01"
        ),
        engine.begin() as conn,
    ):
        change_contact(conn, "C4", KS, "KS2", date(2019, 2, 1), "reallocation", override="x")
    assert _rows(engine) == before


def test_a_same_day_correction_keeps_the_intake(engine: Engine) -> None:
    """Correcting who took a citizen on today is not a caseworker change: the row keeps
    its reason (the entry the rhythm counts from) and nothing ends."""
    ids = _register(engine)
    with engine.begin() as conn:
        _add(
            conn,
            s.citizen,
            code="C5",
            birth_date=date(1970, 1, 1),
            sex="male",
            origin="danish",
            target_group="activity_ready_30_plus",
        )
    with engine.begin() as conn:
        cid = conn.execute(select(s.citizen.c.id).where(s.citizen.c.code == "C5")).scalar_one()
        _add(
            conn,
            s.responsibility,
            citizen_id=cid,
            professional_id=ids["KS1"],
            role=KS,
            start_date=DAY,
            reason="intake",
        )
    with engine.begin() as conn:
        done = change_contact(conn, "C5", KS, "KS3", DAY, "reallocation")
    assert (done.ended, done.started) == (0, 0)
    r = s.responsibility
    with engine.connect() as conn:
        rows = conn.execute(
            select(r.c.professional_id, r.c.start_date, r.c.end_date, r.c.reason).where(
                r.c.citizen_id == cid
            )
        ).all()
    assert [tuple(x) for x in rows] == [(ids["KS3"], DAY, None, "intake")]


def test_meetings_only_while_on_a_caseload_and_once_per_id(engine: Engine) -> None:
    ids = _register(engine)
    r = s.responsibility
    with engine.begin() as conn:  # C4 left KS1's caseload on 2019-02-28
        conn.execute(
            r.update().where(r.c.citizen_id == ids["C4"]).values(end_date=date(2019, 2, 28))
        )
    with (
        pytest.raises(
            Refused,
            match="on 2019-03-01 the citizen is on no caseload "
            r"\(they left on 2019-02-28\)",
        ),
        engine.begin() as conn,
    ):
        record_meeting(conn, "C4", "M9", "job_meeting", "held", DAY)
    with engine.begin() as conn:
        record_meeting(conn, "C1", "M9", "job_meeting", "held", DAY)
    with pytest.raises(Refused, match="M9 is already recorded"), engine.begin() as conn:
        record_meeting(conn, "C1", "M9", "job_meeting", "held", DAY)


def test_a_cpr_number_typed_as_an_id_is_not_repeated(engine: Engine) -> None:
    _register(engine)
    with pytest.raises(casework.NotFound) as raised, engine.begin() as conn:
        change_contact(conn, "010180-1234", KS, "KS1", DAY, "reallocation")
    assert "1234" not in str(raised.value) and "looks like a CPR number" in str(raised.value)
    assert "ligner et CPR-nummer" in raised.value.message("da")


def _ks_rows(engine: Engine, citizen: int) -> list[tuple[Any, ...]]:
    r = s.responsibility
    with engine.connect() as conn:
        return [
            tuple(x)
            for x in conn.execute(
                select(r.c.professional_id, r.c.start_date, r.c.end_date, r.c.reason)
                .where(r.c.citizen_id == citizen, r.c.role == KS)
                .order_by(r.c.start_date, r.c.id)
            )
        ]


def test_a_takeover_by_the_colleague_covering_ends_the_cover(engine: Engine) -> None:
    """KS3 covers KS1 for C1; a week later the leave turns out long and KS3 takes C1 over:
    the cover ends the day before, so C1 has one caseworker at a time (and KS3 counts C1
    once). Taken over on the cover's own first day, the cover never ran and goes."""
    ids = _register(engine)
    until, later = DAY + timedelta(days=30), DAY + timedelta(days=7)
    with engine.begin() as conn:
        change_contact(conn, "C1", KS, "KS3", DAY, "cover", until=until)
    with engine.begin() as conn:
        done = change_contact(conn, "C1", KS, "KS3", later, "staff_leave")
    assert (done.ended, done.started) == (2, 1)
    eve = later - timedelta(days=1)
    assert _ks_rows(engine, ids["C1"]) == [
        (ids["KS1"], ENTRY, eve, "intake"),
        (ids["KS3"], DAY, eve, "cover"),
        (ids["KS3"], later, None, "staff_leave"),
    ]
    with engine.begin() as conn:  # KS3 knows nothing of C4: the leader agrees
        change_contact(
            conn, "C4", KS, "KS3", DAY, "cover", until=until, override="nobody else free this week"
        )
    with engine.begin() as conn:  # attached by the cover now, and full (2) with C4 in it
        change_contact(conn, "C4", KS, "KS3", DAY, "staff_leave")
    assert _ks_rows(engine, ids["C4"]) == [
        (ids["KS1"], ENTRY, DAY - timedelta(days=1), "intake"),
        (ids["KS3"], DAY, None, "staff_leave"),
    ]


def test_a_reallocation_ends_the_cover_of_the_one_who_lets_go(engine: Engine) -> None:
    ids = _register(engine)
    with engine.begin() as conn:
        change_contact(conn, "C1", KS, "KS3", DAY, "cover", until=DAY + timedelta(days=30))
    moved = DAY + timedelta(days=3)
    with engine.begin() as conn:
        change_contact(conn, "C1", KS, "KS2", moved, "reallocation", override="KS2 asked")
    eve = moved - timedelta(days=1)
    assert _ks_rows(engine, ids["C1"]) == [
        (ids["KS1"], ENTRY, eve, "intake"),
        (ids["KS3"], DAY, eve, "cover"),
        (ids["KS2"], moved, None, "reallocation"),
    ]


def test_a_backdated_change_keeps_the_end_of_the_stretch(engine: Engine) -> None:
    """C4 left the caseload on 2019-02-28; a change dated 2019-02-01 does not bring C4
    back: the new caseworker holds C4 until the stretch ends."""
    ids = _register(engine)
    r = s.responsibility
    with engine.begin() as conn:
        conn.execute(
            r.update().where(r.c.citizen_id == ids["C4"]).values(end_date=date(2019, 2, 28))
        )
    with engine.begin() as conn:
        change_contact(conn, "C4", KS, "KS3", date(2019, 2, 1), "reallocation")
    assert _ks_rows(engine, ids["C4"]) == [
        (ids["KS1"], ENTRY, date(2019, 1, 31), "intake"),
        (ids["KS3"], date(2019, 2, 1), date(2019, 2, 28), "reallocation"),
    ]


def test_a_cover_needs_someone_to_cover_and_starts_after_them(engine: Engine) -> None:
    """(citizen, role, first day) is a responsibility's key, so a cover of a caseworker who
    took the citizen on today starts tomorrow; a citizen without a caseworker has nobody
    to cover. Both are refused in words, not with the database's error."""
    _register(engine)
    with (
        pytest.raises(
            Refused,
            match="at the earliest the day after the responsibility it "
            "covers began \\(2019-01-01\\)",
        ),
        engine.begin() as conn,
    ):
        change_contact(conn, "C1", KS, "KS3", ENTRY, "cover", until=ENTRY + timedelta(days=5))
    with pytest.raises(Refused, match="C1 has none on 2018-12-01"), engine.begin() as conn:
        change_contact(conn, "C1", KS, "KS3", date(2018, 12, 1), "cover", until=date(2018, 12, 5))


def test_two_edits_of_one_case_take_turns(engine: Engine) -> None:
    """Two users move C4 at once, neither giving a version: the second waits for the first
    (PostgreSQL: the citizen's row is locked; SQLite: the write lock at BEGIN) and then
    sees its change, so it is refused instead of leaving two caseworkers open at once."""
    import threading

    ids = _register(engine)
    first = engine.connect()
    tx = first.begin()
    change_contact(first, "C4", KS, "KS3", DAY, "reallocation")
    outcome: list[BaseException | str] = []

    def second() -> None:
        try:
            with engine.begin() as conn:
                change_contact(conn, "C4", KS, "KS3", DAY + timedelta(days=9), "reallocation")
            outcome.append("saved")
        except BaseException as error:  # the test reads what the second user got
            outcome.append(error)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=1.0)
    assert thread.is_alive(), "the second edit did not wait for the first"
    tx.commit()
    first.close()
    thread.join(timeout=30)
    (got,) = outcome
    assert isinstance(got, Refused) and "KS3 already holds C4" in str(got)
    assert _ks_rows(engine, ids["C4"]) == [
        (ids["KS1"], ENTRY, DAY - timedelta(days=1), "intake"),
        (ids["KS3"], DAY, None, "reallocation"),
    ]


@pytest.mark.parametrize(
    ("option", "said_en", "said_da"),
    [
        ({"place": "moon"}, "unknown meeting place 'moon'; one of: ", "ukendt samtalested"),
        ({"status": "maybe"}, "unknown meeting status 'maybe'; one of: ", "ukendt samtalestatus"),
        ({"kind": "chat"}, "unknown meeting kind 'chat'; one of: ", "ukendt samtaletype"),
    ],
)
def test_an_invalid_meeting_code_lists_the_valid_ones(
    engine: Engine, option: dict[str, str], said_en: str, said_da: str
) -> None:
    """Issue 10: an invalid place used to be refused as a clash with a stored row."""
    _register(engine)
    given = {"kind": "job_meeting", "status": "held", "place": None, **option}
    with pytest.raises(Refused) as caught, engine.begin() as conn:
        record_meeting(
            conn,
            "C1",
            "MX1",
            given["kind"],
            given["status"],
            DAY,
            place=given["place"],
        )
    assert said_en in caught.value.message("en")
    assert said_da in caught.value.message("da")
