"""Survival estimators against statsmodels 0.14.5 and scipy, hand examples and simulation.

Data: whole-day exit times (heavy ties), dropout censoring on whole days (events and
censorings share days) and censoring at the end of the outcome window, unequal arms.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from scipy import integrate, stats
from statsmodels.duration.survfunc import CumIncidenceRight, SurvfuncRight, survdiff

from caseload.evaluate.survival import (
    aalen_johansen,
    kaplan_meier,
    logrank,
    rmst,
    rmst_difference,
)

Data = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def make_trial(
    seed: int,
    n: int,
    *,
    share: float = 0.3,
    mean_days: float = 80.0,
    hazard_ratio: float = 1.0,
    window: int = 150,
    dropout: int = 400,
    n_causes: int = 3,
    resolution: float = 1.0,
) -> Data:
    """time, event, treated, cause for n citizens; exits are ceil(Exp) in `resolution` steps."""
    rng = np.random.default_rng(seed)
    treated = rng.random(n) < share
    mean = np.where(treated, mean_days / hazard_ratio, mean_days)
    exit_time = np.ceil(rng.exponential(mean) / resolution) * resolution
    dropout_time = rng.integers(1, dropout, n) * 1.0
    end = np.minimum(dropout_time, window)
    time = np.minimum(exit_time, end)
    event = (exit_time <= end).astype(np.int64)  # an exit on the censoring day is an exit
    cause = np.where(event == 1, rng.integers(1, n_causes + 1, n), 0)
    return time, event, treated, cause


DATASETS = {
    "ties-unequal-arms": dict(seed=1, n=3000),
    "few-days-heavy-ties": dict(seed=2, n=5000, mean_days=20.0, window=30, dropout=40),
    "small": dict(seed=3, n=40, share=0.5),
    "fine-times": dict(seed=4, n=2000, resolution=0.25, hazard_ratio=1.3),
    "most-censored": dict(seed=5, n=1500, mean_days=400.0, share=0.2),
}


@pytest.fixture(params=sorted(DATASETS), ids=sorted(DATASETS))
def trial(request: pytest.FixtureRequest) -> Data:
    kwargs: dict[str, Any] = DATASETS[request.param]
    return make_trial(**kwargs)


def test_generated_data_has_ties_of_events_and_censorings() -> None:
    time, event, treated, _ = make_trial(**DATASETS["ties-unequal-arms"])
    assert np.unique(time).size < time.size / 10
    assert np.intersect1d(time[event == 1], time[event == 0]).size > 20
    assert 0.25 < treated.mean() < 0.35


# ---------------------------------------------------------------------------- Kaplan–Meier


def test_kaplan_meier_matches_survfuncright(trial: Data) -> None:
    time, event, _, _ = trial
    km = kaplan_meier(time, event)
    sf = SurvfuncRight(time, event)
    # reference: SurvfuncRight(time, event).surv_times
    np.testing.assert_array_equal(km.times, sf.surv_times)
    # reference: SurvfuncRight(time, event).n_risk
    np.testing.assert_array_equal(km.at_risk, sf.n_risk)
    # reference: SurvfuncRight(time, event).n_events
    np.testing.assert_array_equal(km.events, sf.n_events)
    # reference: SurvfuncRight(time, event).surv_prob
    np.testing.assert_allclose(km.survival, sf.surv_prob, rtol=1e-10, atol=1e-14)
    # reference: SurvfuncRight(time, event).surv_prob_se (Greenwood)
    np.testing.assert_allclose(km.se, sf.surv_prob_se, rtol=1e-10, atol=1e-14)
    assert km.n_units == time.size
    assert km.max_time == time.max()


@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_log_log_interval_matches_formula_on_statsmodels_se(trial: Data, alpha: float) -> None:
    time, event, _, _ = trial
    km = kaplan_meier(time, event, alpha=alpha)
    sf = SurvfuncRight(time, event)
    s, se = sf.surv_prob, sf.surv_prob_se
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = se / (s * np.abs(np.log(s)))
        # reference: R survfit(conf.type="log-log"): S ** exp(+-z * se / (S |log S|)),
        # with S, se = SurvfuncRight(time, event).surv_prob, .surv_prob_se
        lower, upper = s ** np.exp(z * w), s ** np.exp(-z * w)
    np.testing.assert_allclose(km.lower, lower, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(km.upper, upper, rtol=1e-10, atol=1e-14)
    assert np.all(km.lower <= km.survival) and np.all(km.survival <= km.upper)


def test_log_log_interval_matches_scipy_ecdf(trial: Data) -> None:
    time, event, _, _ = trial
    km = kaplan_meier(time, event)
    sample = stats.CensoredData.right_censored(time, event == 0)
    # reference: scipy.stats.ecdf(sample).sf.confidence_interval(method="log-log")
    band = stats.ecdf(sample).sf.confidence_interval(0.95, method="log-log")
    # reference: scipy.stats.ecdf(sample).sf.evaluate(times)
    np.testing.assert_allclose(km.survival, stats.ecdf(sample).sf.evaluate(km.times), atol=1e-12)
    np.testing.assert_allclose(km.lower, band.low.evaluate(km.times), atol=1e-12)
    np.testing.assert_allclose(km.upper, band.high.evaluate(km.times), atol=1e-12)


MEDIAN_CASES = {
    "typical": dict(seed=11, n=3000),
    "small": dict(seed=12, n=60, share=0.5),
    "upper-not-reached": dict(seed=13, n=60, mean_days=160.0, dropout=1000),
    "not-reached": dict(seed=14, n=500, mean_days=600.0),
    "fine-times": dict(seed=15, n=800, resolution=0.1),
}


@pytest.mark.parametrize("alpha", [0.05, 0.2])
@pytest.mark.parametrize("case", sorted(MEDIAN_CASES))
def test_median_and_its_interval_match_statsmodels(case: str, alpha: float) -> None:
    time, event, _, _ = make_trial(**MEDIAN_CASES[case])
    km = kaplan_meier(time, event, alpha=alpha)
    sf = SurvfuncRight(time, event)
    # the rules agree unless S is exactly 0.5 somewhere (statsmodels: S < 0.5; ours: <= 0.5)
    assert np.all(np.abs(sf.surv_prob - 0.5) > 1e-9)

    def none_for(value: float) -> float | None:  # statsmodels: nan / inf = not reached
        return None if not np.isfinite(value) else float(value)

    # reference: SurvfuncRight(time, event).quantile(0.5)
    assert km.median == none_for(sf.quantile(0.5))
    # reference: SurvfuncRight(time, event).quantile_ci(0.5, alpha=alpha, method="cloglog")
    low, high = sf.quantile_ci(0.5, alpha=alpha, method="cloglog")
    assert km.median_ci == (none_for(low), none_for(high))
    if case == "upper-not-reached" and alpha == 0.05:
        assert km.median is not None and km.median_ci[1] is None and high == np.inf
    if case == "not-reached":
        assert km.median is None and np.isnan(sf.quantile(0.5))


def test_median_interval_brackets_where_the_bands_cross_one_half() -> None:
    time, event, _, _ = make_trial(seed=16, n=4000)
    km = kaplan_meier(time, event)
    low, high = km.median_ci
    assert low is not None and high is not None and km.median is not None
    assert low <= km.median < high
    # the lower band has reached 0.5 at the lower limit, the upper band not yet before it
    assert km.lower[km.times == low][0] <= 0.5
    assert np.all(km.lower[km.times < low] > 0.5)
    # the upper band is below 0.5 at the upper limit and the interval held 0.5 just before
    assert km.upper[km.times == high][0] < 0.5
    assert km.upper[km.times < high][-1] >= 0.5


def test_median_when_survival_is_exactly_one_half() -> None:
    # By hand: t=1: n=6, d=1 -> S=5/6; t=3: n=5, d=2 -> S=5/6*3/5=1/2; t=6: n=2, d=1 -> 1/4.
    # Our rule (smallest t with S(t) <= 0.5) gives 3; the SAS/statsmodels rule S < 0.5
    # would give 6 and R the midpoint (3 + 6) / 2.
    km = kaplan_meier([1, 3, 3, 4, 6, 6], [1, 1, 1, 0, 1, 0])
    np.testing.assert_allclose(km.survival, [5 / 6, 1 / 2, 1 / 4])
    assert km.median == 3.0


def test_ties_put_events_before_censoring() -> None:
    # By hand: day 2 has one exit and one censoring, both at risk: n=4, d=1 -> S=3/4;
    # day 3: units 3 and 5 at risk, one exit -> S=3/4*1/2=3/8; day 5: n=1, d=1 -> S=0.
    km = kaplan_meier([2, 2, 3, 5], [1, 0, 1, 1])
    np.testing.assert_array_equal(km.times, [2.0, 3.0, 5.0])
    np.testing.assert_array_equal(km.at_risk, [4, 2, 1])
    np.testing.assert_array_equal(km.events, [1, 1, 1])
    np.testing.assert_allclose(km.survival, [3 / 4, 3 / 8, 0.0])
    # Greenwood at day 2: 3/4 * sqrt(1/(4*3)); undefined (NaN) once S = 0, as statsmodels
    assert km.se[0] == pytest.approx(0.75 * math.sqrt(1 / 12), rel=1e-12)
    assert np.isnan(km.se[2]) and np.isnan(km.lower[2]) and np.isnan(km.upper[2])
    with np.errstate(divide="ignore", invalid="ignore"):
        # reference: SurvfuncRight(time, event).surv_prob_se (NaN where S = 0)
        assert np.isnan(
            SurvfuncRight(np.array([2.0, 2, 3, 5]), np.array([1, 0, 1, 1])).surv_prob_se[2]
        )


def test_without_censoring_kaplan_meier_is_one_minus_the_ecdf() -> None:
    rng = np.random.default_rng(21)
    time = np.ceil(rng.gamma(2.0, 30.0, 2500))
    km = kaplan_meier(time, np.ones_like(time))
    grid = np.arange(-1.0, time.max() + 2, 0.5)
    # reference: 1 - ECDF(t) = mean(time > t)
    expected = (time[None, :] > grid[:, None]).mean(axis=1)
    np.testing.assert_allclose([km.at(t) for t in grid], expected, atol=1e-12)
    # reference: 1 - scipy.stats.ecdf(time).cdf.evaluate(t)
    np.testing.assert_allclose(km.survival, 1 - stats.ecdf(time).cdf.evaluate(km.times), atol=1e-12)


def test_at_is_a_right_continuous_step_function() -> None:
    km = kaplan_meier([2, 2, 3, 5, 9], [1, 0, 1, 1, 0])
    assert km.at(0.0) == 1.0
    assert km.at(1.999) == 1.0
    assert km.at(2.0) == km.survival[0]
    assert km.at(2.5) == km.survival[0]
    assert km.at(3.0) == km.survival[1]
    assert km.at(100.0) == km.survival[-1]


def test_no_events_gives_a_flat_curve() -> None:
    km = kaplan_meier([3, 4, 5], [0, 0, 0])
    assert km.times.size == 0 and km.median is None and km.median_ci == (None, None)
    assert km.at(10.0) == 1.0
    assert rmst(km, 5.0).value == 5.0 and rmst(km, 5.0).se == 0.0


# ---------------------------------------------------------------------------- log-rank


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(seed=31, n=3000),
        dict(seed=32, n=3000, hazard_ratio=1.15),
        dict(seed=33, n=5000, mean_days=20.0, window=30, dropout=40, share=0.15),
        dict(seed=34, n=30, share=0.5, hazard_ratio=1.5),
        dict(seed=35, n=2000, resolution=0.5, hazard_ratio=0.9),
    ],
)
def test_logrank_matches_survdiff_and_scipy(kwargs: dict[str, Any]) -> None:
    time, event, treated, _ = make_trial(**kwargs)
    result = logrank(time, event, treated)
    # reference: statsmodels.duration.survfunc.survdiff(time, event, treated)
    chi2, p = survdiff(time, event, treated)
    assert result.chi2 == pytest.approx(chi2, rel=1e-9)
    assert result.p_value == pytest.approx(p, rel=1e-9, abs=1e-14)
    # reference: scipy.stats.logrank(treated sample, control sample).statistic ** 2
    reference = stats.logrank(
        stats.CensoredData.right_censored(time[treated], event[treated] == 0),
        stats.CensoredData.right_censored(time[~treated], event[~treated] == 0),
    )
    assert result.chi2 == pytest.approx(reference.statistic**2, rel=1e-9)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-7)
    assert result.observed == (event[treated].sum(), event[~treated].sum())
    assert sum(result.expected) == pytest.approx(event.sum(), rel=1e-12)
    # the sign of O - E follows the hazard ratio when the effect is clear
    hazard_ratio = kwargs.get("hazard_ratio", 1.0)
    if hazard_ratio != 1.0 and result.p_value < 0.01:
        assert (result.observed[0] > result.expected[0]) == (hazard_ratio > 1)


def test_logrank_small_example_by_hand() -> None:
    # treated: 1 (exit), 3 (exit); control: 2 (exit), 3 (censored), 4 (exit)
    # t=1: n1=2, n0=3, d=1: E1=2/5, V=2*3*1*4/(25*4)=6/25
    # t=2: n1=1, n0=3, d=1: E1=1/4, V=1*3*1*3/(16*3)=3/16
    # t=3: n1=1, n0=2, d=1 (censoring at 3 still at risk): E1=1/3, V=1*2*1*2/(9*2)=2/9
    # t=4: n1=0, n0=1: E1=0, V=0.   O1=2, E1=2/5+1/4+1/3=59/60, O0=2, E0=4-59/60
    # V = 6/25 + 3/16 + 2/9 = (864 + 675 + 800)/3600 = 2339/3600
    result = logrank([1, 3, 2, 3, 4], [1, 1, 1, 0, 1], [True, True, False, False, False])
    assert result.expected[0] == pytest.approx(59 / 60, rel=1e-12)
    assert result.expected[1] == pytest.approx(4 - 59 / 60, rel=1e-12)
    assert result.variance == pytest.approx(2339 / 3600, rel=1e-12)
    assert result.chi2 == pytest.approx((2 - 59 / 60) ** 2 / (2339 / 3600), rel=1e-12)
    assert result.observed == (2.0, 2.0)


# ---------------------------------------------------------------------------- RMST


def step_area_on_whole_days(sf: SurvfuncRight, tau: float) -> float:
    """Exact integral of statsmodels' KM step function on [0, tau] for whole-day jumps.

    S is constant on [u, u + 1) for whole u, so the integral is a unit-width sum.
    """

    def s(u: float) -> float:
        k = np.searchsorted(sf.surv_times, u, side="right")
        return 1.0 if k == 0 else float(sf.surv_prob[k - 1])

    whole = math.floor(tau)
    return sum(s(u) for u in range(whole)) + (tau - whole) * s(whole)


@pytest.mark.parametrize("tau", [30.0, 99.5, 150.0])
def test_rmst_area_is_the_integral_of_the_statsmodels_step_function(tau: float) -> None:
    time, event, _, _ = make_trial(seed=41, n=4000)
    # reference: integral over [0, tau] of SurvfuncRight(time, event) (surv_times, surv_prob)
    expected = step_area_on_whole_days(SurvfuncRight(time, event), tau)
    result = rmst(kaplan_meier(time, event), tau)
    assert result.value == pytest.approx(expected, rel=1e-12)
    assert result.tau == tau


def test_rmst_area_with_fractional_times() -> None:
    time, event, _, _ = make_trial(seed=42, n=500, resolution=0.37)
    sf = SurvfuncRight(time, event)
    tau = 120.0

    # reference: scipy.integrate.quad of the statsmodels step function, split at its jumps
    def s(u: float) -> float:
        k = np.searchsorted(sf.surv_times, u, side="right")
        return 1.0 if k == 0 else float(sf.surv_prob[k - 1])

    edges = np.concatenate(([0.0], sf.surv_times[sf.surv_times < tau], [tau]))
    expected = sum(integrate.quad(s, a, b)[0] for a, b in itertools.pairwise(edges))
    assert rmst(kaplan_meier(time, event), tau).value == pytest.approx(expected, rel=1e-9)


def test_rmst_variance_small_example_by_hand() -> None:
    # units (time, event): (2,1) (3,1) (3,0) (5,1) (7,0) (8,1); tau = 6
    # t=2: n=6, d=1, S=5/6; t=3: n=5, d=1, S=2/3; t=5: n=3, d=1, S=4/9; t=8 > tau
    # area = 2*1 + 1*5/6 + 2*2/3 + 1*4/9 = 83/18
    # A_2 = 5/6 + 4/3 + 4/9 = 47/18; A_3 = 4/3 + 4/9 = 16/9; A_5 = 4/9
    # Var = (47/18)^2/(6*5) + (16/9)^2/(5*4) + (4/9)^2/(3*2)
    #     = 2209/9720 + 1536/9720 + 320/9720 = 4065/9720 = 271/648
    result = rmst(kaplan_meier([2, 3, 3, 5, 7, 8], [1, 1, 0, 1, 0, 1]), 6.0)
    assert result.value == pytest.approx(83 / 18, rel=1e-12)
    assert result.se == pytest.approx(math.sqrt(271 / 648), rel=1e-12)


def test_rmst_variance_with_tied_events_by_hand() -> None:
    # units: (1,1) (3,1) (3,1) (4,0) (6,1) (6,0); tau = 5
    # t=1: n=6, d=1, S=5/6; t=3: n=5, d=2, S=1/2; t=6 > tau
    # area = 1 + 2*5/6 + 2*1/2 = 11/3; A_1 = 5/3 + 1 = 8/3; A_3 = 1
    # Var = (8/3)^2 * 1/(6*5) + 1^2 * 2/(5*3) = 64/270 + 36/270 = 10/27
    result = rmst(kaplan_meier([1, 3, 3, 4, 6, 6], [1, 1, 1, 0, 1, 0]), 5.0)
    assert result.value == pytest.approx(11 / 3, rel=1e-12)
    assert result.se == pytest.approx(math.sqrt(10 / 27), rel=1e-12)


def test_rmst_when_everyone_has_left() -> None:
    # units: 1, 2, 2 all exit; S = 2/3 then 0. area to 4 = 1 + 2/3 = 5/3
    # A_1 = 2/3 (n=3, d=1): 4/9 / 6 = 2/27; the term at t=2 has A = 0 and counts 0
    km = kaplan_meier([1, 2, 2], [1, 1, 1])
    result = rmst(km, 4.0)  # beyond follow-up is fine once S = 0
    assert result.value == pytest.approx(5 / 3, rel=1e-12)
    assert result.se == pytest.approx(math.sqrt(2 / 27), rel=1e-12)


def test_rmst_difference_is_treated_minus_control() -> None:
    time, event, treated, _ = make_trial(seed=43, n=3000, hazard_ratio=1.2)
    result = rmst_difference(time, event, treated, tau=150.0, alpha=0.1)
    one = rmst(kaplan_meier(time[treated], event[treated]), 150.0)
    zero = rmst(kaplan_meier(time[~treated], event[~treated]), 150.0)
    assert result.treated == one and result.control == zero
    assert result.difference == pytest.approx(one.value - zero.value, rel=1e-12)
    se = math.hypot(one.se, zero.se)
    # reference: scipy.stats.norm: CI = diff -+ ppf(0.95) se; p = 2 sf(|diff| / se)
    z = stats.norm.ppf(0.95)
    assert result.ci == pytest.approx((result.difference - z * se, result.difference + z * se))
    assert result.p_value == pytest.approx(2 * stats.norm.sf(abs(result.difference) / se))


def true_rmst(mean_days: float, tau: int) -> float:
    """RMST of ceil(Exp(mean)): S(u) = q^floor(u), q = exp(-1/mean), so sum_{k<tau} q^k."""
    q = math.exp(-1 / mean_days)
    return (1 - q**tau) / (1 - q)


def test_rmst_difference_is_calibrated_under_no_effect() -> None:
    differences, ses, p_values = [], [], []
    for seed in range(300):
        time, event, treated, _ = make_trial(seed=1000 + seed, n=800, share=0.35, window=120)
        result = rmst_difference(time, event, treated, tau=120.0)
        differences.append(result.difference)
        ses.append(math.hypot(result.treated.se, result.control.se))
        p_values.append(result.p_value)
    p = np.array(p_values)
    # reference: scipy.stats.kstest(p, "uniform")
    assert stats.kstest(p, "uniform").pvalue > 0.01
    assert 0.02 <= np.mean(p < 0.05) <= 0.09
    assert np.median(p) > 0.3
    # the variance formula: the mean SE is close to the spread of the estimates
    assert np.mean(ses) == pytest.approx(np.std(differences, ddof=1), rel=0.12)


def test_rmst_difference_with_big_n() -> None:
    # no effect: the interval covers 0 and p is not small
    time, event, treated, _ = make_trial(seed=51, n=200_000, window=150, dropout=10**6)
    null = rmst_difference(time, event, treated, tau=150.0)
    assert null.ci[0] < 0 < null.ci[1] and null.p_value > 0.05
    # strong effect (hazard ratio 1.25): tiny p, and the truth within the interval
    time, event, treated, _ = make_trial(
        seed=52, n=200_000, hazard_ratio=1.25, window=150, dropout=10**6
    )
    strong = rmst_difference(time, event, treated, tau=150.0)
    truth = true_rmst(80.0 / 1.25, 150) - true_rmst(80.0, 150)
    assert strong.p_value < 1e-20
    assert strong.ci[0] < truth < strong.ci[1]
    assert strong.treated.value == pytest.approx(true_rmst(64.0, 150), abs=4 * strong.treated.se)


# ---------------------------------------------------------------------------- Aalen–Johansen


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(seed=61, n=3000, n_causes=3),
        dict(seed=62, n=5000, mean_days=20.0, window=30, dropout=40, n_causes=5),
        dict(seed=63, n=50, n_causes=2),
        dict(seed=64, n=1000, resolution=0.3, n_causes=4),
    ],
)
def test_aalen_johansen_matches_cumincidenceright(kwargs: dict[str, Any]) -> None:
    time, _, _, cause = make_trial(**kwargs)
    aj = aalen_johansen(time, cause)
    reference = CumIncidenceRight(time, cause)
    assert aj.causes == tuple(range(1, int(cause.max()) + 1))
    # statsmodels reports every distinct time; ours the event times (nothing moves between)
    np.testing.assert_array_equal(aj.times, np.unique(time[cause > 0]))
    rows = np.searchsorted(reference.times, aj.times)
    for k in aj.causes:
        # reference: CumIncidenceRight(time, cause).cinc[k - 1]
        np.testing.assert_allclose(aj.incidence[k], reference.cinc[k - 1][rows], atol=1e-13)
        # reference: CumIncidenceRight(time, cause).cinc_se[k - 1]
        np.testing.assert_allclose(aj.se[k], reference.cinc_se[k - 1][rows], atol=1e-12)
        np.testing.assert_array_equal(
            aj.events[k],
            np.bincount(np.searchsorted(aj.times, time[cause == k]), minlength=rows.size),
        )


def test_aalen_johansen_adds_up_to_one_minus_all_cause_kaplan_meier() -> None:
    time, event, _, cause = make_trial(seed=65, n=4000, n_causes=4)
    aj = aalen_johansen(time, cause)
    km = kaplan_meier(time, event)
    # reference: SurvfuncRight(time, cause > 0).surv_prob
    np.testing.assert_allclose(aj.survival, SurvfuncRight(time, event).surv_prob, atol=1e-13)
    np.testing.assert_array_equal(aj.at_risk, km.at_risk)
    total = sum(aj.incidence[k] for k in aj.causes)
    np.testing.assert_allclose(total + aj.survival, 1.0, atol=1e-12)
    for t in (0.0, 17.5, 60.0, 1000.0):
        assert sum(aj.at(k, t) for k in aj.causes) == pytest.approx(1 - km.at(t), abs=1e-12)


def test_aalen_johansen_single_cause_is_one_minus_kaplan_meier() -> None:
    time, event, _, _ = make_trial(seed=66, n=2000)
    aj = aalen_johansen(time, event)
    # reference: 1 - SurvfuncRight(time, event).surv_prob
    np.testing.assert_allclose(
        aj.incidence[1], 1 - SurvfuncRight(time, event).surv_prob, atol=1e-13
    )


def test_aalen_johansen_small_example_by_hand() -> None:
    # units (time, cause): (1,1) (2,2) (2,0) (3,1) (4,2); all-cause at risk 5, 4, 2, 1
    # t=1: F1 = 1/5; S = 4/5.  t=2: F2 = 4/5 * 1/4 = 1/5; S = 3/5.
    # t=3: F1 = 1/5 + 3/5 * 1/2 = 1/2; S = 3/10.  t=4: F2 = 1/5 + 3/10 = 1/2; S = 0
    aj = aalen_johansen([1, 2, 2, 3, 4], [1, 2, 0, 1, 2])
    np.testing.assert_array_equal(aj.times, [1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(aj.incidence[1], [1 / 5, 1 / 5, 1 / 2, 1 / 2])
    np.testing.assert_allclose(aj.incidence[2], [0, 1 / 5, 1 / 5, 1 / 2])
    # delta-method variance at t=1, cause 1: F=F_1 so the first and third sums vanish;
    # S_0-^2 d (n - d) / n^3 = 1 * 1 * 4 / 125 -> se = sqrt(4/125)
    assert aj.se[1][0] == pytest.approx(math.sqrt(4 / 125), rel=1e-12)
    assert aj.se[2][0] == 0.0
    # everyone left at t=4: the variance is undefined there, as in statsmodels
    assert np.isnan(aj.se[1][-1]) and np.isnan(aj.se[2][-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        # reference: CumIncidenceRight(time, cause).cinc_se (NaN at the last time)
        reference = CumIncidenceRight(np.array([1.0, 2, 2, 3, 4]), np.array([1, 2, 0, 1, 2]))
    for k in (1, 2):
        np.testing.assert_allclose(aj.se[k], reference.cinc_se[k - 1], atol=1e-14)


def test_no_events_at_all() -> None:
    aj = aalen_johansen([1, 2, 3], [0, 0, 0], causes=(1, 2))
    assert aj.times.size == 0 and aj.causes == (1, 2)
    assert aj.at(2, 10.0) == 0.0
    assert aalen_johansen([1, 2, 3], [0, 0, 0]).causes == ()
    # with no events the log-rank variance is 0 and the test undefined
    result = logrank([1, 2, 3, 4], [0, 0, 0, 0], [True, False, True, False])
    assert math.isnan(result.chi2) and math.isnan(result.p_value)
    assert result.observed == (0.0, 0.0) and result.expected == (0.0, 0.0)


def test_aalen_johansen_causes_argument_and_at() -> None:
    aj = aalen_johansen([1, 2, 3, 4], [1, 0, 1, 0], causes=(1, 2, 3))
    assert aj.causes == (1, 2, 3)
    np.testing.assert_array_equal(aj.incidence[3], [0.0, 0.0])
    assert aj.at(1, 0.5) == 0.0
    assert aj.at(1, 1.0) == pytest.approx(1 / 4)
    assert aj.at(1, 2.5) == pytest.approx(1 / 4)
    # t=3: S(t-) = 3/4, n = 2 -> F1 = 1/4 + 3/8 = 5/8
    assert aj.at(1, 99.0) == pytest.approx(5 / 8)
    with pytest.raises(ValueError, match="unknown cause 4"):
        aj.at(4, 1.0)
    with pytest.raises(ValueError, match=r"codes \[2\] not in causes"):
        aalen_johansen([1, 2], [1, 2], causes=(1,))


# ---------------------------------------------------------------------------- validation

TIME = [1.0, 2.0, 3.0, 4.0]
EVENT = [1, 0, 1, 1]
TREATED = [True, False, True, False]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: kaplan_meier([1, 2, 3], [1, 0]), "different lengths"),
        (lambda: kaplan_meier([1, -2, 3], [1, 0, 1]), "must be >= 0"),
        (lambda: kaplan_meier([1, np.nan, 3], [1, 0, 1]), "NaN"),
        (lambda: kaplan_meier([1, np.inf, 3], [1, 0, 1]), "infinite"),
        (lambda: kaplan_meier([], []), "empty"),
        (lambda: kaplan_meier([[1, 2]], [[1, 0]]), "one-dimensional"),
        (lambda: kaplan_meier(["a", "b"], [1, 0]), "numeric"),
        (lambda: kaplan_meier(TIME, [1, 0, 2, 1]), "event must be 0/1"),
        (lambda: kaplan_meier(TIME, [1, 0, np.nan, 1]), "event must be 0/1"),
        (lambda: kaplan_meier(TIME, EVENT, alpha=1.5), "alpha"),
        (lambda: logrank(TIME, EVENT, [True, True, True]), "different lengths"),
        (lambda: logrank(TIME, EVENT, [1, 1, 1, 1]), "control arm is empty"),
        (lambda: logrank(TIME, EVENT, [False] * 4), "treated arm is empty"),
        (lambda: logrank(TIME, EVENT, [0, 1, 2, 0]), "treated must be 0/1"),
        (lambda: logrank([1, 2, -3, 4], EVENT, TREATED), "must be >= 0"),
        (lambda: rmst_difference(TIME, EVENT, [True] * 4, 3.0), "control arm is empty"),
        (lambda: rmst_difference(TIME, EVENT, TREATED, 3.0, alpha=0.0), "alpha"),
        (lambda: rmst_difference([1, 2, 3, 9], [1, 1, 0, 0], TREATED, 5.0), "treated arm: tau"),
        (lambda: rmst(kaplan_meier(TIME, [1, 0, 1, 0]), 5.0), "beyond the end of follow-up"),
        (lambda: rmst(kaplan_meier(TIME, EVENT), 0.0), "positive"),
        (lambda: rmst(kaplan_meier(TIME, EVENT), math.nan), "positive"),
        (lambda: aalen_johansen(TIME, [1, 0, -1, 2]), "whole numbers >= 0"),
        (lambda: aalen_johansen(TIME, [1, 0, 1.5, 2]), "whole numbers >= 0"),
        (lambda: aalen_johansen(TIME, [1, 0, 2]), "different lengths"),
        (lambda: aalen_johansen([1, np.nan, 3, 4], [1, 0, 1, 2]), "NaN"),
        (lambda: kaplan_meier(TIME, EVENT).at(math.nan), "NaN"),
    ],
)
def test_invalid_input_raises_a_clear_error(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_inputs_accept_lists_booleans_and_integer_arrays() -> None:
    as_lists = kaplan_meier([1, 2, 2, 4], [True, False, True, True])
    as_arrays = kaplan_meier(np.array([1, 2, 2, 4], dtype=np.int32), np.array([1, 0, 1, 1]))
    np.testing.assert_array_equal(as_lists.survival, as_arrays.survival)
    with pytest.raises(ValueError):
        as_lists.survival[0] = 0.0  # results are read-only
