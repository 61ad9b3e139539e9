"""Why the operate face says no: every refusal is a list of reasons, each an i18n key with
its values, so a caseworker reads it in Danish or English (``message(lang)``); ``str()`` is
the English, for logs and tests.

The values are codes (citizen ids, staff codes, dates, numbers), never a CPR number: an id
typed by the user is shown only when it cannot be one (``shown_id``).
"""

from __future__ import annotations

import re
from typing import Any, Self

from caseload.i18n import t

_LOOKS_LIKE_CPR = re.compile(r"^\D*\d{6}\D?\d{4}\D*$")


class Hidden:
    """An id left out of a message because it looks like a CPR number."""


def shown_id(value: str) -> str | Hidden:
    """The id as typed (quoted), unless it looks like a CPR number: then it is never
    repeated, and the message says why."""
    return Hidden() if _LOOKS_LIKE_CPR.match(value) else repr(value)


class _Said(Exception):
    """An error made of (key, values) reasons, rendered in the reader's language."""

    joiner = "; "

    def __init__(self, key: str, **values: Any) -> None:
        self.reasons: list[tuple[str, dict[str, Any]]] = [(key, values)]
        super().__init__(key)

    @classmethod
    def of(cls, reasons: list[tuple[str, dict[str, Any]]]) -> Self:
        error = cls(reasons[0][0], **reasons[0][1])
        error.reasons = list(reasons)
        return error

    def message(self, lang: str = "en") -> str:
        def said(value: Any) -> Any:
            return t("hidden_cpr", lang) if isinstance(value, Hidden) else value

        return self.joiner.join(
            t(key, lang, **{k: said(v) for k, v in values.items()}) for key, values in self.reasons
        )

    def __str__(self) -> str:
        return self.message("en")


class Refused(_Said, ValueError):
    """The change breaks a rule; say which (and how to override it, if that is allowed)."""


class NotFound(_Said, LookupError):
    """A department, professional or citizen the command names is not in the register."""


class Conflict(_Said, RuntimeError):
    """Someone else changed the citizen's case after this user read it."""


class CannotPlace(_Said, ValueError):
    """Applying a plan that breaks a cap or leaves citizens without room is refused."""
