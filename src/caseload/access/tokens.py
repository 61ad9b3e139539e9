"""API tokens for other systems: shown once, stored as a SHA-256, scoped to a role,
revocable. A token is 256 random bits, so a plain hash (not Argon2) is enough."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from caseload.access.accounts import Account, by_id
from caseload.access.clock import utcnow
from caseload.access.errors import AccountError
from caseload.domain.cpr import has_cpr_shape
from caseload.i18n import Message
from caseload.store import schema as s

PREFIX = "cl_"


@dataclass(frozen=True)
class Token:
    id: int
    username: str
    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    conn: Connection, account: Account, name: str, role: str | None = None
) -> tuple[int, str]:
    """A new token acting as ``account`` in ``role`` (the account's own role: a token never
    holds more); returns its id and the token, which is not stored and not shown again."""
    role = role or account.role
    if role != account.role:
        raise AccountError(
            Message("a token acts in its account's own role ({role})", {"role": account.role})
        )
    if not account.active:
        raise AccountError(Message("the account is disabled"))
    label = name.strip()
    if not label or len(label) > 100:
        raise AccountError(Message("a token needs a name of 1–100 characters"))
    if has_cpr_shape(label):
        raise AccountError(Message("a token's name is never a CPR number"))
    token = PREFIX + secrets.token_urlsafe(32)
    t = s.api_token
    token_id = conn.execute(
        insert(t)
        .values(
            account_id=account.id,
            name=label,
            token_hash=_digest(token),
            role=role,
            created_at=utcnow(),
        )
        .returning(t.c.id)
    ).scalar_one()
    return int(token_id), token


def holder(conn: Connection, token: str) -> tuple[Account, str, bool] | None:
    """The account and role of a live token of an active account, and whether its last use
    is due to be written (``touch``); else None. Only reads."""
    t = s.api_token
    row = conn.execute(
        select(t.c.id, t.c.account_id, t.c.role, t.c.revoked_at, t.c.last_used_at).where(
            t.c.token_hash == _digest(token)
        )
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    account = by_id(conn, int(row.account_id))
    if not account.active:
        return None
    stale = row.last_used_at is None or (utcnow() - row.last_used_at).total_seconds() > 60
    return account, str(row.role), stale


def touch(conn: Connection, token: str) -> None:
    t = s.api_token
    conn.execute(update(t).where(t.c.token_hash == _digest(token)).values(last_used_at=utcnow()))


def listed(conn: Connection, account_id: int | None = None) -> list[Token]:
    t, a = s.api_token, s.account
    query = select(t, a.c.username).join(a, a.c.id == t.c.account_id).order_by(t.c.id)
    if account_id is not None:
        query = query.where(t.c.account_id == account_id)
    return [
        Token(r.id, r.username, r.name, r.role, r.created_at, r.last_used_at, r.revoked_at)
        for r in conn.execute(query)
    ]


def revoke(conn: Connection, token_id: int) -> bool:
    """Revoke a token; False when there is no such live token."""
    t = s.api_token
    done = conn.execute(
        update(t).where(t.c.id == token_id, t.c.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    return done.rowcount == 1
