"""The admin's pages for the tables that shape the job centre: departments, teams, caps,
caseload rules and meeting rules. Each is shown in rows, and one row at a time is added or
changed in a form that goes through the same all-or-nothing import as a file (matched on
the table's natural key), the problems shown by column and reason."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from caseload.domain.labels import label
from caseload.i18n import N_, translator
from caseload.register.problems import ImportRejected
from caseload.register.spec import Field
from caseload.serve.admin_tables import ADMIN_TABLES, Row, admin_spec, read_rows, write_rows
from caseload.serve.guard import Caller, page_guard
from caseload.serve.pages.common import context, see_other
from caseload.serve.pages.templating import page

router = APIRouter(tags=["pages"], include_in_schema=False)

ROWS = 100
TableName = Path(min_length=1, max_length=64, pattern=r"^[a-z_]+$")

TITLES = {
    "departments": N_("Departments"),
    "teams": N_("Teams"),
    "caps": N_("Caps"),
    "caseload_rules": N_("Caseload rules"),
    "meeting_rules": N_("Meeting rules"),
}
ABOUT = {
    "departments": N_("The job centre's departments; a trial department runs the trial's caps."),
    "teams": N_("Teams within the departments."),
    "caps": N_(
        "The most citizens per full-time professional in a role: for one professional, a "
        "department, or the whole job centre (neither given). The narrowest cap in force "
        "applies."
    ),
    "caseload_rules": N_(
        "How caseloads are weighed against the caps: weights per complexity tier, a lower cap "
        "for newly started staff, and caps pro rata to FTE. A row without a department is the "
        "job centre's default."
    ),
    "meeting_rules": N_(
        "The statutory rhythm of job meetings per target group. A row without a target group "
        "is the job centre's default."
    ),
}
HEADINGS = {
    "department_id": N_("Department"),
    "name": N_("Name"),
    "is_trial": N_("Trial department"),
    "role_model": N_("Role model"),
    "jobcentre": N_("Job centre"),
    "team_id": N_("Team"),
    "role": N_("Role"),
    "staff_id": N_("Staff code"),
    "cap": N_("Cap"),
    "start_date": N_("From"),
    "end_date": N_("Until"),
    "weight_simple": N_("Weight of a simple case"),
    "weight_complex": N_("Weight of a complex case"),
    "weight_very_complex": N_("Weight of a very complex case"),
    "new_staff_months": N_("Months with a lower cap for new staff"),
    "new_staff_share": N_("Share of the cap for new staff"),
    "pro_rata_fte": N_("Cap pro rata to FTE"),
    "target_group": N_("Target group"),
    "interval_months": N_("A job meeting at least every … months"),
    "first_within_days": N_("The first job meeting within … days of entry"),
    "follow_up_within_days": N_("A missed meeting followed up within … days"),
    "outreach_after_missed": N_("Outreach after … meetings missed"),
}
"""Each admin table's column, in words (the column's own name is the import format's)."""


def _shown(f: Field, value: Any, lang: str) -> str:
    """A stored value as the reader reads it."""
    tr = translator(lang)
    if value is None or value == "":
        return "–"
    if f.kind == "bool":
        return tr.gettext("yes") if value in (True, "true") else tr.gettext("no")
    if f.kind == "date":
        return tr.date(value if isinstance(value, date) else date.fromisoformat(str(value)))
    if f.kind == "code":
        return label(str(value), lang)
    if f.kind == "float":
        return tr.decimal(float(value), 2)
    if f.kind == "int":
        return tr.count(int(value))
    return str(value)


def _entered(value: Any) -> str:
    """A stored value as the form's field holds it (the import format)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _table_page(
    request: Request,
    caller: Caller,
    table: str,
    page_no: int,
    *,
    form: dict[str, str] | None = None,
    problems: list[tuple[Any, ...]] | None = None,
    status: int = 200,
) -> HTMLResponse:
    spec = admin_spec(table)
    rows, total = read_rows(request, caller, table, (page_no - 1) * ROWS, ROWS)
    lang = caller.lang
    edit = request.query_params.get("edit")
    if form is None:
        chosen = rows[int(edit)] if edit and edit.isdigit() and int(edit) < len(rows) else {}
        form = {f.name: _entered(chosen.get(f.name, f.default)) for f in spec.fields}
    values = context(
        request,
        caller,
        table=table,
        tables=ADMIN_TABLES,
        titles=TITLES,
        about=ABOUT[table],
        fields=spec.fields,
        headings=HEADINGS,
        key=spec.key,
        rows=[[_shown(f, row.get(f.name), lang) for f in spec.fields] for row in rows],
        total=total,
        page_no=page_no,
        pages=max(1, -(-total // ROWS)),
        form=form,
        editing=bool(edit),
        problems=problems or [],
        done=request.query_params.get("done"),
    )
    return page(request, "admin_register.html.j2", values, status_code=status)


@router.get("/admin/register", response_class=HTMLResponse)
def first_table(caller: Caller = page_guard("register.manage")) -> Response:
    return see_other(f"/admin/register/{ADMIN_TABLES[0]}")


@router.get("/admin/register/{table}", response_class=HTMLResponse)
def table_rows(
    request: Request,
    table: str = TableName,
    page_no: int = Query(1, alias="page", ge=1, le=100_000),
    caller: Caller = page_guard("register.manage"),
) -> HTMLResponse:
    """The table's rows, and the form for a row (empty, or the row chosen to change)."""
    return _table_page(request, caller, table, page_no)


@router.post("/admin/register/{table}", response_class=HTMLResponse)
async def table_row(
    request: Request, table: str = TableName, caller: Caller = page_guard("register.manage")
) -> Response:
    """Add a row or change the one with the same key; refused with every problem."""
    spec = admin_spec(table)
    sent = await request.form()
    form = {f.name: str(sent.get(f.name) or "").strip()[:400] for f in spec.fields}
    row: Row = {name: value or None for name, value in form.items()}
    try:
        result = await run_in_threadpool(write_rows, request, caller, table, [row])
    except ImportRejected as error:
        tr = translator(caller.lang)
        shown = [(p.column, tr.message(p.message)) for p in error.problems]
        return await run_in_threadpool(
            _table_page, request, caller, table, 1, form=form, problems=shown, status=422
        )
    done = "inserted" if result.inserted else "updated" if result.updated else "unchanged"
    return see_other(f"/admin/register/{table}?done={done}")
