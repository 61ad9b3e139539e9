"""Signing in with a username and password: throttled, constant in time whether or not
the username exists, and re-hashing a password made under older Argon2 parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from caseload.access import accounts, passwords, throttle
from caseload.access.accounts import Account
from caseload.access.clock import utcnow
from caseload.access.errors import NotSignedIn, Throttled
from caseload.i18n import Message
from caseload.store import schema as s

WRONG = Message("the username or password is wrong, or the account is disabled")


@dataclass(frozen=True)
class Attempt:
    """A sign-in judged, not yet recorded: the password check (Argon2, the slow part) is
    done on a reading connection, so no writer waits for it."""

    key: str
    client: str
    account: Account | None
    """The account when the password is right and the account active; else None."""
    new_hash: str | None
    at: datetime


def judge(
    conn: Connection,
    username: str,
    password: str,
    client: str,
    login_key: bytes,
    limits: throttle.Limits | None = None,
) -> Attempt:
    """Check a sign-in without writing (``login_key`` is the server's ``login`` secret,
    read beforehand: ``secrets.secret`` may have to make it); ``Throttled`` while this
    username or address has failed too often. Constant in time whether or not the username
    exists."""
    limits = limits or throttle.Limits()
    now = utcnow()
    key = throttle.username_key(login_key, username)
    seconds = throttle.wait(conn, key, client, now, limits)
    if seconds > 0:
        raise Throttled(
            Message(
                "too many failed sign-ins; try again in {minutes} minute(s)",
                {"minutes": max(1, -(-seconds // 60))},
            ),
            seconds,
        )
    found = accounts.by_username(conn, username)
    if found is None:
        passwords.dummy_verify(password)
        return Attempt(key, client, None, None, now)
    stored = conn.execute(
        select(s.account.c.password_hash).where(s.account.c.id == found.id)
    ).scalar_one()
    ok, new_hash = passwords.verify(stored, password)
    if not ok or not found.active:
        return Attempt(key, client, None, None, now)
    return Attempt(key, client, found, new_hash, now)


def settle(conn: Connection, attempt: Attempt) -> Account:
    """Record a judged attempt (and a re-made hash) in the caller's write transaction:
    the account when it succeeded, ``NotSignedIn`` otherwise (commit it all the same: the
    failure counts)."""
    throttle.note(conn, attempt.key, attempt.client, attempt.account is not None, attempt.at)
    if attempt.account is None:
        raise NotSignedIn(WRONG)
    if attempt.new_hash is not None:
        accounts.rehash(conn, attempt.account.id, attempt.new_hash)
    return attempt.account
