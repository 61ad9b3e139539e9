"""Who a citizen's contact can change to on a day: the professionals employed in the
departments of those who hold the citizen's responsibilities, with the roles each holds
then; those who hold or held a responsibility for the citizen are marked as attached —
the ones a cover is offered to, so that the citizen meets someone they know."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Connection, Date, Integer, Select, Table, and_, bindparam, or_, select
from sqlalchemy.sql.elements import ColumnElement

from caseload.store import schema as s


@dataclass(frozen=True)
class Colleague:
    staff: str
    name: str
    roles: tuple[str, ...]
    attached: bool
    """Holds, or held, a responsibility for the citizen."""


def colleagues(conn: Connection, citizen: int, day: date) -> list[Colleague]:
    """Attached first, then by staff code (one statement, built once)."""
    found: dict[int, tuple[str, str, bool, list[str]]] = {}
    for pid, code, name, attached, role in conn.execute(_query(), {"citizen": citizen, "day": day}):
        found.setdefault(int(pid), (str(code), str(name), bool(attached), []))[3].append(str(role))
    out = [
        Colleague(code, name, tuple(roles), attached)
        for code, name, attached, roles in found.values()
    ]
    return sorted(out, key=lambda c: (not c.attached, c.staff))


@cache
def _query() -> Select[Any]:
    r, p, pr = s.responsibility, s.professional, s.professional_role
    citizen, day = bindparam("citizen", type_=Integer), bindparam("day", type_=Date)

    def on(t: Table) -> ColumnElement[bool]:
        return and_(t.c.start_date <= day, or_(t.c.end_date.is_(None), t.c.end_date >= day))

    departments = (
        select(p.c.department_id)
        .join(r, r.c.professional_id == p.c.id)
        .where(r.c.citizen_id == citizen, on(r))
        .distinct()
    )
    attached = p.c.id.in_(select(r.c.professional_id).where(r.c.citizen_id == citizen))
    return (
        select(p.c.id, p.c.code, p.c.name, attached.label("attached"), pr.c.role)
        .join(pr, pr.c.professional_id == p.c.id)
        .where(p.c.department_id.in_(departments), on(p), on(pr))
        .order_by(p.c.code, pr.c.role)
    )
