"""Shared fixtures: a fresh register on SQLite and on PostgreSQL.

The PostgreSQL server comes from CASELOAD_TEST_POSTGRES_URL (default: the local
server on 127.0.0.1:5432). In CI (CI=true) an unreachable server fails the run;
on a developer's laptop those tests are skipped with the reason shown.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from caseload.store.database import connect
from caseload.store.migrate import upgrade

PG_URL = os.environ.get(
    "CASELOAD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _postgres_admin() -> Engine | None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # the driver raises its own OperationalError subclasses
        message = f"PostgreSQL not reachable at {PG_URL}: {type(error).__name__}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run the PostgreSQL tests)", pytrace=False)
        pytest.skip(message + "; start it or set CASELOAD_TEST_POSTGRES_URL")
        return None
    return admin


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Engine]:
    admin = _postgres_admin()
    assert admin is not None
    yield admin
    admin.dispose()


def _new_postgres_db(admin: Engine) -> str:
    name = f"caseload_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return admin.url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_db(admin: Engine, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL (or SQLite path) of an empty, not yet migrated database, on each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "register.sqlite")
        return
    admin = request.getfixturevalue("postgres_server")
    url = _new_postgres_db(admin)
    yield url
    _drop_postgres_db(admin, url)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated, empty register on each backend."""
    eng = connect(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    eng = connect(str(tmp_path / "register.sqlite"))
    upgrade(eng)
    yield eng
    eng.dispose()
