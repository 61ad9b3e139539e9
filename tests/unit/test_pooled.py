"""The pooled evaluation across job centres, against statsmodels 0.14.5 and a published
worked example.

Every reference value is computed here by statsmodels, copied from a cited publication,
or derived from first principles on generated data; nothing is copied from a run of
``caseload.evaluate.pooled`` or ``caseload.evaluate.cox``.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.meta_analysis import combine_effects, effectsize_2proportions

from caseload import charts
from caseload.evaluate import figures as evaluate_figures
from caseload.evaluate.cox import (
    cox,
    not_estimable,
    proportional_hazards_test,
    schoenfeld_residuals,
)
from caseload.evaluate.pooled import (
    CentreEstimates,
    fixed_effect,
    heterogeneity,
    jobcentre_log_hazard_ratios,
    jobcentre_risk_differences,
    pool,
    pooled_odds_ratio,
    pooled_risk_difference,
    pooled_risk_ratio,
    random_effects,
)

START, END = date(2018, 1, 1), date(2019, 12, 31)

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


# ---------------------------------------------------------------- per-centre counts


@dataclass
class Tables:
    """One 2×2 table per job centre: events and units in the trial and control arm."""

    trial_events: np.ndarray
    trial_n: np.ndarray
    control_events: np.ndarray
    control_n: np.ndarray

    def args(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.trial_events, self.trial_n, self.control_events, self.control_n

    def statsmodels(self) -> StratifiedTable:
        """Rows trial, control; columns event, no event (StratifiedTable's a, b / c, d)."""
        tables = [
            np.array([[a, n1 - a], [c, n0 - c]]) for a, n1, c, n0 in zip(*self.args(), strict=True)
        ]
        return StratifiedTable(tables)


def job_centres(seed: int, k: int = 6, heterogeneous: bool = True) -> Tables:
    """``k`` job centres of 60..400 units per arm; control rates 20..50 %, and a trial
    effect that differs by centre (or is the same, +8 points, when not heterogeneous)."""
    rng = np.random.default_rng(seed)
    trial_n = rng.integers(60, 400, k)
    control_n = rng.integers(60, 400, k)
    base = rng.uniform(0.2, 0.5, k)
    effect = rng.uniform(-0.1, 0.3, k) if heterogeneous else np.full(k, 0.08)
    return Tables(
        rng.binomial(trial_n, base + effect), trial_n, rng.binomial(control_n, base), control_n
    )


# ---------------------------------------------------------------- inverse variance, DL


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fixed_and_random_effects_match_statsmodels(seed: int) -> None:
    centres = jobcentre_risk_differences(*job_centres(seed).args())
    ours = pool(centres)
    # combine_effects(eff, var, method_re="dl")
    ref = combine_effects(centres.estimate, centres.variance, method_re="dl")
    assert ref.tau2 > 0  # heterogeneous: statsmodels' untruncated τ² and I² are ours
    assert ours.fixed.estimate == pytest.approx(ref.mean_effect_fe, rel=1e-12)
    assert ours.fixed.se == pytest.approx(ref.sd_eff_w_fe, rel=1e-12)
    assert ours.random.estimate == pytest.approx(ref.mean_effect_re, rel=1e-12)
    assert ours.random.se == pytest.approx(ref.sd_eff_w_re, rel=1e-12)
    assert ours.heterogeneity.q == pytest.approx(ref.q, rel=1e-12)  # combine_effects(...).q
    assert ours.heterogeneity.i2 == pytest.approx(ref.i2, rel=1e-12)  # combine_effects(...).i2
    assert ours.heterogeneity.tau2 == pytest.approx(ref.tau2, rel=1e-12)  # (...).tau2
    # combine_effects(...).test_homogeneity().pvalue: Q against χ²(k − 1)
    assert ours.heterogeneity.q_p == pytest.approx(ref.test_homogeneity().pvalue, rel=1e-10)
    # combine_effects(...).conf_int(alpha=0.05, use_t=False)[0] (fixed) and [1] (random)
    ci_fe, ci_re, *_ = ref.conf_int(alpha=0.05, use_t=False)
    assert (ours.fixed.ci_low, ours.fixed.ci_high) == pytest.approx(tuple(ci_fe), rel=1e-12)
    assert (ours.random.ci_low, ours.random.ci_high) == pytest.approx(tuple(ci_re), rel=1e-12)
    # two-sided Wald p of the pooled estimate, from statsmodels' estimate and SE
    z = ref.mean_effect_re / ref.sd_eff_w_re
    assert ours.random.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-10)
    assert ours.heterogeneity.k == 6 and ours.fixed.k == 6


def test_log_hazard_ratios_pool_on_the_log_scale() -> None:
    """A Cox fit per job centre; the log hazard ratios are pooled and reported as ratios."""
    d = three_centres(31)
    fits = [
        cox(d.time[d.centre == c], d.event[d.centre == c], d.X[d.centre == c], ["arm", "age"])
        for c in ("Aarhus", "Odense", "Vejle")
    ]
    centres = jobcentre_log_hazard_ratios(fits, "arm")
    ours = pool(centres, alpha=0.10)
    log_hr = np.array([f.coef[0] for f in fits])
    var = np.array([f.se[0] ** 2 for f in fits])
    # combine_effects(log HR, var, method_re="dl"), alpha 0.10
    ref = combine_effects(log_hr, var, method_re="dl", alpha=0.10)
    ci_fe, ci_re, *_ = ref.conf_int(alpha=0.10, use_t=False)
    assert ref.tau2 > 0  # the centres differ (HR 1.5 to the power of their Weibull shape)
    assert ours.heterogeneity.tau2 == pytest.approx(ref.tau2, rel=1e-12)
    assert ours.fixed.ratio and ours.fixed.measure == "hazard ratio"
    assert math.log(ours.fixed.estimate) == pytest.approx(ref.mean_effect_fe, rel=1e-12)
    assert ours.fixed.se == pytest.approx(ref.sd_eff_w_fe, rel=1e-12)
    assert (ours.fixed.ci_low, ours.fixed.ci_high) == pytest.approx(tuple(np.exp(ci_fe)))
    assert math.log(ours.random.estimate) == pytest.approx(ref.mean_effect_re, rel=1e-12)
    assert (ours.random.ci_low, ours.random.ci_high) == pytest.approx(tuple(np.exp(ci_re)))
    assert ours.heterogeneity.q == pytest.approx(ref.q, rel=1e-12)
    # per-centre rows on the natural scale
    rows = centres.intervals(0.10)
    np.testing.assert_allclose(rows[:, 0], np.exp(log_hr), rtol=1e-12)


def test_homogeneous_centres_truncate_tau2_and_i2_at_zero() -> None:
    """With Q below its degrees of freedom, DerSimonian–Laird's τ² and Higgins–Thompson's
    I² are 0 (statsmodels reports them negative), so random equals fixed."""
    estimates = np.array([0.10, 0.11, 0.09, 0.10, 0.105])
    variances = np.array([0.01, 0.02, 0.015, 0.01, 0.03])
    ours = pool(CentreEstimates("risk difference", estimates, variances, False, np.zeros(5, bool)))
    ref = combine_effects(estimates, variances, method_re="dl")
    assert ref.tau2 < 0 and ref.i2 < 0  # combine_effects leaves them untruncated
    assert ours.heterogeneity.tau2 == 0 and ours.heterogeneity.i2 == 0
    assert ours.heterogeneity.q == pytest.approx(ref.q, rel=1e-12)
    assert ours.random.estimate == pytest.approx(ours.fixed.estimate, rel=1e-15)
    assert ours.random.se == pytest.approx(ours.fixed.se, rel=1e-15)


# ---------------------------------------------------------------- Mantel–Haenszel


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_mantel_haenszel_odds_ratio_matches_statsmodels(seed: int) -> None:
    tables = job_centres(seed)
    ref = tables.statsmodels()
    ours = pooled_odds_ratio(*tables.args(), alpha=0.10)
    assert ours.estimate == pytest.approx(ref.oddsratio_pooled, rel=1e-12)  # .oddsratio_pooled
    assert ours.se == pytest.approx(ref.logodds_pooled_se, rel=1e-12)  # .logodds_pooled_se
    # .oddsratio_pooled_confint(alpha=0.10)
    low, high = ref.oddsratio_pooled_confint(alpha=0.10)
    assert (ours.ci_low, ours.ci_high) == pytest.approx((low, high), rel=1e-12)
    assert ours.test == "cmh"
    # .test_null_odds(correction=False).pvalue
    assert ours.p_value == pytest.approx(ref.test_null_odds().pvalue, rel=1e-10)
    corrected = pooled_odds_ratio(*tables.args(), correction=True)
    # .test_null_odds(correction=True).pvalue
    assert corrected.p_value == pytest.approx(ref.test_null_odds(correction=True).pvalue, rel=1e-10)


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_mantel_haenszel_risk_ratio_matches_statsmodels(seed: int) -> None:
    tables = job_centres(seed)
    ours = pooled_risk_ratio(*tables.args())
    # StratifiedTable(tables).riskratio_pooled (statsmodels has no variance for it)
    assert ours.estimate == pytest.approx(tables.statsmodels().riskratio_pooled, rel=1e-12)


# Rothman KJ, Greenland S, Lash TL. Modern Epidemiology, 3rd ed. Lippincott Williams &
# Wilkins 2008, chapter 15 (Greenland & Rothman, "Introduction to stratified analysis"),
# Table 15-1 (p. 260): the UGDP multicentre trial of tolbutamide against placebo, deaths by
# age, with the Mantel–Haenszel estimates at 90 % confidence worked in the text. The
# numbers are quoted as replicated to 4 decimals in metafor's analysis example of the
# chapter (metafor-project.org, "analyses:rothman2008"; tests/testthat/
# test_analysis_example_rothman2008.r in wviechtb/metafor), which notes the one place the
# chapter prints otherwise: the risk difference's upper limit, "0.088 in chapter" against
# 0.0874. (That 0.088 is 0.035 + 1.645 × 0.032, the limit from the rounded estimate and
# standard error, is our reading; the chapter itself was not available to us.)
TOLBUTAMIDE = Tables(  # age < 55, age 55+; deaths / patients
    trial_events=np.array([8, 22]),
    trial_n=np.array([8 + 98, 22 + 76]),
    control_events=np.array([5, 16]),
    control_n=np.array([5 + 115, 16 + 69]),
)


def test_risk_difference_reproduces_modern_epidemiology_table_15_1() -> None:
    ours = pooled_risk_difference(*TOLBUTAMIDE.args(), alpha=0.10)
    assert ours.estimate == pytest.approx(0.0349, abs=5e-5)  # rma.mh(measure="RD"): 0.0349
    assert ours.ci_low == pytest.approx(-0.0176, abs=5e-5)  # 90 % lower limit -0.0176
    assert ours.ci_high == pytest.approx(0.0874, abs=5e-5)  # 90 % upper limit 0.0874
    assert ours.ci_high == pytest.approx(0.088, abs=1e-3)  # "0.088 in chapter"
    assert round(ours.estimate, 3) == 0.035 and round(ours.se, 3) == 0.032  # see above
    # Sato's and Greenland–Robins' variances nearly agree for two large strata
    gr = pooled_risk_difference(*TOLBUTAMIDE.args(), alpha=0.10, variance="greenland-robins")
    assert gr.estimate == ours.estimate
    assert gr.se == pytest.approx(ours.se, rel=1e-3)


def test_risk_and_odds_ratio_reproduce_modern_epidemiology_table_15_1() -> None:
    """The ratios as metafor's replication of the chapter gives them (4 decimals, 90 %);
    it notes no difference from the chapter for these."""
    rr = pooled_risk_ratio(*TOLBUTAMIDE.args(), alpha=0.10)
    assert rr.estimate == pytest.approx(1.3256, abs=5e-5)  # rma.mh(measure="RR"): 1.3256
    assert rr.ci_low == pytest.approx(0.8658, abs=5e-5)  # 90 % lower limit 0.8658
    assert rr.ci_high == pytest.approx(2.0296, abs=5e-5)  # 90 % upper limit 2.0296
    odds = pooled_odds_ratio(*TOLBUTAMIDE.args(), alpha=0.10)
    assert odds.estimate == pytest.approx(1.4031, abs=5e-5)  # rma.mh(measure="OR"): 1.4031
    assert odds.ci_low == pytest.approx(0.8411, abs=5e-5)  # 90 % lower limit 0.8411
    assert odds.ci_high == pytest.approx(2.3409, abs=5e-5)  # 90 % upper limit 2.3409
    assert odds.p_value == pytest.approx(0.2750, abs=5e-5)  # MH test, no correction: 0.2750


# The BCG vaccine trials (Colditz et al. 1994, JAMA 271:698; metafor's dat.bcg): the
# pooled risk difference of rma.mh(measure="RD") (Sato) against Stata's
# `metan tpos tneg cpos cneg, fixed nograph rd` (Greenland & Robins 1985), as quoted in
# metafor's tests/testthat/test_misc_metan_vs_rma.mh_with_dat.bcg.r: estimate -0.0033,
# 95 % CI -0.0039 to -0.0027, z -11.4708 (metafor) and 11.56 (Stata).
BCG = Tables(
    trial_events=np.array([4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27]),
    trial_n=np.array([4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27])
    + np.array([119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886]),
    control_events=np.array([11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29]),
    control_n=np.array([11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29])
    + np.array([128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825]),
)


def test_the_two_risk_difference_variances_match_metafor_and_stata() -> None:
    sato = pooled_risk_difference(*BCG.args())
    assert round(sato.estimate, 4) == -0.0033  # both: -0.0033
    assert round(sato.ci_low, 4) == -0.0039  # rma.mh: ci.lb -0.0039
    assert round(sato.ci_high, 4) == -0.0027  # rma.mh: ci.ub -0.0027
    assert sato.estimate / sato.se == pytest.approx(-11.4708, abs=5e-5)  # rma.mh: zval
    gr = pooled_risk_difference(*BCG.args(), variance="greenland-robins")
    assert round(abs(gr.estimate / gr.se), 2) == 11.56  # metan: z = 11.56


def test_sato_variance_is_the_papers_formula_by_hand() -> None:
    """Sato (1989) as printed in the SAS PROC FREQ documentation ("Common risk
    difference"), term by term on the tolbutamide tables."""
    a, n1, c, n0 = (x.astype(float) for x in TOLBUTAMIDE.args())
    total = n1 + n0
    w = n1 * n0 / total
    rd = float(((a * n0 - c * n1) / total).sum() / w.sum())
    p = (n1**2 * c - n0**2 * a + n1 * n0 * (n0 - n1) / 2) / total**2
    q = (a * (n0 - c) + c * (n1 - a)) / (2 * total)
    se = math.sqrt((rd * p.sum() + q.sum()) / w.sum() ** 2)
    ours = pooled_risk_difference(*TOLBUTAMIDE.args())
    assert ours.estimate == pytest.approx(rd, rel=1e-14)
    assert ours.se == pytest.approx(se, rel=1e-14)
    assert ours.p_value == pytest.approx(2 * stats.norm.sf(abs(rd / se)), rel=1e-12)


# ---------------------------------------------------------------- edge cases


def test_a_centre_with_no_events_in_one_arm() -> None:
    """Mantel–Haenszel takes the centre as it is; for inverse-variance pooling of risk
    differences the centre's table gets ½ in each cell, as statsmodels
    ``effectsize_2proportions(..., statistic="diff", zero_correction=0.5)``."""
    tables = job_centres(8, k=4)
    tables.trial_events[2] = 0  # centre 3: no events in the trial arm
    args = tables.args()
    mh = pooled_risk_difference(*args)
    a, n1, c, n0 = (x.astype(float) for x in args)
    total = n1 + n0
    assert mh.estimate == pytest.approx(
        ((a * n0 - c * n1) / total).sum() / (n1 * n0 / total).sum(), rel=1e-14
    )
    assert math.isfinite(mh.se) and mh.se > 0
    odds = pooled_odds_ratio(*args)  # StratifiedTable takes the zero cell too
    assert odds.estimate == pytest.approx(tables.statsmodels().oddsratio_pooled, rel=1e-12)
    assert odds.se == pytest.approx(tables.statsmodels().logodds_pooled_se, rel=1e-12)
    centres = jobcentre_risk_differences(*args)
    np.testing.assert_array_equal(centres.corrected, [False, False, True, False])
    # effectsize_2proportions(count1, nobs1, count2, nobs2, statistic="diff",
    # zero_correction=0.5) for the centre with the zero cell; statsmodels adds the ½ to the
    # events of the other centres too (but not to their n), so they are compared with
    # zero_correction=None
    zero = effectsize_2proportions(*args, statistic="diff", zero_correction=0.5)
    plain = effectsize_2proportions(*args, statistic="diff")
    corrected = centres.corrected
    np.testing.assert_allclose(centres.estimate[corrected], zero[0][corrected], rtol=1e-14)
    np.testing.assert_allclose(centres.variance[corrected], zero[1][corrected], rtol=1e-14)
    np.testing.assert_allclose(centres.estimate[~corrected], plain[0][~corrected], rtol=1e-14)
    np.testing.assert_allclose(centres.variance[~corrected], plain[1][~corrected], rtol=1e-14)
    assert centres.estimate[2] == pytest.approx(0.5 / (n1[2] + 1) - (c[2] + 0.5) / (n0[2] + 1))


def test_a_centre_with_no_events_at_all_needs_the_correction() -> None:
    zero = ([0, 5], [30, 40], [0, 3], [30, 40])
    centres = jobcentre_risk_differences(*zero)
    assert centres.estimate[0] == 0 and centres.variance[0] > 0
    with pytest.raises(ValueError, match="no variance"):
        jobcentre_risk_differences(*zero, correction=0)
    # Mantel–Haenszel: the centre adds weight to a difference of 0
    assert pooled_risk_difference(*zero).estimate == pytest.approx(
        (5 * 40 - 3 * 40) / 80 / (30 * 30 / 60 + 40 * 40 / 80)
    )


def test_no_events_anywhere_leaves_the_ratios_and_tests_undefined() -> None:
    none = ([0, 0], [30, 40], [0, 0], [30, 40])
    rd = pooled_risk_difference(*none)
    assert rd.estimate == 0 and rd.se == 0 and math.isnan(rd.p_value)
    odds = pooled_odds_ratio(*none)
    assert math.isnan(odds.estimate) and math.isnan(odds.ci_low) and math.isnan(odds.p_value)
    assert math.isnan(pooled_risk_ratio(*none).estimate)
    only_control = ([0, 0], [30, 40], [2, 1], [30, 40])
    assert pooled_risk_ratio(*only_control).estimate == 0.0
    assert math.isnan(pooled_risk_ratio(*only_control).ci_low)


def test_a_single_centre_is_its_own_pooled_estimate() -> None:
    a, n1, c, n0 = 30, 120, 20, 118
    centres = jobcentre_risk_differences([a], [n1], [c], [n0])
    ours = pool(centres)
    rd = a / n1 - c / n0
    se = math.sqrt((a / n1) * (1 - a / n1) / n1 + (c / n0) * (1 - c / n0) / n0)
    for result in (ours.fixed, ours.random):
        assert result.estimate == pytest.approx(rd, rel=1e-14)
        assert result.se == pytest.approx(se, rel=1e-14)
        assert result.k == 1
    het = ours.heterogeneity
    assert (het.q, het.i2, het.tau2, het.k, het.df) == (0.0, 0.0, 0.0, 1, 0)
    assert math.isnan(het.q_p)  # no test with 0 degrees of freedom
    assert pooled_risk_difference([a], [n1], [c], [n0]).estimate == pytest.approx(rd, rel=1e-14)
    odds = pooled_odds_ratio([a], [n1], [c], [n0])
    assert odds.estimate == pytest.approx(a * (n0 - c) / ((n1 - a) * c), rel=1e-14)
    # one table: the RBG variance is Woolf's 1/a + 1/b + 1/c + 1/d
    woolf = 1 / a + 1 / (n1 - a) + 1 / c + 1 / (n0 - c)
    assert odds.se == pytest.approx(math.sqrt(woolf), rel=1e-12)
    risk = pooled_risk_ratio([a], [n1], [c], [n0])
    assert risk.estimate == pytest.approx((a / n1) / (c / n0), rel=1e-14)
    # one table: the Greenland–Robins variance is 1/a − 1/n1 + 1/c − 1/n0
    assert risk.se == pytest.approx(math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0), rel=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: pooled_risk_difference([3, 4, 5], [10, 10, 10], [1, 2], [10, 10, 10]),
            "lengths differ: trial_events 3, trial_n 3, control_events 2, control_n 3",
        ),
        (
            lambda: pooled_odds_ratio([3, 4], [10, 10], [1, 2], [10]),
            "lengths differ: trial_events 2, trial_n 2, control_events 2, control_n 1",
        ),
        (
            lambda: fixed_effect([0.1, 0.2, 0.3], [0.01, 0.02]),
            "lengths differ: estimates 3, variances 2",
        ),
        (lambda: heterogeneity([0.1], [0.01, 0.02]), "lengths differ: estimates 1, variances 2"),
        (lambda: pooled_risk_ratio([], [], [], []), "no job centres"),
        (lambda: pooled_risk_ratio([11], [10], [1], [10]), "events must be between 0 and n"),
        (lambda: pooled_risk_ratio([1], [0], [1], [10]), "at least one unit in each arm"),
        (lambda: pooled_risk_ratio([1.5], [10], [1], [10]), "whole numbers"),
        (lambda: pooled_risk_ratio([1], [10], [1], [10], alpha=1.5), "alpha"),
        (lambda: random_effects([0.1, 0.2], [0.01, 0.0]), "every variance must be above 0"),
        (lambda: random_effects([0.1, np.nan], [0.01, 0.1]), "NaN or infinite"),
        (
            lambda: pooled_risk_difference([1], [10], [1], [10], variance="wald"),  # type: ignore[arg-type]
            "variance must be",
        ),
        (lambda: jobcentre_log_hazard_ratios([]), "no job centres"),
    ],
)
def test_invalid_input_raises(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_a_centre_without_an_estimable_hazard_ratio_is_refused() -> None:
    d = three_centres(31)
    fit = cox(d.time, d.event, d.X, ["arm", "age"])
    with pytest.raises(ValueError, match=r"job centre 1: the hazard ratio of 'arm' is not"):
        jobcentre_log_hazard_ratios([fit, not_estimable(["arm", "age"], 10, 0, 0.05)])
    with pytest.raises(ValueError, match="no covariate 'sex'"):
        jobcentre_log_hazard_ratios([fit], "sex")


# ---------------------------------------------------------------- the forest figure

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]


def test_forest_names_every_centre_and_the_pooled_rows() -> None:
    tables = job_centres(12, k=4)
    centres = jobcentre_risk_differences(*tables.args())
    pooled = pool(centres)
    mh = pooled_risk_difference(*tables.args())
    labels = ["Jobcenter Aarhus", "Jobcenter Odense", "Jobcenter Vejle", "Jobcenter Ærø"]
    words = charts.caption("da", "Effekt pr. jobcenter", "forsøg CPH-2018", period=(START, END))
    svg = evaluate_figures.pooled_forest(
        labels,
        centres,
        [
            ("Samlet (Mantel–Haenszel)", mh),
            ("Samlet (fast effekt)", pooled.fixed),
            ("Samlet (tilfældig effekt)", pooled.random),
        ],
        "Forskel i andel (procentpoint)",
        "Jobcenter",
        words,
        percentage_points=True,
    )
    assert svg.startswith("<svg")
    found = svg_texts(svg)
    for text in [*labels, "Samlet (Mantel–Haenszel)", "Samlet (fast effekt)"]:
        assert text in found
    assert "Samlet (tilfældig effekt)" in found
    assert "Effekt pr. jobcenter" in found and "Forskel i andel (procentpoint)" in found


def test_forest_of_hazard_ratios_has_a_ratio_axis_in_the_readers_locale() -> None:
    d = three_centres(37)
    fits = [
        cox(d.time[d.centre == c], d.event[d.centre == c], d.X[d.centre == c], ["arm", "age"])
        for c in ("Aarhus", "Odense", "Vejle")
    ]
    centres = jobcentre_log_hazard_ratios(fits)
    pooled = pool(centres)
    words = charts.caption("da", "Hazard ratio pr. jobcenter", "forsøg", period=(START, END))
    svg = evaluate_figures.pooled_forest(
        ["Aarhus", "Odense", "Vejle"],
        centres,
        [("Samlet", pooled.random)],
        "Hazard ratio (log-skala)",
        "Jobcenter",
        words,
    )
    found = svg_texts(svg)
    assert {"Aarhus", "Odense", "Vejle", "Samlet"} <= set(found)
    assert "1" in found  # the line of no effect is labelled
    assert not any("$" in text or "10^" in text for text in found)  # no maths notation
    assert any("," in text for text in found if text[:1].isdigit())  # 1,5 or 1,25: a comma
    odds = pooled_odds_ratio(*job_centres(3).args())
    with pytest.raises(
        ValueError, match="'OR' pools the odds ratio, the job centres' rows show the hazard ratio"
    ):
        evaluate_figures.pooled_forest(["A", "B", "C"], centres, [("OR", odds)], "x", "y", words)
    rd = pooled_risk_difference(*job_centres(3).args())
    with pytest.raises(ValueError, match="'RD' pools the risk difference"):
        evaluate_figures.pooled_forest(["A", "B", "C"], centres, [("RD", rd)], "x", "y", words)
    with pytest.raises(ValueError, match="2 labels for 3 job centres"):
        evaluate_figures.pooled_forest(["Aarhus", "Odense"], centres, [], "x", "y", words)
