"""Exits from kontanthjælp and where citizens went (Tables 3, 5 and 6), as benefit spells."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import numpy as np
import polars as pl

from caseload.synth import calibration as cal

OTHER = "other"
MOST_LIKELY_EXIT = 0.99
"""The highest exit chance within the window a hazard multiplier may give."""


def destinations(groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Destination of each leaver, in proportion to its arm's published exit counts."""
    targets = cal.arm_targets()
    out = np.empty(len(groups), dtype=object)
    for arm in ("trial", "control"):
        mask = groups == arm
        names = [*cal.DESTINATIONS, OTHER]
        weights = np.array(
            [targets[arm].destinations[d] for d in cal.DESTINATIONS]
            + [cal.ASSUMED.other_exit_share]
        )
        out[mask] = rng.choice(
            np.array(names, dtype=object), int(mask.sum()), p=weights / weights.sum()
        )
    return out


def cohort_exits(
    groups: np.ndarray,
    long_term: np.ndarray,
    rng: np.random.Generator,
    hazard: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Exit dates (datetime64[D], NaT = still on kontanthjælp when the window closes).

    ``hazard`` multiplies an arm's exit hazard over the window (a job centre unlike
    Copenhagen): the exit probability p becomes 1 - (1 - p) ** hazard.
    """
    targets = cal.arm_targets()

    def chance(arm: str, long: bool) -> float:
        p = targets[arm].exit_probability(long)
        h = 1.0 if hazard is None else hazard.get(arm, 1.0)
        return p if h == 1.0 else min(MOST_LIKELY_EXIT, 1 - (1 - p) ** h)

    prob = np.where(
        groups == "trial",
        np.where(long_term, chance("trial", True), chance("trial", False)),
        np.where(long_term, chance("control", True), chance("control", False)),
    )
    leaves = rng.random(len(groups)) < prob
    span = (cal.LAST_EXIT - cal.START).days
    day = np.datetime64(cal.START, "D") + rng.integers(1, span + 1, len(groups)).astype(
        "timedelta64[D]"
    )
    return np.where(leaves, day, np.datetime64("NaT"))


def spells(citizens: pl.DataFrame) -> pl.DataFrame:
    """One kontanthjælp spell per citizen, ended by the exit, then the destination's spell.

    ``citizens`` has citizen_id, kontanthjaelp_since, exit_date, destination.
    """
    kh = citizens.select(
        "citizen_id",
        pl.lit("kontanthjaelp").alias("benefit"),
        pl.col("kontanthjaelp_since").alias("start_date"),
        pl.col("exit_date").alias("end_date"),
    )
    after = citizens.filter(pl.col("exit_date").is_not_null()).select(
        "citizen_id",
        pl.col("destination").alias("benefit"),
        (pl.col("exit_date") + timedelta(days=1)).alias("start_date"),
        pl.lit(None, pl.Date).alias("end_date"),
    )
    return pl.concat([kh, after])
