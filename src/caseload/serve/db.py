"""The register behind the server: one engine per worker process, opened at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from sqlalchemy import Connection, Engine

from caseload.store.database import reader


def engine(request: Request) -> Engine:
    found: Engine = request.app.state.engine
    return found


@contextmanager
def reading(request: Request) -> Iterator[Connection]:
    """A read-only transaction (SQLite: no write lock)."""
    with reader(engine(request)).connect() as conn, conn.begin():
        yield conn


@contextmanager
def writing(request: Request) -> Iterator[Connection]:
    """A write transaction, committed when the block ends without an error."""
    with engine(request).begin() as conn:
        yield conn
