"""Time to leaving kontanthjælp: Kaplan–Meier, log-rank, RMST and Aalen–Johansen.

Time is days from the cohort start until the citizen leaves kontanthjælp; a citizen still
on it when the outcome window closes is censored there. At a tie, events come before
censoring: a unit censored at t is still at risk at t. With t_1 < ... < t_m the distinct
event times, n_i the number at risk just before t_i (time >= t_i) and d_i the events at t_i:

- Kaplan–Meier ``S(t) = prod_{t_i <= t} (1 - d_i / n_i)``; Greenwood
  ``se = S(t) sqrt(sum_{t_i <= t} d_i / (n_i (n_i - d_i)))`` (NaN where S = 0).
- Pointwise interval on the log(-log) scale, as R ``survfit(conf.type="log-log")``:
  ``S^exp(+z w)`` .. ``S^exp(-z w)`` with ``w = se / (S |log S|)``, ``z = Phi^-1(1 - alpha/2)``.
- Median: the smallest t_i with ``S(t_i) <= 0.5`` (1e-10 tolerance). statsmodels and SAS
  use ``S < 0.5`` and R the midpoint when S is exactly 0.5 on an interval; they differ
  only then.
- Median interval (Brookmeyer–Crowley by test inversion; the SAS LIFETEST rule that
  statsmodels ``quantile_ci(0.5, method="cloglog")`` follows): the event times at which 0.5 lies in
  the pointwise log(-log) interval form the confidence set. Lower limit: the first of them;
  upper limit: the event time after the last of them, None if there is none (not reached).
- Log-rank: ``O - E`` of the treated arm, ``E = sum d_i n_i1 / n_i``, hypergeometric
  variance ``V = sum n_i1 n_i0 d_i (n_i - d_i) / (n_i^2 (n_i - 1))``; ``chi2 = (O - E)^2 / V``
  on 1 df.
- RMST: ``int_0^tau S(u) du``; ``Var = sum_{t_i <= tau} A_i^2 d_i / (n_i (n_i - d_i))``,
  ``A_i = int_{t_i}^tau S(u) du`` (a term with A_i = 0 counts 0). Arms are compared by
  the difference treated - control with the normal approximation.
- Aalen–Johansen for competing causes k: ``F_k(t) = sum_{t_i <= t} S(t_{i-1}) d_ik / n_i``
  with S the all-cause Kaplan–Meier. Its variance is the delta-method (Greenwood-type)
  estimator of statsmodels ``CumIncidenceRight`` (which cites Marubini & Valsecchi 1995
  and Stata ``stcompet``), with ``F = F_k(t)``, ``F_i = F_k(t_i)``, ``S_i- = S(t_{i-1})``::

      sum (F - F_i)^2 d_i / (n_i (n_i - d_i)) + sum S_i-^2 d_ik (n_i - d_ik) / n_i^3
      - 2 sum (F - F_i) S_i- d_ik / n_i^2          (sums over t_i <= t)

  It is NaN from a time at which every unit still at risk leaves (all-cause S = 0).

Every estimator counts by sorting the times once per arm and outcome code (no loop over
units), so a million units with a thousand distinct days take tens of milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from caseload.evaluate import dist
from caseload.evaluate.arrays import frozen

_MEDIAN_TOLERANCE = 1e-10


@dataclass(frozen=True)
class KaplanMeier:
    """Product-limit estimate of P(still on kontanthjælp after t), at each event time."""

    times: np.ndarray
    """Distinct event times, ascending (float)."""
    at_risk: np.ndarray
    """Units at risk just before each time (time >= t, censored-at-t included)."""
    events: np.ndarray
    """Events at each time."""
    survival: np.ndarray
    """S(t) just after each time."""
    se: np.ndarray
    """Greenwood standard error of S(t); NaN where S(t) = 0."""
    lower: np.ndarray
    """Pointwise lower limit, log(-log) transform; NaN where S(t) = 0."""
    upper: np.ndarray
    """Pointwise upper limit, log(-log) transform; NaN where S(t) = 0."""
    median: float | None
    """Smallest time with S(t) <= 0.5, None if not reached."""
    median_ci: tuple[float | None, float | None]
    """Brookmeyer–Crowley / SAS rule (module docstring); None where not reached."""
    n_units: int
    """Units in the estimate."""
    max_time: float
    """Largest observed time, event or censored: the end of follow-up."""
    alpha: float
    """The intervals have coverage 1 - alpha."""

    def at(self, t: float) -> float:
        """S(t) of the right-continuous step function: 1.0 before the first event time."""
        t = float(t)
        if math.isnan(t):
            raise ValueError("t is NaN")
        position = int(np.searchsorted(self.times, t, side="right"))
        return 1.0 if position == 0 else float(self.survival[position - 1])


@dataclass(frozen=True)
class LogRank:
    """Log-rank test of equal exit hazards in the two arms (1 df).

    chi2 and p_value are NaN when no event happened while both arms were at risk.
    """

    chi2: float
    p_value: float
    observed: tuple[float, float]
    """Events (treated, control)."""
    expected: tuple[float, float]
    """Events expected under equal hazards (treated, control)."""
    variance: float
    """Hypergeometric variance of O - E of the treated arm."""


@dataclass(frozen=True)
class Rmst:
    """Restricted mean time on kontanthjælp up to tau, in days."""

    tau: float
    value: float
    se: float


@dataclass(frozen=True)
class RmstDifference:
    """RMST of treated minus control, normal-approximation interval and two-sided p."""

    tau: float
    treated: Rmst
    control: Rmst
    difference: float
    ci: tuple[float, float]
    p_value: float


@dataclass(frozen=True)
class CumulativeIncidence:
    """Aalen–Johansen cumulative incidence of each exit destination (competing risks)."""

    times: np.ndarray
    """Distinct event times of any cause, ascending (float)."""
    causes: tuple[int, ...]
    """The causes 1..K."""
    incidence: dict[int, np.ndarray]
    """P(left by t for this cause), just after each time."""
    se: dict[int, np.ndarray]
    """Delta-method standard error as statsmodels ``CumIncidenceRight.cinc_se``."""
    at_risk: np.ndarray
    """Units at risk just before each time."""
    events: dict[int, np.ndarray]
    """Events of each cause at each time."""
    survival: np.ndarray
    """All-cause Kaplan–Meier just after each time (1 - sum of the incidences)."""

    def at(self, cause: int, t: float) -> float:
        """F_cause(t) of the right-continuous step function: 0.0 before the first time."""
        if cause not in self.incidence:
            raise ValueError(f"unknown cause {cause!r}; the causes are {self.causes}")
        t = float(t)
        if math.isnan(t):
            raise ValueError("t is NaN")
        position = int(np.searchsorted(self.times, t, side="right"))
        return 0.0 if position == 0 else float(self.incidence[cause][position - 1])


# ---------------------------------------------------------------------------- validation


def _time(time: Any) -> np.ndarray:
    try:
        values = np.asarray(time, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"time must be numeric: {error}") from error
    if values.ndim != 1:
        raise ValueError(f"time must be one-dimensional, got shape {values.shape}")
    if values.size == 0:
        raise ValueError("time is empty: need at least one unit")
    nan = int(np.isnan(values).sum())
    if nan:
        raise ValueError(f"time has {nan} NaN value(s)")
    if np.isinf(values).any():
        raise ValueError("time has infinite values; censor at the end of follow-up instead")
    if values.min() < 0:
        negative = int((values < 0).sum())
        raise ValueError(
            f"time must be >= 0 (days from the cohort start); {negative} negative value(s), "
            f"smallest {values.min():g}"
        )
    return values


def _same_length(name: str, values: np.ndarray, n: int) -> None:
    if values.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {values.shape}")
    if values.size != n:
        raise ValueError(f"time and {name} have different lengths ({n} and {values.size})")


def _binary(name: str, values: Any, n: int) -> np.ndarray:
    array = np.asarray(values)
    _same_length(name, array, n)
    if array.dtype == np.bool_:
        return array
    try:
        numeric = array.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be 0/1 or boolean: {error}") from error
    bad = (numeric != 0) & (numeric != 1)
    if bad.any():
        raise ValueError(
            f"{name} must be 0/1 or boolean; {int(bad.sum())} other value(s), "
            f"first {array[np.argmax(bad)]!r}"
        )
    flags: np.ndarray = numeric == 1
    return flags


def _cause(values: Any, n: int) -> np.ndarray:
    array = np.asarray(values)
    _same_length("cause", array, n)
    if array.dtype == np.bool_:
        return array.astype(np.int64)
    try:
        numeric = array.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"cause must be whole numbers (0 = censored): {error}") from error
    bad = ~np.isfinite(numeric) | (numeric != np.round(numeric)) | (numeric < 0)
    if bad.any():
        raise ValueError(
            "cause must be whole numbers >= 0 (0 = censored, 1..K = causes); "
            f"{int(bad.sum())} other value(s), first {array[np.argmax(bad)]!r}"
        )
    return numeric.astype(np.int64)


def _alpha(alpha: float) -> float:
    alpha = float(alpha)
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    return alpha


def _both_arms(treated: np.ndarray) -> None:
    n_treated = int(treated.sum())
    if n_treated == 0:
        raise ValueError("the treated arm is empty: treated has no True value")
    if n_treated == treated.size:
        raise ValueError("the control arm is empty: treated has no False value")


# ---------------------------------------------------------------------------- counting


def _tabulate(time: np.ndarray, code: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct times and the number of units with each code 0..width-1 at each of them.

    Sorts the times of each code (one pass per code, none per unit) and counts the runs;
    a plain sort is several times faster than ``np.unique(return_inverse=True)``.
    """
    uniques: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    for value in range(width):
        part = np.sort(time[code == value])
        if part.size == 0:
            uniques.append(part)
            counts.append(np.zeros(0, dtype=np.int64))
            continue
        starts = np.flatnonzero(np.concatenate(([True], part[1:] != part[:-1])))
        uniques.append(part[starts])
        counts.append(np.diff(np.append(starts, part.size)))
    times = np.unique(np.concatenate(uniques))
    table = np.zeros((times.size, width), dtype=np.int64)
    for value, (part_times, part_counts) in enumerate(zip(uniques, counts, strict=True)):
        table[np.searchsorted(times, part_times), value] = part_counts
    return times, table


def _at_risk(leaving: np.ndarray) -> np.ndarray:
    """Units at risk just before each time from the units leaving at each time."""
    return np.cumsum(leaving[::-1], axis=0)[::-1]


# ---------------------------------------------------------------------------- Kaplan–Meier


def kaplan_meier(time: Any, event: Any, alpha: float = 0.05) -> KaplanMeier:
    """Kaplan–Meier estimate with Greenwood SE, log(-log) intervals and the median."""
    values = _time(time)
    happened = _binary("event", event, values.size)
    alpha = _alpha(alpha)
    all_times, table = _tabulate(values, happened.astype(np.int8), 2)
    at_risk = _at_risk(table.sum(axis=1))
    keep = table[:, 1] > 0
    return _kaplan_meier(
        all_times[keep], at_risk[keep], table[keep, 1], values.size, float(values.max()), alpha
    )


def _kaplan_meier(
    times: np.ndarray,
    at_risk: np.ndarray,
    events: np.ndarray,
    n_units: int,
    max_time: float,
    alpha: float,
) -> KaplanMeier:
    n = at_risk.astype(np.float64)
    d = events.astype(np.float64)
    survival = np.cumprod(1.0 - d / n)
    remaining = n - d
    terms = np.divide(d, n * remaining, out=np.full_like(n, np.inf), where=remaining > 0)
    dead = survival == 0
    with np.errstate(invalid="ignore"):
        se = survival * np.sqrt(np.cumsum(terms))
    se[dead] = np.nan

    z = float(dist.norm_ppf(1 - alpha / 2))
    lower = np.full_like(survival, np.nan)
    upper = np.full_like(survival, np.nan)
    alive = ~dead
    log_s = np.log(survival[alive])
    width = se[alive] / (survival[alive] * np.abs(log_s))  # SE of log(-log S)
    lower[alive] = survival[alive] ** np.exp(z * width)
    upper[alive] = survival[alive] ** np.exp(-z * width)

    reached = np.flatnonzero(survival <= 0.5 + _MEDIAN_TOLERANCE)
    median = float(times[reached[0]]) if reached.size else None

    # Brookmeyer–Crowley by inverting the log(-log) z test of S(t) = 0.5 (SAS, statsmodels).
    statistic = np.full_like(survival, np.nan)
    statistic[alive] = (np.log(-log_s) - math.log(math.log(2.0))) / width
    inside = np.flatnonzero(np.abs(np.nan_to_num(statistic, nan=np.inf)) <= z)
    if inside.size == 0:
        median_ci: tuple[float | None, float | None] = (None, None)
    else:
        last = inside[-1] + 1
        median_ci = (
            float(times[inside[0]]),
            float(times[last]) if last < times.size else None,
        )

    return KaplanMeier(
        times=frozen(times.astype(np.float64)),
        at_risk=frozen(at_risk.astype(np.int64)),
        events=frozen(events.astype(np.int64)),
        survival=frozen(survival),
        se=frozen(se),
        lower=frozen(lower),
        upper=frozen(upper),
        median=median,
        median_ci=median_ci,
        n_units=int(n_units),
        max_time=max_time,
        alpha=alpha,
    )


# ---------------------------------------------------------------------------- log-rank


def logrank(time: Any, event: Any, treated: Any) -> LogRank:
    """Log-rank test, treated vs control (chi-square, 1 df)."""
    values = _time(time)
    happened = _binary("event", event, values.size)
    arm = _binary("treated", treated, values.size)
    _both_arms(arm)
    # code: 0 control censored, 1 control event, 2 treated censored, 3 treated event
    _, table = _tabulate(values, 2 * arm.astype(np.int8) + happened, 4)
    table = table.astype(np.float64)
    n0 = _at_risk(table[:, 0] + table[:, 1])
    n1 = _at_risk(table[:, 2] + table[:, 3])
    d0, d1 = table[:, 1], table[:, 3]
    n, d = n0 + n1, d0 + d1
    expected1 = float(np.sum(d * n1 / n))
    expected0 = float(np.sum(d * n0 / n))
    several = n > 1
    variance = float(
        np.sum(
            n1[several]
            * n0[several]
            * d[several]
            * (n[several] - d[several])
            / (n[several] ** 2 * (n[several] - 1))
        )
    )
    observed1, observed0 = float(d1.sum()), float(d0.sum())
    if variance > 0:
        chi2 = (observed1 - expected1) ** 2 / variance
        p_value = float(dist.chi2_sf(chi2, 1))
    else:  # no event while both arms were at risk: the test is undefined
        chi2, p_value = math.nan, math.nan
    return LogRank(
        chi2=float(chi2),
        p_value=p_value,
        observed=(observed1, observed0),
        expected=(expected1, expected0),
        variance=variance,
    )


# ---------------------------------------------------------------------------- RMST


def rmst(km: KaplanMeier, tau: float) -> Rmst:
    """Restricted mean survival time: the area under the Kaplan–Meier curve on [0, tau]."""
    tau = float(tau)
    if not math.isfinite(tau) or tau <= 0:
        raise ValueError(f"tau must be a positive number of days, got {tau}")
    ended = km.survival.size > 0 and km.survival[-1] == 0
    if tau > km.max_time and not ended:
        raise ValueError(
            f"tau ({tau:g}) is beyond the end of follow-up ({km.max_time:g}); "
            "the Kaplan–Meier curve is not estimated there"
        )
    k = int(np.searchsorted(km.times, tau, side="right"))  # event times <= tau
    edges = np.concatenate(([0.0], km.times[:k], [tau]))
    heights = np.concatenate(([1.0], km.survival[:k]))
    pieces = heights * np.diff(edges)
    after = np.cumsum(pieces[::-1])[::-1][1:]  # A_i: area from t_i to tau
    n = km.at_risk[:k].astype(np.float64)
    d = km.events[:k].astype(np.float64)
    terms = np.divide(after**2 * d, n * (n - d), out=np.zeros_like(n), where=(after > 0) & (n > d))
    return Rmst(tau=tau, value=float(pieces.sum()), se=math.sqrt(float(terms.sum())))


def rmst_difference(
    time: Any, event: Any, treated: Any, tau: float, alpha: float = 0.05
) -> RmstDifference:
    """RMST treated - control up to tau, with a normal-approximation interval and p."""
    values = _time(time)
    happened = _binary("event", event, values.size)
    arm = _binary("treated", treated, values.size)
    _both_arms(arm)
    alpha = _alpha(alpha)
    results: dict[str, Rmst] = {}
    for name, mask in (("treated", arm), ("control", ~arm)):
        km = kaplan_meier(values[mask], happened[mask], alpha)
        try:
            results[name] = rmst(km, tau)
        except ValueError as error:
            raise ValueError(f"{name} arm: {error}") from error
    one, zero = results["treated"], results["control"]
    difference = one.value - zero.value
    se = math.hypot(one.se, zero.se)
    z = float(dist.norm_ppf(1 - alpha / 2))
    if se > 0:
        p_value = float(2 * dist.norm_sf(abs(difference) / se))
    else:
        p_value = 1.0 if difference == 0 else 0.0
    return RmstDifference(
        tau=one.tau,
        treated=one,
        control=zero,
        difference=difference,
        ci=(difference - z * se, difference + z * se),
        p_value=p_value,
    )


# ---------------------------------------------------------------------------- Aalen–Johansen


def aalen_johansen(
    time: Any, cause: Any, *, causes: Sequence[int] | None = None
) -> CumulativeIncidence:
    """Aalen–Johansen cumulative incidence of each cause, with delta-method SEs.

    ``cause`` is 0 for censored and 1..K for the destination. ``causes`` fixes K's range
    (e.g. so that two arms report the same destinations); by default 1..max(cause).
    """
    values = _time(time)
    codes = _cause(cause, values.size)
    top = int(codes.max())
    if causes is None:
        reported = tuple(range(1, top + 1))
    else:
        reported = tuple(int(c) for c in causes)
        if any(c < 1 for c in reported) or len(set(reported)) != len(reported):
            raise ValueError(f"causes must be distinct whole numbers >= 1, got {reported}")
        unlisted = sorted(set(np.unique(codes[codes > 0]).tolist()) - set(reported))
        if unlisted:
            raise ValueError(f"cause has codes {unlisted} not in causes {reported}")
    width = max([top, *reported]) + 1
    all_times, table = _tabulate(values, codes, width)
    at_risk = _at_risk(table.sum(axis=1))
    by_cause = table[:, list(reported)] if reported else np.zeros((all_times.size, 0), np.int64)
    d_all = table[:, 1:].sum(axis=1)
    keep = d_all > 0
    times, n_int, dk_int = all_times[keep], at_risk[keep], by_cause[keep]
    n = n_int.astype(np.float64)
    d = d_all[keep].astype(np.float64)
    dk = dk_int.astype(np.float64)

    survival = np.cumprod(1.0 - d / n)
    before = np.concatenate(([1.0], survival[:-1]))  # S(t_{i-1})
    f = np.cumsum((before / n)[:, None] * dk, axis=0)

    remaining = n - d
    ra = np.divide(d, n * remaining, out=np.zeros_like(n), where=remaining > 0)[:, None]
    variance = (
        f**2 * np.cumsum(ra, axis=0)
        - 2 * f * np.cumsum(f * ra, axis=0)
        + np.cumsum(f**2 * ra, axis=0)
        + np.cumsum((before**2 / n**3)[:, None] * dk * (n[:, None] - dk), axis=0)
        - 2 * f * np.cumsum((before / n**2)[:, None] * dk, axis=0)
        + 2 * np.cumsum(f * (before / n**2)[:, None] * dk, axis=0)
    )
    se = np.sqrt(np.clip(variance, 0.0, None))
    se[remaining == 0] = np.nan  # only the last time can have n = d: all-cause S = 0 there

    return CumulativeIncidence(
        times=frozen(times.astype(np.float64)),
        causes=reported,
        incidence={c: frozen(f[:, j].copy()) for j, c in enumerate(reported)},
        se={c: frozen(se[:, j].copy()) for j, c in enumerate(reported)},
        at_risk=frozen(n_int.astype(np.int64)),
        events={c: frozen(dk_int[:, j].astype(np.int64)) for j, c in enumerate(reported)},
        survival=frozen(survival),
    )
