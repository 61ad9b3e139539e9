"""The analyst's pages: the trials in the register, and a trial's dashboard — the
evaluation run on the register as it is now (findings, limits, figures), the full report,
and its tables to download as CSV or one Excel workbook. Pseudonymous codes only: the
evaluation holds no name and no CPR number. Every read is audited."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from caseload.access import audit
from caseload.evaluate import report
from caseload.evaluate.downloads import XLSX_TYPE, csv_text, workbook
from caseload.evaluate.tables import tables
from caseload.evaluate.trials import trials
from caseload.i18n import Message
from caseload.operate.refusals import NotFound
from caseload.serve import db
from caseload.serve.evaluations import evaluated, evaluated_kept
from caseload.serve.guard import Caller, page_guard, settings_of
from caseload.serve.pages.common import context
from caseload.serve.pages.templating import page

router = APIRouter(tags=["pages"], include_in_schema=False)


def _audit(request: Request, caller: Caller, action: str, **detail: object) -> None:
    with db.writing(request) as conn:
        audit.record(conn, caller.event(action, None, 200, **detail))


@router.get("/trials", response_class=HTMLResponse)
def trial_list(request: Request, caller: Caller = page_guard("trial.read")) -> HTMLResponse:
    """The trials: code, name, period, the size of each arm."""
    with db.reading(request) as conn:
        found = trials(conn)
    _audit(request, caller, "trial.list", trials=len(found))
    return page(request, "trials.html.j2", context(request, caller, trials=found))


@router.get("/trials/{trial}", response_class=HTMLResponse)
def trial_dashboard(
    request: Request,
    trial: str,
    fresh: bool = Query(False),
    caller: Caller = page_guard("trial.read"),
) -> HTMLResponse:
    """The evaluation from the register (kept a few minutes, or run again when asked):
    findings, limits, figures, downloads."""
    kept = evaluated_kept(request, caller, trial, "trial.dashboard", fresh)
    ev = kept.evaluation
    shows, limits = report.summary(ev, caller.lang)
    values = context(
        request,
        caller,
        ev=ev,
        shows=shows,
        limits=limits,
        figures=report.figures_of(ev, caller.lang),
        names=sorted(tables(ev)),
        kept=kept,
        kept_minutes=int(settings_of(request).evaluation_kept.total_seconds() // 60),
    )
    _audit(request, caller, "trial.dashboard", trial=trial)
    return page(request, "trial.html.j2", values)


@router.get("/trials/{trial}/report", response_class=HTMLResponse)
def trial_report(
    request: Request, trial: str, caller: Caller = page_guard("trial.read")
) -> HTMLResponse:
    """The whole evaluation report (as ``caseload evaluate`` writes it), ready to print."""
    kept = evaluated_kept(request, caller, trial, "trial.report")
    html = report.render(kept.evaluation, caller.lang, kept.seconds)
    _audit(request, caller, "trial.report", trial=trial)
    return HTMLResponse(html)


@router.get("/trials/{trial}/tables.xlsx")
def trial_workbook(
    request: Request, trial: str, caller: Caller = page_guard("trial.read")
) -> Response:
    """Every table of the evaluation in one Excel workbook."""
    ev = evaluated(request, caller, trial, "trial.download")
    data = workbook(tables(ev))
    _audit(request, caller, "trial.download", trial=trial, table="all", format="xlsx")
    return Response(
        data,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{trial}-tables.xlsx"'},
    )


@router.get("/trials/{trial}/tables/{name}.csv")
def trial_table(
    request: Request, trial: str, name: str, caller: Caller = page_guard("trial.read")
) -> Response:
    """One table of the evaluation as CSV."""
    ev = evaluated(request, caller, trial, "trial.download")
    found = tables(ev)
    if name not in found:
        raise NotFound(Message("no such table in the evaluation"))
    _audit(request, caller, "trial.download", trial=trial, table=name, format="csv")
    return Response(
        csv_text(found[name]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{trial}-{name}.csv"'},
    )
