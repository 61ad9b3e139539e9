"""Signing in and out, and who I am. A sign-in starts a new session (any earlier one on
this browser ends: no session fixation) in a signed, HttpOnly, SameSite cookie, and
returns the CSRF token every change made with that cookie must send back."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from caseload.access import audit, sessions, signin
from caseload.access.errors import NotSignedIn, Throttled
from caseload.serve import db
from caseload.serve.context import client_address, request_id
from caseload.serve.guard import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Caller,
    csrf_token,
    guard,
    keys_of,
    public,
    session_id,
    settings_of,
    signer,
)
from caseload.serve.models import AccountOut
from caseload.serve.problems import documented

router = APIRouter(prefix="/api/v1", tags=["session"])


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class SignedIn(BaseModel):
    account: AccountOut
    csrf_token: str = Field(description="Send it as X-CSRF-Token on every change")


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


@router.post(
    "/session",
    response_model=SignedIn,
    responses=documented(400, 401, 422, 429),
    dependencies=[public()],
)
def sign_in(request: Request, response: Response, credentials: Credentials) -> SignedIn:
    """Sign in: a new session cookie and the CSRF token for changes (throttled after
    failed attempts)."""
    settings = settings_of(request)
    client = client_address(request, settings)
    failure: NotSignedIn | Throttled | None = None
    # the password is checked on a reading connection: no writer waits for Argon2
    login_key = keys_of(request).login  # before the reading connection: never two at once
    try:
        with db.reading(request) as conn:
            attempt = signin.judge(
                conn,
                credentials.username,
                credentials.password,
                client,
                login_key,
                settings.login_limits,
            )
    except Throttled as error:
        _failed(request, client, error)
        raise
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
    token = csrf_token(request, new)
    response.set_cookie(
        SESSION_COOKIE,
        signer(request).dumps(new),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE,
        token,
        httponly=False,
        samesite="strict",
        secure=settings.secure_cookies,
        path="/",
    )
    return SignedIn(account=AccountOut.of(account), csrf_token=token)


@router.delete("/session", status_code=204, responses=documented(401, 403), response_class=Response)
def sign_out(request: Request, caller: Caller = guard("self")) -> Response:
    """Sign out: the session ends."""
    sid = session_id(request)
    with db.writing(request) as conn:
        if sid is not None:
            sessions.end(conn, sid)
        audit.record(conn, caller.event("logout", status=204))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me", response_model=AccountOut, responses=documented(401, 403))
def me(caller: Caller = guard("self")) -> AccountOut:
    """Who I am: the account, its role, staff code and departments."""
    return AccountOut.of(caller.principal.account)
