"""What is wrong with an import: every problem, with file, row, column and reason.

A reason is a :class:`~caseload.i18n.Message`, made before anyone knows who will read it:
``problem.reason`` is the English, ``problem.text(lang)`` the reader's language. In a frame
of problems (``rules.PROBLEM_SCHEMA``) the reason is its msgid and ``params`` its values as
JSON text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import polars as pl

from caseload.i18n import Message, translator


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: Message
    file: str = ""

    @property
    def reason(self) -> str:
        """The reason in English."""
        return str(self.message)

    def text(self, lang: str) -> str:
        """The reason in ``lang``."""
        return translator(lang).message(self.message)

    def _key(self) -> tuple[int, str, str, str]:
        return (self.row, self.column, self.reason, self.file)

    def __lt__(self, other: Problem) -> bool:
        return self._key() < other._key()

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}, column {self.column}: {self.reason}"


class ImportRejected(Exception):
    """The file was refused as a whole; nothing was written."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = sorted(problems)
        super().__init__(f"{file}: {len(self.problems)} problem(s); nothing was imported")


def params_json(params: dict[str, Any]) -> str | None:
    """``params`` as the JSON text of a problem frame's ``params`` column."""
    if not params:
        return None
    return json.dumps(params, ensure_ascii=False, default=_plain)


def _plain(value: Any) -> Any:
    return value.to_json() if isinstance(value, Message) else str(value)


def from_frame(frame: pl.DataFrame, file: str) -> list[Problem]:
    return [
        Problem(
            int(row),
            str(column),
            Message.from_json({"msgid": str(reason), "params": json.loads(params or "{}")}),
            file,
        )
        for row, column, reason, params in frame.select(
            "_row", "column", "reason", "params"
        ).iter_rows()
    ]
