"""`caseload meeting` (an id given by caseload, marking a planned meeting, corrections) and
`caseload case` end to end on the example register: output, exit codes, JSON, both
languages, nothing written when refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from caseload.store import schema as s
from caseload.store.database import connect
from tests.conftest import CopyOf
from tests.helpers import copy_register, run
from tests.integration.test_case import _load_examples


@pytest.fixture
def loaded(tmp_path: Path, examples_register: Path) -> str:
    return copy_register(examples_register, tmp_path / "register.sqlite")


def _meeting(db: str, code: str) -> dict[str, Any]:
    engine = connect(db)
    try:
        with engine.connect() as conn:
            m = s.meeting
            return dict(conn.execute(select(m).where(m.c.code == code)).one()._mapping)
    finally:
        engine.dispose()


def _corrections(db: str) -> list[dict[str, Any]]:
    engine = connect(db)
    try:
        with engine.connect() as conn:
            mc = s.meeting_correction
            return [dict(r._mapping) for r in conn.execute(select(mc).order_by(mc.c.id))]
    finally:
        engine.dispose()


def test_plan_mark_and_correct_a_meeting(loaded: str) -> None:
    db = ("--db", loaded)
    planned = run(
        "meeting", *db, "--citizen", "C000001", "--status", "planned", "--day", "2019-08-10"
    )
    assert planned.exit_code == 0, planned.output
    # the examples hold M0000001..M0000004: caseload gives the next id and prints it
    assert "C000001: meeting M0000005 recorded (planned, 2019-08-10); case version 2" in (
        planned.output
    )
    stale = run("meeting", *db, "--id", "M0000005", "--status", "held", "--version", "1")
    assert stale.exit_code == 4
    assert "Conflict: the case was changed by someone else (version 2, you had 1)" in stale.output
    held = run(
        "meeting",
        *db,
        "--id",
        "M0000005",
        "--status",
        "held",
        "--day",
        "2019-08-12",
        "--minutes",
        "50",
        "--place",
        "home",
        "--version",
        "2",
    )
    assert held.exit_code == 0, held.output
    assert "C000001: meeting M0000005 marked held (2019-08-12); case version 3" in held.output
    row = _meeting(loaded, "M0000005")
    assert (row["status"], str(row["held_date"]), row["duration_minutes"], row["place"]) == (
        "held",
        "2019-08-12",
        50,
        "home",
    )
    again = run("meeting", *db, "--id", "M0000005", "--status", "no_show", "--lang", "da")
    assert again.exit_code == 2
    assert "M0000005 er allerede registreret som afholdt" in again.output
    assert "Traceback" not in again.output
    blank = run("meeting", *db, "--id", "M0000005", "--correct", "  ", "--place", "video")
    assert blank.exit_code == 2 and "a correction needs a reason" in blank.output
    fixed = run(
        "meeting",
        *db,
        "--id",
        "M0000005",
        "--correct",
        "it was a video meeting",
        "--place",
        "video",
        "--minutes",
        "40",
        "--by",
        "tester",
    )
    assert fixed.exit_code == 0, fixed.output
    assert (
        "C000001: meeting M0000005 corrected (minutes, place; reason: it was a video meeting); "
        "case version 4" in fixed.output
    )
    [correction] = _corrections(loaded)
    assert (
        correction["reason"],
        correction["corrected_by"],
        correction["place"],
        correction["duration_minutes"],
        correction["status"],
    ) == ("it was a video meeting", "tester", "home", 50, "held")
    assert (
        _meeting(loaded, "M0000005")["place"],
        _meeting(loaded, "M0000005")["duration_minutes"],
    ) == (
        "video",
        40,
    )


def test_meeting_options_that_cannot_work_are_one_line(loaded: str) -> None:
    db = ("--db", loaded)
    no_id = run("meeting", *db, "--correct", "why")
    assert no_id.exit_code == 2 and "--correct needs --id" in no_id.output
    no_status = run("meeting", *db, "--citizen", "C000001")
    assert no_status.exit_code == 2 and "--status is needed" in no_status.output
    planned = run("meeting", *db, "--citizen", "C000001", "--id", "MP", "--status", "planned")
    assert planned.exit_code == 0, planned.output
    kind = run("meeting", *db, "--id", "MP", "--status", "held", "--kind", "follow_up")
    assert kind.exit_code == 2 and "--kind of a recorded meeting is changed with --correct" in (
        kind.output
    )
    unknown = run("meeting", *db, "--id", "010180-1234", "--status", "held")
    assert unknown.exit_code == 2
    assert "1234" not in unknown.output and "looks like a CPR number" in unknown.output
    assert "Traceback" not in unknown.output


def test_case_shows_every_part_and_the_version(loaded: str, tmp_path: Path) -> None:
    db = ("--db", loaded)
    held = run("meeting", *db, "--citizen", "C000001", "--status", "held", "--day", "2019-08-12")
    assert held.exit_code == 0, held.output
    result = run("case", *db, "--citizen", "C000001", "--as-of", "2019-09-01")
    assert result.exit_code == 0, result.output
    out = result.output
    for part in (
        "Case of C000001 on 1 Sept 2019",
        "Case version 2: give --version 2 when you change this case",
        "Next job meeting due 12 Nov 2019; last held 12 Aug 2019",
        "coordinating caseworker",  # a role as words, never its code
        "intake",
        "M0000001",
        "M0000005",
        "job meeting",
        "social assistance (kontanthjælp)",
        "Supplier 3",
        "22 Mar 2018",  # a progress report
        "work placement",
        "Company 12",
        "Sept 2018",  # paid hours per month
        "CPH-2018",
        "Medical requests: none",
    ):
        assert part in out, part
    for code in ("work_placement", "coordinating_caseworker", "job_meeting", "kontanthjaelp"):
        assert code not in out, code
    danish = run("case", *db, "--citizen", "C000002", "--as-of", "2019-09-01", "--lang", "da")
    assert danish.exit_code == 0, danish.output
    for part in (
        "Sag for C000002 pr. 1. sep. 2019",
        "Sagsversion 1: angiv --version 1",
        "koordinerende sagsbehandler",
        "virksomhedskonsulent",
        "udeblevet",
        "LÆ 145",
        "ressourceforløb",
        "forsøg",
    ):
        assert part in danish.output, part


def test_case_as_json(loaded: str, tmp_path: Path) -> None:
    out = tmp_path / "case.json"
    result = run(
        "case", "--db", loaded, "--citizen", "C000002", "--as-of", "2019-09-01", "--json", str(out)
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["citizen"], data["version"], data["as_of"]) == ("C000002", 1, "2019-09-01")
    assert [(r["role"], r["staff"], r["reason"]) for r in data["responsibilities"]] == [
        ("coordinating_caseworker", "KS-002", "intake"),
        ("company_consultant", "VK-001", "handoff"),
        ("coordinating_caseworker", "KS-001", "staff_exit"),
    ]
    assert [(m["code"], m["status"]) for m in data["meetings"]] == [
        ("M0000002", "no_show"),
        ("M0000003", "held"),
    ]
    assert data["plans"][0]["recommendations"] == [
        {"meeting": "2018-09-20", "recommendation": "resource_course"}
    ]
    assert data["arms"] == [
        {
            "trial": "CPH-2018",
            "name": "Lower caseloads 2018-2019",
            "arm": "trial",
            "assigned": "2018-01-01",
        }
    ]
    assert data["next_job_meeting"]["due"] == "2018-01-22"
    assert data["next_job_meeting"]["overdue"] is True


def test_an_unknown_citizen_is_one_line_and_a_cpr_number_is_not_repeated(loaded: str) -> None:
    unknown = run("case", "--db", loaded, "--citizen", "C999")
    assert unknown.exit_code == 2
    assert unknown.output.strip() == "no citizen 'C999' in the register"
    for lang in ("en", "da"):
        typed = run("case", "--db", loaded, "--citizen", "010180-1234", "--lang", lang)
        assert typed.exit_code == 2
        assert "1234" not in typed.output and len(typed.output.strip().splitlines()) == 1


def test_meeting_and_case_on_both_databases(register_copy: CopyOf, tmp_path: Path) -> None:
    """The same commands against SQLite and PostgreSQL (--db URL): an id given, a planned
    meeting held, a correction, and the case as JSON with the correction beside it."""
    engine = register_copy(_load_examples)
    db = ("--db", engine.url.render_as_string(hide_password=False))
    steps = [
        ("--citizen", "C000003", "--status", "planned", "--day", "2019-09-10"),
        ("--id", "M0000005", "--status", "held", "--day", "2019-09-12", "--version", "2"),
        ("--id", "M0000005", "--correct", "held at home", "--place", "home", "--by", "bo"),
    ]
    said = []
    for step in steps:
        result = run("meeting", *db, *step)
        assert result.exit_code == 0, result.output
        said.append(result.output)
    assert "C000003: meeting M0000005 recorded (planned, 2019-09-10); case version 2" in said[0]
    assert "marked held (2019-09-12); case version 3" in said[1]
    assert "corrected (place; reason: held at home); case version 4" in said[2]
    out = tmp_path / "case.json"
    shown = run("case", *db, "--citizen", "C000003", "--as-of", "2019-10-01", "--json", str(out))
    assert shown.exit_code == 0, shown.output
    assert "Case version 4: give --version 4" in shown.output
    data = json.loads(out.read_text(encoding="utf-8"))
    [meeting] = [m for m in data["meetings"] if m["code"] == "M0000005"]
    assert (meeting["status"], meeting["held"], meeting["place"]) == ("held", "2019-09-12", "home")
    assert [(c["reason"], c["by"], c["place"]) for c in meeting["corrections"]] == [
        ("held at home", "bo", None)
    ]
    assert data["version"] == 4 and data["next_job_meeting"]["last_held"] == "2019-09-12"


def test_values_beyond_the_columns_are_refused_alike_on_both_databases(
    register_copy: CopyOf,
) -> None:
    """An id or a name longer than its column, minutes beyond a day: one line and exit 2 on
    PostgreSQL (which crashed with a traceback) as on SQLite (which stored them)."""
    engine = register_copy(_load_examples)
    db = ("--db", engine.url.render_as_string(hide_password=False))
    cases = [
        (
            (
                "meeting",
                "--citizen",
                "C000003",
                "--id",
                "M" * 65,
                "--status",
                "planned",
                "--day",
                "2019-09-12",
            ),
            "a meeting id has at most 64 characters",
        ),
        (
            (
                "meeting",
                "--citizen",
                "C000003",
                "--status",
                "held",
                "--day",
                "2019-09-12",
                "--minutes",
                "99999999999",
            ),
            "minutes must be between 1 and 1440 (a day)",
        ),
        (
            (
                "randomise",
                "--trial",
                "T" * 65,
                "--start",
                "2019-01-01",
                "--end",
                "2019-12-31",
                "--department",
                "JI6",
                "--seed",
                "1",
            ),
            "--trial has at most 64 characters",
        ),
    ]
    with engine.connect() as conn:
        meetings = conn.execute(select(s.meeting.c.id)).all()
        trials = conn.execute(select(s.trial.c.id)).all()
    for args, said in cases:
        result = run(args[0], *db, *args[1:])
        assert result.exit_code == 2, (args[0], result.output)
        assert said in " ".join(result.output.split()), result.output
        assert "Traceback" not in result.output
    with engine.connect() as conn:
        assert conn.execute(select(s.meeting.c.id)).all() == meetings
        assert conn.execute(select(s.trial.c.id)).all() == trials


def test_a_correction_keeps_the_meetings_day_unless_day_is_given(loaded: str) -> None:
    """--as-of is the day the command runs on, not a new day for the meeting: a correction
    of its minutes leaves its held, planned and due days where they were."""
    before = _meeting(loaded, "M0000001")
    fixed = run(
        "meeting", "--db", loaded, "--id", "M0000001", "--correct", "typo in the minutes",
        "--minutes", "30", "--as-of", "2018-03-20",
    )  # fmt: skip
    assert fixed.exit_code == 0, fixed.output
    after = _meeting(loaded, "M0000001")
    days = ("held_date", "scheduled_date", "due_date")
    assert [str(after[d]) for d in days] == [str(before[d]) for d in days]
    assert (before["duration_minutes"], after["duration_minutes"]) == (60, 30)
