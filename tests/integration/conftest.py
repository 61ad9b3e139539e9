"""The demo job centre (default size, seed 2018) for the integration tests that read it: one
copy of the session's demo, shared by them. Tests that add rows remove them again."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import Result

from caseload.store.database import connect
from tests.api import Api, api_on, examples_with_accounts
from tests.conftest import CopyOf
from tests.helpers import copy_register

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def demo(
    demo_build: tuple[Path, Result], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    template, result = demo_build
    assert result.exit_code == 0, result.output
    engine = connect(copy_register(template, tmp_path_factory.mktemp("demo") / "demo.sqlite"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Chromium from the system; in CI its absence fails the run, elsewhere it skips."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (make test does, as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


@pytest.fixture
def api_register(register_copy: CopyOf) -> Engine:
    """The example register with one account per role (tests/api.py), on each backend."""
    return register_copy(examples_with_accounts)


@pytest.fixture
def api(api_register: Engine) -> Iterator[Api]:
    """The API on ``api_register``, a signed-in client per role."""
    with api_on(api_register) as signed_in:
        yield signed_in


@pytest.fixture(scope="session")
def national_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small national register of tests/national.py as a Parquet dataset, once per
    session (never written to again)."""
    from tests.national import generate

    folder = tmp_path_factory.mktemp("national") / "dataset"
    generate(folder)
    return folder
