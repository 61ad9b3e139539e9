"""Readable ids for synthetic rows."""

from __future__ import annotations

import numpy as np
import polars as pl


def sequence_codes(prefix: str, count: int, order: np.ndarray | None = None) -> pl.Series:
    """Codes like C0000042: a prefix and a zero-padded number (1..count, or ``order``)."""
    numbers = pl.Series(
        "n", order if order is not None else np.arange(1, count + 1), dtype=pl.Int64
    )
    width = max(7, len(str(count)))
    return (
        numbers.to_frame()
        .select(pl.lit(prefix) + pl.col("n").cast(pl.Utf8).str.zfill(width))
        .to_series()
    )
