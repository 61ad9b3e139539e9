"""What the access layer refuses, said in the reader's language (i18n Messages)."""

from __future__ import annotations

from caseload.i18n import Message, Said


class AccountError(Said, ValueError):
    """An account cannot be made or changed as asked (a taken name, a weak password …)."""


class NotSignedIn(Said, PermissionError):
    """No valid session or token: sign in (401)."""


class Denied(Said, PermissionError):
    """The caller's role may not do this (403); the message says which role may."""


class Throttled(Said, PermissionError):
    """Too many failed sign-ins for this account or from this address (429)."""

    def __init__(self, message: Message, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
