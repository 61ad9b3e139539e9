"""Sick days per FTE and external staff turnover per department and period (Tables 8–11).

Per period [a, b]:
- FTE in the period: Σ fte × (days employed in [a, b]) / (days in [a, b]);
- sick days per FTE: days of absence spells starting in [a, b] / FTE in the period,
  short- and long-term apart;
- external turnover: professionals leaving the job centre (exit kind ``external``) with
  an end date in [a, b], per 100 of the average headcount in the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
from sqlalchemy import Connection, select

from caseload.store import schema as s
from caseload.store.sql import rows_frame


@dataclass(frozen=True)
class StaffRow:
    department: str
    is_trial: bool
    period: tuple[date, date]
    fte: float
    headcount: float
    sick_short: float
    sick_long: float
    external_exits: int

    @property
    def sick_per_fte(self) -> float:
        return (self.sick_short + self.sick_long) / self.fte if self.fte else 0.0

    @property
    def short_per_fte(self) -> float:
        return self.sick_short / self.fte if self.fte else 0.0

    @property
    def long_per_fte(self) -> float:
        return self.sick_long / self.fte if self.fte else 0.0

    @property
    def turnover_pct(self) -> float:
        return 100 * self.external_exits / self.headcount if self.headcount else 0.0


def periods(start: date, end: date) -> list[tuple[date, date]]:
    """Calendar years of the trial period, the first and last cut to it."""
    return [
        (max(start, date(year, 1, 1)), min(end, date(year, 12, 31)))
        for year in range(start.year, end.year + 1)
    ]


def staff_table(
    conn: Connection, start: date, end: date, trial_id: int | None = None
) -> list[StaffRow]:
    """Every department's rows per period; with ``trial_id``, the departments of the job
    centres whose citizens the trial randomised (a national register holds many)."""
    p, d, a = s.professional, s.department, s.staff_absence
    query = select(
        p.c.id, d.c.code, d.c.is_trial, p.c.fte, p.c.start_date, p.c.end_date, p.c.exit_kind
    ).join(d, d.c.id == p.c.department_id)
    absent = select(a.c.professional_id, a.c.start_date, a.c.days, a.c.term)
    if trial_id is not None:
        ta, c = s.trial_assignment, s.citizen
        centres = (
            select(c.c.jobcentre_id)
            .join(ta, ta.c.citizen_id == c.c.id)
            .where(ta.c.trial_id == trial_id)
            .distinct()
        )
        query = query.where(d.c.jobcentre_id.in_(centres))
        absent = absent.where(
            a.c.professional_id.in_(
                select(p.c.id)
                .join(d, d.c.id == p.c.department_id)
                .where(d.c.jobcentre_id.in_(centres))
            )
        )
    people = rows_frame(
        conn,
        query,
        {
            "id": pl.Int64,
            "department": pl.Utf8,
            "is_trial": pl.Boolean,
            "fte": pl.Float64,
            "start_date": pl.Date,
            "end_date": pl.Date,
            "exit_kind": pl.Utf8,
        },
    )
    absence = rows_frame(
        conn, absent, {"id": pl.Int64, "start_date": pl.Date, "days": pl.Float64, "term": pl.Utf8}
    ).join(people.select("id", "department"), on="id")
    rows = []
    for first, last in periods(start, end):
        span = (last - first).days + 1
        share = (
            (
                pl.min_horizontal(pl.col("end_date").fill_null(last), pl.lit(last))
                - pl.max_horizontal(pl.col("start_date"), pl.lit(first))
            ).dt.total_days()
            + 1
        ).clip(0) / span
        per = (
            people.with_columns(share.alias("share"))
            .group_by("department", "is_trial")
            .agg(
                (pl.col("fte") * pl.col("share")).sum().alias("fte"),
                pl.col("share").sum().alias("headcount"),
                ((pl.col("exit_kind") == "external") & pl.col("end_date").is_between(first, last))
                .sum()
                .alias("exits"),
            )
        )
        sick = (
            absence.filter(pl.col("start_date").is_between(first, last))
            .group_by("department")
            .agg(
                pl.col("days").filter(pl.col("term") == "short").sum().alias("short"),
                pl.col("days").filter(pl.col("term") == "long").sum().alias("long"),
            )
        )
        for r in (
            per.join(sick, on="department", how="left").sort("department").iter_rows(named=True)
        ):
            rows.append(
                StaffRow(
                    r["department"],
                    r["is_trial"],
                    (first, last),
                    r["fte"],
                    r["headcount"],
                    r["short"] or 0.0,
                    r["long"] or 0.0,
                    int(r["exits"]),
                )
            )
    return rows
