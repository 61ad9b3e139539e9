"""The audit trail: every read and write of a citizen's record, every export, sign-in,
failed sign-in, refusal and applied plan — who, in which role, what, which citizen (their
pseudonymous code), when, from where, and the request's id. Append-only: triggers refuse
UPDATE and DELETE (migration 0006), and on PostgreSQL the application's role owns no
table. Only ``purge``, run as the owner, removes rows older than a retention period, and
it records that it did."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Insert, bindparam, func, insert, select, text

from caseload.access.clock import utcnow
from caseload.store import schema as s
from caseload.store.sql import listed_texts


@dataclass(frozen=True)
class Event:
    action: str
    request_id: str
    account_id: int | None = None
    username: str | None = None
    role: str | None = None
    citizen: str | None = None
    """The citizen's code in the register (pseudonymous), never a CPR number."""
    client: str | None = None
    status: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    """Codes and counts only: never free text, health information or a CPR number."""


def record(conn: Connection, event: Event, at: datetime | None = None) -> None:
    conn.execute(insert(s.audit_event).values(_row(event, at or utcnow())))


def record_each(
    conn: Connection, event: Event, citizens: Sequence[str], at: datetime | None = None
) -> None:
    """A list read: one row per citizen shown, so that a search by citizen finds every list
    their record was on (one statement); the event alone when the list was empty."""
    if not citizens:
        record(conn, event, at)
        return
    row = _row(event, at or utcnow())
    del row["citizen"]
    # one statement of fixed text, the codes as one list: an executemany is a statement
    # per row on the server, a multi-row VALUES a new statement to compile per length
    conn.execute(_each(conn.dialect.name), {**row, "citizens": json.dumps(list(citizens))})


@cache
def _each(dialect: str) -> Insert:
    """INSERT … SELECT: the event's values (parameters named as ``_row``'s keys) beside
    each citizen of the list ``citizens``."""
    a = s.audit_event
    citizen, position = listed_texts("citizens", dialect)
    columns = [column.name for column in a.c if column.name != "id"]
    values = [
        citizen if name == "citizen" else bindparam(name, type_=a.c[name].type) for name in columns
    ]
    # in the list's order, so the rows' ids follow the order shown
    return insert(a).from_select(columns, select(*values).order_by(position))


def _row(event: Event, at: datetime) -> dict[str, Any]:
    return {
        "at": at,
        "request_id": event.request_id[:64],
        "account_id": event.account_id,
        "username": event.username,
        "role": event.role,
        "action": event.action[:64],
        "citizen": event.citizen,
        "client": (event.client or "")[:64] or None,
        "status": event.status,
        "detail": json.dumps(event.detail, sort_keys=True) if event.detail else None,
    }


@dataclass(frozen=True)
class Criteria:
    username: str | None = None
    action: str | None = None
    citizen: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _where(criteria: Criteria) -> list[Any]:
    a = s.audit_event
    where: list[Any] = []
    if criteria.username:
        where.append(a.c.username == criteria.username)
    if criteria.action:
        where.append(a.c.action == criteria.action)
    if criteria.citizen:
        where.append(a.c.citizen == criteria.citizen)
    if criteria.since:
        where.append(a.c.at >= criteria.since)
    if criteria.until:
        where.append(a.c.at < criteria.until)
    return where


def search(
    conn: Connection, criteria: Criteria, offset: int = 0, limit: int | None = 100
) -> tuple[list[dict[str, Any]], int]:
    """The matching events, newest first, and how many match in all."""
    a = s.audit_event
    where = _where(criteria)
    total = conn.execute(select(func.count()).select_from(a).where(*where)).scalar_one()
    query = select(a).where(*where).order_by(a.c.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    rows = [
        {
            "id": r.id,
            "at": r.at,
            "request_id": r.request_id,
            "username": r.username,
            "role": r.role,
            "action": r.action,
            "citizen": r.citizen,
            "client": r.client,
            "status": r.status,
            "detail": json.loads(r.detail) if r.detail else {},
        }
        for r in conn.execute(query)
    ]
    return rows, int(total)


def purge(conn: Connection, before: datetime, event: Event) -> int:
    """Delete the events before ``before`` (run as the tables' owner), then record the purge
    itself; returns how many were deleted. Everything in the caller's transaction."""
    a = s.audit_event
    if conn.dialect.name == "sqlite":
        triggers = conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'audit_event'"
            )
        ).all()
        for name, _ in triggers:
            conn.execute(text(f'DROP TRIGGER "{name}"'))
        gone = conn.execute(a.delete().where(a.c.at < before)).rowcount
        for _, sql in triggers:
            conn.execute(text(sql))
    else:
        conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        gone = conn.execute(a.delete().where(a.c.at < before)).rowcount
        conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))
    detail = {**event.detail, "before": before.isoformat(), "deleted": gone}
    record(conn, Event(**{**event.__dict__, "detail": detail}))
    return int(gone)
