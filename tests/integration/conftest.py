"""The demo job centre (default size, seed 2018) for the integration tests that read it: one
copy of the session's demo, shared by them. Tests that add rows remove them again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import Result

from caseload.store.database import connect
from tests.api import Api, api_on, examples_with_accounts
from tests.conftest import CopyOf
from tests.helpers import copy_register


@pytest.fixture(scope="session")
def demo(
    demo_build: tuple[Path, Result], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    template, result = demo_build
    assert result.exit_code == 0, result.output
    engine = connect(copy_register(template, tmp_path_factory.mktemp("demo") / "demo.sqlite"))
    yield engine
    engine.dispose()


@pytest.fixture
def api_register(register_copy: CopyOf) -> Engine:
    """The example register with one account per role (tests/api.py), on each backend."""
    return register_copy(examples_with_accounts)


@pytest.fixture
def api(api_register: Engine) -> Iterator[Api]:
    """The API on ``api_register``, a signed-in client per role."""
    with api_on(api_register) as signed_in:
        yield signed_in
