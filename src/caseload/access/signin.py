"""Signing in with a username and password: throttled, constant in time whether or not
the username exists, and re-hashing a password made under older Argon2 parameters."""

from __future__ import annotations

from sqlalchemy import Connection, select

from caseload.access import accounts, passwords, throttle
from caseload.access.accounts import Account
from caseload.access.clock import utcnow
from caseload.access.errors import NotSignedIn, Throttled
from caseload.access.secrets import secret
from caseload.i18n import Message
from caseload.store import schema as s

WRONG = Message("the username or password is wrong, or the account is disabled")


def check(
    conn: Connection,
    username: str,
    password: str,
    client: str,
    limits: throttle.Limits | None = None,
) -> Account:
    """The account, when the password is right and it is active; ``Throttled`` while this
    username or address has failed too often, ``NotSignedIn`` otherwise. Every attempt is
    counted (in the caller's transaction: commit it, also when this raises NotSignedIn)."""
    limits = limits or throttle.Limits()
    now = utcnow()
    key = throttle.username_key(secret(conn, "login"), username)
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
        throttle.note(conn, key, client, False, now)
        raise NotSignedIn(WRONG)
    stored = conn.execute(
        select(s.account.c.password_hash).where(s.account.c.id == found.id)
    ).scalar_one()
    ok, new_hash = passwords.verify(stored, password)
    if not ok or not found.active:
        throttle.note(conn, key, client, False, now)
        raise NotSignedIn(WRONG)
    if new_hash is not None:
        accounts.rehash(conn, found.id, new_hash)
    throttle.note(conn, key, client, True, now)
    return found
