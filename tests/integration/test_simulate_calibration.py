"""The microsimulation calibrated on the demo register reproduces the register's own
control-arm exits at the calibration point (its caseload, shape none, the calibrated
caseworker changes, no entrants), within Monte Carlo error at the arm's size."""

from __future__ import annotations

import math

import numpy as np
from sqlalchemy import Engine

from caseload.evaluate import cohort
from caseload.plan import calibrate, microsim
from caseload.plan.microsim import Policy, Settings
from caseload.plan.response import DESTINATIONS
from caseload.store.database import reader


def test_the_calibration_point_reproduces_the_control_arm(demo: Engine) -> None:
    with reader(demo).connect() as conn:
        cal = calibrate.calibrate(conn)
        found = cohort.trial(conn, None)
        frame = cohort.cohort(conn, found, cohort.window(found))
    control = frame.filter(frame["arm"] == "control")
    n = control.height
    assert sum(cal.citizens) == n
    # the register's own rates, read here from the cohort (not from the calibration)
    statuses = control["status"].to_list()
    observed = {
        d: sum(1 for s in statuses if s is not None and (s if s in DESTINATIONS else "other") == d)
        / n
        for d in DESTINATIONS
    }
    months = float(control["time"].sum()) / n / microsim.DAYS_PER_MONTH
    settings = Settings(
        policies=(Policy(cal.caseload),),
        shapes=("none",),
        citizens=n,
        weeks=round(cal.weeks),
        reps=400,
        workers=2,
        entrants=False,
    )
    result = microsim.simulate(cal, settings)
    policy = settings.policies[0]
    total = result.values("none", policy, "cohort_exits") / n
    # the register is one draw of a job centre of its size: within 4 replication SDs
    assert abs(sum(observed.values()) - total.mean()) < 4 * total.std()
    for d in DESTINATIONS:
        simulated = result.values("none", policy, f"cohort_exits_{d}") / n
        assert abs(observed[d] - simulated.mean()) < 4 * simulated.std(), d
    sim_months = result.values("none", policy, "cohort_months") / n
    assert abs(months - sim_months.mean()) < 4 * sim_months.std()
    # the Monte Carlo error of the mean is far smaller: the match is not loose by size
    assert total.std() / math.sqrt(settings.reps) < 0.002
    assert np.isclose(cal.caseload, 130, atol=5)


def test_the_shipped_defaults_are_the_demo_calibrated(demo: Engine) -> None:
    with reader(demo).connect() as conn:
        cal = calibrate.calibrate(conn)
    shipped = calibrate.demo()
    assert cal.citizens == shipped.citizens
    assert cal.exits == shipped.exits
    assert np.allclose(cal.exposure, shipped.exposure)
    assert math.isclose(cal.caseload, shipped.caseload)
    assert math.isclose(cal.handoff_rate, shipped.handoff_rate)
    assert cal.role_model == shipped.role_model == "all_apart"
