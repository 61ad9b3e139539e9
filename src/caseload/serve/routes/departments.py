"""A department's views for its leader (their own departments) and for analysts (any,
aggregates only): caseloads against caps, overdue meetings per caseworker, timeliness and
case flow; and a caseworker's sparring sheet, ready to print. Every read is audited."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from caseload.access import audit, scope
from caseload.access.rules import LEADER
from caseload.i18n import Message
from caseload.operate import caseflow, rhythm, status
from caseload.operate.refusals import NotFound, Refused
from caseload.serve import db
from caseload.serve.guard import Caller, guard, record_list, record_refusal
from caseload.serve.problems import documented
from caseload.serve.sheets import sparring_html

router = APIRouter(prefix="/api/v1", tags=["departments"])

CODE = r"^[A-Za-z0-9._-]+$"
Department = Path(
    min_length=1, max_length=64, pattern=CODE, description="The department's code in the register"
)
Staff = Path(min_length=1, max_length=64, pattern=CODE, description="The professional's staff code")
Day = Query(None, description="The day (default: the server's register day)")
From = Query(alias="from", description="The first day of the period")
To = Query(alias="to", description="The last day of the period")
READ_ERRORS = documented(401, 403, 404, 422)
PERIOD_ERRORS = documented(401, 403, 404, 409, 422)


class CaseloadOut(BaseModel):
    staff: str
    name: str
    role: str
    fte: float
    citizens: int = Field(description="Raw count of citizens held")
    load: float | None = Field(description="Weighted load under the department's rule")
    cap: int | None
    capacity: float | None = Field(description="The effective cap (pro rata to FTE)")
    over_cap: bool


class ContinuityOut(BaseModel):
    changes: int
    citizen_years: float
    per_citizen_year: float
    by_reason: dict[str, int]


class Caseloads(BaseModel):
    department: str
    as_of: date
    caseloads: list[CaseloadOut]
    over_cap: list[str] = Field(description="Staff codes over their cap")
    continuity: ContinuityOut | None


class OverdueOut(BaseModel):
    staff: str
    name: str
    citizens: int
    overdue: int
    due_soon: int
    outreach: int
    listed: list[str] | None = Field(
        None, description="Citizen codes overdue, due soon or flagged (leaders only)"
    )


class Overdue(BaseModel):
    department: str
    as_of: date
    within_days: int
    caseworkers: list[OverdueOut]


class WeekOut(BaseModel):
    week: date
    held: int
    timely: int
    share: float


class Timeliness(BaseModel):
    department: str
    first: date
    last: date
    held: int
    timely: int
    share: float | None
    weeks: list[WeekOut]


class CaseFlowOut(BaseModel):
    department: str
    first: date
    last: date
    tables: dict[str, list[dict[str, Any]]] = Field(
        description="Each case-flow table's row for the department"
    )


def _department(request: Request, caller: Caller, code: str, action: str) -> None:
    with db.reading(request) as conn:
        found = scope.department(conn, caller.principal, code)
    if found is None:
        record_refusal(request, caller, action, 404)
        raise NotFound(Message("no such department among yours"))


def _audit(request: Request, caller: Caller, action: str, **detail: Any) -> None:
    with db.writing(request) as conn:
        audit.record(conn, caller.event(action, None, 200, **detail))


def _period(first: date, last: date) -> caseflow.Period:
    if last < first:
        raise Refused(Message("the period ends before it begins"))
    return caseflow.Period(first, last)


@router.get("/departments/{department}/caseloads", response_model=Caseloads, responses=READ_ERRORS)
def department_caseloads(
    request: Request,
    department: str = Department,
    day: date | None = Day,
    caller: Caller = guard("department.read"),
) -> Caseloads:
    """Each professional's caseload against the cap (weighted and raw counts), who is over
    the cap, and caseworker changes per citizen-year in the department."""
    _department(request, caller, department, "department.caseloads")
    on = day or caller.day
    with db.reading(request) as conn:
        report = status.status(conn, on)
    mine = [c for c in report.caseloads if c.department == department]
    kept = [c for c in report.continuity if c.department == department]
    answer = Caseloads(
        department=department,
        as_of=report.as_of,
        caseloads=[
            CaseloadOut(
                staff=c.staff_id,
                name=c.name,
                role=c.role,
                fte=c.fte,
                citizens=c.citizens,
                load=c.load,
                cap=c.cap,
                capacity=c.capacity,
                over_cap=c.over_cap,
            )
            for c in mine
        ],
        over_cap=[c.staff_id for c in mine if c.over_cap],
        continuity=ContinuityOut(
            changes=kept[0].changes,
            citizen_years=kept[0].citizen_years,
            per_citizen_year=kept[0].per_citizen_year,
            by_reason=dict(kept[0].by_reason),
        )
        if kept
        else None,
    )
    _audit(request, caller, "department.caseloads", department=department)
    return answer


@router.get("/departments/{department}/overdue", response_model=Overdue, responses=READ_ERRORS)
def department_overdue(
    request: Request,
    department: str = Department,
    day: date | None = Day,
    within: int = Query(14, ge=0, le=365, description="Days ahead counted as due soon"),
    caller: Caller = guard("department.read"),
) -> Overdue:
    """Job meetings overdue and due soon per caseworker of the department: counts, and for
    a leader the citizen codes (an analyst sees counts only)."""
    _department(request, caller, department, "department.overdue")
    on = day or caller.day
    with db.reading(request) as conn:
        staff = {c.staff_id for c in status.caseloads(conn, on) if c.department == department}
        rows, listed = rhythm.overdue(conn, on, within)
    leader = caller.principal.role == LEADER
    codes: dict[str, list[str]] = {}
    for r in listed.filter(pl.col("staff").is_in(sorted(staff))).iter_rows(named=True):
        codes.setdefault(r["staff"], []).append(r["citizen"])
    answer = Overdue(
        department=department,
        as_of=on,
        within_days=within,
        caseworkers=[
            OverdueOut(
                staff=r.staff,
                name=r.name,
                citizens=r.citizens,
                overdue=r.overdue,
                due_soon=r.due_soon,
                outreach=r.outreach,
                listed=codes.get(r.staff, []) if leader else None,
            )
            for r in rows
            if r.staff in staff
        ],
    )
    # a leader's answer names citizens: a row per citizen; an analyst's is counts only
    shown = [code for listed in codes.values() for code in listed] if leader else []
    record_list(request, caller, "department.overdue", shown, department=department)
    return answer


@router.get(
    "/departments/{department}/timeliness", response_model=Timeliness, responses=PERIOD_ERRORS
)
def department_timeliness(
    request: Request,
    first: date = From,
    last: date = To,
    department: str = Department,
    caller: Caller = guard("department.read"),
) -> Timeliness:
    """Held job meetings due in the period and the share held by the due date, in all
    and per week."""
    period = _period(first, last)
    _department(request, caller, department, "department.timeliness")
    with db.reading(request) as conn:
        weeks = rhythm.timeliness(conn, period.first, period.last)
    mine = weeks.filter(pl.col("group") == department)
    held, timely = int(mine["held"].sum()), int(mine["timely"].sum())
    answer = Timeliness(
        department=department,
        first=period.first,
        last=period.last,
        held=held,
        timely=timely,
        share=timely / held if held else None,
        weeks=[
            WeekOut(week=r["week"], held=r["held"], timely=r["timely"], share=r["share"])
            for r in mine.iter_rows(named=True)
        ],
    )
    _audit(request, caller, "department.timeliness", department=department)
    return answer


@router.get(
    "/departments/{department}/caseflow", response_model=CaseFlowOut, responses=PERIOD_ERRORS
)
def department_caseflow(
    request: Request,
    first: date = From,
    last: date = To,
    department: str = Department,
    caller: Caller = guard("department.read"),
) -> CaseFlowOut:
    """The case flow of the period (reports, medical, plans, placements, paid hours,
    passive periods) for the department: aggregates only."""
    period = _period(first, last)
    _department(request, caller, department, "department.caseflow")
    with db.reading(request) as conn:
        flow = caseflow.case_flow(conn, period)
    tables = {
        name: frame.filter(pl.col("department") == department).to_dicts()
        for name, frame in flow.tables.items()
        if "department" in frame.columns
    }
    answer = CaseFlowOut(department=department, first=first, last=last, tables=tables)
    _audit(request, caller, "department.caseflow", department=department)
    return answer


@router.get(
    "/staff/{staff}/sparring",
    response_class=HTMLResponse,
    responses={**READ_ERRORS, 200: {"content": {"text/html": {}}}},
)
def sparring_sheet(
    request: Request,
    staff: str = Staff,
    day: date | None = Day,
    caller: Caller = guard("sparring.read"),
) -> HTMLResponse:
    """The caseworker's sparring sheet as one HTML document ready to print, in the
    caller's language; a read of every citizen on it."""
    return HTMLResponse(sparring_html(request, caller, staff, day or caller.day))
