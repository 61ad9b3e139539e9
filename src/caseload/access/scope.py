"""Each account's part of the register on a day: a query for the caller's own citizens
(not a department computed and then filtered). A caseworker's are the citizens they hold
a responsibility for on the day, a cover during a colleague's absence included; a leader's
are those held by professionals of their department(s)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, and_, false, or_, select

from caseload.access.principal import Principal
from caseload.access.rules import CASEWORKER, LEADER
from caseload.store import schema as s


def _open_on(day: date) -> Any:
    r = s.responsibility
    return and_(r.c.start_date <= day, or_(r.c.end_date.is_(None), r.c.end_date >= day))


def responsibilities(principal: Principal, day: date) -> Select[Any]:
    """(citizen_id, role, professional_id) of every responsibility in scope on ``day``;
    nothing for analysts and admins (they read no cases)."""
    r, p = s.responsibility, s.professional
    query = select(r.c.citizen_id, r.c.role, r.c.professional_id).where(_open_on(day))
    account = principal.account
    if principal.role == CASEWORKER and account.professional_id is not None:
        return query.where(r.c.professional_id == account.professional_id)
    if principal.role == LEADER and account.department_ids:
        return query.join(p, p.c.id == r.c.professional_id).where(
            p.c.department_id.in_(account.department_ids)
        )
    return query.where(false())


def citizen_ids(principal: Principal, day: date) -> Select[Any]:
    """The ids of the citizens in scope on ``day`` (a subquery for a face's query)."""
    return select(responsibilities(principal, day).subquery().c.citizen_id).distinct()


def citizen(conn: Connection, principal: Principal, code: str, day: date) -> int | None:
    """The citizen's id when they are in scope on ``day``; None otherwise (unknown or not
    the caller's: the two are not told apart)."""
    c = s.citizen
    mine = responsibilities(principal, day).subquery()
    row = conn.execute(
        select(c.c.id).join(mine, mine.c.citizen_id == c.c.id).where(c.c.code == code).limit(1)
    ).first()
    return int(row.id) if row else None


def department(conn: Connection, principal: Principal, code: str) -> int | None:
    """The department's id when the caller may read it (a leader's own or listed; an
    analyst's: any); None otherwise."""
    d = s.department
    row = conn.execute(select(d.c.id).where(d.c.code == code)).first()
    if row is None:
        return None
    if principal.role == LEADER:
        return int(row.id) if int(row.id) in principal.account.department_ids else None
    return int(row.id)


def staff(conn: Connection, principal: Principal, code: str) -> int | None:
    """A professional whose sheet the caller may read: a caseworker their own, a leader
    any in their departments."""
    p = s.professional
    row = conn.execute(select(p.c.id, p.c.department_id).where(p.c.code == code)).first()
    if row is None:
        return None
    account = principal.account
    if principal.role == CASEWORKER:
        return int(row.id) if row.id == account.professional_id else None
    if principal.role == LEADER:
        return int(row.id) if int(row.department_id) in account.department_ids else None
    return None


def review_groups(
    conn: Connection, principal: Principal, stratify_by: str
) -> frozenset[str] | None:
    """The groups of a case review the caller may read the results of: a leader the
    departments they lead, or those departments' professionals, when the review is drawn
    by department or by caseworker; None (every group) for an analyst and for a review by
    arm (the trial's arms span departments)."""
    if principal.role != LEADER or stratify_by not in ("department", "caseworker"):
        return None
    ids = list(principal.account.department_ids)
    if stratify_by == "department":
        d = s.department
        return frozenset(
            str(c) for c in conn.execute(select(d.c.code).where(d.c.id.in_(ids))).scalars()
        )
    p = s.professional
    return frozenset(
        str(c) for c in conn.execute(select(p.c.code).where(p.c.department_id.in_(ids))).scalars()
    )
