"""Reliability probe: imports under kill -9, ``--runs`` times per backend (100 by default).

Each run writes a file of new meetings, starts ``caseload import meetings FILE --db URL`` as
a child process and SIGKILLs it at a seeded random moment, then checks (tests/kill_probe.py,
shared with tests/integration/test_import_kill.py):

- half-written: the meetings table holds neither none nor all of the file's rows (0 expected);
- corrupt: SQLite's ``PRAGMA integrity_check`` is not ``ok``, or on PostgreSQL the rows
  fetched, a sequential scan's count and an index scan's count disagree (0 expected);
- re-import failures: importing the same file again fails or counts wrongly (every row
  inserted if none was written, every row unchanged if all were; 0 expected);
- lingering sessions: on PostgreSQL, a killed child's session still there 20 s after the kill
  (then ended; 0 expected).

Kills are timed by the span one uninterrupted import takes (measured first, per kind of
run): half anywhere in it from the child's start, half in its first 30 % after the write is
seen to start (SQLite's write-ahead log grows; PostgreSQL's session locks the table or
copies), since start-up, reading and checking take most of an import. Every ``--big-every``th
run empties the table first and imports ``--big-rows`` meetings (from 50,000 rows into an
empty table the import drops indexes and PostgreSQL's foreign keys and makes them again);
the other runs upsert ``--rows`` meetings into the rows earlier runs left.

    .venv/bin/python benchmarks/kill_imports.py                       # both, 100 runs each
    .venv/bin/python benchmarks/kill_imports.py --backend sqlite --runs 20 --seed 7

SQLite works in a temporary folder; PostgreSQL in a database made afresh for the run
(``--db-url``, dropped first if it exists). A summary goes to stdout; the counts, every run,
the command, the machine and the commit to benchmarks/results/kill_imports-*.json
(git-ignored). The exit status is 1 when any run found a problem.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

# benchmarks/ is the script's folder; the probe lives with the tests, one folder up
from harness import ROOT, begin, ensure_database, say, where
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

sys.path.insert(0, str(ROOT))

from tests import kill_probe

from caseload.store.database import connect
from caseload.store.migrate import upgrade

RESULTS = Path(__file__).resolve().parent / "results"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/caseload_bench_kill"


def fresh_postgres(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    finally:
        admin.dispose()
    ensure_database(url)


def one_backend(backend: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    url = str(folder / "register.sqlite") if backend == "sqlite" else args.db_url
    if backend == "postgres":
        fresh_postgres(url)
    engine = connect(url)
    upgrade(engine)
    kill_probe.prepare(engine)
    say(f"{backend}: measuring one uninterrupted import of each kind")
    spans = {
        "upsert": kill_probe.calibrate(url, engine, folder, args.rows, args.seed),
        "empty": kill_probe.calibrate(url, engine, folder, args.big_rows, args.seed, True),
    }
    say(
        f"{backend}: {args.rows:,} rows upserted in {spans['upsert']:.1f} s, "
        f"{args.big_rows:,} into an empty table in {spans['empty']:.1f} s"
    )
    rng = random.Random(f"{args.seed}-{backend}")
    runs: list[dict[str, Any]] = []
    started = time.perf_counter()
    columns = (
        TextColumn(f"{backend:8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[said]}"),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task(backend, total=args.runs, said="")
        for run in range(1, args.runs + 1):
            big = args.big_every > 0 and run % args.big_every == 0
            span = spans["empty" if big else "upsert"]
            delay, from_write = kill_probe.kill_moment(rng, span)
            rows = args.big_rows if big else args.rows
            outcome = kill_probe.probe(
                url, engine, folder, run, delay, rows, args.seed, big, from_write
            )
            runs.append(
                {
                    "run": run,
                    "kind": "empty" if big else "upsert",
                    "rows": rows,
                    "delay": round(delay, 3),
                    "from": "write" if from_write else "start",
                    "span": round(span, 3),
                    "mid_import": outcome.kill.mid_import,
                    "phase": outcome.kill.phase,
                    "moment": outcome.moment,
                    "written": outcome.written,
                    "before": outcome.before,
                    "after": outcome.after,
                    "integrity": outcome.integrity,
                    "lingering": outcome.lingering,
                    "reimport": asdict(outcome.reimport) if outcome.reimport else None,
                    "reimport_error": outcome.reimport_error,
                    "reimport_ok": outcome.reimport_ok,
                    "final": outcome.final,
                }
            )
            if outcome.written == "half" or outcome.integrity != "ok" or not outcome.reimport_ok:
                progress.console.print(f"[red]run {run}: {runs[-1]}")
            bad = sum(1 for r in runs if problems(r))
            progress.update(task, advance=1, said=f"problems: {bad}")
    engine.dispose()
    seconds = time.perf_counter() - started
    return {
        "backend": backend,
        "database": where(url),
        "spans": spans,
        "seconds": seconds,
        "counts": tally(runs),
        "runs": runs,
    }


def problems(run: dict[str, Any]) -> list[str]:
    found = []
    if run["written"] == "half":
        found.append("half-written")
    if run["integrity"] != "ok":
        found.append("corrupt")
    if not run["reimport_ok"]:
        found.append("re-import failed")
    if run["lingering"]:
        found.append("lingering session")
    return found


def tally(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "runs": len(runs),
        "killed_mid_import": sum(r["mid_import"] for r in runs),
        "moments": dict(Counter(r["moment"] for r in runs).most_common()),
        "written": dict(Counter(r["written"] for r in runs).most_common()),
        "half_written": sum(r["written"] == "half" for r in runs),
        "corrupt": sum(r["integrity"] != "ok" for r in runs),
        "reimport_failures": sum(not r["reimport_ok"] for r in runs),
        "lingering_sessions": sum(r["lingering"] for r in runs),
    }


def show(done: list[dict[str, Any]]) -> None:
    table = Table(title="Imports under kill -9")
    table.add_column("")
    for part in done:
        table.add_column(part["backend"], justify="right")
    lines = [
        ("runs", "runs"),
        ("killed mid-import", "killed_mid_import"),
        ("none written / all written", None),
        ("half-written (0 expected)", "half_written"),
        ("corrupt (0 expected)", "corrupt"),
        ("re-import failures (0 expected)", "reimport_failures"),
        ("lingering sessions (0 expected)", "lingering_sessions"),
    ]
    for label, key in lines:
        if key is None:
            cells = [
                f"{p['counts']['written'].get('none', 0)} / {p['counts']['written'].get('all', 0)}"
                for p in done
            ]
        else:
            cells = [f"{p['counts'][key]:,}" for p in done]
        table.add_row(label, *cells)
    moments = sorted({moment for p in done for moment in p["counts"]["moments"]})
    for moment in moments:
        cells = [str(p["counts"]["moments"].get(moment, 0)) for p in done]
        table.add_row(f"  killed {moment}", *cells)
    table.add_row("seconds", *(f"{p['seconds']:.0f}" for p in done))
    Console().print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="kills per backend (100)")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rows", type=int, default=10_000, help="meetings per upsert run")
    parser.add_argument("--big-rows", type=int, default=50_000, help="meetings per empty run")
    parser.add_argument("--big-every", type=int, default=10, help="every Nth run empties first")
    parser.add_argument("--db-url", default=PG_URL, help="PostgreSQL database, made afresh")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = begin(
        runs=args.runs,
        seed=args.seed,
        rows=args.rows,
        big_rows=args.big_rows,
        big_every=args.big_every,
    )
    done = []
    with tempfile.TemporaryDirectory(prefix="kill-imports-") as folder:
        for backend in backends:
            done.append(one_backend(backend, args, Path(folder)))
    results["backends"] = done
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"kill_imports-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=1, default=str))
    show(done)
    say(f"results: {out}")
    return 1 if any(problems(r) for p in done for r in p["runs"]) else 0


if __name__ == "__main__":
    sys.exit(main())
