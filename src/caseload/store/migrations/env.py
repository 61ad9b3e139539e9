"""Alembic environment: the engine comes from caseload.store.migrate (or the URL option)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from caseload.store.database import connect
from caseload.store.schema import metadata

config = context.config
engine: Engine = config.attributes.get("engine") or connect(
    config.get_main_option("sqlalchemy.url")
)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
