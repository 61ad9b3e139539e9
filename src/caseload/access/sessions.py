"""Browser sessions: a random id (its SHA-256 stored), ended at sign-out, after an idle
time and at an absolute age; a new one at every sign-in (no session fixation)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from caseload.access.accounts import Account, by_id
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
    w = s.web_session
    row = conn.execute(
        select(w.c.id, w.c.account_id, w.c.created_at, w.c.last_seen_at, w.c.ended_at).where(
            w.c.session_hash == _digest(session_id)
        )
    ).first()
    if row is None or row.ended_at is not None:
        return None
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        return None
    account = by_id(conn, int(row.account_id))
    if not account.active:
        return None
    return account, now - row.last_seen_at > TOUCH_EVERY


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
