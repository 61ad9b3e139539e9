"""The server's own keys (signing cookies, keying login-throttle hashes), kept in the
register so that every worker and every restart uses the same ones; made on first use."""

from __future__ import annotations

import secrets as _random

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from caseload.access.clock import utcnow
from caseload.store import schema as s


def secret(conn: Connection, name: str) -> bytes:
    """The key called ``name`` (64 random bytes, hex in the table), made when missing; two
    workers starting at once agree on one (the unique name, then read again)."""
    t = s.serve_secret
    found = conn.execute(select(t.c.value).where(t.c.name == name)).scalar_one_or_none()
    if found is None:
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(t).values(
                        name=name,
                        value=_random.token_hex(64),
                        created_at=utcnow(),
                    )
                )
        except IntegrityError:
            pass
        found = conn.execute(select(t.c.value).where(t.c.name == name)).scalar_one()
    return bytes.fromhex(found)
