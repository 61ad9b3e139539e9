"""Shared fixtures: a fresh register on SQLite and on PostgreSQL, and the demo job centre.

Migrating took most of a small test's time, so each backend is migrated once per session
into a template: SQLite tests get a file copy of it; PostgreSQL tests get a database made
from it with CREATE DATABASE … TEMPLATE, and emptied again for the next test (see
_Databases). Registers that a module fills the same way for every test, and the demo, are
also built once per session and handed out as copies.

The PostgreSQL server comes from CASELOAD_TEST_POSTGRES_URL (default: the local
server on 127.0.0.1:5432). In CI (CI=true) an unreachable server fails the run;
on a developer's laptop those tests are skipped with the reason shown.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, StaticPool, create_engine, text
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


_RESET_LOCK_TIMEOUT = "5s"
_PUBLIC = "'public'::regnamespace"
_SHAPE = text(
    # the relations, constraints, columns and schema revision of a database's public schema
    "SELECT concat_ws(' | ',"
    f" (SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname) FROM pg_class"
    f"  WHERE relnamespace = {_PUBLIC}),"
    f" (SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint"
    f"  WHERE connamespace = {_PUBLIC}),"
    " (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
    f"  WHERE c.relnamespace = {_PUBLIC} AND NOT a.attisdropped),"
    " (SELECT string_agg(version_num, ',') FROM alembic_version))"
)


class _Databases:
    """The tests' PostgreSQL databases, made, reset and dropped in a worker thread.

    Making a database from a template takes the server about 0.3 s, more than most tests, so
    a migrated, empty database is lent and, after the test, emptied again in the background
    (TRUNCATE … RESTART IDENTITY: new empty files, sequences from the start, as a fresh copy)
    while the next test runs on another one. A database whose tables, indexes or schema
    revision a test changed is dropped instead. Dropping takes the server about as long
    again, so a second thread drops retired databases beside the tests, half a second after
    they were retired (DROP DATABASE waits for their server processes to exit in 0.1 s steps).
    """

    def __init__(self, admin: Engine) -> None:
        self.admin = admin
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-databases")
        self.dropper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-drops")
        self.lendable: dict[str, list[Future[str]]] = {}
        self.shapes: dict[str, str] = {}
        self.resetters: dict[str, Engine] = {}
        self.templates: list[str] = []

    def new(self, template: str | None = None) -> str:
        """A new database, empty or a copy of ``template``."""
        return self.worker.submit(self._create, template).result()

    def lend(self, template: str) -> str:
        """A database as a fresh copy of ``template`` (which must not change any more)."""
        queue = self.lendable.setdefault(template, [])
        ready = queue.pop(0) if queue else self.worker.submit(self._create_lendable, template)
        if not queue:  # one more, so that a database is ready while the other is reset
            queue.append(self.worker.submit(self._create_lendable, template))
        return ready.result()

    def give_back(self, template: str, url: str) -> None:
        self.lendable[template].append(self.worker.submit(self._reset, template, url))

    def retire(self, url: str) -> None:
        self.dropper.submit(self._drop, time.monotonic() + 0.5, url)

    def retire_at_end(self, url: str) -> None:
        """For a template: copies are made of it until the session ends."""
        self.templates.append(url)

    def close(self) -> None:
        for queue in self.lendable.values():
            for ready in queue:
                self.retire(ready.result())
        for url in self.templates:
            self.retire(url)
        self.worker.shutdown()
        self.dropper.shutdown()

    def _create(self, template: str | None) -> str:
        return _new_postgres_db(self.admin, template)

    def _create_lendable(self, template: str) -> str:
        url = self._create(template)
        if template not in self.shapes:  # what a reset database must look like again
            with self._resetter(url).connect() as conn:
                self.shapes[template] = conn.execute(_SHAPE).scalar_one()
        return url

    def _reset(self, template: str, url: str) -> str:
        try:
            with self._resetter(url).begin() as conn:
                conn.execute(text(f"SET LOCAL lock_timeout = '{_RESET_LOCK_TIMEOUT}'"))
                # the audit trail's append-only trigger does not fire for this reset (superuser)
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                if conn.execute(_SHAPE).scalar_one() != self.shapes[template]:
                    raise LookupError("the test changed the schema")
                tables = conn.execute(
                    text("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'")
                ).scalars()
                wanted = [t for t in tables if t != "alembic_version"]
                conn.execute(text(f"TRUNCATE {', '.join(wanted)} RESTART IDENTITY CASCADE"))
                for sequence in conn.execute(
                    text(
                        "SELECT quote_ident(sequencename) FROM pg_sequences"
                        " WHERE schemaname = 'public'"
                    )
                ).scalars():
                    conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))
            return url
        except Exception:  # a changed schema, a lock still held: a fresh copy instead
            self.retire(url)
            return self._create_lendable(template)

    def _resetter(self, url: str) -> Engine:
        if url not in self.resetters:
            self.resetters[url] = create_engine(url, poolclass=StaticPool)
        return self.resetters[url]

    def _drop(self, not_before: float, url: str) -> None:
        resetter = self.resetters.pop(url, None)
        if resetter is not None:
            resetter.dispose()
        time.sleep(max(0.0, not_before - time.monotonic()))
        _drop_postgres_db(self.admin, url)


@pytest.fixture(scope="session")
def postgres_databases(postgres_server: Engine) -> Iterator[_Databases]:
    databases = _Databases(postgres_server)
    yield databases
    databases.close()


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
    template = request.getfixturevalue("postgres_template")
    url = databases.lend(template)
    yield url
    databases.give_back(template, url)


@pytest.fixture
def engine(migrated_url: str) -> Iterator[Engine]:
    """A migrated, empty register on each backend."""
    eng = connect(migrated_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty SQLite register."""
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
