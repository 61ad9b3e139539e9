"""Signing in and out, for the API's session route and the web app's login page alike: a
sign-in checks the password (Argon2, on a reading connection), starts a new session (any
earlier one on this browser ends: no session fixation) and sets the signed, HttpOnly
session cookie and the CSRF cookie; every attempt is audited, failures too."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Response

from caseload.access import audit, sessions, signin
from caseload.access.accounts import Account
from caseload.access.errors import NotSignedIn, Throttled
from caseload.serve import db
from caseload.serve.context import client_address, request_id
from caseload.serve.guard import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Caller,
    csrf_token,
    keys_of,
    session_id,
    settings_of,
    signer,
)


@dataclass(frozen=True)
class Started:
    account: Account
    session: str
    csrf: str


def sign_in(request: Request, username: str, password: str) -> Started:
    """A new session for ``username``; ``NotSignedIn`` or ``Throttled`` otherwise (the
    attempt counted and audited before either is raised)."""
    settings = settings_of(request)
    client = client_address(request, settings)
    # the password is checked on a reading connection: no writer waits for Argon2; the
    # login key is read first, so that a request never holds two connections at once
    login_key = keys_of(request).login
    try:
        with db.reading(request) as conn:
            attempt = signin.judge(
                conn, username, password, client, login_key, settings.login_limits
            )
    except Throttled as error:
        _failed(request, client, error)
        raise
    failure: NotSignedIn | None = None
    with db.writing(request) as conn:
        try:
            account = signin.settle(conn, attempt)
        except NotSignedIn as error:
            failure = error  # the attempt is counted: this transaction commits
        else:
            earlier = session_id(request)
            if earlier is not None:
                sessions.end(conn, earlier)
            new = sessions.start(conn, account.id)
            audit.record(
                conn,
                audit.Event(
                    action="login",
                    request_id=request_id(request),
                    account_id=account.id,
                    username=account.username,
                    role=account.role,
                    client=client,
                    status=200,
                ),
            )
    if failure is not None:
        _failed(request, client, failure)
        raise failure
    return Started(account, new, csrf_token(request, new))


def set_cookies(request: Request, response: Response, started: Started) -> None:
    secure = settings_of(request).secure_cookies
    response.set_cookie(
        SESSION_COOKIE,
        signer(request).dumps(started.session),
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE, started.csrf, httponly=False, samesite="strict", secure=secure, path="/"
    )


def sign_out(request: Request, response: Response, caller: Caller, status: int) -> None:
    """End the caller's session (audited) and clear the cookies on ``response``."""
    sid = session_id(request)
    with db.writing(request) as conn:
        if sid is not None:
            sessions.end(conn, sid)
        audit.record(conn, caller.event("logout", status=status))
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


def _failed(request: Request, client: str, error: Exception) -> None:
    with db.writing(request) as conn:
        audit.record(
            conn,
            audit.Event(
                action="login.failed" if isinstance(error, NotSignedIn) else "login.throttled",
                request_id=request_id(request),
                client=client,
                status=401 if isinstance(error, NotSignedIn) else 429,
            ),
        )
