"""The API in tests: a TestClient on a register copy, with one account per role signed in
(caseworker KS-001 and a leader of JI6 on the example register) and helpers to call it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from caseload.access import accounts
from caseload.register import catalogue, importer
from caseload.serve.app import create_app
from caseload.serve.settings import Settings
from tests.conftest import EXAMPLES

PASSWORD = "correct horse battery"
DAY = date(2019, 9, 1)
ROLES = {
    "caseworker": {"staff": "KS-001"},
    "leader": {"staff": "VK-001"},
    "analyst": {},
    "admin": {},
    "reviewer": {},
}


@dataclass
class Api:
    """Clients signed in as each role, and one signed in as nobody."""

    clients: dict[str, TestClient]
    anonymous: TestClient
    csrf: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, role: str) -> TestClient:
        return self.clients[role]


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def examples_with_accounts(engine: Engine, _folder: Path) -> None:
    """Every examples/ file imported, then one account per role (``ROLES``)."""
    for spec in catalogue.SPECS:
        importer.import_file(engine, spec.name, EXAMPLES / f"{spec.name}.csv")
    add_accounts(engine)


def add_accounts(engine: Engine) -> None:
    with engine.begin() as conn:
        for role, linked in ROLES.items():
            accounts.add_account(conn, role, role, PASSWORD, lang="en", **linked)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in; the client keeps the cookie and sends the CSRF token on every change."""
    answer = client.post("/api/v1/session", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    token = str(answer.json()["csrf_token"])
    client.headers["X-CSRF-Token"] = token
    return token


@contextmanager
def api_on(engine: Engine, settings: Settings | None = None) -> Iterator[Api]:
    """One app on the register, entered (its start-up run), with a client per role."""
    settings = settings or Settings(db=url_of(engine), register_day=DAY, default_lang="en")
    app = create_app(settings)
    clients: dict[str, TestClient] = {}
    with TestClient(app) as anonymous:
        for role in ROLES:
            client = TestClient(app)
            client.__enter__()
            clients[role] = client
        api = Api(clients, anonymous)
        for role, client in clients.items():
            api.csrf[role] = sign_in(client, role)
        try:
            yield api
        finally:
            for client in clients.values():
                client.__exit__(None, None, None)
