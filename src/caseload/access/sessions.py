"""Browser sessions: a random id (its SHA-256 stored), ended at sign-out, after an idle
time and at an absolute age; a new one at every sign-in (no session fixation)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, insert, update

from caseload.access.accounts import Account, account_query, accounts_of
from caseload.access.clock import utcnow
from caseload.store import schema as s

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=10)
TOUCH_EVERY = timedelta(seconds=60)
"""A session's last-seen time is written at most once a minute (not on every request)."""


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(conn: Connection, account_id: int) -> str:
    """A new session for the account; the id is returned once (the cookie carries it)."""
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    conn.execute(
        insert(s.web_session).values(
            session_hash=_digest(session_id),
            account_id=account_id,
            created_at=now,
            last_seen_at=now,
        )
    )
    return session_id


def resume(
    conn: Connection,
    session_id: str,
    idle: timedelta = IDLE,
    absolute: timedelta = ABSOLUTE,
    now: datetime | None = None,
) -> tuple[Account, bool] | None:
    """The session's account while the session is live and the account active, and whether
    its last-seen time is due to be written (``touch``); else None. Only reads."""
    now = now or utcnow()
    # the session, its account and the account's departments in one statement
    rows = conn.execute(_resume_query(), {"session_hash": _digest(session_id)}).all()
    if not rows or rows[0].session_ended_at is not None:
        return None
    row = rows[0]
    if now - row.session_last_seen_at > idle or now - row.session_created_at > absolute:
        return None
    account = accounts_of(rows)[0]
    if not account.active:
        return None
    return account, now - row.session_last_seen_at > TOUCH_EVERY


@cache
def _resume_query() -> Select[Any]:
    w = s.web_session
    return (
        account_query()
        .add_columns(
            w.c.created_at.label("session_created_at"),
            w.c.last_seen_at.label("session_last_seen_at"),
            w.c.ended_at.label("session_ended_at"),
        )
        .join(w, w.c.account_id == s.account.c.id)
        .where(w.c.session_hash == bindparam("session_hash"))
    )


def touch(conn: Connection, session_id: str) -> None:
    """Write the session's last-seen time (the idle timeout counts from it)."""
    w = s.web_session
    conn.execute(
        update(w)
        .where(w.c.session_hash == _digest(session_id), w.c.ended_at.is_(None))
        .values(last_seen_at=utcnow())
    )


def end(conn: Connection, session_id: str) -> None:
    w = s.web_session
    conn.execute(
        update(w)
        .where(w.c.session_hash == _digest(session_id), w.c.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
