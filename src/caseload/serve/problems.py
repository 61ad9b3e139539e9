"""Errors as RFC 9457 problem details (``application/problem+json``), in the caller's
language: a title per status, the reason in words, the request id, and for a refused
import or form every problem with its place. No CPR number, no health information and no
stack trace ever goes into a body."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from caseload.i18n import N_, translator

MEDIA_TYPE = "application/problem+json"

TITLES: dict[int, str] = {
    400: N_("Bad request"),
    401: N_("Sign in first"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Refused by the rules"),
    412: N_("The case has changed"),
    413: N_("Too large"),
    415: N_("Unsupported media type"),
    422: N_("Invalid input"),
    428: N_("The case version is missing"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
    503: N_("Not ready"),
}


class Item(BaseModel):
    """One problem with the input: where (a file's row and column, or a field) and why."""

    location: list[str | int] = Field(default_factory=list)
    file: str | None = None
    row: int | None = None
    column: str | None = None
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[Item] | None = None
    current_version: int | None = Field(
        default=None, description="The case version now (a 412: reload and edit again)."
    )
    retry_after: int | None = Field(default=None, description="Seconds to wait (a 429).")


def problem(
    status: int,
    lang: str,
    detail: str | None = None,
    request_id: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    tr = translator(lang)
    body = Problem(
        title=tr.gettext(TITLES.get(status, TITLES[500 if status >= 500 else 400])),
        status=status,
        detail=detail,
        request_id=request_id,
        **extra,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers={**(headers or {}), "Content-Language": lang},
    )


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, each a problem document."""
    return {
        status: {
            "model": Problem,
            "description": TITLES.get(status, "Error"),
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
