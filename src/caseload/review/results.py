"""A case review's results: scores per arm (or department, or caseworker), agreement
between reviewers, the scores beside what the register measures, and how blind the
reviewers were.

The unit is the case. A case's score on an item is the mean of its reviewers' scores, its
overall score the mean of its item scores; per group the mean with a t interval
(scipy ``stats.t``), and between groups Welch's t test with the Welch–Satterthwaite
interval of the difference for two groups (``scipy.stats.ttest_ind(equal_var=False)``),
one-way analysis of variance for more (``scipy.stats.f_oneway``).

Agreement per item: Krippendorff's alpha (ordinal) over every rating of every case, and
weighted Cohen's kappa (quadratic weights) between each case's first and second rating
(evaluate/agreement.py); items below Krippendorff's .800 are flagged in plain words.
The register's indicators (review/indicators.py) are set beside each case's overall
score: Spearman's rank correlation with its p-value (``scipy.stats.spearmanr``).
Reviewers' arm guesses give Bang's blinding index per arm.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy import stats
from sqlalchemy import Connection, case, func, select

from caseload.evaluate import agreement
from caseload.evaluate.agreement import BlindingIndex
from caseload.review import indicators as measured
from caseload.review.scores import Review, review
from caseload.store import schema as s

OVERALL = "overall"
ALPHA = 0.05


@dataclass(frozen=True)
class GroupMean:
    group: str
    cases: int
    mean: float
    sd: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class Comparison:
    item: str
    """An item's key, or ``overall``."""
    groups: tuple[GroupMean, ...]
    test: str
    """``welch`` (two groups), ``anova`` (more) or ``none``."""
    statistic: float
    p_value: float
    difference: float | None = None
    """Two groups: the first minus the second (trial minus control when by arm)."""
    diff_low: float | None = None
    diff_high: float | None = None


@dataclass(frozen=True)
class ItemAgreement:
    item: str
    alpha: float
    ratings: int
    kappa: float | None
    kappa_low: float | None
    kappa_high: float | None
    pairs: int
    level: str
    """``reliable`` (α ≥ .800), ``tentative`` (.667 ≤ α < .800), ``unreliable`` or
    ``undefined`` (no variation)."""

    @property
    def flagged(self) -> bool:
        return self.level != "reliable"


@dataclass(frozen=True)
class Correlation:
    indicator: str
    cases: int
    rho: float
    p_value: float


@dataclass(frozen=True)
class Results:
    review: Review
    cases: int
    rated: int
    """Cases with at least one score."""
    ratings: int
    """Reviewer × case pairs with at least one score."""
    comparisons: tuple[Comparison, ...]
    agreement: tuple[ItemAgreement, ...]
    correlations: tuple[Correlation, ...]
    blinding: dict[str, BlindingIndex] = field(default_factory=dict)
    per_case: pl.DataFrame = field(default_factory=pl.DataFrame)
    """One row per case: label, group, the item means, overall and the indicators."""


@dataclass(frozen=True)
class Progress:
    code: str
    as_of: Any
    by: str
    cases: int
    assignments: int
    done: int
    """Assignments with every item scored."""


def progress(conn: Connection, code: str) -> Progress:
    found = review(conn, code)
    rc, ra, sc = s.review_case, s.review_assignment, s.review_score
    per = (
        select(ra.c.id, func.count(sc.c.id).label("n"))
        .join(rc, rc.c.id == ra.c.review_case_id)
        .outerjoin(sc, sc.c.review_assignment_id == ra.c.id)
        .where(rc.c.review_id == found.id)
        .group_by(ra.c.id)
        .subquery()
    )
    total, done = conn.execute(
        select(func.count(), func.sum(case((per.c.n >= len(found.rubric.keys), 1), else_=0)))
    ).one()
    cases = conn.execute(
        select(func.count()).select_from(rc).where(rc.c.review_id == found.id)
    ).scalar_one()
    return Progress(code, found.as_of, found.stratify_by, int(cases), int(total), int(done or 0))


def ratings(conn: Connection, review_id: int) -> pl.DataFrame:
    """One row per score: case id, label, group (stratum), slot, reviewer, item, score."""
    rc, ra, sc, a = s.review_case, s.review_assignment, s.review_score, s.account
    rows = conn.execute(
        select(rc.c.id, rc.c.label, rc.c.stratum, ra.c.slot, a.c.username, sc.c.item, sc.c.score)
        .join(ra, ra.c.review_case_id == rc.c.id)
        .join(a, a.c.id == ra.c.account_id)
        .join(sc, sc.c.review_assignment_id == ra.c.id)
        .where(rc.c.review_id == review_id)
    ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={
            "case_id": pl.Int64,
            "label": pl.Utf8,
            "group": pl.Utf8,
            "slot": pl.Int64,
            "reviewer": pl.Utf8,
            "item": pl.Utf8,
            "score": pl.Int64,
        },
        orient="row",
    )


def _guesses(conn: Connection, review_id: int) -> list[tuple[str, str]]:
    rc, ra = s.review_case, s.review_assignment
    rows = conn.execute(
        select(rc.c.stratum, ra.c.arm_guess)
        .join(ra, ra.c.review_case_id == rc.c.id)
        .where(rc.c.review_id == review_id, ra.c.arm_guess.is_not(None))
    )
    return [(str(g), str(q)) for g, q in rows]


def group_mean(group: str, values: np.ndarray[Any, Any], alpha: float = ALPHA) -> GroupMean:
    n = len(values)
    mean = float(np.mean(values)) if n else math.nan
    sd = float(np.std(values, ddof=1)) if n > 1 else math.nan
    if n > 1:
        half = float(stats.t.ppf(1 - alpha / 2, n - 1)) * sd / math.sqrt(n)
        return GroupMean(group, n, mean, sd, mean - half, mean + half)
    return GroupMean(group, n, mean, sd, math.nan, math.nan)


def compare(
    item: str, by_group: dict[str, np.ndarray[Any, Any]], alpha: float = ALPHA
) -> Comparison:
    """Means per group and the test between them (see the module's docstring)."""
    groups = tuple(group_mean(g, v, alpha) for g, v in by_group.items())
    usable = [v for v in by_group.values() if len(v) > 1]
    if len(by_group) == 2 and len(usable) == 2:
        a, b = by_group.values()
        test = stats.ttest_ind(a, b, equal_var=False)
        va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
        se = math.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se else math.inf
        diff = float(np.mean(a) - np.mean(b))
        half = float(stats.t.ppf(1 - alpha / 2, df)) * se
        return Comparison(
            item, groups, "welch", float(test.statistic), float(test.pvalue),
            diff, diff - half, diff + half,
        )  # fmt: skip
    if len(usable) >= 2 and len(usable) == len(by_group):
        test = stats.f_oneway(*by_group.values())
        return Comparison(item, groups, "anova", float(test.statistic), float(test.pvalue))
    return Comparison(item, groups, "none", math.nan, math.nan)


def _level(alpha_value: float) -> str:
    if math.isnan(alpha_value):
        return "undefined"
    if alpha_value >= agreement.RELIABLE:
        return "reliable"
    return "tentative" if alpha_value >= agreement.TENTATIVE else "unreliable"


def item_agreement(frame: pl.DataFrame, item: str, scale: tuple[int, ...]) -> ItemAgreement:
    """Alpha over every rating of the item; kappa between slots 1 and 2 where both rated."""
    mine = frame.filter(pl.col("item") == item)
    wide = mine.pivot(on="slot", index="case_id", values="score", aggregate_function="first")
    slots = sorted(c for c in wide.columns if c != "case_id")
    matrix = wide.select(slots).to_numpy().astype(float) if slots else np.empty((0, 0))
    alpha_value, rated = math.nan, int(np.sum(~np.isnan(matrix))) if matrix.size else 0
    if matrix.size and matrix.shape[1] >= 2:
        alpha_value = agreement.krippendorff_alpha(matrix, "ordinal").alpha
    kappa = low = high = None
    pairs = 0
    if "1" in wide.columns and "2" in wide.columns:
        both = wide.drop_nulls(["1", "2"])
        pairs = both.height
        if pairs >= 2:
            found = agreement.weighted_kappa(
                both.get_column("1").to_list(), both.get_column("2").to_list(), list(scale),
                "quadratic",
            )  # fmt: skip
            kappa, low, high = found.kappa, found.ci_low, found.ci_high
    return ItemAgreement(item, alpha_value, rated, kappa, low, high, pairs, _level(alpha_value))


def results(
    conn: Connection, code: str, alpha: float = ALPHA, only: Collection[str] | None = None
) -> Results:
    """The review's results; ``only`` keeps the cases of those groups (a leader's own
    departments or caseworkers: access.scope.review_groups)."""
    found = review(conn, code)
    frame = ratings(conn, found.id)
    rc = s.review_case
    cases = conn.execute(
        select(rc.c.id, rc.c.label, rc.c.stratum, rc.c.citizen_id).where(rc.c.review_id == found.id)
    ).all()
    if only is not None:
        cases = [c for c in cases if str(c.stratum) in only]
        frame = frame.filter(pl.col("group").is_in(list(only)))
    keys = found.rubric.keys
    per_case = (
        frame.group_by("case_id", "item")
        .agg(pl.col("score").mean())
        .pivot(on="item", index="case_id", values="score")
    )
    for key in keys:
        if key not in per_case.columns:
            per_case = per_case.with_columns(pl.lit(None, pl.Float64).alias(key))
    per_case = per_case.with_columns(pl.mean_horizontal(list(keys)).alias(OVERALL))
    base = pl.DataFrame(
        [(int(i), str(lb), str(g), int(c)) for i, lb, g, c in cases],
        schema={"case_id": pl.Int64, "label": pl.Utf8, "group": pl.Utf8, "citizen_id": pl.Int64},
        orient="row",
    )
    table = base.join(per_case, on="case_id", how="left")
    shown = measured.indicators(conn, [int(c[3]) for c in cases], found.window_start, found.as_of)
    table = table.join(shown, on="citizen_id", how="left").sort("label")
    groups = sorted(table.get_column("group").unique().to_list())
    if found.stratify_by == "arm":
        groups = [g for g in ("trial", "control") if g in groups]
    comparisons = []
    for item in (*keys, OVERALL):
        by_group = {
            g: table.filter(pl.col("group") == g).get_column(item).drop_nulls().to_numpy()
            for g in groups
        }
        comparisons.append(compare(item, by_group, alpha))
    agreements = tuple(item_agreement(frame, k, found.rubric.scale) for k in keys)
    correlations = []
    for name in measured.INDICATORS:
        pair = table.select(OVERALL, name).drop_nulls()
        if pair.height >= 3 and pair.get_column(name).n_unique() > 1:
            rho = stats.spearmanr(pair.get_column(OVERALL), pair.get_column(name))
            correlations.append(
                Correlation(name, pair.height, float(rho.statistic), float(rho.pvalue))
            )
        else:
            correlations.append(Correlation(name, pair.height, math.nan, math.nan))
    blinding: dict[str, BlindingIndex] = {}
    guesses = _guesses(conn, found.id)
    if found.stratify_by == "arm" and guesses:
        arms = [g for g, _ in guesses]
        if {"trial", "control"} <= set(arms):
            said = ["don't know" if q == "unknown" else q for _, q in guesses]
            blinding = {str(k): v for k, v in agreement.blinding_indices(arms, said, alpha).items()}
    rated = table.filter(pl.col(OVERALL).is_not_null()).height
    pairs = frame.select("case_id", "slot").unique().height
    return Results(
        found,
        len(cases),
        rated,
        pairs,
        tuple(comparisons),
        agreements,
        tuple(correlations),
        blinding,
        table.select("label", "group", *keys, OVERALL, *measured.INDICATORS),
    )
