"""Exports as downloads: one import table in the import format (CSV or Parquet)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FilePath
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from caseload.access import audit
from caseload.register.export import export
from caseload.serve import db
from caseload.serve.guard import Caller, guard
from caseload.serve.problems import documented
from caseload.serve.routes.imports import Table
from caseload.serve.uploads import known_table

router = APIRouter(prefix="/api/v1", tags=["exports"])

MEDIA = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


@router.get(
    "/exports/{table}",
    response_class=FileResponse,
    responses={
        **documented(401, 403, 404, 422),
        200: {
            "description": "The table as a file (attachment)",
            "content": {"text/csv": {}, "application/vnd.apache.parquet": {}},
        },
    },
)
def export_table(
    request: Request,
    format: Literal["csv", "parquet"] = Query("csv", description="csv or parquet"),
    table: str = Table,
    caller: Caller = guard("register.export"),
) -> FileResponse:
    """One import table as a download, in the import format (CPR numbers never leave)."""
    known_table(table)
    folder = FilePath(tempfile.mkdtemp(prefix="caseload-export-"))
    try:
        with db.reading(request) as conn:
            written = export(conn, folder / "out", format, [table])
        with db.writing(request) as conn:
            audit.record(
                conn,
                caller.event("register.export", None, 200, table=table, rows=written[table]),
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        folder / "out" / f"{table}.{format}",
        media_type=MEDIA[format],
        filename=f"{table}.{format}",
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
