"""Cox regression against statsmodels PHReg (Breslow ties) and against known truths.

Every reference value is computed here by statsmodels 0.14.5 or from first principles on
generated data; nothing is copied from a run of ``caseload.evaluate.cox``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight

from caseload.evaluate.cox import (
    CoxResult,
    cox,
    proportional_hazards_test,
    schoenfeld_residuals,
    score_residuals,
)

NAMES = ("arm", "age", "prior")
LOG_HR = math.log(1.5)


@dataclass
class Trial:
    time: np.ndarray
    event: np.ndarray
    X: np.ndarray
    cluster: np.ndarray


def make_trial(
    seed: int,
    n: int,
    *,
    covariates: bool = True,
    day: float = 1.0,
    clusters: int = 40,
    frailty: float = 0.0,
    continuous: bool = False,
) -> Trial:
    """Arm 1:1, age (standardised) and a prior-spell flag; exponential exits, HR 1.5 for arm.

    Times are rounded up to whole multiples of ``day`` (ties) unless ``continuous``;
    censored by drop-out and by the 365-day window. ``frailty`` is the SD of a log-normal
    caseworker effect shared within clusters.
    """
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 2, n)
    age = rng.normal(0.0, 1.0, n)
    prior = rng.binomial(1, 0.35, n)
    caseworker = rng.integers(0, clusters, n)
    shared = rng.normal(0.0, frailty, clusters)[caseworker] if frailty else 0.0
    lp = LOG_HR * arm + (0.3 * age - 0.4 * prior if covariates else 0.0) + shared
    latent = rng.exponential(1.0 / (0.005 * np.exp(lp)))
    dropout = rng.uniform(20.0, 900.0, n)
    time = np.minimum(np.minimum(latent, dropout), 365.0)
    event = ((latent <= dropout) & (latent <= 365.0)).astype(np.int64)
    if not continuous:
        time = np.ceil(time / day) * day
    X = np.column_stack([arm, age, prior]).astype(float) if covariates else arm[:, None] * 1.0
    return Trial(time, event, X, caseworker)


def sm_fit(d: Trial, groups: np.ndarray | None = None):  # type: ignore[no-untyped-def]
    # statsmodels drops units censored before the first event and reports NaN score
    # residuals for them; the generated data have none (checked here), see the separate test.
    assert d.time[d.event == 0].min() >= d.time[d.event == 1].min()
    model = PHReg(d.time, d.X, status=d.event, ties="breslow")
    return model.fit() if groups is None else model.fit(groups=groups)


def names_for(d: Trial) -> tuple[str, ...]:
    return NAMES[: d.X.shape[1]]


DESIGNS = {
    "three covariates, daily ties": dict(seed=11, n=2500),
    "arm only, daily ties": dict(seed=12, n=2000, covariates=False),
    "three covariates, weekly ties": dict(seed=13, n=2500, day=7.0),
    "three covariates, no ties": dict(seed=14, n=1500, continuous=True),
}


@pytest.fixture(scope="module", params=list(DESIGNS), ids=list(DESIGNS))
def design(request: pytest.FixtureRequest) -> Trial:
    return make_trial(**DESIGNS[request.param])


def test_fit_matches_statsmodels_breslow(design: Trial) -> None:
    ours = cox(design.time, design.event, design.X, names_for(design))
    ref = sm_fit(design)
    # reference: PHReg(time, X, status=event, ties="breslow").fit().params
    np.testing.assert_allclose(ours.coef, ref.params, rtol=0, atol=1e-6)
    # reference: PHReg(time, X, status=event, ties="breslow").fit().bse
    np.testing.assert_allclose(ours.se, ref.bse, rtol=1e-6)
    np.testing.assert_allclose(ours.model_se, ref.bse, rtol=1e-6)
    # reference: PHReg(time, X, status=event, ties="breslow").fit().llf
    assert ours.loglik == pytest.approx(ref.llf, rel=1e-10)
    # reference: PHReg(time, X, status=event, ties="breslow").loglike(zeros) (null model)
    null = PHReg(design.time, design.X, status=design.event, ties="breslow")
    assert ours.loglik > null.loglike(np.zeros(design.X.shape[1]))
    assert ours.se_kind == "model"
    assert ours.clusters is None
    assert ours.n == len(design.time)
    assert ours.events == int(design.event.sum())


def test_cluster_robust_se_matches_statsmodels(design: Trial) -> None:
    ours = cox(design.time, design.event, design.X, names_for(design), cluster=design.cluster)
    ref = sm_fit(design, groups=design.cluster)
    # reference: PHReg(time, X, status=event, ties="breslow").fit(groups=cluster).bse
    np.testing.assert_allclose(ours.se, ref.bse, rtol=1e-6)
    # reference: PHReg(time, X, status=event, ties="breslow").fit(groups=cluster).cov_params()
    np.testing.assert_allclose(ours.cov, ref.cov_params(), rtol=1e-5, atol=1e-12)
    # reference: PHReg(time, X, status=event, ties="breslow").fit(groups=cluster).params
    np.testing.assert_allclose(ours.coef, ref.params, rtol=0, atol=1e-6)
    assert ours.se_kind == "cluster"
    assert ours.clusters == len(np.unique(design.cluster))


def test_cluster_labels_are_only_labels() -> None:
    d = make_trial(21, 2000, frailty=0.5)
    by_int = cox(d.time, d.event, d.X, NAMES, cluster=d.cluster)
    by_name = cox(d.time, d.event, d.X, NAMES, cluster=np.array([f"cw-{c}" for c in d.cluster]))
    np.testing.assert_allclose(by_name.se, by_int.se, rtol=1e-12)
    # reference: PHReg(time, X, status=event, ties="breslow").fit(groups=cluster).bse
    np.testing.assert_allclose(by_int.se, sm_fit(d, groups=d.cluster).bse, rtol=1e-6)
    # a shared caseworker effect makes the clustered arm SE exceed the model-based one
    assert by_int.se[0] > by_int.model_se[0]


def test_units_censored_before_the_first_event() -> None:
    d = make_trial(22, 2000)
    first = d.time[d.event == 1].min()
    early = 5
    time = np.concatenate([np.full(early, first / 2), d.time])
    event = np.concatenate([np.zeros(early, dtype=np.int64), d.event])
    X = np.vstack([np.tile([1.0, 2.0, 1.0], (early, 1)), d.X])
    cluster = np.concatenate([np.arange(early) % 3, d.cluster])
    ours = cox(time, event, X, NAMES, cluster=cluster)
    # statsmodels drops these units from every risk set and gives them NaN score residuals
    # (so its clustered covariance would be NaN); they carry no information, so the
    # reference is the same model without them:
    # reference: PHReg(time, X, status=event, ties="breslow").fit(groups=cluster) on the
    # units with time >= first event time
    ref = sm_fit(d, groups=d.cluster)
    np.testing.assert_allclose(ours.coef, ref.params, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.se, ref.bse, rtol=1e-6)
    assert ours.n == len(time)
    resid = score_residuals(time, event, X, ours.coef)
    np.testing.assert_array_equal(resid[:early], 0.0)


def test_schoenfeld_residuals_match_statsmodels(design: Trial) -> None:
    ref = sm_fit(design)
    ours = schoenfeld_residuals(design.time, design.event, design.X, ref.params)
    sm_resid = ref.schoenfeld_residuals
    # statsmodels: one row per unit, NaN for censored units; ours: one row per event
    np.testing.assert_array_equal(np.sort(ours.index), np.flatnonzero(design.event == 1))
    assert np.all(np.isnan(sm_resid[design.event == 0]))
    assert np.all(np.diff(ours.time) >= 0)
    np.testing.assert_array_equal(ours.time, design.time[ours.index])
    # reference: PHReg(time, X, status=event, ties="breslow").fit().schoenfeld_residuals
    np.testing.assert_allclose(ours.residuals, sm_resid[ours.index], rtol=0, atol=1e-10)
    # at our own estimate as well (the fits agree to ~1e-7)
    fitted = cox(design.time, design.event, design.X, names_for(design), ph_check=False)
    at_ours = schoenfeld_residuals(design.time, design.event, design.X, fitted.coef)
    np.testing.assert_allclose(at_ours.residuals, sm_resid[ours.index], rtol=0, atol=1e-6)
    # Schoenfeld residuals sum to the score, which is zero at the maximum
    # reference: PHReg(time, X, status=event, ties="breslow").score(coef)
    model = PHReg(design.time, design.X, status=design.event, ties="breslow")
    score = at_ours.residuals.sum(axis=0)
    np.testing.assert_allclose(score, model.score(fitted.coef), rtol=1e-6, atol=1e-9)
    assert score @ fitted.cov @ score < 1e-10  # (score in standard-error units)²


def test_score_residuals_match_statsmodels(design: Trial) -> None:
    ref = sm_fit(design)
    ours = score_residuals(design.time, design.event, design.X, ref.params)
    # reference: PHReg(time, X, status=event, ties="breslow").fit().score_residuals
    np.testing.assert_allclose(ours, ref.score_residuals, rtol=0, atol=1e-10)
    # reference: PHReg(time, X, status=event, ties="breslow").score(b) at b = 0.1 * params
    b = 0.1 * np.asarray(ref.params)
    model = PHReg(design.time, design.X, status=design.event, ties="breslow")
    np.testing.assert_allclose(
        score_residuals(design.time, design.event, design.X, b).sum(axis=0),
        model.score(b),
        rtol=1e-9,
        atol=1e-9,
    )


def test_intervals_p_values_and_term() -> None:
    d = make_trial(31, 3000)
    alpha = 0.1
    r = cox(d.time, d.event, d.X, NAMES, alpha=alpha)
    ref = sm_fit(d)
    z = stats.norm.ppf(1 - alpha / 2)
    # reference: exp(PHReg(...).fit().conf_int(alpha=0.1)) (Wald, normal)
    np.testing.assert_allclose(np.log(r.ci), ref.conf_int(alpha=alpha), rtol=0, atol=1e-6)
    np.testing.assert_allclose(np.log(r.ci[:, 1]) - np.log(r.ci[:, 0]), 2 * z * r.se)
    # reference: PHReg(time, X, status=event, ties="breslow").fit().pvalues
    np.testing.assert_allclose(r.p_values, ref.pvalues, rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(r.hazard_ratio, np.exp(r.coef))
    hr, (lo, hi), p = r.term("prior")
    assert (hr, lo, hi, p) == (r.hazard_ratio[2], r.ci[2, 0], r.ci[2, 1], r.p_values[2])
    assert lo < hr < hi
    with pytest.raises(KeyError, match="no covariate 'sex'"):
        r.term("sex")


def test_true_log_hazard_ratio_inside_interval() -> None:
    adjusted_data = make_trial(41, 20_000)
    adjusted = cox(adjusted_data.time, adjusted_data.event, adjusted_data.X, NAMES)
    _, (lo, hi), p = adjusted.term("arm")
    assert lo < 1.5 < hi
    assert p < 1e-6
    # Arm as the only cause: the unadjusted model targets the same hazard ratio
    only_arm = make_trial(42, 20_000, covariates=False)
    unadjusted = cox(only_arm.time, only_arm.event, only_arm.X, ["arm"])
    _, (lo, hi), _ = unadjusted.term("arm")
    assert lo < 1.5 < hi
    assert unadjusted.ci[0, 1] / unadjusted.ci[0, 0] < 1.15  # and the interval is narrow


def test_cause_specific_hazard_ratio() -> None:
    rng = np.random.default_rng(51)
    n = 4000
    arm = rng.integers(0, 2, n)
    job = rng.exponential(1 / (0.003 * np.where(arm == 1, 1.5, 1.0)))
    education = rng.exponential(1 / (0.002 * np.where(arm == 1, 0.8, 1.0)))
    time = np.ceil(np.minimum(np.minimum(job, education), 365.0))
    destination = np.where(job < education, 1, 2) * (np.minimum(job, education) <= 365.0)
    hrs = {}
    for cause in (1, 2):
        event = (destination == cause).astype(int)
        r = cox(time, event, arm, ["arm"])
        # reference: PHReg(time, arm, status=(destination == cause), ties="breslow").fit()
        ref = PHReg(time, arm[:, None] * 1.0, status=event, ties="breslow").fit()
        np.testing.assert_allclose(r.coef, ref.params, atol=1e-6)
        np.testing.assert_allclose(r.se, ref.bse, rtol=1e-6)
        hrs[cause] = r.term("arm")
    assert hrs[1][1][0] < 1.5 < hrs[1][1][1]
    assert hrs[2][1][0] < 0.8 < hrs[2][1][1]


def test_invariant_to_time_scale_and_covariate_shift() -> None:
    d = make_trial(61, 2000)
    base = cox(d.time, d.event, d.X, NAMES)
    moved = cox(d.time * 24.0 + 3.0, d.event, d.X * [1.0, 10.0, 1.0] + [5.0, -2.0, 7.0], NAMES)
    np.testing.assert_allclose(moved.coef, base.coef * [1.0, 0.1, 1.0], rtol=1e-9, atol=1e-12)
    assert moved.loglik == pytest.approx(base.loglik, rel=1e-12)
    assert moved.ph_test is not None and base.ph_test is not None
    np.testing.assert_allclose(moved.ph_test.chi2, base.ph_test.chi2, rtol=1e-7)


# --- proportional hazards ---------------------------------------------------------------


def reference_ph(d: Trial, transform: str) -> tuple[np.ndarray, float]:
    """Grambsch–Therneau from statsmodels' residuals and covariance (R cox.zph, < 3.0).

    T_j = (Σ_k (g_k − ḡ) r*_kj)² / (d · V_jj · Σ_k (g_k − ḡ)²), r*_k = β + d · V r_k
    T_global = d · u'Vu / Σ_k (g_k − ḡ)², u = Σ_k (g_k − ḡ) r_k
    with r_k the Schoenfeld residual of event k, V the model-based covariance, d the
    number of events and g_k = 1 − KM(t_k−) (left-continuous Kaplan–Meier) or the rank.
    """
    ref = sm_fit(d)
    rows = np.flatnonzero(d.event == 1)
    # reference: PHReg(time, X, status=event, ties="breslow").fit().schoenfeld_residuals
    r = ref.schoenfeld_residuals[rows]
    # reference: PHReg(time, X, status=event, ties="breslow").fit().cov_params()
    V = ref.cov_params()
    beta = np.asarray(ref.params)
    times = d.time[rows]
    if transform == "km":
        # reference: SurvfuncRight(time, event) — KM at its distinct event times
        km = SurvfuncRight(d.time, d.event)
        at = np.searchsorted(km.surv_times, times)
        before = np.where(at > 0, km.surv_prob[np.maximum(at - 1, 0)], 1.0)
        g = 1.0 - before
    else:
        g = stats.rankdata(times)
    gc = g - g.mean()
    n_events = len(rows)
    scaled = beta + n_events * r @ V
    chi2 = (gc @ scaled) ** 2 / (n_events * np.diag(V) * (gc @ gc))
    u = gc @ r
    return chi2, float(n_events * u @ V @ u / (gc @ gc))


def crossing(seed: int, n: int) -> Trial:
    """Weibull exits: shape 0.6 in control, 1.6 in trial — hazards that cross."""
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 2, n)
    age = rng.normal(0.0, 1.0, n)
    shape = np.where(arm == 1, 1.6, 0.6)
    latent = 150.0 * rng.weibull(shape) * np.exp(-0.2 * age / shape)
    time = np.ceil(np.minimum(latent, 365.0))
    event = (latent <= 365.0).astype(np.int64)
    X = np.column_stack([arm, age]).astype(float)
    return Trial(time, event, X, rng.integers(0, 30, n))


@pytest.mark.parametrize("transform", ["km", "rank"])
def test_ph_statistic_matches_formula_on_statsmodels_residuals(transform: str) -> None:
    # single covariate, crossing hazards
    d = crossing(71, 1500)
    arm_only = Trial(d.time, d.event, d.X[:, :1], d.cluster)
    r = cox(arm_only.time, arm_only.event, arm_only.X, ["arm"], transform=transform)
    chi2, global_chi2 = reference_ph(arm_only, transform)
    assert r.ph_test is not None and r.ph_test.transform == transform
    np.testing.assert_allclose(r.ph_test.chi2, chi2, rtol=1e-5)
    assert r.ph_test.global_chi2 == pytest.approx(global_chi2, rel=1e-5)
    assert r.ph_test.global_chi2 == pytest.approx(r.ph_test.chi2[0], rel=1e-9)  # p = 1
    np.testing.assert_allclose(r.ph_test.p_values, stats.chi2.sf(chi2, 1), rtol=1e-4)

    # three covariates, ties on days; km is the default transform
    d3 = make_trial(72, 2500)
    options = {} if transform == "km" else {"transform": transform}
    r3 = cox(d3.time, d3.event, d3.X, NAMES, cluster=d3.cluster, **options)
    chi2, global_chi2 = reference_ph(d3, transform)
    assert r3.ph_test is not None and r3.ph_test.names == NAMES
    np.testing.assert_allclose(r3.ph_test.chi2, chi2, rtol=1e-5)
    assert r3.ph_test.global_chi2 == pytest.approx(global_chi2, rel=1e-5)
    assert r3.ph_test.global_p == pytest.approx(stats.chi2.sf(global_chi2, 3), rel=1e-4)
    # the refit-free helper gives the same test
    again = proportional_hazards_test(r3, d3.time, d3.event, d3.X, transform=transform)
    np.testing.assert_allclose(again.chi2, r3.ph_test.chi2, rtol=1e-12)


def test_ph_not_rejected_under_proportional_hazards() -> None:
    d = make_trial(81, 20_000, continuous=True)
    r = cox(d.time, d.event, d.X, NAMES)
    assert r.ph_test is not None
    assert r.ph_test.transform == "km"  # the default, as R's cox.zph
    assert r.ph_test.global_p > 0.01
    assert np.all(r.ph_test.p_values > 0.01)
    assert r.term("arm")[1][0] < 1.5 < r.term("arm")[1][1]


def test_ph_rejected_for_crossing_hazards() -> None:
    d = crossing(82, 4000)
    r = cox(d.time, d.event, d.X, ["arm", "age"])
    assert r.ph_test is not None
    assert r.ph_test.p_values[0] < 0.001
    assert r.ph_test.global_p < 0.001
    assert r.ph_test.chi2[0] > r.ph_test.chi2[1]  # the arm, not age, breaks the assumption
    for transform in ("rank", "identity", "log"):
        other = proportional_hazards_test(r, d.time, d.event, d.X, transform=transform)
        assert other.p_values[0] < 0.001


def test_ph_test_undefined_with_one_event_time() -> None:
    rng = np.random.default_rng(84)
    n = 600
    arm = rng.integers(0, 2, n)
    event = rng.binomial(1, np.where(arm == 1, 0.4, 0.25))
    time = np.where(event == 1, 10.0, rng.integers(10, 60, n))  # every exit on day 10
    r = cox(time, event, arm, ["arm"])
    # reference: PHReg(time, arm, status=event, ties="breslow").fit().params
    ref = PHReg(time, arm * 1.0, status=event, ties="breslow").fit()
    np.testing.assert_allclose(r.coef, ref.params, atol=1e-6)
    assert r.ph_test is not None
    assert np.all(np.isnan(r.ph_test.chi2)) and math.isnan(r.ph_test.global_p)


def test_ph_check_optional() -> None:
    d = make_trial(83, 1000)
    assert cox(d.time, d.event, d.X, NAMES, ph_check=False).ph_test is None


# --- validation -------------------------------------------------------------------------


def _small() -> Trial:
    return make_trial(91, 300)


def _call(**changes: object) -> CoxResult:
    d = _small()
    args: dict[str, object] = dict(time=d.time, event=d.event, X=d.X, names=NAMES)
    args.update(changes)
    return cox(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(time=np.ones(10)), "lengths differ"),
        (dict(event=np.ones(299)), "lengths differ"),
        (dict(X=np.ones((299, 3))), "lengths differ"),
        (dict(time=np.r_[-1.0, np.ones(299)]), "negative"),
        (dict(time=np.r_[np.nan, np.ones(299)]), "NaN"),
        (dict(event=np.r_[2, np.ones(299)]), "0 .censored. or 1"),
        (dict(event=np.r_[0.5, np.ones(299)]), "0 .censored. or 1"),
        (dict(event=np.zeros(300)), "no events"),
        (dict(X=np.column_stack([np.ones(300), np.arange(300), np.arange(300) % 2])), "'arm'"),
        (dict(names=("arm", "age")), "2 names for 3"),
        (dict(names=("arm", "arm", "age")), "unique"),
        (dict(cluster=np.arange(10)), "cluster has 10 labels"),
        (dict(cluster=np.zeros(300)), "at least two clusters"),
        (dict(cluster=np.r_[np.nan, np.arange(299.0)]), "missing"),
        (dict(alpha=1.5), "alpha"),
        (dict(transform="loglog"), "transform"),
        (dict(max_iter=1), "did not converge"),
    ],
)
def test_invalid_input_raises(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _call(**changes)


def test_collinear_covariates_raise() -> None:
    d = _small()
    X = np.column_stack([d.X, 2 * d.X[:, 1] + 1])
    with pytest.raises(ValueError, match="collinear"):
        cox(d.time, d.event, X, [*NAMES, "age2"])


def test_monotone_likelihood_raises() -> None:
    d = _small()
    event = np.where(d.X[:, 0] == 1, 0, d.event)  # no events at all in the trial arm
    with pytest.raises(ValueError, match="may be infinite"):
        cox(d.time, event, d.X, NAMES)
