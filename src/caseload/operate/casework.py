"""Changing one citizen's case by hand: a new contact, a handoff, a cover, a meeting.

Every edit runs in the caller's single transaction and is checked before anything is
written:

- the professional must be employed and hold the role on the day;
- their weighted load may not pass their effective cap;
- a handoff goes from the coordinating caseworker to a company consultant, and in a
  buddy-pair department to the caseworker's own partner (all inclusive: to the caseworker);
- a cover (illness, holiday) goes only to a professional already attached to the citizen
  (seed 004: roles are taken over only among those the citizen knows);
- a meeting may not be dated before the citizen's entry.

A rule may be overridden only with a recorded reason (``override``), stored on the row.
Optimistic concurrency: an edit may carry the citizen's ``version`` as the user saw it; if
someone else changed the case since, the edit is refused with ``Conflict`` and nothing is
written, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from caseload.domain import codes
from caseload.domain.caps import applicable_cap
from caseload.domain.rhythm import Contact, next_due
from caseload.operate.department import NotFound, on
from caseload.operate.rhythm import rule_for
from caseload.register.rules_in_force import all_caps, caseload_rule
from caseload.store import schema as s


class Refused(ValueError):
    """The change breaks a rule; say which, and how to override it if that is allowed."""


class Conflict(RuntimeError):
    """Someone else changed the citizen's case after this user read it."""


@dataclass(frozen=True)
class Changed:
    citizen: str
    version: int
    """The citizen's version after the edit (what the next edit should carry)."""
    ended: int
    started: int


def _citizen(conn: Connection, code: str) -> tuple[int, str | None, int]:
    c = s.citizen
    row = conn.execute(select(c.c.id, c.c.complexity, c.c.version).where(c.c.code == code)).first()
    if row is None:
        raise NotFound(f"no citizen {code!r} in the register")
    return int(row[0]), row[1], int(row[2])


def _professional(conn: Connection, code: str, role: str, day: date) -> tuple[int, int, str]:
    p, pr, d = s.professional, s.professional_role, s.department
    row = conn.execute(
        select(p.c.id, p.c.department_id, d.c.role_model)
        .join(d, d.c.id == p.c.department_id)
        .where(p.c.code == code)
    ).first()
    if row is None:
        raise NotFound(f"no professional {code!r} in the register")
    holds = conn.execute(
        select(pr.c.id).where(pr.c.professional_id == row[0], pr.c.role == role, on(pr, day))
    ).first()
    employed = conn.execute(select(p.c.id).where(p.c.id == row[0], on(p, day))).first()
    if employed is None:
        raise Refused(f"{code} is not employed on {day}")
    if holds is None:
        raise Refused(f"{code} does not hold the role {role} on {day}")
    return int(row[0]), int(row[1]), str(row[2])


def bump(conn: Connection, citizen: int, expected: int | None) -> int:
    """The citizen's next version; ``Conflict`` if it is no longer ``expected``."""
    c = s.citizen
    where = [c.c.id == citizen]
    if expected is not None:
        where.append(c.c.version == expected)
    done = conn.execute(update(c).where(*where).values(version=c.c.version + 1))
    if done.rowcount != 1:
        now = conn.execute(select(c.c.version).where(c.c.id == citizen)).scalar_one()
        raise Conflict(
            f"the case was changed by someone else (version {now}, you had {expected}); "
            "nothing was saved: reload it and make the change again"
        )
    return int(conn.execute(select(c.c.version).where(c.c.id == citizen)).scalar_one())


def _check_cap(conn: Connection, pid: int, department: int, role: str, day: date,
               weight: float, staff: str) -> str | None:
    """Why adding ``weight`` would break the professional's cap, or None."""
    p, d, r, c = s.professional, s.department, s.responsibility, s.citizen
    code, fte, started, dept = conn.execute(
        select(p.c.code, p.c.fte, p.c.start_date, d.c.code)
        .join(d, d.c.id == p.c.department_id).where(p.c.id == pid)
    ).one()
    cap = applicable_cap(all_caps(conn), role, dept, code, day)
    if cap is None:
        return None
    rule = caseload_rule(conn, department)
    held = conn.execute(
        select(c.c.complexity, func.count())
        .join(c, c.c.id == r.c.citizen_id)
        .where(r.c.professional_id == pid, r.c.role == role, on(r, day))
        .group_by(c.c.complexity)
    ).all()
    load = sum(rule.weight(tier) * n for tier, n in held)
    limit = rule.effective_cap(cap.cap, float(fte), started, day)
    if load + weight > limit + 1e-9:
        return (f"{staff} would carry {load + weight:g} against a cap of {limit:g} "
                f"({role}, {day})")
    return None


def change_contact(
    conn: Connection,
    citizen: str,
    role: str,
    staff: str,
    day: date,
    reason: str,
    until: date | None = None,
    override: str | None = None,
    version: int | None = None,
) -> Changed:
    """Make ``staff`` the citizen's professional in ``role`` from ``day`` (a cover: until
    ``until``, beside the absent colleague's own responsibility)."""
    if role not in codes.ROLES:
        raise Refused(f"unknown role {role!r}")
    if reason not in codes.RESPONSIBILITY_REASONS or reason == "intake":
        raise Refused(f"reason must be one of the change reasons, not {reason!r}")
    if until is not None and (reason != "cover" or until < day):
        raise Refused("only a cover has an end (until), on or after its first day")
    cid, complexity, _ = _citizen(conn, citizen)
    pid, department, model = _professional(conn, staff, role, day)
    r = s.responsibility
    open_rows = conn.execute(
        select(r.c.id, r.c.professional_id, r.c.role, r.c.start_date, r.c.reason)
        .where(r.c.citizen_id == cid, on(r, day))
    ).all()
    own = [row for row in open_rows if row.role == role and row.reason != "cover"]
    current = own[0] if own else None
    if current is not None and current.professional_id == pid:
        raise Refused(f"{staff} already holds {citizen} as {role}")
    attached = {row.professional_id for row in open_rows}
    broken = []
    if reason == "cover" and pid not in attached:
        broken.append(
            f"a cover goes only to a professional already attached to the citizen; "
            f"{staff} is not (seed 004)"
        )
    if reason == "handoff":
        broken.extend(_handoff_rules(conn, role, model, pid, open_rows, day, staff))
    rule = caseload_rule(conn, department)
    over = _check_cap(conn, pid, department, role, day, rule.weight(complexity), staff)
    if over:
        broken.append(over)
    if broken and not (override and override.strip()):
        raise Refused("; ".join(broken) + ". To go ahead anyway, give an override reason.")
    new_version = bump(conn, cid, version)
    ended = 0
    covered = None
    if reason == "cover":
        covered = current.professional_id if current is not None else None
    elif current is not None:
        if current.start_date >= day:
            # it began today: correct it rather than leave a period ending before it starts
            conn.execute(update(r).where(r.c.id == current.id).values(
                professional_id=pid, reason=reason,
                override_reason=override if broken else None))
            return Changed(citizen, new_version, 1, 1)
        conn.execute(update(r).where(r.c.id == current.id)
                     .values(end_date=day - timedelta(days=1)))
        ended = 1
    conn.execute(insert(r).values(
        citizen_id=cid, professional_id=pid, role=role, start_date=day, end_date=until,
        reason=reason, override_reason=override if broken else None,
        covers_professional_id=covered,
    ))
    return Changed(citizen, new_version, ended, 1)


def _handoff_rules(conn: Connection, role: str, model: str, pid: int,
                   open_rows: Sequence[Row[Any]], day: date, staff: str) -> list[str]:
    if role != "company_consultant":
        return ["a handoff goes to a company consultant (role company_consultant)"]
    caseworkers = [row.professional_id for row in open_rows
                   if row.role == "coordinating_caseworker" and row.reason != "cover"]
    if not caseworkers:
        return ["a handoff needs the citizen's coordinating caseworker to hand over"]
    ks = caseworkers[0]
    if model == "all_inclusive" and pid != ks:
        return [f"in an all-inclusive department the caseworker keeps every role; {staff} "
                "is not the citizen's caseworker"]
    if model == "buddy_pair":
        b = s.buddy_pair
        partner = conn.execute(
            select(b.c.partner_id).where(b.c.caseworker_id == ks, on(b, day))
        ).scalar()
        if partner != pid:
            return [f"in a buddy-pair department the handoff goes to the caseworker's partner; "
                    f"{staff} is not"]
    return []


def record_meeting(
    conn: Connection,
    citizen: str,
    code: str,
    kind: str,
    status: str,
    day: date,
    staff: str | None = None,
    minutes: int | None = None,
    place: str | None = None,
    absence_accepted: bool = False,
    version: int | None = None,
) -> Changed:
    """A meeting held, planned or missed on ``day``; a job meeting's due date is the one the
    rhythm gave on that day. Refused before the citizen's entry."""
    if kind not in codes.MEETING_KINDS or status not in codes.MEETING_STATUSES:
        raise Refused(f"unknown meeting kind or status: {kind!r}, {status!r}")
    if absence_accepted and status not in codes.MISSED_STATUSES:
        raise Refused("only a cancelled or missed meeting can have its absence accepted")
    cid, _, _ = _citizen(conn, citizen)
    r, m = s.responsibility, s.meeting
    starts = conn.execute(
        select(r.c.start_date, r.c.reason).where(r.c.citizen_id == cid)
    ).all()
    if not starts or day < min(row[0] for row in starts):
        raise Refused(f"a meeting on {day} comes before the citizen's entry onto a caseload")
    pid = None
    if staff is not None:
        found = conn.execute(
            select(s.professional.c.id).where(s.professional.c.code == staff)
        ).scalar()
        if found is None:
            raise NotFound(f"no professional {staff!r} in the register")
        pid = int(found)
    due = None
    if kind == "job_meeting":
        intakes = [row[0] for row in starts if row[1] == "intake" and row[0] <= day]
        entry = max(intakes) if intakes else min(row[0] for row in starts)
        rows = conn.execute(
            select(m.c.status, m.c.held_date, m.c.scheduled_date, m.c.due_date,
                   m.c.absence_accepted)
            .where(m.c.citizen_id == cid, m.c.kind == "job_meeting", m.c.status != "planned")
        ).all()
        history = [Contact(st, held if st == "held" else (sched or dd), bool(acc))
                   for st, held, sched, dd, acc in rows if (held or sched or dd)]
        before = [h for h in history if h.day < day]
        due = next_due(entry, before, day, rule_for(conn, cid)).due
    new_version = bump(conn, cid, version)
    conn.execute(insert(m).values(
        code=code, citizen_id=cid, professional_id=pid, kind=kind, due_date=due,
        scheduled_date=day, held_date=day if status == "held" else None,
        duration_minutes=minutes, place=place, status=status,
        absence_accepted=absence_accepted,
    ))
    return Changed(citizen, new_version, 0, 1)
