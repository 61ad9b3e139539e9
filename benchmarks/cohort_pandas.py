"""Baseline for benchmarks/evaluate.py: the per-citizen step of ``evaluate.cohort`` in pandas.

The straightforward way to build the cohort frame: read the columns needed from each raw
table with ``pandas.read_sql``, then filter, merge, group and do the date arithmetic in
pandas. It computes exactly what ``cohort.cohort()`` computes in the database engine (one
SQL statement) and returns the same columns with the same values, one row per randomised
citizen ordered by ``citizen_id``; tests/integration/test_cohort_baseline.py holds the two
to that on SQLite and PostgreSQL.

- the cohort: citizens assigned to the trial on or before its start date;
- ``exit_after``: days from the start to the end of the kontanthjælp spell(s) running on the
  start day (the latest end; an open spell ends at the outcome end), when that end is on or
  before the last observable exit (the last day whose status ``lag_months`` later falls in
  the outcome window), else missing;
- ``status``: the benefit ``lag_months`` calendar months after the exit (clamped to the
  month's end), by the priority of ``cohort.STATUS_PRIORITY``; ``unknown`` when no spell
  covers that day;
- counts in the trial period (placements started, meetings held, paid hours) and in the
  outcome window (plans started, rehabilitation-team recommendations), whether on
  kontanthjælp at the start and at the trial's end, long-term at the start (at least
  ``LONG_TERM_RECIPIENT_YEARS`` whole years since ``kontanthjaelp_since``), and the primary contact
  on the start day (coordinating caseworker, else company consultant, else mentor; then
  the lowest professional id) with their department.

No per-row Python: every step is a vectorised pandas operation.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from caseload.domain.codes import LONG_TERM_RECIPIENT_YEARS, ROLES
from caseload.evaluate.cohort import (
    RECOMMENDATIONS,
    STATUS_PRIORITY,
    TrialNotFound,
)

EPOCH = pd.Timestamp("1970-01-01")
KH = "kontanthjaelp"


def _read(conn: Connection, sql: str, dates: list[str] | None = None) -> pd.DataFrame:
    # ISO strings on SQLite, datetime.date on PostgreSQL: both parsed to datetime64
    return pd.read_sql(sql, conn, parse_dates={c: {"format": "ISO8601"} for c in dates or []})


def _covers(frame: pd.DataFrame, day: pd.Timestamp | pd.Series) -> pd.Series:
    """Rows whose period [start_date, end_date] (open end = still running) holds ``day``."""
    return (frame["start_date"] <= day) & (frame["end_date"].isna() | (frame["end_date"] >= day))


def _between(column: pd.Series, first: pd.Timestamp, last: pd.Timestamp) -> pd.Series:
    return (column >= first) & (column <= last)


def _days(column: pd.Series | pd.Timestamp) -> pd.Series:
    """Days since 1970-01-01."""
    return (column - EPOCH) // pd.Timedelta(days=1)


def _whole_years(since: pd.Series, day: pd.Timestamp) -> pd.Series:
    """Completed years from ``since`` to ``day`` (missing: 0); an anniversary counts on its
    day, one on 29 February on 28 February in years that have none."""
    month_day = since.dt.month * 100 + since.dt.day
    before = (day.month * 100 + day.day) < month_day
    if (day.month, day.day) == (2, 28):
        before = before.where(month_day != 229, day.is_leap_year)
    return (day.year - since.dt.year - before.astype(int)).fillna(0)


def find_trial(conn: Connection, code: str | None) -> pd.Series:
    """The trial row (id, code, start, end, outcome_end), as ``cohort.trial`` finds it."""
    trials = _read(
        conn,
        "SELECT id, code, start_date, end_date, outcome_end_date FROM trial",
        ["start_date", "end_date", "outcome_end_date"],
    )
    if code:
        trials = trials[trials["code"] == code]
    if len(trials) != 1:
        raise TrialNotFound(f"{len(trials)} trials match {code!r}")
    row = trials.iloc[0].copy()
    row["end"] = row["end_date"] if pd.notna(row["end_date"]) else row["outcome_end_date"]
    if pd.isna(row["end"]):
        raise TrialNotFound(f"trial {row['code']} has no end date")
    row["outcome_end"] = (
        row["outcome_end_date"] if pd.notna(row["outcome_end_date"]) else row["end"]
    )
    return row


def cohort(
    conn: Connection, code: str | None = None, lag_months: int = 2, outcome_end: date | None = None
) -> pd.DataFrame:
    """The cohort frame of ``cohort.cohort()``, built in pandas from the raw tables."""
    found = find_trial(conn, code)
    start, trial_end = found["start_date"], found["end"]
    window_end = pd.Timestamp(outcome_end) if outcome_end else found["outcome_end"]
    lag = pd.DateOffset(months=lag_months)  # calendar months, clamped to the month's end
    # the last exit day whose status, lag_months later, still falls in the window
    candidates = pd.date_range(window_end - lag, window_end)
    last_exit = candidates[candidates + lag <= window_end].max()
    days = (last_exit - start).days
    start_n = _days(start)

    assigned = _read(
        conn,
        "SELECT trial_id, citizen_id, arm, probability, block, cluster, "
        "assigned_date FROM trial_assignment",
        ["assigned_date"],
    )
    members = assigned.loc[
        (assigned["trial_id"] == found["id"]) & (assigned["assigned_date"] <= start),
        ["citizen_id", "arm", "probability", "block", "cluster"],
    ]
    if members.empty:
        raise TrialNotFound(f"trial {found['code']} has no citizens assigned by its start")
    ids = members["citizen_id"]

    def ours(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["citizen_id"].isin(ids)]

    def count(frame: pd.DataFrame, name: str) -> pd.Series:
        return ours(frame).groupby("citizen_id").size().rename(name)

    citizens = _read(
        conn,
        "SELECT c.id AS citizen_id, c.code, j.code AS jobcentre, birth_date, sex, origin, "
        "public_benefit_since, kontanthjaelp_since FROM citizen c "
        "JOIN jobcentre j ON j.id = c.jobcentre_id",
        ["birth_date", "public_benefit_since", "kontanthjaelp_since"],
    )
    spells = _read(
        conn,
        "SELECT citizen_id, benefit, start_date, end_date FROM benefit_spell",
        ["start_date", "end_date"],
    )
    kh_spells = ours(spells[spells["benefit"] == KH])

    # the kontanthjælp spell running on the start day, and its end if observed in time
    on_kh = kh_spells[_covers(kh_spells, start)]
    kh_end = on_kh["end_date"].fillna(window_end).groupby(on_kh["citizen_id"]).max()
    exit_date = kh_end[kh_end <= last_exit].rename("exit_date")

    # the status two months after the exit: the best-ranked spell covering that day
    status_day = (exit_date + lag).rename("status_day")
    at_status = spells.merge(status_day, left_on="citizen_id", right_index=True)
    at_status = at_status[_covers(at_status, at_status["status_day"])]
    rank = at_status["benefit"].map({name: i for i, name in enumerate(STATUS_PRIORITY)})
    status_rank = (
        rank.fillna(len(STATUS_PRIORITY))
        .groupby(at_status["citizen_id"])
        .min()
        .rename("status_rank")
    )

    placements = _read(conn, "SELECT citizen_id, start_date FROM company_placement", ["start_date"])
    placed = count(placements[_between(placements["start_date"], start, trial_end)], "placements")

    plans = _read(
        conn, "SELECT id, citizen_id, started_date FROM preparatory_plan", ["started_date"]
    )
    planned = count(plans[_between(plans["started_date"], start, window_end)], "plans")

    recs = _read(
        conn,
        "SELECT plan_id, meeting_date, recommendation FROM rehabilitation_recommendation",
        ["meeting_date"],
    )
    recs = ours(
        recs[_between(recs["meeting_date"], start, window_end)].merge(
            plans[["id", "citizen_id"]], left_on="plan_id", right_on="id"
        )
    )
    recommended = (
        pd.get_dummies(recs["recommendation"], dtype=np.int64)
        .groupby(recs["citizen_id"])
        .max()
        .reindex(columns=list(RECOMMENDATIONS), fill_value=0)
        .add_prefix("rec_")
    )

    meetings = _read(conn, "SELECT citizen_id, status, held_date FROM meeting", ["held_date"])
    met = count(
        meetings[
            (meetings["status"] == "held") & _between(meetings["held_date"], start, trial_end)
        ],
        "meetings_held",
    )
    del meetings

    paid = _read(conn, "SELECT citizen_id, month, hours FROM paid_hours", ["month"])
    hours = (
        ours(paid[_between(paid["month"], start, trial_end)])
        .groupby("citizen_id")["hours"]
        .sum()
        .rename("paid_hours")
    )

    at_end = kh_spells.loc[_covers(kh_spells, trial_end), "citizen_id"].unique()

    # the primary contact on the start day: the first role in ROLES order, then lowest id
    resp = _read(
        conn,
        "SELECT citizen_id, professional_id, role, start_date, end_date FROM responsibility",
        ["start_date", "end_date"],
    )
    resp = ours(resp[_covers(resp, start)]).assign(
        rank=lambda r: r["role"].map({role: i for i, role in enumerate(ROLES)}).fillna(len(ROLES))
    )
    primary = (
        resp.sort_values(["citizen_id", "rank", "professional_id"])
        .drop_duplicates("citizen_id")
        .set_index("citizen_id")["professional_id"]
    )
    staff = _read(conn, "SELECT id, code, department_id FROM professional")
    departments = _read(conn, "SELECT id, code FROM department")
    caseworker = (
        primary.rename("id")
        .reset_index()
        .merge(staff, on="id", how="left")
        .merge(
            departments.rename(columns={"id": "department_id", "code": "department"}),
            on="department_id",
            how="left",
        )
        .rename(columns={"code": "caseworker"})
        .set_index("citizen_id")[["caseworker", "department"]]
    )

    frame = members.merge(citizens, on="citizen_id").set_index("citizen_id").sort_index()
    frame = frame.join(
        [caseworker, exit_date, status_rank, placed, planned, recommended, met, hours]
    )
    age = ((start_n - _days(frame["birth_date"])) / 365.25).rename("age")
    benefit_years = (start_n - _days(frame["public_benefit_since"])).fillna(0) / 365.25
    exit_after = (_days(frame["exit_date"]) - start_n).astype("Int64")
    exited = exit_after.notna()
    counts = ["placements", "plans", *recommended.columns, "meetings_held"]
    out = pd.DataFrame(
        {
            "citizen_id": frame.index.to_numpy(),
            "code": frame["code"],
            "arm": frame["arm"],
            "probability": frame["probability"].astype(float),
            "block": frame["block"],
            "cluster": frame["cluster"],
            "caseworker": frame["caseworker"],
            "department": frame["department"],
            "jobcentre": frame["jobcentre"],
            "sex": frame["sex"],
            "origin": frame["origin"],
            "age": age.astype(float),
            "benefit_years": benefit_years.astype(float),
            "exit_after": exit_after,
            **{c: frame[c].fillna(0).astype(np.int64) for c in counts},
            "paid_hours": frame["paid_hours"].fillna(0.0).astype(float),
            "on_kh_at_end": frame.index.isin(at_end).astype(np.int64),
            "long_term_at_start": (
                _whole_years(frame["kontanthjaelp_since"], start) >= LONG_TERM_RECIPIENT_YEARS
            ).astype(np.int64),
        }
    )
    names = np.array([*STATUS_PRIORITY, "unknown"], dtype=object)
    ranks = frame["status_rank"].fillna(len(STATUS_PRIORITY)).astype(np.int64).to_numpy()
    out["status"] = np.where(exited.to_numpy(), names[ranks], None)
    out["exited"] = exited.astype(np.int8)
    out["time"] = exit_after.fillna(days).clip(0, days).astype(float)
    out["long_term_at_end"] = out["long_term_at_start"] * out["on_kh_at_end"]
    return out.reset_index(drop=True)
