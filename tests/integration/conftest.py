"""The demo job centre (default size, seed 2018), built once for the integration tests
that read it. Tests that add rows remove them again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from caseload.store.database import connect
from caseload.store.migrate import upgrade
from caseload.synth import jobcentre


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = connect(str(tmp_path_factory.mktemp("demo") / "demo.sqlite"))
    upgrade(engine)
    jobcentre.write(engine, jobcentre.simulate(seed=2018))
    yield engine
    engine.dispose()
