"""Codes caseload gives to what a user records by hand (a meeting M0000042, a note N0000001):
a letter and a zero-padded number, the next free one, unique when several users write at
once.

The insert runs in a savepoint: another user may take the same code first (PostgreSQL waits
for their commit, then says so; SQLite writers take turns at BEGIN), so only that insert is
undone and the next free code tried. A code never looks like a CPR number (one letter and
seven digits).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Column, Connection, Table, insert, select
from sqlalchemy.exc import IntegrityError

__all__ = ["ATTEMPTS", "code_taken", "free_code", "insert_with_code"]

CANDIDATES = 100
"""Codes checked in one query when looking for a free one."""
ATTEMPTS = 20
"""Inserts tried (each with a newly found free code) before the writer gives up."""


def code_taken(conn: Connection, column: Column[Any], code: str) -> bool:
    """Whether a row holds ``code`` in ``column``."""
    return conn.execute(select(column).where(column == code).limit(1)).first() is not None


def free_code(conn: Connection, column: Column[Any], prefix: str, width: int, start: int) -> str:
    """The first code from ``prefix`` and ``start`` (zero-padded to ``width`` digits) that no
    row holds in ``column``."""
    while True:
        batch = [f"{prefix}{n:0{width}d}" for n in range(start, start + CANDIDATES)]
        taken = set(conn.execute(select(column).where(column.in_(batch))).scalars())
        free = [code for code in batch if code not in taken]
        if free:
            return free[0]
        start += CANDIDATES


def insert_with_code(
    conn: Connection,
    table: Table,
    prefix: str,
    width: int,
    start: Callable[[Connection], int],
    values: Mapping[str, Any],
) -> str | None:
    """Insert ``values`` into ``table`` with a free code in its ``code`` column, the search
    beginning at ``start(conn)`` (read again after another writer took a code); the code
    given, or None when every attempt found its code taken (the caller says so)."""
    column = table.c.code
    for _ in range(ATTEMPTS):
        made = free_code(conn, column, prefix, width, start(conn))
        try:
            with conn.begin_nested():
                conn.execute(insert(table).values(code=made, **values))
        except IntegrityError:
            if not code_taken(conn, column, made):
                raise
            continue
        return made
    return None
