"""Who is calling and whether they may: the one dependency every API route declares
(``guard("case.read")``). It signs the caller in from a bearer token or the session
cookie, checks CSRF on a state-changing request made with the cookie, and checks the
role against ``access.rules`` — recording every refusal in the audit trail. Scope (which
citizens, which department) is judged in the route through ``access.scope``."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from itsdangerous import BadSignature, URLSafeTimedSerializer

from caseload.access import audit, rules, sessions, tokens
from caseload.access.errors import Denied, NotSignedIn
from caseload.access.principal import Principal
from caseload.access.secrets import secret
from caseload.domain.cpr import has_cpr_shape
from caseload.i18n import Message
from caseload.serve import db
from caseload.serve.context import client_address, language, request_id
from caseload.serve.settings import Settings

SESSION_COOKIE = "caseload_session"
CSRF_COOKIE = "caseload_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Keys:
    cookie: bytes
    csrf: bytes
    login: bytes
    """Keys the login-throttle hashes of usernames."""


@dataclass(frozen=True)
class Caller:
    """The signed-in caller of one request, with what the audit trail needs."""

    principal: Principal
    lang: str
    request_id: str
    client: str
    day: date
    """The register day this server reads caseloads and scopes on."""

    def event(
        self, action: str, citizen: str | None = None, status: int = 200, **detail: Any
    ) -> audit.Event:
        account = self.principal.account
        return audit.Event(
            action=action,
            request_id=self.request_id,
            account_id=account.id,
            username=account.username,
            role=self.principal.role,
            citizen=safe_code(citizen),
            client=self.client,
            status=status,
            detail=detail,
        )


def safe_code(code: str | None) -> str | None:
    """A citizen code for the audit trail; one that looks like a CPR number is not kept."""
    if code is None or has_cpr_shape(code) or sum(ch.isdigit() for ch in code) >= 10:
        return None
    return code[:64]


def settings_of(request: Request) -> Settings:
    found: Settings = request.app.state.settings
    return found


def keys_of(request: Request) -> Keys:
    """The server's keys, read from the register (made there on first use, in a write
    transaction) once per worker."""
    keys: Keys | None = request.app.state.keys
    if keys is None:
        with db.writing(request) as conn:
            keys = Keys(*(secret(conn, name) for name in ("cookie", "csrf", "login")))
        request.app.state.keys = keys
    return keys


def signer(request: Request) -> URLSafeTimedSerializer:
    keys = keys_of(request)
    return URLSafeTimedSerializer(keys.cookie, salt="caseload-session")


def csrf_token(request: Request, session_id: str) -> str:
    """The session's CSRF token: a keyed hash of its id (nothing more to store)."""
    keys = keys_of(request)
    return hmac.new(keys.csrf, session_id.encode(), hashlib.sha256).hexdigest()


def session_id(request: Request) -> str | None:
    """The session id in a validly signed cookie younger than the absolute timeout."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        value = signer(request).loads(
            cookie, max_age=int(settings_of(request).absolute.total_seconds())
        )
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def _bearer(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


def authenticate(request: Request, csrf: str | None = None) -> Principal:
    """The caller from a bearer token or the session cookie; ``NotSignedIn`` otherwise. A
    change made with the cookie must carry the CSRF token: the header, or ``csrf`` (a web
    form's hidden field)."""
    settings = settings_of(request)
    token = _bearer(request)
    if token is not None:
        with db.reading(request) as conn:
            held = tokens.holder(conn, token)
        if held is None:
            raise NotSignedIn(Message("the API token is not valid (unknown or revoked)"))
        account, role, stale = held
        if stale:
            with db.writing(request) as conn:
                tokens.touch(conn, token)
        return Principal(account, role, "token")
    sid = session_id(request)
    if sid is None:
        raise NotSignedIn(Message("sign in first: no session, or it has ended"))
    with db.reading(request) as conn:
        live = sessions.resume(conn, sid, settings.idle, settings.absolute)
    if live is None:
        raise NotSignedIn(Message("sign in first: no session, or it has ended"))
    account, stale = live
    if request.method not in SAFE_METHODS:
        given = request.headers.get(CSRF_HEADER) or csrf or ""
        if not hmac.compare_digest(given, csrf_token(request, sid)):
            raise Denied(
                Message(
                    "the request lacks a valid CSRF token (the {header} header); "
                    "nothing was changed",
                    {"header": CSRF_HEADER},
                )
            )
    if stale:
        with db.writing(request) as conn:
            sessions.touch(conn, sid)
    return Principal(account, account.role, "session")


def caller_of(request: Request, principal: Principal) -> Caller:
    settings = settings_of(request)
    return Caller(
        principal=principal,
        lang=language(request, principal.lang),
        request_id=request_id(request),
        client=client_address(request, settings),
        day=settings.today(),
    )


def record_refusal(
    request: Request, caller: Caller, action: str, status: int, citizen: str | None = None
) -> None:
    """A refusal in the audit trail, in its own short transaction."""
    with db.writing(request) as conn:
        audit.record(conn, caller.event(action, citizen, status, denied=True))


def record_list(
    request: Request, caller: Caller, action: str, citizens: Iterable[str], **detail: Any
) -> None:
    """A list read in the audit trail: a row per citizen shown, in its own short
    transaction right after the answer is built."""
    shown = [code for code in (safe_code(c) for c in citizens) if code is not None]
    with db.writing(request) as conn:
        audit.record_each(conn, caller.event(action, None, 200, **detail), shown)


def admit(request: Request, action: str, csrf: str | None = None) -> Caller:
    """The signed-in caller when their role may do ``action``; ``NotSignedIn`` or
    ``Denied`` (audited) otherwise."""
    principal = authenticate(request, csrf)
    caller = caller_of(request, principal)
    request.state.caller = caller
    if not rules.allows(principal.role, action):
        record_refusal(request, caller, action, 403)
        raise Denied(
            Message(
                "your role ({role}) may not {what}",
                {
                    "role": Message(rules.ROLE_NAMES[principal.role]),
                    "what": Message(rules.RULES[action].what),
                },
            )
        )
    return caller


class SignInFirst(Exception):
    """A page asked for without a session: the login page, then back to it."""


def page_guard(action: str) -> Any:
    """``guard`` for the web app's pages: a form posted without JavaScript carries its CSRF
    token as the ``csrf_token`` field, and no session means the login page, not a 401."""
    if action not in rules.RULES:
        raise KeyError(f"no access rule for {action!r}")

    async def dependency(request: Request) -> Caller:
        given = None
        if request.method not in SAFE_METHODS and CSRF_HEADER not in request.headers:
            field = (await request.form()).get("csrf_token")
            given = field if isinstance(field, str) else None
        try:
            caller = await run_in_threadpool(admit, request, action, given)
        except NotSignedIn:
            raise SignInFirst() from None
        # pages come in the language kept on the account, whatever the browser asks for
        caller = replace(caller, lang=caller.principal.account.lang)
        request.state.caller = caller
        return caller

    dependency.action = action  # type: ignore[attr-defined]
    return Depends(dependency)


def guard(action: str) -> Any:
    """The dependency a route declares: the signed-in caller, when their role may do
    ``action`` (``access.rules``); 401 or 403 otherwise (a 403 is audited)."""
    if action not in rules.RULES:
        raise KeyError(f"no access rule for {action!r}")

    def dependency(request: Request) -> Caller:
        return admit(request, action)

    dependency.action = action  # type: ignore[attr-defined]
    return Depends(dependency)


def action_of(call: Callable[..., Any]) -> str | None:
    """The access rule's action a guard dependency checks (for the access-matrix test)."""
    return getattr(call, "action", None)


def public() -> Any:
    """The dependency of the few routes anyone may call (health, signing in, the OpenAPI
    document): no caller; marked so that the access-matrix test knows it is meant."""

    def dependency() -> None:
        return None

    dependency.action = "public"  # type: ignore[attr-defined]
    return Depends(dependency)
