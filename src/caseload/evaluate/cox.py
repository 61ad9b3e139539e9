"""Cox proportional-hazards regression for time until a citizen leaves kontanthjælp.

``cox(time, event, X, names)`` fits the Cox model by maximising the partial likelihood
and returns hazard ratios with Wald intervals and p-values, optionally with standard
errors clustered by caseworker, and a Grambsch–Therneau check of proportional hazards.
The same call gives cause-specific hazard ratios: code ``event`` as 1 for the
destination of interest and 0 for censoring and for every other kind of exit.

Notation: units i = 1..n with time t_i, event indicator δ_i and covariates x_i (p of
them); risk score w_i = exp(x_i'β); distinct times t_1 < ... < t_K with d_k events at
t_k; the risk set at t_k is every unit with t_i ≥ t_k (a unit censored at t_k is still
at risk at t_k). d = Σ δ_i is the number of events.

Ties — Breslow's approximation (the statsmodels ``PHReg`` default, ``ties="breslow"``;
R's ``coxph`` defaults to Efron instead). All d_k events at t_k share one denominator::

    S0_k = Σ_{t_i ≥ t_k} w_i,   S1_k = Σ_{t_i ≥ t_k} w_i x_i,   x̄_k = S1_k / S0_k
    log L(β) = Σ_i δ_i x_i'β − Σ_k d_k log S0_k
    dΛ_k = d_k / S0_k,   Λ(t) = Σ_{t_k ≤ t} dΛ_k              (Breslow baseline hazard)
    U(β) = Σ_i x_i (δ_i − w_i Λ(t_i))                         (score)
    I(β) = Σ_i w_i Λ(t_i) x_i x_i' − Σ_k d_k x̄_k x̄_k'          (information)

The last two forms swap the sum over times for a sum over units, so the score and the
information are one matrix product each. The data are sorted by time once; S0 and S1
are group sums per distinct time (``np.add.reduceat``) turned into risk-set sums by a
reverse cumulative sum. No Python loop runs over units or times. Covariates are centred
and the linear predictor is shifted by its maximum before ``exp``; neither changes β,
the log-likelihood or any residual.

Strata — ``strata`` (e.g. the job centre of each citizen) gives every stratum its own
baseline hazard and shares β across strata: the risk set at t_k is every unit *of the
same stratum* with t_i ≥ t_k, and the partial log-likelihood, score and information are
sums over strata (the model of statsmodels ``PHReg(..., strata=...)`` and R's
``coxph(... + strata(centre))``). The data are then sorted by stratum and time, the
groups are the distinct (stratum, time) pairs, and the cumulative sums (risk sets,
Breslow hazard Λ, score residuals) restart in each stratum; that is the one loop, over
strata, not units. Λ(t_i) above is the unit's own stratum's hazard.

Fitting — Newton–Raphson from β = 0 with step halving (a step that lowers the
log-likelihood is halved, up to 40 times). Converged when the Newton decrement
U'I⁻¹U ≤ 1e-12 (the coefficients are then within about 1e-6 standard errors of the
maximum and the log-likelihood within 5e-13 of it) and the Newton step is at most
1e-6·(1 + |β_j|) for every coefficient. The second condition keeps a monotone
likelihood (a coefficient running to infinity, e.g. no events in one arm for a
cause-specific hazard) from passing as converged: its log-likelihood flattens out but
its Newton step does not shrink, so it ends in a ``ValueError``. Collinear covariates are
rejected before the first step: the information at β = 0, scaled to a correlation
matrix, must have its smallest eigenvalue above 1e-10.

Standard errors — model-based: sqrt(diag(I(β̂)⁻¹)). Clustered: the sandwich
``I⁻¹ (Σ_g U_g U_g') I⁻¹`` with U_g the sum over cluster g of the score residuals::

    U_i = δ_i (x_i − x̄(t_i)) − w_i Σ_{t_k ≤ t_i} (x_i − x̄_k) dΛ_k

This is exactly ``statsmodels ... PHReg.fit(groups=...)`` (``robust_covariance``: inverse
Hessian, outer products of the cluster-summed ``score_residuals``, inverse Hessian) and
R's ``coxph(..., cluster=)`` robust variance: no small-sample factor such as G/(G−1) is
applied. Units censored before the first event have a score residual of 0 here
(statsmodels drops them from the model and reports NaN).

Intervals and tests — Wald: exp(β̂_j ± z_{1−α/2} se_j), p = 2·(1 − Φ(|β̂_j| / se_j)).

Proportional hazards — the Grambsch–Therneau (1994) test on scaled Schoenfeld
residuals in the form of R ``survival``'s ``cox.zph`` before version 3.0 (2000). For the
k-th event (k = 1..d) the Schoenfeld residual is r_k = x_(k) − x̄(t_(k)), the scaled
residual r*_k = β̂ + d·V r_k with V = I(β̂)⁻¹ (always the model-based variance, also when
standard errors are clustered), and g_k a transform of the event time::

    T_j      = (Σ_k (g_k − ḡ) r*_kj)² / (d · V_jj · Σ_k (g_k − ḡ)²)      ~ χ²(1)
    T_global = d · u'Vu / Σ_k (g_k − ḡ)²,  u = Σ_k (g_k − ḡ) r_k        ~ χ²(p)

(β̂ drops out of T_j because the g_k − ḡ sum to 0.) The default transform is ``"km"``,
as in R: g_k = 1 − Ŝ(t_(k)−), the left-continuous Kaplan–Meier estimate from all units,
which spreads events evenly and is robust to a long censored tail. ``"rank"`` (average
ranks of the event times), ``"identity"`` and ``"log"`` are also available. When every
event falls on the same time the transform has no variance and the statistics are NaN.
With strata the residuals are taken within each stratum and the transform is one function
of time for all strata (the Kaplan–Meier estimate and the ranks from all units pooled,
as R's ``cox.zph``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import linalg

from caseload.evaluate import dist
from caseload.evaluate.arrays import (
    ClusterRules,
    FloatArray,
    IntArray,
    cholesky,
    cluster_codes,
    frozen,
)

TRANSFORMS = ("km", "rank", "identity", "log")
_DECREMENT_TOL = 1e-12
_STEP_TOL = 1e-6
_MAX_HALVINGS = 40
_SINGULAR = (
    "the information matrix is singular: covariates are collinear or a covariate does "
    "not vary within the risk sets"
)
CLUSTERS = ClusterRules(
    shape="cluster has {labels} labels for {n} units",
    length="cluster has {labels} labels for {n} units",
    missing_number="cluster contains missing labels",
    missing_object="cluster contains missing labels",
    too_few="clustered standard errors need at least two clusters",
    mixed="cluster labels must be all numbers or all strings",
    finite=False,
)
"""NaN numbers and None are missing; an infinite number or a NaN object is a label."""
_DIVERGED = (
    "Cox fit did not converge in {max_iter} Newton iterations; a coefficient may be "
    "infinite (monotone likelihood, e.g. no events in one arm or one covariate level)"
)


def _strata_codes(strata: ArrayLike, n: int) -> IntArray:
    """Integer codes 0..S-1 of the stratum labels (numbers or strings; one stratum is
    allowed and fits the unstratified model)."""
    labels = np.asarray(strata)
    if labels.ndim != 1 or labels.shape[0] != n:
        raise ValueError(f"strata has {labels.size} labels for {n} units")
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        raise ValueError("strata contains missing labels")
    if labels.dtype.kind == "O" and any(v is None or v != v for v in labels):
        raise ValueError("strata contains missing labels")
    try:
        _, codes = np.unique(labels, return_inverse=True)
    except TypeError:
        raise ValueError("strata labels must be all numbers or all strings") from None
    out: IntArray = codes.astype(np.intp).ravel()
    return out


@dataclass(frozen=True, eq=False)
class PhTest:
    """Grambsch–Therneau test of proportional hazards (formulas in the module docstring)."""

    chi2: FloatArray
    """Per covariate, χ² with 1 degree of freedom, in the order of ``names``."""
    p_values: FloatArray
    global_chi2: float
    """All covariates together, χ² with ``len(names)`` degrees of freedom."""
    global_p: float
    transform: str
    """Transform of event time the residuals are set against: km, rank, identity or log."""
    names: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class CoxResult:
    names: tuple[str, ...]
    coef: FloatArray
    se: FloatArray
    """Model-based, or the cluster-robust sandwich when a cluster was given (``se_kind``)."""
    hazard_ratio: FloatArray
    ci: FloatArray
    """Shape (p, 2): Wald interval on the hazard-ratio scale at level 1 - alpha."""
    p_values: FloatArray
    loglik: float
    """Breslow log partial likelihood at the estimate."""
    n: int
    events: int
    se_kind: str
    """``model`` or ``cluster``."""
    ph_test: PhTest | None
    cov: FloatArray
    """The covariance matrix behind ``se``."""
    model_se: FloatArray
    """Model-based standard errors, also when ``se`` is clustered."""
    alpha: float
    iterations: int
    clusters: int | None
    """Number of clusters behind a clustered ``se``; None for model-based."""

    def term(self, name: str) -> tuple[float, tuple[float, float], float]:
        """Hazard ratio, its interval and p-value of one covariate."""
        try:
            j = self.names.index(name)
        except ValueError:
            raise KeyError(f"no covariate {name!r}; the model has {list(self.names)}") from None
        return (
            float(self.hazard_ratio[j]),
            (float(self.ci[j, 0]), float(self.ci[j, 1])),
            float(self.p_values[j]),
        )


def not_estimable(names: Sequence[str], n: int, events: int, alpha: float) -> CoxResult:
    """The model where an arm has no event: every number undefined (NaN), said so by the
    report (the hazard ratio would run off to 0 or infinity)."""
    p = len(names)
    nan = np.full(p, np.nan)
    return CoxResult(
        tuple(names),
        nan,
        nan,
        nan,
        np.full((p, 2), np.nan),
        nan,
        math.nan,
        n,
        events,
        "model",
        None,
        np.full((p, p), np.nan),
        nan,
        alpha,
        0,
        None,
    )


@dataclass(frozen=True, eq=False)
class SchoenfeldResiduals:
    """One row per event, ordered by time (ties in input order)."""

    index: IntArray
    """Row of each event in the input."""
    time: FloatArray
    residuals: FloatArray
    """Shape (events, p): x_i − x̄(t_i), the covariate minus its risk-set mean at t_i."""


@dataclass(frozen=True)
class _State:
    """Everything at one β that the fit, the residuals and the tests need."""

    loglik: float
    grad: FloatArray
    info: FloatArray
    w: FloatArray  # risk scores, sorted order, shifted scale
    lam: FloatArray  # Breslow cumulative hazard per distinct time, same scale
    dlam: FloatArray  # its increments
    xbar: FloatArray  # (K, p) risk-set means per distinct time


class _RiskSets:
    """The data sorted once by stratum and time, grouped by distinct (stratum, time)."""

    def __init__(
        self, time: FloatArray, event: FloatArray, x: FloatArray, strata: IntArray | None = None
    ) -> None:
        n = time.shape[0]
        order: IntArray = np.argsort(time, kind="stable")
        if strata is not None:
            order = order[np.argsort(strata[order], kind="stable")]
        self.order = order
        self.time = time[self.order]
        self.event = event[self.order]
        self.x = np.take(x, self.order, axis=0)
        self.x -= x.mean(axis=0)
        self._buffer = np.empty_like(self.x)  # reused for the n × p products of each step
        first = np.empty(n, dtype=bool)
        first[0] = True
        np.not_equal(self.time[1:], self.time[:-1], out=first[1:])
        if strata is not None:
            stratum = strata[self.order]
            first[1:] |= stratum[1:] != stratum[:-1]
        self.starts: IntArray = np.flatnonzero(first)
        self.sizes = np.diff(np.append(self.starts, n))
        self.group: IntArray = np.repeat(np.arange(self.starts.shape[0]), self.sizes)
        # each stratum's run of groups [lo, hi): the cumulative sums restart there
        k = self.starts.shape[0]
        if strata is None:
            bounds: IntArray = np.array([0, k])
        else:
            new_stratum = np.flatnonzero(stratum[self.starts][1:] != stratum[self.starts][:-1])
            bounds = np.concatenate(([0], new_stratum + 1, [k]))
        self.segments = [(int(lo), int(hi)) for lo, hi in itertools.pairwise(bounds.tolist())]
        self.deaths = np.add.reduceat(self.event, self.starts)
        self.has_deaths = self.deaths > 0
        np.multiply(self.x, self.event[:, None], out=self._buffer)
        self.event_x = np.add.reduceat(self._buffer, self.starts, axis=0)  # Σ x of events

    def _scores(self, beta: FloatArray) -> tuple[FloatArray, FloatArray]:
        eta = self.x @ beta
        eta -= eta.max()
        return eta, np.exp(eta)

    def _cumulative(self, sums: FloatArray, reverse: bool) -> FloatArray:
        """Cumulative sums over the groups of each stratum (from the last group back when
        ``reverse``), restarting at every stratum."""
        out = np.empty_like(sums)
        for lo, hi in self.segments:
            if reverse:
                out[lo:hi] = np.cumsum(sums[lo:hi][::-1], axis=0)[::-1]
            else:
                out[lo:hi] = np.cumsum(sums[lo:hi], axis=0)
        return out

    def _risk_sum(self, values: FloatArray) -> FloatArray:
        """Σ over the risk set at each distinct time (reverse cumulative group sums)."""
        return self._cumulative(np.add.reduceat(values, self.starts, axis=0), reverse=True)

    def loglik(self, beta: FloatArray) -> float:
        eta, w = self._scores(beta)
        s0 = self._risk_sum(w)
        return float(self.event @ eta - self.deaths[self.has_deaths] @ np.log(s0[self.has_deaths]))

    def state(self, beta: FloatArray) -> _State:
        eta, w = self._scores(beta)
        s0 = self._risk_sum(w)
        buffer = self._buffer
        s1 = self._risk_sum(np.multiply(self.x, w[:, None], out=buffer))
        xbar = s1 / s0[:, None]
        dlam = self.deaths / s0
        lam = self._cumulative(dlam, reverse=False)
        wl = w * np.repeat(lam, self.sizes)
        loglik = float(
            self.event @ eta - self.deaths[self.has_deaths] @ np.log(s0[self.has_deaths])
        )
        grad = self.x.T @ (self.event - wl)
        root = xbar * np.sqrt(self.deaths)[:, None]
        info = np.multiply(self.x, wl[:, None], out=buffer).T @ self.x - root.T @ root
        info = (info + info.T) / 2
        return _State(loglik, grad, info, w, lam, dlam, xbar)

    def score_residuals(self, st: _State) -> FloatArray:
        """Per unit, in sorted order: δ_i (x_i − x̄(t_i)) − w_i Σ_{t_k ≤ t_i} (x_i − x̄_k) dΛ_k."""
        acc = self._cumulative(st.xbar * st.dlam[:, None], reverse=False)
        g = self.group
        at_event = self.event[:, None] * (self.x - st.xbar[g])
        resid: FloatArray = at_event - st.w[:, None] * (self.x * st.lam[g][:, None] - acc[g])
        return resid

    def schoenfeld(self, st: _State) -> SchoenfeldResiduals:
        rows = np.flatnonzero(self.event)
        return SchoenfeldResiduals(
            index=frozen(self.order[rows]),
            time=frozen(self.time[rows]),
            residuals=frozen(self.x[rows] - st.xbar[self.group[rows]]),
        )

    def transform(self, kind: str) -> FloatArray:
        """The time transform g at each group with events (ties share one value): one
        function of time for all strata, from all units pooled."""
        if len(self.segments) == 1:  # groups are the distinct times themselves
            sizes, deaths, times = self.sizes, self.deaths, self.time[self.starts]
            where: IntArray = np.flatnonzero(self.has_deaths)
        else:
            times, inverse = np.unique(self.time, return_inverse=True)
            sizes = np.bincount(inverse)
            deaths = np.bincount(inverse, weights=self.event)
            group_times = self.time[self.starts[self.has_deaths]]
            where = np.searchsorted(times, group_times)
        g = np.full(times.shape[0], np.nan)
        with_deaths = deaths > 0
        if kind == "km":
            at_risk = np.cumsum(sizes[::-1])[::-1]
            # when every unit left dies at the last time, log1p(-1) = -inf there; only the
            # survival *before* each time is used, so that value never enters g
            with np.errstate(divide="ignore"):
                after = np.cumsum(np.log1p(-deaths / at_risk))
            before = np.exp(np.concatenate(([0.0], after[:-1])))
            g = 1.0 - before
        elif kind == "rank":  # average rank of the tied events, as scipy.stats.rankdata
            d = deaths[with_deaths]
            g[with_deaths] = np.cumsum(d) - d + (d + 1) / 2
        elif kind == "identity":
            g = times.astype(np.float64)
        else:
            if np.any(times[with_deaths] <= 0):
                raise ValueError("the log transform needs event times above 0")
            g[with_deaths] = np.log(times[with_deaths])
        out: FloatArray = g[where]
        return out


def _validate(
    time: ArrayLike, event: ArrayLike, X: ArrayLike, names: Sequence[str]
) -> tuple[FloatArray, FloatArray, FloatArray, tuple[str, ...]]:
    t = np.asarray(time, dtype=np.float64)
    e_raw = np.asarray(event)
    x = np.asarray(X, dtype=np.float64)
    if t.ndim != 1:
        raise ValueError("time must be one-dimensional")
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError("X must be a matrix with one column per covariate")
    names = tuple(names)
    if len(names) != x.shape[1]:
        raise ValueError(f"{len(names)} names for {x.shape[1]} covariates")
    if len(set(names)) != len(names):
        raise ValueError(f"covariate names must be unique, got {list(names)}")
    if x.shape[1] == 0:
        raise ValueError("the model needs at least one covariate")
    if not (t.shape[0] == e_raw.shape[0] == x.shape[0]) or e_raw.ndim != 1:
        raise ValueError(
            f"lengths differ: time {t.shape[0]}, event {e_raw.shape[0]}, X {x.shape[0]} rows"
        )
    if t.shape[0] == 0:
        raise ValueError("no units")
    if not np.all(np.isfinite(t)):
        raise ValueError("time contains NaN or infinite values")
    if np.any(t < 0):
        raise ValueError("time must not be negative")
    try:
        e = e_raw.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError("event must be 0 (censored) or 1 (event)") from None
    if not np.all((e == 0) | (e == 1)):
        raise ValueError("event must be 0 (censored) or 1 (event)")
    if not np.any(e == 1):
        raise ValueError("no events: the hazard ratio is not estimable")
    if not np.all(np.isfinite(x)):
        raise ValueError("X contains NaN or infinite values")
    flat = np.flatnonzero(x.min(axis=0) == x.max(axis=0))
    if flat.size:
        raise ValueError(f"covariate {names[flat[0]]!r} has no variance")
    return t, e, x, names


def _check_rank(info: FloatArray, squares: FloatArray) -> None:
    """Reject collinear covariates, judged on the information at β = 0 as a correlation.

    ``squares`` is each centred covariate's sum of squares: a diagonal of the information
    at rounding noise beside it (a covariate constant within every stratum or risk set)
    is singular too."""
    diagonal = np.diag(info)
    if not np.all(np.isfinite(info)) or not np.all(diagonal > 1e-12 * squares):
        raise ValueError(_SINGULAR)
    scale = np.sqrt(diagonal)
    smallest = float(np.linalg.eigvalsh(info / np.outer(scale, scale))[0])
    if smallest < 1e-10:
        raise ValueError(_SINGULAR)


def _cholesky(info: FloatArray) -> tuple[FloatArray, bool]:
    """The information's Cholesky factor as ``cho_solve`` takes it; singular if it is not
    positive definite."""
    try:
        return cholesky(info), False
    except ValueError:
        raise ValueError(_SINGULAR) from None


def _newton(
    rs: _RiskSets, max_iter: int
) -> tuple[FloatArray, _State, tuple[FloatArray, bool], int]:
    beta = np.zeros(rs.x.shape[1])
    st = rs.state(beta)
    for iteration in range(max_iter + 1):
        if iteration == 0:
            _check_rank(st.info, np.einsum("ij,ij->j", rs.x, rs.x))
            chol = _cholesky(st.info)
        else:
            try:
                chol = _cholesky(st.info)
            except ValueError:
                # full rank at β = 0 but not here: the likelihood flattens out as a
                # coefficient runs off to infinity
                raise ValueError(_DIVERGED.format(max_iter=iteration)) from None
        step = linalg.cho_solve(chol, st.grad)
        decrement = float(st.grad @ step)
        if decrement <= _DECREMENT_TOL and np.all(np.abs(step) <= _STEP_TOL * (1 + np.abs(beta))):
            return beta, st, chol, iteration
        if iteration == max_iter:
            break
        slack = 1e-12 * (1.0 + abs(st.loglik))
        scale = 1.0
        for _ in range(_MAX_HALVINGS):
            candidate = beta + scale * step
            ll = rs.loglik(candidate)
            if math.isfinite(ll) and ll >= st.loglik - slack:
                break
            scale /= 2
        else:
            raise ValueError("Cox fit failed: step halving found no increase in the likelihood")
        beta = candidate
        st = rs.state(beta)
    raise ValueError(_DIVERGED.format(max_iter=max_iter))


def _ph_test(
    rs: _RiskSets, st: _State, beta: FloatArray, cov: FloatArray, transform: str
) -> PhTest:
    if transform not in TRANSFORMS:
        raise ValueError(f"transform must be one of {TRANSFORMS}, got {transform!r}")
    # Σ_k (g_k − ḡ) r_k with g constant within tied times: per distinct event time,
    # (g − ḡ) · (Σ of the events' x − d_k x̄_k); no per-event arrays are needed.
    p = beta.shape[0]
    deaths = rs.deaths[rs.has_deaths]
    d = float(deaths.sum())
    g = rs.transform(transform)
    gc = g - (deaths @ g) / d
    ss = float(deaths @ gc**2)
    # a single event time (in every stratum alike): the transform has no variance
    if deaths.shape[0] < 2 or not ss > 0:
        nan = np.full(p, np.nan)
        return PhTest(frozen(nan), frozen(nan.copy()), math.nan, math.nan, transform)
    resid_sums = rs.event_x[rs.has_deaths] - deaths[:, None] * st.xbar[rs.has_deaths]
    u = gc @ resid_sums
    vu = cov @ u
    chi2 = d * vu**2 / (np.diag(cov) * ss)
    global_chi2 = float(d * (u @ vu) / ss)
    return PhTest(
        chi2=frozen(chi2),
        p_values=frozen(dist.chi2_sf(chi2, 1)),
        global_chi2=global_chi2,
        global_p=float(dist.chi2_sf(global_chi2, p)),
        transform=transform,
    )


def _sandwich(
    rs: _RiskSets, st: _State, model_cov: FloatArray, group_of: IntArray, n_clusters: int
) -> FloatArray:
    """The cluster-robust covariance I⁻¹ (Σ_g U_g U_g') I⁻¹ (module docstring)."""
    resid = rs.score_residuals(st)
    sorted_groups = group_of[rs.order]
    sums = np.column_stack(
        [
            np.bincount(sorted_groups, weights=resid[:, j], minlength=n_clusters)
            for j in range(model_cov.shape[0])
        ]
    )
    cov: FloatArray = model_cov @ (sums.T @ sums) @ model_cov
    return (cov + cov.T) / 2


def cox(
    time: ArrayLike,
    event: ArrayLike,
    X: ArrayLike,
    names: Sequence[str],
    cluster: ArrayLike | None = None,
    alpha: float = 0.05,
    ph_check: bool = True,
    *,
    transform: str = "km",
    max_iter: int = 50,
    strata: ArrayLike | None = None,
) -> CoxResult:
    """Fit a Cox proportional-hazards model (Breslow ties) by Newton–Raphson.

    ``time`` is days until the event or censoring (≥ 0), ``event`` 1 for an event and 0
    for censoring, ``X`` one column per covariate named by ``names`` (a 1-D ``X`` is one
    covariate). With ``cluster`` (e.g. caseworker ids) the standard errors are the
    cluster-robust sandwich of statsmodels ``PHReg.fit(groups=cluster)``, otherwise
    model-based. With ``strata`` (e.g. the job centre of each unit) every stratum has its
    own baseline hazard and risk sets are formed within strata (statsmodels
    ``PHReg(..., strata=strata)``). ``ph_check`` adds the Grambsch–Therneau test against
    ``transform`` of time (default ``"km"``). Formulas and conventions are in the module
    docstring.

    Raises ``ValueError`` for inputs of differing lengths, negative, NaN or infinite
    times, events other than 0/1, no events, missing stratum labels, a covariate without
    variance (within the strata), collinear covariates and a fit that does not converge.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    if transform not in TRANSFORMS:
        raise ValueError(f"transform must be one of {TRANSFORMS}, got {transform!r}")
    t, e, x, labels = _validate(time, event, X, names)
    codes = None if cluster is None else cluster_codes(cluster, t.shape[0], CLUSTERS)
    stratum = None if strata is None else _strata_codes(strata, t.shape[0])

    rs = _RiskSets(t, e, x, stratum)
    beta, st, chol, iterations = _newton(rs, max_iter)
    p = beta.shape[0]
    model_cov = linalg.cho_solve(chol, np.eye(p))
    model_cov = (model_cov + model_cov.T) / 2

    if codes is None:
        cov, se_kind, n_clusters = model_cov, "model", None
    else:
        group_of, n_clusters = codes
        cov, se_kind = _sandwich(rs, st, model_cov, group_of, n_clusters), "cluster"

    se = np.sqrt(np.diag(cov))
    z = float(dist.norm_ppf(1 - alpha / 2))
    ci = np.exp(np.column_stack([beta - z * se, beta + z * se]))
    ph = None
    if ph_check:
        ph = _ph_test(rs, st, beta, model_cov, transform)
        ph = PhTest(ph.chi2, ph.p_values, ph.global_chi2, ph.global_p, ph.transform, labels)
    return CoxResult(
        names=labels,
        coef=frozen(beta),
        se=frozen(se),
        hazard_ratio=frozen(np.exp(beta)),
        ci=frozen(ci),
        p_values=frozen(2 * dist.norm_sf(np.abs(beta / se))),
        loglik=st.loglik,
        n=int(t.shape[0]),
        events=int(e.sum()),
        se_kind=se_kind,
        ph_test=ph,
        cov=frozen(cov),
        model_se=frozen(np.sqrt(np.diag(model_cov))),
        alpha=alpha,
        iterations=iterations,
        clusters=n_clusters,
    )


def _at(
    time: ArrayLike,
    event: ArrayLike,
    X: ArrayLike,
    coef: ArrayLike,
    strata: ArrayLike | None = None,
) -> tuple[_RiskSets, _State]:
    x = np.asarray(X, dtype=np.float64)
    p = 1 if x.ndim == 1 else x.shape[1]
    t, e, x, _ = _validate(time, event, x, [f"x{j}" for j in range(p)])
    beta = np.asarray(coef, dtype=np.float64).reshape(-1)
    if beta.shape[0] != p:
        raise ValueError(f"{beta.shape[0]} coefficients for {p} covariates")
    rs = _RiskSets(t, e, x, None if strata is None else _strata_codes(strata, t.shape[0]))
    return rs, rs.state(beta)


def schoenfeld_residuals(
    time: ArrayLike,
    event: ArrayLike,
    X: ArrayLike,
    coef: ArrayLike,
    *,
    strata: ArrayLike | None = None,
) -> SchoenfeldResiduals:
    """Schoenfeld residuals x_i − x̄(t_i) of every event at coefficients ``coef``.

    Rows are the events ordered by time (by stratum first, with ``strata``); ``index``
    gives each one's input row (the rows where statsmodels
    ``PHRegResults.schoenfeld_residuals`` is not NaN).
    """
    rs, st = _at(time, event, X, coef, strata)
    return rs.schoenfeld(st)


def score_residuals(
    time: ArrayLike,
    event: ArrayLike,
    X: ArrayLike,
    coef: ArrayLike,
    *,
    strata: ArrayLike | None = None,
) -> FloatArray:
    """Score residuals per unit, in input order (their sum is the score at ``coef``)."""
    rs, st = _at(time, event, X, coef, strata)
    out: FloatArray = np.empty_like(rs.x)
    out[rs.order] = rs.score_residuals(st)
    return out


def proportional_hazards_test(
    result: CoxResult,
    time: ArrayLike,
    event: ArrayLike,
    X: ArrayLike,
    transform: str = "km",
    *,
    strata: ArrayLike | None = None,
) -> PhTest:
    """Grambsch–Therneau test for a fitted model, e.g. against another time transform
    (give the model's ``strata`` again for a stratified fit)."""
    rs, st = _at(time, event, X, result.coef, strata)
    # The model-based covariance from the information (``result.se`` may be clustered).
    model_cov = linalg.cho_solve(_cholesky(st.info), np.eye(st.info.shape[0]))
    ph = _ph_test(rs, st, np.asarray(result.coef), model_cov, transform)
    return PhTest(ph.chi2, ph.p_values, ph.global_chi2, ph.global_p, transform, result.names)
