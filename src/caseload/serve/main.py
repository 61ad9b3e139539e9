"""The app as uvicorn's workers start it: settings come from the environment
(``CASELOAD_SERVE_SETTINGS``, JSON written by ``caseload serve``), so that every worker
process builds the same app."""

from __future__ import annotations

import json
import os
from datetime import date
from typing import Any

from fastapi import FastAPI

from caseload.serve.app import create_app
from caseload.serve.settings import Settings

ENV = "CASELOAD_SERVE_SETTINGS"


def to_environment(settings: Settings) -> str:
    return json.dumps(
        {
            "db": settings.db,
            "register_day": settings.register_day.isoformat() if settings.register_day else None,
            "trusted_proxies": list(settings.trusted_proxies),
            "secure_cookies": settings.secure_cookies,
            "upload_limit": settings.upload_limit,
            "default_lang": settings.default_lang,
        }
    )


def from_environment() -> FastAPI:
    given: dict[str, Any] = json.loads(os.environ.get(ENV, "{}"))
    day = given.get("register_day")
    return create_app(
        Settings(
            db=given.get("db"),
            register_day=date.fromisoformat(day) if day else None,
            trusted_proxies=tuple(given.get("trusted_proxies", ())),
            secure_cookies=bool(given.get("secure_cookies", False)),
            upload_limit=int(given.get("upload_limit", Settings.upload_limit)),
            default_lang=str(given.get("default_lang", "da")),
        )
    )
