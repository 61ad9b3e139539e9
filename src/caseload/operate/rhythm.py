"""The meeting rhythm in the database: every citizen's next due date in one statement, what
is overdue per caseworker, and timeliness per week (seed 003 Table 7).

The rule is ``domain.rhythm``'s, stated there in words; here it is grouped aggregations
over the covering meeting index, so a million citizens take seconds, not a Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import (
    Connection,
    Date,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.sql import Select, Subquery
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from caseload.domain import codes
from caseload.domain.rhythm import DEFAULT_RULE, MeetingRule
from caseload.register.contacts import primary_contact
from caseload.store import schema as s
from caseload.store.sql import Day, add_days, add_months_by, for_analysis


def rule_select() -> Select[Any]:
    """Every citizen's id (``citizen_id``) and their meeting rule's four numbers: their
    target group's rule, the job centre's default row and the built-in default filling in.
    It selects from ``citizen``: add its columns and a condition to read one."""
    g, d, c = s.meeting_rule.alias("own"), s.meeting_rule.alias("fallback"), s.citizen
    cols = []
    for name in (
        "interval_months",
        "first_within_days",
        "follow_up_within_days",
        "outreach_after_missed",
    ):
        cols.append(
            func.coalesce(g.c[name], d.c[name], literal(getattr(DEFAULT_RULE, name))).label(name)
        )
    return (
        select(c.c.id.label("citizen_id"), *cols)
        .select_from(c)
        .outerjoin(g, g.c.target_group == c.c.target_group)
        .outerjoin(d, d.c.target_group.is_(None))
    )


def rule_of(row: Any) -> MeetingRule:
    """The rule from a row of ``rule_select``'s columns."""
    return MeetingRule(
        row.interval_months,
        row.first_within_days,
        row.follow_up_within_days,
        row.outreach_after_missed,
    )


def _rules(citizen: int | None = None) -> Subquery:
    """Per citizen (or the one ``citizen``): their target group's rule's four numbers, the
    job centre's default row and the built-in default filling in."""
    query = rule_select()
    if citizen is not None:
        query = query.where(s.citizen.c.id == citizen)
    return query.subquery("rule")


def rule_for(conn: Connection, citizen: int) -> MeetingRule:
    """One citizen's meeting rule (their target group's, else the default)."""
    return rule_of(conn.execute(select(_rules(citizen))).one())


def stay_on(day: Day) -> tuple[ColumnElement[Any], ColumnElement[bool]]:
    """Two aggregates over a citizen's responsibilities that started by ``day`` (the caller
    keeps ``start_date <= day`` and groups by citizen): their entry, the start of the latest
    intake (else of the first responsibility), and whether one still runs on ``day``: on a
    caseload that day."""
    r = s.responsibility
    entry = func.coalesce(
        func.max(case((r.c.reason == "intake", r.c.start_date))), func.min(r.c.start_date)
    )
    running = func.max(case((or_(r.c.end_date.is_(None), r.c.end_date >= day), 1), else_=0)) == 1
    return entry, running


def missed_day(meeting: Any = None) -> ColumnElement[Any]:
    """The day a missed meeting counts on: the day it was scheduled for, else its due date.
    ``meeting`` is the meeting table or an alias of it."""
    m = s.meeting if meeting is None else meeting
    return func.coalesce(m.c.scheduled_date, m.c.due_date)


def missed_by_citizen(status: Any, absence_accepted: Any) -> ColumnElement[bool]:
    """A missed meeting that counts towards outreach (rule 5): cancelled by the citizen or a
    no-show, and its absence not accepted; ``status`` and ``absence_accepted`` are a meeting
    row's columns."""
    return and_(absence_accepted == false(), status.in_(codes.CITIZEN_MISSED))


def due_dates(
    dialect: str,
    day: Day,
    caseworker: int | None = None,
    within: Select[Any] | BindParameter[Any] | None = None,
) -> Select[Any]:
    """(citizen_id, professional_id, entry, last_held, due, missed_by_citizen, outreach,
    planned) for every citizen on a caseload on ``day``; ``caseworker`` limits it to the
    citizens whose primary contact they are, ``within`` (a query of citizen ids, or an
    expanding parameter of them: someone's scope) to those. ``dialect`` is the database's
    (``conn.dialect.name``); ``day`` a date or a bound parameter, for a statement built once
    and run on many days."""
    r, m = s.responsibility, s.meeting
    entry, running = stay_on(day)
    stretch = (
        select(r.c.citizen_id, entry.label("entry"))
        .where(r.c.start_date <= day)
        .group_by(r.c.citizen_id)
        .having(running)
    )
    if caseworker is not None:
        # their primary contact is among the citizens they hold a responsibility for
        held_by = (
            select(r.c.citizen_id)
            .where(
                r.c.professional_id == caseworker,
                r.c.start_date <= day,
                or_(r.c.end_date.is_(None), r.c.end_date >= day),
            )
            .subquery("held_by")
        )
        theirs = primary_contact(day, among=held_by, name="their_contact")
        mine = select(theirs.c.citizen_id).where(theirs.c.professional_id == caseworker)
        stretch = stretch.where(r.c.citizen_id.in_(mine))
    if within is not None:
        stretch = stretch.where(r.c.citizen_id.in_(within))
    # common table expressions: each is computed once, though read by several parts below
    on = stretch.cte("on_caseload")
    # for the whole register the meeting aggregates read the meeting index once, not a
    # lookup per citizen; for one caseworker's or one scope's few citizens, lookups are cheaper
    few = caseworker is not None or within is not None
    contact = primary_contact(day, among=on if few else None)

    def meetings(*where: ColumnElement[bool]) -> Select[Any]:
        query = select(m.c.citizen_id).where(m.c.kind == "job_meeting", *where)
        # IN, not a join: SQLite then looks up each citizen's meetings in the index rather
        # than scanning the meeting table in citizen order to save a sort
        return query.where(m.c.citizen_id.in_(select(on.c.citizen_id))) if few else query

    # the last job meeting held up to the day (it counts from entry on: see last_held below)
    held = (
        meetings(m.c.status == "held", m.c.held_date <= day)
        .add_columns(func.max(m.c.held_date).label("held_max"))
        .group_by(m.c.citizen_id)
        .cte("held")
    )
    last_held = case((held.c.held_max >= on.c.entry, held.c.held_max))
    # missed job meetings (few) are picked out of the meeting table once, then joined
    when = missed_day(m)
    missed_rows = (
        meetings(m.c.status.in_(codes.MISSED_STATUSES), when <= day)
        .add_columns(when.label("day"), m.c.status, m.c.absence_accepted)
        .cte("missed_rows")
        .prefix_with("MATERIALIZED")
    )
    mr = missed_rows.c
    accepted = mr.absence_accepted == true()
    plain = mr.absence_accepted == false()
    missed = (
        select(
            mr.citizen_id,
            func.min(case((plain, mr.day))).label("first_missed"),
            func.max(case((accepted, mr.day))).label("last_accepted"),
            func.sum(case((missed_by_citizen(mr.status, mr.absence_accepted), 1), else_=0)).label(
                "by_citizen"
            ),
        )
        .join(on, on.c.citizen_id == mr.citizen_id)
        .outerjoin(held, held.c.citizen_id == mr.citizen_id)
        .where(mr.day >= on.c.entry, or_(held.c.held_max.is_(None), mr.day > held.c.held_max))
        .group_by(mr.citizen_id)
        .subquery("missed")
    )
    planned = (
        meetings(m.c.status == "planned", m.c.scheduled_date >= day)
        .add_columns(func.min(m.c.scheduled_date).label("planned"))
        .group_by(m.c.citizen_id)
        .subquery("planned")
    )
    rule = _rules()
    statutory = case(
        (last_held.is_not(None), add_months_by(last_held, rule.c.interval_months, dialect)),
        else_=add_days(on.c.entry, rule.c.first_within_days, dialect),
    )
    follow_up = add_days(missed.c.first_missed, rule.c.follow_up_within_days, dialect)
    after_absence = add_days(missed.c.last_accepted, rule.c.follow_up_within_days, dialect)
    sooner = case(
        (and_(missed.c.first_missed.is_not(None), follow_up < statutory), follow_up),
        else_=statutory,
    )
    due = case(
        (and_(missed.c.last_accepted.is_not(None), after_absence > sooner), after_absence),
        else_=sooner,
    )
    by_citizen = func.coalesce(missed.c.by_citizen, 0)
    return (
        select(
            on.c.citizen_id,
            contact.c.professional_id,
            on.c.entry,
            type_coerce(last_held, Date).label("last_held"),
            type_coerce(due, Date).label("due"),
            by_citizen.label("missed_by_citizen"),
            (by_citizen >= rule.c.outreach_after_missed).label("outreach"),
            planned.c.planned,
        )
        .join(rule, rule.c.citizen_id == on.c.citizen_id)
        .outerjoin(contact, contact.c.citizen_id == on.c.citizen_id)
        .outerjoin(held, held.c.citizen_id == on.c.citizen_id)
        .outerjoin(missed, missed.c.citizen_id == on.c.citizen_id)
        .outerjoin(planned, planned.c.citizen_id == on.c.citizen_id)
    )


def due_frame(conn: Connection, day: date, caseworker: int | None = None) -> pl.DataFrame:
    for_analysis(conn)
    rows = conn.execute(due_dates(conn.dialect.name, day, caseworker)).all()
    schema = {
        "citizen_id": pl.Int64,
        "professional_id": pl.Int64,
        "entry": pl.Date,
        "last_held": pl.Date,
        "due": pl.Date,
        "missed_by_citizen": pl.Int64,
        "outreach": pl.Boolean,
        "planned": pl.Date,
    }
    frame = pl.DataFrame(rows, schema=list(schema), orient="row")
    return frame.with_columns(
        pl.col(c).cast(pl.Utf8).str.to_date()
        if t == pl.Date and frame.schema[c] == pl.Utf8
        else pl.col(c).cast(t)
        for c, t in schema.items()
    )


@dataclass(frozen=True)
class Overdue:
    """One caseworker's citizens: overdue, due within the window, flagged for outreach."""

    staff: str
    name: str
    citizens: int
    overdue: int
    due_soon: int
    outreach: int


def overdue(
    conn: Connection, day: date, within: int = 14, caseworker: int | None = None
) -> tuple[list[Overdue], pl.DataFrame]:
    """Per caseworker: counts; and the citizens overdue or due within ``within`` days (with
    codes, due date and days overdue), most overdue first."""
    frame = due_frame(conn, day, caseworker)
    p, c = s.professional, s.citizen
    staff = pl.DataFrame(
        conn.execute(select(p.c.id, p.c.code, p.c.name)).all(),
        schema={"professional_id": pl.Int64, "staff": pl.Utf8, "name": pl.Utf8},
        orient="row",
    )
    horizon = day + timedelta(days=within)
    marked = frame.with_columns(
        (pl.col("due") < day).alias("is_overdue"),
        ((pl.col("due") >= day) & (pl.col("due") <= horizon)).alias("is_due_soon"),
        (pl.lit(day) - pl.col("due")).dt.total_days().alias("days_overdue"),
    ).join(staff, on="professional_id", how="left")
    summary = (
        marked.group_by("staff", "name")
        .agg(
            pl.len().alias("citizens"),
            pl.col("is_overdue").sum().alias("overdue"),
            pl.col("is_due_soon").sum().alias("due_soon"),
            pl.col("outreach").sum().alias("outreach"),
        )
        .sort("overdue", "staff", descending=[True, False])
    )
    listed = marked.filter(pl.col("is_overdue") | pl.col("is_due_soon") | pl.col("outreach"))
    ids = listed.get_column("citizen_id").to_list()
    codes_of = pl.DataFrame(
        conn.execute(select(c.c.id, c.c.code).where(c.c.id.in_(ids))).all() if ids else [],
        schema={"citizen_id": pl.Int64, "citizen": pl.Utf8},
        orient="row",
    )
    listed = listed.join(codes_of, on="citizen_id", how="left").sort(
        "staff", "due", "citizen", nulls_last=True
    )
    return [
        Overdue(
            r["staff"] or "",
            r["name"] or "",
            r["citizens"],
            r["overdue"],
            r["due_soon"],
            r["outreach"],
        )
        for r in summary.iter_rows(named=True)
    ], listed


def timeliness(
    conn: Connection, first: date, last: date, by: str = "department", trial: str | None = None
) -> pl.DataFrame:
    """Held job meetings due from ``first`` to ``last`` and how many were held by the due
    date, per week of the due date and group: the department of the professional who held
    the meeting, or (``by="arm"``) the arm of ``trial``. Counted in the database per due day;
    weeks are folded here."""
    m = s.meeting
    base = select(
        m.c.due_date,
        func.count().label("held"),
        func.sum(case((m.c.held_date <= m.c.due_date, 1), else_=0)).label("timely"),
    )
    base = base.where(
        m.c.kind == "job_meeting", m.c.status == "held", m.c.due_date >= first, m.c.due_date <= last
    )
    if by == "arm":
        a, tr = s.trial_assignment, s.trial
        query = (
            base.add_columns(a.c.arm.label("group"))
            .join(a, a.c.citizen_id == m.c.citizen_id)
            .join(tr, tr.c.id == a.c.trial_id)
            .where(tr.c.code == trial)
            .group_by(a.c.arm, m.c.due_date)
        )
    elif by == "department":
        p, d = s.professional, s.department
        # per department id first, then its code; coalesce() keeps SQLite from driving the
        # join through the meeting's professional index (a random read per meeting) and
        # lets it scan the meetings once instead
        per_department = (
            base.add_columns(p.c.department_id)
            .join(p, p.c.id == func.coalesce(m.c.professional_id, -1))
            .group_by(p.c.department_id, m.c.due_date)
            .subquery("per_department")
        )
        query = select(
            per_department.c.due_date,
            per_department.c.held,
            per_department.c.timely,
            d.c.code.label("group"),
        ).join(d, d.c.id == per_department.c.department_id)
    else:
        raise ValueError(f"timeliness by {by!r}: choose department or arm")
    for_analysis(conn)
    rows = conn.execute(query).all()
    daily = pl.DataFrame(
        [(r.group, r.due_date, int(r.held), int(r.timely)) for r in rows],
        schema={"group": pl.Utf8, "due": pl.Date, "held": pl.Int64, "timely": pl.Int64},
        orient="row",
    )
    if daily.dtypes[1] != pl.Date:
        daily = daily.with_columns(pl.col("due").cast(pl.Date))
    return (
        daily.with_columns(pl.col("due").dt.truncate("1w").alias("week"))
        .group_by("group", "week")
        .agg(pl.col("held").sum(), pl.col("timely").sum())
        .with_columns((pl.col("timely") / pl.col("held")).alias("share"))
        .sort("group", "week")
    )


def timeliness_over(weeks: pl.DataFrame) -> pl.DataFrame:
    """The weekly frame of ``timeliness`` summed over the period, per group (Table 7)."""
    return (
        weeks.group_by("group")
        .agg(pl.col("held").sum(), pl.col("timely").sum())
        .with_columns((pl.col("timely") / pl.col("held")).alias("share"))
        .sort("group")
    )


def weekly_series(weeks: pl.DataFrame) -> dict[str, tuple[list[date], list[float]]]:
    """Per group, the weeks and their on-time shares: the lines of the timeliness figure."""
    return {
        str(group): (part.get_column("week").to_list(), part.get_column("share").to_list())
        for (group,), part in weeks.partition_by("group", as_dict=True).items()
    }
