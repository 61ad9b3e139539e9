"""The plan face's design diagnosis against statsmodels and SciPy.

Monte Carlo bands: a share estimated from ``sims`` independent simulated trials is checked
against a 99.9 % band. For a count of trials, the band is SciPy's exact binomial interval
``stats.binom.interval(0.999, sims, share)``; for a mean or a root mean square it is
``Z999 = stats.norm.ppf(0.9995)`` (3.29) Monte Carlo standard errors. A correct simulation
fails one such check about once in a thousand runs (the seeds are fixed, so a run either
always passes or always fails).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import power_proportions_2indep, proportions_ztest

from caseload.evaluate.binary import Counts, compare, minimum_detectable_effect
from caseload.plan.design import Design, DesignError
from caseload.plan.diagnose import (
    MDE_TOLERANCE,
    Diagnosis,
    analytic_power,
    diagnose,
    power_curve,
)
from caseload.plan.simulate import Individual

Z999 = float(stats.norm.ppf(0.9995))
COPENHAGEN = Design(treated=917, control=856, base_rate=0.10)
"""The Copenhagen trial's arms and its 10 % job rate in control."""


def se_of_difference(design: Design, effect: float) -> float:
    """Textbook SE of a difference of two independent proportions:
    sqrt(p1 (1 - p1) / n1 + p0 (1 - p0) / n0)."""
    p0, p1 = design.base_rate, design.base_rate + effect
    return math.sqrt(p1 * (1 - p1) / design.treated + p0 * (1 - p0) / design.control)


def within_binomial_band(share: float, sims: int, expected: float) -> bool:
    """``share`` of ``sims`` trials inside SciPy's exact 99.9 % binomial interval around
    ``expected``: stats.binom.interval(0.999, sims, expected)."""
    low, high = stats.binom.interval(0.999, sims, expected)
    return bool(low <= round(share * sims) <= high)


@pytest.fixture(scope="module")
def null() -> Diagnosis:
    """No caseload effect, 4,000 simulated trials (the type-I check needs at least 4,000)."""
    return diagnose(COPENHAGEN, 0.0, sims=4000, seed=1)


@pytest.fixture(scope="module")
def copenhagen() -> Diagnosis:
    """The issue's design: 917 vs 856, 10 %, a 3-point job effect, 2,000 trials, seed 1."""
    return diagnose(COPENHAGEN, 0.03, sims=2000, seed=1)


def test_null_effect_rejects_about_five_per_cent(null: Diagnosis) -> None:
    assert null.sims >= 4000
    # band: stats.binom.interval(0.999, 4000, 0.05) -> (156, 247) trials, 3.9 % to 6.2 %
    assert within_binomial_band(null.power, null.sims, 0.05), null.power


def test_null_effect_intervals_cover_about_95_per_cent(null: Diagnosis) -> None:
    # band: stats.binom.interval(0.999, 4000, 0.95) -> (3753, 3844) trials
    assert within_binomial_band(null.coverage, null.sims, 0.95), null.coverage
    assert null.type_s is None  # no sign to get wrong when the effect is 0


def test_null_effect_estimates_are_unbiased(null: Diagnosis) -> None:
    se = se_of_difference(COPENHAGEN, 0.0)
    assert abs(null.bias) <= Z999 * se / math.sqrt(null.sims)
    assert null.mean_estimate == pytest.approx(null.bias, abs=1e-15)


def test_simulated_mde_matches_the_analytic_value_for_the_same_z_test(
    copenhagen: Diagnosis,
) -> None:
    """binary.minimum_detectable_effect is the normal approximation to the two-sided
    two-proportion z test the evaluate face runs (alpha 0.05, 80 % power, an increase)."""
    analytic = minimum_detectable_effect(917, 856, 0.10, alpha=0.05, power=0.8)
    assert 0.042 < analytic < 0.044  # about 4.3 percentage points
    assert copenhagen.mde is not None
    assert copenhagen.direction == "increase"
    assert abs(copenhagen.mde - analytic) <= 0.003
    assert copenhagen.mde_analytic == pytest.approx(analytic, rel=1e-12)
    # statsmodels: power_proportions_2indep(diff, prop2=0.10, nobs1=917, ratio=856/917,
    # alpha=0.05) (two-sided z test, pooled variance under the null) at the analytic MDE
    reference = power_proportions_2indep(analytic, 0.10, 917, ratio=856 / 917, alpha=0.05)
    assert reference.power == pytest.approx(0.80, abs=0.01)


def test_the_mde_search_is_monotone_and_brackets_the_target(copenhagen: Diagnosis) -> None:
    """Common random numbers: simulated power never falls as the effect grows, and the MDE
    is the smallest searched effect that reached 80 %, within the tolerance of one below."""
    assert copenhagen.mde is not None
    powers = [p for _, p in copenhagen.searched]
    assert powers == sorted(powers)
    reached = [e for e, p in copenhagen.searched if p >= 0.8]
    short = [e for e, p in copenhagen.searched if p < 0.8]
    assert min(reached) == copenhagen.mde
    assert copenhagen.mde - max(short) <= MDE_TOLERANCE


def test_power_at_three_points_matches_the_normal_approximation(copenhagen: Diagnosis) -> None:
    # statsmodels: power_proportions_2indep(0.03, 0.10, 917, ratio=856/917, alpha=0.05)
    reference = power_proportions_2indep(0.03, 0.10, 917, ratio=856 / 917, alpha=0.05).power
    assert 0.45 < reference < 0.55
    band = Z999 * math.sqrt(reference * (1 - reference) / copenhagen.sims)
    assert abs(copenhagen.power - reference) <= band
    assert analytic_power(COPENHAGEN, 0.03, 0.05) == pytest.approx(reference, abs=0.01)


def test_bias_is_about_zero_and_rmse_about_the_standard_error(copenhagen: Diagnosis) -> None:
    se = se_of_difference(COPENHAGEN, 0.03)
    assert abs(copenhagen.bias) <= Z999 * se / math.sqrt(copenhagen.sims)
    # RMSE^2 is a mean of squared normal errors: relative SE of the RMSE ~ 1 / sqrt(2 sims)
    assert abs(copenhagen.rmse / se - 1) <= Z999 / math.sqrt(2 * copenhagen.sims)
    assert within_binomial_band(copenhagen.coverage, copenhagen.sims, 0.95)


def test_type_s_is_zero_for_a_large_effect() -> None:
    large = diagnose(COPENHAGEN, 0.10, sims=2000, seed=2)
    assert large.power > 0.99
    assert large.type_s is not None and large.type_s < 0.001


def test_type_s_is_substantial_for_a_tiny_effect_in_a_small_trial() -> None:
    """Gelman and Carlin's retrodesign: with estimates ~ N(D, s), the share of significant
    ones with the wrong sign is Phi(-z - D/s) / (Phi(-z - D/s) + Phi(-z + D/s))."""
    small = Design(treated=50, control=50, base_rate=0.5)
    tiny = diagnose(small, 0.01, sims=4000, seed=3)
    s = se_of_difference(small, 0.01)
    z = stats.norm.ppf(0.975)
    wrong = stats.norm.cdf(-z - 0.01 / s)
    expected = wrong / (wrong + stats.norm.cdf(-z + 0.01 / s))
    assert tiny.type_s is not None and tiny.type_s > 0.2
    band = Z999 * math.sqrt(expected * (1 - expected) / tiny.significant)
    assert abs(tiny.type_s - expected) <= band + 0.02  # 0.02: the normal approximation at n=50


def test_each_simulated_trial_is_the_evaluate_face_own_comparison() -> None:
    """A simulated trial's estimate, interval and p are binary.compare's for its counts; the
    p-value is statsmodels' proportions_ztest([e1, e0], [n1, n0]) (pooled, two-sided)."""
    runner = Individual(COPENHAGEN, sims=50, seed=5, alpha=0.05)
    trials = runner.trials(0.02)
    for i in range(50):
        e0 = int(runner.control_events[i])
        e1 = round((trials.estimate[i] + e0 / 856) * 917)
        result = compare("x", Counts(e1, 917), Counts(e0, 856))
        assert trials.estimate[i] == result.difference
        assert (trials.low[i], trials.high[i]) == result.ci
        assert trials.p_value[i] == pytest.approx(proportions_ztest([e1, e0], [917, 856])[1])


def test_the_seed_reproduces_the_diagnosis() -> None:
    first = diagnose(COPENHAGEN, 0.02, sims=500, seed=7)
    assert diagnose(COPENHAGEN, 0.02, sims=500, seed=7) == first
    other = diagnose(COPENHAGEN, 0.02, sims=500, seed=8)
    assert (other.power, other.bias) != (first.power, first.bias)


def test_a_decrease_is_searched_as_a_decrease() -> None:
    """The MDE of a fall from 10 % is the analytic MDE of a rise from 90 % (the same test
    of the other outcome)."""
    down = diagnose(COPENHAGEN, -0.03, sims=1000, seed=1)
    analytic = minimum_detectable_effect(917, 856, 0.90)
    assert down.direction == "decrease"
    assert down.mde is not None and abs(down.mde - analytic) <= 0.003
    assert down.mean_estimate < 0


def test_clusters_with_correlation_cost_power() -> None:
    """Clusters of 50 with ICC 0.05 (design effect 3.45) against the same units randomised
    one by one, at a 5-point effect; with ICC 0 the clustered analysis loses (almost)
    nothing."""
    sims = 300
    individual = power_curve(COPENHAGEN, [0.05], sims, seed=1)[0][1]
    correlated = Design(917, 856, 0.10, cluster_size=50, icc=0.05)
    clustered = power_curve(correlated, [0.05], sims, seed=1)[0][1]
    independent = power_curve(Design(917, 856, 0.10, cluster_size=50), [0.05], sims, seed=1)
    assert clustered < individual - 0.3
    # the normal approximation with the variance times the design effect 1 + 49 * 0.05
    reference = analytic_power(correlated, 0.05, 0.05)
    assert abs(clustered - reference) <= Z999 * math.sqrt(reference * (1 - reference) / sims)
    band = Z999 * math.sqrt(2 * individual * (1 - individual) / sims)
    assert abs(independent[0][1] - individual) <= band


def test_a_cluster_diagnosis_uses_cluster_robust_intervals() -> None:
    """20 clusters of 20 (10 per arm): the CR1 interval's coverage is near 95 % and the
    analytic MDE is inflated by sqrt(design effect)."""
    design = Design(200, 200, 0.3, cluster_size=20, icc=0.02)
    result = diagnose(design, 0.1, sims=60, seed=4)
    assert result.coverage > 0.85
    plain = minimum_detectable_effect(200, 200, 0.3)
    assert result.mde_analytic == pytest.approx(plain * math.sqrt(1 + 19 * 0.02), rel=1e-12)
    assert result.mde is not None and 0.5 * plain < result.mde < 2 * plain


@pytest.mark.parametrize(
    ("design", "effect", "sims", "alpha", "power", "option"),
    [
        (Design(0, 856, 0.1), 0.0, 10, 0.05, 0.8, "--arms"),
        (Design(917, -3, 0.1), 0.0, 10, 0.05, 0.8, "--arms"),
        (Design(917, 856, 1.5), 0.0, 10, 0.05, 0.8, "--base-rate"),
        (Design(917, 856, -0.1), 0.0, 10, 0.05, 0.8, "--base-rate"),
        (Design(917, 856, math.nan), 0.0, 10, 0.05, 0.8, "--base-rate"),
        (Design(917, 856, 0.1), 0.95, 10, 0.05, 0.8, "--effect"),
        (Design(917, 856, 0.1), -0.2, 10, 0.05, 0.8, "--effect"),
        (Design(917, 856, 0.1), math.inf, 10, 0.05, 0.8, "--effect"),
        (Design(917, 856, 0.1), 0.0, 0, 0.05, 0.8, "--sims"),
        (Design(917, 856, 0.1), 0.0, 10, 0.0, 0.8, "--alpha"),
        (Design(917, 856, 0.1), 0.0, 10, 0.05, 1.0, "--power"),
        (Design(917, 856, 0.1, cluster_size=50, icc=1.0), 0.0, 10, 0.05, 0.8, "--icc"),
        (Design(917, 856, 0.1, cluster_size=50, icc=-0.1), 0.0, 10, 0.05, 0.8, "--icc"),
        (Design(917, 856, 0.1, icc=0.1), 0.0, 10, 0.05, 0.8, "--icc"),
        (Design(917, 856, 0.1, cluster_size=0), 0.0, 10, 0.05, 0.8, "--cluster-size"),
        (Design(917, 856, 0.1, cluster_size=900), 0.0, 10, 0.05, 0.8, "--cluster-size"),
    ],
)
def test_inputs_that_cannot_be_simulated_are_refused_by_name(
    design: Design, effect: float, sims: int, alpha: float, power: float, option: str
) -> None:
    with pytest.raises(DesignError) as refused:
        diagnose(design, effect, sims, seed=1, alpha=alpha, power=power)
    assert str(refused.value).startswith(option)


def test_progress_counts_up_to_the_total() -> None:
    seen: list[tuple[int, int]] = []
    diagnose(COPENHAGEN, 0.03, sims=100, seed=1, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert np.all(np.array([t for _, t in seen]) == seen[-1][1])
