"""Rebalancing a department from the leader's page: choose the role and the cap, see the
plan (moves, who keeps their district, who is not placed and the staff missing, a before
and after figure), and apply it after confirming — refused in words when the department
changed since the plan was made. Making and applying are audited, each moved citizen too."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from caseload.access import audit, scope
from caseload.domain import codes
from caseload.i18n import Message, translator
from caseload.operate import figures, plans
from caseload.operate.refusals import CannotPlace, Conflict, NotFound, Refused
from caseload.serve import db, stored_plans
from caseload.serve.guard import Caller, page_guard, record_refusal
from caseload.serve.pages.common import context, see_other
from caseload.serve.pages.templating import page

router = APIRouter(tags=["pages"], include_in_schema=False)


def _no_department() -> NotFound:
    return NotFound(Message("no such department among yours"))


@router.post("/departments/{department}/plans")
def make_plan(
    request: Request,
    department: str,
    role: str = Form("coordinating_caseworker", max_length=32),
    cap: int | None = Form(None, ge=1, le=1000),
    caller: Caller = page_guard("plan.make"),
) -> Response:
    """A rebalance of the department on the register day, stored, not written."""
    if role not in codes.ROLES:
        raise Refused(Message("unknown role {role}", {"role": role}))
    with db.writing(request) as conn:
        if scope.department(conn, caller.principal, department) is None:
            found = None
        else:
            found = plans.propose(
                conn,
                "rebalance",
                department,
                caller.day,
                role,
                cap=cap,
                by=caller.principal.account.username,
            )
            audit.record(
                conn,
                caller.event("plan.make", None, 201, plan=found.code, department=department),
            )
    if found is None:
        record_refusal(request, caller, "plan.make", 404)
        raise _no_department()
    return see_other(f"/plans/{found.code}")


def _plan_page(
    request: Request, caller: Caller, code: str, error: str | None, status: int
) -> HTMLResponse:
    found = stored_plans.read(request, caller, code)
    summary = found.summary
    reasons: dict[str, int] = {}
    for move in summary["moves"]:
        reasons[move["reason"]] = reasons.get(move["reason"], 0) + 1
    values = context(
        request,
        caller,
        plan=found,
        summary=summary,
        reasons=sorted(reasons.items(), key=lambda item: -item[1]),
        figure=figures.plan_figure(summary, caller.lang),
        error=error,
    )
    return page(request, "plan.html.j2", values, status_code=status)


@router.get("/plans/{plan}", response_class=HTMLResponse)
def read_plan(
    request: Request, plan: str, caller: Caller = page_guard("plan.make")
) -> HTMLResponse:
    """The plan: what it moves, who is left unplaced, the figure; apply with a confirmation."""
    return _plan_page(request, caller, plan, None, 200)


@router.post("/plans/{plan}/apply", response_class=HTMLResponse)
def apply_plan(
    request: Request,
    plan: str,
    confirm: str = Form("", max_length=4),
    caller: Caller = page_guard("plan.apply"),
) -> Response:
    """Write the plan as it was shown, once confirmed; a refusal is shown on the plan."""
    lang = caller.lang
    if confirm != "yes":
        text = translator(lang).gettext("tick the box to confirm the moves; nothing was changed")
        return _plan_page(request, caller, plan, text, 400)
    try:
        stored_plans.apply(request, caller, plan)
    except (Conflict, CannotPlace) as error:
        return _plan_page(request, caller, plan, error.message(lang), 409)
    return see_other(f"/plans/{plan}?applied=1")
