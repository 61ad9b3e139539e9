"""Signing in and out of the web app, the reader's language, and the start page."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from caseload.access import accounts
from caseload.access.errors import NotSignedIn, Throttled
from caseload.i18n import LANGS
from caseload.serve import db, signing
from caseload.serve.guard import Caller, authenticate, page_guard, public
from caseload.serve.pages.common import HOME, context, local, see_other
from caseload.serve.pages.templating import page

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/", dependencies=[public()])
def start(request: Request) -> RedirectResponse:
    """The signed-in reader's start page (their role's); the login page otherwise."""
    try:
        principal = authenticate(request)
    except NotSignedIn:
        return see_other("/login")
    return see_other(HOME[principal.role])


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, caller: Caller = page_guard("self")) -> HTMLResponse:
    """Who I am: my account, my role and what it may do, my language."""
    return page(request, "account.html.j2", context(request, caller))


@router.get("/login", response_class=HTMLResponse, dependencies=[public()])
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    values = context(request, None, next=local(next, ""), error=None, username="")
    return page(request, "login.html.j2", values)


@router.post("/login", response_class=HTMLResponse, dependencies=[public()])
def login(
    request: Request,
    username: str = Form("", max_length=200),
    password: str = Form("", max_length=1024),
    next: str = Form("", max_length=2000),
) -> Response:
    """A new session, then the page asked for (or the role's start page)."""
    try:
        started = signing.sign_in(request, username, password)
    except (NotSignedIn, Throttled) as error:
        values = context(request, None, next=local(next, ""), error=error, username=username)
        lang = str(values["lang"])
        values["error"] = error.text(lang)
        return page(
            request,
            "login.html.j2",
            values,
            # the form again with the reason (a page, not an API's 401 challenge)
            status_code=429 if isinstance(error, Throttled) else 200,
        )
    response = see_other(local(next, HOME[started.account.role]))
    signing.set_cookies(request, response, started)
    return response


@router.post("/logout")
def logout(request: Request, caller: Caller = page_guard("self")) -> Response:
    response = see_other("/login")
    signing.sign_out(request, response, caller, 303)
    return response


@router.post("/language")
def language(
    request: Request,
    lang: str = Form(..., max_length=2),
    back: str = Form("/", max_length=2000),
    caller: Caller = page_guard("self"),
) -> Response:
    """The language the reader's pages come in, kept on their account."""
    if lang in LANGS:
        with db.writing(request) as conn:
            accounts.set_lang(conn, caller.principal.account.id, lang)
    return see_other(local(back))
