"""The API's routers, one module per resource; ``ROUTERS`` in the order they are mounted."""

from __future__ import annotations

from caseload.serve.routes import (
    cases,
    citizens,
    departments,
    health,
    notes,
    plans,
    session,
    trials,
)

ROUTERS = [
    health.router,
    session.router,
    citizens.router,
    cases.router,
    notes.router,
    departments.router,
    plans.router,
    trials.router,
]
