"""What is wrong with an import: every problem, with file, row, column and reason."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True, order=True)
class Problem:
    row: int
    column: str
    reason: str
    file: str = ""

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}, column {self.column}: {self.reason}"


class ImportRejected(Exception):
    """The file was refused as a whole; nothing was written."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = sorted(problems)
        super().__init__(f"{file}: {len(self.problems)} problem(s); nothing was imported")


def from_frame(frame: pl.DataFrame, file: str) -> list[Problem]:
    return [
        Problem(int(row), str(column), str(reason), file)
        for row, column, reason in frame.select("_row", "column", "reason").iter_rows()
    ]
