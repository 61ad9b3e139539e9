"""`caseload keygen`: a key strong enough for a new register, alone on standard output."""

from __future__ import annotations

import subprocess
import sys

from caseload.domain import cpr


def _keygen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "caseload.cli.main", "keygen", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_keygen_prints_only_a_strong_key_on_stdout() -> None:
    first, second = _keygen(), _keygen()
    assert first.returncode == 0
    key = first.stdout.strip()
    assert first.stdout == key + "\n" and len(key) == 64
    assert cpr.key_bytes(key) == cpr.MIN_KEY_BYTES and cpr.strong_key(key)
    assert key != second.stdout.strip()
    assert "CASELOAD_CPR_KEY" in first.stderr and "3,000" in first.stderr


def test_keygen_advice_in_danish() -> None:
    done = _keygen("--lang", "da")
    assert done.returncode == 0 and cpr.strong_key(done.stdout.strip())
    assert "hemmelighedslager" in done.stderr and "3.000" in done.stderr
