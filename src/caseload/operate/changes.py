"""Writing a plan to the register: every move ends one responsibility and starts the next,
with its reason, and the department's role model says which roles move together.

- all apart: only the planned role moves;
- buddy pair: the citizen's company consultant or mentor moves with the coordinating
  caseworker, from the old caseworker's partner to the new one's;
- all inclusive: every role the old professional held for the citizen moves.

A role moves only to someone who holds it, and not past their own cap in it. A cover of the
old professional ends with the move. Every moved citizen's case version goes up. The caller
runs it inside one transaction: all moves or none.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from caseload.domain.labels import word
from caseload.domain.load import TOLERANCE
from caseload.i18n import Message
from caseload.operate.department import Department, load_and_cap, on
from caseload.operate.optimise import Plan
from caseload.operate.refusals import CannotPlace, Conflict
from caseload.store import schema as s

PARTNER_ROLES = ("company_consultant", "mentor")


@dataclass(frozen=True)
class Written:
    ended: int
    started: int
    cap_recorded: bool
    kept: int = 0
    """Responsibilities in other roles left with their professional: the role model would
    move them, but the new holder does not hold the role."""
    corrected: int = 0
    """Responsibilities that began on the day and now name the new professional instead
    (no period ended: nobody held the citizen before in that stretch)."""


class _Open(NamedTuple):
    id: int
    professional: int
    role: str
    start: date
    end: date | None
    reason: str
    covers: int | None


def partners(conn: Connection, day: date) -> dict[int, int]:
    """Coordinating caseworker id → their buddy's id, for pairs in force on ``day``."""
    b = s.buddy_pair
    return {
        int(k): int(v)
        for k, v in conn.execute(select(b.c.caseworker_id, b.c.partner_id).where(on(b, day)))
    }


def roles_held(conn: Connection, day: date) -> dict[int, set[str]]:
    """Professional id → the roles they hold on ``day``."""
    pr = s.professional_role
    out: dict[int, set[str]] = defaultdict(set)
    for pid, role in conn.execute(select(pr.c.professional_id, pr.c.role).where(on(pr, day))):
        out[int(pid)].add(str(role))
    return out


def _open(conn: Connection, citizens: list[int], day: date) -> dict[int, list[_Open]]:
    """Citizen id → their open responsibilities on ``day``."""
    r = s.responsibility
    out: dict[int, list[_Open]] = defaultdict(list)
    for chunk in range(0, len(citizens), 5000):
        part = citizens[chunk : chunk + 5000]
        for rid, cid, pid, role, start, end, reason, covers in conn.execute(
            select(
                r.c.id,
                r.c.citizen_id,
                r.c.professional_id,
                r.c.role,
                r.c.start_date,
                r.c.end_date,
                r.c.reason,
                r.c.covers_professional_id,
            ).where(r.c.citizen_id.in_(part), on(r, day))
        ):
            out[int(cid)].append(
                _Open(
                    int(rid),
                    int(pid),
                    str(role),
                    start,
                    end,
                    str(reason),
                    None if covers is None else int(covers),
                )
            )
    return out


def _next_starts(conn: Connection, citizens: list[int], day: date) -> dict[tuple[int, str], date]:
    """(citizen, role) → the first responsibility recorded after ``day`` (covers aside):
    where a new contact's responsibility has to end."""
    r = s.responsibility
    out: dict[tuple[int, str], date] = {}
    for chunk in range(0, len(citizens), 5000):
        for cid, role, first in conn.execute(
            select(r.c.citizen_id, r.c.role, func.min(r.c.start_date))
            .where(
                r.c.citizen_id.in_(citizens[chunk : chunk + 5000]),
                r.c.start_date > day,
                r.c.reason != "cover",
            )
            .group_by(r.c.citizen_id, r.c.role)
        ):
            out[(int(cid), str(role))] = first
    return out


class _Writes:
    """The rows a plan changes, gathered so each kind goes to the database in one call."""

    def __init__(self, day: date) -> None:
        self.day = day
        self.ends: list[dict[str, object]] = []
        self.corrections: list[dict[str, object]] = []
        self.drops: list[dict[str, object]] = []
        self.starts: list[dict[str, object]] = []
        self.kept = 0
        self.arrivals: dict[tuple[int, str], list[int]] = defaultdict(list)
        """(professional, role) → citizens they take on."""
        self.departures: dict[tuple[int, str], list[int]] = defaultdict(list)
        """(professional, role) → citizens who leave them."""

    def start(
        self, citizen: int, pid: int, role: str, reason: str, last: date | None = None
    ) -> None:
        self.starts.append(
            {
                "citizen_id": citizen,
                "professional_id": pid,
                "role": role,
                "start_date": self.day,
                "end_date": last,
                "reason": reason,
            }
        )
        self.arrivals[(pid, role)].append(citizen)

    def move(self, row: _Open, citizen: int, target: int, reason: str) -> None:
        """The new professional takes the rest of the row's period: a stretch recorded to
        end (the citizen leaves, a later change) still ends then."""
        self.departures[(row.professional, row.role)].append(citizen)
        if row.start >= self.day:
            self.arrivals[(target, row.role)].append(citizen)
            # it began today: a correction of who took the citizen on, not a second change,
            # so the row keeps the reason it started with (an intake stays the entry)
            self.corrections.append({"rid": row.id, "pid": target})
        else:
            self.ends.append({"rid": row.id, "last": self.day - timedelta(days=1)})
            self.start(citizen, target, row.role, reason, row.end)

    def end_cover(self, row: _Open) -> None:
        """The colleague covered for is no longer the citizen's: the cover ends with the move
        (one that began today is dropped: it never ran)."""
        if row.start >= self.day:
            self.drops.append({"rid": row.id})
        else:
            self.ends.append({"rid": row.id, "last": self.day - timedelta(days=1)})


def apply(
    conn: Connection, department: Department, plan: Plan, record_cap: int | None = None
) -> Written:
    """Write the plan's moves on ``department.day``; with ``record_cap`` also the new cap.

    Refused with ``Conflict`` if a moved citizen's case changed since ``department`` was
    read, and with ``CannotPlace`` if a buddy would pass their own cap; either way nothing
    is written (the caller's transaction rolls back)."""
    day = department.day
    model = department.role_model
    pairs = partners(conn, day) if model == "buddy_pair" else {}
    moved = list(plan.moves)
    current = _open(conn, [m.citizen for m in moved], day)
    later = _next_starts(conn, [m.citizen for m in moved if m.origin is None], day)
    roles = roles_held(conn, day)
    w = _Writes(day)

    for m in moved:
        held = current.get(m.citizen, [])
        if m.origin is None:
            _new_contact(w, m.citizen, m.target, m.reason, held, department, pairs, roles, later)
            continue
        let_go: set[tuple[str, int]] = set()
        """(role, professional) the citizen leaves: their covers end with the move."""
        for row in held:
            if row.reason == "cover":
                continue
            target = _new_holder(row, m.origin, m.target, department, pairs)
            if target is None or target == row.professional:
                continue
            if row.role == department.role or row.role in roles.get(target, set()):
                w.move(row, m.citizen, target, m.reason)
                let_go.add((row.role, row.professional))
            else:
                w.kept += 1
        for row in held:
            if row.reason == "cover" and (row.role, row.covers) in let_go:
                w.end_cover(row)
    _refuse_over_cap(conn, department, w, pairs)
    _bump_versions(conn, department, sorted({m.citizen for m in moved}))
    r = s.responsibility
    if w.ends:
        conn.execute(
            update(r).where(r.c.id == bindparam("rid")).values(end_date=bindparam("last")),
            w.ends,
        )
    if w.drops:
        conn.execute(delete(r).where(r.c.id == bindparam("rid")), w.drops)
    if w.corrections:
        conn.execute(
            update(r).where(r.c.id == bindparam("rid")).values(professional_id=bindparam("pid")),
            w.corrections,
        )
    if w.starts:
        conn.execute(insert(r), w.starts)
    recorded = False
    if record_cap is not None:
        recorded = _record_cap(conn, department, record_cap)
    return Written(len(w.ends) + len(w.drops), len(w.starts), recorded, w.kept, len(w.corrections))


def _new_holder(
    row: _Open, origin: int, target: int, department: Department, pairs: dict[int, int]
) -> int | None:
    """Who takes over ``row`` when its citizen moves from ``origin`` to ``target`` in the
    planned role (None: the row stays): the planned role itself; all inclusive, every role
    the old professional held; buddy pair, the old partner's role goes to the new partner."""
    if row.professional == origin and (
        row.role == department.role or department.role_model == "all_inclusive"
    ):
        return target
    if (
        department.role_model == "buddy_pair"
        and row.role in PARTNER_ROLES
        and row.professional == pairs.get(origin)
        and target in pairs
    ):
        return pairs[target]
    return None


def _new_contact(
    w: _Writes,
    citizen: int,
    target: int,
    reason: str,
    held: list[_Open],
    department: Department,
    pairs: dict[int, int],
    roles: dict[int, set[str]],
    later: dict[tuple[int, str], date],
) -> None:
    """A citizen without a contact gets one; the role model says who else they get. Each
    new responsibility ends the day before one already recorded later in its role."""
    taken = {row.role for row in held}
    extra: list[tuple[int, str]] = [(target, department.role)]
    buddy = pairs.get(target)
    if buddy is not None:
        extra += [(buddy, role) for role in PARTNER_ROLES if role in roles.get(buddy, set())][:1]
    if department.role_model == "all_inclusive":
        extra += [
            (target, role) for role in sorted(roles.get(target, set())) if role != department.role
        ]
    for pid, role in extra:
        if role not in taken:
            upto = later.get((citizen, role))
            w.start(
                citizen, pid, role, reason, upto - timedelta(days=1) if upto is not None else None
            )


def _refuse_over_cap(
    conn: Connection, department: Department, w: _Writes, pairs: dict[int, int]
) -> None:
    """A role that moves with the planned one (a buddy's, or the other roles of an
    all-inclusive caseworker) may not push its new holder past their own cap in it; the
    planned role's caps are the plan's own."""
    weight = {c.id: c.weight for c in department.cases}
    caseworker_of = {buddy: ks for ks, buddy in pairs.items()}
    for (pid, role), citizens in sorted(w.arrivals.items()):
        if role == department.role:
            continue
        code, load, limit = load_and_cap(conn, pid, role, department.day)
        if limit is None:
            continue
        after = load + sum(weight.get(c, 1.0) for c in citizens)
        after -= sum(weight.get(c, 1.0) for c in w.departures.get((pid, role), []))
        if after > limit + TOLERANCE:
            ks = caseworker_of.get(pid)
            raise CannotPlace(
                Message(
                    "{staff}, the buddy of {caseworker}, would carry {load:g} as {role} "
                    "against a cap of {limit:g}; nothing was changed",
                    {
                        "staff": code,
                        "caseworker": department.codes.get(ks, code) if ks else code,
                        "load": after,
                        "limit": limit,
                        "role": word(role),
                    },
                )
            )


def _bump_versions(conn: Connection, department: Department, citizens: list[int]) -> None:
    """Every moved citizen's case version goes up, checked against the version read, so a
    case edited meanwhile refuses the whole write (optimistic concurrency)."""
    if not citizens:
        return
    c = s.citizen
    rows: list[dict[str, int]] = [
        {"cid": cid, "seen": department.versions.get(cid, 1)} for cid in citizens
    ]
    done = conn.execute(
        update(c)
        .where(c.c.id == bindparam("cid"), c.c.version == bindparam("seen"))
        .values(version=c.c.version + 1),
        rows,
    )
    changed = done.rowcount if conn.dialect.supports_sane_multi_rowcount else None
    if changed is None or changed < 0:
        # the driver cannot count an executemany: count what the bump reached instead
        changed = sum(
            1
            for row in rows
            if conn.execute(select(c.c.version).where(c.c.id == row["cid"])).scalar()
            == row["seen"] + 1
        )
    if changed != len(rows):
        raise Conflict(
            Message(
                "{n} citizen case(s) changed while the plan was made; nothing was "
                "changed: run it again",
                {"n": len(rows) - changed},
            )
        )


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
    conn.execute(
        insert(c).values(
            role=department.role,
            department_id=department.id,
            professional_id=None,
            cap=cap,
            start_date=department.day,
        )
    )
    return True
