"""Meetings: the statutory job-meeting rhythm (Table 7's timeliness) and extra contact."""

from __future__ import annotations

import numpy as np
import polars as pl

from caseload.synth import calibration as cal

RHYTHM_DAYS = 91
"""One job meeting every three months."""
PLACES = {
    "trial": (
        ("job_centre", 0.45),
        ("home", 0.15),
        ("phone", 0.15),
        ("supplier", 0.07),
        ("residence", 0.05),
        ("hospital", 0.02),
        ("workplace", 0.06),
        ("video", 0.05),
    ),
    "control": (("job_centre", 0.85), ("phone", 0.10), ("video", 0.05)),
}


def _places(trial: np.ndarray, rng: np.random.Generator) -> pl.Series:
    """Places drawn per arm; strings are gathered from a small series, never built per row."""
    names = sorted({p for table in PLACES.values() for p, _ in table})
    out = np.zeros(len(trial), dtype=np.int64)
    for arm, table in PLACES.items():
        mask = trial if arm == "trial" else ~trial
        index = np.array([names.index(p) for p, _ in table])
        weights = np.array([w for _, w in table])
        out[mask] = rng.choice(index, int(mask.sum()), p=weights / weights.sum())
    return pl.Series("place", names, dtype=pl.Utf8).gather(out)


def _minutes(trial: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    trial_lo, trial_hi = cal.ASSUMED.meeting_minutes["trial"]
    control_lo, control_hi = cal.ASSUMED.meeting_minutes["control"]
    lo = np.where(trial, trial_lo, control_lo)
    hi = np.where(trial, trial_hi, control_hi)
    minutes: np.ndarray = (lo + rng.random(len(trial)) * (hi - lo)).round(-1).astype(np.int64)
    return minutes.clip(10)


def job_meetings(active: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Job meetings for each citizen's active period.

    ``active``: group (trial/control), start (first day on the caseload),
    end (last day or window end), initial (on the caseload at the cohort date).
    The first deadline is within three months of the cohort date for citizens already on
    a caseload, one month after entry for later entrants; each next deadline is three
    months after the meeting held. A meeting is held by its deadline with the arm's
    published timeliness; late ones 1-30 days after. A tenth of meetings are first missed
    (no-show or cancellation) and followed up a few days later. Rows carry ``citizen``,
    the citizen's position in ``active``.
    """
    targets = cal.arm_targets()
    n = active.height
    groups = active.get_column("group").to_numpy()
    start = active.get_column("start").to_numpy().astype("datetime64[D]")
    end = active.get_column("end").to_numpy().astype("datetime64[D]")
    initial = active.get_column("initial").to_numpy()
    timely_p = np.where(groups == "trial", targets["trial"].timely, targets["control"].timely)
    due = np.where(
        initial,
        start + rng.integers(0, RHYTHM_DAYS, n).astype("timedelta64[D]"),
        start + np.timedelta64(30, "D"),
    )
    parts = []
    while True:
        alive = due <= end
        if not alive.any():
            break
        idx = np.flatnonzero(alive)
        m = len(idx)
        timely = rng.random(m) < timely_p[idx]
        early = rng.integers(0, 31, m).astype("timedelta64[D]")
        late = rng.integers(1, 31, m).astype("timedelta64[D]")
        held = np.where(timely, np.maximum(due[idx] - early, start[idx]), due[idx] + late)
        held_ok = held <= end[idx]
        parts.append(
            pl.DataFrame(
                {
                    "citizen": idx,
                    "trial": groups[idx] == "trial",
                    "due_date": due[idx],
                    "held_date": np.where(held_ok, held, np.datetime64("NaT")),
                }
            )
        )
        due = due.copy()
        due[idx] = held + np.timedelta64(RHYTHM_DAYS, "D")
        due[idx[~held_ok]] = np.datetime64("2100-01-01")
    frame = pl.concat(parts).filter(pl.col("held_date").is_not_null())
    return frame.with_columns(pl.lit("job_meeting").alias("kind"), pl.lit("held").alias("status"))


def extra_contacts(active: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Follow-up meetings beyond the statutory rhythm (more in the trial department)."""
    groups = active.get_column("group").to_numpy()
    start = active.get_column("start").to_numpy().astype("datetime64[D]")
    end = active.get_column("end").to_numpy().astype("datetime64[D]")
    months = (end - start).astype(np.int64) / 30.44
    rate = np.where(
        groups == "trial",
        cal.ASSUMED.extra_contacts_per_month["trial"],
        cal.ASSUMED.extra_contacts_per_month["control"],
    )
    counts = rng.poisson(np.maximum(months, 0) * rate)
    idx = np.repeat(np.arange(len(groups)), counts)
    span = (end - start).astype(np.int64)[idx]
    held = start[idx] + (rng.random(len(idx)) * (span + 1)).astype("timedelta64[D]")
    return pl.DataFrame(
        {
            "citizen": idx,
            "trial": groups[idx] == "trial",
            "due_date": np.full(len(idx), np.datetime64("NaT"), dtype="datetime64[D]"),
            "held_date": held,
        }
    ).with_columns(pl.lit("follow_up").alias("kind"), pl.lit("held").alias("status"))


def with_missed(held: pl.DataFrame, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Details (place, minutes, scheduling) and missed first attempts with their follow-ups."""
    trial = held.get_column("trial").to_numpy()
    n = held.height
    held = held.with_columns(
        _places(trial, rng),
        pl.Series("duration_minutes", _minutes(trial, rng), dtype=pl.Int64),
        pl.col("held_date").alias("scheduled_date"),
        pl.Series("missed", rng.random(n) < cal.ASSUMED.meeting_missed_share),
        pl.Series("missed_days", rng.integers(3, 11, n), dtype=pl.Int64),
        pl.Series(["no_show", "cancelled_by_citizen", "cancelled_by_job_centre"])
        .gather(rng.choice(3, n, p=[0.5, 0.35, 0.15]))
        .alias("missed_status"),
    ).with_row_index("n")
    missed = held.filter(pl.col("missed")).select(
        "n",
        "citizen",
        "trial",
        "due_date",
        "kind",
        pl.col("missed_status").alias("status"),
        (pl.col("held_date") - pl.duration(days=pl.col("missed_days"))).alias("scheduled_date"),
        pl.lit(None, pl.Date).alias("held_date"),
        pl.lit(None, pl.Int64).alias("duration_minutes"),
        "place",
    )
    return held, missed
