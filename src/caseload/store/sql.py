"""SQL that differs between SQLite and PostgreSQL, behind one name each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer, cast, func, literal_column
from sqlalchemy.sql.elements import ColumnElement


def day_number(column: Any, dialect: str) -> ColumnElement[int]:
    """Days since 1970-01-01, so date differences are integer subtraction on both databases."""
    if dialect == "sqlite":
        return cast(func.julianday(column) - 2440587.5, Integer)
    return cast(column - literal_column("DATE '1970-01-01'"), Integer)


def add_months(column: Any, months: int, dialect: str) -> ColumnElement[Any]:
    """The date ``months`` calendar months later, clamped to the month's end on both databases
    (2020-12-31 + 2 months = 2021-02-28; SQLite's own arithmetic would give 2021-03-03)."""
    if dialect == "sqlite":
        return func.min(
            func.date(column, f"+{months} months"),
            func.date(column, "start of month", f"+{months + 1} months", "-1 day"),
        )
    return cast(column + literal_column(f"INTERVAL '{int(months)} months'"), Date)
