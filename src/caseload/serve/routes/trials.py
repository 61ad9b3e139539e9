"""The trial for analysts: the trials in the register, one's evaluation as the JSON
``caseload evaluate`` writes (pseudonymous codes only), and its report as HTML in the
caller's language. Each read is audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from caseload.access import audit
from caseload.evaluate import report
from caseload.evaluate.trials import trials
from caseload.serve import db
from caseload.serve.evaluations import evaluated, evaluated_kept
from caseload.serve.guard import Caller, guard
from caseload.serve.problems import documented

router = APIRouter(prefix="/api/v1/trials", tags=["trials"])

Trial = Path(
    min_length=1,
    max_length=64,
    pattern=r"^[A-Za-z0-9._-]+$",
    description="The trial's code in the register",
)
EVALUATION_ERRORS = documented(401, 403, 404, 409, 422)


class TrialOut(BaseModel):
    code: str
    name: str
    unit: str
    start: date
    end: date | None
    outcome_end: date | None
    arms: dict[str, int]


def _audit(request: Request, caller: Caller, action: str, **detail: Any) -> None:
    with db.writing(request) as conn:
        audit.record(conn, caller.event(action, None, 200, **detail))


@router.get("", response_model=list[TrialOut], responses=documented(401, 403))
def list_trials(request: Request, caller: Caller = guard("trial.read")) -> list[TrialOut]:
    """The trials in the register: code, name, period and the size of each arm."""
    with db.reading(request) as conn:
        found = [
            TrialOut(
                code=t.code,
                name=t.name,
                unit=t.unit,
                start=t.start,
                end=t.end,
                outcome_end=t.outcome_end,
                arms=t.arms,
            )
            for t in trials(conn)
        ]
    _audit(request, caller, "trial.list", trials=len(found))
    return found


@router.get(
    "/{trial}/evaluation",
    responses={**EVALUATION_ERRORS, 200: {"content": {"application/json": {}}}},
)
def trial_evaluation(
    request: Request, trial: str = Trial, caller: Caller = guard("trial.read")
) -> Response:
    """The trial's evaluation as ``caseload evaluate`` writes evaluation.json: ``meta``
    and every table (balance, effects, spells, money …) by name. It may take seconds."""
    result = evaluated(request, caller, trial, "trial.evaluation")
    text = report.json_text(report.evaluation_document(result, caller.lang))
    _audit(request, caller, "trial.evaluation", trial=trial)
    return Response(text, media_type="application/json")


@router.get(
    "/{trial}/report",
    response_class=HTMLResponse,
    responses={**EVALUATION_ERRORS, 200: {"content": {"text/html": {}}}},
)
def trial_report(
    request: Request, trial: str = Trial, caller: Caller = guard("trial.read")
) -> HTMLResponse:
    """The trial's evaluation report as one HTML page in the caller's language."""
    kept = evaluated_kept(request, caller, trial, "trial.report")
    html = report.render(kept.evaluation, caller.lang, kept.seconds)
    _audit(request, caller, "trial.report", trial=trial)
    return HTMLResponse(html)
