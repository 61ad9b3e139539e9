"""CSV injection: a cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read as a formula when the CSV is opened in Excel or LibreOffice. CSV exports
neutralise such a text cell the OWASP way, with a leading apostrophe; CSV imports remove
exactly that apostrophe, so export → import stays a no-op.

A text that already begins with apostrophes before such a character gets one more on
export and loses one on import, so every text survives the round trip unchanged.
Numbers and dates are not text columns and are never touched (``-3`` stays a number).
"""

from __future__ import annotations

import polars as pl

_EXPORTED = r"^'*[=+\-@\t\r]"
"""A text Excel would read as a formula (also behind apostrophes a user typed)."""
_IMPORTED = r"^'+[=+\-@\t\r]"
"""An exported, neutralised cell: at least one apostrophe, then a formula character."""


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame to write as CSV: every risky text cell behind one more apostrophe."""
    texts = [c for c, kind in frame.schema.items() if kind == pl.Utf8]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_EXPORTED))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in texts
    )


def restore(frame: pl.DataFrame) -> pl.DataFrame:
    """A read CSV frame (all text) with the export's apostrophe taken off again."""
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_IMPORTED))
        .then(pl.col(c).str.slice(1))
        .otherwise(pl.col(c))
        .alias(c)
        for c in frame.columns
        if frame.schema[c] == pl.Utf8
    )
