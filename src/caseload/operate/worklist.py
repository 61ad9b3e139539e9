"""A caseload as a working list: the citizens in someone's scope on a day, each with the
roles held, the next job meeting due, overdue or due soon, the outreach flag, open medical
requests, progress reports waiting for action and a passive period (no course or placement
running) — sorted, filtered and paged in the database (one statement for the page and its
count)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Integer,
    Select,
    bindparam,
    exists,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.sql.elements import BindParameter

from caseload.operate.rhythm import due_dates
from caseload.store import schema as s

SOON_DAYS = 14
STATES = ("overdue", "due_soon", "outreach", "medical", "reports", "passive")
"""Filters: overdue on the day, due within ``SOON_DAYS`` (overdue included), outreach, an
open medical request, a progress report waiting for action, a passive period."""
SORTS = ("due", "citizen", "last_held", "planned")
"""Orders: the due date (the earliest first), the citizen's id, the last meeting held (the
longest ago first, never held before all) and the meeting planned (the earliest first)."""


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
    medical_open: int = 0
    """Medical requests sent by the day and not yet followed up (answered or not)."""
    reports_waiting: int = 0
    """Progress reports received by the day and not yet acted on."""
    passive: bool = False
    """No supplier course and no company placement running on the day."""


@dataclass(frozen=True)
class Worklist:
    day: date
    entries: tuple[Entry, ...]
    total: int
    """How many match the filter in all (the entries are one page of them)."""


CACHED_SCOPE = 10_000
"""Scopes up to this many citizens are passed to the cached statement as a list of ids;
larger ones (a leader of many departments) as a subquery in a statement built per call."""


def worklist(
    conn: Connection,
    day: date,
    scope: Select[Any],
    state: str | None = None,
    role: str | None = None,
    offset: int = 0,
    limit: int = 50,
    sort: str = "due",
) -> Worklist:
    """One page of the citizens of ``scope`` (a query of (citizen_id, role, professional_id)
    responsibilities: ``access.scope.responsibilities``) on a caseload on ``day``.

    The scope's responsibilities are read first (a short query); the page is then one
    statement built once per database and filter and kept, run with the day and the ids as
    parameters: building and hashing the due-date statement costs more than running it."""
    mine = scope.subquery("mine")
    query = select(mine.c.citizen_id, mine.c.role)
    if role is not None:
        query = query.where(mine.c.role == role)
    held: dict[int, set[str]] = defaultdict(set)
    for cid, held_role in conn.execute(query):
        held[int(cid)].add(str(held_role))
    soon = day + timedelta(days=SOON_DAYS)
    if not held:
        return Worklist(day, (), 0)
    values = {"day": day, "soon": soon, "offset": offset, "limit": limit}
    if len(held) <= CACHED_SCOPE:
        statement = _page(conn.dialect.name, state, sort)
        values["ids"] = sorted(held)
    else:
        statement = _page(conn.dialect.name, state, sort, select(query.subquery().c.citizen_id))
    rows = conn.execute(statement, values).all()
    if not rows and offset > 0:  # a page past the end: the first row carries the total
        first = conn.execute(statement, {**values, "offset": 0, "limit": 1}).first()
        total = int(first.total) if first else 0
    else:
        total = int(rows[0].total) if rows else 0
    entries = tuple(_entry(r, sorted(held[int(r.citizen_id)]), day, soon) for r in rows)
    return Worklist(day, entries, total)


@cache
def _cached_page(dialect: str, state: str | None, sort: str) -> Select[Any]:
    return _page(dialect, state, sort, bindparam("ids", expanding=True, type_=Integer))


def _page(
    dialect: str,
    state: str | None,
    sort: str,
    within: Select[Any] | BindParameter[Any] | None = None,
) -> Select[Any]:
    """The page statement: parameters ``day``, ``soon``, ``offset``, ``limit`` (and
    ``ids`` when ``within`` is not given: the cached form)."""
    if within is None:
        return _cached_page(dialect, state, sort)
    day = bindparam("day", type_=Date)
    due = due_dates(dialect, day, within=within).subquery("due")
    medical_open, reports_waiting, passive = _flags(day)
    where: list[Any] = []
    if state == "overdue":
        where.append(due.c.due < day)
    elif state == "due_soon":
        where.append(due.c.due <= bindparam("soon", type_=Date))
    elif state == "outreach":
        where.append(due.c.outreach)
    elif state == "medical":
        where.append(medical_open > 0)
    elif state == "reports":
        where.append(reports_waiting > 0)
    elif state == "passive":
        where.append(passive)
    c, p = s.citizen, s.professional
    order = {
        "due": (due.c.due.is_(None), due.c.due),
        "citizen": (),
        "last_held": (due.c.last_held.is_not(None), due.c.last_held),
        "planned": (due.c.planned.is_(None), due.c.planned),
    }[sort if sort in SORTS else "due"]
    return (
        select(
            due.c.citizen_id,
            c.c.code,
            p.c.code.label("contact"),
            due.c.due,
            due.c.last_held,
            due.c.planned,
            due.c.missed_by_citizen,
            due.c.outreach,
            medical_open.label("medical_open"),
            reports_waiting.label("reports_waiting"),
            passive.label("passive"),
            # the count of every match beside the page: the due dates are computed once
            func.count().over().label("total"),
        )
        .join(c, c.c.id == due.c.citizen_id)
        .outerjoin(p, p.c.id == due.c.professional_id)
        .where(*where)
        .order_by(*order, c.c.code)
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
    )


def _flags(day: Any) -> tuple[Any, Any, Any]:
    """Per citizen (correlated with the outer statement's citizen): open medical requests,
    progress reports waiting, and whether nothing (no supplier course, no company
    placement) runs on ``day``."""
    mr, o, pr, cp, c = (
        s.medical_request,
        s.supplier_order,
        s.progress_report,
        s.company_placement,
        s.citizen,
    )
    medical = (
        select(func.count())
        .where(
            mr.c.citizen_id == c.c.id,
            mr.c.sent_date <= day,
            or_(mr.c.followed_up_date.is_(None), mr.c.followed_up_date > day),
        )
        .correlate(c)
        .scalar_subquery()
    )
    reports = (
        select(func.count())
        .select_from(pr.join(o, o.c.id == pr.c.order_id))
        .where(
            o.c.citizen_id == c.c.id,
            pr.c.received_date <= day,
            or_(pr.c.acted_on_date.is_(None), pr.c.acted_on_date > day),
        )
        .correlate(c)
        .scalar_subquery()
    )
    running = [
        exists()
        .where(
            t.c.citizen_id == c.c.id,
            t.c.start_date <= day,
            or_(t.c.end_date.is_(None), t.c.end_date >= day),
        )
        .correlate(c)
        for t in (o, cp)
    ]
    return medical, reports, not_(or_(*running))


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
        medical_open=int(r.medical_open or 0),
        reports_waiting=int(r.reports_waiting or 0),
        passive=bool(r.passive),
    )


def _day(value: date | str | None) -> date | None:
    """SQLite returns computed dates as text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@dataclass(frozen=True)
class Planned:
    citizen: str
    meeting: str
    kind: str
    place: str | None


def planned_on(conn: Connection, day: date, scope: Select[Any]) -> list[Planned]:
    """The meetings planned for ``day`` with the citizens of ``scope``: the day's work."""
    mine = scope.subquery("mine")
    m, c = s.meeting, s.citizen
    rows = conn.execute(
        select(c.c.code, m.c.code.label("meeting"), m.c.kind, m.c.place)
        .join(c, c.c.id == m.c.citizen_id)
        .where(
            m.c.status == "planned",
            m.c.scheduled_date == day,
            m.c.citizen_id.in_(select(mine.c.citizen_id)),
        )
        .order_by(c.c.code, m.c.code)
    ).all()
    return [Planned(r.code, r.meeting, r.kind, r.place) for r in rows]
