"""Calibration from a register on SQLite and PostgreSQL: a chosen period (``--from/--to``:
every citizen on kontanthjælp on the first day) and a trial's control arm, each checked
against counts made here in Python from the register's raw rows, never from the
calibration's own statements."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from caseload.domain import codes, dates
from caseload.domain.dates import years_before
from caseload.plan import calibrate
from caseload.store import schema as s
from caseload.store.database import reader
from caseload.synth import jobcentre
from tests.conftest import CopyOf

FIRST, LAST = date(2018, 1, 1), date(2019, 12, 31)


def fill(engine: Engine, _folder: Path) -> None:
    jobcentre.write(engine, jobcentre.simulate(1_500, 7))


@pytest.fixture
def register(register_copy: CopyOf) -> Engine:
    return register_copy(fill)


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def test_a_period_calibration_counts_the_registers_citizens(register: Engine) -> None:
    with reader(register).connect() as conn:
        cal = calibrate.calibrate(conn, first=FIRST, last=LAST)
        spells = conn.execute(
            select(s.benefit_spell.c.citizen_id, s.benefit_spell.c.start_date,
                   s.benefit_spell.c.end_date)
            .where(s.benefit_spell.c.benefit == "kontanthjaelp")
        ).all()  # fmt: skip
        since = dict(
            conn.execute(select(s.citizen.c.id, s.citizen.c.kontanthjaelp_since)).tuples().all()
        )
        changes = conn.execute(
            select(s.responsibility.c.citizen_id, s.responsibility.c.start_date,
                   s.responsibility.c.reason)
            .where(s.responsibility.c.reason != "intake")
        ).all()  # fmt: skip
    last_exit = dates.add_months(LAST, -calibrate.LAG_MONTHS)
    # on kontanthjælp on the first day: the last day of the spell (or spells) covering it
    end: dict[int, date] = {}
    far = LAST + timedelta(days=1)
    for citizen, start, stop in spells:
        if _day(start) <= FIRST and (stop is None or _day(stop) >= FIRST):
            end[citizen] = max(end.get(citizen, FIRST), far if stop is None else _day(stop))
    long_since = years_before(FIRST, codes.LONG_TERM_RECIPIENT_YEARS)
    long = {c for c in end if since[c] is not None and _day(since[c]) <= long_since}
    assert cal.population == sum(cal.citizens) == len(end)
    assert cal.citizens == (len(end) - len(long), len(long))
    exited = {c for c, e in end.items() if e <= last_exit}
    assert sum(sum(row) for row in cal.exits) == len(exited)
    days = {c: min((e - FIRST).days, (last_exit - FIRST).days) for c, e in end.items()}
    assert sum(cal.exposure) * 7 == pytest.approx(sum(days.values()))
    # caseworker changes while on kontanthjælp, one a day per citizen
    seen = {
        (c, _day(d), reason)
        for c, d, reason in changes
        if c in end and FIRST < _day(d) <= last_exit and (_day(d) - FIRST).days <= days[c]
    }
    per_day: dict[tuple[int, date], set[str]] = {}
    for c, d, reason in seen:
        per_day.setdefault((c, d), set()).add(reason)
    years = sum(days.values()) / 365.25
    staff = sum(1 for r in per_day.values() if "staff_exit" in r)
    handoffs = sum(1 for r in per_day.values() if "staff_exit" not in r and "handoff" in r)
    assert cal.staff_turnover == pytest.approx(staff / years)
    assert cal.change_rate == pytest.approx((len(per_day) - staff) / years)
    assert cal.handoff_rate == pytest.approx(handoffs / years)
    assert cal.role_model == "all_apart"
    assert cal.trial is None and calibrate.too_thin(cal) is None


def test_the_control_arm_calibration_is_the_arms_citizens(register: Engine) -> None:
    with reader(register).connect() as conn:
        cal = calibrate.calibrate(conn)
        arms = conn.execute(
            select(s.trial_assignment.c.arm, s.trial_assignment.c.assigned_date)
        ).all()
        trial_start = conn.execute(select(s.trial.c.start_date)).scalar_one()
    control = [a for a, day in arms if a == "control" and _day(day) <= _day(trial_start)]
    assert cal.trial == jobcentre.TRIAL_CODE
    assert cal.population == sum(cal.citizens) == len(control)
    assert 0 < cal.handoff_rate <= cal.change_rate


def test_a_period_that_cannot_be_calibrated_is_refused_in_words(register: Engine) -> None:
    with reader(register).connect() as conn:
        for kwargs, said in (
            ({"first": FIRST}, "give both --from and --to"),
            ({"first": FIRST, "last": FIRST + timedelta(days=20)}, "--to must be more than"),
            ({"first": date(1990, 1, 1), "last": date(1995, 1, 1)}, "no citizen is on"),
            ({"trial": "NOPE"}, "NOPE"),
        ):
            with pytest.raises(calibrate.CalibrationError) as caught:
                calibrate.calibrate(conn, **kwargs)  # type: ignore[arg-type]
            assert said in str(caught.value), (kwargs, str(caught.value))
