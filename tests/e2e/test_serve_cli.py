"""`caseload users` and `caseload serve` as an operator runs them: the first admin made on
the command line (no default password), a caseworker, and the server started as a real
uvicorn process that answers /healthz and a sign-in, then stops on SIGINT."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from caseload.cli.main import app
from tests.helpers import copy_register

PASSWORD = "a long enough password"


def _users(*args: str, password: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["users", *args], input=password)
    return result.exit_code, result.output


@pytest.fixture
def register(examples_register: Path, tmp_path: Path) -> str:
    return copy_register(examples_register, tmp_path / "register.sqlite")


def test_accounts_on_the_command_line(register: str) -> None:
    code, out = _users(
        "add",
        "root",
        "--role",
        "admin",
        "--password-stdin",
        "--db",
        register,
        password=PASSWORD + "\n",
    )
    assert code == 0, out
    assert "Account root added (admin)." in out
    code, out = _users(
        "add",
        "anna",
        "--role",
        "caseworker",
        "--staff",
        "KS-001",
        "--password-stdin",
        "--db",
        register,
        password=PASSWORD + "\n",
    )
    assert code == 0, out
    short = _users(
        "add",
        "bo",
        "--role",
        "admin",
        "--password-stdin",
        "--db",
        register,
        password="short\n",
    )
    assert short[0] == 2
    assert "at least 12 characters" in short[1]
    no_staff = _users(
        "add",
        "carl",
        "--role",
        "caseworker",
        "--password-stdin",
        "--db",
        register,
        password=PASSWORD + "\n",
    )
    assert no_staff[0] == 2
    assert "give their staff code" in no_staff[1]
    code, out = _users("list", "--db", register)
    assert code == 0
    assert "anna" in out and "KS-001" in out and "root" in out
    assert _users("disable", "anna", "--db", register)[0] == 0
    listed = _users("list", "--db", register, "--lang", "da")[1]
    assert "Brugernavn" in listed and "nej" in listed
    code, out = _users("enable", "anna", "--db", register, "--lang", "da")
    assert code == 0 and "anna" in out
    assert "nej" not in _users("list", "--db", register, "--lang", "da")[1]
    assert _users("enable", "nobody", "--db", register)[0] == 2
    events = CliRunner().invoke(
        app, ["audit", "search", "--db", register, "--action", "account.add"]
    )
    assert events.exit_code == 0, events.output
    assert "2 of 2 events" in events.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_and_stops(register: str) -> None:
    assert (
        _users(
            "add",
            "anna",
            "--role",
            "caseworker",
            "--staff",
            "KS-001",
            "--password-stdin",
            "--db",
            register,
            password=PASSWORD + "\n",
        )[0]
        == 0
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "caseload.cli.main",
            "serve",
            "--db",
            register,
            "--port",
            str(port),
            "--as-of",
            "2019-09-01",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                health = httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        assert health.status_code == 200
        with httpx.Client(base_url=base) as client:
            signed = client.post("/api/v1/session", json={"username": "anna", "password": PASSWORD})
            assert signed.status_code == 200
            mine = client.get("/api/v1/citizens")
            assert mine.status_code == 200
            assert mine.json()["total"] == 2
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=20)
    assert server.returncode == 0, err
    assert "Serving" in err and f":{port}" in err
    assert "/api/v1/citizens" not in err  # the request log is at info level, off by default


def test_demo_serves_itself_with_an_account_per_role(tmp_path: Path) -> None:
    """``caseload demo --serve`` builds a small demo, prints one account per role with a
    password made for this run, and serves the web app on the demo's register day; run
    again without --fresh it serves the demo it built, with new passwords."""
    db = str(tmp_path / "demo.sqlite")
    for round_ in (1, 2):
        port = _free_port()
        args = ["demo", "--db", db, "--serve", "--port", str(port), "--lang", "en"]
        if round_ == 1:
            args += ["--fresh", "--citizens", "300"]
        server = subprocess.Popen(
            [sys.executable, "-m", "caseload.cli.main", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(600):
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                pytest.fail("the demo was not served")
        finally:
            server.send_signal(signal.SIGINT)
            out, err = server.communicate(timeout=30)
        assert server.returncode == 0, err
        # the table's rows: │ role │ username │ password │ staff │
        passwords = {
            cells[2]: cells[3]
            for line in out.splitlines()
            if "demo-" in line and "│" in line
            for cells in [[c.strip() for c in line.split("│")]]
        }
        assert sorted(passwords) == [
            "demo-admin",
            "demo-analyst",
            "demo-caseworker",
            "demo-leader",
            "demo-reviewer",
        ], out
        assert len(set(passwords.values())) == 5 and all(len(p) >= 12 for p in passwords.values())
        assert ("Built" in out) == (round_ == 1)
        # served again to sign in with the caseworker's password
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "caseload.cli.main",
                "serve",
                "--db",
                db,
                "--port",
                str(port),
                "--as-of",
                "2019-03-01",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            with httpx.Client(base_url=base) as client:
                signed = client.post(
                    "/login",
                    data={"username": "demo-caseworker", "password": passwords["demo-caseworker"]},
                )
                assert signed.status_code == 303 and signed.headers["location"] == "/caseload"
                page = client.get("/caseload")
                assert page.status_code == 200 and "Register day" in page.text
        finally:
            server.send_signal(signal.SIGINT)
            server.communicate(timeout=30)
