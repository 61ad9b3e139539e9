"""Per request: its id (``X-Request-ID`` when the caller gives a sane one), the client's
address (``X-Forwarded-For`` only from a trusted proxy), the reader's language, and one
log line per request that names the route's template, never its concrete path (a path may
hold an id someone typed)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import Request, Response

from caseload.i18n import LANGS
from caseload.serve.settings import Settings

log = logging.getLogger("caseload.serve")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "-"))


def client_address(request: Request, settings: Settings) -> str:
    """The caller's address: the connection's, or — when that is a trusted proxy — the
    nearest address in ``X-Forwarded-For`` that is not a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    if not settings.trusted_proxies or not settings.is_trusted(peer):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not settings.is_trusted(hop):
            return hop[:64]
    return peer


def language(request: Request, fallback: str) -> str:
    """The first of da/en in ``Accept-Language`` by its weight; else ``fallback``."""
    header = request.headers.get("accept-language", "")
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        lang = tag.strip().lower().split("-")[0]
        if lang in LANGS and weight > 0:
            ranked.append((-weight, order, lang))
    return sorted(ranked)[0][2] if ranked else fallback


async def middleware(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    given = request.headers.get("x-request-id", "")
    request.state.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    started = time.perf_counter()
    too_large = _declared_too_large(request)
    response = too_large if too_large is not None else await call_next(request)
    route = request.scope.get("route")
    template = getattr(route, "path", "(no route)")
    response.headers["X-Request-ID"] = request.state.request_id
    log.info(
        "%s %s %s %.1f ms request=%s",
        request.method,
        template,
        response.status_code,
        (time.perf_counter() - started) * 1000,
        request.state.request_id,
    )
    return response


UPLOAD_PREFIX = "/api/v1/imports/"
FORM_OVERHEAD = 64 * 1024
"""Bytes a multipart form adds around the file (boundaries, headers, other fields)."""


def _declared_too_large(request: Request) -> Response | None:
    """An upload whose declared length is past the limit is refused before a byte of it is
    read (413); one sent without a length is counted as it is copied (routes/imports.py)."""
    if request.method != "POST" or not request.url.path.startswith(UPLOAD_PREFIX):
        return None
    settings: Settings = request.app.state.settings
    try:
        declared = int(request.headers.get("content-length", "0"))
    except ValueError:
        declared = 0
    if declared <= settings.upload_limit + FORM_OVERHEAD:
        return None
    from caseload.i18n import translator
    from caseload.serve.problems import problem

    lang = language(request, settings.default_lang)
    detail = translator(lang).gettext(
        "the file is larger than {limit} bytes; nothing was imported",
        limit=translator(lang).count(settings.upload_limit),
    )
    return problem(413, lang, detail, request.state.request_id)
