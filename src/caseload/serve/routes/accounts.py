"""Accounts and API tokens, managed by admins; one's own password, changed by anyone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field, field_validator

from caseload.access import accounts, audit, signin, tokens
from caseload.access.errors import AccountError, NotSignedIn
from caseload.i18n import Message
from caseload.operate.refusals import NotFound
from caseload.serve import db
from caseload.serve.guard import Caller, guard, keys_of, settings_of
from caseload.serve.models import AccountOut, Page
from caseload.serve.problems import documented

router = APIRouter(prefix="/api/v1", tags=["accounts"])

Username = Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")
AccountRole = Literal["caseworker", "leader", "analyst", "admin"]
Secret = Field(min_length=1, max_length=1024)


class NewAccount(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    role: AccountRole
    password: str = Secret
    staff: str | None = Field(None, max_length=64, description="A caseworker's or leader's")
    departments: list[str] = Field(default_factory=list, description="A leader's, besides own")
    display_name: str | None = Field(None, max_length=200)
    lang: Literal["da", "en"] = "da"


class AccountChange(BaseModel):
    disable: bool | None = Field(
        None, description="true: no more sign-ins, tokens revoked; false: may sign in again"
    )
    departments: list[str] | None = Field(None, description="A leader's departments")
    password: str | None = Field(None, min_length=1, max_length=1024)


class NewToken(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class TokenOut(BaseModel):
    id: int
    username: str
    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: tokens.Token) -> TokenOut:
        return cls(**token.__dict__)

    @field_validator("created_at", "last_used_at", "revoked_at", mode="before")
    @classmethod
    def in_utc(cls, value: object) -> object:
        """Times are stored in UTC; one read back without its zone (SQLite) gets it again."""
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Issued(BaseModel):
    id: int
    name: str
    role: str
    token: str = Field(description="Shown once: it is not stored and not shown again")


class PasswordChange(BaseModel):
    current: str = Secret
    new: str = Secret


def no_account() -> NotFound:
    return NotFound(Message("no such account"))


@router.get("/accounts", response_model=Page[AccountOut], responses=documented(401, 403, 422))
def list_accounts(
    request: Request,
    role: AccountRole | None = None,
    page: int = Query(1, ge=1, le=100_000),
    size: int = Query(50, ge=1, le=500),
    caller: Caller = guard("accounts.manage"),
) -> Page[AccountOut]:
    """Every account (or one role's), by username; paged."""
    with db.reading(request) as conn:
        found = accounts.accounts(conn, role)
    with db.writing(request) as conn:
        audit.record(conn, caller.event("account.list", None, 200, total=len(found)))
    shown = found[(page - 1) * size : page * size]
    return Page[AccountOut](
        items=[AccountOut.of(a) for a in shown], page=page, size=size, total=len(found)
    )


@router.post(
    "/accounts",
    status_code=201,
    response_model=AccountOut,
    responses=documented(400, 401, 403, 422),
)
def add_account(
    request: Request, body: NewAccount, caller: Caller = guard("accounts.manage")
) -> AccountOut:
    """A new account (a caseworker's or leader's linked to their professional)."""
    with db.writing(request) as conn:
        made = accounts.add_account(
            conn,
            body.username,
            body.role,
            body.password,
            body.display_name,
            body.staff,
            body.departments,
            body.lang,
        )
        audit.record(
            conn, caller.event("account.add", None, 201, account=made.username, role=made.role)
        )
    return AccountOut.of(made)


@router.get(
    "/accounts/{username}", response_model=AccountOut, responses=documented(401, 403, 404, 422)
)
def read_account(
    request: Request, username: str = Username, caller: Caller = guard("accounts.manage")
) -> AccountOut:
    """One account."""
    with db.reading(request) as conn:
        found = accounts.by_username(conn, username)
    if found is None:
        raise no_account()
    with db.writing(request) as conn:
        audit.record(conn, caller.event("account.read", None, 200, account=found.username))
    return AccountOut.of(found)


@router.patch(
    "/accounts/{username}",
    response_model=AccountOut,
    responses=documented(400, 401, 403, 404, 422),
)
def change_account(
    request: Request,
    body: AccountChange,
    username: str = Username,
    caller: Caller = guard("accounts.manage"),
) -> AccountOut:
    """Disable an account (or enable it again), set a leader's departments, or give a new
    password."""
    with db.writing(request) as conn:
        found = accounts.by_username(conn, username)
        if found is None:
            raise no_account()
        name = found.username
        if body.password is not None:
            found = accounts.set_password(conn, name, body.password)
            audit.record(conn, caller.event("account.password", None, 200, account=name))
        if body.departments is not None:
            found = accounts.set_departments(conn, name, body.departments)
            audit.record(
                conn,
                caller.event(
                    "account.departments", None, 200, account=name, departments=body.departments
                ),
            )
        if body.disable:
            found = accounts.disable(conn, name)
            audit.record(conn, caller.event("account.disable", None, 200, account=name))
        elif body.disable is False and not found.active:
            found = accounts.enable(conn, name)
            audit.record(conn, caller.event("account.enable", None, 200, account=name))
        found = accounts.by_id(conn, found.id)
    return AccountOut.of(found)


@router.post(
    "/accounts/{username}/tokens",
    status_code=201,
    response_model=Issued,
    responses=documented(400, 401, 403, 404, 422),
)
def issue_token(
    request: Request,
    body: NewToken,
    username: str = Username,
    caller: Caller = guard("accounts.manage"),
) -> Issued:
    """A new API token acting as the account in its own role; shown once."""
    with db.writing(request) as conn:
        found = accounts.by_username(conn, username)
        if found is None:
            raise no_account()
        token_id, token = tokens.issue(conn, found, body.name)
        audit.record(
            conn, caller.event("token.add", None, 201, account=found.username, token=token_id)
        )
    return Issued(id=token_id, name=body.name.strip(), role=found.role, token=token)


@router.get("/tokens", response_model=Page[TokenOut], responses=documented(401, 403, 422))
def list_tokens(
    request: Request,
    page: int = Query(1, ge=1, le=100_000),
    size: int = Query(50, ge=1, le=500),
    caller: Caller = guard("accounts.manage"),
) -> Page[TokenOut]:
    """Every API token (never the token itself), oldest first; paged."""
    with db.reading(request) as conn:
        found = tokens.listed(conn)
    with db.writing(request) as conn:
        audit.record(conn, caller.event("token.list", None, 200, total=len(found)))
    return Page[TokenOut](
        items=[TokenOut.of(t) for t in found[(page - 1) * size : page * size]],
        page=page,
        size=size,
        total=len(found),
    )


@router.delete(
    "/tokens/{token_id}",
    status_code=204,
    response_class=Response,
    responses=documented(401, 403, 404, 422),
)
def revoke_token(
    request: Request,
    token_id: int = Path(ge=1, le=2**31 - 1, description="The token's id (GET /api/v1/tokens)"),
    caller: Caller = guard("accounts.manage"),
) -> Response:
    """Revoke an API token."""
    with db.writing(request) as conn:
        done = tokens.revoke(conn, token_id)
        if done:
            audit.record(conn, caller.event("token.revoke", None, 204, token=token_id))
    if not done:
        raise NotFound(Message("no such live token"))
    return Response(status_code=204)


@router.put(
    "/me/password",
    status_code=204,
    response_class=Response,
    responses=documented(400, 401, 403, 422, 429),
)
def change_my_password(
    request: Request, body: PasswordChange, caller: Caller = guard("self")
) -> Response:
    """A new password for one's own account (the current one given); sessions end."""
    name = caller.principal.account.username
    wrong = False
    login_key = keys_of(request).login  # before the reading connection: never two at once
    with db.reading(request) as conn:
        attempt = signin.judge(
            conn,
            name,
            body.current,
            caller.client,
            login_key,
            settings_of(request).login_limits,
        )
    with db.writing(request) as conn:
        try:
            signin.settle(conn, attempt)
        except NotSignedIn:
            wrong = True  # the failed attempt is counted (committed) before refusing
        if wrong:
            audit.record(conn, caller.event("self.password", None, 400, denied=True))
    if wrong:
        raise AccountError(Message("the current password is wrong"))
    with db.writing(request) as conn:
        accounts.set_password(conn, name, body.new)
        audit.record(conn, caller.event("self.password", None, 204))
    return Response(status_code=204)
