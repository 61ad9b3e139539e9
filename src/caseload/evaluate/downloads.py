"""The evaluation's tables as files an analyst downloads: one table as CSV text, or every
table in one Excel workbook (a sheet per table, the header row frozen). The rows are the
ones ``evaluation_document`` writes to evaluation.json: pseudonymous codes and numbers
only."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fields(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(k for row in rows for k in row))


def csv_text(rows: Sequence[Mapping[str, Any]]) -> str:
    """The table as CSV (a header row, then one row per row; empty when it has none)."""
    out = io.StringIO(newline="")
    if rows:
        writer = csv.DictWriter(out, fieldnames=_fields(rows))
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, str, bool, date, datetime)):
        return value
    return str(value)


def workbook(tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> bytes:
    """Every table in one .xlsx workbook, a sheet each (named after the table)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in tables.items():
        sheet = book.create_sheet(title=name[:31])  # Excel's limit on a sheet's name
        fields = _fields(rows)
        if fields:
            sheet.append(fields)
            for row in rows:
                sheet.append([_cell(row.get(field)) for field in fields])
            sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
