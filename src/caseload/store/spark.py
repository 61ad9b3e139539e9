"""Apache Spark as a SQLAlchemy database: the register's statements, unchanged, run on Spark.

The data step of an evaluation is defined once, as SQLAlchemy statements (evaluate/cohort.py
and the tables beside it). On SQLite and PostgreSQL SQLAlchemy's own dialects run them; on
DuckDB the ``duckdb_engine`` dialect does. Spark has no SQLAlchemy dialect for a local or
standalone cluster, so this module gives it one, as thin as it can be:

- ``SparkDialect`` compiles every statement as PostgreSQL does (the same SQL text the
  PostgreSQL tests run), with bound values in ``pyformat``;
- the DB-API connection (``Connection``, ``Cursor``) puts the bound values into the text as
  literals, translates the PostgreSQL text to Spark SQL with sqlglot (the SQL translator
  Ibis also compiles through), runs it with ``SparkSession.sql`` and hands back the rows.

Only reading is supported: a Spark dataset is an analysis copy (store/datasets.py), never the
register users write to. Floating-point casts are compiled as DOUBLE PRECISION on Spark and
DuckDB, where a bare FLOAT is 4 bytes (PostgreSQL's is 8), so every engine computes in
doubles.
"""

from __future__ import annotations

import datetime
import decimal
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Float
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import TypeCompiler

# --- DB-API 2.0 module attributes (PEP 249) --------------------------------------------------
apilevel = "2.0"
threadsafety = 1
paramstyle = "pyformat"


class Error(Exception):
    """A Spark statement failed (PEP 249)."""


class Warning(Exception):
    pass


class InterfaceError(Error):
    pass


class DatabaseError(Error):
    pass


class DataError(DatabaseError):
    pass


class OperationalError(DatabaseError):
    pass


class IntegrityError(DatabaseError):
    pass


class InternalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


def literal(value: Any) -> str:
    """A bound value as a PostgreSQL literal (sqlglot then writes it as Spark's)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, datetime.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise NotSupportedError(f"a {type(value).__name__} cannot be bound in a Spark statement")


_MARK = re.compile(r"%%|%\(([^)]+)\)s")


def spark_sql(statement: str, parameters: Mapping[str, Any] | None = None) -> str:
    """The PostgreSQL text with its ``%(name)s`` values put in, as Spark SQL."""
    import sqlglot

    values = parameters or {}

    def put(match: re.Match[str]) -> str:
        return "%" if match.group(0) == "%%" else literal(values[match.group(1)])

    text = _MARK.sub(put, statement)
    (translated,) = sqlglot.transpile(text, read="postgres", write="spark")
    return translated


class Cursor:
    """Runs one statement at a time on the session; the rows are collected to the driver."""

    arraysize = 1000

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.description: list[tuple[Any, ...]] | None = None
        self.rowcount = -1
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, statement: str, parameters: Mapping[str, Any] | None = None) -> None:
        if not self.connection.session:
            raise InterfaceError("the Spark connection is closed")
        try:
            frame = self.connection.session.sql(spark_sql(statement, parameters))
            rows = frame.collect()
        except Exception as error:  # Spark's own (py4j, analysis) errors, as PEP 249's
            raise DatabaseError(
                str(error).splitlines()[0] if str(error) else repr(error)
            ) from error
        self.description = [
            (field.name, None, None, None, None, None, None) for field in frame.schema.fields
        ]
        self._rows = [tuple(row) for row in rows]
        self.rowcount = len(self._rows)

    def executemany(self, statement: str, seq: Sequence[Mapping[str, Any]]) -> None:
        raise NotSupportedError("a Spark dataset is read, never written")

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        n = size or self.arraysize
        taken, self._rows = self._rows[:n], self._rows[n:]
        return taken

    def fetchall(self) -> list[tuple[Any, ...]]:
        taken, self._rows = self._rows, []
        return taken

    def close(self) -> None:
        self._rows = []


class Connection:
    """A DB-API connection on a ``SparkSession`` (the session outlives it)."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def cursor(self) -> Cursor:
        return Cursor(self)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


class SparkDialect(PGDialect):
    """PostgreSQL's SQL compiler, Spark underneath (through ``Connection``)."""

    name = "spark"
    driver = "pyspark"
    supports_statement_cache = True
    default_paramstyle = "pyformat"
    supports_sane_rowcount = False
    postfetch_lastrowid = False

    @classmethod
    def import_dbapi(cls) -> Any:
        return sys.modules[__name__]

    def initialize(self, connection: Any) -> None:
        # PostgreSQL's initialize asks the server for its version and settings; Spark has
        # none of them: the compiler only needs a modern version
        self.server_version_info = (16, 0)  # type: ignore[assignment]
        self.default_schema_name = "default"
        self.default_isolation_level = None

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...]:
        return (16, 0)

    def get_isolation_level(self, dbapi_connection: Any) -> Any:
        return None

    def set_isolation_level(self, dbapi_connection: Any, level: Any) -> None:
        pass

    def do_begin(self, dbapi_connection: Any) -> None:
        pass

    def do_commit(self, dbapi_connection: Any) -> None:
        pass

    def do_rollback(self, dbapi_connection: Any) -> None:
        pass

    def do_ping(self, dbapi_connection: Any) -> bool:
        return True


registry.register("spark", __name__, "SparkDialect")


@compiles(Float, "spark")
@compiles(Float, "duckdb")
def _double(element: Float[Any], compiler: TypeCompiler, **kw: Any) -> str:
    """8-byte floats on Spark and DuckDB, as PostgreSQL's FLOAT is."""
    return "DOUBLE PRECISION"
