"""The pooled evaluation of a trial run in several job centres: one effect across centres.

Each job centre is a stratum with its own 2×2 table of the two arms: a events among n1
units of the trial arm, c events among n0 units of the control arm (b = n1 − a and
d = n0 − c are the units without the event, N = n1 + n0). Two ways to pool:

Mantel–Haenszel, from the tables themselves (``pooled_risk_difference``,
``pooled_odds_ratio``, ``pooled_risk_ratio``). It needs no per-centre estimate, so a
centre with no events in an arm takes part as it is (no correction is added)::

    risk difference   RD = Σ (a n0 − c n1)/N / Σ w,       w = n1 n0 / N
    odds ratio        OR = Σ R / Σ S,   R = a d / N,      S = b c / N
    risk ratio        RR = Σ R / Σ S,   R = a n0 / N,     S = c n1 / N

Variances (by default each consistent both with many small centres and with few large
ones):

- risk difference (Sato 1989, Biometrics 45:1323; the estimator of SAS PROC FREQ
  COMMONRISKDIFF and metafor ``rma.mh(measure="RD")``)::

      Var(RD) = (RD Σ P + Σ Q) / (Σ w)²
      P = (n1² c − n0² a + n1 n0 (n0 − n1)/2) / N²,   Q = (a (n0 − c) + c (n1 − a)) / (2N)

  ``variance="greenland-robins"`` gives instead the Greenland & Robins (1985, Biometrics
  41:55) form of the Cochrane "Statistical algorithms in Review Manager", Stata
  ``metan`` and StatsDirect, which is consistent for large centres only::

      Var(RD) = Σ (a b n0³ + c d n1³) / (n1 n0 N²) / (Σ w)²

- log odds ratio, Robins, Breslow & Greenland (1986)::

      Var(log OR) = Σ P R / (2 (Σ R)²) + Σ (P S + Q R) / (2 Σ R Σ S) + Σ Q S / (2 (Σ S)²)
      P = (a + d)/N,   Q = (b + c)/N

- log risk ratio, Greenland & Robins (1985)::

      Var(log RR) = Σ ((a + c) n1 n0 / N² − a c / N) / (Σ R Σ S)

Intervals are Wald intervals on the difference or the log scale. The p-value of the risk
difference and of the risk ratio is the Wald z test of that scale; the p-value of the odds
ratio is the Cochran–Mantel–Haenszel test (statsmodels ``StratifiedTable.test_null_odds``),
χ² = (|Σ a − Σ n1 m1/N| − ½·correction)² / Σ n1 n0 m1 m0 / (N² (N − 1)) with
m1 = a + c, m0 = b + d.

Inverse variance, from one estimate per centre and its variance (``fixed_effect``,
``random_effects``, ``heterogeneity``, ``pool``): per-centre risk differences
(``jobcentre_risk_differences``) or log hazard ratios of a Cox fit per centre
(``jobcentre_log_hazard_ratios``). With weights w_i = 1/v_i::

    fixed effect     θ = Σ w_i y_i / Σ w_i,           SE = 1/√Σ w_i
    Cochran's Q      Q = Σ w_i (y_i − θ)²  ~ χ²(k − 1)
    I²               max(0, (Q − (k − 1)) / Q)                     (Higgins & Thompson 2002)
    τ²               max(0, (Q − (k − 1)) / (Σ w_i − Σ w_i² / Σ w_i))   (DerSimonian–Laird)
    random effects   the same with w_i* = 1/(v_i + τ²)

These are statsmodels ``combine_effects(eff, var, method_re="dl")`` except that
statsmodels leaves τ² and I² negative when Q < k − 1. With one centre Q = 0, I² = τ² = 0
and the test of Q (0 degrees of freedom) is undefined (NaN).

A per-centre risk difference needs care where a centre has no events (or only events) in
an arm: its binomial variance p(1 − p)/n is then 0 for that arm, and 0 for the centre when
both arms are so, which would give the centre an infinite weight. Such a centre's table
(a zero cell) gets ½ added to each of its four cells before its risk difference and
variance are computed (``correction``; for that centre what statsmodels
``effectsize_2proportions(..., zero_correction=0.5)`` gives); the other centres are left as
they are, and ``CentreEstimates.corrected`` says which centres were corrected. The
Mantel–Haenszel risk difference needs no such care.

Every result reports its estimate on the natural scale (a difference, or a ratio) with its
interval, and its standard error on the scale the interval is built on (the log of a
ratio). Wald intervals use the normal quantile z_{1−α/2}.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from caseload.evaluate import dist
from caseload.evaluate.arrays import FloatArray, frozen
from caseload.evaluate.cox import CoxResult

Variance = Literal["sato", "greenland-robins"]
_COUNTS = ("trial_events", "trial_n", "control_events", "control_n")


@dataclass(frozen=True)
class Pooled:
    """One effect pooled across job centres."""

    measure: str
    """``risk difference``, ``odds ratio``, ``risk ratio``, ``hazard ratio`` or ``effect``."""
    method: str
    """``mantel-haenszel``, ``fixed effect`` (inverse variance) or ``random effects``
    (DerSimonian–Laird)."""
    estimate: float
    """On the natural scale: a difference, or a ratio."""
    se: float
    """Standard error on the scale of the interval: the difference, or the log of a ratio."""
    ci_low: float
    ci_high: float
    p_value: float
    """Two-sided, for no effect (a difference of 0, a ratio of 1)."""
    test: str
    """``wald`` (z test of estimate/se) or ``cmh`` (Cochran–Mantel–Haenszel χ²)."""
    alpha: float
    k: int
    """Job centres pooled."""
    ratio: bool
    """True when the estimate is a ratio (``se`` then belongs to its log)."""

    @property
    def significant(self) -> bool:
        return self.p_value < self.alpha


@dataclass(frozen=True)
class Heterogeneity:
    """How much the job centres' estimates differ beyond chance."""

    q: float
    """Cochran's Q."""
    q_p: float
    """P-value of Q against χ²(k − 1); NaN for a single centre."""
    i2: float
    """Share of the variation across centres beyond chance, 0..1."""
    tau2: float
    """DerSimonian–Laird between-centre variance (on the pooling scale)."""
    k: int

    @property
    def df(self) -> int:
        return self.k - 1


@dataclass(frozen=True)
class Pooling:
    """Fixed and random effects of the same per-centre estimates, and their heterogeneity."""

    fixed: Pooled
    random: Pooled
    heterogeneity: Heterogeneity


@dataclass(frozen=True, eq=False)
class CentreEstimates:
    """One estimate per job centre on the pooling scale (a difference, or a log ratio)."""

    measure: str
    estimate: FloatArray
    variance: FloatArray
    ratio: bool
    """True when ``estimate`` is the log of a ratio (odds, risk or hazard ratio)."""
    corrected: NDArray[np.bool_]
    """Centres whose table had ½ added to each cell (a zero cell); all False otherwise."""

    @property
    def k(self) -> int:
        return int(self.estimate.shape[0])

    def intervals(self, alpha: float = 0.05) -> FloatArray:
        """Shape (k, 3): each centre's estimate and Wald interval on the natural scale."""
        _check_alpha(alpha)
        z = float(dist.norm_ppf(1 - alpha / 2))
        half = z * np.sqrt(self.variance)
        rows = np.column_stack([self.estimate, self.estimate - half, self.estimate + half])
        out: FloatArray = np.exp(rows) if self.ratio else rows
        return out


# ------------------------------------------------------------------ checks


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")


def _arrays(values: Sequence[ArrayLike], names: Sequence[str]) -> list[FloatArray]:
    """One finite number per job centre in each array, all of the same length."""
    arrays = []
    for name, value in zip(names, values, strict=True):
        array = np.asarray(value, dtype=np.float64)
        if array.ndim != 1:
            raise ValueError(f"{name} must hold one number per job centre")
        arrays.append(array)
    lengths = [a.shape[0] for a in arrays]
    if len(set(lengths)) != 1:
        listed = ", ".join(f"{n} {length}" for n, length in zip(names, lengths, strict=True))
        raise ValueError(f"lengths differ: {listed} (one value per job centre)")
    if lengths[0] == 0:
        raise ValueError("no job centres")
    for name, array in zip(names, arrays, strict=True):
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} contains NaN or infinite values")
    return arrays


def _tables(
    trial_events: ArrayLike, trial_n: ArrayLike, control_events: ArrayLike, control_n: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    a, n1, c, n0 = _arrays([trial_events, trial_n, control_events, control_n], _COUNTS)
    for name, array in zip(_COUNTS, (a, n1, c, n0), strict=True):
        if np.any(array != np.round(array)):
            raise ValueError(f"{name} must be whole numbers")
    if np.any(n1 < 1) or np.any(n0 < 1):
        raise ValueError("every job centre needs at least one unit in each arm")
    if np.any(a < 0) or np.any(a > n1) or np.any(c < 0) or np.any(c > n0):
        raise ValueError("events must be between 0 and n in each arm of every job centre")
    return a, n1, c, n0


# ------------------------------------------------------------------ helpers


def _wald(
    measure: str,
    method: str,
    estimate: float,
    se: float,
    alpha: float,
    k: int,
    ratio: bool,
    p_value: float | None = None,
    test: str = "wald",
) -> Pooled:
    """A result with a Wald interval (on the log scale for a ratio) and, unless given, the
    Wald p-value; an undefined standard error leaves the interval and test NaN."""
    z = float(dist.norm_ppf(1 - alpha / 2))
    centre = _log_scale(estimate) if ratio else estimate
    if math.isfinite(se) and math.isfinite(centre):
        low, high = centre - z * se, centre + z * se
        if ratio:
            low, high = math.exp(low), math.exp(high)
        wald_p = float(2 * dist.norm_sf(abs(centre) / se)) if se > 0 else math.nan
    else:
        low = high = wald_p = math.nan
    return Pooled(
        measure=measure,
        method=method,
        estimate=estimate,
        se=se,
        ci_low=low,
        ci_high=high,
        p_value=wald_p if p_value is None else p_value,
        test=test,
        alpha=alpha,
        k=k,
        ratio=ratio,
    )


def _log_scale(ratio: float) -> float:
    """The log of a ratio; a ratio of 0 or infinity has none (NaN)."""
    return math.log(ratio) if 0 < ratio < math.inf else math.nan


def _sqrt(variance: float) -> float:
    """The standard error of a variance estimate; NaN where the estimate is negative."""
    return math.sqrt(variance) if variance >= 0 else math.nan


def _ratio(numerator: float, denominator: float) -> float:
    if denominator > 0:
        return numerator / denominator
    return math.inf if numerator > 0 else math.nan


# ------------------------------------------------------------------ Mantel–Haenszel


def pooled_risk_difference(
    trial_events: ArrayLike,
    trial_n: ArrayLike,
    control_events: ArrayLike,
    control_n: ArrayLike,
    *,
    alpha: float = 0.05,
    variance: Variance = "sato",
) -> Pooled:
    """Mantel–Haenszel risk difference (trial minus control) across job centres, one
    element per centre in each argument; Sato's variance, or Greenland & Robins' (1985)
    with ``variance="greenland-robins"`` (formulas in the module docstring)."""
    _check_alpha(alpha)
    if variance not in ("sato", "greenland-robins"):
        raise ValueError(f"variance must be 'sato' or 'greenland-robins', got {variance!r}")
    a, n1, c, n0 = _tables(trial_events, trial_n, control_events, control_n)
    big_n = n1 + n0
    total_weight = float(np.sum(n1 * n0 / big_n))
    rd = float(np.sum((a * n0 - c * n1) / big_n)) / total_weight
    if variance == "sato":
        p = (n1**2 * c - n0**2 * a + n1 * n0 * (n0 - n1) / 2) / big_n**2
        q = (a * (n0 - c) + c * (n1 - a)) / (2 * big_n)
        var = (rd * float(p.sum()) + float(q.sum())) / total_weight**2
    else:
        b, d = n1 - a, n0 - c
        terms = (a * b * n0**3 + c * d * n1**3) / (n1 * n0 * big_n**2)
        var = float(terms.sum()) / total_weight**2
    return _wald("risk difference", "mantel-haenszel", rd, _sqrt(var), alpha, a.shape[0], False)


def pooled_odds_ratio(
    trial_events: ArrayLike,
    trial_n: ArrayLike,
    control_events: ArrayLike,
    control_n: ArrayLike,
    *,
    alpha: float = 0.05,
    correction: bool = False,
) -> Pooled:
    """Mantel–Haenszel odds ratio across job centres with the Robins–Breslow–Greenland
    variance of its log, and the Cochran–Mantel–Haenszel test (with a continuity
    correction of ½ when ``correction``). With no events in one arm in every centre the
    ratio is 0 or infinite, and its interval NaN."""
    _check_alpha(alpha)
    a, n1, c, n0 = _tables(trial_events, trial_n, control_events, control_n)
    b, d = n1 - a, n0 - c
    big_n = n1 + n0
    r, s = a * d / big_n, b * c / big_n
    r_sum, s_sum = float(r.sum()), float(s.sum())
    odds_ratio = _ratio(r_sum, s_sum)
    if r_sum > 0 and s_sum > 0:
        p, q = (a + d) / big_n, (b + c) / big_n
        var = (
            float(np.sum(p * r)) / (2 * r_sum**2)
            + float(np.sum(p * s + q * r)) / (2 * r_sum * s_sum)
            + float(np.sum(q * s)) / (2 * s_sum**2)
        )
    else:
        var = math.nan
    m1, m0 = a + c, b + d
    expected = float(np.sum(n1 * m1 / big_n))
    cmh_var = float(np.sum(n1 * n0 * m1 * m0 / (big_n**2 * (big_n - 1))))
    if cmh_var > 0:
        deviation = max(abs(float(a.sum()) - expected) - (0.5 if correction else 0.0), 0.0)
        cmh_p = float(dist.chi2_sf(deviation**2 / cmh_var, 1))
    else:  # no events, or only events, in every centre
        cmh_p = math.nan
    return _wald(
        "odds ratio",
        "mantel-haenszel",
        odds_ratio,
        _sqrt(var),
        alpha,
        a.shape[0],
        True,
        p_value=cmh_p,
        test="cmh",
    )


def pooled_risk_ratio(
    trial_events: ArrayLike,
    trial_n: ArrayLike,
    control_events: ArrayLike,
    control_n: ArrayLike,
    *,
    alpha: float = 0.05,
) -> Pooled:
    """Mantel–Haenszel risk ratio (trial over control) across job centres with the
    Greenland–Robins variance of its log; Wald interval and test on the log scale."""
    _check_alpha(alpha)
    a, n1, c, n0 = _tables(trial_events, trial_n, control_events, control_n)
    big_n = n1 + n0
    r, s = a * n0 / big_n, c * n1 / big_n
    r_sum, s_sum = float(r.sum()), float(s.sum())
    risk_ratio = _ratio(r_sum, s_sum)
    if r_sum > 0 and s_sum > 0:
        terms = (a + c) * n1 * n0 / big_n**2 - a * c / big_n
        var = float(terms.sum()) / (r_sum * s_sum)
    else:
        var = math.nan
    return _wald("risk ratio", "mantel-haenszel", risk_ratio, _sqrt(var), alpha, a.shape[0], True)


# ------------------------------------------------------------------ per-centre estimates


def jobcentre_risk_differences(
    trial_events: ArrayLike,
    trial_n: ArrayLike,
    control_events: ArrayLike,
    control_n: ArrayLike,
    *,
    correction: float = 0.5,
) -> CentreEstimates:
    """Each job centre's risk difference (trial minus control) and its binomial variance
    p1(1 − p1)/n1 + p0(1 − p0)/n0, for inverse-variance pooling. A centre with a zero cell
    (no events, or only events, in an arm) has ``correction`` added to each cell first."""
    if not correction >= 0:
        raise ValueError(f"correction must be 0 or more, got {correction}")
    a, n1, c, n0 = _tables(trial_events, trial_n, control_events, control_n)
    zero = (a == 0) | (a == n1) | (c == 0) | (c == n0)
    add = correction * zero
    p1 = (a + add) / (n1 + 2 * add)
    p0 = (c + add) / (n0 + 2 * add)
    variance = p1 * (1 - p1) / (n1 + 2 * add) + p0 * (1 - p0) / (n0 + 2 * add)
    if np.any(variance <= 0):
        raise ValueError(
            "a job centre's risk difference has no variance (a zero cell and correction 0); "
            "give a correction above 0 or pool with pooled_risk_difference"
        )
    return CentreEstimates(
        "risk difference", frozen(p1 - p0), frozen(variance), False, frozen(zero & (add > 0))
    )


def jobcentre_log_hazard_ratios(fits: Sequence[CoxResult], term: str = "arm") -> CentreEstimates:
    """The log hazard ratio of ``term`` and its variance (from the fit's standard error,
    clustered if the fit was) from one Cox fit per job centre."""
    if not fits:
        raise ValueError("no job centres")
    estimates, variances = [], []
    for i, fit in enumerate(fits):
        if term not in fit.names:
            raise ValueError(f"job centre {i}: no covariate {term!r}; the model has {fit.names}")
        j = fit.names.index(term)
        coef, se = float(fit.coef[j]), float(fit.se[j])
        if not (math.isfinite(coef) and math.isfinite(se) and se > 0):
            raise ValueError(f"job centre {i}: the hazard ratio of {term!r} is not estimable")
        estimates.append(coef)
        variances.append(se * se)
    k = len(estimates)
    return CentreEstimates(
        "hazard ratio",
        frozen(np.array(estimates)),
        frozen(np.array(variances)),
        True,
        frozen(np.zeros(k, dtype=bool)),
    )


# ------------------------------------------------------------------ inverse variance


def _effects(estimates: ArrayLike, variances: ArrayLike) -> tuple[FloatArray, FloatArray]:
    y, v = _arrays([estimates, variances], ("estimates", "variances"))
    if np.any(v <= 0):
        raise ValueError("every variance must be above 0")
    return y, v


def _weighted(y: FloatArray, w: FloatArray) -> tuple[float, float]:
    total = float(w.sum())
    return float(w @ y) / total, 1 / math.sqrt(total)


def _natural(mean: float, ratio: bool) -> float:
    return math.exp(mean) if ratio else mean


def heterogeneity(estimates: ArrayLike, variances: ArrayLike) -> Heterogeneity:
    """Cochran's Q with its χ² p-value, I² and the DerSimonian–Laird τ² of per-centre
    estimates (on the pooling scale) and their variances."""
    y, v = _effects(estimates, variances)
    w = 1 / v
    mean, _ = _weighted(y, w)
    q = float(w @ (y - mean) ** 2)
    k = y.shape[0]
    df = k - 1
    if df == 0:
        return Heterogeneity(q=0.0, q_p=math.nan, i2=0.0, tau2=0.0, k=k)
    spread = float(w.sum() - (w @ w) / w.sum())
    return Heterogeneity(
        q=q,
        q_p=float(dist.chi2_sf(q, df)),
        i2=max(0.0, (q - df) / q) if q > 0 else 0.0,
        tau2=max(0.0, (q - df) / spread) if spread > 0 else 0.0,
        k=k,
    )


def fixed_effect(
    estimates: ArrayLike,
    variances: ArrayLike,
    *,
    alpha: float = 0.05,
    ratio: bool = False,
    measure: str = "effect",
) -> Pooled:
    """Inverse-variance (fixed-effect) pooling of per-centre estimates; with ``ratio`` the
    estimates are logs of ratios and the result is reported as a ratio."""
    _check_alpha(alpha)
    y, v = _effects(estimates, variances)
    mean, se = _weighted(y, 1 / v)
    return _wald(measure, "fixed effect", _natural(mean, ratio), se, alpha, y.shape[0], ratio)


def random_effects(
    estimates: ArrayLike,
    variances: ArrayLike,
    *,
    alpha: float = 0.05,
    ratio: bool = False,
    measure: str = "effect",
) -> Pooled:
    """DerSimonian–Laird random-effects pooling: weights 1/(v_i + τ²)."""
    _check_alpha(alpha)
    y, v = _effects(estimates, variances)
    tau2 = heterogeneity(y, v).tau2
    mean, se = _weighted(y, 1 / (v + tau2))
    return _wald(measure, "random effects", _natural(mean, ratio), se, alpha, y.shape[0], ratio)


def pool(centres: CentreEstimates, alpha: float = 0.05) -> Pooling:
    """Fixed and random effects of the job centres' estimates, and their heterogeneity."""
    y, v, ratio, measure = centres.estimate, centres.variance, centres.ratio, centres.measure
    return Pooling(
        fixed=fixed_effect(y, v, alpha=alpha, ratio=ratio, measure=measure),
        random=random_effects(y, v, alpha=alpha, ratio=ratio, measure=measure),
        heterogeneity=heterogeneity(y, v),
    )
