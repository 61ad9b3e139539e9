"""The leader's page for one of their departments: each professional's caseload against
the cap (the distribution plot and the table), who is over the cap or near it, caseworker
changes per citizen-year, and job meetings held on time week by week; and, loaded beside it,
the case flow of the last twelve months with sick days and staff turnover per year."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from caseload.access import audit, scope
from caseload.domain import codes
from caseload.evaluate.staff import staff_table
from caseload.i18n import Message
from caseload.operate import caseflow, figures, rhythm, status
from caseload.operate.caseflow_words import worded
from caseload.operate.refusals import NotFound
from caseload.serve import db
from caseload.serve.guard import Caller, page_guard, record_refusal
from caseload.serve.pages.common import context
from caseload.serve.pages.templating import page

router = APIRouter(tags=["pages"], include_in_schema=False)

NEAR = 0.9
"""A caseload at this share of the effective cap or more (and not over it) is near it."""
WEEKS = 12
FLOW_DAYS = 365
"""The case flow is shown for this many days up to the register day."""


@router.get("/departments/{department}", response_class=HTMLResponse)
def department_page(
    request: Request, department: str, caller: Caller = page_guard("department.read")
) -> HTMLResponse:
    """Caseloads against caps with the plot, over and near the cap, changes, timeliness."""
    with db.reading(request) as conn:
        known = scope.department(conn, caller.principal, department)
        if known is not None:
            report = status.status(conn, caller.day)
            first = caller.day - timedelta(weeks=WEEKS)
            weeks = rhythm.timeliness(conn, first, caller.day)
    if known is None:
        record_refusal(request, caller, "department.caseloads", 404)
        raise NotFound(Message("no such department among yours"))
    mine = [c for c in report.caseloads if c.department == department]
    over = [c for c in mine if c.over_cap]
    near = [
        c
        for c in mine
        if not c.over_cap
        and c.capacity
        and (c.citizens if c.load is None else c.load) >= NEAR * c.capacity
    ]
    kept = next((c for c in report.continuity if c.department == department), None)
    shown_weeks = [w for w in weeks.iter_rows(named=True) if w["group"] == department]
    with db.writing(request) as conn:
        audit.record(conn, caller.event("department.caseloads", None, 200, department=department))
    values = context(
        request,
        caller,
        department=department,
        caseloads=mine,
        over=over,
        near=near,
        continuity=kept,
        weeks=shown_weeks,
        plot=figures.department_spread(report, department, caller.lang),
        departments=_departments(caller),
        plan_roles=codes.ROLES,
        cap_now=next((c.cap for c in mine if c.cap is not None), None),
    )
    return page(request, "department.html.j2", values)


def _departments(caller: Caller) -> list[str]:
    return list(caller.principal.account.departments)


@router.get("/departments/{department}/flow", response_class=HTMLResponse)
def department_flow(
    request: Request, department: str, caller: Caller = page_guard("department.read")
) -> HTMLResponse:
    """The department's case flow over the last year, and sick days per FTE and external
    staff turnover per calendar year (this year so far and the one before)."""
    period = caseflow.Period(caller.day - timedelta(days=FLOW_DAYS - 1), caller.day)
    with db.reading(request) as conn:
        known = scope.department(conn, caller.principal, department)
        if known is not None:
            flow = caseflow.case_flow(conn, period)
            staff = staff_table(conn, date(caller.day.year - 1, 1, 1), caller.day)
    if known is None:
        record_refusal(request, caller, "department.caseflow", 404)
        raise NotFound(Message("no such department among yours"))
    tables = [
        worded(
            name,
            frame.filter(pl.col("department").cast(pl.Utf8) == department),
            caller.lang,
            ("department",),
        )
        for name, frame in flow.tables.items()
        if "department" in frame.columns
    ]
    with db.writing(request) as conn:
        audit.record(conn, caller.event("department.caseflow", None, 200, department=department))
    values = context(
        request,
        caller,
        department=department,
        period=period,
        tables=tables,
        staff=[row for row in staff if row.department == department],
    )
    return page(request, "department_flow.html.j2", values, block="flow")
