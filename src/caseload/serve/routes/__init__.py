"""The API's routers, one module per resource; ``ROUTERS`` in the order they are mounted."""

from __future__ import annotations

from caseload.serve.routes import (
    accounts,
    audit,
    cases,
    citizens,
    departments,
    exports,
    health,
    imports,
    notes,
    plans,
    registers,
    reviews,
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
    reviews.router,
    imports.router,
    exports.router,
    registers.router,
    accounts.router,
    audit.router,
]
