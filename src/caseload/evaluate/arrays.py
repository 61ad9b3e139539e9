"""Array helpers the estimators share: read-only results, cluster codes, a Cholesky factor.

Each was written twice with different rules; the rules that differ are parameters here,
so every estimator keeps its own errors and edge cases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import linalg

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
_A = TypeVar("_A", bound=np.ndarray)


def frozen(array: _A) -> _A:
    """The array made read-only in place (no copy), so a frozen result cannot change."""
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class ClusterRules:
    """One estimator's rules for cluster labels, and the words of its errors.

    Messages are formatted with ``shape`` (of the labels), ``labels`` (their number),
    ``n`` (the rows expected) and ``clusters`` (the number found).
    """

    shape: str
    """Labels not one-dimensional."""
    length: str
    """Not one label per row."""
    missing_number: str
    """A missing numeric label."""
    missing_object: str
    """A missing label in an object array."""
    too_few: str
    """Fewer than two clusters."""
    mixed: str | None = None
    """Labels numpy cannot sort (numbers and strings); None lets numpy's TypeError out."""
    finite: bool = True
    """True: NaN, ±inf, None and NaN objects are missing; False: only NaN numbers and None
    are (an infinite number or a NaN object is then a label like any other)."""


def cluster_codes(cluster: ArrayLike, n: int, rules: ClusterRules) -> tuple[IntArray, int]:
    """Integer codes for ``n`` cluster labels (0..G-1, or with gaps for dense integer
    labels: only ``np.bincount`` reads them) and the number of clusters G, at least 2."""
    labels = np.asarray(cluster)
    count = labels.shape[0] if labels.ndim else 1
    words = {"shape": labels.shape, "labels": count, "n": n}
    if labels.ndim != 1:
        raise ValueError(rules.shape.format(**words))
    if count != n:
        raise ValueError(rules.length.format(**words))
    if labels.dtype.kind == "f":
        bad = ~np.isfinite(labels) if rules.finite else np.isnan(labels)
        if bad.any():
            raise ValueError(rules.missing_number.format(**words))
    if labels.dtype.kind == "O" and any(v is None or (rules.finite and v != v) for v in labels):
        raise ValueError(rules.missing_object.format(**words))
    codes, clusters = _codes(labels, rules)
    if clusters < 2:
        raise ValueError(rules.too_few.format(clusters=clusters, **words))
    return codes, clusters


def _codes(labels: NDArray[np.generic], rules: ClusterRules) -> tuple[IntArray, int]:
    n = labels.shape[0]
    if labels.dtype.kind in "iub" and n > 0:
        low, high = int(labels.min()), int(labels.max())
        if high - low <= 4 * n:  # dense enough to count directly, no sort needed
            codes = (labels.astype(np.int64) - low).astype(np.intp)
            return codes, int(np.count_nonzero(np.bincount(codes)))
    try:
        uniques, inverse = np.unique(labels, return_inverse=True)
    except TypeError:
        if rules.mixed is None:
            raise
        raise ValueError(rules.mixed) from None
    return inverse.astype(np.intp).ravel(), int(uniques.shape[0])


class Collinear(ValueError):
    """A column (nearly) in the span of the columns before it."""

    def __init__(self, column: int, rest: float, partners: tuple[int, ...]) -> None:
        super().__init__(f"column {column} is collinear with columns {list(partners)}")
        self.column = column
        self.rest = rest
        """Its squared distance from that span (the pivot that failed; may be below 0)."""
        self.partners = partners
        """The columns before it that take part (weight above 1e-6 of the largest)."""


def cholesky(gram: FloatArray, tolerance: float = 0.0) -> FloatArray:
    """Upper Cholesky factor R (R'R = ``gram``), column by column, so the first column that
    fails is known: ``Collinear`` when its squared distance from the span of the columns
    before it is at most ``tolerance`` times its squared length (0: not positive definite,
    LAPACK's rule). A matrix with NaN or infinite entries raises ``ValueError``."""
    if not np.isfinite(gram).all():
        raise ValueError("the matrix has NaN or infinite entries")
    p = gram.shape[0]
    factor = np.zeros_like(gram)
    for j in range(p):
        above = np.zeros(0)
        if j:
            above = linalg.solve_triangular(factor[:j, :j], gram[:j, j], trans="T")
            factor[:j, j] = above
        rest = gram[j, j] - float(above @ above)
        if rest <= tolerance * gram[j, j]:
            partners: tuple[int, ...] = ()
            if j:
                weights = linalg.solve_triangular(factor[:j, :j], above)
                scale = np.abs(weights).max()
                partners = tuple(i for i in range(j) if abs(weights[i]) > 1e-6 * scale)
            raise Collinear(j, rest, partners)
        factor[j, j] = math.sqrt(rest)
    return factor
