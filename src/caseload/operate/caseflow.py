"""Case flow a leader steers by, per department over a period: supplier reports due,
received and acted on; medical information followed up within a week of the answer;
preparatory plans through the rehabilitation team; company placements; passive periods.

A citizen belongs to the department of the professional who took them on last, up to the
period's last day (so citizens who left during the period count where they were).
Counting is grouped in the database; passive periods merge effort intervals per citizen in
Polars (efforts: supplier courses and company placements).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Connection, Float, and_, case, cast, func, or_, select
from sqlalchemy.sql import ColumnElement, Select, Subquery

from caseload.domain import codes
from caseload.store import schema as s
from caseload.store.sql import day_number

FOLLOW_UP_DAYS = 7
"""The trial's standard: medical information is followed up within a week of the answer."""


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _department_of(last: date) -> Subquery:
    r, p, d = s.responsibility, s.professional, s.department
    latest = (
        select(r.c.citizen_id, func.max(r.c.start_date).label("start_date"))
        .where(r.c.start_date <= last)
        .group_by(r.c.citizen_id)
        .subquery("latest_start")
    )
    holder = (
        select(r.c.citizen_id, func.min(r.c.professional_id).label("professional_id"))
        .join(
            latest,
            and_(latest.c.citizen_id == r.c.citizen_id, latest.c.start_date == r.c.start_date),
        )
        .group_by(r.c.citizen_id)
        .subquery("latest_holder")
    )
    return (
        select(holder.c.citizen_id, d.c.code.label("department"))
        .join(p, p.c.id == holder.c.professional_id)
        .join(d, d.c.id == p.c.department_id)
        .subquery("citizen_department")
    )


def days_to_act(dialect: str) -> ColumnElement[int]:
    """Days from a progress report's receipt to the action taken on it (null until acted
    on): ``progress_report``'s columns, for ``dialect`` (``conn.dialect.name``)."""
    pr = s.progress_report
    return day_number(pr.c.acted_on_date, dialect) - day_number(pr.c.received_date, dialect)


def days_to_follow_up(dialect: str) -> ColumnElement[int]:
    """Days from the answer to a medical request to its follow-up (null until followed up):
    ``medical_request``'s columns; within ``FOLLOW_UP_DAYS`` is the trial's standard."""
    m = s.medical_request
    return day_number(m.c.followed_up_date, dialect) - day_number(m.c.answered_date, dialect)


def _frame(conn: Connection, query: Any) -> pl.DataFrame:
    result = conn.execute(query)
    return pl.DataFrame(
        [tuple(r) for r in result.all()],
        schema=list(result.keys()),
        orient="row",
        infer_schema_length=None,
    )


def reports(conn: Connection, period: Period) -> pl.DataFrame:
    """Progress reports due in the period per department: due, received, received by the
    due date, acted on, and the mean and longest days from receipt to action."""
    o, pr = s.supplier_order, s.progress_report
    dept = _department_of(period.last)
    wait = days_to_act(conn.dialect.name)
    return _frame(
        conn,
        (
            select(
                dept.c.department,
                func.count().label("due"),
                func.count(pr.c.received_date).label("received"),
                func.sum(case((pr.c.received_date <= pr.c.due_date, 1), else_=0)).label("on_time"),
                func.count(pr.c.acted_on_date).label("acted_on"),
                cast(func.avg(wait), Float).label("mean_days_to_act"),
                func.max(wait).label("max_days_to_act"),
                func.sum(
                    case(
                        (and_(pr.c.received_date.is_not(None), pr.c.acted_on_date.is_(None)), 1),
                        else_=0,
                    )
                ).label("waiting_for_action"),
            )
            .select_from(pr)
            .join(o, o.c.id == pr.c.order_id)
            .join(dept, dept.c.citizen_id == o.c.citizen_id)
            .where(pr.c.due_date >= period.first, pr.c.due_date <= period.last)
            .group_by(dept.c.department)
            .order_by(dept.c.department)
        ),
    )


def medical(conn: Connection, period: Period) -> pl.DataFrame:
    """Medical-information requests sent in the period per department: sent, reminded,
    answered, followed up, within a week of the answer, and the open ones past a week (as of
    the period's last day) — the flag a caseworker acts on."""
    m = s.medical_request
    dept = _department_of(period.last)
    dialect = conn.dialect.name
    wait = days_to_follow_up(dialect)
    waiting = day_number(period.last, dialect) - day_number(m.c.answered_date, dialect)
    late_open = and_(
        m.c.answered_date.is_not(None), m.c.followed_up_date.is_(None), waiting > FOLLOW_UP_DAYS
    )
    return _frame(
        conn,
        (
            select(
                dept.c.department,
                func.count().label("sent"),
                func.count(m.c.reminder_date).label("reminded"),
                func.count(m.c.answered_date).label("answered"),
                func.count(m.c.followed_up_date).label("followed_up"),
                func.sum(case((wait <= FOLLOW_UP_DAYS, 1), else_=0)).label("within_week"),
                cast(func.avg(wait), Float).label("mean_days_to_follow_up"),
                func.sum(case((or_(wait > FOLLOW_UP_DAYS, late_open), 1), else_=0)).label(
                    "flagged"
                ),
            )
            .select_from(m)
            .join(dept, dept.c.citizen_id == m.c.citizen_id)
            .where(m.c.sent_date >= period.first, m.c.sent_date <= period.last)
            .group_by(dept.c.department)
            .order_by(dept.c.department)
        ),
    )


def plans(conn: Connection, period: Period) -> pl.DataFrame:
    """Preparatory plans started in the period per department, how many reached the
    rehabilitation team, and each recommendation (the count Copenhagen could not make)."""
    pl_, rec = s.preparatory_plan, s.rehabilitation_recommendation
    dept = _department_of(period.last)
    latest = (
        select(rec.c.plan_id, func.max(rec.c.meeting_date).label("meeting_date"))
        .group_by(rec.c.plan_id)
        .subquery("latest")
    )
    outcome = (
        select(rec.c.plan_id, rec.c.recommendation)
        .join(
            latest,
            and_(latest.c.plan_id == rec.c.plan_id, latest.c.meeting_date == rec.c.meeting_date),
        )
        .subquery("outcome")
    )
    rows = _frame(
        conn,
        (
            select(
                dept.c.department,
                outcome.c.recommendation,
                func.count().label("plans"),
                func.count(pl_.c.completed_date).label("completed"),
            )
            .select_from(pl_)
            .join(dept, dept.c.citizen_id == pl_.c.citizen_id)
            .outerjoin(outcome, outcome.c.plan_id == pl_.c.id)
            .where(pl_.c.started_date >= period.first, pl_.c.started_date <= period.last)
            .group_by(dept.c.department, outcome.c.recommendation)
        ),
    )
    if rows.is_empty():
        return pl.DataFrame(
            schema={
                "department": pl.Utf8,
                "plans": pl.Int64,
                "completed": pl.Int64,
                "at_team": pl.Int64,
            }
        )
    wide = (
        rows.with_columns(pl.col("recommendation").fill_null("not_yet"))
        .pivot(on="recommendation", index="department", values="plans", aggregate_function="sum")
        .fill_null(0)
    )
    totals = rows.group_by("department").agg(
        pl.col("plans").sum(),
        pl.col("completed").sum(),
        pl.col("plans").filter(pl.col("recommendation").is_not_null()).sum().alias("at_team"),
    )
    # the recommendations' columns in code order, whatever order the engine gave the rows
    order = [r for r in (*codes.RECOMMENDATIONS, "not_yet") if r in wide.columns]
    return totals.join(wide.select("department", *order), on="department").sort("department")


def passive(conn: Connection, period: Period) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Days on a caseload in the period without an active effort (a supplier course or a
    company placement), per citizen, and per department: citizens, mean passive days, mean
    share of their days, and the mean gap between efforts."""
    on_caseload = _frame(conn, stays(period))
    efforts = pl.concat(
        [_frame(conn, query) for query in effort_spans(period)], how="vertical_relaxed"
    )
    dept = _frame(conn, select(_department_of(period.last)))
    codes = _frame(
        conn, select(s.citizen.c.id.label("citizen_id"), s.citizen.c.code.label("citizen"))
    )
    per_citizen = passive_days(on_caseload, efforts, period)
    per_citizen = per_citizen.join(dept, on="citizen_id", how="left").join(
        codes, on="citizen_id", how="left"
    )
    per_department = (
        per_citizen.group_by("department")
        .agg(
            pl.len().alias("citizens"),
            pl.col("passive_days").mean().alias("mean_passive_days"),
            (pl.col("passive_days") / pl.col("days")).mean().alias("mean_passive_share"),
            pl.col("mean_gap_days").mean().alias("mean_gap_between_efforts"),
        )
        .sort("department", nulls_last=True)
    )
    return per_citizen, per_department


def stays(period: Period, among: Any = None) -> Select[Any]:
    """(citizen_id, start, end): per citizen with a responsibility in the period, the first
    start and the last end (an open end is the period's last day) of those responsibilities:
    the stay on a caseload ``passive_days`` counts in. ``among`` (a query of citizen ids)
    limits the citizens."""
    r = s.responsibility
    query = select(
        r.c.citizen_id,
        func.min(r.c.start_date).label("start"),
        func.max(func.coalesce(r.c.end_date, period.last)).label("end"),
    ).where(
        r.c.start_date <= period.last,
        or_(r.c.end_date.is_(None), r.c.end_date >= period.first),
    )
    if among is not None:
        query = query.where(r.c.citizen_id.in_(among))
    return query.group_by(r.c.citizen_id)


def effort_spans(period: Period, among: Any = None) -> tuple[Select[Any], ...]:
    """(citizen_id, start, end) of each effort running in the period, a query per kind:
    supplier courses (orders) and company placements; an open end is the period's last day.
    ``among`` as for ``stays``."""
    queries = []
    for t in (s.supplier_order, s.company_placement):
        query = select(
            t.c.citizen_id,
            t.c.start_date.label("start"),
            func.coalesce(t.c.end_date, period.last).label("end"),
        ).where(
            t.c.start_date <= period.last,
            or_(t.c.end_date.is_(None), t.c.end_date >= period.first),
        )
        queries.append(query if among is None else query.where(t.c.citizen_id.in_(among)))
    return tuple(queries)


def passive_days(on_caseload: pl.DataFrame, efforts: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Per citizen: days on the caseload inside the period, days covered by at least one
    effort, passive days, and the mean gap between consecutive efforts (merged intervals)."""
    # an empty frame read from the database has null columns: the id is cast as well
    dates = {"citizen_id": pl.Int64, "start": pl.Date, "end": pl.Date}
    stay = (
        on_caseload.cast(dates)  # type: ignore[arg-type]
        .with_columns(
            pl.max_horizontal("start", pl.lit(period.first)).alias("start"),
            pl.min_horizontal("end", pl.lit(period.last)).alias("end"),
        )
        .filter(pl.col("end") >= pl.col("start"))
    )
    stay = stay.with_columns(((pl.col("end") - pl.col("start")).dt.total_days() + 1).alias("days"))
    clipped = (
        efforts.cast(dates)  # type: ignore[arg-type]
        .join(
            stay.select("citizen_id", pl.col("start").alias("s0"), pl.col("end").alias("e0")),
            on="citizen_id",
        )
        .with_columns(
            pl.max_horizontal("start", "s0").alias("start"),
            pl.min_horizontal("end", "e0").alias("end"),
        )
        .filter(pl.col("end") >= pl.col("start"))
        .sort("citizen_id", "start")
    )
    # merge overlapping or touching intervals per citizen (gaps-and-islands)
    merged = (
        clipped.with_columns(pl.col("end").cum_max().shift(1).over("citizen_id").alias("reach"))
        .with_columns(
            (pl.col("reach").is_null() | (pl.col("start") > pl.col("reach") + timedelta(days=1)))
            .cum_sum()
            .over("citizen_id")
            .alias("island")
        )
        .group_by("citizen_id", "island")
        .agg(pl.col("start").min(), pl.col("end").max())
        .sort("citizen_id", "start")
    )
    covered = merged.group_by("citizen_id").agg(
        ((pl.col("end") - pl.col("start")).dt.total_days() + 1).sum().alias("active_days"),
        ((pl.col("start").shift(-1) - pl.col("end")).dt.total_days() - 1)
        .drop_nulls()
        .mean()
        .alias("mean_gap_days"),
    )
    return (
        stay.join(covered, on="citizen_id", how="left")
        .with_columns(pl.col("active_days").fill_null(0))
        .with_columns((pl.col("days") - pl.col("active_days")).alias("passive_days"))
        .select("citizen_id", "days", "active_days", "passive_days", "mean_gap_days")
        .sort("citizen_id")
    )


def placements(conn: Connection, period: Period) -> pl.DataFrame:
    """Company placements running in the period per department and kind: how many, mean
    agreed weekly hours, and those past their reassessment date without ending."""
    cp = s.company_placement
    dept = _department_of(period.last)
    overdue = and_(
        cp.c.reassessment_date.is_not(None),
        cp.c.reassessment_date < period.last,
        or_(cp.c.end_date.is_(None), cp.c.end_date > period.last),
    )
    return _frame(
        conn,
        (
            select(
                dept.c.department,
                cp.c.kind,
                func.count().label("placements"),
                cast(func.avg(cp.c.weekly_hours), Float).label("mean_weekly_hours"),
                func.sum(case((overdue, 1), else_=0)).label("past_reassessment"),
            )
            .select_from(cp)
            .join(dept, dept.c.citizen_id == cp.c.citizen_id)
            .where(
                cp.c.start_date <= period.last,
                or_(cp.c.end_date.is_(None), cp.c.end_date >= period.first),
            )
            .group_by(dept.c.department, cp.c.kind)
            .order_by(dept.c.department, cp.c.kind)
        ),
    )


def paid_hours(conn: Connection, period: Period) -> pl.DataFrame:
    """Ordinary paid hours (småjob) in the period's months per department: citizens with any,
    the hours in all, and the mean hours of a month with hours."""
    h = s.paid_hours
    dept = _department_of(period.last)
    return _frame(
        conn,
        (
            select(
                dept.c.department,
                func.count(func.distinct(h.c.citizen_id)).label("citizens_with_hours"),
                cast(func.sum(h.c.hours), Float).label("hours"),
                cast(func.avg(h.c.hours), Float).label("mean_hours_per_month"),
            )
            .select_from(h)
            .join(dept, dept.c.citizen_id == h.c.citizen_id)
            .where(
                h.c.month >= period.first.replace(day=1), h.c.month <= period.last, h.c.hours > 0
            )
            .group_by(dept.c.department)
            .order_by(dept.c.department)
        ),
    )


@dataclass(frozen=True)
class CaseFlow:
    """Every case-flow table of a period, by name, and passive days per citizen."""

    period: Period
    tables: dict[str, pl.DataFrame]
    passive_per_citizen: pl.DataFrame

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        """Every table as rows; per citizen without the register's internal id."""
        payload = {name: frame.to_dicts() for name, frame in self.tables.items()}
        payload["passive_per_citizen"] = self.passive_per_citizen.drop("citizen_id").to_dicts()
        return payload


def case_flow(conn: Connection, period: Period) -> CaseFlow:
    """The leader's case-flow overview: reports, medical, plans, placements, paid hours and
    passive periods, per department."""
    tables = {
        "reports": reports(conn, period),
        "medical": medical(conn, period),
        "plans": plans(conn, period),
        "placements": placements(conn, period),
        "paid_hours": paid_hours(conn, period),
    }
    per_citizen, tables["passive"] = passive(conn, period)
    return CaseFlow(period, tables, per_citizen)
