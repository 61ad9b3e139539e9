"""Read CSV, Excel (.xlsx) and Parquet files into frames of text cells with row numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from caseload.i18n import Message
from caseload.register.problems import ImportRejected, Problem

ROW = "_row"
SUFFIXES = (".csv", ".txt", ".xlsx", ".parquet")


def read(path: Path) -> pl.DataFrame:
    """All cells as trimmed text (empty → null), plus ``_row``: the row number a user sees."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise ImportRejected(str(path), [Problem(0, "-", Message("file not found"), str(path))])
    if suffix in (".csv", ".txt"):
        frame, first = _csv(path), 2
    elif suffix == ".xlsx":
        frame, first = _xlsx(path), 2
    elif suffix == ".parquet":
        frame, first = _parquet(path), 1
    else:
        raise ImportRejected(
            str(path),
            [
                Problem(
                    0,
                    "-",
                    Message(
                        "unsupported file type {suffix!r}; use {suffixes}",
                        {"suffix": suffix, "suffixes": ", ".join(SUFFIXES)},
                    ),
                    str(path),
                )
            ],
        )
    frame = frame.rename({c: c.strip().lstrip("\ufeff").lower() for c in frame.columns})
    cleaned = frame.with_columns(
        pl.col(c).str.strip_chars().replace("", None) for c in frame.columns
    )
    return cleaned.with_row_index(ROW, offset=first).with_columns(pl.col(ROW).cast(pl.Int64))


def _csv(path: Path) -> pl.DataFrame:
    with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
        header = handle.readline()
    # Danish Excel writes ';'-separated CSV (the comma is the decimal mark)
    separator = ";" if header.count(";") > header.count(",") else ","
    try:
        return pl.read_csv(
            path,
            separator=separator,
            infer_schema=False,
            encoding="utf8-lossy",
            empty_string_is_null=False,
        )
    except pl.exceptions.PolarsError as error:
        raise ImportRejected(
            str(path),
            [
                Problem(
                    0,
                    "-",
                    Message("not a readable CSV file: {error}", {"error": str(error)}),
                    str(path),
                )
            ],
        ) from None


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx(path: Path) -> pl.DataFrame:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several unrelated types for a bad file
        raise ImportRejected(
            str(path),
            [
                Problem(
                    0,
                    "-",
                    Message("not a readable .xlsx file: {error}", {"error": str(error)}),
                    str(path),
                )
            ],
        ) from None
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = [str(h) if h is not None else "" for h in next(rows, ())]
    body = [[_cell(v) for v in row[: len(header)]] for row in rows]
    book.close()
    while body and all(v is None for v in body[-1]):
        body.pop()
    return pl.DataFrame(body, schema={h: pl.Utf8 for h in header}, orient="row")


def _parquet(path: Path) -> pl.DataFrame:
    frame = pl.read_parquet(path)
    return frame.with_columns(pl.col(c).cast(pl.Utf8) for c in frame.columns)
