"""The sparring sheet from the pages: a caseworker prints their own, a leader any
caseworker's of their departments (linked from the department page). One printable HTML
document, one citizen per A4 page."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from caseload.i18n import Message
from caseload.operate.refusals import NotFound
from caseload.serve import db
from caseload.serve.guard import Caller, page_guard
from caseload.serve.sheets import sparring_html
from caseload.store import schema as s

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/caseload/sparring", response_class=HTMLResponse)
def my_sheet(request: Request, caller: Caller = page_guard("sparring.read")) -> HTMLResponse:
    """The caller's own sheet on the register day."""
    own = caller.principal.account.professional_id
    with db.reading(request) as conn:
        code = (
            conn.execute(
                select(s.professional.c.code).where(s.professional.c.id == own)
            ).scalar_one_or_none()
            if own is not None
            else None
        )
    if code is None:
        raise NotFound(Message("no such professional among yours"))
    return HTMLResponse(sparring_html(request, caller, code, caller.day))


@router.get("/staff/{staff}/sparring", response_class=HTMLResponse)
def staff_sheet(
    request: Request,
    staff: str = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$"),
    caller: Caller = page_guard("sparring.read"),
) -> HTMLResponse:
    """A sheet of a professional in the caller's scope (a leader's department)."""
    return HTMLResponse(sparring_html(request, caller, staff, caller.day))
