"""Alembic environment: the engine comes from caseload.store.migrate (or the URL option).

SQLite changes a table's constraints by building a new table and dropping the old one
(batch mode) while other tables still refer to it, which its foreign-key check refuses.
There migrations run with foreign keys off (a pragma that takes effect only outside a
transaction) and the whole register is checked with ``PRAGMA foreign_key_check`` before
the commit: SQLite's own procedure for schema changes, the same guarantee.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from caseload.store.database import connect
from caseload.store.schema import metadata

config = context.config
engine: Engine = config.attributes.get("engine") or connect(
    config.get_main_option("sqlalchemy.url")
)

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    raw = connection.connection.driver_connection
    if sqlite:
        raw.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
    try:
        with connection.begin():
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchmany(5)
                if broken:
                    raise RuntimeError(f"foreign keys broken by the migration: {broken}")
    finally:
        if sqlite:
            raw.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
