"""Agreement between case reviewers, and whether reviewers could tell the arms apart.

The statistics of the case review (issue 16): a second reviewer rates a sample of cases
again, and the review asks how far the two (or more) ratings agree, and whether the
reviewers, who should not know a case's arm, could guess it. Ratings in, typed results
out; no database, no framework.

Weighted Cohen's kappa (``weighted_kappa``), first against second rating of each case on an
ordinal scale of k categories (positions i, j = 0..k-1 in the order given). With the share
p_ij of cases rated i first and j second, margins p_i. and p_.j and agreement weights
w_ij = 1 - d_ij, where the disagreement d_ij is 0 on the diagonal and 1 off it
(unweighted), |i - j|/(k - 1) (linear, Cicchetti–Allison) or (i - j)²/(k - 1)²
(quadratic, Fleiss–Cohen)::

    p_o = Σ w_ij p_ij,   p_e = Σ w_ij p_i. p_.j,   κ = (p_o - p_e) / (1 - p_e)

Its large-sample variance (Fleiss, Cohen & Everitt 1969, Psychological Bulletin
72:323), with w̄_i. = Σ_j p_.j w_ij and w̄_.j = Σ_i p_i. w_ij::

    Var(κ) = [Σ p_ij (w_ij - (w̄_i. + w̄_.j)(1 - κ))² - (κ - p_e (1 - κ))²] / (n (1 - p_e)²)

and the Wald interval κ ± z_{1-α/2} SE, cut to kappa's range [-1, 1] (near-perfect
agreement on few cases would otherwise reach past 1). These are statsmodels
``cohens_kappa(table, wt="linear" | "quadratic")`` (its ``weights`` are disagreement
weights or category scores, its ``wt`` names the kind) and its ``std_kappa``,
``kappa_low`` and ``kappa_upp`` (which are not cut).

Krippendorff's alpha (``krippendorff_alpha``), any number of reviewers per case, missing
ratings allowed (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"). A case
with m_u ≥ 2 ratings adds each ordered pair of its ratings, 1/(m_u - 1) each, to the
coincidence matrix o_ck; cases with fewer than two ratings are not pairable and drop out.
With n_c = Σ_k o_ck and n = Σ_c n_c::

    α = 1 - D_o / D_e,   D_o = Σ o_ck δ²_ck / n,   D_e = Σ n_c n_k δ²_ck / (n (n - 1))

    nominal   δ²_ck = 0 if c = k else 1
    ordinal   δ²_ck = (Σ_{g=c..k} n_g - (n_c + n_k)/2)²      (values in rank order)
    interval  δ²_ck = (c - k)²

When every pairable rating is the same value there is no variation (D_e = 0) and alpha is
undefined: NaN.

Bang's blinding index (``blinding_index``; Bang, Ni & Davis 2004, Controlled Clinical Trials
25:143–156), one per arm, from the reviewers' guesses of the arm of cases in that arm
("trial", "control" or "don't know"): of n guesses, c correct and w wrong::

    BI = (2 c/(c + w) - 1) (c + w)/n = (c - w)/n,   p_c = c/n,  p_w = w/n
    Var(BI) = (p_c (1 - p_c) + p_w (1 - p_w) + 2 p_c p_w) / n

BI is 1 when every guess is right (no blinding), 0 for guessing at random (or no guesses
at all, all "don't know"), -1 when every guess is wrong (guessing the opposite); Bang and
colleagues take |BI| ≤ 0.2 as blinding kept. The interval is BI ± z_{1-α/2} SE, cut to
[-1, 1].
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from caseload.evaluate import dist
from caseload.evaluate.arrays import FloatArray

Weights = Literal["linear", "quadratic"]
Level = Literal["nominal", "ordinal", "interval"]
Arm = Literal["trial", "control"]
Guess = Literal["trial", "control", "don't know"]

ARMS: tuple[Arm, Arm] = ("trial", "control")
GUESSES: tuple[Guess, Guess, Guess] = ("trial", "control", "don't know")
RELIABLE = 0.800
"""Krippendorff's α from which an item's ratings may be relied on."""
TENTATIVE = 0.667
"""Krippendorff's lowest α for tentative conclusions; below it the item is dropped."""
BLINDED = 0.2
"""|BI| up to which Bang and colleagues take an arm's blinding as kept."""


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")


def _z(alpha: float) -> float:
    return float(dist.norm_ppf(1 - alpha / 2))


# ------------------------------------------------------------------ weighted kappa


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa between the first and second rating of the cases reviewed twice."""

    kappa: float
    """NaN when both ratings of every case fall in one category (no variation)."""
    se: float
    ci_low: float
    ci_high: float
    weights: Weights | None
    """``linear``, ``quadratic``, or None for unweighted kappa."""
    observed: float
    """Weighted share of agreement p_o."""
    expected: float
    """Weighted share of agreement expected by chance p_e."""
    cases: int
    alpha: float


def disagreement_weights(categories: int, weights: Weights | None) -> FloatArray:
    """k × k disagreement weights d_ij (0 on the diagonal, 1 at the far corners)."""
    if categories < 2:
        raise ValueError(f"a rating scale needs at least two categories, got {categories}")
    position = np.arange(categories, dtype=np.float64)
    gap = np.abs(position[:, None] - position[None, :]) / (categories - 1)
    if weights is None:
        out: FloatArray = (gap > 0).astype(np.float64)
    elif weights == "linear":
        out = gap
    elif weights == "quadratic":
        out = gap**2
    else:
        raise ValueError(f"weights must be 'linear', 'quadratic' or None, got {weights!r}")
    return out


def rating_table(
    first: Sequence[Hashable], second: Sequence[Hashable], categories: Sequence[Hashable]
) -> FloatArray:
    """k × k counts of cases: rows the first rating, columns the second, in scale order."""
    if len(set(categories)) != len(categories):
        raise ValueError("the categories of the scale must be distinct")
    if len(first) != len(second):
        raise ValueError(
            f"each case needs a first and a second rating: {len(first)} first ratings, "
            f"{len(second)} second"
        )
    if len(first) == 0:
        raise ValueError("no cases rated")
    position = {category: i for i, category in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    for case, (a, b) in enumerate(zip(first, second, strict=True)):
        for rating in (a, b):
            if rating not in position:
                raise ValueError(
                    f"case {case}: rating {rating!r} is not on the scale {list(categories)}"
                )
        table[position[a], position[b]] += 1
    return table


def kappa_from_table(
    table: ArrayLike, weights: Weights | None = None, alpha: float = 0.05
) -> Kappa:
    """Weighted kappa, its standard error and Wald interval from a k × k table of counts."""
    _check_alpha(alpha)
    counts = np.asarray(table, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"the table must be square (k × k), got shape {counts.shape}")
    if not np.all(np.isfinite(counts)) or np.any(counts < 0):
        raise ValueError("the table must hold counts (finite, not negative)")
    n = float(counts.sum())
    if n == 0:
        raise ValueError("no cases rated")
    w = 1 - disagreement_weights(counts.shape[0], weights)
    p = counts / n
    row, col = p.sum(axis=1), p.sum(axis=0)
    observed = float((w * p).sum())
    expected = float((w * np.outer(row, col)).sum())
    if math.isclose(expected, 1.0, rel_tol=0, abs_tol=1e-12):
        nan = math.nan
        return Kappa(nan, nan, nan, nan, weights, observed, expected, int(n), alpha)
    kappa = (observed - expected) / (1 - expected)
    w_row = w @ col  # w̄_i. = Σ_j p_.j w_ij
    w_col = row @ w  # w̄_.j = Σ_i p_i. w_ij
    spread = (p * (w - (w_row[:, None] + w_col[None, :]) * (1 - kappa)) ** 2).sum()
    variance = (spread - (kappa - expected * (1 - kappa)) ** 2) / (n * (1 - expected) ** 2)
    se = math.sqrt(max(float(variance), 0.0))
    half = _z(alpha) * se
    low, high = max(kappa - half, -1.0), min(kappa + half, 1.0)
    return Kappa(kappa, se, low, high, weights, observed, expected, int(n), alpha)


def weighted_kappa(
    first: Sequence[Hashable],
    second: Sequence[Hashable],
    categories: Sequence[Hashable],
    weights: Weights | None = None,
    alpha: float = 0.05,
) -> Kappa:
    """Cohen's kappa between each case's first and second rating on an ordinal scale.

    ``categories`` lists the scale in its order (lowest first); every rating must be one of
    them. ``weights`` is ``"linear"``, ``"quadratic"`` or None (unweighted: any
    disagreement counts in full).
    """
    return kappa_from_table(rating_table(first, second, categories), weights, alpha)


# ------------------------------------------------------------------ Krippendorff's alpha


@dataclass(frozen=True)
class Alpha:
    """Krippendorff's alpha of one item rated by several reviewers."""

    alpha: float
    """NaN when every pairable rating is the same value (no variation)."""
    level: Level
    observed_disagreement: float
    expected_disagreement: float
    cases: int
    """Cases with at least two ratings (the pairable ones)."""
    ratings: int
    """Ratings in those cases (n)."""


def _ratings(ratings: ArrayLike) -> FloatArray:
    data = np.asarray(ratings, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(
            f"ratings must be a cases × reviewers matrix (NaN for missing), got {data.ndim} "
            "dimension(s)"
        )
    if np.any(np.isinf(data)):
        raise ValueError("ratings contain infinite values (use NaN for a missing rating)")
    return data


def coincidences(ratings: ArrayLike) -> tuple[FloatArray, FloatArray, int]:
    """The coincidence matrix o_ck, its values in order, and the number of pairable cases.

    ``ratings`` is a cases × reviewers matrix with NaN for a missing rating.
    """
    data = _ratings(ratings)
    present = ~np.isnan(data)
    pairable = present.sum(axis=1) >= 2
    data, present = data[pairable], present[pairable]
    if data.shape[0] == 0:
        raise ValueError("no case has two ratings: alpha needs at least one pairable case")
    values, codes = np.unique(data[present], return_inverse=True)
    per_case = np.zeros((data.shape[0], values.shape[0]))
    case_of = np.nonzero(present)[0]
    np.add.at(per_case, (case_of, codes), 1.0)
    m = per_case.sum(axis=1)
    scaled = per_case / (m - 1)[:, None]
    o: FloatArray = scaled.T @ per_case - np.diag(scaled.sum(axis=0))
    return o, values.astype(np.float64), int(data.shape[0])


def _squared_differences(values: FloatArray, totals: FloatArray, level: Level) -> FloatArray:
    if level == "nominal":
        out: FloatArray = 1.0 - np.eye(values.shape[0])
    elif level == "interval":
        out = (values[:, None] - values[None, :]) ** 2
    elif level == "ordinal":
        cumulative = np.cumsum(totals)
        index = np.arange(values.shape[0])
        low, high = np.minimum.outer(index, index), np.maximum.outer(index, index)
        between = cumulative[high] - cumulative[low] + totals[low]  # Σ_{g=c..k} n_g
        out = (between - (totals[:, None] + totals[None, :]) / 2) ** 2
    else:
        raise ValueError(
            f"level of measurement must be 'nominal', 'ordinal' or 'interval', got {level!r}"
        )
    return out


def krippendorff_alpha(ratings: ArrayLike, level: Level = "nominal") -> Alpha:
    """Krippendorff's alpha from a cases × reviewers matrix of ratings, NaN where missing.

    Ratings are numbers (category codes for nominal data, ranks or scores otherwise); a case
    with fewer than two ratings drops out, as Krippendorff's method prescribes.
    """
    if level not in ("nominal", "ordinal", "interval"):
        raise ValueError(
            f"level of measurement must be 'nominal', 'ordinal' or 'interval', got {level!r}"
        )
    o, values, cases = coincidences(ratings)
    totals = o.sum(axis=1)
    n = float(totals.sum())
    delta = _squared_differences(values, totals, level)
    observed = float((o * delta).sum()) / n
    expected = float((np.outer(totals, totals) * delta).sum()) / (n * (n - 1))
    value = math.nan if expected == 0 else 1 - observed / expected
    return Alpha(value, level, observed, expected, cases, round(n))


@dataclass(frozen=True)
class Verdict:
    """Krippendorff's reading of an item's alpha, in plain words."""

    alpha: float
    poor: bool
    """True below α = 0.800: the item's ratings are not to be relied on."""
    words: str


def agreement_verdict(alpha: float) -> Verdict:
    """Whether an item's agreement is poor, by Krippendorff's own thresholds.

    Krippendorff (2004, Content Analysis: An Introduction to Its Methodology, 2nd ed., p. 241;
    repeated in Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"): rely on
    variables with α ≥ .800; consider variables with .667 ≤ α < .800 only for drawing
    tentative conclusions; below .667 the data are not reliable enough to use.
    """
    if math.isnan(alpha):
        return Verdict(
            alpha, True, "cannot be judged: every rating is the same, so alpha is undefined"
        )
    if alpha > 1:
        raise ValueError(f"alpha cannot exceed 1, got {alpha}")
    if alpha >= RELIABLE:
        return Verdict(alpha, False, f"reliable: alpha {alpha:.3f} is at least {RELIABLE:.3f}")
    if alpha >= TENTATIVE:
        return Verdict(
            alpha,
            True,
            f"tentative at best: alpha {alpha:.3f} is below {RELIABLE:.3f}; "
            "fit for tentative conclusions only",
        )
    return Verdict(
        alpha,
        True,
        f"not reliable: alpha {alpha:.3f} is below {TENTATIVE:.3f}; do not use the item",
    )


# ------------------------------------------------------------------ Bang's blinding index


@dataclass(frozen=True)
class Guesses:
    """Reviewers' guesses of the arm, for the cases of one arm."""

    trial: int
    control: int
    dont_know: int

    def __post_init__(self) -> None:
        if min(self.trial, self.control, self.dont_know) < 0:
            raise ValueError("guess counts cannot be negative")
        if self.n == 0:
            raise ValueError("an arm needs at least one guess")

    @property
    def n(self) -> int:
        return self.trial + self.control + self.dont_know


@dataclass(frozen=True)
class BlindingIndex:
    """Bang's blinding index of one arm."""

    arm: Arm
    index: float
    """(correct − wrong)/n: 1 every guess right, 0 random, −1 every guess wrong."""
    se: float
    ci_low: float
    ci_high: float
    guesses: Guesses
    alpha: float

    @property
    def blinded(self) -> bool:
        """|BI| ≤ 0.2, the range in which Bang and colleagues take blinding as kept."""
        return abs(self.index) <= BLINDED


def blinding_index(arm: Arm, guesses: Guesses, alpha: float = 0.05) -> BlindingIndex:
    """Bang's blinding index of ``arm`` from the guesses made for its cases."""
    _check_alpha(alpha)
    if arm not in ARMS:
        raise ValueError(f"arm must be 'trial' or 'control', got {arm!r}")
    correct, wrong = (
        (guesses.trial, guesses.control) if arm == "trial" else (guesses.control, guesses.trial)
    )
    n = guesses.n
    p_correct, p_wrong = correct / n, wrong / n
    index = p_correct - p_wrong
    variance = (p_correct * (1 - p_correct) + p_wrong * (1 - p_wrong) + 2 * p_correct * p_wrong) / n
    se = math.sqrt(variance)
    half = _z(alpha) * se
    low, high = max(index - half, -1.0), min(index + half, 1.0)
    return BlindingIndex(arm, index, se, low, high, guesses, alpha)


def blinding_indices(
    arms: Sequence[str], guesses: Sequence[str], alpha: float = 0.05
) -> dict[Arm, BlindingIndex]:
    """Bang's index of each arm from one guess per reviewed case and the case's true arm.

    ``arms`` holds ``trial`` or ``control``; ``guesses`` holds ``trial``, ``control`` or
    ``don't know``.
    """
    if len(arms) != len(guesses):
        raise ValueError(f"one guess per case: {len(arms)} arms, {len(guesses)} guesses")
    tally: dict[str, dict[str, int]] = {arm: dict.fromkeys(GUESSES, 0) for arm in ARMS}
    for case, (arm, guess) in enumerate(zip(arms, guesses, strict=True)):
        if arm not in ARMS:
            raise ValueError(f"case {case}: arm must be 'trial' or 'control', got {arm!r}")
        if guess not in GUESSES:
            raise ValueError(
                f"case {case}: a guess is 'trial', 'control' or \"don't know\", got {guess!r}"
            )
        tally[arm][guess] += 1
    out: dict[Arm, BlindingIndex] = {}
    for arm in ARMS:
        counts = tally[arm]
        if sum(counts.values()) == 0:
            raise ValueError(f"no guesses for the {arm} arm")
        out[arm] = blinding_index(
            arm, Guesses(counts["trial"], counts["control"], counts["don't know"]), alpha
        )
    return out
