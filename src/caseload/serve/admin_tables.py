"""The admin tables (departments, teams, caps, caseload and meeting rules) as the API and
the admin's pages both keep them: read in the import format, and written as rows through
the same all-or-nothing import as a file — every read and write audited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import polars as pl
from fastapi import Request

from caseload.access import audit
from caseload.i18n import Message
from caseload.operate.refusals import NotFound
from caseload.register import catalogue
from caseload.register.export import frame
from caseload.register.importer import ImportResult, import_frame
from caseload.register.spec import TableSpec
from caseload.serve import db
from caseload.serve.guard import Caller

ADMIN_TABLES = ("departments", "teams", "caps", "caseload_rules", "meeting_rules")
Row = dict[str, Any]


def admin_spec(table: str) -> TableSpec:
    """The import spec of an admin table; any other name is not found."""
    if table not in ADMIN_TABLES:
        raise NotFound(
            Message(
                "no admin table {table}; they are {tables}",
                {"table": table, "tables": ", ".join(ADMIN_TABLES)},
            )
        )
    return catalogue.spec(table)


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


def read_rows(
    request: Request, caller: Caller, table: str, offset: int, size: int
) -> tuple[list[Row], int]:
    """One page of the table's rows in the import format, and how many there are."""
    spec = admin_spec(table)
    with db.reading(request) as conn:
        data = frame(conn, spec)
    shown = data.slice(offset, size).to_dicts()
    with db.writing(request) as conn:
        audit.record(conn, caller.event("register.read", None, 200, table=table, shown=len(shown)))
    return shown, data.height


def write_rows(request: Request, caller: Caller, table: str, rows: list[Row]) -> ImportResult:
    """Add or change rows (matched on the table's natural key): every row or none; raises
    ``ImportRejected`` with each problem's row, column and reason."""
    spec = admin_spec(table)
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
    return result
