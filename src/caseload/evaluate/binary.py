"""Binary outcomes in two arms: rates, risk difference, risk ratio, tests, power.

Summary statistics in, typed results out, so the same code serves rows from the
register, a per-unit file, or published totals (``caseload analyze-counts``).

Formulas
- Risk difference p1 - p0 with Newcombe's hybrid score interval (Newcombe 1998, method
  10): Wilson intervals (l_i, u_i) per arm, then
  ``d - sqrt((p1-l1)^2 + (u0-p0)^2)`` .. ``d + sqrt((u1-p1)^2 + (p0-l0)^2)``.
- Risk ratio p1/p0 with the log-normal interval, SE = sqrt(1/e1 - 1/n1 + 1/e0 - 1/n0).
- Two-sided p: two-proportion z test with the pooled proportion; Fisher's exact test
  instead when an expected cell count is below 5.
- Minimum detectable effect at 1 - beta power: the smallest d with
  ``z_{1-alpha/2} + z_{1-beta} = d / sqrt(p0(1-p0)/n0 + (p0+d)(1-p0-d)/n1)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Protocol, TypeVar

from caseload.evaluate import dist
from caseload.evaluate.adjust import Adjusted
from caseload.evaluate.clustered import INDIVIDUAL, Errors


@dataclass(frozen=True)
class Counts:
    """Events among n units of one arm. Counts add, so totals can be built up."""

    events: int
    n: int

    def __post_init__(self) -> None:
        if self.n <= 0:
            raise ValueError("an arm needs at least one unit")
        if not 0 <= self.events <= self.n:
            raise ValueError(f"events must be between 0 and n ({self.n}), got {self.events}")

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.events + other.events, self.n + other.n)

    @property
    def rate(self) -> float:
        return self.events / self.n


@dataclass(frozen=True)
class BinaryResult:
    name: str
    treated: Counts
    control: Counts
    difference: float
    ci: tuple[float, float]
    risk_ratio: float | None
    risk_ratio_ci: tuple[float, float] | None
    p_value: float
    test: str
    """``z`` (two-proportion z test) or ``fisher`` (exact, for small expected counts)."""
    minimum_detectable_effect: float
    alpha: float
    p_value_holm: float | None = None
    adjusted: Adjusted | None = None
    errors: Errors = INDIVIDUAL
    """Which errors the interval and p-value use (cluster-robust when units are clustered;
    ``test`` is then ``cluster``: the CR1 z test of clustered.py)."""
    """Regression-adjusted risk difference (linear probability model), when covariates given."""

    @property
    def significant(self) -> bool:
        """Unadjusted p below alpha (``p_value_holm`` holds the family-wise view)."""
        return self.p_value < self.alpha


def wilson(counts: Counts, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval of one proportion."""
    z = dist.norm_ppf(1 - alpha / 2)
    p, n = counts.rate, counts.n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def newcombe(treated: Counts, control: Counts, alpha: float = 0.05) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p_treated - p_control."""
    p1, p0 = treated.rate, control.rate
    l1, u1 = wilson(treated, alpha)
    l0, u0 = wilson(control, alpha)
    d = p1 - p0
    return d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2), d + math.sqrt(
        (u1 - p1) ** 2 + (p0 - l0) ** 2
    )


def _p_value(treated: Counts, control: Counts) -> tuple[float, str]:
    total, events = treated.n + control.n, treated.events + control.events
    expected = [
        n * share for n in (treated.n, control.n) for share in (events / total, 1 - events / total)
    ]
    if min(expected) < 5:
        table = [
            [treated.events, treated.n - treated.events],
            [control.events, control.n - control.events],
        ]
        from scipy.stats import fisher_exact  # rare: small expected counts only

        return float(fisher_exact(table).pvalue), "fisher"
    pooled = events / total
    se = math.sqrt(pooled * (1 - pooled) * (1 / treated.n + 1 / control.n))
    if se == 0:
        return 1.0, "z"
    z = (treated.rate - control.rate) / se
    return float(2 * dist.norm_sf(abs(z))), "z"


def _risk_ratio(
    treated: Counts, control: Counts, alpha: float
) -> tuple[float | None, tuple[float, float] | None]:
    if treated.events == 0 or control.events == 0:
        return None, None
    ratio = treated.rate / control.rate
    se = math.sqrt(1 / treated.events - 1 / treated.n + 1 / control.events - 1 / control.n)
    z = dist.norm_ppf(1 - alpha / 2)
    return ratio, (ratio * math.exp(-z * se), ratio * math.exp(z * se))


def _root(f: Callable[[float], float], low: float, high: float) -> float:
    """The root of an increasing ``f`` with f(low) < 0 < f(high), by bisection to 1e-12."""
    for _ in range(200):
        middle = (low + high) / 2
        if f(middle) < 0:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2


def minimum_detectable_effect(
    n_treated: int, n_control: int, control_rate: float, alpha: float = 0.05, power: float = 0.8
) -> float:
    """Smallest increase over ``control_rate`` a two-sided test finds with ``power``."""
    needed = float(dist.norm_ppf(1 - alpha / 2) + dist.norm_ppf(power))
    p0 = min(max(control_rate, 1e-9), 1 - 1e-9)

    def gap(d: float) -> float:
        p1 = p0 + d
        return d / math.sqrt(p0 * (1 - p0) / n_control + p1 * (1 - p1) / n_treated) - needed

    upper = 1 - p0 - 1e-12
    if gap(upper) < 0:
        return math.nan  # not even a jump to 100 % would be found
    return _root(gap, 1e-12, upper)


def compare(
    name: str, treated: Counts, control: Counts, alpha: float = 0.05, power: float = 0.8
) -> BinaryResult:
    p_value, test = _p_value(treated, control)
    ratio, ratio_ci = _risk_ratio(treated, control, alpha)
    return BinaryResult(
        name=name,
        treated=treated,
        control=control,
        difference=treated.rate - control.rate,
        ci=newcombe(treated, control, alpha),
        risk_ratio=ratio,
        risk_ratio_ci=ratio_ci,
        p_value=p_value,
        test=test,
        minimum_detectable_effect=minimum_detectable_effect(
            treated.n, control.n, control.rate, alpha, power
        ),
        alpha=alpha,
    )


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


class _Tested(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def p_value(self) -> float: ...


Result = TypeVar("Result", bound=_Tested)


def family(results: Sequence[Result]) -> list[Result]:
    """The results (binary or continuous) with Holm-adjusted p-values across the family."""
    adjusted = holm([r.p_value for r in results])
    return [replace(r, p_value_holm=a) for r, a in zip(results, adjusted, strict=True)]
