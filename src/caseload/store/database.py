"""Connections: the embedded SQLite file by default, PostgreSQL when asked for.

``CASELOAD_DATABASE_URL`` or ``--db`` selects the database. A plain path means a
SQLite file; anything with ``://`` is an SQLAlchemy URL (``postgresql+psycopg://…``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

from caseload.i18n import Message, Said

DEFAULT_SQLITE_PATH = "caseload.sqlite"
ENV_URL = "CASELOAD_DATABASE_URL"
ENV_BUSY = "CASELOAD_BUSY_TIMEOUT"
"""Seconds a SQLite writer waits for another write to finish before giving up (default 10)."""
DEFAULT_BUSY_SECONDS = 10.0


def busy_timeout_ms() -> int:
    """The wait for the write lock, from ``CASELOAD_BUSY_TIMEOUT`` (seconds); a value that
    is not a number of seconds falls back to the default rather than waiting forever."""
    text = os.environ.get(ENV_BUSY, "").strip()
    try:
        seconds = float(text) if text else DEFAULT_BUSY_SECONDS
    except ValueError:
        seconds = DEFAULT_BUSY_SECONDS
    if not 0 <= seconds < 86_400:
        seconds = DEFAULT_BUSY_SECONDS
    return int(seconds * 1000)


def is_busy(error: BaseException) -> bool:
    """Whether a database error means another writer holds the register (SQLite's lock)."""
    text = str(getattr(error, "orig", error)).lower()
    return "database is locked" in text or "database is busy" in text


MAINTENANCE_DATABASES = ("postgres", "template1")
"""Where CREATE DATABASE is sent from: a PostgreSQL server's maintenance databases, in turn."""
_DUPLICATE_DATABASE = "42P04"


class UnsupportedDatabase(Said, ValueError):
    """A database URL caseload does not keep a register in (or cannot read at all)."""


KINDS = ("sqlite", "postgresql", "postgres")
"""The URL schemes (before any ``+driver``) a register is kept in."""


def resolve_url(db: str | None = None) -> str:
    """Turn ``--db`` (a path or URL), the environment, or the default into a URL; a URL of
    another database, or none at all, is refused (``UnsupportedDatabase``)."""
    target = db or os.environ.get(ENV_URL) or DEFAULT_SQLITE_PATH
    if "://" in target:
        try:
            url = make_url(target)
        except ArgumentError:
            raise UnsupportedDatabase(
                Message("{url}: not a database URL", {"url": target.split("@")[-1]})
            ) from None
        if url.get_backend_name() not in KINDS:
            raise UnsupportedDatabase(
                Message(
                    "{url}: caseload keeps its register in SQLite (a file) or PostgreSQL "
                    "(postgresql://…), not {kind}",
                    {
                        "url": url.render_as_string(hide_password=True),
                        "kind": url.get_backend_name(),
                    },
                )
            )
        if url.drivername in ("postgresql", "postgres"):
            # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    return f"sqlite:///{Path(target).expanduser()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN; switch it off and let the
    # "begin" listener take the write lock at the start of every transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    # 128 MB of page cache (the default is 2 MB): index pages of a big register stay in memory
    cursor.execute("PRAGMA cache_size = -131072")
    # ANALYZE samples 1,000 rows per index instead of reading whole tables
    cursor.execute("PRAGMA analysis_limit = 1000")
    cursor.close()


READ_ONLY = "caseload_read_only"
"""Execution option: this connection only reads (SQLite then starts a deferred transaction
and does not hold the write lock, so reports run beside each other and beside writers)."""


def _begin(conn: Any) -> None:
    read_only = conn.get_execution_options().get(READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def reader(engine: Engine) -> Engine:
    """The same database for read-only work (status, export, evaluation)."""
    return engine.execution_options(**{READ_ONLY: True})


def connect(db: str | None = None) -> Engine:
    """An engine for the register; SQLite files get foreign keys on and WAL."""
    url = resolve_url(db)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def describe(engine: Engine) -> str:
    """The URL without a password, for messages."""
    return engine.url.render_as_string(hide_password=True)


def create_database(db: str | None = None) -> bool | None:
    """Create the PostgreSQL database ``db`` names when it does not exist: True when it was
    created, False when it existed already. CREATE DATABASE is sent from the server's
    maintenance database (``postgres``, else ``template1``) with the name quoted as an
    identifier. A SQLite file is made when it is first opened: None (nothing to do)."""
    url = make_url(resolve_url(db))
    if url.get_backend_name() != "postgresql" or not url.database:
        return None
    name = url.database
    first: OperationalError | None = None
    for maintenance in MAINTENANCE_DATABASES:
        admin = create_engine(url.set(database=maintenance), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                exists = conn.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                ).first()
                if exists is not None:
                    return False
                quoted = conn.dialect.identifier_preparer.quote_identifier(name)
                try:
                    conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
                except ProgrammingError as error:
                    # someone else created it a moment ago
                    if getattr(error.orig, "sqlstate", None) == _DUPLICATE_DATABASE:
                        return False
                    raise
                return True
        except OperationalError as error:
            # no such maintenance database (or no server): try the next; say the first
            first = first or error
        finally:
            admin.dispose()
    assert first is not None
    raise first
