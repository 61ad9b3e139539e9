"""A department on a day, read for allocation: its professionals in a role with their
effective caps, and the citizens they hold with weights, districts and relation start."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple

from sqlalchemy import Connection, Table, and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from caseload.domain.caps import applicable_cap
from caseload.domain.labels import word
from caseload.domain.load import CaseloadRule
from caseload.i18n import Message
from caseload.operate.optimise import Case, Seat
from caseload.operate.refusals import NotFound, shown_id
from caseload.register.rules_in_force import all_caps, caseload_rule
from caseload.store import schema as s
from caseload.store.locks import lock_professionals

__all__ = ["Department", "NotFound", "department_id", "load_and_cap", "on", "read", "unassigned"]


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
    versions: dict[int, int]
    """Citizen id → the case version read (what a write checks and bumps)."""

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
        raise NotFound(Message("no department {code} in the register", {"code": shown_id(code)}))
    return int(row[0]), str(row[1])


def read(
    conn: Connection,
    code: str,
    day: date,
    role: str,
    cap: int | None = None,
    lock: bool = False,
) -> Department:
    """The professionals of department ``code`` holding ``role`` on ``day`` (and anyone who
    has left or is on long leave but still holds citizens there), and those citizens.

    A citizen of someone away who is covered meanwhile has the cover as the professional
    to prefer (seed 004: a takeover goes to someone already attached); the cover's room is
    not taken twice, since the cover ends when the citizen moves. ``lock`` (before a
    write, on PostgreSQL) locks the responsibilities read until the transaction ends."""
    dept, model = department_id(conn, code)
    rule = caseload_rule(conn, dept)
    staff = _staff(conn, dept, role, day)
    caps = all_caps(conn)
    found = applicable_cap(caps, role, code, "", day)
    in_force = found.cap if found is not None else None
    department_cap = cap if cap is not None else in_force
    if department_cap is None:
        raise NotFound(
            Message(
                "no caseload cap for {role} in {code} on {day}; give --cap",
                {"role": word(role), "code": code, "day": day},
            )
        )
    seats = []
    for person in staff:
        # a person's own cap beats the department's, also a new one given with --cap (as
        # caseload status will judge the result)
        own = applicable_cap(caps, role, code, person.code, day)
        base = own.cap if own is not None and (cap is None or own.scope == 0) else department_cap
        capacity = 0.0 if person.away else rule.effective_cap(base, person.fte, person.started, day)
        seats.append(Seat(person.id, person.code, capacity, person.district, person.away))
    if lock:  # before any citizen's row: the fixed lock order of store.locks
        lock_professionals(conn, [seat.id for seat in seats])
    held = _Held.read(conn, seats, role, day, rule, lock)
    seats = [
        replace(seat, capacity=max(0.0, seat.capacity - held.covering.get(seat.id, 0.0)))
        for seat in seats
    ]
    return Department(
        dept,
        code,
        model,
        role,
        day,
        department_cap,
        in_force,
        rule,
        seats,
        list(held.cases.values()),
        held.responsibilities,
        held.versions,
    )


class _Person(NamedTuple):
    id: int
    code: str
    fte: float
    started: date
    district: str | None
    away: str | None
    """``staff_exit`` or ``staff_leave`` for someone who holds citizens but has no room."""


def _staff(conn: Connection, dept: int, role: str, day: date) -> list[_Person]:
    """The department's professionals in ``role`` on ``day``, or still holding citizens
    in it there, in code order."""
    p, pr, r = s.professional, s.professional_role, s.responsibility
    staff = conn.execute(
        select(p.c.id, p.c.code, p.c.fte, p.c.start_date, p.c.end_date, p.c.district)
        .where(p.c.department_id == dept, p.c.start_date <= day)
        .where(
            select(pr.c.id)
            .where(pr.c.professional_id == p.c.id, pr.c.role == role, on(pr, day))
            .exists()
            | select(r.c.id)
            .where(r.c.professional_id == p.c.id, r.c.role == role, on(r, day))
            .exists()
        )
        .order_by(p.c.code)
    ).all()
    a = s.staff_absence
    on_leave = set(
        conn.execute(select(a.c.professional_id).where(a.c.term == "long", on(a, day))).scalars()
    )
    people = []
    for pid, pcode, fte, started, ended, district in staff:
        away = None
        if ended is not None and ended < day:
            away = "staff_exit"
        elif pid in on_leave:
            away = "staff_leave"
        people.append(_Person(int(pid), str(pcode), float(fte), started, district, away))
    return people


@dataclass
class _Held:
    """The citizens the seats hold in the role, read once."""

    cases: dict[int, Case]
    responsibilities: dict[int, int]
    """Citizen id → id of the open responsibility in the role."""
    versions: dict[int, int]
    covering: dict[int, float]
    """Professional id → weight of a present colleague's citizens they cover (room taken)."""

    @classmethod
    def read(
        cls,
        conn: Connection,
        seats: list[Seat],
        role: str,
        day: date,
        rule: CaseloadRule,
        lock: bool,
    ) -> _Held:
        r, c = s.responsibility, s.citizen
        query = (
            select(
                r.c.id,
                c.c.id,
                c.c.code,
                c.c.complexity,
                c.c.district,
                r.c.professional_id,
                r.c.start_date,
                r.c.reason,
                r.c.covers_professional_id,
                c.c.version,
            )
            .join(c, c.c.id == r.c.citizen_id)
            .where(r.c.role == role, on(r, day), r.c.professional_id.in_([x.id for x in seats]))
            .order_by(c.c.id, r.c.start_date)
        )
        rows = conn.execute(query.with_for_update(of=r) if lock else query).all()
        gone = {seat.id for seat in seats if seat.away}
        held = cls({}, {}, {}, {})
        cover_of: dict[int, int] = {}
        for rid, cid, ccode, complexity, district, holder, since, reason, covers, version in rows:
            held.versions[int(cid)] = int(version)
            if reason == "cover":
                if covers in gone:  # the citizen is planned; the cover is who to prefer
                    cover_of[int(cid)] = int(holder)
                else:  # a colleague's citizen held meanwhile: it takes room, stays put
                    held.covering[holder] = held.covering.get(holder, 0.0) + rule.weight(complexity)
                continue
            held.cases[cid] = Case(
                int(cid), str(ccode), rule.weight(complexity), district, int(holder), since
            )
            held.responsibilities[cid] = int(rid)
        for cid, coverer in cover_of.items():
            if cid in held.cases and held.cases[cid].current in gone:
                held.cases[cid] = replace(held.cases[cid], previous=coverer)
        return held


def load_and_cap(
    conn: Connection, pid: int, role: str, day: date
) -> tuple[str, float, float | None]:
    """A professional's code, their weighted load in ``role`` on ``day`` (citizens they cover
    included) and their effective cap there (None: no cap applies)."""
    p, d, r, c = s.professional, s.department, s.responsibility, s.citizen
    code, fte, started, dept_id, dept = conn.execute(
        select(p.c.code, p.c.fte, p.c.start_date, d.c.id, d.c.code)
        .join(d, d.c.id == p.c.department_id)
        .where(p.c.id == pid)
    ).one()
    rule = caseload_rule(conn, int(dept_id))
    held = conn.execute(
        select(c.c.complexity, func.count())
        .join(c, c.c.id == r.c.citizen_id)
        .where(r.c.professional_id == pid, r.c.role == role, on(r, day))
        .group_by(c.c.complexity)
    ).all()
    load = sum(rule.weight(tier) * n for tier, n in held)
    cap = applicable_cap(all_caps(conn), role, dept, code, day)
    limit = None if cap is None else rule.effective_cap(cap.cap, float(fte), started, day)
    return str(code), float(load), limit


NEEDS_CONTACT = ("kontanthjaelp", "resource_course")
"""Benefits on which a citizen needs a primary contact at the job centre."""


def unassigned(conn: Connection, department: Department, include_new: bool) -> list[Case]:
    """Citizens on a benefit that needs a contact (or with no benefit recorded at all) and no
    open responsibility on the day, whose last professional in the role worked in the
    department; with ``include_new`` also those who never had one. Their case versions join
    ``department.versions``."""
    day, role = department.day, department.role
    r, c, b, p = s.responsibility, s.citizen, s.benefit_spell, s.professional
    rule = department.rule
    no_contact = ~select(r.c.id).where(r.c.citizen_id == c.c.id, on(r, day)).exists()
    on_benefit = (
        select(b.c.id)
        .where(b.c.citizen_id == c.c.id, b.c.benefit.in_(NEEDS_CONTACT), on(b, day))
        .exists()
    )
    no_spells = ~select(b.c.id).where(b.c.citizen_id == c.c.id).exists()
    candidates = conn.execute(
        select(c.c.id, c.c.code, c.c.complexity, c.c.district, c.c.version)
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
            .where(
                r.c.citizen_id.in_(ids[chunk : chunk + 5000]), r.c.role == role, r.c.end_date < day
            )
        ):
            if cid not in last or end > last[cid][0]:
                last[int(cid)] = (end, int(pid), int(dept))
    out = []
    for cid, code, complexity, district, version in candidates:
        department.versions[int(cid)] = int(version)  # what a write of the plan checks
        before = last.get(int(cid))
        if before is None and not include_new:
            continue
        if before is not None and before[2] != department.id:
            continue
        out.append(
            Case(
                int(cid),
                str(code),
                rule.weight(complexity),
                district,
                None,
                None,
                before[1] if before else None,
            )
        )
    return out
