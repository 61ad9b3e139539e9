"""The API's routers, one module per resource; ``ROUTERS`` in the order they are mounted."""

from __future__ import annotations

from caseload.serve.routes import (
    accounts,
    audit,
    cases,
    citizens,
    exports,
    health,
    imports,
    registers,
    session,
)

ROUTERS = [
    health.router,
    session.router,
    citizens.router,
    cases.router,
    imports.router,
    exports.router,
    registers.router,
    accounts.router,
    audit.router,
]
