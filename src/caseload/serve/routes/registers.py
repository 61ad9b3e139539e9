"""The admin tables as resources (departments, teams, caps, caseload and meeting rules):
read in the import format, written as a list of rows through the same all-or-nothing
import."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import polars as pl
from fastapi import APIRouter, Body, Query, Request

from caseload.access import audit
from caseload.i18n import Message
from caseload.operate.refusals import NotFound
from caseload.register import catalogue
from caseload.register.export import frame
from caseload.register.importer import import_frame
from caseload.serve import db
from caseload.serve.guard import Caller, guard
from caseload.serve.models import Page
from caseload.serve.problems import documented
from caseload.serve.routes.imports import Imported, Table

router = APIRouter(prefix="/api/v1", tags=["register"])

ADMIN_TABLES = ("departments", "teams", "caps", "caseload_rules", "meeting_rules")
Row = dict[str, Any]


def admin_table(table: str) -> str:
    if table not in ADMIN_TABLES:
        raise NotFound(
            Message(
                "no admin table {table}; they are {tables}",
                {"table": table, "tables": ", ".join(ADMIN_TABLES)},
            )
        )
    return table


def cell(value: object) -> str | None:
    """A JSON value as the import's text cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def text_frame(rows: list[Row]) -> pl.DataFrame:
    columns = list(dict.fromkeys(name for row in rows for name in row))
    return pl.DataFrame(
        {name: [cell(row.get(name)) for row in rows] for name in columns},
        schema={name: pl.Utf8 for name in columns},
    )


@router.get("/register/{table}", response_model=Page[Row], responses=documented(401, 403, 404, 422))
def read_table(
    request: Request,
    page: int = Query(1, ge=1, le=100_000),
    size: int = Query(100, ge=1, le=1000),
    table: str = Table,
    caller: Caller = guard("register.manage"),
) -> Page[Row]:
    """An admin table's rows in the import format (codes, ISO dates); paged."""
    spec = catalogue.spec(admin_table(table))
    with db.reading(request) as conn:
        data = frame(conn, spec)
    shown = data.slice((page - 1) * size, size).to_dicts()
    with db.writing(request) as conn:
        audit.record(conn, caller.event("register.read", None, 200, table=table, shown=len(shown)))
    return Page[Row](items=shown, page=page, size=size, total=data.height)


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
    spec = catalogue.spec(admin_table(table))
    with db.writing(request) as conn:
        result = import_frame(conn, spec, text_frame(rows), source=table)
        audit.record(
            conn,
            caller.event(
                "register.manage",
                None,
                200,
                table=table,
                inserted=result.inserted,
                updated=result.updated,
                unchanged=result.unchanged,
            ),
        )
    return Imported(
        table=table, inserted=result.inserted, updated=result.updated, unchanged=result.unchanged
    )
