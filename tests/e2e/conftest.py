"""What every CLI test runs under, and the example register built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseload.register import catalogue
from tests.conftest import EXAMPLES
from tests.helpers import plain_environment, run, settle


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """English, no database from the environment, and consoles wide enough for whole rows."""
    plain_environment(monkeypatch)


@pytest.fixture(scope="session")
def examples_register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`caseload init` and `caseload import` of every examples/ file, once per session; tests
    get a copy (importing them again for each test took most of the e2e run)."""
    path = tmp_path_factory.mktemp("examples") / "register.sqlite"
    db = str(path)
    with pytest.MonkeyPatch.context() as patch:
        plain_environment(patch)
        assert run("init", "--db", db).exit_code == 0
        for spec in catalogue.SPECS:
            table = spec.name
            assert run("import", table, str(EXAMPLES / f"{table}.csv"), "--db", db).exit_code == 0
    settle(path)
    return path
