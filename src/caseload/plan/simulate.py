"""Simulated trials of a planned design, each analysed by the evaluate face's estimators.

Common random numbers: every simulated trial draws its uniforms once, and a trial at another
effect reuses them (inverse-CDF draws), so a unit that has the outcome at one effect has it
at every larger one. Power as a function of the effect is then (nearly) monotone trial by
trial, and the MDE search of diagnose.py can bisect on it without Monte Carlo noise between
candidates.

- Individually randomised: the arms' event counts are sufficient statistics for every
  estimate, interval and test of ``binary.compare``; each trial's counts are the binomial
  quantiles of its two uniforms, and ``compare`` runs once per distinct pair of counts
  (the pair decides its result, so a trial's result is exactly what ``compare`` gives).
- Cluster randomised: whole clusters of ``cluster_size`` units (the last one of an arm
  takes the remainder) get a rate drawn from the beta distribution with the arm's mean p
  and intra-cluster correlation rho (a = p (1 - rho) / rho, b = (1 - p) (1 - rho) / rho;
  rho = 0: every cluster has p), each unit the outcome when its uniform is below its
  cluster's rate (beta-binomial counts), and ``estimate.binary_outcome`` with the clusters
  analyses the per-unit arrays (CR1 cluster-robust interval and test). Each trial's
  uniforms come from its own child of ``SeedSequence(seed)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from caseload.evaluate import binary, estimate
from caseload.plan.design import Design

Tick = Callable[[int], None]
"""Called with the number of trials just simulated (for a progress bar)."""


@dataclass(frozen=True)
class Trials:
    """Per simulated trial: the estimated difference, its interval and the two-sided p."""

    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    p_value: np.ndarray


class Individual:
    """Individually randomised trials, analysed by ``binary.compare`` on their counts."""

    def __init__(self, design: Design, sims: int, seed: int, alpha: float) -> None:
        self.design, self.alpha = design, alpha
        uniforms = np.random.default_rng(seed).random((2, sims))
        self.treated_u = uniforms[0]
        self.control_events = _quantile(uniforms[1], design.control, design.base_rate)
        self.results: dict[tuple[int, int], tuple[float, float, float, float]] = {}

    def trials(self, effect: float, tick: Tick | None = None) -> Trials:
        events = _quantile(self.treated_u, self.design.treated, self.design.base_rate + effect)
        pairs = np.stack([events, self.control_events], axis=1)
        distinct, inverse = np.unique(pairs, axis=0, return_inverse=True)
        rows = np.array([self._result(int(t), int(c)) for t, c in distinct], dtype=float)
        per_trial = rows[inverse.reshape(-1)]
        if tick is not None:
            tick(events.size)
        return Trials(per_trial[:, 0], per_trial[:, 1], per_trial[:, 2], per_trial[:, 3])

    def _result(self, treated: int, control: int) -> tuple[float, float, float, float]:
        key = (treated, control)
        if key not in self.results:
            r = binary.compare(
                "outcome",
                binary.Counts(treated, self.design.treated),
                binary.Counts(control, self.design.control),
                self.alpha,
            )
            self.results[key] = (r.difference, r.ci[0], r.ci[1], r.p_value)
        return self.results[key]


class Clustered:
    """Cluster-randomised trials, analysed by ``estimate.binary_outcome`` with clusters."""

    def __init__(self, design: Design, sims: int, seed: int, alpha: float) -> None:
        self.design, self.alpha = design, alpha
        self.children = np.random.SeedSequence(seed).spawn(sims)
        treated_sizes = design.cluster_sizes(design.treated)
        sizes = np.array(treated_sizes + design.cluster_sizes(design.control))
        self.cluster_treated = np.arange(sizes.size) < len(treated_sizes)
        self.cluster_of_unit = np.repeat(np.arange(sizes.size), sizes)
        self.treated = self.cluster_treated[self.cluster_of_unit]

    def trials(self, effect: float, tick: Tick | None = None) -> Trials:
        rows = np.empty((len(self.children), 4))
        treated_rate = self.design.base_rate + effect
        for i, child in enumerate(self.children):
            rng = np.random.default_rng(child)
            cluster_u = rng.random(self.cluster_treated.size)
            unit_u = rng.random(self.cluster_of_unit.size)
            rates = np.where(
                self.cluster_treated,
                _cluster_rates(cluster_u, treated_rate, self.design.icc),
                _cluster_rates(cluster_u, self.design.base_rate, self.design.icc),
            )
            y = (unit_u < rates[self.cluster_of_unit]).astype(float)
            r = estimate.binary_outcome(
                "outcome",
                y,
                self.treated,
                estimate.Covariates(cluster=self.cluster_of_unit),
                self.alpha,
            )
            rows[i] = (r.difference, r.ci[0], r.ci[1], r.p_value)
            if tick is not None:
                tick(1)
        return Trials(rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3])


def _quantile(u: np.ndarray, n: int, rate: float) -> np.ndarray:
    """Binomial(n, rate) counts as the quantiles of the uniforms ``u``."""
    rate = min(max(rate, 0.0), 1.0)
    counts = np.asarray(stats.binom.ppf(u, n, rate), dtype=float)
    return np.clip(counts, 0, n).astype(np.int64)


def _cluster_rates(u: np.ndarray, mean: float, icc: float) -> np.ndarray:
    """Each cluster's rate: the beta quantile of its uniform (mean ``mean``, correlation
    ``icc``); a rate of 0 or 1, or no correlation, is the same in every cluster."""
    mean = min(max(mean, 0.0), 1.0)
    if icc == 0 or mean in (0.0, 1.0):
        return np.full(u.shape, mean)
    spread = (1 - icc) / icc
    return np.asarray(stats.beta.ppf(u, mean * spread, (1 - mean) * spread), dtype=float)


def simulator(design: Design, sims: int, seed: int, alpha: float) -> Individual | Clustered:
    """The simulator for the design: one by one, or in clusters."""
    if design.cluster_size is None:
        return Individual(design, sims, seed, alpha)
    return Clustered(design, sims, seed, alpha)
