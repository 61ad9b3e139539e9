"""My citizens: the caller's own caseload on the register day, with the next job meeting
due, overdue or due soon, and outreach — filtered and paged in the database."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request

from caseload.access import scope
from caseload.operate.worklist import Entry, worklist
from caseload.serve import db
from caseload.serve.guard import Caller, guard, record_list
from caseload.serve.models import Page
from caseload.serve.problems import documented

router = APIRouter(prefix="/api/v1", tags=["citizens"])


@router.get(
    "/citizens",
    response_model=Page[Entry],
    responses=documented(401, 403, 422),
)
def my_citizens(
    request: Request,
    state: Literal["overdue", "due_soon", "outreach", "medical", "reports", "passive"]
    | None = Query(
        None,
        description="overdue; due within 14 days (overdue included); outreach; an open "
        "medical request; a progress report waiting for action; a passive period",
    ),
    sort: Literal["due", "citizen", "last_held", "planned"] = Query(
        "due",
        description="the due date; the citizen's id; the last meeting held (the longest ago "
        "first); the meeting planned",
    ),
    role: Literal["coordinating_caseworker", "company_consultant", "mentor"] | None = None,
    page: int = Query(1, ge=1, le=100_000),
    size: int = Query(50, ge=1, le=500),
    caller: Caller = guard("citizens.list"),
) -> Page[Entry]:
    """The caller's citizens on the register day: roles held, next job meeting due,
    overdue or due within 14 days, outreach, open medical requests, progress reports
    waiting, a passive period; filtered, sorted and paged."""
    with db.reading(request) as conn:
        found = worklist(
            conn,
            caller.day,
            scope.responsibilities(caller.principal, caller.day),
            state=state,
            role=role,
            offset=(page - 1) * size,
            limit=size,
            sort=sort,
        )
    record_list(request, caller, "citizens.list", [e.citizen for e in found.entries], page=page)
    return Page[Entry](items=list(found.entries), page=page, size=size, total=found.total)
