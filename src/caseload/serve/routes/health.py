"""``/healthz``: the register answers and its schema is current (for load balancers)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from caseload.serve import db
from caseload.serve.guard import public
from caseload.store.migrate import current_revision, head_revision

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: bool
    schema_current: bool
    revision: str | None


@router.get(
    "/healthz",
    response_model=Health,
    responses={
        503: {"model": Health, "description": "The register is not reachable or not current"}
    },
    dependencies=[public()],
)
def healthz(request: Request) -> JSONResponse:
    """The register is reachable and its schema current (503 otherwise)."""
    try:
        revision = current_revision(db.engine(request))
        reachable = True
    except Exception:  # any failure to reach the database is "not healthy", said plainly
        revision, reachable = None, False
    current = reachable and revision == head_revision()
    body = Health(
        status="ok" if current else "unavailable",
        database=reachable,
        schema_current=current,
        revision=revision,
    )
    return JSONResponse(body.model_dump(), status_code=200 if current else 503)
