"""Imports under kill -9: the probe that tests/integration/test_import_kill.py runs a few
times and benchmarks/kill_imports.py a hundred times or more per backend.

One run: write a meetings file of ``rows`` new meetings (ids of the run's own prefix, for the
example citizens and staff), start ``caseload import meetings FILE --db URL`` as a real child
process, SIGKILL it after ``delay`` seconds, then judge the register:

- the meetings table holds all of the file's rows or none of them (counted against before);
- the database is sound: SQLite's ``PRAGMA integrity_check`` says ``ok``; on PostgreSQL the
  table reads in full, and a sequential scan, an index scan and the rows fetched agree;
- the same file imports again: every row inserted when none was written, every row unchanged
  when all were.

A run may first empty the table (``empty_first``): the load then takes the import's
empty-table path (ids reserved in one go, and from ``bulk.REBUILD_INDEXES_FROM`` rows, indexes
and PostgreSQL's foreign keys dropped and made again); otherwise the rows are upserted into a
table that already holds earlier runs' rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text

import caseload
from caseload.register import catalogue, importer

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TABLE = "meetings"
APP_NAME = "caseload-kill-probe"
"""The child's PostgreSQL application_name (libpq's PGAPPNAME), to find its session."""

_CITIZENS = ("C000001", "C000002", "C000003")  # examples/citizens.csv
_STAFF = ("KS-001", "KS-101", "VK-001")  # examples/staff.csv, employed until today
_FIRST_DAY = dt.date(2018, 2, 1)  # after every example citizen's first responsibility
_KINDS = ("job_meeting", "follow_up", "three_party", "phone_contact")
_PLACES = ("job_centre", "home", "phone", "video")
_WRITING = re.compile(
    r"^\s*(COPY|INSERT|UPDATE|ALTER|DROP|CREATE|ANALYZE|LOCK|SELECT setval|COMMIT)", re.I
)


def prepare(engine: Engine) -> None:
    """Import every example table the meetings refer to (those before it in load order)."""
    order = [spec.name for spec in catalogue.SPECS]
    for table in order[: order.index(TABLE)]:
        importer.import_file(engine, table, EXAMPLES / f"{table}.csv")


def write_file(path: Path, label: str, rows: int, seed: int) -> int:
    """A valid meetings file of ``rows`` meetings, ids ``<label>-<n>``; returns ``rows``."""
    rng = random.Random(f"{seed}-{label}")
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                *("meeting_id", "citizen_id", "staff_id", "kind", "due_date"),
                *("scheduled_date", "held_date", "duration_minutes", "place", "status"),
            ]
        )
        for n in range(rows):
            day = _FIRST_DAY + dt.timedelta(days=rng.randrange(1000))
            held = rng.random() < 0.7
            status = "held" if held else rng.choice(("planned", "no_show", "cancelled_by_citizen"))
            out.writerow(
                [
                    f"{label}-{n:06d}",
                    rng.choice(_CITIZENS),
                    rng.choice(_STAFF),
                    rng.choice(_KINDS),
                    (day + dt.timedelta(days=rng.randrange(30))).isoformat(),
                    day.isoformat(),
                    day.isoformat() if held else "",
                    rng.randrange(10, 90) if held else "",
                    rng.choice(_PLACES),
                    status,
                ]
            )
    return rows


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM meeting")).scalar_one())


def integrity(engine: Engine) -> str:
    """``ok``, or what is wrong with the database."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            said = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
            return "; ".join(str(s) for s in said)
        conn.exec_driver_sql("SET lock_timeout = '10s'")
        fetched = sum(1 for _ in conn.exec_driver_sql("SELECT * FROM meeting"))
        for setting in ("indexscan", "indexonlyscan", "bitmapscan"):
            conn.exec_driver_sql(f"SET enable_{setting} = off")
        scanned = conn.exec_driver_sql("SELECT count(*) FROM meeting").scalar_one()
        for setting in ("indexscan", "indexonlyscan", "bitmapscan"):
            conn.exec_driver_sql(f"SET enable_{setting} = on")
        conn.exec_driver_sql("SET enable_seqscan = off")
        # the unique index on the meeting's code, read in full
        indexed = conn.exec_driver_sql(
            "SELECT count(*) FROM meeting WHERE code IS NOT NULL"
        ).scalar_one()
        conn.rollback()
    if fetched == scanned == indexed:
        return "ok"
    return f"rows fetched {fetched}, counted by scan {scanned}, by index {indexed}"


def empty(engine: Engine) -> None:
    """Delete every meeting (and what refers to one), so the next load is into an empty table."""
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM meeting_correction")
        conn.exec_driver_sql("UPDATE meeting SET follow_up_of_id = NULL")
        conn.exec_driver_sql("DELETE FROM meeting")


def kill_moment(rng: random.Random, span: float) -> tuple[float, bool]:
    """When to kill, for an import that takes ``span`` seconds uninterrupted: seconds, and
    whether they count from the moment the write is seen to start (else from the start).

    Start-up, reading and checking take most of an import, so half of the kills fall
    anywhere in it, and half in the first 30 % of ``span`` after the write started (the
    write, the commit, and on PostgreSQL the VACUUM after it; some land after the end)."""
    if rng.random() < 0.5:
        return span * rng.uniform(0.02, 1.05), False
    return span * rng.uniform(0.0, 0.3), True


def child_environment() -> dict[str, str]:
    """The child runs this very caseload (its src/ first on the path), in English, and says
    who it is to PostgreSQL."""
    src = str(Path(caseload.__file__).resolve().parent.parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASELOAD_")}
    env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [env.get("PYTHONPATH")])])
    env["PGAPPNAME"] = APP_NAME
    return env


def _wal(url: str) -> Path | None:
    if "://" in url and not url.startswith("sqlite"):
        return None
    path = url.removeprefix("sqlite:///")
    return Path(path + "-wal")


def _pg_phase(engine: Engine) -> str:
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT query FROM pg_stat_activity"
                " WHERE application_name = :name AND datname = current_database()"
            ),
            {"name": APP_NAME},
        ).first()
    if found is None:
        return "starting (not connected yet)"
    query = str(found.query or "")
    if query.lstrip().upper().startswith("VACUUM"):
        return "vacuum after commit"
    if _WRITING.match(query):
        return "writing or committed"
    return "reading or checking"


def _sqlite_phase(wal: Path) -> str:
    grown = wal.exists() and wal.stat().st_size > 0
    return "writing or committed" if grown else "starting, reading or checking"


def _checkpoint(engine: Engine) -> None:
    """SQLite: fold the WAL into the file and empty it, so a WAL that grows means writing."""
    if engine.dialect.name == "sqlite" and engine.url.database:
        engine.dispose()
        # a plain connection: the engine's connections begin a transaction at once
        with closing(sqlite3.connect(engine.url.database)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def wait_for_sessions(engine: Engine, seconds: float = 20.0) -> int:
    """PostgreSQL: wait until the killed child's session has gone (the server notices the
    dead client when it next reads from it, or at the end of a running statement); after
    ``seconds``, end it. Returns how many sessions had to be ended (0 expected)."""
    if engine.dialect.name == "sqlite":
        return 0
    find = text(
        "SELECT pid FROM pg_stat_activity"
        " WHERE application_name = :name AND datname = current_database()"
    )
    deadline = time.monotonic() + seconds
    while True:
        with engine.connect() as conn:
            pids = conn.execute(find, {"name": APP_NAME}).scalars().all()
            if not pids:
                return 0
            if time.monotonic() > deadline:
                for pid in pids:
                    conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                conn.commit()
                return len(pids)
        time.sleep(0.05)


@dataclass(frozen=True)
class Kill:
    delay: float
    from_write: bool
    """``delay`` counted from the moment the write was seen to start."""
    mid_import: bool
    """The child was still running when it was killed."""
    phase: str
    """What the child was doing: exited, starting…, reading and checking, writing, …"""
    output: str


def _phase(url: str, engine: Engine) -> str:
    wal = _wal(url)
    return _sqlite_phase(wal) if wal is not None else _pg_phase(engine)


def _wait_for_write(child: subprocess.Popen[bytes], url: str, engine: Engine) -> None:
    while child.poll() is None and not _phase(url, engine).startswith("writing"):
        time.sleep(0.01)


def kill_import(
    url: str, engine: Engine, path: Path, delay: float, from_write: bool = False
) -> Kill:
    """``caseload import meetings PATH --db URL`` as a child, SIGKILLed ``delay`` seconds
    after its start (or, ``from_write``, after its write was seen to start)."""
    _checkpoint(engine)
    child = subprocess.Popen(
        [sys.executable, "-m", "caseload.cli.main", "import", TABLE, str(path), "--db", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=child_environment(),
    )
    if from_write:
        _wait_for_write(child, url, engine)
    with suppress(subprocess.TimeoutExpired):
        child.wait(timeout=delay)
    running = child.poll() is None
    phase = "exited"
    if running:
        phase = _phase(url, engine)
        child.send_signal(signal.SIGKILL)
    out, _ = child.communicate()
    if not running and child.returncode != 0:
        raise RuntimeError(f"the import failed by itself:\n{out.decode(errors='replace')}")
    return Kill(delay, from_write, running, phase, out.decode(errors="replace"))


def calibrate(
    url: str, engine: Engine, folder: Path, rows: int, seed: int, empty_first: bool = False
) -> float:
    """Seconds one uninterrupted child import of ``rows`` new meetings takes (start-up
    included), into an emptied table or one that holds rows: the span kills are spread over."""
    label = f"CAL{rows}{'E' if empty_first else 'U'}"
    path = folder / f"{label}.csv"
    write_file(path, label, rows, seed)
    if empty_first:
        empty(engine)
    elif not count(engine):  # an upsert, as the runs after the first see it
        importer.import_file(engine, TABLE, EXAMPLES / "meetings.csv")
    engine.dispose()
    seconds = full_import(url, path)
    path.unlink()
    return seconds


def full_import(url: str, path: Path) -> float:
    """Seconds one uninterrupted child import of ``path`` takes (start-up included)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "caseload.cli.main", "import", TABLE, str(path), "--db", url],
        capture_output=True,
        env=child_environment(),
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the import failed:\n{done.stdout.decode()}{done.stderr.decode()}")
    return time.perf_counter() - started


@dataclass(frozen=True)
class Outcome:
    kill: Kill
    rows: int
    before: int
    after: int
    written: str
    """``none``, ``all`` or ``half`` (``half`` is the bug this probe looks for)."""
    integrity: str
    lingering: int
    """PostgreSQL sessions of the killed child still there after the wait (0 expected)."""
    reimport: importer.ImportResult | None
    reimport_error: str
    final: int

    @property
    def moment(self) -> str:
        """When the kill came, judged with what was written: after the child ended, after its
        commit (still closing, or vacuuming), or, nothing written, in the phase seen."""
        if not self.kill.mid_import:
            return "after the import ended"
        if self.written == "all":
            return "after the commit"
        if self.written == "none" and self.kill.phase.startswith("writing"):
            return "writing, before the commit"
        return self.kill.phase

    @property
    def reimport_ok(self) -> bool:
        if self.reimport is None:
            return False
        r, n = self.reimport, self.rows
        expected = (n, 0, 0) if self.written == "none" else (0, 0, n)
        return (r.inserted, r.updated, r.unchanged) == expected and self.final == self.before + n


def probe(
    url: str,
    engine: Engine,
    folder: Path,
    run: int,
    delay: float,
    rows: int,
    seed: int,
    empty_first: bool = False,
    from_write: bool = False,
) -> Outcome:
    """One kill, judged (see the module's docstring)."""
    label = f"R{run:04d}"
    path = folder / f"{label}.csv"
    write_file(path, label, rows, seed)
    if empty_first:
        empty(engine)
    before = count(engine)
    kill = kill_import(url, engine, path, delay, from_write)
    engine.dispose()  # nothing pooled from before the kill
    lingering = wait_for_sessions(engine)
    after = count(engine)
    written = "none" if after == before else "all" if after == before + rows else "half"
    sound = integrity(engine)
    result: importer.ImportResult | None = None
    error = ""
    try:
        result = importer.import_file(engine, TABLE, path)
    except Exception as failed:  # reported, not raised: the script counts these
        error = f"{type(failed).__name__}: {failed}"
    final = count(engine)
    path.unlink()
    return Outcome(kill, rows, before, after, written, sound, lingering, result, error, final)
