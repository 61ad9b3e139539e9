"""Read CSV, Excel (.xlsx) and Parquet files into frames of text cells with row numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from caseload.i18n import Message
from caseload.register import encodings, formulas
from caseload.register.problems import ImportRejected, Problem

ROW = "_row"
SUFFIXES = (".csv", ".txt", ".xlsx", ".parquet")


def read(
    path: Path,
    encoding: str | None = None,
    notes: list[Message] | None = None,
    sheet: str | None = None,
) -> pl.DataFrame:
    """All cells as trimmed text (empty → null), plus ``_row``: the row number a user sees.
    A text file is read in ``encoding``, else as its byte-order mark or UTF-8 says, else as
    Windows-1252 (then a line about it is added to ``notes``). A workbook is read from
    ``sheet``, else from its first sheet."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise ImportRejected(str(path), [Problem(0, "-", Message("file not found"), str(path))])
    if sheet is not None and suffix != ".xlsx":
        raise _whole_file(
            path,
            Message(
                "only an .xlsx workbook has sheets: leave out --sheet {sheet!r}", {"sheet": sheet}
            ),
        )
    if suffix in (".csv", ".txt"):
        frame, first = _csv(path, encoding, notes), 2
    elif suffix == ".xlsx":
        frame, first = _xlsx(path, sheet), 2
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


def _whole_file(path: Path, reason: Message) -> ImportRejected:
    """A refusal of the file as a whole (no row or column to name)."""
    return ImportRejected(str(path), [Problem(0, "-", reason, str(path))])


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
        frame = pl.read_csv(
            decoded.data,
            separator=separator,
            infer_schema=False,
            empty_string_is_null=False,
        )
    except pl.exceptions.PolarsError as error:
        raise ImportRejected(
            str(path), [_unreadable_csv(path, decoded.data, separator, error)]
        ) from None
    # a row with a cell left out would be read shifted into the wrong columns
    short = _short_rows(path, decoded.data, separator)
    if short:
        raise ImportRejected(str(path), short)
    # the apostrophe an export put before a formula-like text comes off again
    return formulas.restore(frame)


def _rows(data: bytes, separator: str) -> Iterator[list[str]]:
    """The file's rows as the csv module reads them, a cell as long as the file allowed
    (its default limit is 128 KiB, a cell Polars reads)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(data)))
    try:
        yield from csv.reader(io.StringIO(data.decode("utf-8")), delimiter=separator)
    finally:
        csv.field_size_limit(limit)


def _short_rows(path: Path, data: bytes, separator: str) -> list[Problem]:
    """Every row (not blank) with fewer cells than the header names."""
    rows = _rows(data, separator)
    columns = len(next(rows, []))
    return [
        Problem(
            number,
            "-",
            Message(
                "this row has {cells} cells but the header names {columns} columns: a cell "
                "is missing (every row needs a separator for each column, even when empty)",
                {"cells": len(row), "columns": columns},
            ),
            str(path),
        )
        for number, row in enumerate(rows, start=2)
        if 0 < len(row) < columns
    ]


def _unreadable_csv(path: Path, data: bytes, separator: str, error: Exception) -> Problem:
    """Why Polars could not read the file, in the user's words where we can tell: the first
    row with more cells than the header names (the library's own text otherwise)."""
    rows = _rows(data, separator)
    try:
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
    except csv.Error:  # a quote left open, say: the library's reason below
        pass
    return Problem(
        0,
        "-",
        Message("not a readable CSV file: {error}", {"error": _first_line(error)}),
        str(path),
    )


def _first_line(error: BaseException) -> str:
    """A library's reason, its first line only (Polars adds hints on the lines after)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


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


def _xlsx(path: Path, sheet: str | None) -> pl.DataFrame:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several unrelated types for a bad file
        raise _whole_file(
            path, Message("not a readable .xlsx file: {error}", {"error": str(error)})
        ) from None
    try:
        table = _sheet_rows(path, {ws.title: ws for ws in book.worksheets}, sheet)
    finally:
        book.close()
    header = [str(h).strip() if h is not None else "" for h in table[0]]
    body = [[_cell(v) for v in row[: len(header)]] for row in table[1:]]
    while body and all(v is None for v in body[-1]):
        body.pop()
    return pl.DataFrame(body, schema={h: pl.Utf8 for h in header}, orient="row")


def _sheet_rows(path: Path, sheets: dict[str, Any], wanted: str | None) -> list[tuple[Any, ...]]:
    """The rows of the sheet to read (``wanted``, else the first), header first; a refusal
    naming the sheets when it is missing or empty (and the sheets that hold data)."""
    names = list(sheets)
    listed = ", ".join(repr(n) for n in names)
    if wanted is not None:
        if wanted not in sheets:
            raise _whole_file(
                path,
                Message(
                    "the workbook has no sheet {sheet!r}; its sheets: {sheets}",
                    {"sheet": wanted, "sheets": listed},
                ),
            )
        rows = _filled_rows(sheets[wanted])
        if not rows:
            raise _whole_file(
                path,
                Message(
                    "the sheet {sheet!r} is empty; the workbook's sheets: {sheets}",
                    {"sheet": wanted, "sheets": listed},
                ),
            )
        return rows
    rows = _filled_rows(sheets[names[0]]) if names else []
    if rows:
        return rows
    holding = [n for n in names[1:] if _filled_rows(sheets[n])]
    if not holding:
        raise _whole_file(
            path,
            Message(
                "the workbook is empty: none of its sheets ({sheets}) holds a cell",
                {"sheets": listed or "-"},
            ),
        )
    raise _whole_file(
        path,
        Message(
            "the first sheet, {first!r}, is empty; the data is on {sheets}: add --sheet "
            "{sheet!r} to the command",
            {
                "first": names[0],
                "sheets": ", ".join(repr(n) for n in holding),
                "sheet": holding[0],
            },
        ),
    )


def _filled_rows(sheet: Any) -> list[tuple[Any, ...]]:
    """A sheet's rows, the first one its header; none when no cell holds anything."""
    rows = list(sheet.iter_rows(values_only=True))
    if any(v is not None and str(v).strip() for row in rows for v in row):
        return rows
    return []


def _parquet(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
        return frame.with_columns(pl.col(c).cast(pl.Utf8) for c in frame.columns)
    except (pl.exceptions.PolarsError, OSError) as error:  # not Parquet, cut short, nested
        raise _whole_file(
            path, Message("not a readable Parquet file: {error}", {"error": _first_line(error)})
        ) from None
