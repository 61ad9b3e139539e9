"""The pooled evaluation across job centres, against statsmodels 0.14.5 and a published
worked example.

Every reference value is computed here by statsmodels, copied from a cited publication,
or derived from first principles on generated data; nothing is copied from a run of
``caseload.evaluate.pooled`` or ``caseload.evaluate.cox``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from statsmodels.duration.hazard_regression import PHReg

from caseload.evaluate.cox import cox, proportional_hazards_test, schoenfeld_residuals

# ---------------------------------------------------------------- stratified Cox


@dataclass
class Centres:
    time: np.ndarray
    event: np.ndarray
    X: np.ndarray
    centre: np.ndarray
    caseworker: np.ndarray


def three_centres(seed: int, n: int = 900) -> Centres:
    """Three job centres with Weibull exits of their own scale and shape (so their
    baseline hazards are not proportional to each other), arm 1:1, age standardised, and
    within each centre proportional hazards for arm and age; whole days (ties), censored
    by drop-out and the 365-day window. Centre labels are strings, as in the register."""
    rng = np.random.default_rng(seed)
    centre = rng.integers(0, 3, n)
    arm = rng.integers(0, 2, n)
    age = rng.normal(0.0, 1.0, n)
    scale = np.array([0.002, 0.004, 0.008])[centre] * np.exp(math.log(1.5) * arm + 0.3 * age)
    shape = np.array([0.8, 1.0, 1.3])[centre]  # Weibull: the hazards are not proportional
    exit_day = np.ceil(rng.exponential(1.0, n) ** (1 / shape) / scale)
    drop_out = np.ceil(rng.uniform(30, 900, n))
    time = np.minimum(np.minimum(exit_day, drop_out), 365.0)
    event = ((exit_day <= drop_out) & (exit_day <= 365)).astype(int)
    names = np.array(["Aarhus", "Odense", "Vejle"])
    return Centres(time, event, np.column_stack([arm, age]), names[centre], rng.integers(0, 40, n))


@pytest.mark.parametrize("seed", [3, 11])
def test_stratified_cox_matches_statsmodels(seed: int) -> None:
    d = three_centres(seed)
    ours = cox(d.time, d.event, d.X, ["arm", "age"], strata=d.centre)
    # PHReg(time, X, status=event, strata=strata, ties="breslow").fit()
    ref = PHReg(d.time, d.X, status=d.event, strata=d.centre, ties="breslow").fit()
    np.testing.assert_allclose(ours.coef, ref.params, rtol=1e-6)
    np.testing.assert_allclose(ours.se, ref.bse, rtol=1e-6)
    assert ours.loglik == pytest.approx(ref.llf, rel=1e-10)
    # the baselines differ by centre, so stratifying changes the fit
    unstratified = cox(d.time, d.event, d.X, ["arm", "age"])
    assert abs(unstratified.coef[0] - ours.coef[0]) > 1e-4


def test_stratified_cluster_robust_se_matches_statsmodels() -> None:
    d = three_centres(5)
    ours = cox(d.time, d.event, d.X, ["arm", "age"], cluster=d.caseworker, strata=d.centre)
    # PHReg(..., strata=strata, ties="breslow").fit(groups=caseworker)
    ref = PHReg(d.time, d.X, status=d.event, strata=d.centre, ties="breslow").fit(
        groups=d.caseworker
    )
    np.testing.assert_allclose(ours.coef, ref.params, rtol=1e-6)
    np.testing.assert_allclose(ours.se, ref.bse, rtol=1e-6)
    assert ours.se_kind == "cluster"


def test_stratified_schoenfeld_residuals_match_statsmodels() -> None:
    d = three_centres(7)
    fit = cox(d.time, d.event, d.X, ["arm", "age"], strata=d.centre)
    ours = schoenfeld_residuals(d.time, d.event, d.X, fit.coef, strata=d.centre)
    model = PHReg(d.time, d.X, status=d.event, strata=d.centre, ties="breslow")
    # PHRegResults.schoenfeld_residuals: NaN for censored rows, residuals within strata
    ref = model.fit().schoenfeld_residuals
    np.testing.assert_allclose(ours.residuals, ref[ours.index], rtol=1e-6, atol=1e-9)
    assert not np.isnan(ref[ours.index]).any()
    assert np.isnan(np.delete(ref, ours.index, axis=0)).all()


def test_one_stratum_is_the_unstratified_model() -> None:
    d = three_centres(9)
    one = cox(d.time, d.event, d.X, ["arm", "age"], strata=np.full(d.time.shape[0], "Vejle"))
    plain = cox(d.time, d.event, d.X, ["arm", "age"])
    np.testing.assert_allclose(one.coef, plain.coef, rtol=1e-12)
    np.testing.assert_allclose(one.se, plain.se, rtol=1e-12)
    assert one.ph_test is not None and plain.ph_test is not None
    np.testing.assert_allclose(one.ph_test.chi2, plain.ph_test.chi2, rtol=1e-10)


def test_stratified_fit_is_the_sum_of_the_centres_likelihoods() -> None:
    """First principles: with strata, the partial log-likelihood is the sum of each centre's
    own; at one β, the sum of three unstratified fits' log-likelihoods (each at that β)."""
    d = three_centres(13)
    fit = cox(d.time, d.event, d.X, ["arm", "age"], strata=d.centre, ph_check=False)
    total = 0.0
    for name in np.unique(d.centre):
        rows = d.centre == name
        model = PHReg(d.time[rows], d.X[rows], status=d.event[rows], ties="breslow")
        total += model.loglike(np.asarray(fit.coef))  # PHReg.loglike(params)
    assert fit.loglik == pytest.approx(total, rel=1e-10)


def test_stratified_ph_test_runs_for_every_transform() -> None:
    d = three_centres(17)
    fit = cox(d.time, d.event, d.X, ["arm", "age"], strata=d.centre)
    for transform in ("km", "rank", "identity", "log"):
        ph = proportional_hazards_test(fit, d.time, d.event, d.X, transform, strata=d.centre)
        assert ph.chi2.shape == (2,) and np.all(np.isfinite(ph.chi2))
        assert 0 <= ph.global_p <= 1


def test_strata_labels_are_checked() -> None:
    d = three_centres(19, n=60)
    with pytest.raises(ValueError, match="strata has 59 labels for 60 units"):
        cox(d.time, d.event, d.X, ["arm", "age"], strata=d.centre[:-1])
    labels = d.centre.astype(object)
    labels[4] = None
    with pytest.raises(ValueError, match="strata contains missing labels"):
        cox(d.time, d.event, d.X, ["arm", "age"], strata=labels)


def test_a_centre_level_covariate_is_rejected_under_stratification() -> None:
    """A covariate constant within every centre has no within-centre contrast."""
    d = three_centres(23)
    level = (d.centre == "Odense").astype(float)
    with pytest.raises(ValueError, match="singular"):
        cox(
            d.time,
            d.event,
            np.column_stack([d.X, level]),
            ["arm", "age", "odense"],
            strata=d.centre,
        )
