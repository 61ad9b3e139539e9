"""Per-unit data in, typed results out: the one layer the register evaluation and
``caseload analyze FILE`` share. Each function takes numpy arrays (outcome, the treated
indicator, optional covariates and clusters) and calls the estimators of binary.py,
continuous.py, adjust.py, survival.py and cox.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from caseload.evaluate import binary, clustered, dist, survival
from caseload.evaluate.adjust import Adjusted, adjusted_difference
from caseload.evaluate.binary import BinaryResult, Counts
from caseload.evaluate.continuous import ContinuousResult, standardised_mean_difference, welch
from caseload.evaluate.cox import CoxResult, cox, not_estimable


@dataclass(frozen=True)
class Covariates:
    """Baseline covariates for adjustment (an (n, k) matrix and its names) and clusters."""

    matrix: np.ndarray | None = None
    names: tuple[str, ...] = ()
    cluster: np.ndarray | None = None

    def subset(self, mask: np.ndarray) -> Covariates:
        """The units in ``mask``; covariates constant among them are left out."""
        cluster = None if self.cluster is None else self.cluster[mask]
        if self.matrix is None:
            return Covariates(None, (), cluster)
        rows = self.matrix[mask]
        keep = [j for j in range(rows.shape[1]) if np.ptp(rows[:, j]) > 0] if len(rows) else []
        return Covariates(
            rows[:, keep] if keep else None, tuple(self.names[j] for j in keep), cluster
        )

    @property
    def given(self) -> bool:
        return self.matrix is not None and len(self.names) > 0

    def independent_of(self, treated: np.ndarray) -> Covariates:
        """Only the covariates that add information beside the intercept, the arm and the
        covariates kept before them (in a small group a trait can be fixed by the arm):
        what the register's automatic adjustment may use. A file's own covariates are
        refused instead (adjust.py names the collinear ones)."""
        if not self.given or self.matrix is None:
            return self
        base = np.column_stack([np.ones(treated.size), treated.astype(float)])
        kept: list[int] = []
        for j in range(self.matrix.shape[1]):
            trial = np.column_stack([base, self.matrix[:, [*kept, j]]])
            scaled = trial / np.maximum(np.linalg.norm(trial, axis=0), 1e-300)
            if np.linalg.matrix_rank(scaled, tol=1e-8) == trial.shape[1]:
                kept.append(j)
        if len(kept) == self.matrix.shape[1]:
            return self
        return Covariates(
            self.matrix[:, kept] if kept else None,
            tuple(self.names[j] for j in kept),
            self.cluster,
        )


def _adjusted(y: np.ndarray, treated: np.ndarray, cov: Covariates, alpha: float) -> Adjusted | None:
    if not cov.given and cov.cluster is None:
        return None
    return adjusted_difference(
        y,
        treated.astype(float),
        cov.matrix if cov.given else None,
        cov.names,
        cluster=cov.cluster,
        alpha=alpha,
    )


def binary_outcome(
    name: str,
    y: np.ndarray,
    treated: np.ndarray,
    cov: Covariates | None = None,
    alpha: float = 0.05,
) -> BinaryResult:
    cov = cov or Covariates()
    events = y.astype(bool)
    result = binary.compare(
        name,
        Counts(int(events[treated].sum()), int(treated.sum())),
        Counts(int(events[~treated].sum()), int((~treated).sum())),
        alpha,
    )
    result = replace(result, adjusted=_adjusted(y.astype(float), treated, cov, alpha))
    if cov.cluster is None:
        return result
    fit = clustered.difference(y, treated, cov.cluster, alpha)
    t, c = result.treated, result.control
    individual_se = math.sqrt(t.rate * (1 - t.rate) / t.n + c.rate * (1 - c.rate) / c.n)
    # the clusters' design effect widens what the trial could detect (never narrows it)
    inflation = max(1.0, fit.se / individual_se) if individual_se > 0 else 1.0
    return replace(
        result,
        ci=fit.ci,
        p_value=fit.p_value,
        test="cluster",
        risk_ratio_ci=None,  # its interval would not account for the clusters
        minimum_detectable_effect=result.minimum_detectable_effect * inflation,
        errors=clustered.errors_of_difference(y, treated, cov.cluster),
    )


def continuous_outcome(
    name: str,
    y: np.ndarray,
    treated: np.ndarray,
    cov: Covariates | None = None,
    alpha: float = 0.05,
) -> ContinuousResult:
    cov = cov or Covariates()
    result = welch(name, y[treated], y[~treated], alpha)
    result = replace(result, adjusted=_adjusted(y.astype(float), treated, cov, alpha))
    if cov.cluster is None:
        return result
    fit = clustered.difference(y, treated, cov.cluster, alpha)
    return replace(
        result,
        ci=fit.ci,
        p_value=fit.p_value,
        df=math.inf,
        errors=clustered.errors_of_difference(y, treated, cov.cluster),
    )


@dataclass(frozen=True)
class SurvivalResult:
    name: str
    treated: survival.KaplanMeier
    control: survival.KaplanMeier
    logrank: survival.LogRank
    cox: CoxResult
    cox_adjusted: CoxResult | None
    rmst: survival.RmstDifference
    errors: clustered.Errors = clustered.INDIVIDUAL

    @property
    def hazard_ratio(self) -> tuple[float, tuple[float, float], float]:
        return self.cox.term("treated")

    @property
    def test(self) -> str:
        """``logrank``, or with clusters ``cox_wald``: the Wald test of the treated
        coefficient with the cluster-robust sandwich (clustered.py)."""
        return "logrank" if self.errors.kind == "individual" else "cox_wald"

    @property
    def p_value(self) -> float:
        """The headline test's two-sided p-value (``test``)."""
        return self.logrank.p_value if self.test == "logrank" else self.hazard_ratio[2]


def survival_outcome(
    name: str,
    time: np.ndarray,
    event: np.ndarray,
    treated: np.ndarray,
    cov: Covariates | None = None,
    alpha: float = 0.05,
    tau: float | None = None,
) -> SurvivalResult:
    cov = cov or Covariates()
    km_t = survival.kaplan_meier(time[treated], event[treated], alpha)
    km_c = survival.kaplan_meier(time[~treated], event[~treated], alpha)
    tau = tau if tau is not None else float(min(km_t.max_time, km_c.max_time))
    arm = treated.astype(float)[:, None]
    if not (event[treated].any() and event[~treated].any()):
        # an arm without a single event: no hazard ratio (nor log-rank) to estimate
        undefined = not_estimable(["treated"], int(time.size), int(event.sum()), alpha)
        return SurvivalResult(
            name,
            km_t,
            km_c,
            survival.logrank(time, event, treated),
            undefined,
            None,
            survival.rmst_difference(time, event, treated, tau, alpha),
            clustered.INDIVIDUAL
            if cov.cluster is None
            else clustered.Errors("cluster", no_permutation="an arm has no event"),
        )
    plain = cox(time, event, arm, ["treated"], cluster=cov.cluster, alpha=alpha)
    adjusted = None
    if cov.given:
        assert cov.matrix is not None
        adjusted = cox(
            time,
            event,
            np.hstack([arm, cov.matrix]),
            ["treated", *cov.names],
            cluster=cov.cluster,
            alpha=alpha,
        )
    rmst = survival.rmst_difference(time, event, treated, tau, alpha)
    errors = clustered.INDIVIDUAL
    if cov.cluster is not None:
        errors = clustered.errors_of_survival(time, event, treated, cov.cluster)
        rmst = _clustered_rmst(rmst, time, event, treated, cov.cluster, alpha)
    return SurvivalResult(
        name,
        km_t,
        km_c,
        survival.logrank(time, event, treated),
        plain,
        adjusted,
        rmst,
        errors,
    )


def _clustered_rmst(
    rmst: survival.RmstDifference,
    time: np.ndarray,
    event: np.ndarray,
    treated: np.ndarray,
    cluster: np.ndarray,
    alpha: float,
) -> survival.RmstDifference:
    """The RMST difference with a leave-one-cluster-out jackknife interval and p; NaN where
    leaving out a cluster empties an arm or shortens follow-up below tau."""
    labels = np.unique(cluster.astype(str))
    as_text = cluster.astype(str)
    leave_out: list[float | None] = []
    for label in labels:
        keep = as_text != label
        t, e, a = time[keep], event[keep], treated[keep]
        if a.all() or not a.any() or min(t[a].max(), t[~a].max()) < rmst.tau:
            leave_out.append(None)
            continue
        leave_out.append(survival.rmst_difference(t, e, a, rmst.tau, alpha).difference)
    fit = clustered.jackknife(rmst.difference, leave_out, alpha)
    if fit is None:
        return replace(rmst, ci=(math.nan, math.nan), p_value=math.nan)
    _, ci, p = fit
    return replace(rmst, ci=ci, p_value=p)


@dataclass(frozen=True)
class CompetingResult:
    causes: tuple[str, ...]
    treated: survival.CumulativeIncidence
    control: survival.CumulativeIncidence
    hazard_ratios: dict[str, CoxResult | None]
    """Cause-specific Cox models (other exits censored); None where an arm has no event."""


def competing_outcome(
    time: np.ndarray,
    cause: np.ndarray,
    names: Sequence[str],
    treated: np.ndarray,
    cov: Covariates | None = None,
    alpha: float = 0.05,
) -> CompetingResult:
    """``cause`` is 0 for still on benefit (censored), k = 1..K for ``names[k-1]``."""
    cov = cov or Covariates()
    codes = tuple(range(1, len(names) + 1))
    arm = treated.astype(float)[:, None]
    ratios: dict[str, CoxResult | None] = {}
    for k, label in zip(codes, names, strict=True):
        event = (cause == k).astype(int)
        if event[treated].sum() == 0 or event[~treated].sum() == 0:
            ratios[label] = None
            continue
        ratios[label] = cox(
            time, event, arm, ["treated"], cluster=cov.cluster, alpha=alpha, ph_check=False
        )
    return CompetingResult(
        tuple(names),
        survival.aalen_johansen(time[treated], cause[treated], causes=codes),
        survival.aalen_johansen(time[~treated], cause[~treated], causes=codes),
        ratios,
    )


@dataclass(frozen=True)
class BalanceRow:
    trait: str
    kind: str
    """``share`` (a 0/1 trait, shown in per cent) or ``mean``."""
    treated: float
    control: float
    smd: float

    @property
    def imbalanced(self) -> bool:
        """|SMD| above 0.1, the usual threshold for a noteworthy imbalance."""
        return abs(self.smd) > 0.1


def balance(traits: dict[str, np.ndarray], treated: np.ndarray) -> list[BalanceRow]:
    rows = []
    for name, values in traits.items():
        values = values.astype(float)
        kind = "share" if set(np.unique(values)) <= {0.0, 1.0} else "mean"
        rows.append(
            BalanceRow(
                name,
                kind,
                float(values[treated].mean()),
                float(values[~treated].mean()),
                standardised_mean_difference(values[treated], values[~treated]),
            )
        )
    return rows


@dataclass(frozen=True)
class SampleRatio:
    """Sample-ratio-mismatch check: the arms' sizes against the design's probability."""

    treated: int
    control: int
    expected_probability: float
    chi2: float
    p_value: float

    @property
    def mismatch(self) -> bool:
        """p below 0.001, the usual alarm level for an allocation that went wrong."""
        return self.p_value < 0.001


def sample_ratio(treated: int, control: int, probability: float) -> SampleRatio:
    n = treated + control
    expected = (n * probability, n * (1 - probability))
    chi2 = sum((o - e) ** 2 / e for o, e in zip((treated, control), expected, strict=True))
    return SampleRatio(treated, control, probability, float(chi2), float(dist.chi2_sf(chi2, 1)))
