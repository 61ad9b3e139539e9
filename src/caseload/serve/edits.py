"""Every edit of a case carries the version the user read (``If-Match: "7"``, the ETag of
the case they read): a missing one is 428, a stale one 412 with the version now, and
nothing is written either way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from sqlalchemy import Connection, select

from caseload.access import audit, scope
from caseload.i18n import Message, Said
from caseload.operate.refusals import Conflict, NotFound
from caseload.serve import db
from caseload.serve.guard import Caller, record_refusal
from caseload.store import schema as s

_ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,9})"\s*$')


class VersionMissing(Said, ValueError):
    """428: the edit did not say which version of the case it was made on."""


class VersionBad(Said, ValueError):
    """400: ``If-Match`` is not a case version."""


class Stale(Said, RuntimeError):
    """412: the case changed since the user read it."""

    def __init__(self, message: Message, current: int) -> None:
        super().__init__(message)
        self.current = current


def etag(version: int) -> str:
    return f'"{version}"'


VERSION_MISSING = Message(
    "say which version of the case you changed: send If-Match with the case's "
    "ETag (its version); nothing was changed"
)


def expected_version(request: Request) -> int:
    given = request.headers.get("if-match")
    if given is None:
        raise VersionMissing(VERSION_MISSING)
    found = _ETAG.match(given)
    if not found:
        raise VersionBad(
            Message('If-Match must be the case\'s ETag, a version such as "7"; nothing was changed')
        )
    return int(found.group(1))


def not_found(citizen: str) -> NotFound:
    # the same words whether the citizen is unknown or not the caller's (no existence leak)
    del citizen
    return NotFound(Message("no such citizen among yours"))


@contextmanager
def case_edit(
    request: Request, caller: Caller, citizen: str, action: str, version: int | None = None
) -> Iterator[Connection]:
    """A write transaction on one case in the caller's scope, audited in the same
    transaction; a stale version becomes 412 with the version now, nothing written. The
    version is ``If-Match``'s, or ``version`` (a web form's hidden field)."""
    version = expected_version(request) if version is None else version
    try:
        with db.writing(request) as conn:
            if scope.citizen(conn, caller.principal, citizen, caller.day) is None:
                raise not_found(citizen)
            yield conn
            audit.record(conn, caller.event(action, citizen, 200, version=version))
    except NotFound:
        record_refusal(request, caller, action, 404, citizen)
        raise
    except Conflict as error:
        with db.reading(request) as conn:
            now = conn.execute(
                select(s.citizen.c.version).where(s.citizen.c.code == citizen)
            ).scalar_one_or_none()
        if now is not None and now != version:
            raise Stale(
                Message(
                    "the case was changed by someone else (version {now}, you had {had}); "
                    "nothing was saved: reload it and make the change again",
                    {"now": now, "had": version},
                ),
                int(now),
            ) from None
        raise error
