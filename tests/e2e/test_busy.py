"""A SQLite register held by another writer: the waiting command says so in one line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import EXAMPLES

HOLD = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")  # the write lock, as a long import holds it
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


def _caseload(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "caseload.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_a_writer_waiting_past_the_timeout_gets_one_line(
    examples_register: Path, tmp_path: Path
) -> None:
    db = tmp_path / "register.sqlite"
    shutil.copy(examples_register, db)
    env = {**os.environ, "CASELOAD_BUSY_TIMEOUT": "0.3", "CASELOAD_LANG": "en"}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), "20"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        done = _caseload("import", "teams", str(EXAMPLES / "teams.csv"), "--db", str(db), env=env)
        waited = time.monotonic() - started
        da = _caseload(
            "import",
            "teams",
            str(EXAMPLES / "teams.csv"),
            "--db",
            str(db),
            "--lang",
            "da",
            env=env,
        )
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 5, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(" ".join(lines).split("the register is busy")) == 2
    assert "Traceback" not in done.stderr and "database is locked" not in done.stderr
    assert len(lines) == 1 and "CASELOAD_BUSY_TIMEOUT=SECONDS (now 0.3)" in lines[0]
    assert waited < 15  # waited about 0.3 s, not the default 10 s
    assert da.returncode == 5 and "registret er optaget" in da.stderr
    # once the other write is over, the same command goes through
    again = _caseload("import", "teams", str(EXAMPLES / "teams.csv"), "--db", str(db), env=env)
    assert again.returncode == 0, again.stderr
