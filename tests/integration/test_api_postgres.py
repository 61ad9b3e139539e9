"""The API on PostgreSQL as it is meant to run: migrated by the owner, served by a role that
owns no table (`caseload init --app-role`), with several uvicorn workers. The app role may
not change or remove the audit trail (privileges, not only the trigger), and two clients
editing one case with the same version through different workers: one wins, the other gets
412, nothing is lost."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from caseload.access import accounts
from caseload.register import catalogue, importer
from caseload.store import schema as s
from caseload.store.database import connect
from tests.api import PASSWORD
from tests.conftest import EXAMPLES, _Databases
from tests.helpers import run

pytestmark = pytest.mark.postgres
APP_ROLE = "caseload_app_test"


@pytest.fixture
def owner_url(
    postgres_databases: _Databases, postgres_template: str, postgres_server: Engine
) -> Iterator[str]:
    url = postgres_databases.new(template=postgres_template)
    engine = connect(url)
    for spec in catalogue.SPECS:
        importer.import_file(engine, spec.name, EXAMPLES / f"{spec.name}.csv")
    with engine.begin() as conn:
        for name in ("anna", "anna2"):
            accounts.add_account(conn, name, "caseworker", PASSWORD, staff="KS-001", lang="en")
    engine.dispose()
    with postgres_server.connect() as conn:
        if (
            conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}).first()
            is None
        ):
            conn.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN"))
    yield url
    postgres_databases.retire(url)


def _app_url(owner: str) -> str:
    return (
        make_url(owner).set(username=APP_ROLE, password=None).render_as_string(hide_password=False)
    )


def test_the_app_role_owns_nothing_and_cannot_touch_the_audit(owner_url: str) -> None:
    granted = run("init", "--db", owner_url, "--app-role", APP_ROLE)
    assert granted.exit_code == 0, granted.output
    assert f"Granted {APP_ROLE}" in granted.output
    app = connect(_app_url(owner_url))
    with app.begin() as conn:
        conn.execute(s.audit_event.insert().values(at=func.now(), request_id="t", action="probe"))
        assert conn.execute(select(func.count()).select_from(s.citizen)).scalar_one() == 3
    for statement in (
        "UPDATE audit_event SET action = 'x'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
        "DROP TABLE meeting",
    ):
        with (
            pytest.raises(ProgrammingError, match=r"permission denied|must be owner"),
            app.begin() as conn,
        ):
            conn.execute(text(statement))
    owned = connect(owner_url)
    with owned.connect() as conn:
        owners = (
            conn.execute(
                text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
            )
            .scalars()
            .all()
        )
    assert APP_ROLE not in owners
    app.dispose()
    owned.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(owner_url: str) -> Iterator[str]:
    assert run("init", "--db", owner_url, "--app-role", APP_ROLE).exit_code == 0
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "caseload.cli.main",
            "serve",
            "--db",
            _app_url(owner_url),
            "--port",
            str(port),
            "--workers",
            "2",
            "--as-of",
            "2019-09-01",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield base
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
        assert server.returncode == 0, err


def _signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    answer = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


def test_two_clients_one_version_through_two_workers(served: str, owner_url: str) -> None:
    first, second = _signed_in(served, "anna"), _signed_in(served, "anna2")
    rounds = 8
    for round_ in range(rounds):
        version = first.get("/api/v1/citizens/C000001").headers["etag"]
        statuses = _at_once(first, second, version, f"2019-10-{round_ + 1:02d}")
        assert sorted(statuses) == [201, 412], statuses
    owned = connect(owner_url)
    with owned.connect() as conn:
        planned = conn.execute(
            select(func.count())
            .select_from(s.meeting.join(s.citizen))
            .where(s.citizen.c.code == "C000001", s.meeting.c.status == "planned")
        ).scalar_one()
        version = conn.execute(
            select(s.citizen.c.version).where(s.citizen.c.code == "C000001")
        ).scalar_one()
        writes = conn.execute(
            select(func.count())
            .select_from(s.audit_event)
            .where(s.audit_event.c.action == "meeting.register")
        ).scalar_one()
    owned.dispose()
    assert (planned, version, writes) == (rounds, 1 + rounds, rounds)
    first.close()
    second.close()


def _at_once(first: httpx.Client, second: httpx.Client, version: str, day: str) -> list[int]:
    """Both clients register a meeting on the case with the same version, released together."""
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def edit(client: httpx.Client) -> None:
        barrier.wait()
        answer = client.post(
            "/api/v1/citizens/C000001/meetings",
            json={"status": "planned", "day": day},
            headers={"If-Match": version},
        )
        statuses.append(answer.status_code)
        if answer.status_code == 412:
            assert answer.json()["current_version"] == int(version.strip('"')) + 1

    threads = [threading.Thread(target=edit, args=(client,)) for client in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses
