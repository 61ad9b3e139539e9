"""The admin tables as resources (departments, teams, caps, caseload and meeting rules):
read in the import format, written as a list of rows through the same all-or-nothing
import."""

from __future__ import annotations

from fastapi import APIRouter, Body, Query, Request

from caseload.serve.admin_tables import Row, read_rows, write_rows
from caseload.serve.guard import Caller, guard
from caseload.serve.models import Page
from caseload.serve.problems import documented
from caseload.serve.routes.imports import Imported, Table

router = APIRouter(prefix="/api/v1", tags=["register"])


@router.get("/register/{table}", response_model=Page[Row], responses=documented(401, 403, 404, 422))
def read_table(
    request: Request,
    page: int = Query(1, ge=1, le=100_000),
    size: int = Query(100, ge=1, le=1000),
    table: str = Table,
    caller: Caller = guard("register.manage"),
) -> Page[Row]:
    """An admin table's rows in the import format (codes, ISO dates); paged."""
    shown, total = read_rows(request, caller, table, (page - 1) * size, size)
    return Page[Row](items=shown, page=page, size=size, total=total)


@router.post(
    "/register/{table}",
    response_model=Imported,
    responses=documented(400, 401, 403, 404, 422),
)
def write_table(
    request: Request,
    rows: list[Row] = Body(
        min_length=1, max_length=10_000, description="Rows in the import format"
    ),
    table: str = Table,
    caller: Caller = guard("register.manage"),
) -> Imported:
    """Add or change rows of an admin table (matched on its natural key): every row or none."""
    result = write_rows(request, caller, table, rows)
    return Imported(
        table=table, inserted=result.inserted, updated=result.updated, unchanged=result.unchanged
    )
