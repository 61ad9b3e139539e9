"""The frozen cohort: one row per randomised citizen, built in the database engine.

The cohort is every citizen assigned on or before the trial's start date (intention to
treat: the arm they were randomised to, wherever they went afterwards). Citizens assigned
later are *later entrants*, counted separately and never in the effect estimates.

Per citizen, one SQL statement computes the baseline traits on the start day and the
outcomes in the window:

- ``exit_day``: the day the kontanthjælp spell running on the start day ended, if it ended
  by the *last observable exit* (window end minus the lag), else null (censored);
- ``status``: the benefit two months (``lag_months``) after that exit (the outcome of seed
  003), with a fixed priority when spells overlap: job, small job, education, flex job,
  resource course, disability pension, other, kontanthjælp;
- company placements started in the trial period, preparatory plans and rehabilitation-team
  recommendations in the window, meetings held, paid hours, and whether the citizen is a
  long-term recipient (≥ 3 years) on kontanthjælp at the trial's end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple

import polars as pl
from sqlalchemy import (
    Connection,
    Float,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql import ColumnElement, Select, Subquery

from caseload.domain import codes, dates
from caseload.domain.dates import years_before
from caseload.i18n import Message, Said
from caseload.register.contacts import with_primary_contact
from caseload.store import schema as s
from caseload.store.sql import add_months, day_number, for_analysis, rows_frame

STATUS_PRIORITY = (
    "job",
    "small_job",
    "education",
    "flex_job",
    "resource_course",
    "disability_pension",
    "other",
    "kontanthjaelp",
)
RECOMMENDATIONS = codes.RECOMMENDATIONS
EPOCH = date(1970, 1, 1)


class TrialNotFound(Said, LookupError):
    """No trial to evaluate, or one that cannot be (no end date, no citizens)."""


class WindowError(Said, ValueError):
    """An outcome window that cannot be read (the options say when)."""


@dataclass(frozen=True)
class Trial:
    id: int
    code: str
    name: str
    unit: str
    start: date
    end: date
    outcome_end: date
    scheme: str | None
    seed: str | None


@dataclass(frozen=True)
class Window:
    """When outcomes are read: exits up to ``last_exit`` have a status ``lag_months`` later."""

    start: date
    trial_end: date
    outcome_end: date
    lag_months: int

    @property
    def last_exit(self) -> date:
        """The last exit day whose status (``lag_months`` later) falls in the window."""
        day = dates.add_months(self.outcome_end, -self.lag_months)
        while dates.add_months(day + timedelta(days=1), self.lag_months) <= self.outcome_end:
            day += timedelta(days=1)
        return day

    @property
    def days(self) -> int:
        return (self.last_exit - self.start).days


def day_of(number: int) -> date:
    return date.fromordinal(EPOCH.toordinal() + number)


def number_of(day: date) -> int:
    return (day - EPOCH).days


def trial(conn: Connection, code: str | None) -> Trial:
    """The named trial, or the only one when ``code`` is None."""
    t = s.trial
    rows = conn.execute(
        select(t).where(t.c.code == code) if code else select(t).order_by(t.c.code)
    ).all()
    if not rows:
        raise TrialNotFound(
            Message("no trial {code!r} in the register", {"code": code})
            if code
            else Message("the register holds no trial: run `caseload randomise` first")
        )
    if len(rows) > 1:
        raise TrialNotFound(
            Message(
                "the register holds several trials; name one with --trial: {codes}",
                {"codes": ", ".join(r.code for r in rows)},
            )
        )
    row = rows[0]
    end = row.end_date or row.outcome_end_date
    if end is None:
        raise TrialNotFound(
            Message("trial {code} has no end date: record one to evaluate it", {"code": row.code})
        )
    return Trial(
        row.id,
        row.code,
        row.name,
        row.unit,
        row.start_date,
        end,
        row.outcome_end_date or end,
        row.scheme,
        row.seed,
    )


def window(found: Trial, lag_months: int = 2, outcome_end: date | None = None) -> Window:
    if lag_months < 1:
        raise WindowError(
            Message(
                "the status is read at least one month after leaving kontanthjælp "
                "(--lag-months ≥ 1), not {lag}",
                {"lag": lag_months},
            )
        )
    end = outcome_end or found.outcome_end
    if end <= found.start:
        raise WindowError(
            Message(
                "the outcome window must end after the trial's start {start}",
                {"start": found.start.isoformat()},
            )
        )
    return Window(found.start, found.end, end, lag_months)


def _covers(table: Table, day: date) -> ColumnElement[bool]:
    return and_(table.c.start_date <= day, or_(table.c.end_date.is_(None), table.c.end_date >= day))


def _per_citizen(
    table: Table,
    members: Subquery,
    label: str,
    value: ColumnElement[Any],
    *where: ColumnElement[bool],
) -> Subquery:
    """One aggregate of ``table`` per cohort citizen, as a subquery named ``label``."""
    return (
        select(table.c.citizen_id, value.label(label))
        .join(members, members.c.citizen_id == table.c.citizen_id)
        .where(*where)
        .group_by(table.c.citizen_id)
        .subquery(label)
    )


def _exit_status(members: Subquery, win: Window, dialect: str) -> Subquery:
    """Per member, in one pass over the start-day kontanthjælp spell: the exit, if
    observable (``exit_date``), and the best-ranked benefit ``lag_months`` after it."""
    sp = s.benefit_spell
    kh = (
        # an open spell ends after the window, so it never counts as an exit
        select(
            sp.c.citizen_id,
            func.max(func.coalesce(sp.c.end_date, win.outcome_end + timedelta(days=1))).label(
                "kh_end"
            ),
        )
        .join(members, members.c.citizen_id == sp.c.citizen_id)
        .where(sp.c.benefit == "kontanthjaelp", _covers(sp, win.start))
        .group_by(sp.c.citizen_id)
        .subquery("kh")
    )
    observed = kh.c.kh_end <= win.last_exit
    status_day = add_months(kh.c.kh_end, win.lag_months, dialect)
    rank = case(
        *((sp.c.benefit == name, i) for i, name in enumerate(STATUS_PRIORITY)),
        else_=len(STATUS_PRIORITY),
    )
    return (
        select(
            kh.c.citizen_id,
            case((observed, kh.c.kh_end)).label("exit_date"),
            func.min(rank).label("status_rank"),
        )
        .select_from(kh)
        .outerjoin(
            sp,
            and_(
                observed,
                sp.c.citizen_id == kh.c.citizen_id,
                sp.c.start_date <= status_day,
                or_(sp.c.end_date.is_(None), sp.c.end_date >= status_day),
            ),
        )
        .group_by(kh.c.citizen_id, kh.c.kh_end)
        .subquery("status")
    )


class _InWindow(NamedTuple):
    """Per-member aggregates of the trial period or the outcome window."""

    placed: Subquery
    plans: Subquery
    recommended: Subquery
    met: Subquery
    hours: Subquery
    at_end: Subquery


def _recommended(members: Subquery, win: Window) -> Subquery:
    """Per member, 1/0 for each rehabilitation-team recommendation in the window."""
    pp, rt = s.preparatory_plan, s.rehabilitation_recommendation
    return (
        select(
            pp.c.citizen_id,
            *(
                func.max(case((rt.c.recommendation == r, 1), else_=0)).label(f"rec_{r}")
                for r in RECOMMENDATIONS
            ),
        )
        .join(rt, rt.c.plan_id == pp.c.id)
        .join(members, members.c.citizen_id == pp.c.citizen_id)
        .where(rt.c.meeting_date >= win.start, rt.c.meeting_date <= win.outcome_end)
        .group_by(pp.c.citizen_id)
        .subquery("recommended")
    )


def _in_window(members: Subquery, win: Window) -> _InWindow:
    """Placements, plans, recommendations, meetings held, paid hours, and kontanthjælp at
    the trial's end, one subquery each (the cohort statement outer-joins them)."""
    sp = s.benefit_spell
    cp, pp = s.company_placement, s.preparatory_plan
    placed = _per_citizen(
        cp,
        members,
        "placements",
        func.count(),
        cp.c.start_date >= win.start,
        cp.c.start_date <= win.trial_end,
    )
    plans = _per_citizen(
        pp,
        members,
        "plans",
        func.count(),
        pp.c.started_date >= win.start,
        pp.c.started_date <= win.outcome_end,
    )
    recommended = _recommended(members, win)
    m, ph = s.meeting, s.paid_hours
    met = _per_citizen(
        m,
        members,
        "meetings_held",
        func.count(),
        m.c.status == "held",
        m.c.held_date >= win.start,
        m.c.held_date <= win.trial_end,
    )
    hours = _per_citizen(
        ph,
        members,
        "paid_hours",
        func.sum(ph.c.hours),
        ph.c.month >= win.start,
        ph.c.month <= win.trial_end,
    )
    at_end = (
        select(sp.c.citizen_id, literal(1).label("on_kh_at_end"))
        .join(members, members.c.citizen_id == sp.c.citizen_id)
        .where(sp.c.benefit == "kontanthjaelp", _covers(sp, win.trial_end))
        .group_by(sp.c.citizen_id)
        .subquery("at_end")
    )
    return _InWindow(placed, plans, recommended, met, hours, at_end)


def cohort_query(found: Trial, win: Window, dialect: str) -> Select[tuple[object, ...]]:
    """The per-citizen statement (see the module docstring)."""
    a, c = s.trial_assignment, s.citizen
    start_n = number_of(win.start)
    members = (
        select(a.c.citizen_id, a.c.arm, a.c.probability, a.c.block, a.c.cluster)
        .where(a.c.trial_id == found.id, a.c.assigned_date <= found.start)
        .subquery("members")
    )
    status = _exit_status(members, win, dialect)
    got = _in_window(members, win)
    p, d = s.professional, s.department
    long_term_since = years_before(win.start, codes.LONG_TERM_RECIPIENT_YEARS)
    query = (
        select(
            c.c.id.label("citizen_id"),
            c.c.code,
            members.c.arm,
            members.c.probability,
            members.c.block,
            members.c.cluster,
            p.c.code.label("caseworker"),
            d.c.code.label("department"),
            s.jobcentre.c.code.label("jobcentre"),
            c.c.sex,
            c.c.origin,
            cast((start_n - day_number(c.c.birth_date, dialect)) / 365.25, Float).label("age"),
            cast(
                func.coalesce(start_n - day_number(c.c.public_benefit_since, dialect), 0) / 365.25,
                Float,
            ).label("benefit_years"),
            (day_number(status.c.exit_date, dialect) - start_n).label("exit_after"),
            status.c.status_rank,
            func.coalesce(got.placed.c["placements"], 0).label("placements"),
            func.coalesce(got.plans.c["plans"], 0).label("plans"),
            *(
                func.coalesce(got.recommended.c[f"rec_{rec}"], 0).label(f"rec_{rec}")
                for rec in RECOMMENDATIONS
            ),
            func.coalesce(got.met.c["meetings_held"], 0).label("meetings_held"),
            cast(func.coalesce(got.hours.c["paid_hours"], 0), Float).label("paid_hours"),
            func.coalesce(got.at_end.c.on_kh_at_end, 0).label("on_kh_at_end"),
            case((c.c.kontanthjaelp_since <= long_term_since, 1), else_=0).label(
                "long_term_at_start"
            ),
        )
        .select_from(members)
        .join(c, c.c.id == members.c.citizen_id)
        .join(s.jobcentre, s.jobcentre.c.id == c.c.jobcentre_id)
        .outerjoin(status, status.c.citizen_id == members.c.citizen_id)
        .outerjoin(got.placed, got.placed.c.citizen_id == members.c.citizen_id)
        .outerjoin(got.plans, got.plans.c.citizen_id == members.c.citizen_id)
        .outerjoin(got.recommended, got.recommended.c.citizen_id == members.c.citizen_id)
        .outerjoin(got.met, got.met.c.citizen_id == members.c.citizen_id)
        .outerjoin(got.hours, got.hours.c.citizen_id == members.c.citizen_id)
        .outerjoin(got.at_end, got.at_end.c.citizen_id == members.c.citizen_id)
    )
    return with_primary_contact(query, members.c.citizen_id, win.start, members).order_by(c.c.id)


def cohort(conn: Connection, found: Trial, win: Window) -> pl.DataFrame:
    """The cohort frame, with ``status`` decoded and ``time``/``exited`` for survival."""
    query = cohort_query(found, win, conn.dialect.name)
    # JIT compiling this wide plan costs more than it saves (6 of 18 s at 1M citizens)
    for_analysis(conn)
    frame = rows_frame(conn, query)
    if frame.is_empty():
        raise TrialNotFound(
            Message(
                "trial {code} has no citizens assigned by its start {start}",
                {"code": found.code, "start": found.start.isoformat()},
            )
        )
    names = dict(enumerate([*STATUS_PRIORITY, "unknown"]))
    return (
        frame.with_columns(
            pl.when(pl.col("exit_after").is_null())
            .then(None)
            .otherwise(
                pl.col("status_rank")
                .fill_null(len(STATUS_PRIORITY))
                .cast(pl.Int64)
                .replace_strict(names, return_dtype=pl.Utf8)
            )
            .alias("status"),
            pl.col("exit_after").is_not_null().cast(pl.Int8).alias("exited"),
            pl.col("exit_after")
            .fill_null(win.days)
            .clip(0, win.days)
            .cast(pl.Float64)
            .alias("time"),
        )
        .drop("status_rank")
        .with_columns(
            (pl.col("long_term_at_start") * pl.col("on_kh_at_end")).alias("long_term_at_end")
        )
    )


def later_entrants(conn: Connection, found: Trial) -> dict[str, int]:
    """Citizens assigned after the start day, per arm (reported, never estimated on)."""
    a = s.trial_assignment
    rows = conn.execute(
        select(a.c.arm, func.count())
        .where(a.c.trial_id == found.id, a.c.assigned_date > found.start)
        .group_by(a.c.arm)
    ).all()
    return {arm: int(n) for arm, n in rows}


def timely_meetings(conn: Connection, found: Trial, win: Window) -> pl.DataFrame:
    """Held job meetings due in the trial period, per arm and week of the due date, and how
    many were held by the due date (Table 7: the share is of held meetings).

    The database counts per arm and due day (read from the meeting index alone); the days
    are folded into weeks (Monday) afterwards, a few hundred rows.
    """
    a, m = s.trial_assignment, s.meeting
    query = (
        select(
            a.c.arm,
            m.c.due_date,
            func.count().label("held"),
            func.sum(case((m.c.held_date <= m.c.due_date, 1), else_=0)).label("timely"),
        )
        .join(m, m.c.citizen_id == a.c.citizen_id)
        .where(
            a.c.trial_id == found.id,
            a.c.assigned_date <= found.start,
            m.c.kind == "job_meeting",
            m.c.status == "held",
            m.c.held_date.is_not(None),
            m.c.due_date >= win.start,
            m.c.due_date <= win.trial_end,
        )
        .group_by(a.c.arm, m.c.due_date)
    )
    daily = rows_frame(
        conn, query, {"arm": pl.Utf8, "due": pl.Date, "held": pl.Int64, "timely": pl.Int64}
    )
    return (
        daily.with_columns(pl.col("due").dt.truncate("1w").alias("week"))
        .group_by("arm", "week")
        .agg(pl.col("held").sum(), pl.col("timely").sum())
        .sort("arm", "week")
    )
