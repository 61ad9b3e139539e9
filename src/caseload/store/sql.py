"""SQL that differs between SQLite and PostgreSQL, behind one name each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, cast, func, literal_column
from sqlalchemy.sql.elements import ColumnElement


def day_number(column: Any, dialect: str) -> ColumnElement[int]:
    """Days since 1970-01-01, so date differences are integer subtraction on both databases."""
    if dialect == "sqlite":
        return cast(func.julianday(column) - 2440587.5, Integer)
    return cast(column - literal_column("DATE '1970-01-01'"), Integer)
