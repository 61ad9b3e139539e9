"""Regression adjustment with HC1 and cluster-robust SEs against statsmodels 0.14.5."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.typing import NDArray

from caseload.evaluate.adjust import Adjusted, adjusted_difference

Arrays = tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64], NDArray[np.int64]]


def _trial(seed: int, n: int, k: int, n_clusters: int = 30, share: float = 0.3) -> Arrays:
    """Unequal arms, heteroskedastic errors, clusters of very unequal size with a shared shock."""
    rng = np.random.default_rng(seed)
    treated = rng.random(n) < share
    x = rng.normal(size=(n, k)) * rng.uniform(0.5, 3.0, size=k)
    weights = rng.pareto(1.5, size=n_clusters) + 0.05
    cluster = rng.choice(n_clusters, size=n, p=weights / weights.sum())
    shock = rng.normal(size=n_clusters)[cluster]
    noise = rng.normal(size=n) * (0.5 + np.abs(x[:, 0]) if k else 1.0) * (1 + 2 * treated)
    y = 1.0 + 0.4 * treated + x @ rng.normal(size=k) + 0.5 * shock + noise
    return y, treated, x, cluster


def _design(treated: NDArray[np.bool_], x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.column_stack([np.ones(len(treated)), treated.astype(float), x])


def _names(k: int) -> list[str]:
    return [f"x{i}" for i in range(k)]


def _assert_matches(
    ours: Adjusted, fit: sm.regression.linear_model.RegressionResultsWrapper, alpha: float
) -> None:
    # reference: fit.params[1], fit.bse[1], fit.pvalues[1], fit.conf_int(alpha)[1]
    assert ours.difference == pytest.approx(fit.params[1], rel=1e-9, abs=1e-12)
    assert ours.se == pytest.approx(fit.bse[1], rel=1e-9)
    assert ours.p_value == pytest.approx(fit.pvalues[1], rel=1e-7, abs=1e-15)
    assert ours.ci == pytest.approx(tuple(fit.conf_int(alpha)[1]), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("seed", "n", "k", "alpha"),
    [
        (1, 200, 0, 0.05),
        (2, 500, 1, 0.05),
        (3, 1500, 4, 0.10),
        (4, 90, 6, 0.01),
    ],
)
def test_hc1_matches_statsmodels(seed: int, n: int, k: int, alpha: float) -> None:
    y, treated, x, _ = _trial(seed, n, k)
    ours = adjusted_difference(y, treated, x, _names(k), alpha=alpha)
    # reference: statsmodels.api.OLS(y, X).fit(cov_type="HC1") with X = [1, treated, x]
    fit = sm.OLS(y, _design(treated, x)).fit(cov_type="HC1")
    _assert_matches(ours, fit, alpha)
    assert ours.se_kind == "HC1"
    assert ours.clusters is None
    assert ours.n == n
    assert ours.covariates == tuple(_names(k))


@pytest.mark.parametrize(
    ("seed", "n", "k", "n_clusters", "alpha"),
    [
        (5, 400, 0, 12, 0.05),
        (6, 800, 2, 40, 0.05),
        (7, 3000, 5, 25, 0.10),
        (8, 150, 3, 5, 0.05),
    ],
)
def test_cluster_matches_statsmodels(
    seed: int, n: int, k: int, n_clusters: int, alpha: float
) -> None:
    y, treated, x, cluster = _trial(seed, n, k, n_clusters)
    ours = adjusted_difference(y, treated, x, _names(k), cluster=cluster, alpha=alpha)
    # reference: statsmodels.api.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": g})
    fit = sm.OLS(y, _design(treated, x)).fit(cov_type="cluster", cov_kwds={"groups": cluster})
    _assert_matches(ours, fit, alpha)
    assert ours.se_kind == "cluster"
    assert ours.clusters == len(np.unique(cluster))


def test_cluster_labels_may_be_strings_or_sparse_integers() -> None:
    y, treated, x, cluster = _trial(9, 600, 2, 20)
    as_text = np.array([f"caseworker-{c}" for c in cluster])
    sparse = cluster.astype(np.int64) * 1_000_003 - 7_000_000
    # reference: statsmodels.api.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": g})
    fit = sm.OLS(y, _design(treated, x)).fit(cov_type="cluster", cov_kwds={"groups": cluster})
    for labels in (as_text, sparse, cluster.astype(float)):
        ours = adjusted_difference(y, treated, x, ["a", "b"], cluster=labels)
        _assert_matches(ours, fit, 0.05)
        assert ours.clusters == len(np.unique(cluster))


def test_singleton_clusters_equal_hc1() -> None:
    # With G = n the CR1 factor G/(G-1) * (n-1)/(n-p) equals the HC1 factor n/(n-p).
    y, treated, x, _ = _trial(10, 300, 3)
    hc1 = adjusted_difference(y, treated, x, _names(3))
    singles = adjusted_difference(y, treated, x, _names(3), cluster=np.arange(300))
    assert singles.se == pytest.approx(hc1.se, rel=1e-12)
    assert singles.clusters == 300


def test_binary_outcome_is_the_linear_probability_model() -> None:
    rng = np.random.default_rng(11)
    n = 2000
    treated = rng.random(n) < 0.45
    age = rng.uniform(18, 66, n)
    prior = rng.poisson(2.0, n).astype(float)
    p = np.clip(0.15 + 0.08 * treated + 0.004 * (age - 40) + 0.03 * prior, 0.01, 0.99)
    y = (rng.random(n) < p).astype(float)
    x = np.column_stack([age, prior])
    ours = adjusted_difference(y, treated, x, ["age", "prior"])
    # reference: statsmodels.api.OLS(y, X).fit(cov_type="HC1") with X = [1, treated, age, prior]
    _assert_matches(ours, sm.OLS(y, _design(treated, x)).fit(cov_type="HC1"), 0.05)


def test_no_covariates_gives_the_difference_in_means() -> None:
    y, treated, _, _ = _trial(12, 700, 0)
    for covariates in (None, np.empty((700, 0))):
        ours = adjusted_difference(y, treated, covariates, [])
        assert ours.difference == pytest.approx(y[treated].mean() - y[~treated].mean(), rel=1e-12)
        assert ours.covariates == ()


def test_boolean_and_integer_treated_agree() -> None:
    y, treated, x, cluster = _trial(13, 400, 2)
    a = adjusted_difference(y, treated, x, ["a", "b"], cluster=cluster)
    b = adjusted_difference(y, treated.astype(int), x, ["a", "b"], cluster=cluster)
    c = adjusted_difference(y, treated.astype(float), x, ["a", "b"], cluster=cluster)
    assert a == b == c


def test_ill_conditioned_design_still_matches() -> None:
    # A covariate far from zero (an offset of 1e6) and two covariates correlated at 1 - 1e-8:
    # the normal equations on the raw columns would lose most digits here.
    rng = np.random.default_rng(14)
    n = 5000
    treated = rng.random(n) < 0.35
    base = rng.normal(size=n)
    x = np.column_stack(
        [
            1e6 + rng.normal(size=n),
            base,
            base + 1e-4 * rng.normal(size=n),
            rng.normal(size=n) * 1e-5,
        ]
    )
    noise = rng.normal(size=n) * (1 + base**2)
    y = 2.0 + 0.3 * treated + x[:, 0] * 1e-3 + x[:, 1] - x[:, 2] + noise
    design = _design(treated, x)
    ours = adjusted_difference(y, treated, x, ["offset", "b", "b_twin", "tiny"])
    # reference: statsmodels.api.OLS(y, X).fit(cov_type="HC1")
    fit = sm.OLS(y, design).fit(cov_type="HC1")
    assert ours.difference == pytest.approx(fit.params[1], rel=1e-8)
    assert ours.se == pytest.approx(fit.bse[1], rel=1e-7)
    # reference: Householder QR, q, r = numpy.linalg.qr(X); numpy.linalg.solve(r, q.T @ y)[1]
    q, r = np.linalg.qr(design)
    assert ours.difference == pytest.approx(np.linalg.solve(r, q.T @ y)[1], rel=1e-8)


def test_covariate_nearly_equal_to_the_arm_keeps_its_digits() -> None:
    # 1 - R^2 of the covariate on the arm is about 4e-9 (accepted, above 1e-10): plain normal
    # equations lose ~6 digits of the treated coefficient here; the refinement step keeps them.
    rng = np.random.default_rng(21)
    n = 3000
    treated = rng.random(n) < 0.4
    x = np.column_stack([treated + 3e-5 * rng.normal(size=n), rng.normal(size=n)])
    y = 0.5 * treated + x[:, 1] + rng.normal(size=n) * (1 + treated)
    design = _design(treated, x)
    ours = adjusted_difference(y, treated, x, ["near_arm", "b"])
    # reference: Householder QR, q, r = numpy.linalg.qr(X); numpy.linalg.solve(r, q.T @ y)[1]
    q, r = np.linalg.qr(design)
    assert ours.difference == pytest.approx(np.linalg.solve(r, q.T @ y)[1], rel=1e-8)
    # reference: statsmodels.api.OLS(y, X).fit(cov_type="HC1").bse[1]
    assert ours.se == pytest.approx(sm.OLS(y, design).fit(cov_type="HC1").bse[1], rel=1e-8)


def test_rescaling_a_covariate_changes_nothing() -> None:
    y, treated, x, cluster = _trial(15, 800, 3)
    a = adjusted_difference(y, treated, x, _names(3), cluster=cluster)
    # Offsets up to 1e3 times a column's scale already cost ~1e-13 of each value in
    # rounding, hence rel=1e-9.
    scaled = x * np.array([1e8, 1.0, 1e-8]) + np.array([5e10, -1e3, 3e-6])
    b = adjusted_difference(y, treated, scaled, _names(3), cluster=cluster)
    assert b.difference == pytest.approx(a.difference, rel=1e-9)
    assert b.se == pytest.approx(a.se, rel=1e-9)


def test_adjustment_recovers_the_effect_and_shrinks_the_se() -> None:
    rng = np.random.default_rng(16)
    n, effect = 40_000, 0.3
    treated = rng.random(n) < 0.4
    prognostic = rng.normal(size=n)
    noise = rng.normal(size=n) * (0.5 + 0.5 * np.abs(prognostic))
    y = effect * treated + 2.0 * prognostic + noise
    bare = adjusted_difference(y, treated, None, [])
    adjusted = adjusted_difference(y, treated, prognostic[:, None], ["prognostic"])
    assert bare.ci[0] < effect < bare.ci[1]
    assert adjusted.ci[0] < effect < adjusted.ci[1]
    # Var(y | arm) = 4 + E[noise^2] and Var(y | arm, x) = E[noise^2], so the SE ratio is
    # sqrt(E[noise^2] / (4 + E[noise^2])), E[noise^2] = 0.25 * E[(1 + |x|)^2] = 0.25 * (2 +
    # 2 sqrt(2/pi)).
    noise_var = 0.25 * (2 + 2 * math.sqrt(2 / math.pi))
    assert adjusted.se / bare.se == pytest.approx(math.sqrt(noise_var / (4 + noise_var)), rel=0.05)


def test_imbalanced_prognostic_covariate_biases_only_the_unadjusted_difference() -> None:
    # Deliberate imbalance: the treated arm starts 0.8 SD higher on a covariate worth 1.5 per
    # unit, so the raw difference is about 0.2 + 0.8 * 1.5 = 1.4 while the effect is 0.2.
    rng = np.random.default_rng(17)
    n, effect = 20_000, 0.2
    treated = rng.random(n) < 0.5
    prognostic = rng.normal(size=n) + 0.8 * treated
    y = effect * treated + 1.5 * prognostic + rng.normal(size=n) * (1 + 0.5 * treated)
    bare = adjusted_difference(y, treated, None, [])
    adjusted = adjusted_difference(y, treated, prognostic[:, None], ["prognostic"])
    # Bias of 1.2 against SEs near 0.02: the raw difference sits dozens of SEs from the effect
    # and near 1.4, the adjusted one within 4 SEs of 0.2 (a 95 % interval misses 1 time in 20,
    # so the check is on 4 SEs, which chance breaks about 1 time in 16,000).
    assert abs(bare.difference - effect) > 20 * bare.se
    assert bare.difference == pytest.approx(effect + 0.8 * 1.5, abs=4 * bare.se)
    assert abs(adjusted.difference - effect) < 4 * adjusted.se
    assert abs(adjusted.difference - effect) < abs(bare.difference - effect) / 10


def test_p_value_and_interval_use_the_normal_distribution() -> None:
    from scipy import stats

    y, treated, x, cluster = _trial(18, 60, 2, 6)
    ours = adjusted_difference(y, treated, x, ["a", "b"], cluster=cluster, alpha=0.2)
    z = ours.difference / ours.se
    # reference: scipy.stats.norm.sf(|z|) * 2 and scipy.stats.norm.ppf(0.9)
    assert ours.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-12)
    half = stats.norm.ppf(0.9) * ours.se
    assert ours.ci == pytest.approx((ours.difference - half, ours.difference + half), rel=1e-12)


# --- validation ---------------------------------------------------------------------------


def _small() -> Arrays:
    return _trial(19, 100, 3, 8)


def test_constant_covariate_is_named() -> None:
    y, treated, x, _ = _small()
    x[:, 1] = 7.0
    with pytest.raises(ValueError, match="covariate 'x1' is constant"):
        adjusted_difference(y, treated, x, _names(3))


def test_collinear_covariate_names_its_partners() -> None:
    y, treated, x, _ = _small()
    x = np.column_stack([x, 3.0 * x[:, 0] - x[:, 2] + 5.0])
    with pytest.raises(ValueError, match=r"'x3' is collinear with covariate 'x0', covariate 'x2'"):
        adjusted_difference(y, treated, x, _names(4))


def test_covariate_equal_to_the_arm_is_collinear_with_treated() -> None:
    y, treated, x, _ = _small()
    x = np.column_stack([x, 2.0 * treated - 1.0])
    with pytest.raises(ValueError, match="'x3' is collinear with the treated indicator"):
        adjusted_difference(y, treated, x, _names(4))


@pytest.mark.parametrize("where", ["treated", "covariates", "cluster"])
def test_lengths_must_agree(where: str) -> None:
    y, treated, x, cluster = _small()
    args = {"treated": treated, "covariates": x, "cluster": cluster}
    args[where] = args[where][:-1]
    with pytest.raises(ValueError, match=r"rows|labels"):
        adjusted_difference(
            y, args["treated"], args["covariates"], _names(3), cluster=args["cluster"]
        )


def test_names_must_fit_the_columns() -> None:
    y, treated, x, _ = _small()
    with pytest.raises(ValueError, match="2 names given for 3 covariate columns"):
        adjusted_difference(y, treated, x, ["a", "b"])
    with pytest.raises(ValueError, match="unique"):
        adjusted_difference(y, treated, x, ["a", "b", "a"])


def test_nan_in_outcome_or_covariate() -> None:
    y, treated, x, _ = _small()
    y_bad = y.copy()
    y_bad[4] = np.nan
    with pytest.raises(ValueError, match="y has 1 NaN"):
        adjusted_difference(y_bad, treated, x, _names(3))
    x[10, 2] = np.nan
    with pytest.raises(ValueError, match="covariate 'x2' has NaN"):
        adjusted_difference(y, treated, x, _names(3))


@pytest.mark.parametrize(("arm", "empty"), [(0, "treated"), (1, "control")])
def test_empty_arm(arm: int, empty: str) -> None:
    y, _, x, _ = _small()
    with pytest.raises(ValueError, match=f"the {empty} arm is empty"):
        adjusted_difference(y, np.full(len(y), arm), x, _names(3))


def test_treated_must_be_zero_or_one() -> None:
    y, treated, x, _ = _small()
    with pytest.raises(ValueError, match="0/1"):
        adjusted_difference(y, treated.astype(int) * 2, x, _names(3))


def test_fewer_than_two_clusters() -> None:
    y, treated, x, _ = _small()
    with pytest.raises(ValueError, match="at least 2 clusters, got 1"):
        adjusted_difference(y, treated, x, _names(3), cluster=np.zeros(len(y), dtype=int))


def test_missing_cluster_label() -> None:
    y, treated, x, cluster = _small()
    labels = cluster.astype(float)
    labels[3] = np.nan
    with pytest.raises(ValueError, match="cluster labels contain NaN"):
        adjusted_difference(y, treated, x, _names(3), cluster=labels)


def test_too_few_rows_for_the_parameters() -> None:
    y, treated, x, _ = _trial(20, 5, 3)
    treated[:2] = [True, False]
    with pytest.raises(ValueError, match="too few"):
        adjusted_difference(y, treated, x, _names(3))
