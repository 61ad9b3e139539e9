"""Why the operate face says no: every refusal is a list of reasons, each a deferred
:class:`~caseload.i18n.Message`, so a caseworker reads it in Danish or English
(``message(lang)``); ``str()`` is the English, for logs and tests.

The values are codes (citizen ids, staff codes, dates, numbers), never a CPR number: an id
typed by the user is shown only when it cannot be one (``shown_id``).
"""

from __future__ import annotations

import re
from typing import Self

from caseload.domain.cpr import held_in, looks_like_cpr
from caseload.i18n import Message, translator

_LOOKS_LIKE_CPR = re.compile(r"^\D*\d{6}\D?\d{4}\D*$")

HIDDEN_CPR = Message("(not repeated: it looks like a CPR number, which is never an id)")
"""Said in place of an id that looks like a CPR number."""


def shown_id(value: str) -> str | Message:
    """The id as typed (quoted), unless it looks like a CPR number: then it is never
    repeated, and the message says why."""
    hidden = _LOOKS_LIKE_CPR.match(value) or looks_like_cpr(value)
    return HIDDEN_CPR if hidden else repr(value)


class _Said(Exception):
    """An error made of reasons (messages), rendered in the reader's language."""

    joiner = "; "

    def __init__(self, reason: Message) -> None:
        self.reasons: list[Message] = [reason]
        super().__init__(reason.msgid)

    @classmethod
    def of(cls, reasons: list[Message]) -> Self:
        error = cls(reasons[0])
        error.reasons = list(reasons)
        return error

    def message(self, lang: str = "en") -> str:
        tr = translator(lang)
        return self.joiner.join(tr.message(reason) for reason in self.reasons)

    def __str__(self) -> str:
        """The English, days as ISO days (logs and tests), as ``str(Message)``."""
        return self.joiner.join(str(reason) for reason in self.reasons)


class Refused(_Said, ValueError):
    """The change breaks a rule; say which (and how to override it, if that is allowed)."""


def refuse_cpr(value: str | None, option: str) -> None:
    """Refuse a free text or name the user typed (an override reason, a correction's
    reason, who made it) that holds what looks like a CPR number: it would be stored and
    shown again. The number is not repeated."""
    refusal = held_in(value, option)
    if refusal is not None:
        raise Refused(refusal)


class NotFound(_Said, LookupError):
    """A department, professional or citizen the command names is not in the register."""


class Conflict(_Said, RuntimeError):
    """Someone else changed the citizen's case after this user read it."""


class CannotPlace(_Said, ValueError):
    """Applying a plan that breaks a cap or leaves citizens without room is refused."""
