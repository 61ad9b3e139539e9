"""Benchmark: build the synthetic job centre at scale on SQLite and PostgreSQL.

Measures wall time, peak memory (RSS of the `caseload demo` process) and database size,
and, in the same run, the write path against a baseline: the same rows of the biggest
table (meetings) written with plain SQLAlchemy Core executemany, without validation.

    .venv/bin/python benchmarks/build_jobcentre.py --citizens 1000000 --backend both
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import describe as machine  # benchmarks/ is the script's folder
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
CASELOAD = str(Path(sys.executable).with_name("caseload"))
PG_ADMIN = os.environ.get(
    "CASELOAD_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _run(args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS of this one child in GiB, and its summary lines."""
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
        text_out = out.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{text_out[-3000:]}")
    said = "\n".join(line for line in text_out.splitlines() if line.startswith(("Built", "Trial")))
    return wall, usage.ru_maxrss / 2**20, said


def build(backend: str, citizens: int, workdir: Path) -> dict[str, object]:
    if backend == "sqlite":
        db = str(workdir / f"bench-{citizens}.sqlite")
    else:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "caseload_bench" WITH (FORCE)'))
            conn.execute(text('CREATE DATABASE "caseload_bench"'))
        db = admin.url.set(database="caseload_bench").render_as_string(hide_password=False)
    wall, peak, said = _run([CASELOAD, "demo", "--db", db, "--citizens", str(citizens), "--fresh"])
    if backend == "sqlite":
        size = sum(
            Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists()
        )
    else:
        engine = create_engine(db)
        with engine.connect() as conn:
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        engine.dispose()
    return {
        "backend": backend,
        "citizens": citizens,
        "seconds": wall,
        "peak_gib": peak,
        "db_gib": size / 2**30,
        "said": said,
    }


def baseline(citizens: int, workdir: Path) -> dict[str, float]:
    """Meetings of a job centre written by our import path vs plain Core executemany."""
    from caseload.register import catalogue, importer
    from caseload.store import schema
    from caseload.store.database import connect
    from caseload.store.migrate import upgrade
    from caseload.synth import jobcentre

    centre = jobcentre.simulate(citizens, seed=1)
    out: dict[str, float] = {}
    for label in ("caseload", "core"):
        path = workdir / f"baseline-{label}.sqlite"
        for extra in ("", "-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        engine = connect(str(path))
        upgrade(engine)
        with engine.begin() as conn:
            for name in jobcentre.TABLES[: jobcentre.TABLES.index("meetings")]:
                importer.import_frame(conn, catalogue.spec(name), centre.table(name), name)
            meetings = centre.table("meetings")
            started = time.perf_counter()
            if label == "caseload":
                importer.import_frame(conn, catalogue.spec("meetings"), meetings, "meetings")
            else:
                ids = {code: i for code, i in conn.execute(text("SELECT code, id FROM citizen"))}
                staff = {c: i for c, i in conn.execute(text("SELECT code, id FROM professional"))}
                rows = [
                    {
                        "code": r["meeting_id"],
                        "citizen_id": ids[r["citizen_id"]],
                        "professional_id": staff.get(r["staff_id"]),
                        "kind": r["kind"],
                        "due_date": r["due_date"],
                        "scheduled_date": r["scheduled_date"],
                        "held_date": r["held_date"],
                        "duration_minutes": r["duration_minutes"],
                        "place": r["place"],
                        "status": r["status"],
                    }
                    for r in meetings.iter_rows(named=True)
                ]
                conn.execute(schema.meeting.insert(), rows)
            out[label] = time.perf_counter() - started
        out["rows"] = meetings.height
        engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--baseline-citizens", type=int, default=100_000)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(dir=os.environ.get("CASELOAD_BENCH_DIR")) as tmp:
        work = Path(tmp)
        if args.baseline_citizens:
            b = baseline(args.baseline_citizens, work)
            print(
                f"write path, meetings of a {args.baseline_citizens:,}-citizen job centre "
                f"({int(b['rows']):,} rows, SQLite): caseload import {b['caseload']:.1f} s "
                f"(validated), plain Core executemany {b['core']:.1f} s (no checks); "
                f"ratio core/caseload = {b['core'] / b['caseload']:.2f}"
            )
        for citizens in sorted(args.citizens):
            for backend in backends:
                r = build(backend, citizens, work)
                print(
                    f"| {r['backend']} | {r['citizens']:,} | {r['seconds']:.0f} s | "
                    f"{r['peak_gib']:.2f} GiB | {r['db_gib']:.2f} GiB |"
                )
                print("   " + str(r["said"]).replace("\n", "\n   "))


if __name__ == "__main__":
    main()
