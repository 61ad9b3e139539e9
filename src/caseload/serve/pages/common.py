"""What every page's template gets: the reader's language, who they are, the register day,
the CSRF token for forms, and the navigation their role has."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse

from caseload.access import rules
from caseload.serve.context import language
from caseload.serve.guard import Caller, csrf_token, session_id, settings_of

HOME = {
    rules.CASEWORKER: "/caseload",
    rules.LEADER: "/caseload",
    rules.ANALYST: "/trials",
    rules.ADMIN: "/admin/accounts",
    rules.REVIEWER: "/review",
}
"""Where each role lands after signing in (the pages their work starts from)."""


def context(request: Request, caller: Caller | None, **values: Any) -> dict[str, Any]:
    settings = settings_of(request)
    sid = session_id(request) if caller is not None else None
    return {
        "lang": caller.lang if caller is not None else language(request, settings.default_lang),
        "caller": caller,
        "account": caller.principal.account if caller is not None else None,
        "role": caller.principal.role if caller is not None else None,
        "role_name": rules.ROLE_NAMES[caller.principal.role] if caller is not None else "",
        "day": caller.day if caller is not None else settings.today(),
        "csrf": csrf_token(request, sid) if sid is not None else "",
        "may": (lambda action: rules.allows(caller.principal.role, action))
        if caller is not None
        else (lambda action: False),
        "path": request.url.path,
        **values,
    }


def see_other(url: str) -> RedirectResponse:
    """After a form: the page to show next (303, so a reload does not post again)."""
    return RedirectResponse(url, status_code=303)


def local(url: str | None, fallback: str = "/") -> str:
    """A path on this site to go back to; anything else (another site, ``//host``) is not
    followed."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return fallback
