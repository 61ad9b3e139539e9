"""The optimiser's cost points as users write them: ``change=1000000,previous=10000``."""

from __future__ import annotations

from dataclasses import fields, replace

from caseload.i18n import Message, Said
from caseload.operate.optimise import Preferences


class WeightsError(Said, ValueError):
    """A part of the text that is not ``name=points`` with a known name."""

    def __init__(self, part: str, names: list[str]) -> None:
        super().__init__(
            Message(
                "{part!r} is not name=points with a name among {names}",
                {"part": part, "names": ", ".join(names)},
            )
        )
        self.part = part
        self.names = names


def parse_preferences(text: str | None) -> Preferences | None:
    """``name=points,…`` over the defaults; None when nothing is given."""
    if not text:
        return None
    names = {f.name for f in fields(Preferences)}
    values: dict[str, int] = {}
    for part in text.split(","):
        name, _, number = part.partition("=")
        name = name.strip()
        if name not in names or not number.strip().isdigit():
            raise WeightsError(part.strip(), sorted(names))
        values[name] = int(number)
    return replace(Preferences(), **values)
