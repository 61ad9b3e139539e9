"""The microsimulation's starting point for the planning page, kept per app.

The register's trial gives it (its control arm: ``plan.calibrate.calibrate``, the first
trial when there are several); a register without a trial, or one whose trial cannot be
calibrated on yet or is too thin to simulate on (``calibrate.too_thin``), gets the shipped
demo defaults (``plan.calibrate.demo``), and the page says which. Calibrating reads the
trial's cohort (a second or so on a job centre's register), so it is kept for the server's
``evaluation_kept`` as evaluations are (``serve.evaluations``); readers asking at once wait
for one run. The last few simulations are kept too (``simulated``), by their calibration
and settings."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from fastapi import Request

from caseload.evaluate.trials import trials
from caseload.i18n import Message
from caseload.plan import calibrate, microsim
from caseload.plan.calibrate import Calibration
from caseload.plan.microsim import Result, Settings
from caseload.serve import db
from caseload.serve.guard import settings_of


@dataclass(frozen=True)
class Calibrated:
    calibration: Calibration
    trial: str | None
    """The trial calibrated on; None: the shipped defaults."""
    why: Message | None
    """Why the shipped defaults stand in (no trial, or the trial's refusal)."""
    at: float
    """``time.monotonic()`` when it was made."""


class _Kept:
    def __init__(self) -> None:
        self.found: Calibrated | None = None
        self.results: dict[tuple[Calibration, Settings], Result] = {}
        self.lock = threading.Lock()


def _kept(request: Request) -> _Kept:
    state = request.app.state
    found = getattr(state, "calibrations", None)
    if found is None:  # made once per app; a race here only costs one extra run
        found = state.calibrations = _Kept()
    return found


def calibrated(request: Request) -> Calibrated:
    """The register's calibration, kept from an earlier run when it is young enough."""
    kept_for = settings_of(request).evaluation_kept.total_seconds()
    store = _kept(request)
    with store.lock:
        found = store.found
        if found is not None and time.monotonic() - found.at < kept_for:
            return found
        found = _run(request)
        if kept_for > 0:
            store.found = found
        return found


def _run(request: Request) -> Calibrated:
    started = time.monotonic()
    with db.reading(request) as conn:
        known = trials(conn)
        if not known:
            return Calibrated(calibrate.demo(), None, Message("the register has no trial"), started)
        code = known[0].code
        try:
            found = calibrate.calibrate(conn, code)
        except calibrate.CalibrationError as error:
            return Calibrated(calibrate.demo(), None, error.message, started)
    thin = calibrate.too_thin(found)
    if thin is not None:
        return Calibrated(calibrate.demo(), None, thin, started)
    return Calibrated(found, code, None, started)


SIMULATIONS_KEPT = 16


def simulated(request: Request, cal: Calibration, settings: Settings) -> Result:
    """The simulation of ``settings`` on ``cal``, kept (the last few) so that the page
    and its section, or a reader going back, do not run it again."""
    store = _kept(request)
    key = (cal, settings)
    with store.lock:
        found = store.results.get(key)
    if found is not None:
        return found
    result = microsim.simulate(cal, settings)
    with store.lock:
        store.results[key] = result
        while len(store.results) > SIMULATIONS_KEPT:
            store.results.pop(next(iter(store.results)))
    return result
