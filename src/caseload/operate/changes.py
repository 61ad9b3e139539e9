"""Writing a plan to the register: every move ends one responsibility and starts the next,
with its reason, and the department's role model says which roles move together.

- all apart: only the planned role moves;
- buddy pair: the citizen's company consultant or mentor moves with the coordinating
  caseworker, from the old caseworker's partner to the new one's;
- all inclusive: every role the old professional held for the citizen moves.

The caller runs it inside one transaction: all moves or none.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, bindparam, insert, select, update

from caseload.operate.department import Department, on
from caseload.operate.plan import Plan
from caseload.store import schema as s

PARTNER_ROLES = ("company_consultant", "mentor")


@dataclass(frozen=True)
class Written:
    ended: int
    started: int
    cap_recorded: bool


def partners(conn: Connection, day: date) -> dict[int, int]:
    """Coordinating caseworker id → their buddy's id, for pairs in force on ``day``."""
    b = s.buddy_pair
    return {int(k): int(v) for k, v in conn.execute(
        select(b.c.caseworker_id, b.c.partner_id).where(on(b, day))
    )}


def roles_held(conn: Connection, day: date) -> dict[int, set[str]]:
    """Professional id → the roles they hold on ``day``."""
    pr = s.professional_role
    out: dict[int, set[str]] = defaultdict(set)
    for pid, role in conn.execute(select(pr.c.professional_id, pr.c.role).where(on(pr, day))):
        out[int(pid)].add(str(role))
    return out


def _open(conn: Connection, citizens: list[int], day: date) -> dict[int, list[tuple[int, int, str,
                                                                                   date]]]:
    """Citizen id → their open responsibilities (id, professional, role, start) on ``day``."""
    r = s.responsibility
    out: dict[int, list[tuple[int, int, str, date]]] = defaultdict(list)
    for chunk in range(0, len(citizens), 5000):
        part = citizens[chunk:chunk + 5000]
        for rid, cid, pid, role, start in conn.execute(
            select(r.c.id, r.c.citizen_id, r.c.professional_id, r.c.role, r.c.start_date)
            .where(r.c.citizen_id.in_(part), on(r, day))
        ):
            out[int(cid)].append((int(rid), int(pid), str(role), start))
    return out


def apply(conn: Connection, department: Department, plan: Plan,
          record_cap: int | None = None) -> Written:
    """Write the plan's moves on ``department.day``; with ``record_cap`` also the new cap."""
    day = department.day
    pairs = partners(conn, day) if department.role_model == "buddy_pair" else {}
    moved = list(plan.moves)
    current = _open(conn, [m.citizen for m in moved], day)
    roles = roles_held(conn, day)
    ends: list[dict[str, object]] = []
    same_day: list[dict[str, object]] = []
    starts: list[dict[str, object]] = []

    def move(rid: int, citizen: int, role: str, start: date, target: int, reason: str) -> None:
        if start >= day:  # began today: correct it rather than leave a one-day-less period
            same_day.append({"rid": rid, "pid": target, "why": reason})
        else:
            ends.append({"rid": rid, "last": day - timedelta(days=1)})
            starts.append({"citizen_id": citizen, "professional_id": target, "role": role,
                           "start_date": day, "end_date": None, "reason": reason})

    for m in moved:
        held = current.get(m.citizen, [])
        if m.origin is None:
            # a new contact: the role model says who else the citizen gets
            taken = {role for _, _, role, _ in held}
            extra: list[tuple[int, str]] = [(m.target, department.role)]
            buddy = pairs.get(m.target)
            if buddy is not None:
                extra += [(buddy, role) for role in PARTNER_ROLES
                          if role in roles.get(buddy, set())][:1]
            if department.role_model == "all_inclusive":
                extra += [(m.target, role) for role in sorted(roles.get(m.target, set()))
                          if role != department.role]
            for pid, role in extra:
                if role not in taken:
                    starts.append({"citizen_id": m.citizen, "professional_id": pid,
                                   "role": role, "start_date": day, "end_date": None,
                                   "reason": m.reason})
            continue
        for rid, pid, role, start in held:
            every_role = department.role_model == "all_inclusive"
            if pid == m.origin and (role == department.role or every_role):
                move(rid, m.citizen, role, start, m.target, m.reason)
            elif (
                department.role_model == "buddy_pair"
                and role in PARTNER_ROLES
                and pid == pairs.get(m.origin)
                and m.target in pairs
            ):
                move(rid, m.citizen, role, start, pairs[m.target], m.reason)
    r = s.responsibility
    if ends:
        conn.execute(
            update(r).where(r.c.id == bindparam("rid")).values(end_date=bindparam("last")), ends
        )
    if same_day:
        conn.execute(
            update(r).where(r.c.id == bindparam("rid"))
            .values(professional_id=bindparam("pid"), reason=bindparam("why")),
            same_day,
        )
    if starts:
        conn.execute(insert(r), starts)
    recorded = False
    if record_cap is not None:
        recorded = _record_cap(conn, department, record_cap)
    return Written(len(ends) + len(same_day), len(starts) + len(same_day), recorded)


def _record_cap(conn: Connection, department: Department, cap: int) -> bool:
    """The department's cap from the plan's day on (replacing one that starts that day)."""
    c = s.caseload_cap
    existing = conn.execute(
        select(c.c.id, c.c.cap).where(
            c.c.role == department.role,
            c.c.department_id == department.id,
            c.c.professional_id.is_(None),
            c.c.start_date == department.day,
        )
    ).first()
    if existing is not None:
        if existing[1] == cap:
            return False
        conn.execute(update(c).where(c.c.id == existing[0]).values(cap=cap))
        return True
    conn.execute(insert(c).values(role=department.role, department_id=department.id,
                                  professional_id=None, cap=cap, start_date=department.day))
    return True
