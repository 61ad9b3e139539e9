"""A caseload as a working list: the citizens in someone's scope on a day, each with the
roles held, the next job meeting due, overdue or due soon, and the outreach flag — sorted
by the due date, filtered and paged in the database (one query for the page, one count)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Select, func, select

from caseload.operate.rhythm import due_dates
from caseload.store import schema as s

SOON_DAYS = 14
STATES = ("overdue", "due_soon", "outreach")
"""Filters: overdue on the day, due within ``SOON_DAYS`` (overdue included), outreach."""


@dataclass(frozen=True)
class Entry:
    citizen: str
    roles: tuple[str, ...]
    """The roles held for this citizen by the scope's professionals on the day."""
    primary_contact: str | None
    due: date | None
    overdue: bool
    due_soon: bool
    last_held: date | None
    planned: date | None
    missed_by_citizen: int
    outreach: bool


@dataclass(frozen=True)
class Worklist:
    day: date
    entries: tuple[Entry, ...]
    total: int
    """How many match the filter in all (the entries are one page of them)."""


def worklist(
    conn: Connection,
    day: date,
    scope: Select[Any],
    state: str | None = None,
    role: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Worklist:
    """One page of the citizens of ``scope`` (a query of (citizen_id, role, professional_id)
    responsibilities: ``access.scope.responsibilities``) on a caseload on ``day``."""
    mine = scope.subquery("mine")
    ids = select(mine.c.citizen_id)
    if role is not None:
        ids = ids.where(mine.c.role == role)
    due = due_dates(conn, day, within=ids).subquery("due")
    soon = day + timedelta(days=SOON_DAYS)
    where: list[Any] = []
    if state == "overdue":
        where.append(due.c.due < day)
    elif state == "due_soon":
        where.append(due.c.due <= soon)
    elif state == "outreach":
        where.append(due.c.outreach)
    c, p = s.citizen, s.professional
    rows = conn.execute(
        select(
            due.c.citizen_id,
            c.c.code,
            p.c.code.label("contact"),
            due.c.due,
            due.c.last_held,
            due.c.planned,
            due.c.missed_by_citizen,
            due.c.outreach,
            # the count of every match beside the page: the due dates are computed once
            func.count().over().label("total"),
        )
        .join(c, c.c.id == due.c.citizen_id)
        .outerjoin(p, p.c.id == due.c.professional_id)
        .where(*where)
        .order_by(due.c.due.is_(None), due.c.due, c.c.code)
        .offset(offset)
        .limit(limit)
    ).all()
    if rows:
        total = int(rows[0].total)
    else:  # a page past the end: count alone
        total = conn.execute(select(func.count()).select_from(due).where(*where)).scalar_one()
    held: dict[int, set[str]] = defaultdict(set)
    page = [int(r.citizen_id) for r in rows]
    if page:
        for cid, held_role in conn.execute(
            select(mine.c.citizen_id, mine.c.role).where(mine.c.citizen_id.in_(page))
        ):
            held[int(cid)].add(str(held_role))
    entries = tuple(_entry(r, sorted(held[int(r.citizen_id)]), day, soon) for r in rows)
    return Worklist(day, entries, int(total))


def _entry(r: Any, roles: list[str], day: date, soon: date) -> Entry:
    due = _day(r.due)
    return Entry(
        citizen=r.code,
        roles=tuple(roles),
        primary_contact=r.contact,
        due=due,
        overdue=due is not None and due < day,
        due_soon=due is not None and due <= soon,
        last_held=_day(r.last_held),
        planned=_day(r.planned),
        missed_by_citizen=int(r.missed_by_citizen or 0),
        outreach=bool(r.outreach),
    )


def _day(value: date | str | None) -> date | None:
    """SQLite returns computed dates as text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
