"""A refusal or failure on a page, as a page in the reader's language; no session means
the login page, and back to where the reader was going."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from caseload.i18n import N_, translator
from caseload.serve.pages.common import context
from caseload.serve.pages.templating import page

HEADINGS = {
    400: N_("The request could not be read"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    409: N_("Refused by the rules"),
    412: N_("The case has changed"),
    413: N_("Too large"),
    422: N_("The request could not be read"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
}


def sign_in_first(request: Request) -> RedirectResponse:
    target = request.url.path if request.method == "GET" else "/"
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


def error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    caller = getattr(request.state, "caller", None)
    values = context(request, caller)
    tr = translator(str(values["lang"]))
    values["heading"] = tr.gettext(HEADINGS.get(status, HEADINGS[500]))
    values["detail"] = detail
    return page(request, "error.html.j2", values, status_code=status)
