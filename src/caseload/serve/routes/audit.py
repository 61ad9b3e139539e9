"""The audit trail, searched and exported by admins; reading it is audited too."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, field_validator

from caseload.access import audit
from caseload.serve import db
from caseload.serve.guard import Caller, guard
from caseload.serve.models import Page
from caseload.serve.problems import documented

router = APIRouter(prefix="/api/v1", tags=["audit"])

COLUMNS = (
    "id",
    "at",
    "request_id",
    "username",
    "role",
    "action",
    "citizen",
    "client",
    "status",
    "detail",
)


class AuditEvent(BaseModel):
    id: int
    at: datetime
    request_id: str
    username: str | None
    role: str | None
    action: str
    citizen: str | None
    client: str | None
    status: int | None
    detail: dict[str, Any]

    @field_validator("at", mode="before")
    @classmethod
    def in_utc(cls, value: object) -> object:
        """Times are stored in UTC; one read back without its zone (SQLite) gets it again."""
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _detail(criteria: audit.Criteria) -> dict[str, Any]:
    """The search's filters for the audit row (by_username, by_action …)."""
    return {
        f"by_{name}": value.isoformat() if isinstance(value, datetime) else value
        for name, value in criteria.__dict__.items()
        if value is not None
    }


@router.get("/audit", response_model=Page[AuditEvent], responses=documented(401, 403, 422))
def search_audit(
    request: Request,
    page: int = Query(1, ge=1, le=100_000),
    size: int = Query(50, ge=1, le=500),
    username: str | None = Query(None, max_length=64),
    action: str | None = Query(None, max_length=64),
    citizen: str | None = Query(None, max_length=64, pattern=r"^[A-Za-z0-9._-]+$"),
    since: datetime | None = Query(None, description="From this moment (inclusive)"),
    until: datetime | None = Query(None, description="Before this moment"),
    caller: Caller = guard("audit.read"),
) -> Page[AuditEvent]:
    """The audit events matching the filters, newest first; paged."""
    wanted = audit.Criteria(username, action, citizen, since, until)
    with db.reading(request) as conn:
        rows, total = audit.search(conn, wanted, (page - 1) * size, size)
    with db.writing(request) as conn:
        audit.record(conn, caller.event("audit.read", None, 200, total=total, **_detail(wanted)))
    return Page[AuditEvent](
        items=[AuditEvent(**row) for row in rows], page=page, size=size, total=total
    )


@router.get(
    "/audit/export",
    response_class=Response,
    responses={
        **documented(401, 403, 422),
        200: {"description": "Every matching event as CSV", "content": {"text/csv": {}}},
    },
)
def export_audit(
    request: Request,
    username: str | None = Query(None, max_length=64),
    action: str | None = Query(None, max_length=64),
    citizen: str | None = Query(None, max_length=64, pattern=r"^[A-Za-z0-9._-]+$"),
    since: datetime | None = Query(None, description="From this moment (inclusive)"),
    until: datetime | None = Query(None, description="Before this moment"),
    caller: Caller = guard("audit.read"),
) -> Response:
    """Every audit event matching the filters as a CSV download, newest first."""
    wanted = audit.Criteria(username, action, citizen, since, until)
    with db.reading(request) as conn:
        rows, total = audit.search(conn, wanted, 0, None)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row["at"].isoformat()
                if name == "at"
                else json.dumps(row["detail"], sort_keys=True)
                if name == "detail"
                else ""
                if row[name] is None
                else row[name]
                for name in COLUMNS
            ]
        )
    with db.writing(request) as conn:
        audit.record(
            conn,
            caller.event("audit.read", None, 200, total=total, export=True, **_detail(wanted)),
        )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
