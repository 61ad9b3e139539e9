"""Stored allocation plans: a dry run kept with a fingerprint, applied later as it was shown.

``propose`` makes a rebalance or an assignment without writing it, and stores it in
``allocation_plan`` under a code (``P0000001``) with its settings, the plan (its summary and
the moves in ids) and the fingerprint of the rows it was made from (``operate.fingerprint``).
``apply_plan`` writes exactly the stored moves, but only while the register still holds what
the plan was made from: it takes the locks a rebalance or assignment takes before writing
(``department.read(lock=True)``: the department's professionals in id order), computes the
fingerprint again under them and refuses with ``Conflict`` when it differs, or when the plan
was applied already; nothing is written then. The plan's own row is claimed first (an
``UPDATE … WHERE applied_at IS NULL``), so of two users applying one plan at once exactly
one writes it; no other writer locks plan rows, so the professionals' lock order holds.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import Connection, select, update

from caseload.domain import codes
from caseload.i18n import Message
from caseload.operate import allocation, changes, department
from caseload.operate.allocation import Allocation
from caseload.operate.department import Department
from caseload.operate.fingerprint import canonical, fingerprint
from caseload.operate.optimise import Move, Plan, Preferences
from caseload.operate.refusals import Conflict, NotFound, Refused, shown_id
from caseload.store import schema as s

__all__ = ["Applied", "Proposal", "StoredPlan", "apply_plan", "propose", "stored"]

CODE_PREFIX = "P"
CODE_WIDTH = 7


@dataclass(frozen=True)
class Proposal:
    """A plan made and stored, not written."""

    code: str
    fingerprint: str
    allocation: Allocation
    summary: dict[str, Any]


@dataclass(frozen=True)
class StoredPlan:
    code: str
    kind: str
    department: str
    day: date
    settings: dict[str, Any]
    """role, cap, include_new, prefer (the cost points, or None for the defaults)."""
    summary: dict[str, Any]
    """``Allocation.summary()`` when the plan was made."""
    moves: list[dict[str, Any]]
    """citizen (id), code, from / to (professional ids), reason."""
    unplaced: list[int]
    fingerprint: str
    created_at: datetime
    created_by: str | None
    applied_at: datetime | None
    applied_by: str | None

    @property
    def applied(self) -> bool:
        return self.applied_at is not None


@dataclass(frozen=True)
class Applied:
    code: str
    department: str
    day: date
    moves: int
    """Citizens moved (or given a contact)."""
    written: changes.Written
    applied_at: datetime
    applied_by: str | None
    citizens: tuple[str, ...] = ()
    """The codes of the citizens moved (for the audit trail: a write of each one's case)."""


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def propose(
    conn: Connection,
    kind: str,
    department_code: str,
    day: date,
    role: str = "coordinating_caseworker",
    cap: int | None = None,
    include_new: bool = False,
    prefer: Preferences | None = None,
    by: str | None = None,
    now: datetime | None = None,
) -> Proposal:
    """Make a ``rebalance`` or ``assign`` plan of the department on ``day`` (as the dry run
    does), store it with its fingerprint, and return its code. The fingerprint is taken
    before and after the plan is made: a department changed meanwhile (another user's
    write committed between the reads, on PostgreSQL) is refused with ``Conflict``."""
    if kind not in codes.PLAN_KINDS:
        raise Refused(
            Message(
                "unknown plan kind {kind}; one of: {allowed}",
                {"kind": shown_id(kind), "allowed": ", ".join(codes.PLAN_KINDS)},
            )
        )
    if kind == "assign" and cap is not None:
        raise Refused(Message("an assignment keeps the caps in force; a new cap is a rebalance"))
    before = fingerprint(
        conn, department.read(conn, department_code, day, role, cap), kind, include_new
    )
    made = _allocate(conn, kind, department_code, day, role, cap, include_new, prefer, False)
    after = fingerprint(conn, made.department, kind, include_new)
    if before != after:
        raise Conflict(
            Message(
                "the department {department} changed while the plan was made; nothing was "
                "stored: make the plan again",
                {"department": made.department.code},
            )
        )
    summary = made.summary()
    settings = {
        "department": made.department.code,
        "role": role,
        "cap": cap,
        "include_new": include_new,
        "prefer": asdict(prefer) if prefer is not None else None,
    }
    body = {
        "summary": summary,
        "moves": [
            {
                "citizen": m.citizen,
                "code": m.code,
                "from": m.origin,
                "to": m.target,
                "reason": m.reason,
            }
            for m in made.plan.moves
        ],
        "unplaced": made.plan.unplaced,
        "record_cap": _new_cap(kind, cap, made.department),
    }
    code = _store(conn, kind, made.department, settings, body, after, by, now or _utc_now())
    return Proposal(code, after, made, summary)


def _allocate(
    conn: Connection,
    kind: str,
    code: str,
    day: date,
    role: str,
    cap: int | None,
    include_new: bool,
    prefer: Preferences | None,
    write: bool,
) -> Allocation:
    if kind == "rebalance":
        return allocation.rebalance(conn, code, day, role, cap, prefer, write=write)
    return allocation.assign(conn, code, day, role, include_new, prefer, write=write)


def _new_cap(kind: str, cap: int | None, d: Department) -> int | None:
    """The cap a rebalance records with its moves (as ``rebalance(write=True)`` does)."""
    if kind == "rebalance" and cap is not None and cap != d.cap_in_force:
        return cap
    return None


def _store(
    conn: Connection,
    kind: str,
    d: Department,
    settings: dict[str, Any],
    body: dict[str, Any],
    digest: str,
    by: str | None,
    at: datetime,
) -> str:
    """Insert the plan under a placeholder code, then name it by its row id: unique however
    many users store plans at once, without a retry."""
    p = s.allocation_plan
    placeholder = uuid4().hex
    key = conn.execute(
        p.insert().values(
            code=placeholder,
            kind=kind,
            department_id=d.id,
            as_of=d.day,
            settings=canonical(settings).decode("utf-8"),
            plan=canonical(body).decode("utf-8"),
            fingerprint=digest,
            created_at=at,
            created_by=by,
        )
    ).inserted_primary_key
    assert key is not None
    code = f"{CODE_PREFIX}{int(key[0]):0{CODE_WIDTH}d}"
    conn.execute(update(p).where(p.c.id == int(key[0])).values(code=code))
    return code


def stored(conn: Connection, code: str) -> StoredPlan:
    """The plan stored under ``code`` (``NotFound`` when there is none)."""
    p, d = s.allocation_plan, s.department
    row = conn.execute(
        select(
            p.c.code,
            p.c.kind,
            d.c.code,
            p.c.as_of,
            p.c.settings,
            p.c.plan,
            p.c.fingerprint,
            p.c.created_at,
            p.c.created_by,
            p.c.applied_at,
            p.c.applied_by,
        )
        .join(d, d.c.id == p.c.department_id)
        .where(p.c.code == code)
    ).first()
    if row is None:
        raise NotFound(Message("no plan {code} in the register", {"code": shown_id(code)}))
    body = json.loads(row[5])
    return StoredPlan(
        str(row[0]),
        str(row[1]),
        str(row[2]),
        row[3],
        json.loads(row[4]),
        body["summary"],
        list(body["moves"]),
        [int(c) for c in body["unplaced"]],
        str(row[6]),
        row[7],
        row[8],
        row[9],
        row[10],
    )


def apply_plan(
    conn: Connection, code: str, by: str | None = None, now: datetime | None = None
) -> Applied:
    """Write the plan stored under ``code``, in the caller's transaction: refused
    (``Conflict``) when it was applied already or the department changed since it was made,
    (``CannotPlace``) when it leaves citizens unplaced or a buddy past their cap, and
    (``Conflict``) when a moved citizen's case changed under the write; nothing is written
    then (the caller's transaction rolls back)."""
    plan = stored(conn, code)
    if plan.applied:
        raise Conflict(_applied_already(plan))
    at = now or _utc_now()
    p = s.allocation_plan
    claimed = conn.execute(
        update(p)
        .where(p.c.code == plan.code, p.c.applied_at.is_(None))
        .values(applied_at=at, applied_by=by)
    ).rowcount
    if claimed != 1:  # another user applied it while this one waited for the row
        raise Conflict(_applied_already(stored(conn, code)))
    settings = plan.settings
    role, include_new = str(settings["role"]), bool(settings["include_new"])
    cap = settings["cap"] if plan.kind == "rebalance" else None
    d = department.read(conn, plan.department, plan.day, role, cap, lock=True)
    if fingerprint(conn, d, plan.kind, include_new) != plan.fingerprint:
        raise Conflict(
            Message(
                "the department {department} changed since plan {code} was made (its staff, "
                "roles, absences, caps, caseload rules or responsibilities); nothing was "
                "changed: make a new plan",
                {"department": plan.department, "code": plan.code},
            )
        )
    moves = [
        Move(
            int(m["citizen"]),
            str(m["code"]),
            None if m["from"] is None else int(m["from"]),
            int(m["to"]),
            str(m["reason"]),
        )
        for m in plan.moves
    ]
    holder: dict[int, int | None] = {m.citizen: m.target for m in moves}
    holder.update({citizen: None for citizen in plan.unplaced})
    written_plan = Plan(holder, moves)
    allocation.refuse_unplaced(written_plan, d)
    written = changes.apply(conn, d, written_plan, record_cap=_new_cap(plan.kind, cap, d))
    return Applied(
        plan.code,
        plan.department,
        plan.day,
        len(moves),
        written,
        at,
        by,
        tuple(m.code for m in moves),
    )


def _applied_already(plan: StoredPlan) -> Message:
    when = plan.applied_at.date() if plan.applied_at is not None else plan.day
    return Message(
        "plan {code} was applied already on {day}; nothing was changed",
        {"code": plan.code, "day": when},
    )
