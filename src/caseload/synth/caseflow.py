"""Case flow: supplier orders and reports, medical information, preparatory plans and the
rehabilitation team, company placements (Table 4) and ordinary paid hours."""

from __future__ import annotations

import numpy as np
import polars as pl

from caseload.synth import calibration as cal
from caseload.synth.ids import sequence_codes as _codes

REHAB = ("resource_course", "flex_job", "disability_pension")


def _days(values: np.ndarray) -> np.ndarray:
    return values.astype(np.int64).astype("timedelta64[D]")


def _within(
    active: pl.DataFrame, counts: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Repeat rows by ``counts`` and draw a day in each row's active period."""
    idx = np.repeat(np.arange(active.height), counts)
    start = active.get_column("start").to_numpy().astype("datetime64[D]")[idx]
    end = active.get_column("end").to_numpy().astype("datetime64[D]")[idx]
    span = (end - start).astype(np.int64)
    day = start + _days(rng.random(len(idx)) * (span + 1))
    return idx, day, start, end


def _rate(active: pl.DataFrame, rates: dict[str, float]) -> np.ndarray:
    groups = active.get_column("group").to_numpy()
    out: np.ndarray = np.where(groups == "trial", rates["trial"], rates["control"])
    return out


def _years(active: pl.DataFrame) -> np.ndarray:
    start = active.get_column("start").to_numpy().astype("datetime64[D]")
    end = active.get_column("end").to_numpy().astype("datetime64[D]")
    years: np.ndarray = np.maximum((end - start).astype(np.int64), 0) / 365.25
    return years


def orders(active: pl.DataFrame, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    counts = rng.poisson(_years(active) * _rate(active, cal.ASSUMED.orders_per_citizen_year))
    idx, begin, _, end = _within(active, counts, rng)
    stop = np.minimum(begin + _days(rng.integers(60, 121, len(idx))), end)
    ids = active.get_column("citizen_id").to_numpy()[idx]
    order = pl.DataFrame(
        {
            "order_id": _codes("O", len(idx)),
            "citizen_id": ids,
            "supplier": rng.choice(np.array([f"Supplier {k}" for k in range(1, 13)]), len(idx)),
            "purpose": rng.choice(
                np.array(
                    [
                        "clarify work capacity",
                        "job search support",
                        "health and coping course",
                        "Danish and job skills",
                    ]
                ),
                len(idx),
            ),
            "report_every_days": np.full(len(idx), 30),
            "start_date": begin,
            "end_date": stop,
        }
    )
    trial = active.get_column("group").to_numpy()[idx] == "trial"
    reports_n = ((stop - begin).astype(np.int64) // 30).clip(0)
    r_idx = np.repeat(np.arange(len(idx)), reports_n)
    k = np.arange(len(r_idx)) - np.repeat(np.cumsum(reports_n) - reports_n, reports_n) + 1
    due = begin[r_idx] + _days(k * 30)
    received_ok = rng.random(len(r_idx)) < 0.9
    received = due + _days(rng.integers(-3, 11, len(r_idx)))
    acted_ok = received_ok & (rng.random(len(r_idx)) < 0.85)
    lag = np.where(trial[r_idx], rng.integers(0, 8, len(r_idx)), rng.integers(0, 22, len(r_idx)))
    reports = pl.DataFrame(
        {
            "order_id": order.get_column("order_id").to_numpy()[r_idx],
            "due_date": due,
            "received_date": np.where(received_ok, received, np.datetime64("NaT")),
            "acted_on_date": np.where(acted_ok, received + _days(lag), np.datetime64("NaT")),
        }
    )
    return order, reports


def medical_requests(active: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    counts = rng.poisson(
        _years(active) * _rate(active, cal.ASSUMED.medical_requests_per_citizen_year)
    )
    idx, sent, _, _ = _within(active, counts, rng)
    n = len(idx)
    trial = active.get_column("group").to_numpy()[idx] == "trial"
    wait = rng.integers(7, 46, n)
    answered = rng.random(n) < 0.9
    follow = np.where(trial, rng.integers(0, 9, n), rng.integers(0, 26, n))
    return pl.DataFrame(
        {
            "request_id": _codes("L", n),
            "citizen_id": active.get_column("citizen_id").to_numpy()[idx],
            "kind": rng.choice(
                np.array(["le145", "status_certificate", "specialist_statement"]),
                n,
                p=[0.6, 0.3, 0.1],
            ),
            "questions": rng.integers(1, 7, n),
            "sent_date": sent,
            "reminder_date": np.where(
                answered & (wait > 21), sent + _days(np.full(n, 21)), np.datetime64("NaT")
            ),
            "answered_date": np.where(answered, sent + _days(wait), np.datetime64("NaT")),
            "followed_up_date": np.where(
                answered, sent + _days(wait + follow), np.datetime64("NaT")
            ),
        }
    )


def plans(
    leavers: pl.DataFrame, active: pl.DataFrame, rng: np.random.Generator
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A preparatory plan and a recommendation before every exit to a rehabilitation-team
    benefit; plus plans the team postponed or rejected for citizens who stayed."""
    rehab = leavers.filter(pl.col("destination").is_in(REHAB))
    exit_day = rehab.get_column("exit_date").to_numpy().astype("datetime64[D]")
    entry = rehab.get_column("start").to_numpy().astype("datetime64[D]")
    n = rehab.height
    meeting = np.maximum(exit_day - _days(rng.integers(14, 43, n)), entry + _days(np.full(n, 2)))
    started = np.maximum(meeting - _days(rng.integers(45, 151, n)), entry)
    completed = np.minimum(started + _days(rng.integers(20, 61, n)), meeting)
    stay_counts = (
        rng.random(active.height) < _rate(active, cal.ASSUMED.plans_without_recommended_exit)
    ).astype(int)
    idx, s_started, _, s_end = _within(active, stay_counts, rng)
    s_completed = np.minimum(s_started + _days(rng.integers(20, 61, len(idx))), s_end)
    s_meeting = np.minimum(s_completed + _days(rng.integers(7, 31, len(idx))), s_end)
    total = n + len(idx)
    plan_ids = _codes("P", total)
    plan = pl.DataFrame(
        {
            "plan_id": plan_ids,
            "citizen_id": np.concatenate(
                [
                    rehab.get_column("citizen_id").to_numpy(),
                    active.get_column("citizen_id").to_numpy()[idx],
                ]
            ),
            "started_date": np.concatenate([started, s_started]),
            "completed_date": np.concatenate([completed, s_completed]),
        }
    )
    recommendation = pl.DataFrame(
        {
            "plan_id": plan_ids,
            "meeting_date": np.concatenate([meeting, s_meeting]),
            "recommendation": np.concatenate(
                [
                    rehab.get_column("destination").to_numpy().astype(object),
                    rng.choice(np.array(["postponed", "rejected"], dtype=object), len(idx)),
                ]
            ),
        }
    )
    return plan, recommendation


def placements(
    active: pl.DataFrame, placed_share: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    """Company placements during 2018-2019 for each arm's published share of citizens."""
    trial_end = np.datetime64(cal.TRIAL_END, "D")
    window = active.with_columns(pl.col("end").clip(upper_bound=cal.TRIAL_END))
    open_days = (
        window.get_column("end").to_numpy().astype("datetime64[D]")
        - window.get_column("start").to_numpy().astype("datetime64[D]")
    ).astype(np.int64)
    placed = (rng.random(active.height) < placed_share) & (open_days > 14)
    counts = placed * (1 + rng.poisson(0.3, active.height))
    idx, begin, _, end = _within(window, counts, rng)
    n = len(idx)
    stop = np.minimum(begin + _days(rng.integers(28, 92, n)), np.maximum(end, begin))
    stop = np.minimum(stop, trial_end)
    return pl.DataFrame(
        {
            "placement_id": _codes("V", n),
            "citizen_id": active.get_column("citizen_id").to_numpy()[idx],
            "kind": rng.choice(np.array(["work_placement", "wage_subsidy"]), n, p=[0.75, 0.25]),
            "company": rng.choice(np.array([f"Company {k}" for k in range(1, 301)]), n),
            "start_date": begin,
            "end_date": stop,
            "weekly_hours": rng.integers(5, 31, n).astype(float),
            "reassessment_date": begin + _days(np.full(n, 28)),
            "follow_up_every_weeks": np.full(n, 4),
        }
    )


def paid_hours(leavers: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Monthly paid hours for citizens who left for a small job beside benefit."""
    small = leavers.filter(pl.col("destination") == "small_job")
    months = rng.integers(2, 7, small.height)
    idx = np.repeat(np.arange(small.height), months)
    k = np.arange(len(idx)) - np.repeat(np.cumsum(months) - months, months)
    first = small.get_column("exit_date").to_numpy().astype("datetime64[M]")[idx]
    return pl.DataFrame(
        {
            "citizen_id": small.get_column("citizen_id").to_numpy()[idx],
            "month": (first + k.astype("timedelta64[M]")).astype("datetime64[D]"),
            "hours": rng.integers(8, 60, len(idx)).astype(float),
        }
    )
