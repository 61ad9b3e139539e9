"""Small questions of the register that commands and pages ask before they act."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from sqlalchemy import Connection, and_, case, func, or_, select

from caseload.store import schema as s


def professional_id(conn: Connection, code: str) -> int | None:
    """The register's id of the professional with this staff code, or None."""
    found = conn.execute(select(s.professional.c.id).where(s.professional.c.code == code)).first()
    return None if found is None else int(found[0])


def department_exists(conn: Connection, code: str) -> bool:
    """Whether a department with this code is in the register."""
    d = s.department
    return conn.execute(select(d.c.id).where(d.c.code == code)).first() is not None


def holds_citizens(conn: Connection) -> bool:
    """Whether any citizen is stored (a register in use, not one to build a demo into)."""
    return bool(conn.execute(select(func.count()).select_from(s.citizen)).scalar_one())


SENTINEL = date(9000, 1, 1)
"""Days from here on are placeholders for "open" (9999-12-31), not days anything happened."""


def last_recorded_day(conn: Connection) -> date | None:
    """The latest day the register records anything happening: a meeting's held, scheduled
    or due date, a responsibility's or benefit spell's first or last day (placeholder ends
    such as 9999-12-31 are not days). None for an empty register."""
    m, r, b = s.meeting, s.responsibility, s.benefit_spell
    columns = (
        (m, (m.c.held_date, m.c.scheduled_date, m.c.due_date)),
        (r, (r.c.start_date, r.c.end_date)),
        (b, (b.c.start_date, b.c.end_date)),
    )
    found: list[date] = []
    for table, days in columns:
        # one scan per table: the latest day of each column below the placeholder
        row = conn.execute(
            select(*(func.max(case((day < SENTINEL, day))) for day in days)).select_from(table)
        ).one()
        found += [_as_date(value) for value in row if value is not None]
    return max(found) if found else None


def recorded_from(conn: Connection, day: date) -> bool:
    """Whether the register records anything on ``day`` or later (what ``last_recorded_day``
    reads, placeholder ends excepted): the quick answer for a day within the register, read
    from the newest rows back, which stops at the first one found."""
    m, r, b = s.meeting, s.responsibility, s.benefit_spell
    columns = (
        (m, (m.c.held_date, m.c.scheduled_date, m.c.due_date)),
        (r, (r.c.start_date, r.c.end_date)),
        (b, (b.c.start_date, b.c.end_date)),
    )
    for table, days in columns:
        found = conn.execute(
            select(table.c.id)
            .where(or_(*(and_(d >= day, d < SENTINEL) for d in days)))
            .order_by(table.c.id.desc())
            .limit(1)
        ).first()
        if found is not None:
            return True
    return False


def _as_date(value: date | str) -> date:
    """SQLite returns max() over a CASE as text; PostgreSQL as a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


class Arm(NamedTuple):
    trial: str
    """The trial's code."""
    arm: str
    """``trial`` or ``control``."""


def trial_arms(
    conn: Connection, day: date, citizens: Sequence[int] | None = None
) -> dict[int, Arm]:
    """Citizen id → trial and arm of the citizens randomised in a trial that runs on ``day``
    (its first day to its last, assigned on or before ``day``); ``citizens`` limits the
    answer to those ids."""
    t, a = s.trial, s.trial_assignment
    query = (
        select(a.c.citizen_id, t.c.code, a.c.arm)
        .join(t, t.c.id == a.c.trial_id)
        .where(
            t.c.start_date <= day,
            or_(t.c.end_date.is_(None), t.c.end_date >= day),
            a.c.assigned_date <= day,
        )
        .order_by(t.c.start_date, t.c.id)
    )
    if citizens is None:
        return {int(cid): Arm(str(code), str(arm)) for cid, code, arm in conn.execute(query)}
    ids = list(citizens)
    arms: dict[int, Arm] = {}
    for chunk in range(0, len(ids), 5000):
        part = query.where(a.c.citizen_id.in_(ids[chunk : chunk + 5000]))
        arms.update({int(cid): Arm(str(code), str(arm)) for cid, code, arm in conn.execute(part)})
    return arms


def trial_department(conn: Connection, department: int) -> tuple[str, bool]:
    """A department's code and whether it is marked as the trial's (``is_trial``)."""
    d = s.department
    code, marked = conn.execute(select(d.c.code, d.c.is_trial).where(d.c.id == department)).one()
    return str(code), bool(marked)


def crosses(arm: str | None, trial_department: bool) -> bool:
    """Whether a professional of a department (``trial_department``: marked as the trial's)
    lies across the arm boundary for a citizen in ``arm`` (None: in no running trial)."""
    return (arm == "control" and trial_department) or (arm == "trial" and not trial_department)
