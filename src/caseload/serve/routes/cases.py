"""One citizen's case, and the edits made on it: meetings (registered with the next one
booked, or a planned one marked), contact changes. Every edit carries the case version
(``If-Match``) and is audited in its own transaction; every read is audited after the
answer is built."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from caseload.access import audit, scope
from caseload.operate import casework, meetings
from caseload.operate.case import Case, case
from caseload.serve import db
from caseload.serve.edits import case_edit, etag, expected_version, not_found
from caseload.serve.guard import Caller, guard, record_refusal
from caseload.serve.models import ContactReason, MeetingKind, MeetingPlace, MeetingStatus, Role
from caseload.serve.params import EDIT_ERRORS, Citizen, IfMatch, code
from caseload.serve.problems import documented

router = APIRouter(prefix="/api/v1/citizens", tags=["cases"])


@router.get(
    "/{citizen}",
    response_model=Case,
    responses={
        **documented(401, 403, 404, 422),
        200: {
            "headers": {
                "ETag": {
                    "description": "The case version (give it as If-Match)",
                    "schema": {"type": "string"},
                }
            }
        },
    },
)
def read_case(
    request: Request,
    response: Response,
    citizen: str = Citizen,
    caller: Caller = guard("case.read"),
) -> Case:
    """One citizen's case (responsibilities with reasons, meetings, spells, orders and
    reports, requests, plans, placements, paid hours, trial arm, notes) and its version
    as the ETag."""
    with db.reading(request) as conn:
        found = (
            case(conn, citizen, caller.day)
            if scope.citizen(conn, caller.principal, citizen, caller.day) is not None
            else None
        )
    if found is None:
        record_refusal(request, caller, "case.read", 404, citizen)
        raise not_found(citizen)
    with db.writing(request) as conn:
        audit.record(conn, caller.event("case.read", citizen, 200, version=found.version))
    response.headers["ETag"] = etag(found.version)
    return found


class NextMeeting(BaseModel):
    day: date
    place: MeetingPlace | None = None
    kind: MeetingKind = "job_meeting"


class NewMeeting(BaseModel):
    kind: MeetingKind = "job_meeting"
    status: MeetingStatus
    day: date = Field(description="The day it was held, is planned for, or was missed")
    place: MeetingPlace | None = None
    minutes: int | None = Field(None, ge=1, le=600)
    staff: str | None = Field(
        None, max_length=64, description="Who held it (default: the caller's own staff code)"
    )
    absence_accepted: bool = False
    next: NextMeeting | None = Field(None, description="Book the next meeting at once")


class MeetingOut(BaseModel):
    meeting: str
    status: str
    day: date
    due: date | None


class MeetingsDone(BaseModel):
    citizen: str
    version: int
    meeting: MeetingOut
    next: MeetingOut | None = None


def _done(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


@router.post(
    "/{citizen}/meetings", status_code=201, response_model=MeetingsDone, responses=EDIT_ERRORS
)
def register_meeting(
    request: Request,
    response: Response,
    body: NewMeeting,
    citizen: str = Citizen,
    if_match: str = IfMatch,
    caller: Caller = guard("case.write"),
) -> MeetingsDone:
    """Register a meeting held, planned, cancelled or missed (the server gives its id),
    and book the next one."""
    staff = body.staff or caller.principal.account.staff
    with case_edit(request, caller, citizen, "meeting.register") as conn:
        first, booked = meetings.register_with_next(
            conn,
            citizen,
            body.kind,
            body.status,
            body.day,
            staff,
            body.minutes,
            body.place,
            body.absence_accepted,
            expected_version(request),
            meetings.Booking(body.next.day, body.next.place, body.next.kind) if body.next else None,
        )
    last = booked or first
    _done(response, last.version)
    return MeetingsDone(
        citizen=citizen,
        version=last.version,
        meeting=MeetingOut(
            meeting=first.meeting, status=first.status, day=first.day, due=first.due
        ),
        next=MeetingOut(
            meeting=booked.meeting, status=booked.status, day=booked.day, due=booked.due
        )
        if booked
        else None,
    )


class MeetingOutcome(BaseModel):
    status: MeetingStatus
    day: date | None = Field(None, description="Default: the day it was planned for")
    place: MeetingPlace | None = None
    minutes: int | None = Field(None, ge=1, le=600)
    staff: str | None = Field(None, max_length=64)
    absence_accepted: bool = False


@router.patch("/{citizen}/meetings/{meeting}", response_model=MeetingsDone, responses=EDIT_ERRORS)
def mark_meeting(
    request: Request,
    response: Response,
    body: MeetingOutcome,
    citizen: str = Citizen,
    meeting: str = code("The meeting's id"),
    if_match: str = IfMatch,
    caller: Caller = guard("case.write"),
) -> MeetingsDone:
    """Mark a planned meeting held, cancelled or no-show."""
    with case_edit(request, caller, citizen, "meeting.mark") as conn:
        marked = meetings.mark_meeting(
            conn,
            meeting,
            body.status,
            body.day,
            body.staff,
            body.minutes,
            body.place,
            body.absence_accepted,
            version=expected_version(request),
            citizen=citizen,
        )
    _done(response, marked.version)
    return MeetingsDone(
        citizen=citizen,
        version=marked.version,
        meeting=MeetingOut(
            meeting=marked.meeting, status=marked.status, day=marked.day, due=marked.due
        ),
    )


class ContactChange(BaseModel):
    role: Role
    staff: str = Field(min_length=1, max_length=64)
    day: date
    reason: ContactReason
    until: date | None = Field(None, description="A cover's last day")
    override: str | None = Field(
        None, max_length=2000, description="Why a change the rules refuse is made anyway"
    )


class ContactChanged(BaseModel):
    citizen: str
    version: int
    ended: int
    started: int


@router.post(
    "/{citizen}/contacts",
    status_code=201,
    response_model=ContactChanged,
    responses=EDIT_ERRORS,
)
def change_contact(
    request: Request,
    response: Response,
    body: ContactChange,
    citizen: str = Citizen,
    if_match: str = IfMatch,
    caller: Caller = guard("case.write"),
) -> ContactChanged:
    """Change a contact: a handoff, a cover until a day, a reallocation; refused by the
    operate rules unless an override reason is given."""
    with case_edit(request, caller, citizen, "contact.change") as conn:
        changed = casework.change_contact(
            conn,
            citizen,
            body.role,
            body.staff,
            body.day,
            body.reason,
            body.until,
            body.override,
            version=expected_version(request),
        )
    _done(response, changed.version)
    return ContactChanged(
        citizen=citizen, version=changed.version, ended=changed.ended, started=changed.started
    )
