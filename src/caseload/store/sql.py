"""SQL that differs between SQLite and PostgreSQL, behind one name each."""

from __future__ import annotations

import warnings
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import (
    JSON,
    Connection,
    Date,
    Integer,
    String,
    bindparam,
    cast,
    func,
    literal_column,
)
from sqlalchemy.sql.elements import ColumnElement

Day = date | ColumnElement[Any]
"""A day in a statement: a date, or a bound parameter standing for one (a statement built
once and run on many days)."""


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


def add_months_by(column: Any, months: Any, dialect: str) -> ColumnElement[Any]:
    """``add_months`` with the months an SQL expression (e.g. a rule's column), clamped the
    same way on both databases."""
    if dialect == "sqlite":
        n = cast(months, Integer)
        return func.min(
            func.date(column, func.printf("%+d months", n)),
            func.date(column, "start of month", func.printf("%+d months", n + 1), "-1 day"),
        )
    return cast(column + func.make_interval(0, months), Date)


def add_days(column: Any, days: Any, dialect: str) -> ColumnElement[Any]:
    """The date ``days`` (an SQL expression or int) later."""
    if dialect == "sqlite":
        return func.date(column, func.printf("%+d days", cast(days, Integer)))
    return cast(column + cast(days, Integer), Date)


def listed_texts(parameter: str, dialect: str) -> tuple[ColumnElement[str], ColumnElement[int]]:
    """The texts of a list given as one bound parameter ``parameter`` (the list as JSON
    text, ``json.dumps``), a row each: the text column, and the column of its place in the
    list to order by. A list of any length in a statement whose text stays the same
    (compiled and prepared once)."""
    given = bindparam(parameter, type_=String)
    if dialect == "sqlite":
        rows = func.json_each(given).table_valued("value", "key")
        return rows.c.value, rows.c.key
    rows = (
        func.json_array_elements_text(cast(given, JSON))
        .table_valued("value", with_ordinality="position")
        .render_derived()
    )
    return rows.c.value, rows.c.position


def listed_ids(parameter: str, dialect: str) -> ColumnElement[int]:
    """The ids (integers) of a list given as one bound parameter ``parameter`` (the list as
    JSON text, ``json.dumps``), a row each: ``listed_texts``' column as an integer, so it
    compares with an id column on both databases (and an index on it is used)."""
    value, _ = listed_texts(parameter, dialect)
    return cast(value, Integer)


def for_analysis(conn: Connection) -> None:
    """Before one wide analytical statement in this transaction: on PostgreSQL no JIT (its
    compile time outweighs the gain on these plans) and room for sorts and hashes in
    memory (the default 4 MB spills to disk at a million citizens). SQLite needs nothing."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL jit = off")
        conn.exec_driver_sql("SET LOCAL work_mem = '128MB'")


def rows_frame(
    conn: Connection, statement: Any, schema: dict[str, Any] | None = None
) -> pl.DataFrame:
    """A statement's rows as a Polars frame; with ``schema`` (column name to Polars type,
    in the statement's order) its columns have those types, with no rows too. DuckDB hands
    the rows over as Arrow (no Python tuple per row; integers widened to 64 bits as the
    other engines' are); the others are fetched and built column-wise (a third faster than
    row-wise for 200,000 wide rows)."""
    result = conn.execute(statement)
    if conn.dialect.name == "duckdb":
        with warnings.catch_warnings():
            # DuckDB notes that Arrow from a DB-API result copies the rows once more than
            # its own relational API would; still far cheaper than a tuple per row
            warnings.filterwarnings("ignore", "Arrow output on a DB-API result")
            arrow = pl.from_arrow(result.cursor.to_arrow_table())
        assert isinstance(arrow, pl.DataFrame)
        frame = arrow.with_columns(pl.col(pl.Int8, pl.Int16, pl.Int32).cast(pl.Int64))
    else:
        keys, rows = list(result.keys()), result.fetchall()
        if not rows:
            return pl.DataFrame(schema=schema or dict.fromkeys(keys, pl.Null))
        frame = pl.DataFrame(
            {
                name: pl.Series(name, list(values), strict=False)
                for name, values in zip(keys, zip(*rows, strict=True), strict=True)
            }
        )
    if schema is None:
        return frame
    return frame.rename(dict(zip(frame.columns, schema, strict=True))).cast(pl.Schema(schema))


def upsert(
    dialect: str, table: Any, values: dict[str, Any], keys: list[str], updates: list[str]
) -> Any:
    """INSERT ``values`` into ``table``, or, when a row with the same ``keys`` (a unique
    constraint) is there, set its ``updates`` columns: one statement, safe under concurrent
    writers on either database (``ON CONFLICT … DO UPDATE``)."""
    from sqlalchemy.dialects import postgresql, sqlite

    if dialect == "postgresql":
        on_pg = postgresql.insert(table).values(**values)
        return on_pg.on_conflict_do_update(
            index_elements=keys, set_={name: on_pg.excluded[name] for name in updates}
        )
    on_sqlite = sqlite.insert(table).values(**values)
    return on_sqlite.on_conflict_do_update(
        index_elements=keys, set_={name: on_sqlite.excluded[name] for name in updates}
    )
