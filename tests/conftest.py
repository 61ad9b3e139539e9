"""Shared fixtures: a fresh register on SQLite and on PostgreSQL, and the demo job centre.

Migrating takes most of a small test's time, so each backend is migrated once per session
into a template that every test gets a copy of (a file copy for SQLite, CREATE DATABASE …
TEMPLATE for PostgreSQL). The demo is built once per session too and handed out as copies.

The PostgreSQL server comes from CASELOAD_TEST_POSTGRES_URL (default: the local
server on 127.0.0.1:5432). In CI (CI=true) an unreachable server fails the run;
on a developer's laptop those tests are skipped with the reason shown.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from typer.testing import Result

from caseload.store.database import connect
from caseload.store.migrate import upgrade
from tests.helpers import copy_register, plain_environment, run, settle

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


def _new_postgres_db(admin: Engine, template: str | None = None) -> str:
    name = f"caseload_test_{uuid.uuid4().hex[:10]}"
    copy_of = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
    return admin.url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_db(admin: Engine, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class _Databases:
    """Makes the tests' PostgreSQL databases and drops each one when the next is made (the rest
    at the end): by then its server processes have exited, which DROP DATABASE would
    otherwise wait for in steps of 0.1 s."""

    def __init__(self, admin: Engine) -> None:
        self.admin = admin
        self.retired: list[str] = []
        self.templates: list[str] = []

    def new(self, template: str | None = None) -> str:
        self.drop_retired()
        return _new_postgres_db(self.admin, template)

    def retire(self, url: str) -> None:
        self.retired.append(url)

    def retire_at_end(self, url: str) -> None:
        """For a template: copies are made of it until the session ends."""
        self.templates.append(url)

    def drop_retired(self) -> None:
        while self.retired:
            _drop_postgres_db(self.admin, self.retired.pop())


@pytest.fixture(scope="session")
def postgres_databases(postgres_server: Engine) -> Iterator[_Databases]:
    databases = _Databases(postgres_server)
    yield databases
    databases.retired += databases.templates
    databases.drop_retired()


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL (or SQLite path) of an empty, not yet migrated database, on each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "register.sqlite")
        return
    databases: _Databases = request.getfixturevalue("postgres_databases")
    url = databases.new()
    yield url
    databases.retire(url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite register; never opened again, only copied."""
    path = tmp_path_factory.mktemp("template") / "register.sqlite"
    eng = connect(str(path))
    upgrade(eng)
    eng.dispose()
    settle(path)
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_databases: _Databases) -> str:
    """The name of a migrated, empty PostgreSQL database to copy; nobody stays connected to it
    (CREATE DATABASE … TEMPLATE refuses a template in use)."""
    url = postgres_databases.new()
    postgres_databases.retire_at_end(url)
    eng = connect(url)
    upgrade(eng)
    eng.dispose()
    return url.rsplit("/", 1)[1]


@pytest.fixture(params=BACKENDS)
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL (or SQLite path) of a migrated, empty database of its own, on each backend."""
    if request.param == "sqlite":
        yield copy_register(
            request.getfixturevalue("sqlite_template"), tmp_path / "register.sqlite"
        )
        return
    databases: _Databases = request.getfixturevalue("postgres_databases")
    url = databases.new(template=request.getfixturevalue("postgres_template"))
    yield url
    databases.retire(url)


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    """A migrated, empty register on each backend."""
    eng = connect(migrated_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    eng = connect(copy_register(sqlite_template, tmp_path / "register.sqlite"))
    yield eng
    eng.dispose()


Fill = Callable[[Engine, Path], None]
"""Fills a migrated, empty register; may write its input files into the folder given."""

CopyOf = Callable[[Fill], Engine]


@pytest.fixture(scope="session")
def _filled_templates() -> dict[tuple[str, str], str]:
    """(backend, fill) -> the SQLite file or PostgreSQL database that fill filled, once."""
    return {}


@pytest.fixture(params=BACKENDS)
def register_copy(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    _filled_templates: dict[tuple[str, str], str],
) -> Iterator[CopyOf]:
    """On each backend, ``register_copy(fill)``: an engine on this test's own copy of the
    register that ``fill`` makes, filled once per session (test modules whose fixture fills
    the same register for every test)."""
    backend: str = request.param
    engines: list[Engine] = []
    urls: list[str] = []

    def copy_of(fill: Fill) -> Engine:
        key = (backend, f"{fill.__module__}.{fill.__qualname__}")
        if backend == "sqlite":
            if key not in _filled_templates:
                folder = tmp_path_factory.mktemp("filled")
                path = folder / "register.sqlite"
                eng = connect(copy_register(request.getfixturevalue("sqlite_template"), path))
                fill(eng, folder)
                eng.dispose()
                settle(path)
                _filled_templates[key] = str(path)
            url = copy_register(Path(_filled_templates[key]), tmp_path / "register.sqlite")
        else:
            databases: _Databases = request.getfixturevalue("postgres_databases")
            if key not in _filled_templates:
                filled = databases.new(template=request.getfixturevalue("postgres_template"))
                databases.retire_at_end(filled)
                eng = connect(filled)
                fill(eng, tmp_path_factory.mktemp("filled"))
                eng.dispose()
                _filled_templates[key] = filled
            url = databases.new(template=_filled_templates[key].rsplit("/", 1)[1])
            urls.append(url)
        engines.append(connect(url))
        return engines[-1]

    yield copy_of
    for eng in engines:
        eng.dispose()
    if urls:
        databases = request.getfixturevalue("postgres_databases")
        for url in urls:
            databases.retire(url)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """`caseload demo --fresh` once per session: the settled file, which no test opens (each
    gets a copy), and what the command printed."""
    path = tmp_path_factory.mktemp("demo-build") / "demo.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        plain_environment(patch)
        result = run("demo", "--db", str(path), "--fresh")
    if result.exit_code == 0:
        settle(path)
    return path, result
