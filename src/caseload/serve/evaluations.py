"""A trial's evaluation for whoever may read it (the API's trial routes and the analyst's
pages): the trial known, or 404 (audited); the evaluation run on the register, or a
refusal in words when it cannot be (the window, too few citizens)."""

from __future__ import annotations

import logging

from fastapi import Request

from caseload.evaluate import evaluation
from caseload.evaluate.cohort import TrialNotFound, WindowError
from caseload.evaluate.evaluation import Evaluation
from caseload.evaluate.trials import trials
from caseload.i18n import Message
from caseload.operate.refusals import NotFound, Refused
from caseload.serve import db
from caseload.serve.guard import Caller, record_refusal

log = logging.getLogger(__name__)


def evaluated(request: Request, caller: Caller, code: str, action: str) -> Evaluation:
    with db.reading(request) as conn:
        known = any(t.code == code for t in trials(conn))
    if not known:
        record_refusal(request, caller, action, 404)
        raise NotFound(Message("no such trial in the register"))
    try:
        return evaluation.evaluate(db.engine(request), code)
    except (TrialNotFound, WindowError) as error:
        raise Refused(error.message) from None
    except ValueError as error:
        log.warning("trial %s not evaluated: %s", code, type(error).__name__)
        # the estimators gave up (too few citizens to estimate on): the caller's answer is
        # a refusal in their language, not a server error
        raise Refused(
            Message("the trial cannot be evaluated yet: too few citizens to estimate on")
        ) from None
