"""The API against the attacks and slips a job centre's API meets, on SQLite and
PostgreSQL: session fixation, brute-force sign-ins (throttled in the register, so across
workers), a password hash re-made under new parameters, and no CPR number anywhere — not
in logs, audit rows or error bodies — although citizens have CPR numbers and callers type
them into paths, bodies and the username field."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError

from caseload.access import accounts, passwords, signin
from caseload.access.clock import utcnow
from caseload.access.throttle import Limits
from caseload.register import catalogue, importer, rules
from caseload.serve.app import create_app
from caseload.serve.guard import SESSION_COOKIE
from caseload.serve.settings import Settings
from caseload.store import schema as s
from caseload.store.database import connect, reader
from tests.api import DAY, PASSWORD, add_accounts, sign_in, url_of
from tests.conftest import EXAMPLES, CopyOf

CPR_KEY = "0f" * 32
CPRS = ("010180-1233", "050305-4122")
CPR_PATTERN = re.compile(r"(?<!\w)(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])\d{2}-?\d{4}(?!\w)")
"""DDMMYY-SSSS (or without the hyphen) standing alone: not inside a request id's hex."""


def _load(engine: Engine, folder: Path) -> None:
    for spec in catalogue.SPECS:
        importer.import_file(engine, spec.name, EXAMPLES / f"{spec.name}.csv")
    # the example citizens get CPR numbers (hashed with the test key)
    with_cpr = folder / "citizens_cpr.csv"
    with_cpr.write_text(
        "citizen_id,cpr,origin,target_group\n"
        f"C000001,{CPRS[0]},danish,activity_ready_30_plus\n"
        f"C000002,{CPRS[1]},non_western,activity_ready_30_plus\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(rules.CPR_KEY_ENV, CPR_KEY)
        importer.import_file(engine, "citizens", with_cpr)
    add_accounts(engine)


@pytest.fixture
def loaded(register_copy: CopyOf) -> Engine:
    return register_copy(_load)


def _app(engine: Engine, **changes: object) -> TestClient:
    settings = Settings(db=url_of(engine), register_day=DAY, default_lang="en", **changes)  # type: ignore[arg-type]
    return TestClient(create_app(settings))


@pytest.fixture
def client(loaded: Engine) -> Iterator[TestClient]:
    with _app(loaded) as c:
        yield c


def test_a_new_session_at_every_sign_in(client: TestClient) -> None:
    sign_in(client, "caseworker")
    planted = client.cookies[SESSION_COOKIE]
    sign_in(client, "caseworker")
    fresh = client.cookies[SESSION_COOKIE]
    assert fresh != planted
    client.cookies.set(SESSION_COOKIE, planted)
    assert client.get("/api/v1/me").status_code == 401  # the earlier session ended
    client.cookies.set(SESSION_COOKIE, fresh)
    assert client.get("/api/v1/me").json()["username"] == "caseworker"
    client.cookies.set(SESSION_COOKIE, fresh[:-2] + ("AA" if fresh[-2:] != "AA" else "BB"))
    assert client.get("/api/v1/me").status_code == 401  # a forged signature


def test_sign_out_ends_the_session(client: TestClient) -> None:
    sign_in(client, "caseworker")
    cookie = client.cookies[SESSION_COOKIE]
    assert client.delete("/api/v1/session").status_code == 204
    client.cookies.set(SESSION_COOKIE, cookie)
    assert client.get("/api/v1/me").status_code == 401


def test_an_idle_session_ends(loaded: Engine) -> None:
    with _app(loaded, idle=timedelta(seconds=1)) as c:
        sign_in(c, "caseworker")
        with loaded.begin() as conn:
            conn.execute(update(s.web_session).values(last_seen_at=utcnow() - timedelta(minutes=5)))
        assert c.get("/api/v1/me").status_code == 401


def _try(client: TestClient, username: str, password: str) -> int:
    return client.post(
        "/api/v1/session", json={"username": username, "password": password}
    ).status_code


def test_brute_force_is_throttled_per_account_across_workers(loaded: Engine) -> None:
    limits = Limits(per_account=3, per_client=100)
    with _app(loaded, login_limits=limits) as one, _app(loaded, login_limits=limits) as two:
        assert [_try(one, "caseworker", "wrong password!") for _ in range(2)] == [401, 401]
        assert _try(two, "caseworker", "wrong password!") == 401  # the third, elsewhere
        blocked = two.post("/api/v1/session", json={"username": "caseworker", "password": PASSWORD})
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) > 0
        assert blocked.json()["retry_after"] > 0
        assert _try(one, "leader", PASSWORD) == 200  # another account is not held up


def test_brute_force_is_throttled_per_address(loaded: Engine) -> None:
    with _app(loaded, login_limits=Limits(per_account=100, per_client=4)) as c:
        for name in ("a1", "a2", "a3", "a4"):
            assert _try(c, name, "nobody's password") == 401
        assert _try(c, "caseworker", PASSWORD) == 429


def test_a_weaker_hash_is_made_again_at_sign_in(loaded: Engine, client: TestClient) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    with loaded.begin() as conn:
        conn.execute(
            update(s.account)
            .where(s.account.c.username == "caseworker")
            .values(password_hash=passwords.hash_password(PASSWORD, weak))
        )
    sign_in(client, "caseworker")
    with loaded.connect() as conn:
        stored = conn.execute(
            select(s.account.c.password_hash).where(s.account.c.username == "caseworker")
        ).scalar_one()
    assert "m=8192,t=1" not in stored
    assert not PasswordHasher().check_needs_rehash(stored)


def test_no_cpr_number_in_logs_audit_or_bodies(
    loaded: Engine, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bodies: list[str] = []
    for attempt in (CPRS[0], CPRS[0].replace("-", "")):
        bodies.append(
            client.post("/api/v1/session", json={"username": attempt, "password": attempt}).text
        )
    sign_in(client, "caseworker")
    for path in (
        "/api/v1/citizens/C000001",
        f"/api/v1/citizens/{CPRS[0].replace('-', '')}",
        f"/api/v1/citizens/{CPRS[1]}",
        "/api/v1/citizens",
    ):
        bodies.append(client.get(path).text)
    for body, headers in (
        ({"status": "held", "day": "2019-08-30", "staff": CPRS[0]}, {"If-Match": '"1"'}),
        ({"status": "held", "day": CPRS[0]}, {"If-Match": '"1"'}),
        ({"status": "planned", "day": "2019-10-01"}, {"If-Match": CPRS[1]}),
    ):
        bodies.append(
            client.post("/api/v1/citizens/C000001/meetings", json=body, headers=headers).text
        )
    bodies.append(
        client.post(
            f"/api/v1/citizens/{CPRS[1]}/meetings",
            json={"status": "planned", "day": "2019-10-01"},
            headers={"If-Match": '"1"'},
        ).text
    )
    with loaded.connect() as conn:
        audit = [" ".join(map(str, row)) for row in conn.execute(select(s.audit_event))]
    assert len(audit) >= 8
    # the server's log (the test client's own httpx log names the URL it asked for)
    server_log = [
        record.getMessage()
        for record in caplog.records
        if not record.name.startswith(("httpx", "httpcore"))
    ]
    assert any("/api/v1/citizens/{citizen}" in line for line in server_log)
    everything = "\n".join([*bodies, *audit, *server_log])
    for number in CPRS:
        assert number not in everything
        assert number.replace("-", "") not in everything
    assert not CPR_PATTERN.search(everything), CPR_PATTERN.search(everything)


def test_a_sign_in_is_judged_while_another_writer_holds_sqlite(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The password is checked without writing: a sign-in is judged while another process
    holds SQLite's write lock (before, the first sign-ins on a new register made the login
    key in the reading transaction, and 49 of 50 simultaneous ones ended in a 500)."""
    monkeypatch.setenv("CASELOAD_BUSY_TIMEOUT", "0.2")
    with sqlite_engine.begin() as conn:  # an analyst: linked to no professional
        accounts.add_account(conn, "analyst", "analyst", PASSWORD)
    path = sqlite_engine.url.database
    assert path
    blocker = sqlite3.connect(path, isolation_level=None)
    engine = connect(url_of(sqlite_engine))
    try:
        blocker.execute("BEGIN IMMEDIATE")
        with reader(engine).connect() as conn, conn.begin():
            attempt = signin.judge(conn, "analyst", PASSWORD, "127.0.0.1", b"k" * 64)
        assert attempt.account is not None and attempt.account.username == "analyst"
        # a writer does wait for the lock, and gives up
        with pytest.raises(OperationalError, match="locked"), engine.begin() as conn:
            conn.execute(select(s.account.c.id)).all()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        engine.dispose()
