"""Fast writes of whole frames: executemany on SQLite, COPY on PostgreSQL.

The import path hands over frames whose columns are database columns and whose
``id`` values were reserved with :func:`reserve_ids`, so rows that refer to
each other (a follow-up meeting) can be written in one go.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import polars as pl
from sqlalchemy import Connection, Engine, Table, func, select, update
from sqlalchemy.schema import AddConstraint, DropConstraint
from sqlalchemy.sql.expression import bindparam

CHUNK = 100_000
Progress = Callable[[int], None]


ANALYZE_FROM = 1
"""PostgreSQL loads of this many rows refresh the table's planner statistics (all of them:
ANALYZE samples, so it is cheap, and autovacuum may be off or late)."""


def reserve_ids(conn: Connection, table: Table, count: int) -> int:
    """Reserve ``count`` consecutive ids and return the first.

    SQLite: the import holds the write lock (BEGIN IMMEDIATE), so max(id)+1 is ours.
    PostgreSQL: lock the table against other inserts, then move its sequence on.
    """
    if conn.dialect.name == "sqlite":
        top = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
        return int(top) + 1
    name = table.name
    conn.exec_driver_sql(f'LOCK TABLE "{name}" IN EXCLUSIVE MODE')
    seq = conn.exec_driver_sql(f"SELECT pg_get_serial_sequence('\"{name}\"', 'id')").scalar_one()
    top = conn.exec_driver_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{name}"').scalar_one()
    last, called = conn.exec_driver_sql(f"SELECT last_value, is_called FROM {seq}").one()
    first = max(int(top) + 1, int(last) + 1 if called else int(last))
    if count:
        conn.exec_driver_sql(f"SELECT setval('{seq}', {first + count - 1})")
    return first


REBUILD_INDEXES_FROM = 50_000
"""Loading this many rows into an empty table drops its plain indexes and builds them after:
one sort per index instead of a B-tree insert per row and index."""


def insert(
    conn: Connection,
    table: Table,
    frame: pl.DataFrame,
    progress: Progress | None = None,
    empty: bool = False,
) -> None:
    if frame.height == 0:
        return
    big = empty and frame.height >= REBUILD_INDEXES_FROM
    rebuild = [ix for ix in table.indexes if not ix.unique] if big else []
    # PostgreSQL checks foreign keys row by row during COPY; re-adding the constraint after
    # the load checks them all in one join. (SQLite cannot drop a constraint, and its
    # per-row check is a cheap primary-key lookup.)
    foreign = list(table.foreign_key_constraints) if big and conn.dialect.name != "sqlite" else []
    for constraint in foreign:
        conn.execute(DropConstraint(constraint))
    for index in rebuild:
        index.drop(conn)
    if conn.dialect.name == "sqlite":
        _insert_sqlite(conn, table, frame, progress)
    else:
        _copy_postgres(conn, table, frame, progress)
    for index in rebuild:
        index.create(conn)
    for constraint in foreign:
        conn.execute(AddConstraint(constraint))
    if frame.height >= ANALYZE_FROM:
        # fresh statistics, or the PostgreSQL planner treats a just-loaded table as empty
        # until autovacuum comes round (a 0.2 s evaluation query took 100 s before; at
        # 3,000 citizens an unanalysed small table turned 0.08 s into 12 s); SQLite samples
        # (analysis_limit) and gains bloom filters on the cohort's joins
        conn.exec_driver_sql(f'ANALYZE "{table.name}"')


def _insert_sqlite(
    conn: Connection, table: Table, frame: pl.DataFrame, progress: Progress | None
) -> None:
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    marks = ", ".join("?" for _ in frame.columns)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})'
    # SQLAlchemy stores dates on SQLite as ISO text and booleans as 0/1
    as_stored = [
        pl.col(c).cast(pl.Utf8) if t in (pl.Date, pl.Datetime) else pl.col(c).cast(pl.Int8)
        for c, t in frame.schema.items()
        if t in (pl.Date, pl.Datetime, pl.Boolean)
    ]
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    # rows that refer to rows later in the same batch (follow-ups) are checked at commit
    cursor.execute("PRAGMA defer_foreign_keys = ON")
    for chunk in frame.iter_slices(CHUNK):
        text = chunk.with_columns(as_stored)  # per chunk: no second copy of a big frame
        # columns to lists and zip: several times faster than iter_rows for wide frames
        cursor.executemany(
            sql, zip(*(column.to_list() for column in text.iter_columns()), strict=True)
        )
        if progress:
            progress(chunk.height)
    cursor.close()


def _copy_postgres(
    conn: Connection, table: Table, frame: pl.DataFrame, progress: Progress | None
) -> None:
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    # one COPY statement: PostgreSQL checks foreign keys at its end, so follow-ups may
    # refer to rows later in the same batch
    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN (FORMAT csv)') as copy:
        for chunk in frame.iter_slices(CHUNK):
            buffer = io.BytesIO()
            chunk.write_csv(buffer, include_header=False, date_format="%Y-%m-%d")
            copy.write(buffer.getvalue())
            if progress:
                progress(chunk.height)
    cursor.close()


def update_rows(conn: Connection, table: Table, frame: pl.DataFrame) -> None:
    """Update rows by ``id`` with every other column of ``frame``."""
    if frame.height == 0:
        return
    values = [c for c in frame.columns if c != "id"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({c: bindparam(c) for c in values})
    )
    rows = frame.rename({"id": "_id"}).to_dicts()
    conn.execute(statement, rows)


def read_table(conn: Connection, table: Table, columns: list[str]) -> pl.DataFrame:
    """Whole table as a frame with SQLAlchemy's type handling (dates as dates)."""
    result = conn.execute(select(*(table.c[c] for c in columns)))
    return pl.DataFrame(result.fetchall(), schema=columns, orient="row", infer_schema_length=None)


def read_codes(conn: Connection, table: Table) -> pl.DataFrame:
    """``code`` and ``id`` of every row, straight from the driver (no per-row type handling:
    a million codes in a fraction of the time)."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(f'SELECT code, id FROM "{table.name}"')
    rows = cursor.fetchall()
    cursor.close()
    return pl.DataFrame(rows, schema={"code": pl.Utf8, "id": pl.Int64}, orient="row")


VACUUM_FROM = 10_000
"""PostgreSQL tables that took this many rows are vacuumed after the load's commit."""


def vacuum_after_load(engine: Engine, tables: list[str]) -> None:
    """PostgreSQL: VACUUM (ANALYZE) freshly loaded tables, outside any transaction.

    A bulk load leaves the visibility map empty, so no index-only scan is possible until
    autovacuum (which may be off) comes round: the cohort query at 1,000,000 citizens took
    16.6 s before and 9.9 s after vacuuming the meetings alone. SQLite needs nothing.
    """
    if engine.dialect.name == "sqlite" or not tables:
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name in tables:
            conn.exec_driver_sql(f'VACUUM (ANALYZE) "{name}"')
