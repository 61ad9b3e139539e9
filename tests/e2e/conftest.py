"""What every CLI test runs under."""

from __future__ import annotations

import pytest

from caseload.cli import common
from caseload.register import rules


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """English, no database from the environment, and consoles wide enough for whole rows."""
    monkeypatch.delenv("CASELOAD_LANG", raising=False)
    monkeypatch.delenv("CASELOAD_DATABASE_URL", raising=False)
    monkeypatch.delenv(rules.CPR_KEY_ENV, raising=False)
    monkeypatch.setattr(common.console, "width", 200)
    monkeypatch.setattr(common.errors, "width", 200)
