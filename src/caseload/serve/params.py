"""Parameters the routes share: codes in paths, the case version an edit carries."""

from __future__ import annotations

from typing import Any

from fastapi import Header, Path

from caseload.serve.problems import documented

CODE_PATTERN = r"^[A-Za-z0-9._-]+$"


def code(description: str = "A code in the register", max_length: int = 64) -> Any:
    return Path(min_length=1, max_length=max_length, pattern=CODE_PATTERN, description=description)


Citizen = code("The citizen's code in the register (never a CPR number)")
IfMatch = Header(
    alias="If-Match",
    pattern=r'^\s*(W/)?"\d{1,9}"\s*$',
    description='The case version read (its ETag, e.g. "7"); without it 428, stale 412',
)
EDIT_ERRORS = documented(400, 401, 403, 404, 409, 412, 422, 428)
