"""The admin's pages: accounts (add one, disable or enable it), imports by upload with the
problem list (the admin tables — departments, teams, caps, caseload and meeting rules —
are kept by importing them), and the audit trail searched and exported. The same access
rules and audit as the API's resources."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from caseload.access import accounts, audit
from caseload.access.errors import AccountError
from caseload.access.rules import ROLE_NAMES
from caseload.i18n import translator
from caseload.register import catalogue
from caseload.register.problems import ImportRejected
from caseload.serve import db
from caseload.serve.guard import Caller, page_guard
from caseload.serve.pages.common import context, see_other
from caseload.serve.pages.templating import page
from caseload.serve.uploads import receive

router = APIRouter(tags=["pages"], include_in_schema=False)

AUDIT_PAGE = 100


def _accounts_page(
    request: Request, caller: Caller, error: str | None = None, status: int = 200
) -> HTMLResponse:
    with db.reading(request) as conn:
        found = accounts.accounts(conn)
    with db.writing(request) as conn:
        audit.record(conn, caller.event("account.list", None, 200, total=len(found)))
    values = context(request, caller, accounts=found, role_names=ROLE_NAMES, error=error, done=None)
    values["done"] = request.query_params.get("done")
    return page(request, "admin_accounts.html.j2", values, status_code=status)


@router.get("/admin/accounts", response_class=HTMLResponse)
def account_list(request: Request, caller: Caller = page_guard("accounts.manage")) -> HTMLResponse:
    """Every account, with a form for a new one."""
    return _accounts_page(request, caller)


@router.post("/admin/accounts", response_class=HTMLResponse)
def account_add(
    request: Request,
    username: str = Form(..., max_length=200),
    role: str = Form(..., max_length=16),
    password: str = Form(..., max_length=1024),
    staff: str = Form("", max_length=64),
    lang: str = Form("da", max_length=2),
    caller: Caller = page_guard("accounts.manage"),
) -> Response:
    """A new account; refused in words (a taken name, a weak password, no professional)."""
    try:
        with db.writing(request) as conn:
            made = accounts.add_account(
                conn, username, role, password, staff=staff.strip() or None, lang=lang
            )
            audit.record(
                conn, caller.event("account.add", None, 201, account=made.username, role=role)
            )
    except AccountError as error:
        return _accounts_page(request, caller, error.text(caller.lang), 400)
    return see_other(f"/admin/accounts?done={made.username}")


@router.post("/admin/accounts/{username}", response_class=HTMLResponse)
def account_switch(
    request: Request,
    username: str,
    active: str = Form(..., max_length=5),
    caller: Caller = page_guard("accounts.manage"),
) -> Response:
    """Disable an account (its sessions end, its tokens are revoked) or enable it again."""
    try:
        with db.writing(request) as conn:
            if active == "false":
                done = accounts.disable(conn, username)
                action = "account.disable"
            else:
                done = accounts.enable(conn, username)
                action = "account.enable"
            audit.record(conn, caller.event(action, None, 200, account=done.username))
    except AccountError as error:
        return _accounts_page(request, caller, error.text(caller.lang), 400)
    return see_other(f"/admin/accounts?done={done.username}")


def _imports_page(
    request: Request,
    caller: Caller,
    *,
    result: object = None,
    problems: list[object] | None = None,
    table: str = "",
    status: int = 200,
) -> HTMLResponse:
    values = context(
        request,
        caller,
        tables=[spec.name for spec in catalogue.SPECS],
        result=result,
        problems=problems or [],
        table=table,
    )
    return page(request, "admin_imports.html.j2", values, status_code=status)


@router.get("/admin/imports", response_class=HTMLResponse)
def import_form(request: Request, caller: Caller = page_guard("register.import")) -> HTMLResponse:
    """The upload form: a table and a file (CSV, Excel or Parquet)."""
    return _imports_page(request, caller)


@router.post("/admin/imports", response_class=HTMLResponse)
def import_upload(
    request: Request,
    table: str = Form(..., max_length=64),
    file: UploadFile = File(...),
    caller: Caller = page_guard("register.import"),
) -> HTMLResponse:
    """Every row or none: the counts, or each problem with its row, column and reason."""
    try:
        result = receive(request, caller, table, file, None, None)
    except ImportRejected as error:
        tr = translator(caller.lang)
        shown = [(p.file, p.row, p.column, tr.message(p.message)) for p in error.problems]
        return _imports_page(request, caller, problems=shown, table=table, status=422)  # type: ignore[arg-type]
    return _imports_page(request, caller, result=result, table=table)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_search(
    request: Request,
    username: str = Query("", max_length=64),
    action: str = Query("", max_length=64),
    citizen: str = Query("", max_length=64, pattern=r"^[A-Za-z0-9._-]*$"),
    since: str = Query("", max_length=32),
    until: str = Query("", max_length=32),
    page_no: int = Query(1, alias="page", ge=1, le=100_000),
    caller: Caller = page_guard("audit.read"),
) -> HTMLResponse:
    """The audit trail, newest first, searched by who, what, which citizen and when."""
    wanted = audit.Criteria(
        username or None,
        action or None,
        citizen or None,
        _moment(since),
        _moment(until),
    )
    with db.reading(request) as conn:
        rows, total = audit.search(conn, wanted, (page_no - 1) * AUDIT_PAGE, AUDIT_PAGE)
    with db.writing(request) as conn:
        audit.record(conn, caller.event("audit.read", None, 200, total=total))
    query = {
        k: v
        for k, v in (
            ("username", username),
            ("action", action),
            ("citizen", citizen),
            ("since", since),
            ("until", until),
        )
        if v
    }
    values = context(
        request,
        caller,
        rows=rows,
        total=total,
        query=query,
        page_no=page_no,
        pages=max(1, -(-total // AUDIT_PAGE)),
    )
    return page(request, "admin_audit.html.j2", values)


def _moment(text: str) -> datetime | None:
    """A day or a moment typed in the search form; nothing for what is not one."""
    try:
        return datetime.fromisoformat(text) if text.strip() else None
    except ValueError:
        return None
