"""The web app in browser tests: a real uvicorn server on a free loopback port, in a
thread of the test process, on a register copy; and a page wrapper that counts the clicks
and key presses a user makes (the meeting form's target is counted with it)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import uvicorn
from sqlalchemy import Engine

from caseload.serve.app import create_app
from caseload.serve.settings import Settings
from tests.api import DAY, url_of


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(engine: Engine, lang: str = "en", day: date = DAY) -> Iterator[str]:
    """The app on ``engine``'s register (register day ``day``), until the block ends."""
    app = create_app(Settings(db=url_of(engine), register_day=day, default_lang=lang))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        raise RuntimeError("the test server did not start")
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Counted:
    """A Playwright page whose clicks and key presses are counted from ``start()`` on."""

    page: Any
    actions: int = 0
    counting: bool = False

    def start(self) -> None:
        self.actions, self.counting = 0, True

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.actions += self.counting

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.actions += self.counting


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
