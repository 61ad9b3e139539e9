"""A department on a day, read for allocation: its professionals in a role with their
effective caps, and the citizens they hold with weights, districts and relation start."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Connection, Table, and_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from caseload.domain.caps import applicable_cap
from caseload.domain.load import CaseloadRule
from caseload.operate.plan import Case, Seat
from caseload.register.rules_in_force import all_caps, caseload_rule
from caseload.store import schema as s


class NotFound(LookupError):
    """A department, professional or citizen the command names is not in the register."""


@dataclass(frozen=True)
class Department:
    id: int
    code: str
    role_model: str
    role: str
    day: date
    cap: int
    """The department's cap used for the plan (``--cap`` or the one in force)."""
    cap_in_force: int | None
    rule: CaseloadRule
    seats: list[Seat]
    cases: list[Case]
    held: dict[int, int]
    """Citizen id → id of the open responsibility in the role (what a move ends)."""

    @property
    def codes(self) -> dict[int, str]:
        return {seat.id: seat.code for seat in self.seats}


def on(table: Table, day: date) -> ColumnElement[bool]:
    return and_(table.c.start_date <= day, or_(table.c.end_date.is_(None), table.c.end_date >= day))


def department_id(conn: Connection, code: str) -> tuple[int, str]:
    row = conn.execute(
        select(s.department.c.id, s.department.c.role_model).where(s.department.c.code == code)
    ).first()
    if row is None:
        raise NotFound(f"no department {code!r} in the register")
    return int(row[0]), str(row[1])


def read(
    conn: Connection, code: str, day: date, role: str, cap: int | None = None
) -> Department:
    """The professionals of department ``code`` holding ``role`` on ``day`` (and anyone who
    has left or is on long leave but still holds citizens there), and those citizens."""
    dept, model = department_id(conn, code)
    rule = caseload_rule(conn, dept)
    p, pr, r, c = s.professional, s.professional_role, s.responsibility, s.citizen
    staff = conn.execute(
        select(p.c.id, p.c.code, p.c.fte, p.c.start_date, p.c.end_date, p.c.district)
        .where(p.c.department_id == dept, p.c.start_date <= day)
        .where(select(pr.c.id).where(pr.c.professional_id == p.c.id, pr.c.role == role,
                                     on(pr, day)).exists()
               | select(r.c.id).where(r.c.professional_id == p.c.id, r.c.role == role,
                                      on(r, day)).exists())
        .order_by(p.c.code)
    ).all()
    a = s.staff_absence
    on_leave = set(
        conn.execute(
            select(a.c.professional_id).where(a.c.term == "long", on(a, day))
        ).scalars()
    )
    caps = all_caps(conn)
    found = applicable_cap(caps, role, code, "", day)
    in_force = found.cap if found is not None else None
    department_cap = cap if cap is not None else in_force
    if department_cap is None:
        raise NotFound(f"no caseload cap for {role} in {code} on {day}; give --cap")
    seats = []
    for pid, pcode, fte, started, ended, district in staff:
        own = None if cap is not None else applicable_cap(caps, role, code, pcode, day)
        base = own.cap if own is not None else department_cap
        away = None
        if ended is not None and ended < day:
            away = "staff_exit"
        elif pid in on_leave:
            away = "staff_leave"
        capacity = 0.0 if away else rule.effective_cap(base, float(fte), started, day)
        seats.append(Seat(int(pid), str(pcode), capacity, district, away))
    ids = [seat.id for seat in seats]
    rows = conn.execute(
        select(r.c.id, c.c.id, c.c.code, c.c.complexity, c.c.district, r.c.professional_id,
               r.c.start_date, r.c.reason)
        .join(c, c.c.id == r.c.citizen_id)
        .where(r.c.role == role, on(r, day), r.c.professional_id.in_(ids))
        .order_by(c.c.id, r.c.start_date)
    ).all()
    cases: dict[int, Case] = {}
    held: dict[int, int] = {}
    covering: dict[int, float] = {}
    for rid, cid, ccode, complexity, district, holder, since, reason in rows:
        if reason == "cover":  # a colleague's citizen held meanwhile: it takes room, stays put
            covering[holder] = covering.get(holder, 0.0) + rule.weight(complexity)
            continue
        cases[cid] = Case(int(cid), str(ccode), rule.weight(complexity), district,
                          int(holder), since)
        held[cid] = int(rid)
    seats = [
        replace(seat, capacity=max(0.0, seat.capacity - covering.get(seat.id, 0.0)))
        for seat in seats
    ]
    return Department(dept, code, model, role, day, department_cap, in_force, rule, seats,
                      list(cases.values()), held)


NEEDS_CONTACT = ("kontanthjaelp", "resource_course")
"""Benefits on which a citizen needs a primary contact at the job centre."""


def unassigned(conn: Connection, department: Department, include_new: bool) -> list[Case]:
    """Citizens on a benefit that needs a contact (or with no benefit recorded at all) and no
    open responsibility on the day, whose last professional in the role worked in the
    department; with ``include_new`` also those who never had one."""
    day, role = department.day, department.role
    r, c, b, p = s.responsibility, s.citizen, s.benefit_spell, s.professional
    rule = department.rule
    no_contact = ~select(r.c.id).where(r.c.citizen_id == c.c.id, on(r, day)).exists()
    on_benefit = select(b.c.id).where(
        b.c.citizen_id == c.c.id, b.c.benefit.in_(NEEDS_CONTACT), on(b, day)
    ).exists()
    no_spells = ~select(b.c.id).where(b.c.citizen_id == c.c.id).exists()
    candidates = conn.execute(
        select(c.c.id, c.c.code, c.c.complexity, c.c.district)
        .where(no_contact, on_benefit | no_spells)
        .order_by(c.c.id)
    ).all()
    if not candidates:
        return []
    ids = [int(row[0]) for row in candidates]
    last: dict[int, tuple[date, int, int]] = {}
    for chunk in range(0, len(ids), 5000):
        for cid, pid, end, dept in conn.execute(
            select(r.c.citizen_id, r.c.professional_id, r.c.end_date, p.c.department_id)
            .join(p, p.c.id == r.c.professional_id)
            .where(r.c.citizen_id.in_(ids[chunk:chunk + 5000]), r.c.role == role,
                   r.c.end_date < day)
        ):
            if cid not in last or end > last[cid][0]:
                last[int(cid)] = (end, int(pid), int(dept))
    out = []
    for cid, code, complexity, district in candidates:
        before = last.get(int(cid))
        if before is None and not include_new:
            continue
        if before is not None and before[2] != department.id:
            continue
        out.append(Case(int(cid), str(code), rule.weight(complexity), district, None, None,
                        before[1] if before else None))
    return out
