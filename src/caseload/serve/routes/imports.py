"""Imports by upload: one file into one import table, every row or none. The upload is
copied to a temporary folder in chunks under the server's size limit; the client's file
name is never a path (only its suffix picks the reader)."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from pydantic import BaseModel

from caseload.serve.guard import Caller, guard
from caseload.serve.problems import documented
from caseload.serve.uploads import receive

router = APIRouter(prefix="/api/v1", tags=["imports"])

Table = Path(
    min_length=1,
    max_length=64,
    pattern=r"^[A-Za-z0-9._-]+$",
    description="The import table (docs/import-format.md)",
)


class Imported(BaseModel):
    table: str
    inserted: int
    updated: int
    unchanged: int


@router.post(
    "/imports/{table}",
    status_code=201,
    response_model=Imported,
    responses=documented(400, 401, 403, 404, 413, 415, 422),
)
def import_upload(
    request: Request,
    file: UploadFile = File(description="CSV (, or ;), Excel .xlsx or Parquet file"),
    encoding: str | None = Form(
        None, max_length=32, description="The text file's encoding (default: as its bytes say)"
    ),
    sheet: str | None = Form(
        None, max_length=100, description="The workbook's sheet (default: the first)"
    ),
    table: str = Table,
    caller: Caller = guard("register.import"),
) -> Imported:
    """Import one file into an import table: every row or none (all problems listed)."""
    result = receive(request, caller, table, file, encoding, sheet)
    return Imported(
        table=table, inserted=result.inserted, updated=result.updated, unchanged=result.unchanged
    )
