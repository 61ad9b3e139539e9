"""The consoles the commands print to: whole rows, never cut.

On a terminal a table gets the terminal's width; a cell too long for it is folded onto the
next line (every character kept), never shortened with "…". When the output goes to a pipe
or a file (``caseload status | grep``, CI logs), nobody's window limits it: the tables get
all the width they need, whatever ``COLUMNS`` says."""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from caseload.domain.cpr import masked

PIPED_WIDTH = 10_000
"""Columns for output that is not a terminal: wider than any table the commands print, so
none is cut (tables take the width they need, not this)."""

ERRORS_PIPED_WIDTH = 120
"""Columns for messages on a standard error that is not a terminal (lines, not tables)."""


class Whole(Console):
    """A console that folds a table's cells instead of cutting them."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        for item in objects:
            if isinstance(item, Table):
                folded(item)
        super().print(*objects, **kwargs)


def folded(table: Table) -> Table:
    """``table`` with every column wrapping, then folding, what does not fit (no "…", no
    dropped text): a table as wide as its window wraps its cells, one that fits is as drawn."""
    for column in table.columns:
        column.overflow = "fold"
        column.no_wrap = False
    return table


def console() -> Console:
    """Standard output: the terminal's width, or room for every column when piped."""
    return Whole(width=None if sys.stdout.isatty() else PIPED_WIDTH)


class Said(Whole):
    """Standard error's console: a message never repeats a CPR-like number a user typed
    (as a code, an option's value, a cell of a file), whatever the message."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(masked(o) if isinstance(o, str) else o for o in objects), **kwargs)


def error_console() -> Console:
    """Standard error: messages, one per line, CPR-like numbers masked."""
    return Said(stderr=True, width=None if sys.stderr.isatty() else ERRORS_PIPED_WIDTH)
