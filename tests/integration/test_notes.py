"""Case notes and next steps on SQLite and PostgreSQL: ids caseload gives (unique with several
writers at once), every version kept, stale case versions refused with nothing written, a
CPR-like number never stored nor repeated, and the notes on the case and the sparring sheet."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select

from caseload.operate import sparring
from caseload.operate.case import case, to_json
from caseload.operate.notes import (
    MAX_BODY,
    Conflict,
    NotFound,
    Refused,
    add_note,
    notes,
    revise_note,
)
from caseload.store import schema as s
from tests.helpers import add_row

KS = "coordinating_caseworker"
ENTRY = date(2019, 1, 1)
CITIZENS = ("C1", "C2", "C3", "C4", "C5", "C6")
T0 = datetime(2026, 12, 1, 9, 0)


def _add(conn: Connection, table: Any, **values: Any) -> int:
    return add_row(conn, table, **values)


@pytest.fixture
def ids(engine: Engine) -> dict[str, int]:
    """KS1 in department D holding citizens C1..C6 from 2019-01-01."""
    found: dict[str, int] = {}
    with engine.begin() as conn:
        dept = _add(conn, s.department, code="D", name="D", is_trial=False, role_model="all_apart")
        found["KS1"] = _add(
            conn,
            s.professional,
            code="KS1",
            name="Karen Skov",
            department_id=dept,
            fte=1.0,
            start_date=date(2015, 1, 1),
        )
        _add(
            conn,
            s.professional_role,
            professional_id=found["KS1"],
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


def _rows(engine: Engine) -> list[dict[str, Any]]:
    n = s.case_note
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(n).order_by(n.c.code, n.c.version))]


def _version(engine: Engine, citizen: str) -> int:
    c = s.citizen
    with engine.connect() as conn:
        return int(conn.execute(select(c.c.version).where(c.c.code == citizen)).scalar_one())


def test_a_note_gets_an_id_and_an_edit_keeps_the_earlier_version(
    engine: Engine, ids: dict[str, int]
) -> None:
    with engine.begin() as conn:
        first = add_note(conn, "C1", "note", "Talked about the CV.", "KS1", now=T0)
        step = add_note(
            conn,
            "C1",
            "next_step",
            "Send the CV to two employers.",
            "KS1",
            due=date(2026, 12, 15),
            now=T0 + timedelta(minutes=1),
        )
    assert (first.note, first.note_version, first.version) == ("N0000001", 1, 2)
    assert (step.note, step.note_version, step.version, step.due) == (
        "N0000002",
        1,
        3,
        date(2026, 12, 15),
    )
    with engine.begin() as conn:
        edited = revise_note(
            conn, "N0000001", "Talked about the CV and a course.", "anna", version=3, now=T0
        )
        moved = revise_note(
            conn,
            "N0000002",
            "Send the CV to three employers.",
            "KS1",
            now=T0 + timedelta(hours=2),
        )
    assert (edited.note, edited.note_version, edited.version) == ("N0000001", 2, 4)
    assert (moved.note_version, moved.due, moved.version) == (2, date(2026, 12, 15), 5)
    stored = _rows(engine)
    assert [(r["code"], r["version"], r["body"]) for r in stored] == [
        ("N0000001", 1, "Talked about the CV."),
        ("N0000001", 2, "Talked about the CV and a course."),
        ("N0000002", 1, "Send the CV to two employers."),
        ("N0000002", 2, "Send the CV to three employers."),
    ]
    assert [r["written_by"] for r in stored] == ["KS1", "anna", "KS1", "KS1"]
    assert stored[3]["due_date"] == date(2026, 12, 15)  # no --due: the due date stays
    with engine.connect() as conn:
        listed = notes(conn, "C1")
        assert notes(conn, "C2") == ()
    # the one written or edited last first
    assert [(n.code, n.version, len(n.history)) for n in listed] == [
        ("N0000002", 2, 1),
        ("N0000001", 2, 1),
    ]
    assert listed[1].history[0].body == "Talked about the CV."
    assert listed[1].history[0].written_by == "KS1"
    assert listed[1].first_written_at == T0 and listed[1].written_at == T0
    assert listed[0].kind == "next_step" and listed[0].due == date(2026, 12, 15)


def test_a_time_with_a_zone_is_stored_as_utc(engine: Engine, ids: dict[str, int]) -> None:
    from zoneinfo import ZoneInfo

    copenhagen = datetime(2026, 12, 1, 10, 30, tzinfo=ZoneInfo("Europe/Copenhagen"))
    with engine.begin() as conn:
        add_note(conn, "C1", "note", "A note.", "KS1", now=copenhagen)
        add_note(conn, "C2", "note", "Another.", "KS1")
    assert _rows(engine)[0]["written_at"] == datetime(2026, 12, 1, 9, 30)
    written = _rows(engine)[1]["written_at"]
    assert abs(datetime.now(UTC).replace(tzinfo=None) - written) < timedelta(minutes=5)


def test_stale_versions_conflict_and_write_nothing(engine: Engine, ids: dict[str, int]) -> None:
    with engine.begin() as conn:
        assert add_note(conn, "C1", "note", "First.", "KS1", version=1).version == 2
    with engine.begin() as conn:  # someone else changes the case
        add_note(conn, "C1", "note", "Second.", "anna")
    before = _rows(engine)
    with pytest.raises(Conflict, match=r"version 3, you had 2"), engine.begin() as conn:
        add_note(conn, "C1", "note", "Third.", "KS1", version=2)
    with pytest.raises(Conflict, match=r"version 3, you had 2"), engine.begin() as conn:
        revise_note(conn, "N0000001", "First, edited.", "KS1", version=2)
    assert _rows(engine) == before
    assert _version(engine, "C1") == 3
    with engine.begin() as conn:
        assert revise_note(conn, "N0000001", "First, edited.", "KS1", version=3).version == 4
    assert len(_rows(engine)) == 3


def test_ids_are_unique_under_concurrent_writers(engine: Engine, ids: dict[str, int]) -> None:
    """Six users write four notes each at once (one citizen each): 24 notes, 24 ids."""
    start = threading.Barrier(len(CITIZENS))
    errors: list[BaseException] = []
    made: list[str] = []

    def user(citizen: str) -> None:
        try:
            start.wait()
            for n in range(4):
                with engine.begin() as conn:
                    made.append(add_note(conn, citizen, "note", f"Note {n}.", "KS1").note)
        except BaseException as error:  # reported below, with the test's assertion
            errors.append(error)

    threads = [threading.Thread(target=user, args=(c,)) for c in CITIZENS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(made) == len(set(made)) == 24
    assert sorted(made) == [f"N{n:07d}" for n in range(1, 25)]
    assert sorted(r["code"] for r in _rows(engine)) == sorted(made)
    assert all(_version(engine, c) == 5 for c in CITIZENS)


def test_a_cpr_number_never_goes_into_a_note(engine: Engine, ids: dict[str, int]) -> None:
    with engine.begin() as conn:
        add_note(conn, "C1", "note", "Kept.", "KS1")
    for body in ("Her brother is 010180-1234.", "cpr 0101801234 given"):
        with pytest.raises(Refused) as raised, engine.begin() as conn:
            add_note(conn, "C1", "note", body, "KS1")
        for lang in ("en", "da"):
            said = raised.value.message(lang)
            assert "1234" not in said and "010180" not in said and "CPR" in said
        assert "1234" not in str(raised.value)
        with pytest.raises(Refused) as raised, engine.begin() as conn:
            revise_note(conn, "N0000001", body, "KS1")
        assert "1234" not in raised.value.message("da")
    with pytest.raises(Refused), engine.begin() as conn:
        add_note(conn, "C1", "note", "Fine.", "010180-1234")
    # ten digits that are no birth date, and a phone number, are no CPR number
    with engine.begin() as conn:
        add_note(conn, "C1", "note", "Case 9999999999; phone 12 34 56 78.", "KS1")
    assert [r["body"] for r in _rows(engine)] == [
        "Kept.",
        "Case 9999999999; phone 12 34 56 78.",
    ]
    assert _version(engine, "C1") == 3


def test_refusals_say_why_and_write_nothing(engine: Engine, ids: dict[str, int]) -> None:
    with engine.begin() as conn:
        add_note(conn, "C1", "note", "x" * MAX_BODY, "KS1")  # at the limit: taken
    cases: list[tuple[Any, str]] = [
        (lambda c: add_note(c, "C1", "note", "   \n", "KS1"), "needs a text"),
        (lambda c: add_note(c, "C1", "memo", "Text.", "KS1"), "unknown note kind 'memo'"),
        (lambda c: add_note(c, "C1", "note", "x" * (MAX_BODY + 1), "KS1"), "at most 10000"),
        (
            lambda c: add_note(c, "C1", "note", "Text.", "KS1", due=date(2027, 1, 1)),
            "only a next step has a due date",
        ),
        (lambda c: add_note(c, "C1", "note", "Text.", " "), "who writes the note"),
        (lambda c: add_note(c, "C1", "note", "Text.", "x" * 201), "who writes the note"),
        (
            lambda c: revise_note(c, "N0000001", "Text.", "KS1", due=date(2027, 1, 1)),
            "only a next step has a due date",
        ),
        (lambda c: revise_note(c, "N0000001", "x" * MAX_BODY, "KS1"), "nothing to change"),
    ]
    for call, reason in cases:
        with pytest.raises(Refused, match=reason), engine.begin() as conn:
            call(conn)
    with pytest.raises(NotFound, match="no citizen 'C9'"), engine.begin() as conn:
        add_note(conn, "C9", "note", "Text.", "KS1")
    with pytest.raises(NotFound, match="no note 'N0000099'"), engine.begin() as conn:
        revise_note(conn, "N0000099", "Text.", "KS1")
    with pytest.raises(NotFound, match="no citizen 'C9'"), engine.connect() as conn:
        notes(conn, "C9")
    assert len(_rows(engine)) == 1
    assert _version(engine, "C1") == 2


def test_the_case_shows_its_notes(engine: Engine, ids: dict[str, int]) -> None:
    with engine.begin() as conn:
        add_note(conn, "C1", "note", "Wants to drive a bus.", "KS1", now=T0)
        add_note(conn, "C2", "note", "Not C1's.", "KS1", now=T0)
        revise_note(conn, "N0000001", "Wants to drive a taxi.", "KS1", now=T0 + timedelta(1))
    with engine.connect() as conn:
        found = case(conn, "C1", date(2019, 6, 1))
    assert found.version == 3
    data = to_json(found)
    assert data["notes"] == [
        {
            "code": "N0000001",
            "kind": "note",
            "version": 2,
            "body": "Wants to drive a taxi.",
            "due": None,
            "written_at": "2026-12-02T09:00:00",
            "written_by": "KS1",
            "first_written_at": "2026-12-01T09:00:00",
            "history": [
                {
                    "version": 1,
                    "body": "Wants to drive a bus.",
                    "due": None,
                    "written_at": "2026-12-01T09:00:00",
                    "written_by": "KS1",
                }
            ],
        }
    ]


def test_the_sparring_sheet_shows_next_steps_and_the_latest_notes(
    engine: Engine, ids: dict[str, int]
) -> None:
    with engine.begin() as conn:
        for n in range(5):
            add_note(conn, "C1", "note", f"Note {n} <b>&</b>", "KS1", now=T0 + timedelta(n))
        add_note(conn, "C1", "next_step", "Later step", "KS1", due=date(2019, 7, 1), now=T0)
        add_note(conn, "C1", "next_step", "Earlier step", "KS1", due=date(2019, 6, 10), now=T0)
        add_note(conn, "C1", "next_step", "Open step", "KS1", now=T0)
        add_note(conn, "C2", "note", "C2's only note", "KS1", now=T0)
    with engine.connect() as conn:
        sheet = sparring.sheet(conn, "KS1", date(2019, 6, 20))
    page = {p.code: p for p in sheet.pages}
    assert [n.body for n in page["C1"].next_steps] == ["Earlier step", "Later step", "Open step"]
    assert [n.body for n in page["C1"].latest_notes] == [
        "Note 4 <b>&</b>",
        "Note 3 <b>&</b>",
        "Note 2 <b>&</b>",
    ]
    assert page["C3"].notes == () and page["C3"].next_steps == []
    english = sparring.render(sheet, "en")
    danish = sparring.render(sheet, "da")
    assert "Note 4 &lt;b&gt;&amp;&lt;/b&gt;" in english and "<b>&</b>" not in english
    assert "Note 1 &lt;b&gt;" not in english  # only the three written last
    assert "C2&#39;s only note" in english
    assert "Latest notes" in english and "due 10 Jun 2019" in english
    assert "Seneste notater" in danish and "frist 10. jun. 2019" in danish
    assert "KS1, 1. dec. 2026" in danish
    # the earlier step is past the sheet's day: flagged
    assert '<span class="flag">frist 10. jun. 2019</span>' in danish


def test_a_long_note_is_shortened_on_the_sheet(engine: Engine, ids: dict[str, int]) -> None:
    with engine.begin() as conn:
        add_note(conn, "C1", "note", "a" * 700 + "END", "KS1")
    with engine.connect() as conn:
        page = sparring.render(sparring.sheet(conn, "KS1", date(2019, 6, 20)), "en")
    assert "a" * sparring.NOTE_SHOWN + " …" in page and "END" not in page
