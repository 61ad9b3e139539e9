"""Case notes and next steps on a case: written and edited (every version kept), each edit
carrying the case version like every other edit. They are read with the case."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from caseload.operate import notes
from caseload.serve.edits import case_edit, etag, expected_version
from caseload.serve.guard import Caller, guard
from caseload.serve.params import EDIT_ERRORS, Citizen, IfMatch, code

router = APIRouter(prefix="/api/v1/citizens", tags=["cases"])


class NewNote(BaseModel):
    kind: Literal["note", "next_step"] = "note"
    text: str = Field(min_length=1, max_length=10_000)
    due: date | None = Field(None, description="A next step's day")


class NoteEdit(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    due: date | None = None


class NoteWritten(BaseModel):
    citizen: str
    note: str
    note_version: int
    kind: str
    due: date | None
    version: int = Field(description="The case version after the edit")


def _out(written: notes.Written) -> NoteWritten:
    return NoteWritten(
        citizen=written.citizen,
        note=written.note,
        note_version=written.note_version,
        kind=written.kind,
        due=written.due,
        version=written.version,
    )


@router.post("/{citizen}/notes", status_code=201, response_model=NoteWritten, responses=EDIT_ERRORS)
def write_note(
    request: Request,
    response: Response,
    body: NewNote,
    citizen: str = Citizen,
    if_match: str = IfMatch,
    caller: Caller = guard("case.write"),
) -> NoteWritten:
    """Write a note or a next step on the case (the server gives its id); signed with the
    caller's username."""
    with case_edit(request, caller, citizen, "note.write") as conn:
        written = notes.add_note(
            conn,
            citizen,
            body.kind,
            body.text,
            caller.principal.username,
            body.due,
            version=expected_version(request),
        )
    response.headers["ETag"] = etag(written.version)
    return _out(written)


@router.put("/{citizen}/notes/{note}", response_model=NoteWritten, responses=EDIT_ERRORS)
def edit_note(
    request: Request,
    response: Response,
    body: NoteEdit,
    citizen: str = Citizen,
    note: str = code("The note's id", 32),
    if_match: str = IfMatch,
    caller: Caller = guard("case.write"),
) -> NoteWritten:
    """Edit a note: its next version, the earlier ones kept."""
    with case_edit(request, caller, citizen, "note.edit") as conn:
        written = notes.revise_note(
            conn,
            note,
            body.text,
            caller.principal.username,
            body.due,
            version=expected_version(request),
            citizen=citizen,
        )
    response.headers["ETag"] = etag(written.version)
    return _out(written)
