"""The caseworker's pages: my caseload (the working list with its filters and the day's
meetings), one citizen's case as a timeline, and the meeting form — held, cancelled or
no-show with place and duration, and the next meeting booked on the day the rhythm offers,
all prefilled, so that a held meeting with its next booking is one click."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from caseload.access import audit, scope
from caseload.domain import codes
from caseload.domain.rhythm import booking_day
from caseload.i18n import N_, Message, Said
from caseload.operate import casework, meetings
from caseload.operate.case import case_and_rule
from caseload.operate.colleagues import colleagues
from caseload.operate.refusals import Conflict, NotFound, Refused
from caseload.operate.worklist import SORTS, STATES, planned_on, worklist
from caseload.serve import db
from caseload.serve.edits import Stale, case_edit, not_found
from caseload.serve.guard import Caller, page_guard, record_list, record_refusal
from caseload.serve.pages.common import context, see_other
from caseload.serve.pages.templating import page
from caseload.serve.pages.timeline import timeline

router = APIRouter(tags=["pages"], include_in_schema=False)

PAGE_SIZE = 50
FORM_STATUSES = ("held", "cancelled_by_citizen", "cancelled_by_job_centre", "no_show")
FORM_PLACES = ("job_centre", "home", "workplace", "phone", "video")
CONTACT_REASONS = ("handoff", "cover", "reallocation")
DEFAULT_MINUTES = 45
STATE_WORDS = {
    "overdue": N_("overdue"),
    "due_soon": N_("due within 14 days"),
    "outreach": N_("outreach after missed meetings"),
    "medical": N_("open medical request"),
    "reports": N_("progress report waiting"),
    "passive": N_("passive period"),
}
SORT_WORDS = {
    "due": N_("next job meeting due"),
    "citizen": N_("citizen"),
    "last_held": N_("last held, the longest ago first"),
    "planned": N_("next planned meeting"),
}


@router.get("/caseload", response_class=HTMLResponse)
def my_caseload(
    request: Request,
    state: str | None = Query(None, max_length=16),
    role: str | None = Query(None, max_length=32),
    sort: str | None = Query(None, max_length=16),
    page_no: int = Query(1, alias="page", ge=1, le=100_000),
    caller: Caller = page_guard("citizens.list"),
) -> HTMLResponse:
    """My citizens by due date (or another order), filtered; and the day's meetings."""
    state = state if state in STATES else None
    role = role if role in codes.ROLES else None
    sort = sort if sort in SORTS else "due"
    mine = scope.responsibilities(caller.principal, caller.day)
    offset = (page_no - 1) * PAGE_SIZE
    with db.reading(request) as conn:
        found = worklist(conn, caller.day, mine, state, role, offset, PAGE_SIZE, sort)
        today = planned_on(conn, caller.day, mine)
    shown = [e.citizen for e in found.entries] + [p.citizen for p in today]
    record_list(request, caller, "citizens.list", dict.fromkeys(shown), page=page_no)
    pages = max(1, -(-found.total // PAGE_SIZE))
    values = context(
        request,
        caller,
        found=found,
        today=today,
        state=state,
        role_filter=role,
        states=STATES,
        state_words=STATE_WORDS,
        roles=codes.ROLES,
        sort=sort,
        sorts=SORTS,
        sort_words=SORT_WORDS,
        sheet=caller.principal.account.professional_id is not None,
        page_no=page_no,
        pages=pages,
    )
    return page(request, "caseload.html.j2", values, block="worklist")


@dataclass(frozen=True)
class MeetingForm:
    """What the meeting form shows: the values offered (or those the user sent back with a
    refusal) and the refusal in words."""

    status: str = "held"
    day: str = ""
    place: str = "job_centre"
    minutes: str = str(DEFAULT_MINUTES)
    book_next: bool = True
    next_day: str = ""
    next_place: str = "job_centre"
    error: str | None = None


@dataclass(frozen=True)
class ContactForm:
    """The contact change form: what was sent back with a refusal, and the refusal."""

    reason: str = "handoff"
    role: str = "company_consultant"
    staff: str = ""
    day: str = ""
    until: str = ""
    override: str = ""
    error: str | None = None


def _case_page(
    request: Request,
    caller: Caller,
    citizen: str,
    form: MeetingForm | None,
    status: int,
    contact: ContactForm | None = None,
) -> HTMLResponse:
    with db.reading(request) as conn:
        cid = scope.citizen(conn, caller.principal, citizen, caller.day)
        found, rule = case_and_rule(conn, citizen, caller.day) if cid is not None else (None, None)
        others = colleagues(conn, cid, caller.day) if cid is not None else []
    if found is None or rule is None:
        record_refusal(request, caller, "case.read", 404, citizen)
        raise not_found(citizen)
    with db.writing(request) as conn:
        audit.record(conn, caller.event("case.read", citizen, 200, version=found.version))
    offered = form or MeetingForm(
        day=caller.day.isoformat(), next_day=booking_day(caller.day, rule).isoformat()
    )
    values = context(
        request,
        caller,
        case=found,
        timeline=timeline(found),
        form=offered,
        statuses=FORM_STATUSES,
        places=FORM_PLACES,
        rule=rule,
        registered=request.query_params.get("registered"),
        changed=request.query_params.get("changed"),
        contact=contact or ContactForm(day=caller.day.isoformat()),
        colleagues=others,
        contact_reasons=CONTACT_REASONS,
        roles=codes.ROLES,
    )
    return page(request, "case.html.j2", values, status_code=status)


@router.get("/citizens/{citizen}", response_class=HTMLResponse)
def citizen_case(
    request: Request, citizen: str, caller: Caller = page_guard("case.read")
) -> HTMLResponse:
    """The case as a timeline, the next job meeting due, and the meeting form."""
    return _case_page(request, caller, citizen, None, 200)


class FormError(Said, ValueError):
    """A form field the server cannot read (the browser normally prevents it)."""


def _day(value: str, field: Message) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FormError(Message("{field}: give a date (YYYY-MM-DD)", {"field": field})) from None


def _minutes(value: str) -> int | None:
    if not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise FormError(Message("the duration is a whole number of minutes")) from None


@router.post("/citizens/{citizen}/meetings", response_class=HTMLResponse)
def register_meeting(
    request: Request,
    citizen: str,
    version: int = Form(..., ge=0),
    status: str = Form("held", max_length=32),
    day: str = Form("", max_length=10),
    place: str = Form("", max_length=32),
    minutes: str = Form("", max_length=4),
    book_next: str = Form("", max_length=4),
    next_day: str = Form("", max_length=10),
    next_place: str = Form("", max_length=32),
    caller: Caller = page_guard("case.write"),
) -> Response:
    """Register the meeting (and book the next one) on the version the user read; a
    refusal shows the form again with what was sent and the reason in words."""
    sent = MeetingForm(status, day, place, minutes, book_next == "on", next_day, next_place)
    try:
        held_on = _day(day, Message("the meeting's day"))
        booking = None
        if sent.book_next and status == "held":
            booking = meetings.Booking(
                _day(next_day, Message("the next meeting's day")), next_place or None
            )
        with case_edit(request, caller, citizen, "meeting.register", version) as conn:
            meetings.register_with_next(
                conn,
                citizen,
                "job_meeting",
                status,
                held_on,
                caller.principal.account.staff,
                _minutes(minutes),
                place or None,
                False,
                version,
                booking,
            )
    except (FormError, Refused, Conflict, Stale) as error:
        text, code = _refusal(error, caller.lang)
        return _case_page(request, caller, citizen, replace(sent, error=text), code)
    except NotFound:
        raise
    return see_other(f"/citizens/{citizen}?registered={status}")


def _refusal(error: Exception, lang: str) -> tuple[str, int]:
    """A form's refusal in the reader's words, and its status: 400 a field the server
    cannot read, 412 the case changed since it was read, 409 the rules."""
    text = error.text(lang) if isinstance(error, Said) else error.message(lang)  # type: ignore[attr-defined]
    if isinstance(error, FormError):
        return text, 400
    return text, 412 if isinstance(error, Stale) else 409


@router.post("/citizens/{citizen}/contacts", response_class=HTMLResponse)
def change_contact(
    request: Request,
    citizen: str,
    version: int = Form(..., ge=0),
    reason: str = Form("handoff", max_length=32),
    role: str = Form("company_consultant", max_length=32),
    staff: str = Form("", max_length=64),
    day: str = Form("", max_length=10),
    until: str = Form("", max_length=10),
    override: str = Form("", max_length=2000),
    caller: Caller = page_guard("case.write"),
) -> Response:
    """A handoff, a cover until a day, or a reallocation, on the version the user read; a
    refusal by the rules shows the form again with the reason, and an override with a
    reason of one's own makes the change anyway."""
    sent = ContactForm(reason, role, staff, day, until, override)
    try:
        on = _day(day, Message("the day of the change"))
        last = _day(until, Message("the cover's last day")) if until.strip() else None
        with case_edit(request, caller, citizen, "contact.change", version) as conn:
            casework.change_contact(
                conn,
                citizen,
                role,
                staff,
                on,
                reason,
                last,
                override.strip() or None,
                version=version,
            )
    except (FormError, Refused, Conflict, Stale) as error:
        text, code = _refusal(error, caller.lang)
        return _case_page(request, caller, citizen, None, code, replace(sent, error=text))
    return see_other(f"/citizens/{citizen}?changed={reason}")
