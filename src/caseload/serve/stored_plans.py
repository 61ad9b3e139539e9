"""A stored rebalance or assignment plan for whoever may read or apply it (the API's plan
routes and the leader's pages): a plan of another leader's department is not found (the
same words as an unknown one), every refusal and every read is audited, and applying
audits a row per moved citizen in the same transaction as the write."""

from __future__ import annotations

from fastapi import Request

from caseload.access import audit, scope
from caseload.i18n import Message
from caseload.operate import plans
from caseload.operate.refusals import CannotPlace, Conflict, NotFound
from caseload.serve import db
from caseload.serve.guard import Caller, record_refusal


def no_plan() -> NotFound:
    return NotFound(Message("no such plan among yours"))


def read(request: Request, caller: Caller, code: str) -> plans.StoredPlan:
    """The plan when it is of one of the caller's departments (audited); NotFound else."""
    with db.reading(request) as conn:
        try:
            found: plans.StoredPlan | None = plans.stored(conn, code)
        except NotFound:
            found = None
        if found is not None and scope.department(conn, caller.principal, found.department) is None:
            found = None
    if found is None:
        record_refusal(request, caller, "plan.read", 404)
        raise no_plan()
    with db.writing(request) as conn:
        audit.record(conn, caller.event("plan.read", None, 200, plan=found.code))
    return found


def apply(request: Request, caller: Caller, code: str) -> plans.Applied:
    """Write the plan as it was shown; NotFound, Conflict or CannotPlace (audited as
    refusals) with nothing written."""
    try:
        with db.writing(request) as conn:
            try:
                department = plans.stored(conn, code).department
            except NotFound:
                raise no_plan() from None
            if scope.department(conn, caller.principal, department) is None:
                raise no_plan()
            done = plans.apply_plan(conn, code, by=caller.principal.account.username)
            # a write of each moved citizen's case: a row each in the trail
            audit.record_each(
                conn,
                caller.event("plan.apply", None, 200, plan=done.code, moves=done.moves),
                done.citizens,
            )
    except NotFound:
        record_refusal(request, caller, "plan.apply", 404)
        raise
    except (Conflict, CannotPlace):
        record_refusal(request, caller, "plan.apply", 409)
        raise
    return done
