"""The trial's integrity on SQLite and PostgreSQL: a change of contact across a running trial's
arm boundary is refused unless overridden (the reason stored), rebalance and assign leave
such citizens out of the plan, the evaluation counts crossovers per arm (imported history
included), and a day to read beyond the register's last recorded day is said in one line.

The register is the examples/ files: trial CPH-2018 runs 2018-01-01 – 2019-12-31; C000001 and
C000002 are in the trial arm, C000003 in control; JI6 is the trial department (KS-001, VK-001,
KS-002 until 2019-06-30), JI1 is not (KS-101, who holds C000003).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, insert, select

from caseload.cli import common
from caseload.evaluate.crossovers import crossovers, rows
from caseload.operate.allocation import assign, rebalance
from caseload.operate.casework import Refused, change_contact
from caseload.register import catalogue
from caseload.register.importer import import_file
from caseload.register.lookup import last_recorded_day, recorded_from, trial_arms
from caseload.store import schema as s
from tests.conftest import EXAMPLES
from tests.helpers import jobcentre_id, run, write

KS = "coordinating_caseworker"
IN_TRIAL = date(2018, 3, 1)
LAST_DAY = date(2019, 7, 1)
"""The examples' last recorded day: C000002's responsibility from KS-001 starts then."""


def _examples(engine: Engine, folder: Path) -> None:
    for spec in catalogue.SPECS:
        import_file(engine, spec.name, EXAMPLES / f"{spec.name}.csv")


@pytest.fixture
def examples(register_copy: Any) -> Engine:
    engine: Engine = register_copy(_examples)
    return engine


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _rows(conn: Connection, citizen: str) -> list[tuple[Any, ...]]:
    r, c, p = s.responsibility, s.citizen, s.professional
    return [
        tuple(row)
        for row in conn.execute(
            select(p.c.code, r.c.start_date, r.c.end_date, r.c.reason, r.c.override_reason)
            .join(c, c.c.id == r.c.citizen_id)
            .join(p, p.c.id == r.c.professional_id)
            .where(c.c.code == citizen, r.c.role == KS)
            .order_by(r.c.start_date)
        )
    ]


def test_the_registers_last_recorded_day_and_the_arms_on_a_day(examples: Engine) -> None:
    with examples.connect() as conn:
        assert last_recorded_day(conn) == LAST_DAY
        assert recorded_from(conn, LAST_DAY) and recorded_from(conn, date(2018, 1, 1))
        assert not recorded_from(conn, date(2019, 7, 2))
        arms = trial_arms(conn, IN_TRIAL)
        codes = dict(conn.execute(select(s.citizen.c.id, s.citizen.c.code)).all())
        assert {codes[cid]: arm.arm for cid, arm in arms.items()} == {
            "C000001": "trial",
            "C000002": "trial",
            "C000003": "control",
        }
        assert {arm.trial for arm in arms.values()} == {"CPH-2018"}
        assert trial_arms(conn, date(2020, 1, 1)) == {}  # the trial ended 2019-12-31
        assert trial_arms(conn, date(2017, 12, 31)) == {}  # nor had it begun


def test_a_placeholder_end_is_not_a_recorded_day(examples: Engine) -> None:
    with examples.begin() as conn:
        conn.execute(
            s.benefit_spell.update()
            .where(s.benefit_spell.c.end_date.is_(None))
            .values(end_date=date(9999, 12, 31))
        )
    with examples.connect() as conn:
        assert last_recorded_day(conn) == LAST_DAY
        assert not recorded_from(conn, date(2019, 7, 2))


def test_a_control_citizen_to_the_trial_department_is_refused_unless_overridden(
    examples: Engine,
) -> None:
    with examples.connect() as conn:
        before = _rows(conn, "C000003")
    with pytest.raises(Refused) as refused, examples.begin() as conn:
        change_contact(conn, "C000003", KS, "KS-001", IN_TRIAL, "reallocation")
    said = str(refused.value)
    assert (
        "C000003 was randomised to the control arm of trial CPH-2018, and KS-001 works in JI6, "
        "a trial department" in said
    )
    assert said.endswith("to go ahead anyway, give an override reason")
    danish = refused.value.message("da")
    assert "C000003 blev trukket til kontrolgruppen i forsøg CPH-2018" in danish
    assert "JI6, en forsøgsafdeling" in danish
    with examples.connect() as conn:
        assert _rows(conn, "C000003") == before  # nothing written
    with examples.begin() as conn:
        done = change_contact(
            conn, "C000003", KS, "KS-001", IN_TRIAL, "reallocation", override="steering group"
        )
    assert (done.ended, done.started) == (1, 1)
    with examples.connect() as conn:
        assert _rows(conn, "C000003") == [
            ("KS-101", date(2018, 1, 1), date(2018, 2, 28), "intake", None),
            ("KS-001", IN_TRIAL, None, "reallocation", "steering group"),
        ]


def test_a_trial_citizen_outside_the_trial_departments_is_refused(examples: Engine) -> None:
    with pytest.raises(Refused) as refused, examples.begin() as conn:
        change_contact(conn, "C000001", KS, "KS-101", IN_TRIAL, "reallocation")
    assert (
        "C000001 was randomised to the trial arm of trial CPH-2018, and KS-101 works in JI1, "
        "not a trial department" in str(refused.value)
    )
    assert "som ikke er en forsøgsafdeling" in refused.value.message("da")


def test_after_the_trial_the_move_needs_no_override(examples: Engine) -> None:
    day = date(2020, 1, 2)
    with examples.begin() as conn:
        change_contact(conn, "C000003", KS, "KS-001", day, "reallocation")
    with examples.connect() as conn:
        assert _rows(conn, "C000003")[-1] == ("KS-001", day, None, "reallocation", None)


def test_the_contact_command_refuses_and_overrides(examples: Engine) -> None:
    url = _url(examples)
    common = ("contact", "--db", url, "--citizen", "C000003", "--to", "KS-001")
    given = (*common, "--reason", "reallocation", "--as-of", "2018-03-01")
    refused = run(*given, "--lang", "da")
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert "Afvist: C000003 blev trukket til kontrolgruppen i forsøg CPH-2018" in refused.stderr
    assert "Traceback" not in refused.output
    done = run(*given, "--override", "the citizen asked for it")
    assert done.exit_code == 0, done.output
    with examples.connect() as conn:
        assert _rows(conn, "C000003")[-1][-1] == "the citizen asked for it"


def _add_citizen(conn: Connection, code: str, arm: str) -> int:
    """A citizen on kontanthjælp who never had a contact, randomised to ``arm`` in CPH-2018."""
    cid = int(
        conn.execute(
            insert(s.citizen).values(
                code=code,
                birth_date=date(1975, 1, 1),
                sex="female",
                origin="danish",
                target_group="activity_ready_30_plus",
                complexity="simple",
                jobcentre_id=jobcentre_id(conn),
            )
        ).inserted_primary_key[0]
    )
    conn.execute(
        insert(s.benefit_spell).values(
            citizen_id=cid, benefit="kontanthjaelp", start_date=date(2017, 1, 1)
        )
    )
    trial = conn.execute(select(s.trial.c.id).where(s.trial.c.code == "CPH-2018")).scalar_one()
    conn.execute(
        insert(s.trial_assignment).values(
            trial_id=trial,
            citizen_id=cid,
            arm=arm,
            probability=0.5,
            assigned_date=date(2018, 1, 1),
        )
    )
    return cid


def test_assign_offers_no_place_across_the_arm_boundary(examples: Engine) -> None:
    with examples.begin() as conn:
        control = _add_citizen(conn, "C000901", "control")
        treated = _add_citizen(conn, "C000902", "trial")
    with examples.connect() as conn:
        in_trial = assign(conn, "JI6", IN_TRIAL, include_new=True)
        outside = assign(conn, "JI1", IN_TRIAL, include_new=True)
        after = assign(conn, "JI6", date(2020, 1, 2), include_new=True)
    assert [(h.code, h.arm, h.kept_with) for h in in_trial.held_back] == [
        ("C000901", "control", None)
    ]
    assert [c.id for c in in_trial.cases] == [treated]
    assert in_trial.summary()["held_back"] == [
        {"citizen": "C000901", "trial": "CPH-2018", "arm": "control", "kept_with": None}
    ]
    assert [(h.code, h.arm) for h in outside.held_back] == [("C000902", "trial")]
    assert [c.id for c in outside.cases] == [control]
    assert after.held_back == ()  # after the trial, anyone may be offered anywhere
    with examples.begin() as conn:
        written = assign(conn, "JI6", IN_TRIAL, include_new=True, write=True)
    assert written.written is not None and written.written.started == 1
    with examples.connect() as conn:
        assert _rows(conn, "C000901") == []  # still waiting: not placed in the trial department
        assert [row[0] for row in _rows(conn, "C000902")] in (["KS-001"], ["KS-002"])


def test_rebalance_leaves_a_crossed_citizen_with_their_professional(examples: Engine) -> None:
    with examples.begin() as conn:
        change_contact(conn, "C000003", KS, "KS-001", IN_TRIAL, "reallocation", override="test")
    day = date(2018, 6, 1)
    with examples.begin() as conn:
        # a cap of 1 makes KS-001 (C000001 and C000003) too full: C000003 may not move
        result = rebalance(conn, "JI6", day, cap=1, write=False)
    held = {h.code: h for h in result.held_back}
    assert set(held) == {"C000003"}
    codes = result.department.codes
    assert codes[held["C000003"].kept_with or 0] == "KS-001"
    assert "C000003" not in {m.code for m in result.plan.moves}
    assert "C000003" not in {c for c in result.summary()["unplaced"]}
    # the load KS-001 keeps counts in the plan's "after"
    ks001 = next(seat.id for seat in result.department.seats if seat.code == "KS-001")
    assert result.after[ks001] >= 1.0


def test_crossovers_per_arm_count_overrides_and_imported_history(
    examples: Engine, tmp_path: Path
) -> None:
    with examples.begin() as conn:
        change_contact(conn, "C000003", KS, "KS-001", IN_TRIAL, "reallocation", override="asked")
    # imported history as recorded: C000002 went from KS-001 to KS-101 (JI1) in August 2019
    history = write(
        tmp_path,
        "responsibilities.csv",
        "citizen_id,staff_id,role,start_date,end_date,reason\n"
        "C000002,KS-001,coordinating_caseworker,2019-07-01,2019-07-31,staff_exit\n"
        "C000002,KS-101,coordinating_caseworker,2019-08-01,,reallocation\n",
    )
    import_file(examples, "responsibilities", history)
    with examples.connect() as conn:
        trial = conn.execute(select(s.trial.c.id).where(s.trial.c.code == "CPH-2018")).scalar()
        found = crossovers(conn, int(trial or 0))
        total = conn.execute(select(func.count()).select_from(s.responsibility)).scalar()
    assert total == 7
    control, treated = found["control"], found["trial"]
    assert (control.randomised, control.citizens, control.overridden) == (1, 1, 1)
    assert (control.changes, control.override_reasons) == (1, 1)
    assert control.by_reason == {"reallocation": 1}
    assert (treated.randomised, treated.citizens, treated.overridden) == (2, 1, 0)
    assert (treated.changes, treated.override_reasons) == (1, 0)
    table = {row["arm"]: row for row in rows(found)}
    assert table["trial"]["crossed_without_override"] == 1
    assert table["control"]["crossed_with_override"] == 1
    assert table["control"]["reason_reallocation"] == 1
    assert table["trial"]["reason_intake"] == 0


def test_a_long_line_is_still_one_line(examples: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.errors, "width", 60)
    result = run("evaluate", "--db", _url(examples), "--outcome-end", "2019-09-15", "--lang", "da")
    assert result.exit_code == 2
    assert result.stderr == (
        "2019-09-15 ligger efter registrets sidste registrerede dag, 2019-07-01: angiv "
        "--outcome-end 2019-07-01 eller tidligere\n"
    )


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("status", "--as-of", "2019-09-15"), "--as-of"),
        (("overdue", "--as-of", "2019-09-15"), "--as-of"),
        (("rebalance", "--department", "JI6", "--dry-run", "--as-of", "2019-09-15"), "--as-of"),
        (("assign", "--department", "JI6", "--dry-run", "--as-of", "2019-09-15"), "--as-of"),
        (("sparring", "--caseworker", "KS-001", "--as-of", "2019-09-15", "--out", "x"), "--as-of"),
        (("timeliness", "--from", "2019-01-01", "--to", "2019-09-15"), "--to"),
        (("caseflow", "--from", "2019-01-01", "--to", "2019-09-15"), "--to"),
        (("randomise", "--trial", "CPH-2018", "--as-of", "2019-09-15"), "--as-of"),
    ],
)
def test_a_day_far_beyond_the_register_is_one_line_and_exit_2(
    examples: Engine, tmp_path: Path, args: tuple[str, ...], option: str
) -> None:
    result = run(*args, "--db", _url(examples))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"2019-09-15 is after the register's last recorded day, 2019-07-01: give {option} "
        "2019-07-01 or earlier\n"
    )


def test_today_by_default_is_named_and_danish_is_danish(examples: Engine) -> None:
    result = run("status", "--db", _url(examples), "--lang", "da")
    assert result.exit_code == 2
    today = date.today().isoformat()
    assert result.stderr == (
        f"{today} ligger efter registrets sidste registrerede dag, 2019-07-01: angiv --as-of "
        "2019-07-01 eller tidligere\n"
    )


def test_a_day_a_few_weeks_beyond_gets_a_note_and_goes_on(examples: Engine) -> None:
    result = run("status", "--db", _url(examples), "--as-of", "2019-08-01")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Note: 2019-08-01 is after the register's last recorded day, 2019-07-01 (its latest "
        "import may be a few days old)"
    ]
    assert "Caseloads on 1 Aug 2019" in result.stdout
    on_the_day = run("status", "--db", _url(examples), "--as-of", "2019-07-01")
    assert on_the_day.exit_code == 0 and on_the_day.stderr == ""


def test_writing_a_change_on_a_later_day_is_not_affected(examples: Engine) -> None:
    result = run(
        *("meeting", "--db", _url(examples), "--citizen", "C000001", "--id", "M-LATE"),
        *("--status", "held", "--as-of", "2019-09-15"),
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    with examples.connect() as conn:
        assert last_recorded_day(conn) == date(2019, 9, 15)  # and now the register says so


def test_assign_lists_who_it_left_out_in_both_languages(examples: Engine, tmp_path: Path) -> None:
    with examples.begin() as conn:
        _add_citizen(conn, "C000901", "control")
    out = tmp_path / "plan.json"
    given = ("assign", "--db", _url(examples), "--department", "JI6", "--new", "--dry-run")
    english = run(*given, "--as-of", "2018-03-01", "--json", str(out))
    assert english.exit_code == 0, english.output
    said = " ".join(english.stderr.split())  # the console wraps a long line
    assert (
        "1 citizen(s) left out of the plan, neither moved nor given a professional here: this "
        "department lies across their arm of a running trial" in said
    )
    assert said.endswith(": C000901")
    assert json.loads(out.read_text(encoding="utf-8"))["held_back"] == [
        {"citizen": "C000901", "trial": "CPH-2018", "arm": "control", "kept_with": None}
    ]
    danish = run(*given, "--as-of", "2018-03-01", "--lang", "da")
    assert "1 borger(e) er holdt uden for planen" in " ".join(danish.stderr.split())
