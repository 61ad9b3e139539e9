"""Continuous outcomes in two arms (days on benefit, paid hours): Welch's t and the SMD.

Formulas, with arm means m1, m0, sample variances s1^2, s0^2 (ddof = 1) and sizes n1, n0:
- Difference ``d = m1 - m0`` with ``se = sqrt(s1^2/n1 + s0^2/n0)``.
- Welch–Satterthwaite ``df = se^4 / ((s1^2/n1)^2/(n1-1) + (s0^2/n0)^2/(n0-1))``.
- Two-sided ``p = 2 * (1 - T_df(|d / se|))``; interval ``d -/+ t_{df, 1-alpha/2} se``
  (as ``scipy.stats.ttest_ind(a, b, equal_var=False)``).
- Standardised mean difference ``(m1 - m0) / sqrt((s1^2 + s0^2) / 2)``; for a 0/1 trait
  ``s^2 = n/(n-1) p(1-p)``, Austin's binary SMD up to that factor.

Both arms constant (``se = 0``): the interval collapses to ``d``, ``df`` is NaN and p is 1
when ``d = 0`` and 0 otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from caseload.evaluate import dist
from caseload.evaluate.adjust import Adjusted
from caseload.evaluate.clustered import INDIVIDUAL, Errors


@dataclass(frozen=True)
class ContinuousResult:
    name: str
    n_treated: int
    n_control: int
    mean_treated: float
    mean_control: float
    sd_treated: float
    sd_control: float
    difference: float
    """``mean_treated - mean_control``."""
    ci: tuple[float, float]
    """Welch interval for the difference."""
    p_value: float
    """Welch's t test, two-sided."""
    df: float
    """Welch–Satterthwaite degrees of freedom."""
    alpha: float
    adjusted: Adjusted | None = None
    p_value_holm: float | None = None
    errors: Errors = INDIVIDUAL
    """Which errors the interval and p-value use: with clusters, OLS with CR1 errors and a
    normal reference (``df`` is then infinite), clustered.py."""

    @property
    def significant(self) -> bool:
        """Unadjusted p below alpha (``p_value_holm`` holds the family-wise view)."""
        return self.p_value < self.alpha


def _arm(values: ArrayLike, label: str) -> NDArray[np.float64]:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"the {label} values must be one-dimensional, got shape {array.shape}")
    if len(array) == 0:
        raise ValueError(f"the {label} arm is empty")
    if len(array) < 2:
        raise ValueError(f"the {label} arm needs at least 2 units for a variance, got 1")
    if not np.isfinite(array).all():
        bad = int(np.count_nonzero(~np.isfinite(array)))
        raise ValueError(f"the {label} arm has {bad} NaN or infinite values")
    return array


def welch(
    name: str, treated_values: ArrayLike, control_values: ArrayLike, alpha: float = 0.05
) -> ContinuousResult:
    """Welch's unequal-variance comparison of the treated and control means."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    treated = _arm(treated_values, "treated")
    control = _arm(control_values, "control")
    n1, n0 = len(treated), len(control)
    m1, m0 = float(treated.mean()), float(control.mean())
    v1, v0 = float(treated.var(ddof=1)), float(control.var(ddof=1))
    w1, w0 = v1 / n1, v0 / n0
    se = math.sqrt(w1 + w0)
    difference = m1 - m0
    if se > 0:
        df = (w1 + w0) ** 2 / (w1**2 / (n1 - 1) + w0**2 / (n0 - 1))
        p_value = float(2 * dist.t_sf(abs(difference) / se, df))
        half = float(dist.t_ppf(1 - alpha / 2, df)) * se
    else:  # both arms constant
        df, half = math.nan, 0.0
        p_value = 1.0 if difference == 0 else 0.0
    return ContinuousResult(
        name=name,
        n_treated=n1,
        n_control=n0,
        mean_treated=m1,
        mean_control=m0,
        sd_treated=math.sqrt(v1),
        sd_control=math.sqrt(v0),
        difference=difference,
        ci=(difference - half, difference + half),
        p_value=p_value,
        df=df,
        alpha=alpha,
    )


def standardised_mean_difference(treated_values: ArrayLike, control_values: ArrayLike) -> float:
    """``(m1 - m0) / sqrt((s1^2 + s0^2) / 2)`` with sample variances; 0/1 traits work too.

    NaN when both arms are constant (0 / 0); +/-inf when only the means differ.
    """
    treated = _arm(treated_values, "treated")
    control = _arm(control_values, "control")
    difference = float(treated.mean() - control.mean())
    pooled = math.sqrt((float(treated.var(ddof=1)) + float(control.var(ddof=1))) / 2)
    if pooled == 0:
        return math.nan if difference == 0 else math.copysign(math.inf, difference)
    return difference / pooled
