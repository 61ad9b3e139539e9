"""A trial in several job centres (evaluate/centres.py): each centre's counts and effects
taken from the cohort frame, pooled by the pooling module's own functions (whose numbers
tests/unit/test_pooled.py checks against statsmodels and the literature)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from caseload.evaluate import centres, pooled
from caseload.evaluate.cox import cox


def cohort(seed: int = 3) -> pl.DataFrame:
    """Three centres of different sizes and job rates, a fourth with one arm only."""
    rng = np.random.default_rng(seed)
    rows = []
    for code, n, base, effect in (("101", 900, 0.10, 0.04), ("751", 500, 0.15, 0.02),
                                  ("461", 300, 0.08, 0.06)):  # fmt: skip
        arm = rng.permutation(np.repeat(["trial", "control"], [n // 2, n - n // 2]))
        p = np.where(arm == "trial", base + effect, base)
        job = rng.random(n) < p
        other = ~job & (rng.random(n) < 0.2)
        status = np.where(job, "job", np.where(other, "education", None))
        time = np.where(job | other, rng.integers(1, 700, n), 730).astype(float)
        for i in range(n):
            rows.append((code, arm[i], status[i], int(rng.random() < 0.3), time[i],
                         int(job[i] or other[i])))  # fmt: skip
    rows += [("851", "trial", "job", 0, 10.0, 1), ("851", "trial", None, 0, 730.0, 0)]
    return pl.DataFrame(
        rows,
        schema=["jobcentre", "arm", "status", "placements", "time", "exited"],
        orient="row",
    )


def test_each_centres_counts_and_the_pooled_effects() -> None:
    frame = cohort()
    found = centres.by_centre(frame, alpha=0.05)
    assert found is not None
    assert found.codes == ("101", "461", "751") and found.left_out == ("851",)
    job = found.outcome("job")
    for code, counts in zip(found.codes, job.counts, strict=True):
        part = frame.filter(pl.col("jobcentre") == code)
        trial = part.filter(pl.col("arm") == "trial")
        control = part.filter(pl.col("arm") == "control")
        assert counts == (
            int((trial.get_column("status") == "job").sum()),
            trial.height,
            int((control.get_column("status") == "job").sum()),
            control.height,
        )
    a, n1, c, n0 = (np.array(x) for x in zip(*job.counts, strict=True))
    mh = pooled.pooled_risk_difference(a, n1, c, n0)
    assert job.mantel_haenszel.estimate == pytest.approx(mh.estimate)
    assert job.mantel_haenszel.ci_low == pytest.approx(mh.ci_low)
    rd = a / n1 - c / n0
    assert job.centres.estimate == pytest.approx(rd)
    both = pooled.pool(job.centres)
    assert job.pooling.random.estimate == pytest.approx(both.random.estimate)
    # placements come from the placements column
    placed = found.outcome("company_placement")
    assert sum(x[0] + x[2] for x in placed.counts) == int(
        frame.filter(pl.col("jobcentre") != "851").get_column("placements").sum()
    )


def test_the_hazard_ratio_is_stratified_by_centre() -> None:
    frame = cohort()
    found = centres.by_centre(frame)
    assert found is not None and found.hazards.centres is not None
    kept = frame.filter(pl.col("jobcentre") != "851")
    strata = kept.get_column("jobcentre").cast(pl.Categorical).to_physical().to_numpy()
    arm = (kept.get_column("arm") == "trial").to_numpy().astype(float)
    direct = cox(kept.get_column("time").to_numpy(), kept.get_column("exited").to_numpy(),
                 arm, ["arm"], ph_check=False, strata=strata)  # fmt: skip
    assert found.hazards.stratified.coef[0] == pytest.approx(direct.coef[0], rel=1e-9)
    assert found.hazards.centres.k == 3


def test_one_centre_is_no_pooling() -> None:
    frame = cohort().filter(pl.col("jobcentre") == "101")
    assert centres.by_centre(frame) is None
    assert centres.by_centre(frame.drop("jobcentre")) is None
