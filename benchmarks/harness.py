"""What every benchmark script shares: the code measured, timestamps, timed children and
best/median summaries."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def code_state() -> dict[str, Any]:
    """The commit measured, and the files of src/ that differ from it (others edit too)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "src_changed": git("status", "--porcelain", "--", "src").splitlines(),
    }


def say(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def run(args: list[str]) -> dict[str, Any]:
    """One child: wall seconds (start-up included), its own peak RSS in GiB, its output."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen(
            args,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env=os.environ | {"COLUMNS": "120"},
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        said = out.read()
    return {
        "seconds": wall,
        "peak_gib": usage.ru_maxrss / 2**20,
        "ok": os.waitstatus_to_exitcode(status) == 0,
        "output": said,
    }


def summary(values: list[float]) -> dict[str, Any]:
    return {"best": min(values), "median": statistics.median(values), "runs": values}


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` if it is missing (before any work is timed),
    so a benchmark does not fail after its first part; other URLs are left alone."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    if not target.get_backend_name().startswith("postgresql") or not target.database:
        return
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).first()
            if found is None:
                conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
                say(f"created database {target.database}")
    finally:
        admin.dispose()


def begin(**facts: Any) -> dict[str, Any]:
    """The results record every script starts with (the command, the machine, the date and
    the code measured, plus ``facts``), said on the terminal as well."""
    import sys

    from machine import describe as machine  # benchmarks/ is the script's folder

    results: dict[str, Any] = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
        "date": datetime.now().isoformat(timespec="seconds"),
        "code": code_state(),
        **facts,
    }
    print(f"machine: {results['machine']}", flush=True)
    print(
        f"code: {results['code']['commit']}, changed in src/: "
        f"{', '.join(results['code']['src_changed']) or 'nothing'}",
        flush=True,
    )
    return results


def where(db: str) -> str:
    """A database for the record: a SQLite path as it is, a URL without its credentials."""
    return db.split("@")[-1] if "://" in db else db


def fmt(r: dict[str, Any]) -> str:
    """``best s / median s`` of a summary, or why the measurement failed."""
    if not r.get("ok"):
        return f"failed: {r.get('error')}"
    return f"{r['best']:.2f} s / {r['median']:.2f} s"


def build_demo(caseload: str, db: str, citizens: int | None) -> dict[str, Any]:
    """Build the demo job centre into ``db`` with ``caseload demo --fresh`` as a timed child
    (the default size when ``citizens`` is None); exits with its output if it fails."""
    args = [caseload, "demo", "--db", db, "--fresh"]
    if citizens:
        args += ["--citizens", str(citizens)]
    say(f"building: {' '.join(args[1:])}")
    result = run(args)
    if not result["ok"]:
        raise SystemExit(f"{' '.join(args)} failed:\n{result['output'][-3000:]}")
    built = [line for line in result["output"].splitlines() if line.startswith("Built")]
    say(f"built in {result['seconds']:.0f} s, peak {result['peak_gib']:.2f} GiB")
    return {
        "seconds": result["seconds"],
        "peak_gib": result["peak_gib"],
        "said": built[0] if built else "",
    }
