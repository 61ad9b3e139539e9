"""Case-review agreement against statsmodels, the krippendorff package and the worked examples
published with Krippendorff's alpha and Bang's blinding index."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from statsmodels.stats.inter_rater import cohens_kappa

from caseload.evaluate.agreement import (
    Guesses,
    agreement_verdict,
    blinding_index,
    blinding_indices,
    kappa_from_table,
    krippendorff_alpha,
    rating_table,
    weighted_kappa,
)

SCALE = ["none", "some", "half", "most", "all"]
NAN = math.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section on data with
# missing values: 4 observers (rows A–D) × 12 units; transposed here to cases × reviewers.
KRIPPENDORFF_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
).T


def _two_ratings(seed: int, cases: int = 150) -> tuple[list[str], list[str]]:
    """First ratings at random, second ones mostly the same or a step away."""
    rng = np.random.default_rng(seed)
    first = rng.integers(0, len(SCALE), cases)
    second = np.clip(first + rng.choice([-2, -1, 0, 0, 0, 1, 1], cases), 0, len(SCALE) - 1)
    return [SCALE[i] for i in first], [SCALE[i] for i in second]


# ------------------------------------------------------------------ kappa vs statsmodels


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_kappa_matches_statsmodels(seed: int, weights: str | None) -> None:
    first, second = _two_ratings(seed)
    ours = weighted_kappa(first, second, SCALE, weights=weights)  # type: ignore[arg-type]
    table = rating_table(first, second, SCALE)
    # statsmodels: the kind goes in `wt` ("linear" / "quadratic"); its `weights` would be
    # category scores or a disagreement matrix, not the name. Unweighted: neither given.
    # cohens_kappa(table) / cohens_kappa(table, wt="linear") / (table, wt="quadratic")
    reference = cohens_kappa(table) if weights is None else cohens_kappa(table, wt=weights)
    assert ours.kappa == pytest.approx(reference.kappa, abs=1e-12)
    # statsmodels: cohens_kappa(...).std_kappa (Fleiss, Cohen & Everitt 1969)
    assert ours.se == pytest.approx(reference.std_kappa, abs=1e-12)
    # statsmodels: cohens_kappa(...).kappa_low, .kappa_upp (alpha=0.025 a side: 95 %),
    # cut to kappa's range [-1, 1]
    assert (ours.ci_low, ours.ci_high) == pytest.approx(
        (max(reference.kappa_low, -1.0), min(reference.kappa_upp, 1.0)), abs=1e-12
    )


def test_the_kappa_interval_stays_within_kappas_range() -> None:
    """Near-perfect agreement on few cases: the Wald interval reaches past 1 (statsmodels
    says so too) and is cut at 1; its lower end is the Wald one."""
    first = ["none", "some", "half", "most", "all", "half", "some", "all"]
    second = ["none", "some", "half", "most", "all", "half", "some", "most"]
    ours = weighted_kappa(first, second, SCALE, weights="quadratic")
    # statsmodels: cohens_kappa(rating_table(first, second, SCALE), wt="quadratic")
    reference = cohens_kappa(rating_table(first, second, SCALE), wt="quadratic")
    assert reference.kappa_upp > 1.0
    assert ours.ci_high == 1.0
    assert ours.ci_low == pytest.approx(reference.kappa_low, abs=1e-12)
    assert ours.kappa == pytest.approx(reference.kappa, abs=1e-12)


def test_weights_change_kappa_in_the_expected_order() -> None:
    # near misses forgiven more by linear, still more by quadratic weights
    first, second = _two_ratings(4)
    plain, linear, quadratic = (
        weighted_kappa(first, second, SCALE, weights=w).kappa for w in (None, "linear", "quadratic")
    )
    assert plain < linear < quadratic


def test_kappa_of_perfect_agreement_is_one_with_no_error() -> None:
    ratings = ["none", "some", "half", "most", "all", "half"]
    result = weighted_kappa(ratings, ratings, SCALE, weights="quadratic")
    assert result.kappa == pytest.approx(1.0)
    assert result.se == pytest.approx(0.0, abs=1e-7)  # 0 up to rounding (√ of ~1e-16)


def test_kappa_with_every_rating_in_one_category_is_undefined() -> None:
    result = weighted_kappa(["some"] * 5, ["some"] * 5, SCALE)
    assert math.isnan(result.kappa)
    assert result.observed == 1.0


@pytest.mark.parametrize(
    ("first", "second", "categories", "message"),
    [
        (["some"], ["some", "all"], SCALE, "a first and a second rating"),
        (["some"], ["lots"], SCALE, "'lots' is not on the scale"),
        ([], [], SCALE, "no cases"),
        (["x"], ["x"], ["x"], "at least two categories"),
        (["a"], ["a"], ["a", "a"], "distinct"),
    ],
)
def test_kappa_refuses_bad_input(
    first: list[str], second: list[str], categories: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        weighted_kappa(first, second, categories)


def test_kappa_refuses_unknown_weights_and_bad_tables() -> None:
    with pytest.raises(ValueError, match="'linear', 'quadratic' or None"):
        weighted_kappa(["some"], ["all"], SCALE, weights="cubic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="square"):
        kappa_from_table(np.ones((2, 3)))
    with pytest.raises(ValueError, match="counts"):
        kappa_from_table([[1, -1], [0, 2]])


# ------------------------------------------------------------------ Krippendorff's alpha


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)],
)
def test_alpha_matches_krippendorffs_worked_example(level: str, published: float) -> None:
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the 4 observers ×
    # 12 units example with missing values: nominal α = 0.743, ordinal α = 0.815,
    # interval α = 0.849 (published to three decimals)
    result = krippendorff_alpha(KRIPPENDORFF_2011, level)  # type: ignore[arg-type]
    assert round(result.alpha, 3) == published
    assert result.cases == 11  # unit 12 has one value only and is not pairable
    assert result.ratings == 40  # Krippendorff's n = 40 pairable values


@pytest.mark.parametrize("seed", [5, 6, 7])
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_alpha_matches_the_krippendorff_package(seed: int, level: str) -> None:
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, 40)
    ratings = np.clip(truth[:, None] + rng.choice([-1, 0, 0, 0, 1], (40, 4)), 1, 5).astype(float)
    ratings[rng.random((40, 4)) < 0.2] = np.nan  # a fifth of the ratings missing
    ratings[0, :] = np.nan  # a case nobody rated
    ratings[1, 1:] = np.nan  # a case with one rating
    ours = krippendorff_alpha(ratings, level)  # type: ignore[arg-type]
    # krippendorff.alpha(reliability_data=ratings.T, level_of_measurement=level)
    # (the package takes reviewers × cases)
    reference = krippendorff.alpha(reliability_data=ratings.T, level_of_measurement=level)
    assert ours.alpha == pytest.approx(reference, abs=1e-12)


def test_alpha_of_perfect_agreement_is_one() -> None:
    ratings = np.array([[1, 1, NAN], [2, 2, 2], [3, NAN, 3], [1, 1, 1]])
    for level in ("nominal", "ordinal", "interval"):
        assert krippendorff_alpha(ratings, level).alpha == pytest.approx(1.0)  # type: ignore[arg-type]


def test_alpha_with_a_single_value_is_undefined() -> None:
    result = krippendorff_alpha(np.array([[2, 2], [2, 2], [2, NAN]]))
    assert math.isnan(result.alpha)
    assert agreement_verdict(result.alpha).poor


def test_a_case_with_all_ratings_missing_drops_out() -> None:
    with_empty = np.vstack([KRIPPENDORFF_2011, [NAN, NAN, NAN, NAN]])
    assert krippendorff_alpha(with_empty).alpha == pytest.approx(
        krippendorff_alpha(KRIPPENDORFF_2011).alpha
    )


@pytest.mark.parametrize(
    ("ratings", "level", "message"),
    [
        ([1, 2, 3], "nominal", "cases × reviewers"),
        ([[1, NAN], [NAN, 2]], "nominal", "no case has two ratings"),
        ([[1, math.inf], [1, 2]], "nominal", "infinite"),
        ([[1, 2], [1, 2]], "ratio", "'nominal', 'ordinal' or 'interval'"),
    ],
)
def test_alpha_refuses_bad_input(ratings: object, level: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        krippendorff_alpha(ratings, level)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("alpha", "poor", "start"),
    [
        (0.95, False, "reliable"),
        (0.800, False, "reliable"),
        (0.75, True, "tentative at best"),
        (0.667, True, "tentative at best"),
        (0.5, True, "not reliable"),
        (-0.2, True, "not reliable"),
    ],
)
def test_verdict_follows_krippendorffs_thresholds(alpha: float, poor: bool, start: str) -> None:
    verdict = agreement_verdict(alpha)
    assert verdict.poor is poor
    assert verdict.words.startswith(start)


def test_verdict_refuses_alpha_above_one() -> None:
    with pytest.raises(ValueError, match="cannot exceed 1"):
        agreement_verdict(1.2)


# ------------------------------------------------------------------ Bang's blinding index

# CRISP, Bang, Ni & Davis (2004) Table 7 (the counts as the R package BI's example quotes
# them: guesses trial / control / don't know): trial arm 82 / 25 / 170, control arm
# 27 / 29 / 83. The paper's own BI values were not found in the sources reachable here, so
# the expected values below are worked by hand from the paper's formulas:
#   BI = (2 c/(c + w) - 1)(c + w)/n,  Var = (p_c(1 - p_c) + p_w(1 - p_w) + 2 p_c p_w)/n
CRISP_TRIAL = Guesses(trial=82, control=25, dont_know=170)
CRISP_CONTROL = Guesses(trial=27, control=29, dont_know=83)


def test_bang_index_of_the_crisp_example_by_hand() -> None:
    trial = blinding_index("trial", CRISP_TRIAL)
    n, c, w = 277, 82, 25
    # by hand: (2 * 82/107 - 1) * 107/277 = 57/277 = 0.2058
    assert trial.index == pytest.approx((2 * c / (c + w) - 1) * (c + w) / n, abs=1e-12)
    assert trial.index == pytest.approx(0.2058, abs=5e-5)
    pc, pw = c / n, w / n
    se = math.sqrt((pc * (1 - pc) + pw * (1 - pw) + 2 * pc * pw) / n)
    assert trial.se == pytest.approx(se, abs=1e-12)
    # by hand: sqrt((0.29603 + 0.09025 - 0.20578**2) / 277) = sqrt(0.34394 / 277) = 0.0352
    assert trial.se == pytest.approx(0.0352, abs=5e-5)
    assert (trial.ci_low, trial.ci_high) == pytest.approx(
        (57 / 277 - 1.959963985 * se, 57 / 277 + 1.959963985 * se), abs=1e-9
    )
    assert not trial.blinded  # 0.206 is just past 0.2

    control = blinding_index("control", CRISP_CONTROL)
    n, c, w = 139, 29, 27  # correct guesses in the control arm are "control"
    assert control.index == pytest.approx((c - w) / n, abs=1e-12)
    assert control.index == pytest.approx(0.0144, abs=5e-5)
    pc, pw = c / n, w / n
    assert control.se == pytest.approx(
        math.sqrt((pc * (1 - pc) + pw * (1 - pw) + 2 * pc * pw) / n), abs=1e-12
    )
    assert control.blinded


def test_bang_indices_from_one_guess_per_case() -> None:
    arms = ["trial"] * 277 + ["control"] * 139
    guesses = (
        ["trial"] * 82 + ["control"] * 25 + ["don't know"] * 170
        + ["trial"] * 27 + ["control"] * 29 + ["don't know"] * 83
    )  # fmt: skip
    result = blinding_indices(arms, guesses)
    assert result["trial"] == blinding_index("trial", CRISP_TRIAL)
    assert result["control"] == blinding_index("control", CRISP_CONTROL)


def test_bang_index_extremes() -> None:
    assert blinding_index("trial", Guesses(10, 0, 0)).index == 1.0  # every guess right
    assert blinding_index("control", Guesses(10, 0, 0)).index == -1.0  # every guess wrong
    none_guessed = blinding_index("trial", Guesses(0, 0, 12))
    assert (none_guessed.index, none_guessed.se) == (0.0, 0.0)
    # 9 right, 1 "don't know" of 10: BI 0.9, SE = sqrt(0.9 * 0.1 / 10) = 0.0949, so the
    # Wald interval 0.9 ± 1.96 SE reaches 1.086: cut at 1, its lower end 0.714 kept
    nearly = blinding_index("trial", Guesses(9, 0, 1))
    assert nearly.ci_high == 1.0
    assert nearly.ci_low == pytest.approx(0.9 - 1.959964 * (0.9 * 0.1 / 10) ** 0.5, abs=1e-6)


def test_bang_index_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="at least one guess"):
        Guesses(0, 0, 0)
    with pytest.raises(ValueError, match="negative"):
        Guesses(-1, 2, 3)
    with pytest.raises(ValueError, match="'trial' or 'control'"):
        blinding_index("placebo", Guesses(1, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="don't know"):
        blinding_indices(["trial", "control"], ["trial", "unsure"])
    with pytest.raises(ValueError, match="one guess per case"):
        blinding_indices(["trial"], [])
    with pytest.raises(ValueError, match="no guesses for the control arm"):
        blinding_indices(["trial"], ["trial"])
