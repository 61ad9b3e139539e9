"""A trial run in several job centres: each centre's effects, and the effects pooled.

When the frozen cohort spans two or more job centres (each randomising its own citizens),
the report adds, per exit destination and company placement:

- each centre's risk difference (trial − control) with its Wald interval;
- the Mantel–Haenszel risk difference stratified by centre (Sato's variance, consistent for
  few large and many small centres alike);
- inverse-variance (fixed effect) and DerSimonian–Laird (random effects) pooling of the
  centres' risk differences, with Cochran's Q, I² and τ²;

and for the time on kontanthjælp: each centre's Cox hazard ratio of leaving (trial against
control), their pooling, and a Cox model stratified by centre (each centre its own baseline
hazard, one hazard ratio). The formulas and their references are in ``pooled`` and ``cox``.
A centre with only one arm in the cohort cannot show an effect and is left out, by name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from caseload.evaluate import pooled
from caseload.evaluate.cox import CoxResult, cox
from caseload.evaluate.pooled import CentreEstimates, Pooled, Pooling

OUTCOMES = (
    "job",
    "small_job",
    "education",
    "resource_course",
    "flex_job",
    "disability_pension",
    "company_placement",
)
"""The binary outcomes pooled (the destinations of Tables 3 and 5, and placements)."""


@dataclass(frozen=True)
class CentreOutcome:
    """One binary outcome across the job centres."""

    name: str
    counts: tuple[tuple[int, int, int, int], ...]
    """Per centre: events and citizens in the trial arm, events and citizens in control."""
    centres: CentreEstimates
    """Each centre's risk difference and its variance."""
    mantel_haenszel: Pooled
    pooling: Pooling


@dataclass(frozen=True)
class Hazards:
    """The hazard ratio of leaving kontanthjælp (trial against control) across centres."""

    centres: CentreEstimates | None
    """Each centre's log hazard ratio (None when a centre's cannot be estimated)."""
    pooling: Pooling | None
    stratified: CoxResult
    """One Cox model, stratified by centre."""


@dataclass(frozen=True)
class Centres:
    codes: tuple[str, ...]
    """The job centres with both arms, in code order."""
    arms: tuple[tuple[int, int], ...]
    """Per centre: citizens in the trial arm, in control."""
    left_out: tuple[str, ...]
    """Centres in the cohort with one arm only (no effect to estimate)."""
    outcomes: tuple[CentreOutcome, ...]
    hazards: Hazards
    alpha: float

    def outcome(self, name: str) -> CentreOutcome:
        for o in self.outcomes:
            if o.name == name:
                return o
        raise KeyError(name)


def indicator(frame: pl.DataFrame, name: str) -> np.ndarray:
    """Per citizen, whether the outcome happened (as the evaluation counts it)."""
    if name == "company_placement":
        return frame.get_column("placements").to_numpy() > 0
    return (frame.get_column("status").fill_null("") == name).to_numpy()


def by_centre(frame: pl.DataFrame, alpha: float = 0.05) -> Centres | None:
    """The effects per job centre and pooled, or None when the cohort is one centre's."""
    if "jobcentre" not in frame.columns:
        return None
    present = sorted(str(c) for c in frame.get_column("jobcentre").drop_nulls().unique())
    if len(present) < 2:
        return None
    counts = frame.group_by("jobcentre", "arm").len()
    n = {(str(c), str(a)): int(k) for c, a, k in counts.iter_rows()}
    codes = [c for c in present if n.get((c, "trial"), 0) and n.get((c, "control"), 0)]
    left_out = tuple(c for c in present if c not in codes)
    if len(codes) < 2:
        return None
    kept = frame.filter(pl.col("jobcentre").is_in(codes))
    centre = np.searchsorted(np.array(codes), kept.get_column("jobcentre").cast(pl.Utf8).to_numpy())
    treated = (kept.get_column("arm") == "trial").to_numpy()
    outcomes = tuple(_outcome(name, kept, centre, treated, len(codes), alpha) for name in OUTCOMES)
    return Centres(
        codes=tuple(codes),
        arms=tuple((n[(c, "trial")], n[(c, "control")]) for c in codes),
        left_out=left_out,
        outcomes=outcomes,
        hazards=_hazards(kept, centre, treated, len(codes), alpha),
        alpha=alpha,
    )


def _outcome(
    name: str, frame: pl.DataFrame, centre: np.ndarray, treated: np.ndarray, k: int, alpha: float
) -> CentreOutcome:
    happened = indicator(frame, name)
    a = np.bincount(centre[treated], weights=happened[treated], minlength=k)
    n1 = np.bincount(centre[treated], minlength=k)
    c = np.bincount(centre[~treated], weights=happened[~treated], minlength=k)
    n0 = np.bincount(centre[~treated], minlength=k)
    estimates = pooled.jobcentre_risk_differences(a, n1, c, n0)
    return CentreOutcome(
        name=name,
        counts=tuple(
            (int(x), int(y), int(z), int(w)) for x, y, z, w in zip(a, n1, c, n0, strict=True)
        ),
        centres=estimates,
        mantel_haenszel=pooled.pooled_risk_difference(a, n1, c, n0, alpha=alpha),
        pooling=pooled.pool(estimates, alpha),
    )


def _hazards(
    frame: pl.DataFrame, centre: np.ndarray, treated: np.ndarray, k: int, alpha: float
) -> Hazards:
    time = frame.get_column("time").to_numpy().astype(float)
    event = frame.get_column("exited").to_numpy().astype(int)
    arm = treated.astype(float)
    stratified = cox(time, event, arm, ["arm"], alpha=alpha, ph_check=False, strata=centre)
    try:
        fits = [
            cox(time[centre == j], event[centre == j], arm[centre == j], ["arm"], alpha=alpha,
                ph_check=False)
            for j in range(k)
        ]  # fmt: skip
        estimates = pooled.jobcentre_log_hazard_ratios(fits)
    except ValueError:  # a centre where no one left, or only one arm left: no ratio
        return Hazards(None, None, stratified)
    return Hazards(estimates, pooled.pool(estimates, alpha), stratified)
