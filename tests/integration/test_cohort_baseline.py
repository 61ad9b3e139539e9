"""The benchmark's pandas baseline and ``cohort.cohort()`` build the same cohort frame.

benchmarks/evaluate.py times the per-citizen step in the database engine against a
straightforward pandas implementation of it (benchmarks/cohort_pandas.py). The comparison
is only honest if both compute the same thing: here, on a small synthetic job centre on
each backend, every row (by citizen_id) and every column must agree. Two independent
implementations also catch each other's bugs (windows, filters, the status two calendar
months after the exit, its priority, the primary contact on the start day).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from caseload.evaluate import cohort
from caseload.synth import jobcentre

# benchmarks/ is a folder of scripts, not a package: put it on sys.path to import the baseline
BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))
import cohort_pandas  # noqa: E402

RTOL = 1e-9
"""Floats (ages in years, summed paid hours) may differ in the last bits: PostgreSQL
divides in numeric, and the two sum the hours in different orders."""


def assert_same_frame(engine_frame: pd.DataFrame, baseline: pd.DataFrame) -> None:
    assert list(baseline.columns) == list(engine_frame.columns)
    assert baseline["citizen_id"].is_unique
    np.testing.assert_array_equal(
        baseline["citizen_id"].to_numpy(), engine_frame["citizen_id"].to_numpy()
    )
    problems = []
    for name in engine_frame.columns:
        ours, theirs = engine_frame[name], baseline[name]
        missing = ours.isna().to_numpy()
        if not np.array_equal(missing, theirs.isna().to_numpy()):
            rows = np.flatnonzero(missing != theirs.isna().to_numpy())
            problems.append(
                f"{name}: missing in one only, citizens "
                f"{engine_frame['citizen_id'].iloc[rows[:5]].tolist()}"
            )
            continue
        a = ours[~missing].to_numpy()
        b = theirs[~missing].to_numpy()
        if a.dtype.kind == "f" or b.dtype.kind == "f":
            same = np.isclose(a.astype(float), b.astype(float), rtol=RTOL, atol=RTOL)
        else:
            same = a.astype(object) == b.astype(object)
        if not same.all():
            first = np.flatnonzero(~same)[:5]
            problems.append(
                f"{name}: {int((~same).sum())} differ, e.g. engine {a[first]} vs pandas {b[first]}"
            )
    assert not problems, "\n".join(problems)


def test_pandas_baseline_equals_the_engine_cohort(engine: Engine) -> None:
    jobcentre.write(engine, jobcentre.simulate(citizens=3000, seed=7))
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as conn:
        if postgres:
            # the bulk load analyses only tables of 1,000+ rows (not the ~630 assignments
            # here); without statistics (autovacuum off or not yet run) the planner re-runs
            # each grouped subquery per citizen: 12 s instead of 0.1 s at this size
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        baseline = cohort_pandas.cohort(conn, jobcentre.TRIAL_CODE)
        found = cohort.trial(conn, jobcentre.TRIAL_CODE)
        frame = cohort.cohort(conn, found, cohort.window(found)).to_pandas()
    # a frame with something in every outcome, or the comparison proves little
    assert len(frame) > 300
    assert frame["exited"].sum() > 50 and (frame["exited"] == 0).sum() > 50
    assert frame["status"].nunique() >= 5
    for name in (
        "placements",
        "plans",
        "meetings_held",
        "paid_hours",
        "rec_resource_course",
        "on_kh_at_end",
        "long_term_at_end",
    ):
        assert frame[name].sum() > 0, name
    assert frame["caseworker"].notna().mean() > 0.9
    assert_same_frame(frame, baseline)
