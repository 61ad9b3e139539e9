"""A caseworker's sparring sheet as the API and the pages both serve it: read for a
professional in the caller's scope, rendered in the caller's language, and audited as a
read of every citizen on it."""

from __future__ import annotations

from datetime import date

from fastapi import Request

from caseload.access import audit, scope
from caseload.i18n import Message
from caseload.operate import sparring
from caseload.operate.refusals import NotFound
from caseload.serve import db
from caseload.serve.guard import Caller, record_refusal


def sparring_html(request: Request, caller: Caller, staff: str, day: date) -> str:
    """The sheet of ``staff`` on ``day`` as one printable HTML document; a professional
    outside the caller's scope is not found (and the refusal audited)."""
    with db.reading(request) as conn:
        mine = scope.staff(conn, caller.principal, staff) is not None
        result = sparring.sheet(conn, staff, day) if mine else None
    if result is None:
        record_refusal(request, caller, "sparring.read", 404)
        raise NotFound(Message("no such professional among yours"))
    html = sparring.render(result, caller.lang)
    with db.writing(request) as conn:
        for page in result.pages:
            audit.record(conn, caller.event("sparring.read", page.code, 200, staff=staff))
    return html
