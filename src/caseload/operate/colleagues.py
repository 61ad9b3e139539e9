"""Who a citizen's contact can change to on a day: the professionals employed in the
departments of those who hold the citizen's responsibilities, with the roles each holds
then; those who hold or held a responsibility for the citizen are marked as attached —
the ones a cover is offered to, so that the citizen meets someone they know."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Table, and_, or_, select
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
    """Attached first, then by staff code."""
    r, p, pr = s.responsibility, s.professional, s.professional_role

    def on(t: Table) -> ColumnElement[bool]:
        return and_(t.c.start_date <= day, or_(t.c.end_date.is_(None), t.c.end_date >= day))

    departments = (
        select(p.c.department_id)
        .join(r, r.c.professional_id == p.c.id)
        .where(r.c.citizen_id == citizen, on(r))
        .distinct()
    )
    attached = {
        int(pid)
        for pid in conn.execute(
            select(r.c.professional_id).where(r.c.citizen_id == citizen).distinct()
        ).scalars()
    }
    rows = conn.execute(
        select(p.c.id, p.c.code, p.c.name, pr.c.role)
        .join(pr, pr.c.professional_id == p.c.id)
        .where(p.c.department_id.in_(departments), on(p), on(pr))
        .order_by(p.c.code, pr.c.role)
    ).all()
    found: dict[int, tuple[str, str, list[str]]] = {}
    for pid, code, name, role in rows:
        found.setdefault(int(pid), (str(code), str(name), []))[2].append(str(role))
    out = [
        Colleague(code, name, tuple(roles), pid in attached)
        for pid, (code, name, roles) in found.items()
    ]
    return sorted(out, key=lambda c: (not c.attached, c.staff))
