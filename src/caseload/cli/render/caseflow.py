"""The case-flow tables of a period."""

from __future__ import annotations

import polars as pl
from rich.console import Console
from rich.table import Table

from caseload.i18n import t
from caseload.operate.caseflow import CaseFlow


def case_flow(console: Console, flow: CaseFlow, lang: str) -> None:
    console.print(t("caseflow_title", lang, first=flow.period.first, last=flow.period.last))
    for name, frame in flow.tables.items():
        console.print(frame_table(t(f"cf_{name}", lang), frame, lang))


def frame_table(title: str, frame: pl.DataFrame, lang: str) -> Table:
    """A frame as a table, columns named in the reader's language where a label exists."""
    table = Table(title=title)
    for column in frame.columns:
        key = f"col_{column}"
        try:
            label = t(key, lang)
        except KeyError:
            label = column
        table.add_column(label, justify="left" if frame.schema[column] == pl.Utf8 else "right")
    for row in frame.iter_rows():
        table.add_row(
            *("" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v) for v in row)
        )
    return table
