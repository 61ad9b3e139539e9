"""The ASGI application: ``create_app(settings)`` wires the routes, the request context,
the problem-details errors and the register's engine (opened once per worker)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from caseload.access.errors import AccountError, Denied, NotSignedIn, Throttled
from caseload.i18n import Said, translator
from caseload.operate.refusals import CannotPlace, Conflict, NotFound, Refused
from caseload.register.problems import ImportRejected
from caseload.serve import context, pages, problems
from caseload.serve.edits import VERSION_MISSING, Stale, VersionBad, VersionMissing, etag
from caseload.serve.guard import SignInFirst
from caseload.serve.pages.errors import error_page, sign_in_first
from caseload.serve.routes import ROUTERS
from caseload.serve.settings import Settings
from caseload.serve.validation import items as validation_items
from caseload.store.database import connect

log = logging.getLogger("caseload.serve")

DESCRIPTION = """The case register's API: citizens in the caller's scope and their cases,
meetings, contact changes and notes (each edit carries the case version as `If-Match`),
department views, rebalance plans, imports and exports, accounts and the audit trail.

Sign in with `POST /api/v1/session` (a session cookie; send the CSRF token it returns as
`X-CSRF-Token` on every change) or send an API token as `Authorization: Bearer …`.
Errors are RFC 9457 problem details in the language of `Accept-Language` (da, en)."""


def _lang(request: Request) -> str:
    caller = getattr(request.state, "caller", None)
    if caller is not None:
        return str(caller.lang)
    settings: Settings = request.app.state.settings
    return context.language(request, settings.default_lang)


def _said_status(error: Exception) -> int:
    for kind, status in (
        (VersionMissing, 428),
        (VersionBad, 400),
        (Stale, 412),
        (NotSignedIn, 401),
        (Denied, 403),
        (Throttled, 429),
        (NotFound, 404),
        (Conflict, 409),
        (CannotPlace, 409),
        (Refused, 409),
        (AccountError, 400),
    ):
        if isinstance(error, kind):
            return status
    return 400


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(Said)
    @app.exception_handler(Refused)
    @app.exception_handler(NotFound)
    @app.exception_handler(Conflict)
    @app.exception_handler(CannotPlace)
    async def said(request: Request, error: Exception) -> Response:
        lang = _lang(request)
        status = _said_status(error)
        text = error.text(lang) if isinstance(error, Said) else error.message(lang)  # type: ignore[attr-defined]
        if pages.is_page(request):
            if status == 401:
                return sign_in_first(request)
            return error_page(request, status, text)
        headers: dict[str, str] = {}
        extra: dict[str, Any] = {}
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="caseload"'
        if isinstance(error, Stale):
            extra["current_version"] = error.current
            headers["ETag"] = etag(error.current)
        if isinstance(error, Throttled):
            headers["Retry-After"] = str(error.retry_after)
            extra["retry_after"] = error.retry_after
        return problems.problem(status, lang, text, context.request_id(request), headers, **extra)

    @app.exception_handler(ImportRejected)
    async def rejected(request: Request, error: ImportRejected) -> JSONResponse:
        lang = _lang(request)
        tr = translator(lang)
        found = [
            problems.Item(file=p.file, row=p.row, column=p.column, message=tr.message(p.message))
            for p in error.problems
        ]
        detail = tr.gettext(
            "nothing was imported: {n} problem(s) in the file(s)", n=tr.count(len(found))
        )
        return problems.problem(422, lang, detail, context.request_id(request), errors=found)

    @app.exception_handler(SignInFirst)
    async def to_login(request: Request, error: SignInFirst) -> Response:
        return sign_in_first(request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        lang = _lang(request)
        if pages.is_page(request):
            found = validation_items(error.errors(), lang)
            words = "; ".join(f"{'.'.join(map(str, i.location))}: {i.message}" for i in found)
            return error_page(request, 400, words)
        if any(
            e.get("type") == "missing" and tuple(e.get("loc", ())) == ("header", "If-Match")
            for e in error.errors()
        ):
            missing = VersionMissing(VERSION_MISSING)
            return problems.problem(428, lang, missing.text(lang), context.request_id(request))
        found = validation_items(error.errors(), lang)
        detail = translator(lang).gettext("the request has {n} problem(s)", n=len(found))
        return problems.problem(422, lang, detail, context.request_id(request), errors=found)

    @app.exception_handler(HTTPException)
    async def http(request: Request, error: HTTPException) -> Response:
        lang = _lang(request)
        detail = error.detail if isinstance(error.detail, str) else None
        if pages.is_page(request):
            return error_page(request, error.status_code, detail or "")
        return problems.problem(
            error.status_code,
            lang,
            detail,
            context.request_id(request),
            dict(error.headers or {}),
        )

    @app.exception_handler(Exception)
    async def crash(request: Request, error: Exception) -> Response:
        log.exception("request %s failed", context.request_id(request))
        lang = _lang(request)
        detail = translator(lang).gettext(
            "the server could not answer; the request id identifies it in the server's log"
        )
        if pages.is_page(request):
            return error_page(request, 500, f"{detail} ({context.request_id(request)})")
        return problems.problem(500, lang, detail, context.request_id(request))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            app.state.engine.dispose()

    app = FastAPI(
        title="caseload",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    # SQLAlchemy connects on first use; the server's keys are read (or made) then too
    app.state.engine = connect(settings.db)
    app.state.keys = None
    app.middleware("http")(context.middleware)
    _handlers(app)
    for router in ROUTERS + pages.ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(packages=[("caseload.serve", "static")]), name="static")
    return app
