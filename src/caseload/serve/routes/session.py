"""Signing in and out, and who I am. A sign-in starts a new session (any earlier one on
this browser ends: no session fixation) in a signed, HttpOnly, SameSite cookie, and
returns the CSRF token every change made with that cookie must send back."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from caseload.serve import signing
from caseload.serve.guard import Caller, guard, public
from caseload.serve.models import AccountOut
from caseload.serve.problems import documented

router = APIRouter(prefix="/api/v1", tags=["session"])


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class SignedIn(BaseModel):
    account: AccountOut
    csrf_token: str = Field(description="Send it as X-CSRF-Token on every change")


@router.post(
    "/session",
    response_model=SignedIn,
    responses=documented(400, 401, 422, 429),
    dependencies=[public()],
)
def sign_in(request: Request, response: Response, credentials: Credentials) -> SignedIn:
    """Sign in: a new session cookie and the CSRF token for changes (throttled after
    failed attempts)."""
    started = signing.sign_in(request, credentials.username, credentials.password)
    signing.set_cookies(request, response, started)
    return SignedIn(account=AccountOut.of(started.account), csrf_token=started.csrf)


@router.delete("/session", status_code=204, responses=documented(401, 403), response_class=Response)
def sign_out(request: Request, caller: Caller = guard("self")) -> Response:
    """Sign out: the session ends."""
    response = Response(status_code=204)
    signing.sign_out(request, response, caller, 204)
    return response


@router.get("/me", response_model=AccountOut, responses=documented(401, 403))
def me(caller: Caller = guard("self")) -> AccountOut:
    """Who I am: the account, its role, staff code and departments."""
    return AccountOut.of(caller.principal.account)
