"""Who is asking: the account behind a session or a token, with the role it acts in."""

from __future__ import annotations

from dataclasses import dataclass

from caseload.access.accounts import Account


@dataclass(frozen=True)
class Principal:
    account: Account
    role: str
    """The role this request acts in: the account's, or the token's (never more)."""
    via: str
    """``session`` (a browser's cookie) or ``token`` (another system's bearer token)."""

    @property
    def username(self) -> str:
        return self.account.username

    @property
    def lang(self) -> str:
        return self.account.lang
