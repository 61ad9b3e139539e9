"""Design diagnosis (DeclareDesign's diagnosands) of a planned two-arm trial with a binary
outcome: simulate the trial many times, analyse each simulated trial with the evaluate
face's own estimator (``binary.compare``, or ``estimate.binary_outcome`` with clusters; see
simulate.py), and summarise.

Diagnosands, over ``sims`` simulated trials with true effect d (treated rate minus control):

- power: the share with the estimator's two-sided p below alpha;
- bias: mean estimate - d; RMSE: sqrt(mean((estimate - d)^2));
- coverage: the share whose interval (Newcombe's, or CR1 with clusters) holds d;
- type S: among the significant trials, the share whose estimate has the wrong sign
  (undefined, None, when d is 0 or no trial is significant);
- MDE: the smallest effect, in the direction of d (an increase when d is 0), at which the
  simulated power reaches ``power``, counting the trials significant in that direction.
  Bisection on [0, the largest effect the base rate allows] to ``MDE_TOLERANCE``, on the
  same uniforms for every candidate effect (common random numbers: a trial's treated count
  never falls as the effect grows), so the simulated power is monotone in the effect up to
  the test's own steps and the search is free of Monte Carlo noise between candidates. The
  MDE reported is the upper end of the last bracket: an effect whose simulated power
  reached the target, at most ``MDE_TOLERANCE`` above the crossing.

Beside it the analytic MDE of ``binary.minimum_detectable_effect`` (the normal
approximation to the same z test; a decrease by symmetry as an increase of the other
outcome), times sqrt(design effect) with clusters as ``estimate.binary_outcome`` does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from caseload.evaluate import binary, dist
from caseload.plan.design import Design, check
from caseload.plan.simulate import Trials, simulator

MDE_TOLERANCE = 0.0005
"""The MDE search stops when its bracket is narrower than this (0.05 percentage points)."""

Progress = Callable[[int, int], None]
"""Called with (simulated trials so far, all the diagnosis will simulate)."""


@dataclass(frozen=True)
class Diagnosis:
    design: Design
    effect: float
    """The true effect simulated: treated rate minus control rate."""
    sims: int
    seed: int
    alpha: float
    target_power: float
    power: float
    bias: float
    rmse: float
    coverage: float
    type_s: float | None
    mean_estimate: float
    significant: int
    """Simulated trials with p below alpha."""
    mde: float | None
    """The simulated minimum detectable effect (a size, in the ``direction``); None when
    not even the largest effect the base rate allows reaches the target power."""
    mde_analytic: float | None
    direction: str
    """``increase`` or ``decrease``: the direction of the MDE searched."""
    searched: tuple[tuple[float, float], ...]
    """Each candidate effect of the MDE search (a size) and its simulated power."""
    tolerance: float = MDE_TOLERANCE

    @property
    def power_se(self) -> float:
        """Monte Carlo standard error of the simulated power."""
        return math.sqrt(self.power * (1 - self.power) / self.sims)

    @property
    def coverage_se(self) -> float:
        return math.sqrt(self.coverage * (1 - self.coverage) / self.sims)


def diagnose(
    design: Design,
    effect: float,
    sims: int,
    seed: int,
    alpha: float = 0.05,
    power: float = 0.8,
    progress: Progress | None = None,
) -> Diagnosis:
    """Simulate ``design`` with true ``effect`` ``sims`` times from ``seed``; raises
    ``DesignError`` (naming the option) for inputs that cannot be simulated."""
    check(design, effect, sims, seed, alpha, power)
    runner = simulator(design, sims, seed, alpha)
    direction = 1 if effect >= 0 else -1
    largest = 1 - design.base_rate if direction > 0 else design.base_rate
    steps = _steps(largest)
    total = sims * (1 + (steps + 1 if largest > 0 else 0))
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    trials = runner.trials(effect, tick)
    significant = trials.p_value < alpha
    errors = trials.estimate - effect
    wrong_sign = np.sign(trials.estimate[significant]) != np.sign(effect)
    type_s = float(wrong_sign.mean()) if effect != 0 and significant.any() else None

    def found(size: float) -> float:
        """The simulated power, counting trials significant in the searched direction."""
        at = runner.trials(direction * size, tick)
        return float(np.mean((at.p_value < alpha) & (direction * at.estimate > 0)))

    mde, searched = _search(found, largest, power, steps)
    if progress is not None:
        progress(total, total)
    return Diagnosis(
        design=design,
        effect=effect,
        sims=sims,
        seed=seed,
        alpha=alpha,
        target_power=power,
        power=float(significant.mean()),
        bias=float(errors.mean()),
        rmse=float(np.sqrt(np.mean(errors**2))),
        coverage=_coverage(trials, effect),
        type_s=type_s,
        mean_estimate=float(trials.estimate.mean()),
        significant=int(significant.sum()),
        mde=mde,
        mde_analytic=analytic_mde(
            design, alpha, power, "increase" if direction > 0 else "decrease"
        ),
        direction="increase" if direction > 0 else "decrease",
        searched=searched,
    )


def _coverage(trials: Trials, effect: float) -> float:
    # a hair of slack for an interval whose end is the effect itself in floating point
    slack = 1e-12
    held = (trials.low <= effect + slack) & (effect - slack <= trials.high)
    return float(held.mean())


def _steps(largest: float) -> int:
    """Bisections that narrow [0, largest] below the tolerance."""
    if largest <= MDE_TOLERANCE:
        return 0
    return math.ceil(math.log2(largest / MDE_TOLERANCE))


def _search(
    found: Callable[[float], float], largest: float, target: float, steps: int
) -> tuple[float | None, tuple[tuple[float, float], ...]]:
    """The smallest size in (0, largest] whose power reaches ``target``, by bisection."""
    if largest <= 0:
        return None, ()
    searched = [(largest, found(largest))]
    if searched[0][1] < target:
        return None, tuple(searched)
    low, high = 0.0, largest
    for _ in range(steps):
        middle = (low + high) / 2
        power = found(middle)
        searched.append((middle, power))
        if power >= target:
            high = middle
        else:
            low = middle
    return high, tuple(sorted(searched))


def analytic_mde(design: Design, alpha: float, power: float, direction: str) -> float | None:
    """``binary.minimum_detectable_effect`` for the design (a decrease from p as an
    increase from 1 - p), inflated by sqrt(design effect) with clusters."""
    rate = design.base_rate if direction == "increase" else 1 - design.base_rate
    mde = binary.minimum_detectable_effect(design.treated, design.control, rate, alpha, power)
    mde *= math.sqrt(design.design_effect)
    return None if math.isnan(mde) or mde > 1 - rate else mde


def analytic_se(design: Design, effect: float) -> float:
    """The standard error of the estimated difference by the normal approximation:
    sqrt(design effect * (p0 (1 - p0) / n0 + p1 (1 - p1) / n1)), p1 = p0 + effect."""
    p0, p1 = design.base_rate, design.base_rate + effect
    variance = p0 * (1 - p0) / design.control + p1 * (1 - p1) / design.treated
    return math.sqrt(design.design_effect * variance)


def analytic_power(design: Design, effect: float, alpha: float) -> float:
    """The normal approximation binary.minimum_detectable_effect solves, as the power at
    ``effect``: Phi(|d|/se - z) + Phi(-|d|/se - z), z = z_(1 - alpha/2), se = analytic_se."""
    se = analytic_se(design, effect)
    if se == 0:
        return 1.0 if effect != 0 else 0.0
    z = float(dist.norm_ppf(1 - alpha / 2))
    shift = abs(effect) / se
    return float(dist.norm_sf(z - shift) + dist.norm_sf(z + shift))


def power_curve(
    design: Design,
    effects: list[float],
    sims: int,
    seed: int,
    alpha: float = 0.05,
    progress: Progress | None = None,
) -> list[tuple[float, float]]:
    """The simulated power (two-sided p below alpha) at each effect, on the same simulated
    trials as ``diagnose`` with this seed."""
    for effect in effects:
        check(design, effect, sims, seed, alpha, 0.5)
    runner = simulator(design, sims, seed, alpha)
    done, total = 0, sims * len(effects)

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    return [
        (effect, float(np.mean(runner.trials(effect, tick).p_value < alpha))) for effect in effects
    ]


def to_json(d: Diagnosis) -> dict[str, Any]:
    """The diagnosis as documented in docs/plan.md: the diagnosands at the top level, then
    the inputs."""
    return {
        "power": d.power,
        "bias": d.bias,
        "rmse": d.rmse,
        "coverage": d.coverage,
        "type_s": d.type_s,
        "mde": d.mde,
        "mde_analytic": d.mde_analytic,
        "mde_direction": d.direction,
        "mde_tolerance": d.tolerance,
        "mean_estimate": d.mean_estimate,
        "significant": d.significant,
        "power_se": d.power_se,
        "coverage_se": d.coverage_se,
        "analytic_power": analytic_power(d.design, d.effect, d.alpha),
        "effect": d.effect,
        "arms": {"treated": d.design.treated, "control": d.design.control},
        "base_rate": d.design.base_rate,
        "cluster_size": d.design.cluster_size,
        "icc": d.design.icc,
        "design_effect": d.design.design_effect,
        "analysis": "cluster" if d.design.clustered else "individual",
        "sims": d.sims,
        "seed": d.seed,
        "alpha": d.alpha,
        "target_power": d.target_power,
        "searched": [{"effect": e, "power": p} for e, p in d.searched],
    }
