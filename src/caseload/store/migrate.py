"""Alembic migrations, run from code so the package needs no alembic.ini on disk."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from caseload.i18n import Message, Said
from caseload.store.database import describe, reader

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


class ForeignDatabase(Said, ValueError):
    """The database holds another program's tables and no caseload register."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (creating every table on a new one); a database
    that holds tables but no register (another program's) is refused, not added to."""
    with reader(engine).connect() as conn:
        tables = inspect(conn).get_table_names()
    if tables and "alembic_version" not in tables:
        raise ForeignDatabase(
            Message(
                "{where} holds another program's tables ({tables}) and no caseload register: "
                "give a new file or an empty database",
                {"where": describe(engine), "tables": ", ".join(sorted(tables)[:5])},
            )
        )
    command.upgrade(_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The database's revision, read without taking SQLite's write lock."""
    with reader(engine).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@cache
def head_revision() -> str | None:
    """The newest migration shipped with the package (read from the scripts once: they do
    not change while the process runs)."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def is_current(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
