"""The case-flow tables of a period."""

from __future__ import annotations

import polars as pl
from rich.console import Console
from rich.table import Table

from caseload.i18n import translator
from caseload.operate.caseflow import CaseFlow
from caseload.operate.caseflow_words import COLUMNS, TITLES, cell


def case_flow(console: Console, flow: CaseFlow, lang: str) -> None:
    tr = translator(lang)
    console.print(
        tr.gettext(
            "Case flow {first} to {last}",
            first=tr.date(flow.period.first),
            last=tr.date(flow.period.last),
        )
    )
    for name, frame in flow.tables.items():
        console.print(
            frame_table(tr.gettext(TITLES[name]) if name in TITLES else name, frame, lang)
        )


def frame_table(title: str, frame: pl.DataFrame, lang: str) -> Table:
    """A frame as a table, columns named in the reader's language where a heading exists."""
    _ = translator(lang).gettext
    table = Table(title=title)
    for column in frame.columns:
        heading = _(COLUMNS[column]) if column in COLUMNS else column
        table.add_column(heading, justify="left" if frame.schema[column] == pl.Utf8 else "right")
    for row in frame.iter_rows():
        table.add_row(*(cell(c, v, lang) for c, v in zip(frame.columns, row, strict=True)))
    return table
