"""Assemble import frames from the simulated parts: citizens, responsibilities (places cut
by owner changes), meetings, and the professional responsible on a row's date."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from caseload.synth import calibration as cal
from caseload.synth import meetings, outcomes, population, timeline
from caseload.synth.ids import sequence_codes


def citizens(
    traits: pl.DataFrame,
    cohort_arm: np.ndarray,
    slot_arm: np.ndarray,
    exits: list[date | None],
    entrants: list[timeline.Entrant],
    occ: timeline.Occupancies,
    rng: np.random.Generator,
) -> pl.DataFrame:
    n, m = traits.height, len(entrants)
    entry = [cal.START] * n + [e.entry for e in entrants]
    group = np.concatenate([slot_arm, slot_arm[[e.slot for e in entrants]]])
    later = population.traits(np.array(["other"] * m), rng)
    recent = np.array([np.datetime64(e.entry, "D") for e in entrants], dtype="datetime64[D]")
    kh_since = recent - rng.integers(0, 181, m).astype("timedelta64[D]")
    later = later.with_columns(
        pl.Series("kontanthjaelp_since", kh_since).cast(pl.Date),
    ).with_columns(
        pl.min_horizontal("public_benefit_since", "kontanthjaelp_since").alias(
            "public_benefit_since"
        )
    )
    everyone = pl.concat([traits, later])
    exit_of = dict(enumerate(exits))
    for index, end in zip(occ.citizen, occ.end, strict=True):
        if index >= n and end is not None:
            exit_of[index] = end
    exit_date = [exit_of.get(i) for i in range(n + m)]
    # pseudonymous ids that do not reveal arm or order of entry
    codes = rng.permutation(n + m) + 1
    frame = everyone.with_columns(
        sequence_codes("C", n + m, order=codes).alias("citizen_id"),
        pl.Series("index", np.arange(n + m)),
        pl.Series(
            "cohort",
            np.concatenate([cohort_arm, np.array(["later"] * m, dtype=object)]).astype(str),
        ),
        pl.Series("group", group.astype(str)),
        pl.Series("entry", entry, dtype=pl.Date),
        pl.Series("exit_date", exit_date, dtype=pl.Date),
        pl.lit("activity_ready_30_plus").alias("target_group"),
    )
    leaving = frame.get_column("exit_date").is_not_null().to_numpy()
    dest = np.full(n + m, None, dtype=object)
    dest[leaving] = outcomes.destinations(group[leaving], rng)
    return frame.with_columns(pl.Series("destination", dest.tolist(), dtype=pl.Utf8))


def responsibilities(
    occ: pl.DataFrame, segments: pl.DataFrame, slots: pl.DataFrame, people: pl.DataFrame
) -> pl.DataFrame:
    """Occupancies cut by owner changes: a row per citizen, caseworker and period."""
    far = date(2100, 1, 1)
    joined = (
        occ.join(segments, on="slot")
        .filter(
            (pl.col("from_date") <= pl.col("end").fill_null(far))
            & (pl.col("to_date").fill_null(far) >= pl.col("start"))
        )
        .join(slots.select("slot", "role"), on="slot")
    )
    start = pl.max_horizontal("start", "from_date")
    end = pl.min_horizontal(pl.col("end").fill_null(far), pl.col("to_date").fill_null(far))
    rows = joined.select(
        pl.col("citizen").alias("index"),
        pl.col("staff").alias("staff_id"),
        "role",
        start.alias("start_date"),
        pl.when(end == far).then(None).otherwise(end).alias("end_date"),
        pl.when(start == pl.col("start"))
        .then(pl.col("reason"))
        .otherwise(pl.col("reason_right"))
        .alias("reason"),
    )
    return (
        rows.join(people.select("index", "citizen_id"), on="index")
        .drop("index")
        .sort("citizen_id", "role", "start_date")
    )


def with_staff(frame: pl.DataFrame, resp: pl.DataFrame, on: str) -> pl.DataFrame:
    """The professional responsible for the citizen on the row's date (none if between)."""

    # one sortable integer per (citizen, day): an as-of join without groups is a plain merge
    def key(day: pl.Expr) -> pl.Expr:
        citizen = pl.col("citizen_id").str.slice(1).cast(pl.Int64)
        return citizen * 1_000_000 + day.cast(pl.Int32).cast(pl.Int64)

    # an open end counts as far in the future; a match from an earlier citizen always
    # ends before this citizen's first key, so one comparison checks both
    lookup = resp.select(
        key(pl.col("start_date")).alias("_key"),
        "staff_id",
        key(pl.col("end_date").fill_null(date(2100, 1, 1))).alias("_to"),
    ).sort("_key")
    # only a narrow frame of keys is sorted and joined: the wide one is never copied
    keys = (
        frame.select(key(pl.col(on).cast(pl.Date)).alias("_key"))
        .with_row_index("_order")
        .sort("_key")
    )
    staff = (
        keys.join_asof(lookup, on="_key", strategy="backward")
        .sort("_order")
        .select(pl.when(pl.col("_to") >= pl.col("_key")).then(pl.col("staff_id")))
        .to_series()
        .alias("staff_id")
    )
    return frame.with_columns(staff)


def meetings_table(
    active: pl.DataFrame, resp: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    held = pl.concat([meetings.job_meetings(active, rng), meetings.extra_contacts(active, rng)])
    held = held.with_columns(pl.col("due_date", "held_date").cast(pl.Date))
    done, missed = meetings.with_missed(held, rng)
    del held  # the biggest table: keep one copy alive at a time
    # codes follow the order rows are written in, so the unique index grows at its end
    codes = sequence_codes("M", done.height + missed.height)
    missed = missed.with_columns(codes[: missed.height].alias("meeting_id"))
    done = done.with_columns(codes[missed.height :].alias("meeting_id"))
    links = missed.select("n", pl.col("meeting_id").alias("follow_up_of"))
    done = done.join(links, on="n", how="left")
    columns = [
        "meeting_id",
        "citizen",
        "kind",
        "due_date",
        "scheduled_date",
        "held_date",
        "duration_minutes",
        "place",
        "status",
    ]
    frame = pl.concat(
        [
            missed.select(*columns, pl.lit(None, pl.Utf8).alias("follow_up_of")),
            done.select(*columns, "follow_up_of"),
        ]
    )
    del done, missed
    codes = active.get_column("citizen_id").gather(frame.get_column("citizen"))
    frame = frame.with_columns(codes.alias("citizen")).rename({"citizen": "citizen_id"})
    return with_staff(frame, resp, "scheduled_date")
