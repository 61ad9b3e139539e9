"""An error whose text is a :class:`Message`: ``str(error)`` is the English (for logs and
tests), ``error.text(lang)`` the reader's language."""

from __future__ import annotations

from caseload.i18n.message import Message


class Said(Exception):
    """An error made of one message, rendered in the reader's language where it is shown.

    Subclass it together with the built-in kind (``class DesignError(Said, ValueError)``)
    and raise ``DesignError(Message("…", {...}))``; a command prints
    ``translator(lang).message(error.message)``. Never put a CPR number into the params.
    """

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(message)  # args hold the Message, so the error pickles whole

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        from caseload.i18n.translator import translator

        return translator(lang).message(self.message)

    def __str__(self) -> str:
        return str(self.message)
