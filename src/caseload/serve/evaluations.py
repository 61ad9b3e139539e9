"""A trial's evaluation for whoever may read it (the API's trial routes and the analyst's
pages): the trial known, or 404 (audited); the evaluation run on the register, or a
refusal in words when it cannot be (the window, too few citizens).

An evaluation takes seconds on a job centre's register, and an analyst reading the
dashboard, the report and a few tables would run it for each. So a worker keeps each
trial's last evaluation for ``Settings.evaluation_kept`` (five minutes by default) and
serves it again with the moment it was made; readers asking at once wait for one run, and
asking ``fresh`` runs it again."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from caseload.evaluate import evaluation
from caseload.evaluate.cohort import TrialNotFound, WindowError
from caseload.evaluate.evaluation import Evaluation
from caseload.evaluate.trials import trials
from caseload.i18n import Message
from caseload.operate.refusals import NotFound, Refused
from caseload.serve import db
from caseload.serve.guard import Caller, record_refusal, settings_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kept:
    evaluation: Evaluation
    made: datetime
    """When it was run on the register (the server's clock)."""
    seconds: float
    """How long the run took."""
    at: float
    """``time.monotonic()`` when it was made."""


class Evaluations:
    """One app's kept evaluations, by trial, and a lock per trial so that one run serves
    the readers who asked while it ran."""

    def __init__(self) -> None:
        self.kept: dict[str, Kept] = {}
        self.locks: dict[str, threading.Lock] = {}
        self.guard = threading.Lock()

    def lock(self, code: str) -> threading.Lock:
        with self.guard:
            return self.locks.setdefault(code, threading.Lock())


def _evaluations(request: Request) -> Evaluations:
    state = request.app.state
    found = getattr(state, "evaluations", None)
    if found is None:  # made once per app; a race here only costs one extra run
        found = state.evaluations = Evaluations()
    return found


def evaluated(request: Request, caller: Caller, code: str, action: str) -> Evaluation:
    return evaluated_kept(request, caller, code, action).evaluation


def evaluated_kept(
    request: Request, caller: Caller, code: str, action: str, fresh: bool = False
) -> Kept:
    """The trial's evaluation, kept from an earlier run when it is young enough."""
    with db.reading(request) as conn:
        known = any(t.code == code for t in trials(conn))
    if not known:
        record_refusal(request, caller, action, 404)
        raise NotFound(Message("no such trial in the register"))
    kept_for = settings_of(request).evaluation_kept.total_seconds()
    store = _evaluations(request)
    with store.lock(code):
        found = store.kept.get(code)
        if found is not None and not fresh and time.monotonic() - found.at < kept_for:
            return found
        started = time.monotonic()
        made = datetime.now()
        result = _run(request, code)
        found = Kept(result, made, time.monotonic() - started, started)
        if kept_for > 0:
            store.kept[code] = found
        return found


def _run(request: Request, code: str) -> Evaluation:
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
