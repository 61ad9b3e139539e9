"""The web app: server-rendered pages (Jinja2, htmx for partial updates) on the same
services, access rules and audit as the API. Every asset is served by the app itself."""

from __future__ import annotations

from fastapi import Request

from caseload.serve.pages import (
    admin,
    auth,
    caseload,
    department,
    planning,
    plans,
    register,
    review,
    sparring,
    trials,
)

ROUTERS = [
    auth.router,
    caseload.router,
    sparring.router,
    department.router,
    plans.router,
    planning.router,
    trials.router,
    admin.router,
    register.router,
    review.router,
]


def is_page(request: Request) -> bool:
    """Whether the request was routed to a page (its errors are pages too, not JSON)."""
    route = request.scope.get("route")
    return "pages" in (getattr(route, "tags", None) or ())
