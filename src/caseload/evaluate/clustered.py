"""Cluster-aware headline estimates: when units are clustered (a cluster-randomised trial,
or citizens who share a caseworker), every interval and test of a headline difference
accounts for the clusters, and the result says which errors were used.

- A difference in means (a risk difference for a 0/1 outcome): OLS of y on an intercept
  and the treated indicator with CR1 cluster-robust errors and a normal reference, as
  statsmodels ``OLS(y, [1, t]).fit(cov_type="cluster", cov_kwds={"groups": g})``
  (adjust.py computes it). The point estimate stays the plain difference in means.
- Survival: the Wald test of the Cox model's treated coefficient with the cluster-robust
  sandwich (statsmodels ``PHReg(...).fit(groups=g)``, cox.py) replaces the log-rank test;
  the RMST difference's interval comes from a leave-one-cluster-out (grouped) jackknife,
  ``Var = (G - 1) / G * sum_g (theta_(g) - mean theta_(.))^2``.
- Fewer than ``FEW_CLUSTERS`` clusters: the sandwich underestimates the variance, so the
  result says so and carries a cluster permutation test beside it. The arms are re-dealt to
  whole clusters — every dealing when there are at most ``PERMUTATIONS`` of them, else
  ``PERMUTATIONS`` - 1 random dealings with a fixed seed plus the observed one — and the
  p-value is the share of dealings whose |statistic| is at least the observed one. The
  statistic is the difference in means, or for survival the log-rank score
  ``U = sum_treated (event_i - H(T_i))`` with H the pooled Nelson–Aalen cumulative hazard
  (label-free, so U is linear in the labels and every dealing costs one matrix product).
  A permutation needs the arm to be constant within each cluster (a cluster-randomised
  design); when it is not, no permutation p is given and the reason says why.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from caseload.evaluate import dist
from caseload.evaluate.adjust import adjusted_difference
from caseload.evaluate.arrays import cluster_codes
from caseload.evaluate.cox import CLUSTERS

FEW_CLUSTERS = 20
"""Below this many clusters cluster-robust errors are unreliable (said in plain words)."""
PERMUTATIONS = 10_000
"""Exact enumeration up to this many dealings; otherwise this many sampled ones."""
SEED = 20_180_101
"""The permutation test's fixed seed: the same data give the same p-value."""


@dataclass(frozen=True)
class Errors:
    """Which standard errors a headline result used, and the permutation check."""

    kind: str
    """``individual`` (units independent) or ``cluster`` (CR1 / the Cox sandwich)."""
    clusters: int | None = None
    permutation_p: float | None = None
    permutations: int | None = None
    """Dealings behind ``permutation_p`` (the observed one included)."""
    exact: bool = False
    """True when every dealing was enumerated."""
    no_permutation: str | None = None
    """Why no permutation p was computed (``arm varies within clusters``), if so."""

    @property
    def few(self) -> bool:
        """Too few clusters for cluster-robust errors to be trusted."""
        return self.clusters is not None and self.clusters < FEW_CLUSTERS

    def as_json(self) -> dict[str, object]:
        """The documented JSON: which errors, how many clusters, the permutation check."""
        permutation = None
        if self.permutation_p is not None:
            permutation = {
                "p_value": self.permutation_p,
                "dealings": self.permutations,
                "exact": self.exact,
            }
        return {
            "kind": self.kind,
            "clusters": self.clusters,
            "few_clusters": self.few,
            "permutation": permutation,
            "no_permutation": self.no_permutation,
        }


INDIVIDUAL = Errors("individual")


@dataclass(frozen=True)
class Interval:
    estimate: float
    se: float
    ci: tuple[float, float]
    p_value: float


def _codes(cluster: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes 0..G-1 without gaps (cluster_codes may leave gaps for integer labels)."""
    codes, g = cluster_codes(cluster, cluster.shape[0], CLUSTERS)
    _, dense = np.unique(codes, return_inverse=True)
    return dense.reshape(-1), g


def difference(y: np.ndarray, treated: np.ndarray, cluster: np.ndarray, alpha: float) -> Interval:
    """Mean treated minus mean control with CR1 cluster-robust errors (normal reference)."""
    fit = adjusted_difference(
        y.astype(float), treated.astype(float), None, (), cluster=cluster, alpha=alpha
    )
    return Interval(fit.difference, fit.se, fit.ci, fit.p_value)


def _dealings(arm_of_cluster: np.ndarray) -> tuple[np.ndarray, bool]:
    """Rows of 0/1 arms per cluster: the observed dealing first, then all others or a sample."""
    g, k = arm_of_cluster.size, int(arm_of_cluster.sum())
    if math.comb(g, k) <= PERMUTATIONS:
        rows = np.zeros((math.comb(g, k), g))
        for i, chosen in enumerate(itertools.combinations(range(g), k)):
            rows[i, list(chosen)] = 1.0
        return rows, True
    rng = np.random.default_rng(SEED)
    sampled = np.array([rng.permutation(arm_of_cluster) for _ in range(PERMUTATIONS - 1)])
    return np.vstack([arm_of_cluster[None, :], sampled]).astype(float), False


def _arm_of_cluster(treated: np.ndarray, codes: np.ndarray, g: int) -> np.ndarray | None:
    """Each cluster's arm, or None when some cluster holds both arms."""
    treated_units = np.bincount(codes, weights=treated.astype(float), minlength=g)
    sizes = np.bincount(codes, minlength=g).astype(float)
    if np.any((treated_units > 0) & (treated_units < sizes)):
        return None
    return (treated_units > 0).astype(float)


def _permutation(
    values: np.ndarray, treated: np.ndarray, cluster: np.ndarray, means: bool
) -> Errors:
    """Cluster permutation test of the difference in means (``means``) or of a sum over the
    treated units of label-free ``values`` (the log-rank score)."""
    codes, g = _codes(cluster)
    arms = _arm_of_cluster(treated, codes, g)
    if arms is None:
        return Errors("cluster", g, no_permutation="arm varies within clusters")
    sums = np.bincount(codes, weights=values.astype(float), minlength=g)
    dealings, exact = _dealings(arms)
    observed_dealing = arms
    if means:
        sizes = np.bincount(codes, minlength=g).astype(float)
        n_t = dealings @ sizes
        n_c = sizes.sum() - n_t
        t_sum = dealings @ sums
        stats = t_sum / n_t - (sums.sum() - t_sum) / n_c
        observed = (observed_dealing @ sums) / (observed_dealing @ sizes) - (
            sums.sum() - observed_dealing @ sums
        ) / (sizes.sum() - observed_dealing @ sizes)
    else:
        stats = dealings @ sums
        observed = observed_dealing @ sums
    # a relative tolerance, so that a dealing equal to the observed one counts as at least it
    extreme = np.abs(stats) >= abs(observed) * (1 - 1e-12) - 1e-15
    return Errors(
        "cluster",
        g,
        permutation_p=float(extreme.mean()),
        permutations=int(stats.size),
        exact=exact,
    )


def errors_of_difference(y: np.ndarray, treated: np.ndarray, cluster: np.ndarray) -> Errors:
    """The cluster count and, with few clusters, the permutation test of the difference."""
    _, g = _codes(cluster)
    if g >= FEW_CLUSTERS:
        return Errors("cluster", g)
    return _permutation(y.astype(float), treated, cluster, means=True)


def logrank_scores(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """Each unit's ``event_i - H(T_i)``, H the pooled Nelson–Aalen cumulative hazard at the
    unit's own time (ties: all events at a time are in its risk set)."""
    t = time.astype(float)
    d = event.astype(float)
    order = np.argsort(t, kind="stable")
    ts, ds = t[order], d[order]
    unique, first = np.unique(ts, return_index=True)
    at_risk = ts.size - first
    deaths = np.add.reduceat(ds, first)
    hazard = np.cumsum(deaths / at_risk)
    h_of_unit = hazard[np.searchsorted(unique, t)]
    return d - h_of_unit


def errors_of_survival(
    time: np.ndarray, event: np.ndarray, treated: np.ndarray, cluster: np.ndarray
) -> Errors:
    """The cluster count and, with few clusters, the permutation test of the log-rank score."""
    _, g = _codes(cluster)
    if g >= FEW_CLUSTERS:
        return Errors("cluster", g)
    return _permutation(logrank_scores(time, event), treated, cluster, means=False)


def jackknife(
    estimate: float, leave_out: list[float | None], alpha: float
) -> tuple[float, tuple[float, float], float] | None:
    """Grouped-jackknife standard error, normal interval and two-sided p of ``estimate``
    from its leave-one-cluster-out values; None when any of them is undefined."""
    if any(v is None for v in leave_out) or len(leave_out) < 2:
        return None
    values = np.array(leave_out, dtype=float)
    g = values.size
    se = float(math.sqrt((g - 1) / g * float(((values - values.mean()) ** 2).sum())))
    z = dist.norm_ppf(1 - alpha / 2)
    p = float(2 * dist.norm_sf(abs(estimate) / se)) if se > 0 else 1.0
    return se, (estimate - z * se, estimate + z * se), p
