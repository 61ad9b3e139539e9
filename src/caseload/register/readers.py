"""Read CSV, Excel (.xlsx) and Parquet files into frames of text cells with row numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import polars as pl

from caseload.i18n import Message
from caseload.register import encodings, formulas
from caseload.register.problems import ImportRejected, Problem

ROW = "_row"
SUFFIXES = (".csv", ".txt", ".xlsx", ".parquet")


def read(
    path: Path, encoding: str | None = None, notes: list[Message] | None = None
) -> pl.DataFrame:
    """All cells as trimmed text (empty → null), plus ``_row``: the row number a user sees.
    A text file is read in ``encoding``, else as its byte-order mark or UTF-8 says, else as
    Windows-1252 (then a line about it is added to ``notes``)."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise ImportRejected(str(path), [Problem(0, "-", Message("file not found"), str(path))])
    if suffix in (".csv", ".txt"):
        frame, first = _csv(path, encoding, notes), 2
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


def _csv(path: Path, encoding: str | None, notes: list[Message] | None) -> pl.DataFrame:
    decoded = encodings.decode(path, encoding)
    if decoded.fell_back and notes is not None:
        notes.append(
            Message(
                "{file} is not UTF-8: read as Windows-1252 (Danish Excel's CSV); give "
                "--encoding to choose another",
                {"file": path.name},
            )
        )
    if not decoded.data.strip():
        raise ImportRejected(str(path), [Problem(0, "-", Message("the file is empty"), str(path))])
    header = decoded.data.split(b"\n", 1)[0]
    # Danish Excel writes ';'-separated CSV (the comma is the decimal mark), and its
    # "Unicode text" tab-separated
    counts = {sep: header.count(sep.encode()) for sep in (",", ";", "\t")}
    separator = max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","
    try:
        # the apostrophe an export put before a formula-like text comes off again
        return formulas.restore(
            pl.read_csv(
                decoded.data,
                separator=separator,
                infer_schema=False,
                empty_string_is_null=False,
            )
        )
    except pl.exceptions.PolarsError as error:
        raise ImportRejected(
            str(path), [_unreadable_csv(path, decoded.data, separator, error)]
        ) from None


def _unreadable_csv(path: Path, data: bytes, separator: str, error: Exception) -> Problem:
    """Why Polars could not read the file, in the user's words where we can tell: the first
    row with more cells than the header names (the library's own text otherwise)."""
    rows = csv.reader(io.StringIO(data.decode("utf-8")), delimiter=separator)
    header = next(rows, [])
    for number, row in enumerate(rows, start=2):
        if len(row) > len(header):
            return Problem(
                number,
                "-",
                Message(
                    "this row has {cells} cells but the header names {columns} columns",
                    {"cells": len(row), "columns": len(header)},
                ),
                str(path),
            )
    return Problem(
        0, "-", Message("not a readable CSV file: {error}", {"error": str(error)}), str(path)
    )


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
