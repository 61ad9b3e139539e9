"""Cluster-aware headline results (evaluate/clustered.py, estimate.py) against statsmodels
0.14.5 and against brute-force permutation distributions written out here."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.duration.hazard_regression import PHReg

from caseload.evaluate import clustered, estimate, survival


def _cluster_trial(
    seed: int, clusters: int, size: int, cluster_randomised: bool
) -> tuple[np.ndarray, ...]:
    """Outcomes with a shared cluster effect: 0/1, continuous, and a time with an event."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(clusters), size)
    if cluster_randomised:
        arm_of = rng.permutation(np.arange(clusters) % 2 == 0)
        treated = arm_of[g]
    else:
        treated = rng.random(g.size) < 0.5
    effect = rng.normal(0, 0.8, clusters)[g]
    binary = (rng.random(g.size) < 1 / (1 + np.exp(-(effect + 0.3 * treated)))).astype(float)
    continuous = 10 + 2 * effect + 0.5 * treated + rng.normal(0, 1, g.size)
    time = np.ceil(rng.exponential(200 * np.exp(-0.5 * effect - 0.2 * treated)))
    event = (time < 365).astype(int)
    return g, treated, binary, continuous, np.minimum(time, 365), event


def _ols_cluster(y: np.ndarray, treated: np.ndarray, g: np.ndarray) -> tuple[float, float, tuple]:
    # reference: statsmodels.api.OLS(y, [1, t]).fit(cov_type="cluster", cov_kwds={"groups": g})
    fit = sm.OLS(y, sm.add_constant(treated.astype(float))).fit(
        cov_type="cluster", cov_kwds={"groups": g}
    )
    return float(fit.params[1]), float(fit.pvalues[1]), tuple(fit.conf_int()[1])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_binary_headline_is_cluster_robust(seed: int) -> None:
    g, treated, y, *_ = _cluster_trial(seed, 30, 25, cluster_randomised=False)
    cov = estimate.Covariates(None, (), g)
    result = estimate.binary_outcome("job", y, treated, cov)
    d, p, ci = _ols_cluster(y, treated, g)
    assert result.difference == pytest.approx(d, abs=1e-12)
    assert result.p_value == pytest.approx(p, rel=1e-9)
    assert result.ci == pytest.approx(ci, rel=1e-9)
    assert result.test == "cluster"
    assert result.errors.kind == "cluster" and result.errors.clusters == 30
    assert not result.errors.few and result.errors.permutation_p is None
    assert result.risk_ratio_ci is None
    plain = estimate.binary_outcome("job", y, treated)
    assert plain.errors.kind == "individual" and plain.test in {"z", "fisher"}
    assert result.minimum_detectable_effect >= plain.minimum_detectable_effect


@pytest.mark.parametrize("seed", [4, 5])
def test_continuous_headline_is_cluster_robust(seed: int) -> None:
    g, treated, _, y, *_ = _cluster_trial(seed, 24, 20, cluster_randomised=False)
    result = estimate.continuous_outcome("hours", y, treated, estimate.Covariates(None, (), g))
    d, p, ci = _ols_cluster(y, treated, g)
    assert result.difference == pytest.approx(d, rel=1e-9)
    assert result.p_value == pytest.approx(p, rel=1e-9)
    assert result.ci == pytest.approx(ci, rel=1e-9)
    assert math.isinf(result.df)
    welch = estimate.continuous_outcome("hours", y, treated)
    assert welch.errors.kind == "individual" and math.isfinite(welch.df)


@pytest.mark.parametrize("seed", [6, 7])
def test_survival_headline_is_the_clustered_cox_wald_test(seed: int) -> None:
    g, treated, _, _, time, event = _cluster_trial(seed, 26, 20, cluster_randomised=False)
    result = estimate.survival_outcome(
        "spell", time, event, treated, estimate.Covariates(None, (), g)
    )
    # reference: PHReg(time, t, status=event, ties="breslow").fit(groups=g), Wald p of t
    fit = PHReg(time, treated.astype(float)[:, None], status=event, ties="breslow").fit(groups=g)
    assert result.test == "cox_wald"
    assert result.p_value == pytest.approx(float(fit.pvalues[0]), rel=1e-6)
    assert result.p_value != pytest.approx(result.logrank.p_value, rel=1e-6)
    plain = estimate.survival_outcome("spell", time, event, treated)
    assert plain.test == "logrank" and plain.p_value == plain.logrank.p_value


def test_rmst_interval_is_a_grouped_jackknife() -> None:
    g, treated, _, _, time, event = _cluster_trial(8, 22, 15, cluster_randomised=False)
    result = estimate.survival_outcome(
        "spell", time, event, treated, estimate.Covariates(None, (), g)
    )
    tau = result.rmst.tau
    leave_out = []
    for label in range(22):
        keep = g != label
        leave_out.append(
            survival.rmst_difference(time[keep], event[keep], treated[keep], tau).difference
        )
    values = np.array(leave_out)
    se = math.sqrt(21 / 22 * ((values - values.mean()) ** 2).sum())
    assert result.rmst.ci == pytest.approx(
        (result.rmst.difference - 1.959963985 * se, result.rmst.difference + 1.959963985 * se),
        rel=1e-6,
    )


def _brute_difference_p(y: np.ndarray, g: np.ndarray, arm_of: np.ndarray) -> float:
    """Every dealing of the treated clusters, written out with plain means."""
    labels = np.unique(g)
    k = int(arm_of.sum())
    observed = y[arm_of[g]].mean() - y[~arm_of[g]].mean()
    stats = []
    for chosen in itertools.combinations(range(labels.size), k):
        arm = np.zeros(labels.size, bool)
        arm[list(chosen)] = True
        stats.append(y[arm[g]].mean() - y[~arm[g]].mean())
    return float(np.mean(np.abs(stats) >= abs(observed) - 1e-12))


def test_few_clusters_get_an_exact_permutation_test() -> None:
    g, treated, y, cont, *_ = _cluster_trial(9, 10, 12, cluster_randomised=True)
    arm_of = np.array([treated[g == c][0] for c in range(10)])
    for outcome, values in (("binary", y), ("continuous", cont)):
        cov = estimate.Covariates(None, (), g)
        result = (
            estimate.binary_outcome("x", values, treated, cov)
            if outcome == "binary"
            else estimate.continuous_outcome("x", values, treated, cov)
        )
        assert result.errors.few and result.errors.exact
        assert result.errors.permutations == math.comb(10, 5)
        assert result.errors.permutation_p == pytest.approx(
            _brute_difference_p(values, g, arm_of), abs=1e-12
        )


def _observed_minus_expected(time: np.ndarray, event: np.ndarray, treated: np.ndarray) -> float:
    """The log-rank O - E of the treated arm, from its textbook definition."""
    total = 0.0
    for s in np.unique(time[event == 1]):
        at_risk = time >= s
        deaths = (time == s) & (event == 1)
        total += deaths[treated].sum() - deaths.sum() * at_risk[treated].sum() / at_risk.sum()
    return float(total)


def test_survival_permutation_uses_the_logrank_score() -> None:
    g, treated, _, _, time, event = _cluster_trial(10, 8, 15, cluster_randomised=True)
    arm_of = np.array([treated[g == c][0] for c in range(8)])
    result = estimate.survival_outcome(
        "spell", time, event, treated, estimate.Covariates(None, (), g)
    )
    observed = _observed_minus_expected(time, event, treated)
    stats = []
    for chosen in itertools.combinations(range(8), int(arm_of.sum())):
        arm = np.zeros(8, bool)
        arm[list(chosen)] = True
        stats.append(_observed_minus_expected(time, event, arm[g]))
    expected_p = float(np.mean(np.abs(stats) >= abs(observed) - 1e-9))
    assert result.errors.exact and result.errors.permutations == math.comb(8, 4)
    assert result.errors.permutation_p == pytest.approx(expected_p, abs=1e-12)


def test_sampled_permutations_are_seeded_and_bounded() -> None:
    g, treated, y, *_ = _cluster_trial(11, 18, 6, cluster_randomised=True)
    first = clustered.errors_of_difference(y, treated, g)
    again = clustered.errors_of_difference(y, treated, g)
    assert math.comb(18, 9) > clustered.PERMUTATIONS
    assert not first.exact and first.permutations == clustered.PERMUTATIONS
    assert first.permutation_p == again.permutation_p
    assert 1 / clustered.PERMUTATIONS <= (first.permutation_p or 0) <= 1


def test_no_permutation_when_arms_vary_within_clusters() -> None:
    g, treated, y, *_ = _cluster_trial(12, 6, 30, cluster_randomised=False)
    errors = clustered.errors_of_difference(y, treated, g)
    assert errors.few and errors.permutation_p is None
    assert errors.no_permutation == "arm varies within clusters"


def test_integer_labels_with_gaps_count_only_real_clusters() -> None:
    g, treated, y, *_ = _cluster_trial(13, 6, 10, cluster_randomised=True)
    gapped = g * 1000 + 7
    assert clustered.errors_of_difference(y, treated, gapped) == clustered.errors_of_difference(
        y, treated, g
    )
