"""Login throttling, kept in the register so that it holds across workers and restarts:
too many failed sign-ins for one username, or from one client address, within a window
make the next attempt wait. The username is stored as a keyed hash (a CPR number typed
into the field by mistake is never kept)."""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, insert, select

from caseload.store import schema as s


@dataclass(frozen=True)
class Limits:
    window: timedelta = timedelta(minutes=15)
    per_account: int = 5
    """Failures for one username in the window (since its last success) before it waits."""
    per_client: int = 30
    """Failures from one address in the window before it waits."""


def username_key(key: bytes, username: str) -> str:
    return hmac.new(key, username.strip().lower().encode(), hashlib.sha256).hexdigest()


def wait(conn: Connection, key: str, client: str, now: datetime, limits: Limits) -> int:
    """Seconds before this username or address may try again (0: now)."""
    t = s.login_attempt
    since = now - limits.window
    last_success = conn.execute(
        select(func.max(t.c.at)).where(t.c.username_key == key, t.c.succeeded.is_(True))
    ).scalar_one()
    start = max(since, last_success) if last_success is not None else since
    waits = [0.0]
    for where, limit in (
        ((t.c.username_key == key, t.c.at > start), limits.per_account),
        ((t.c.client == client, t.c.at > since), limits.per_client),
    ):
        failures = (
            conn.execute(
                select(t.c.at)
                .where(*where, t.c.succeeded.is_(False))
                .order_by(t.c.at.desc())
                .limit(limit)
            )
            .scalars()
            .all()
        )
        if len(failures) >= limit:
            # the limit-th most recent failure leaves the window: then one more try is allowed
            waits.append((failures[-1] + limits.window - now).total_seconds())
    return max(0, math.ceil(max(waits)))


def note(conn: Connection, key: str, client: str, succeeded: bool, now: datetime) -> None:
    conn.execute(
        insert(s.login_attempt).values(
            at=now, username_key=key, client=client[:64], succeeded=succeeded
        )
    )
