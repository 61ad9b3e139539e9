"""Changing one citizen's case by hand: a new contact, a handoff, a cover (meetings:
``operate.meetings``).

Every edit runs in the caller's single transaction and is checked before anything is
written:

- the professional must be employed and hold the role on the day;
- their weighted load may not pass their effective cap;
- a handoff goes from the coordinating caseworker to a company consultant, and in a
  buddy-pair department to the caseworker's own partner (all inclusive: to the caseworker);
- a takeover during absence (a cover for illness or holiday, with its last day, or a
  permanent takeover because of leave) goes only to a professional already attached to
  the citizen (seed 004: roles are taken over only among those the citizen knows);
- changes are recorded in date order: none dated before a later one already recorded in
  the role, and no two covers of the same role at once (no overlapping responsibilities).

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

from sqlalchemy import Connection, Row, delete, func, insert, or_, select, update

from caseload.domain import codes
from caseload.domain.labels import word
from caseload.domain.load import TOLERANCE
from caseload.i18n import Message
from caseload.operate.department import load_and_cap, on
from caseload.operate.refusals import Conflict, NotFound, Refused, refuse_cpr, shown_id
from caseload.register.lookup import crosses, trial_arms, trial_department
from caseload.register.rules_in_force import caseload_rule
from caseload.store import schema as s
from caseload.store.locks import lock_professionals

__all__ = ["Changed", "Conflict", "NotFound", "Refused", "change_contact"]

TAKEOVERS = ("cover", "staff_leave")
"""Reasons that take a citizen over because their professional is away (seed 004)."""

Reason = Message


@dataclass(frozen=True)
class Changed:
    citizen: str
    version: int
    """The citizen's version after the edit (what the next edit should carry)."""
    ended: int
    started: int


def _citizen(conn: Connection, code: str) -> tuple[int, str | None, int]:
    """The citizen's id, complexity and case version, the row locked until the transaction
    ends (PostgreSQL: two edits of one case take turns and the second sees the first; SQLite
    writers take the database lock at BEGIN)."""
    c = s.citizen
    row = conn.execute(
        select(c.c.id, c.c.complexity, c.c.version).where(c.c.code == code).with_for_update()
    ).first()
    if row is None:
        raise NotFound(Message("no citizen {code} in the register", {"code": shown_id(code)}))
    return int(row[0]), row[1], int(row[2])


def _professional(conn: Connection, code: str, role: str, day: date) -> tuple[int, int, str]:
    p, pr, d = s.professional, s.professional_role, s.department
    row = conn.execute(
        select(p.c.id, p.c.department_id, d.c.role_model)
        .join(d, d.c.id == p.c.department_id)
        .where(p.c.code == code)
    ).first()
    if row is None:
        raise NotFound(Message("no professional {code} in the register", {"code": shown_id(code)}))
    holds = conn.execute(
        select(pr.c.id).where(pr.c.professional_id == row[0], pr.c.role == role, on(pr, day))
    ).first()
    employed = conn.execute(select(p.c.id).where(p.c.id == row[0], on(p, day))).first()
    if employed is None:
        raise Refused(Message("{staff} is not employed on {day}", {"staff": code, "day": day}))
    if holds is None:
        raise Refused(
            Message(
                "{staff} does not hold the role {role} on {day}",
                {"staff": code, "role": word(role), "day": day},
            )
        )
    return int(row[0]), int(row[1]), str(row[2])


def bump(conn: Connection, citizen: int, expected: int | None) -> int:
    """The citizen's next version; ``Conflict`` if it is no longer ``expected``."""
    c = s.citizen
    where = [c.c.id == citizen]
    if expected is not None:
        where.append(c.c.version == expected)
    # RETURNING: the new version comes with the update (PostgreSQL; SQLite since 3.35)
    done = conn.execute(
        update(c).where(*where).values(version=c.c.version + 1).returning(c.c.version)
    ).first()
    if done is None:
        now = conn.execute(select(c.c.version).where(c.c.id == citizen)).scalar_one()
        raise Conflict(
            Message(
                "the case was changed by someone else (version {now}, you had "
                "{expected}); nothing was saved: reload it and make the change again",
                {"now": now, "expected": expected},
            )
        )
    return int(done[0])


def _check_cap(
    conn: Connection, pid: int, role: str, day: date, weight: float, staff: str
) -> Reason | None:
    """Why adding ``weight`` would break the professional's cap, or None."""
    _, load, limit = load_and_cap(conn, pid, role, day)
    if limit is not None and load + weight > limit + TOLERANCE:
        return Message(
            "{staff} would carry {load:g} against a cap of {limit:g} ({role}, {day})",
            {"staff": staff, "load": load + weight, "limit": limit, "role": word(role), "day": day},
        )
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
    _refuse_request(role, reason, day, until)
    pid, department, model = _professional(conn, staff, role, day)
    # the cap is judged under locks on the professionals, taken before the citizen's row
    lock_professionals(conn, [pid, *_holders(conn, citizen, day)])
    cid, complexity, _ = _citizen(conn, citizen)
    r = s.responsibility
    open_rows = conn.execute(
        select(
            r.c.id, r.c.professional_id, r.c.role, r.c.start_date, r.c.end_date, r.c.reason
        ).where(r.c.citizen_id == cid, on(r, day))
    ).all()
    own = [row for row in open_rows if row.role == role and row.reason != "cover"]
    current = own[0] if own else None
    _refuse_against_holder(current, pid, citizen, role, staff, day, reason)
    _refuse_overlap(conn, cid, citizen, role, day, until, reason)
    broken = _broken_rules(
        conn, open_rows, pid, role, model, staff, day, reason, complexity, department
    )
    broken.extend(_contamination(conn, cid, citizen, department, staff, day))
    if broken and not (override and override.strip()):
        raise Refused.of([*broken, Message("to go ahead anyway, give an override reason")])
    refuse_cpr(override if broken else None, "--override")
    new_version = bump(conn, cid, version)
    stored_override = override if broken else None
    ended, started = _write_change(
        conn, cid, role, pid, day, until, reason, current, stored_override
    )
    return Changed(citizen, new_version, ended, started)


def _holders(conn: Connection, citizen: str, day: date) -> list[int]:
    """The professionals holding the citizen on ``day`` (read before any lock is taken)."""
    r, c = s.responsibility, s.citizen
    return [
        int(pid)
        for pid in conn.execute(
            select(r.c.professional_id)
            .join(c, c.c.id == r.c.citizen_id)
            .where(c.c.code == citizen, on(r, day))
        ).scalars()
    ]


def _refuse_request(role: str, reason: str, day: date, until: date | None) -> None:
    """Refuse a change that no case could allow: an unknown role or reason, an end on
    anything but a cover, a cover without one."""
    if role not in codes.ROLES:
        raise Refused(Message("unknown role {role!r}", {"role": role}))
    if reason not in codes.RESPONSIBILITY_REASONS or reason == "intake":
        raise Refused(
            Message("reason must be one of the change reasons, not {reason!r}", {"reason": reason})
        )
    if until is not None and (reason != "cover" or until < day):
        raise Refused(Message("only a cover has an end (until), on or after its first day"))
    if reason == "cover" and until is None:
        raise Refused(Message("a cover has an end: give its last day (until)"))


def _refuse_against_holder(
    current: Row[Any] | None,
    pid: int,
    citizen: str,
    role: str,
    staff: str,
    day: date,
    reason: str,
) -> None:
    """Refuse a change to the one who already holds the citizen, and a cover with nobody
    to stand in for or starting the day the responsibility it covers began."""
    if current is not None and current.professional_id == pid:
        raise Refused(
            Message(
                "{staff} already holds {citizen} as {role}",
                {"staff": staff, "citizen": citizen, "role": word(role)},
            )
        )
    if reason == "cover" and current is None:
        raise Refused(
            Message(
                "a cover stands in for the citizen's professional in {role}, and "
                "{citizen} has none on {day}",
                {"citizen": citizen, "role": word(role), "day": day},
            )
        )
    if reason == "cover" and current is not None and current.start_date >= day:
        # (citizen, role, first day) is a responsibility's key: a cover starts a day later
        raise Refused(
            Message(
                "a cover starts at the earliest the day after the responsibility it "
                "covers began ({start})",
                {"start": current.start_date},
            )
        )


def _broken_rules(
    conn: Connection,
    open_rows: Sequence[Row[Any]],
    pid: int,
    role: str,
    model: str,
    staff: str,
    day: date,
    reason: str,
    complexity: str | None,
    department: int,
) -> list[Reason]:
    """The rules the change would break that an override may set aside: a takeover by
    someone not attached, the role model's handoff rules, the cap."""
    attached = {row.professional_id for row in open_rows}
    broken: list[Reason] = []
    if reason in TAKEOVERS and pid not in attached:
        broken.append(
            Message(
                "a takeover during absence goes only to a professional already "
                "attached to the citizen; {staff} is not (seed 004)",
                {"staff": staff},
            )
        )
    if reason == "handoff":
        broken.extend(_handoff_rules(conn, role, model, pid, open_rows, day, staff))
    rule = caseload_rule(conn, department)
    # a colleague covering the citizen already carries them: taking over adds nothing
    covering = any(
        row.role == role and row.reason == "cover" and row.professional_id == pid
        for row in open_rows
    )
    weight = 0.0 if covering and reason != "cover" else rule.weight(complexity)
    over = _check_cap(conn, pid, role, day, weight, staff)
    if over:
        broken.append(over)
    return broken


def _contamination(
    conn: Connection, cid: int, citizen: str, department: int, staff: str, day: date
) -> list[Reason]:
    """While a trial runs, a citizen randomised to control goes to no professional of a
    department marked as the trial's, and one in the trial arm to none outside such a
    department: either would blur the difference the trial measures (a crossover)."""
    arm = trial_arms(conn, day, [cid]).get(cid)
    if arm is None:
        return []
    code, marked = trial_department(conn, department)
    if not crosses(arm.arm, marked):
        return []
    params = {"citizen": citizen, "trial": arm.trial, "staff": staff, "department": code}
    if arm.arm == "control":
        return [
            Message(
                "{citizen} was randomised to the control arm of trial {trial}, and {staff} "
                "works in {department}, a trial department: while the trial runs, control "
                "citizens stay outside its departments (a crossover)",
                params,
            )
        ]
    return [
        Message(
            "{citizen} was randomised to the trial arm of trial {trial}, and {staff} works "
            "in {department}, not a trial department: while the trial runs, trial citizens "
            "stay with its departments (a crossover)",
            params,
        )
    ]


def _write_change(
    conn: Connection,
    cid: int,
    role: str,
    pid: int,
    day: date,
    until: date | None,
    reason: str,
    current: Row[Any] | None,
    stored_override: str | None,
) -> tuple[int, int]:
    """Write the change: end (or, the same day, correct) the current responsibility and
    start the new one. Returns (responsibilities ended, started)."""
    r = s.responsibility
    ended = 0
    covered = None
    last = until
    if reason == "cover":
        covered = current.professional_id if current is not None else None
    elif current is not None:
        # whoever covered for the one who lets go stops: that colleague no longer holds the
        # citizen (a takeover by the colleague covering turns the cover into the real thing)
        ended = _end_covers(conn, cid, role, current.professional_id, day)
        if current.start_date >= day:
            # it began today: a correction of who took the citizen on, not a second change,
            # so the row keeps the reason it started with (an intake stays the entry)
            conn.execute(
                update(r)
                .where(r.c.id == current.id)
                .values(professional_id=pid, override_reason=stored_override)
            )
            return ended, 0
        conn.execute(update(r).where(r.c.id == current.id).values(end_date=day - timedelta(days=1)))
        ended += 1
        last = current.end_date  # a stretch that ends (the citizen leaves) still ends
    conn.execute(
        insert(r).values(
            citizen_id=cid,
            professional_id=pid,
            role=role,
            start_date=day,
            end_date=last,
            reason=reason,
            override_reason=stored_override,
            covers_professional_id=covered,
        )
    )
    return ended, 1


def _end_covers(conn: Connection, cid: int, role: str, covered: int, day: date) -> int:
    """End the covers of ``covered`` for the citizen in ``role`` the day before ``day``;
    one that would begin on or after ``day`` never ran and is removed."""
    r = s.responsibility
    covers = conn.execute(
        select(r.c.id, r.c.start_date).where(
            r.c.citizen_id == cid,
            r.c.role == role,
            r.c.reason == "cover",
            r.c.covers_professional_id == covered,
            or_(r.c.end_date.is_(None), r.c.end_date >= day),
        )
    ).all()
    for rid, start in covers:
        if start >= day:
            conn.execute(delete(r).where(r.c.id == rid))
        else:
            conn.execute(update(r).where(r.c.id == rid).values(end_date=day - timedelta(days=1)))
    return len(covers)


def _refuse_overlap(
    conn: Connection, cid: int, citizen: str, role: str, day: date, until: date | None, reason: str
) -> None:
    """No change dated before a later one already recorded in the role, and no second cover
    at the same time: either would leave two responsibilities in one role at once."""
    r = s.responsibility
    if reason == "cover":
        clash = conn.execute(
            select(r.c.start_date, r.c.end_date).where(
                r.c.citizen_id == cid,
                r.c.role == role,
                r.c.reason == "cover",
                r.c.start_date <= until,
                or_(r.c.end_date.is_(None), r.c.end_date >= day),
            )
        ).first()
        if clash is not None:
            raise Refused(
                Message(
                    "{citizen} already has a cover in the role from {start} to {end}",
                    {"citizen": citizen, "start": clash[0], "end": clash[1]},
                )
            )
        return
    later = conn.execute(
        select(func.max(r.c.start_date)).where(
            r.c.citizen_id == cid, r.c.role == role, r.c.reason != "cover", r.c.start_date > day
        )
    ).scalar()
    if later is not None:
        raise Refused(
            Message(
                "{citizen} already has a change in {role} from {start}: record "
                "changes in date order",
                {"citizen": citizen, "start": later, "role": word(role)},
            )
        )


def _handoff_rules(
    conn: Connection,
    role: str,
    model: str,
    pid: int,
    open_rows: Sequence[Row[Any]],
    day: date,
    staff: str,
) -> list[Reason]:
    if role != "company_consultant":
        return [Message("a handoff goes to a company consultant (role company_consultant)")]
    caseworkers = [
        row.professional_id
        for row in open_rows
        if row.role == "coordinating_caseworker" and row.reason != "cover"
    ]
    if not caseworkers:
        return [Message("a handoff needs the citizen's coordinating caseworker to hand over")]
    ks = caseworkers[0]
    if model == "all_inclusive" and pid != ks:
        return [
            Message(
                "in an all-inclusive department the caseworker keeps every role; "
                "{staff} is not the citizen's caseworker",
                {"staff": staff},
            )
        ]
    if model == "buddy_pair":
        b = s.buddy_pair
        partner = conn.execute(
            select(b.c.partner_id).where(b.c.caseworker_id == ks, on(b, day))
        ).scalar()
        if partner != pid:
            return [
                Message(
                    "in a buddy-pair department the handoff goes to the caseworker's "
                    "partner; {staff} is not",
                    {"staff": staff},
                )
            ]
    return []
