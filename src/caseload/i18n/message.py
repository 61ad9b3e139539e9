"""A deferred message and the gettext_noop marker (no translation happens here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction without translating it (gettext_noop): for text kept
    in tables (code labels, column headings) and translated where it is shown."""
    return msgid


@dataclass(frozen=True)
class Message:
    """A message to be rendered later, in the reader's language.

    ``msgid`` is the English source text with ``{name}`` placeholders; ``params`` fills
    them. A parameter may itself be a :class:`Message` (translated too). Never put a CPR
    number or health information into ``params``: they are shown to users.

    Write ``Message("literal text", {...})``: extraction (``-k Message``) finds the msgid
    only as a string literal in the call.
    """

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        """The English text, days as ISO days (for logs and tests; a reader gets
        ``translator(lang).message(m)``)."""
        from caseload.i18n.translator import translator

        return translator("en").message(self, plain=True)

    def __hash__(self) -> int:
        return hash((self.msgid, tuple(sorted(self.params.items(), key=str))))

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able form (nested messages too), e.g. to travel in a data frame."""
        return {
            "msgid": self.msgid,
            "params": {
                k: v.to_json() if isinstance(v, Message) else v for k, v in self.params.items()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Message:
        params = {
            k: cls.from_json(v) if isinstance(v, dict) and "msgid" in v else v
            for k, v in dict(data.get("params") or {}).items()
        }
        return cls(str(data["msgid"]), params)
