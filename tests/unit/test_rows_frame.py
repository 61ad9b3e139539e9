"""A statement's rows as a Polars frame, the same columns and types from SQLite and DuckDB."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest
from sqlalchemy import (
    Column,
    Date,
    Engine,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    create_engine,
    func,
    select,
)

from caseload.store.sql import rows_frame

metadata = MetaData()
held = Table(
    "held",
    metadata,
    Column("arm", String),
    Column("due_date", Date),
    Column("timely", Integer),
)
ROWS = [
    {"arm": "trial", "due_date": date(2018, 1, 8), "timely": 1},
    {"arm": "trial", "due_date": date(2018, 1, 8), "timely": 0},
    {"arm": "control", "due_date": date(2018, 1, 9), "timely": 1},
]
SCHEMA = {"arm": pl.Utf8, "due": pl.Date, "held": pl.Int64, "timely": pl.Int64}


def _engine(kind: str) -> Engine:
    engine = create_engine("duckdb:///:memory:" if kind == "duckdb" else "sqlite://")
    metadata.create_all(engine)
    return engine


def _query(since: date) -> Select[Any]:
    return (
        select(held.c.arm, held.c.due_date, func.count(), func.sum(held.c.timely))
        .where(held.c.due_date >= since)
        .group_by(held.c.arm, held.c.due_date)
        .order_by(held.c.arm)
    )


@pytest.mark.parametrize("kind", ["sqlite", "duckdb"])
def test_a_schema_names_and_types_the_columns_with_rows_and_without(kind: str) -> None:
    engine = _engine(kind)
    with engine.begin() as conn:
        conn.execute(held.insert(), ROWS)
        frame = rows_frame(conn, _query(date(2018, 1, 1)), SCHEMA)
        empty = rows_frame(conn, _query(date(2019, 1, 1)), SCHEMA)
    assert frame.schema == pl.Schema(SCHEMA)
    assert frame.rows() == [("control", date(2018, 1, 9), 1, 1), ("trial", date(2018, 1, 8), 2, 1)]
    assert empty.schema == pl.Schema(SCHEMA) and empty.height == 0


@pytest.mark.parametrize("kind", ["sqlite", "duckdb"])
def test_without_a_schema_the_statements_names_are_kept(kind: str) -> None:
    engine = _engine(kind)
    with engine.begin() as conn:
        conn.execute(held.insert(), ROWS)
        frame = rows_frame(conn, select(held.c.arm, held.c.timely).order_by(held.c.timely))
    assert frame.columns == ["arm", "timely"]
    assert frame.get_column("timely").to_list() == [0, 1, 1]
    assert frame.get_column("timely").dtype == pl.Int64  # DuckDB's 32-bit integers widened


def test_a_schema_of_another_width_is_refused() -> None:
    engine = _engine("sqlite")
    with engine.begin() as conn, pytest.raises(ValueError):
        conn.execute(held.insert(), ROWS)
        rows_frame(conn, select(held.c.arm), SCHEMA)
