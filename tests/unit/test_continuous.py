"""Welch's comparison and the standardised mean difference against scipy 1.16.3."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.weightstats import ttest_ind as sm_ttest_ind

from caseload.evaluate.adjust import adjusted_difference
from caseload.evaluate.continuous import standardised_mean_difference, welch


def _arms(seed: int, n1: int, n0: int, sd1: float, sd0: float, shift: float):
    rng = np.random.default_rng(seed)
    treated = rng.gamma(2.0, 1.0, n1) * sd1 + shift  # skewed, like days on benefit
    control = rng.gamma(2.0, 1.0, n0) * sd0
    return treated, control


@pytest.mark.parametrize(
    ("seed", "n1", "n0", "sd1", "sd0", "shift", "alpha"),
    [
        (1, 37, 120, 1.0, 4.0, 0.5, 0.05),
        (2, 400, 90, 30.0, 10.0, -12.0, 0.05),
        (3, 2, 5, 1.0, 2.0, 3.0, 0.10),
        (4, 1000, 1000, 5.0, 5.0, 0.0, 0.01),
    ],
)
def test_welch_matches_scipy(
    seed: int, n1: int, n0: int, sd1: float, sd0: float, shift: float, alpha: float
) -> None:
    a, b = _arms(seed, n1, n0, sd1, sd0, shift)
    ours = welch("days", a, b, alpha=alpha)
    reference = stats.ttest_ind(a, b, equal_var=False)
    # reference: scipy.stats.ttest_ind(a, b, equal_var=False).pvalue and .df
    assert ours.p_value == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-300)
    assert ours.df == pytest.approx(reference.df, rel=1e-12)
    # reference: scipy.stats.ttest_ind(a, b, equal_var=False).confidence_interval(1 - alpha)
    interval = reference.confidence_interval(1 - alpha)
    assert ours.ci == pytest.approx((interval.low, interval.high), rel=1e-10)
    # reference: statsmodels.stats.weightstats.ttest_ind(a, b, usevar="unequal") -> (t, p, df)
    _, p_sm, df_sm = sm_ttest_ind(a, b, usevar="unequal")
    assert ours.p_value == pytest.approx(p_sm, rel=1e-9, abs=1e-300)
    assert ours.df == pytest.approx(df_sm, rel=1e-12)
    # reference: numpy mean and std(ddof=1) per arm
    assert (ours.n_treated, ours.n_control) == (n1, n0)
    assert ours.mean_treated == pytest.approx(a.mean(), rel=1e-14)
    assert ours.mean_control == pytest.approx(b.mean(), rel=1e-14)
    assert ours.sd_treated == pytest.approx(a.std(ddof=1), rel=1e-14)
    assert ours.sd_control == pytest.approx(b.std(ddof=1), rel=1e-14)
    assert ours.difference == pytest.approx(a.mean() - b.mean(), rel=1e-12, abs=1e-12)
    assert ours.alpha == alpha
    assert ours.name == "days"
    assert ours.adjusted is None and ours.p_value_holm is None


def test_significant_follows_p_against_alpha() -> None:
    a, b = _arms(5, 300, 300, 1.0, 1.0, 1.5)
    clear = welch("hours", a, b)
    assert clear.p_value < 0.05 and clear.significant
    a, b = _arms(6, 300, 300, 1.0, 1.0, 0.0)
    null = welch("hours", a, b)
    assert null.significant == (null.p_value < 0.05)
    assert not welch("hours", a, b, alpha=min(null.p_value, 0.5) * 0.99).significant


def test_lists_are_accepted() -> None:
    a, b = _arms(7, 20, 25, 2.0, 1.0, 0.3)
    assert welch("x", list(a), list(b)) == welch("x", a, b)


def test_constant_arms_collapse_the_interval() -> None:
    same = welch("x", [3.0, 3.0, 3.0], [3.0, 3.0])
    assert same.p_value == 1.0 and same.ci == (0.0, 0.0) and math.isnan(same.df)
    apart = welch("x", [4.0, 4.0], [3.0, 3.0, 3.0])
    assert apart.p_value == 0.0 and apart.ci == (1.0, 1.0) and apart.significant


def test_adjusted_result_can_be_attached() -> None:
    rng = np.random.default_rng(8)
    n = 500
    treated = rng.random(n) < 0.4
    x = rng.normal(size=n)
    y = 2.0 * treated + 3.0 * x + rng.normal(size=n)
    plain = welch("hours", y[treated], y[~treated])
    bare = adjusted_difference(y, treated, None, [])
    assert bare.difference == pytest.approx(plain.difference, rel=1e-12)
    with_adjusted = replace(plain, adjusted=adjusted_difference(y, treated, x[:, None], ["x"]))
    assert with_adjusted.adjusted is not None
    assert with_adjusted.adjusted.se < bare.se


# --- standardised mean difference -------------------------------------------------------


def test_smd_by_hand() -> None:
    # treated [2, 4, 6]: m1 = 4, s1^2 = (4 + 0 + 4) / 2 = 4
    # control [1, 2, 3, 6]: m0 = 3, s0^2 = (4 + 1 + 0 + 9) / 3 = 14/3
    # SMD = (4 - 3) / sqrt((4 + 14/3) / 2) = 1 / sqrt(13/3)
    assert standardised_mean_difference([2, 4, 6], [1, 2, 3, 6]) == pytest.approx(
        1 / math.sqrt(13 / 3), rel=1e-14
    )


def test_smd_of_a_binary_trait_by_hand() -> None:
    # treated [1, 1, 0, 1]: p1 = 3/4, s1^2 = 4/3 * 3/4 * 1/4 = 1/4
    # control [0, 1, 0, 0, 0]: p0 = 1/5, s0^2 = 5/4 * 1/5 * 4/5 = 1/5
    # SMD = (3/4 - 1/5) / sqrt((1/4 + 1/5) / 2) = 0.55 / sqrt(0.225)
    assert standardised_mean_difference([1, 1, 0, 1], [0, 1, 0, 0, 0]) == pytest.approx(
        0.55 / math.sqrt(0.225), rel=1e-14
    )


def test_smd_on_generated_data_and_antisymmetry() -> None:
    a, b = _arms(9, 250, 310, 3.0, 1.0, 1.0)
    # reference: (a.mean() - b.mean()) / numpy.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    expected = (a.mean() - b.mean()) / np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    assert standardised_mean_difference(a, b) == pytest.approx(expected, rel=1e-12)
    assert standardised_mean_difference(b, a) == pytest.approx(-expected, rel=1e-12)


def test_smd_of_constant_arms() -> None:
    assert math.isnan(standardised_mean_difference([1, 1], [1, 1, 1]))
    assert standardised_mean_difference([2, 2], [1, 1]) == math.inf


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "function",
    [
        lambda a, b: welch("x", a, b),
        standardised_mean_difference,
    ],
)
def test_validation(function) -> None:  # type: ignore[no-untyped-def]
    good = [1.0, 2.0, 4.0]
    with pytest.raises(ValueError, match="the treated arm is empty"):
        function([], good)
    with pytest.raises(ValueError, match="the control arm is empty"):
        function(good, [])
    with pytest.raises(ValueError, match="the control arm needs at least 2 units"):
        function(good, [3.0])
    with pytest.raises(ValueError, match="the treated arm has 1 NaN"):
        function([1.0, math.nan, 2.0], good)
    with pytest.raises(ValueError, match="the control arm has 2 NaN or infinite"):
        function(good, [math.inf, 1.0, math.nan])
    with pytest.raises(ValueError, match="one-dimensional"):
        function([good, good], good)


def test_alpha_must_be_a_probability() -> None:
    with pytest.raises(ValueError, match="alpha"):
        welch("x", [1.0, 2.0], [3.0, 5.0], alpha=1.5)
