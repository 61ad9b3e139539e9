"""Rebalance and assignment plans for a leader's own departments: a dry run stored with
its fingerprint (``operate.plans.propose``), read back, and applied as it was shown — or
refused with 409 when the department changed since, or it was applied already. Making and
applying are audited in the same transaction as the write."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from caseload.access import audit, scope
from caseload.i18n import Message
from caseload.operate import plans
from caseload.operate.optimise import Preferences
from caseload.operate.refusals import NotFound
from caseload.serve import db, stored_plans
from caseload.serve.guard import Caller, guard, record_refusal
from caseload.serve.models import Role
from caseload.serve.problems import documented

router = APIRouter(prefix="/api/v1", tags=["plans"])

CODE = r"^[A-Za-z0-9._-]+$"
Department = Path(
    min_length=1, max_length=64, pattern=CODE, description="The department's code in the register"
)
PlanCode = Path(min_length=1, max_length=64, pattern=CODE, description="The plan's code")


class Weights(BaseModel):
    """Cost points per citizen (the defaults when left out), as ``--weights`` takes them."""

    change: int = Field(Preferences.change, ge=0)
    previous: int = Field(Preferences.previous, ge=0)
    district: int = Field(Preferences.district, ge=0)
    balance: int = Field(Preferences.balance, ge=0)
    unplaced: int = Field(Preferences.unplaced, ge=0)


class NewPlan(BaseModel):
    kind: Literal["rebalance", "assign"]
    role: Role = "coordinating_caseworker"
    cap: int | None = Field(None, ge=1, le=1000, description="A new cap (rebalance only)")
    include_new: bool = Field(
        False, description="Also citizens who never had a professional in the role (assign)"
    )
    preferences: Weights | None = None


class PlanOut(BaseModel):
    plan: str
    kind: str
    department: str
    day: date
    fingerprint: str
    settings: dict[str, Any]
    summary: dict[str, Any] = Field(
        description="Moves, unplaced, missing FTE, loads before and after (as --json shows)"
    )
    created_at: datetime | None = None
    applied_at: datetime | None = None


class AppliedOut(BaseModel):
    plan: str
    department: str
    day: date
    moves: int
    written: dict[str, Any] = Field(description="Responsibilities ended, started, kept …")
    applied_at: datetime


@router.post(
    "/departments/{department}/plans",
    status_code=201,
    response_model=PlanOut,
    responses=documented(401, 403, 404, 409, 422),
)
def make_plan(
    request: Request,
    body: NewPlan,
    department: str = Department,
    caller: Caller = guard("plan.make"),
) -> PlanOut:
    """Make a rebalance or assignment of the department on the register day without
    writing it, store it, and answer its code, fingerprint and summary."""
    prefer = Preferences(**body.preferences.model_dump()) if body.preferences else None
    with db.writing(request) as conn:
        if scope.department(conn, caller.principal, department) is None:
            found = None
        else:
            found = plans.propose(
                conn,
                body.kind,
                department,
                caller.day,
                body.role,
                cap=body.cap,
                include_new=body.include_new,
                prefer=prefer,
                by=caller.principal.account.username,
            )
            audit.record(
                conn,
                caller.event("plan.make", None, 201, plan=found.code, department=department),
            )
    if found is None:
        record_refusal(request, caller, "plan.make", 404)
        raise NotFound(Message("no such department among yours"))
    return PlanOut(
        plan=found.code,
        kind=body.kind,
        department=department,
        day=caller.day,
        fingerprint=found.fingerprint,
        settings={
            "role": body.role,
            "cap": body.cap,
            "include_new": body.include_new,
            "prefer": asdict(prefer) if prefer else None,
        },
        summary=found.summary,
    )


@router.get("/plans/{plan}", response_model=PlanOut, responses=documented(401, 403, 404, 422))
def read_plan(
    request: Request, plan: str = PlanCode, caller: Caller = guard("plan.make")
) -> PlanOut:
    """A stored plan of one of the leader's departments: its settings and summary, and
    whether (and when) it was applied."""
    found = stored_plans.read(request, caller, plan)
    return PlanOut(
        plan=found.code,
        kind=found.kind,
        department=found.department,
        day=found.day,
        fingerprint=found.fingerprint,
        settings=found.settings,
        summary=found.summary,
        created_at=found.created_at,
        applied_at=found.applied_at,
    )


@router.post(
    "/plans/{plan}/apply", response_model=AppliedOut, responses=documented(401, 403, 404, 409, 422)
)
def apply_plan(
    request: Request, plan: str = PlanCode, caller: Caller = guard("plan.apply")
) -> AppliedOut:
    """Write the stored plan as it was shown: 409 when the department changed since it was
    made, it was applied already, or it leaves citizens unplaced; nothing is written then."""
    done = stored_plans.apply(request, caller, plan)
    return AppliedOut(
        plan=done.code,
        department=done.department,
        day=done.day,
        moves=done.moves,
        written=asdict(done.written),
        applied_at=done.applied_at,
    )
