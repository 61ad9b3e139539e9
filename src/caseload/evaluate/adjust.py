"""Covariate-adjusted treatment difference by regression adjustment, with robust SEs.

Model: OLS of the outcome y on an intercept, the treated indicator t (0/1) and k baseline
covariates, ``y = a + d t + X b + e``. ``d`` is the adjusted difference in means; for a 0/1
outcome this is the linear probability model, so ``d`` is a risk difference.

Standard error of ``d``, with p = k + 2 parameters, n rows, residuals e_i and
``u_i`` the treated row of ``(X'X)^-1 X'`` (so ``d = sum_i u_i y_i``):
- ``HC1`` (no clusters): ``Var(d) = n / (n - p) * sum_i u_i^2 e_i^2``.
- ``cluster`` (CR1, G clusters): ``Var(d) = G / (G - 1) * (n - 1) / (n - p) * sum_g
  (sum_{i in g} u_i e_i)^2``.

Conventions match statsmodels 0.14.5: ``OLS(y, X).fit(cov_type="HC1")`` and
``fit(cov_type="cluster", cov_kwds={"groups": g})`` use the normal distribution by default
(``use_t`` is False for robust covariances), so the p-value is ``2 * (1 - Phi(|d / se|))``
and the interval ``d -/+ z_{1-alpha/2} se``; the cluster small-sample factor is
``G / (G - 1) * (n - 1) / (n - p)`` (statsmodels' ``use_correction=True``, as Stata).

Numerics: the covariates and the treated indicator are centred and scaled to unit length
(the intercept then separates from them; ``d`` and its SE are unchanged), their small Gram
matrix ``Z'Z`` is Cholesky-factored column by column, and each least-squares solve gets one
step of iterative refinement with residuals computed from the data (corrected semi-normal
equations), so no inverse is formed and one pass over the rows builds ``Z'Z``. ``u`` comes
from Frisch–Waugh–Lovell: ``u = r / (r'r)`` with ``r`` the treated column net of the
covariates. A column whose squared distance from the span of the columns before it is
below 1e-10 of its squared length (R^2 > 1 - 1e-10) is rejected as collinear, naming the
columns involved; nothing is dropped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import linalg

from caseload.evaluate import dist
from caseload.evaluate.arrays import ClusterRules, Collinear, cholesky, cluster_codes

COLLINEARITY_TOLERANCE = 1e-10
"""Smallest admissible 1 - R^2 of a standardised column on the columns before it."""
CLUSTERS = ClusterRules(
    shape="cluster must be one-dimensional, got shape {shape}",
    length="cluster has {labels} labels but y has {n} rows",
    missing_number="cluster labels contain NaN or infinite values",
    missing_object="cluster labels contain missing values (None or NaN)",
    too_few="cluster-robust errors need at least 2 clusters, got {clusters}",
)
"""Any missing or infinite label is refused; labels numpy cannot sort raise its TypeError."""


@dataclass(frozen=True)
class Adjusted:
    difference: float
    """Coefficient of the treated indicator."""
    se: float
    ci: tuple[float, float]
    p_value: float
    covariates: tuple[str, ...]
    se_kind: str
    """``HC1`` (heteroskedasticity-robust) or ``cluster`` (CR1, cluster-robust)."""
    n: int
    clusters: int | None


def _column_names(names: Sequence[str]) -> list[str]:
    return [*(f"covariate {name!r}" for name in names), "the treated indicator"]


def _cholesky(gram: NDArray[np.float64], names: Sequence[str]) -> NDArray[np.float64]:
    """Upper Cholesky factor of the unit-diagonal Gram matrix, rejecting collinear columns
    with the names of the columns involved."""
    try:
        return cholesky(gram, COLLINEARITY_TOLERANCE)
    except Collinear as found:
        labels = _column_names(names)
        partners = [labels[i] for i in found.partners]
        fit = f"given the intercept (1 - R^2 = {max(found.rest, 0.0):.1e})"
        if found.column == gram.shape[0] - 1:  # the treated indicator, last
            verb = "is" if len(partners) == 1 else "are together"
            raise ValueError(
                f"{', '.join(partners)} {verb} collinear with the treated indicator {fit}; "
                "a covariate must not be determined by the arm"
            ) from None
        raise ValueError(
            f"{labels[found.column]} is collinear with {', '.join(partners)} {fit}; "
            "drop one of them"
        ) from None


def _refined_solve(
    z: NDArray[np.float64], factor: NDArray[np.float64], target: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Least squares of ``target`` on ``z`` from the Cholesky factor of ``z'z``, refined once."""
    coef: NDArray[np.float64] = linalg.cho_solve((factor, False), z.T @ target)
    refined: NDArray[np.float64] = coef + linalg.cho_solve(
        (factor, False), z.T @ (target - z @ coef)
    )
    return refined


def _columns(
    y: ArrayLike, treated: ArrayLike, covariates: ArrayLike | None, names: Sequence[str]
) -> tuple[NDArray[np.float64], NDArray[np.float64], tuple[str, ...]]:
    """The checked outcome, and the covariates then the treated indicator as the columns
    of one column-major (n, k + 1) array; every input error is raised here."""
    outcome = np.asarray(y, dtype=np.float64)
    if outcome.ndim != 1:
        raise ValueError(f"y must be one-dimensional, got shape {outcome.shape}")
    n = len(outcome)
    arm = np.asarray(treated)
    if arm.ndim != 1:
        raise ValueError(f"treated must be one-dimensional, got shape {arm.shape}")
    if len(arm) != n:
        raise ValueError(f"treated has {len(arm)} rows but y has {n}")
    names = tuple(names)
    if covariates is None:
        design = np.empty((n, 0))
    else:
        design = np.asarray(covariates, dtype=np.float64)
        if design.ndim == 1 and len(names) == 1:
            design = design.reshape(-1, 1)
        if design.ndim != 2:
            raise ValueError(f"covariates must be an (n, k) array, got shape {design.shape}")
    if design.shape[0] != n:
        raise ValueError(f"covariates have {design.shape[0]} rows but y has {n}")
    k = design.shape[1]
    if len(names) != k:
        raise ValueError(f"{len(names)} names given for {k} covariate columns")
    if len(set(names)) != k:
        raise ValueError(f"covariate names must be unique, got {names}")

    if not np.isfinite(outcome).all():
        bad = int(np.count_nonzero(~np.isfinite(outcome)))
        raise ValueError(f"y has {bad} NaN or infinite values")
    if not np.isfinite(design).all():
        column = int(np.flatnonzero(~np.isfinite(design).all(axis=0))[0])
        raise ValueError(f"covariate {names[column]!r} has NaN or infinite values")
    if arm.dtype.kind == "f" and not np.isfinite(arm).all():
        raise ValueError("treated has NaN or infinite values")
    if arm.dtype != np.bool_ and not ((arm == 0) | (arm == 1)).all():
        raise ValueError("treated must be 0/1 (or boolean)")
    arm = arm.astype(np.float64)
    n_treated = int(arm.sum())
    if n_treated == 0:
        raise ValueError("the treated arm is empty")
    if n_treated == n:
        raise ValueError("the control arm is empty")
    # Column-major copy, the covariates in order and then the treated indicator: every later
    # pass (constancy, centring, Z'Z, Z'v, Zc) then runs over contiguous columns.
    z = np.empty((n, k + 1), order="F")
    z[:, :k] = design
    z[:, k] = arm
    if k:
        constant = np.flatnonzero(z[:, :k].min(axis=0) == z[:, :k].max(axis=0))
        if len(constant):
            raise ValueError(f"covariate {names[int(constant[0])]!r} is constant")
    return outcome, z, names


def _variance(
    scores: NDArray[np.float64],
    p: int,
    codes: NDArray[np.intp] | None,
    n_clusters: int | None,
) -> float:
    """Var(d) from the scores u_i e_i: HC1, or CR1 over the clusters (module docstring)."""
    n = len(scores)
    if codes is None:
        return n / (n - p) * float(scores @ scores)
    assert n_clusters is not None
    sums = np.bincount(codes, weights=scores)
    return n_clusters / (n_clusters - 1) * (n - 1) / (n - p) * float(sums @ sums)


def adjusted_difference(
    y: ArrayLike,
    treated: ArrayLike,
    covariates: ArrayLike | None,
    names: Sequence[str],
    cluster: ArrayLike | None = None,
    alpha: float = 0.05,
) -> Adjusted:
    """Regression-adjusted treated - control difference with HC1 or cluster-robust SE.

    ``covariates`` is an (n, k) array (k may be 0; ``None`` means k = 0) with column names
    ``names``; ``cluster`` optional labels (e.g. caseworker) for cluster-robust errors.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    outcome, z, names = _columns(y, treated, covariates, names)
    n, k = len(outcome), z.shape[1] - 1
    p = k + 2
    if n <= p:
        raise ValueError(f"{n} rows are too few for {p} parameters")
    codes, n_clusters = (None, None) if cluster is None else cluster_codes(cluster, n, CLUSTERS)

    # Centred, unit-length columns.
    z -= z.mean(axis=0)
    gram = z.T @ z
    lengths = np.sqrt(np.diag(gram))
    z /= lengths
    factor = _cholesky(gram / np.outer(lengths, lengths), names)
    centred = outcome - outcome.mean()
    coef = _refined_solve(z, factor, centred)
    resid = centred - z @ coef
    difference = float(coef[k] / lengths[k])

    # Frisch–Waugh–Lovell: u = r / (r'r) with r the treated column net of the covariates,
    # so d = u'y; solved the same refined way, as forming (Z'Z)^-1 would cost digits.
    arm_net = z[:, k].copy()
    if k:
        arm_net -= z[:, :k] @ _refined_solve(z[:, :k], factor[:k, :k], z[:, k])
    scores = arm_net / (float(arm_net @ arm_net) * lengths[k]) * resid  # u_i e_i
    se_kind = "HC1" if codes is None else "cluster"
    se = math.sqrt(_variance(scores, p, codes, n_clusters))
    z_crit = float(dist.norm_ppf(1 - alpha / 2))
    if se > 0:
        p_value = float(2 * dist.norm_sf(abs(difference) / se))
    else:  # a perfect fit
        p_value = 1.0 if difference == 0 else 0.0
    return Adjusted(
        difference=difference,
        se=se,
        ci=(difference - z_crit * se, difference + z_crit * se),
        p_value=p_value,
        covariates=names,
        se_kind=se_kind,
        n=n,
        clusters=n_clusters,
    )
