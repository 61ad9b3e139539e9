"""Fuzzing every import table against its column specification, at length.

The same junk as the bounded test in `make test` (tests/import_junk.py): an examples/ file
with one cell made into something the specification refuses — NaN or infinite numbers,
whole numbers beyond their column, impossible dates, unknown codes and references, control
characters (NUL and the other C0 controls), texts longer than their column — or a row with
a cell too few or too many. A register with the examples loaded takes each file; the
oracle: refused whole (ImportRejected with the row and column of the junk cell), the table
exactly as before, and no long value or control character repeated in the words.

Counted per backend: inputs tried, crashes (any other exception), files partly accepted
(not refused, or the table changed), refusals that miss the cell or echo the value; and
every 10th input a valid Danish Excel file (Windows-1252, letters æøå…) whose text must be
stored as typed, never with a replacement character (U+FFFD).

    .venv/bin/python benchmarks/fuzz_imports.py --inputs 50000 --backend both
    .venv/bin/python benchmarks/fuzz_imports.py --inputs 2000 --backend sqlite --seed 7

PostgreSQL: a database caseload_fuzz on 127.0.0.1:5432 (created, and emptied per run).
The numbers go to stdout and benchmarks/results/fuzz_imports-*.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import ROOT, begin, ensure_database
from rich.progress import Progress
from sqlalchemy import select
from tests import import_junk

from caseload.register import catalogue, importer
from caseload.register.problems import ImportRejected
from caseload.store.database import connect
from caseload.store.migrate import downgrade, upgrade

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/caseload_fuzz"


def outcome(engine: object, junk: import_junk.Junk, folder: Path) -> str:
    """``refused``, or what went wrong (``crash:…``, ``partly accepted``, ``missed cell``,
    ``echoed``)."""
    before = import_junk.contents(engine, junk.table)  # type: ignore[arg-type]
    path = import_junk.write(junk, folder)
    try:
        importer.import_file(engine, junk.table, path)  # type: ignore[arg-type]
    except ImportRejected as refused:
        after = import_junk.contents(engine, junk.table)  # type: ignore[arg-type]
        if after != before:
            return "partly accepted"
        shown = " ".join(f"{p.column} {p.reason}" for p in refused.problems)
        if junk.kind in ("value", "control", "too_long") and not any(
            p.column == junk.column and p.row == junk.row + 2 for p in refused.problems
        ):
            return "missed cell"
        if (junk.kind == "control" and junk.value in shown) or (
            junk.kind == "too_long" and junk.value[:41] in shown
        ):
            return "echoed"
        return "refused"
    except Exception as error:  # the count this script exists for
        return f"crash:{type(error).__name__}"
    return "partly accepted"


ENCODED = ("departments", "teams", "staff")
"""Tables whose ``name`` a Windows-1252 file fills with Danish letters (every 10th input)."""


def encoded_outcome(engine: object, table: str, rng: random.Random, folder: Path) -> str:
    """A Danish Excel file (Windows-1252): ``stored`` when every letter came back as typed,
    ``replacement character`` or ``changed`` otherwise, ``crash:…`` on an exception."""
    names = {row[0]: import_junk.danish_text(rng) for row in import_junk.rows(table)}
    path = import_junk.write_windows_1252(table, names, folder)
    try:
        importer.import_file(engine, table, path)  # type: ignore[arg-type]
    except Exception as error:  # a refusal of a valid file counts too
        return f"crash:{type(error).__name__}"
    t = catalogue.spec(table).table
    with engine.connect() as conn:  # type: ignore[attr-defined]
        stored = dict(conn.execute(select(t.c.code, t.c.name)).tuples().all())
    if any("\ufffd" in str(v) for v in stored.values()):
        return "replacement character"
    return "stored" if all(stored.get(c) == n for c, n in names.items()) else "changed"


def register(backend: str, folder: Path) -> object:
    if backend == "sqlite":
        engine = connect(str(folder / "fuzz.sqlite"))
    else:
        ensure_database(POSTGRES)
        engine = connect(POSTGRES)
        downgrade(engine, "base")
    upgrade(engine)
    for table in import_junk.TABLES:
        importer.import_file(engine, table, import_junk.EXAMPLES / f"{table}.csv")
    return engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="inputs per backend")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seed", type=int, default=20_181_001)
    args = parser.parse_args()
    results = begin(inputs_per_backend=args.inputs, seed=args.seed)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    rng = random.Random(args.seed)
    for backend in backends:
        counts: Counter[str] = Counter()
        examples: dict[str, str] = {}
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp, Progress() as bar:
            folder = Path(tmp)
            engine = register(backend, folder)
            task = bar.add_task(f"fuzzing imports on {backend}", total=args.inputs)
            for i in range(args.inputs):
                if i and i % 1000 == 0:  # a line a log keeps, should the run be stopped early
                    bar.console.log(f"{backend}: {i} inputs, {dict(counts)}")
                if i % 10 == 9:
                    table = rng.choice(ENCODED)
                    result = encoded_outcome(engine, table, rng, folder)
                    counts[result] += 1
                    if result != "stored":
                        examples.setdefault(result, f"Windows-1252 {table}")
                    bar.advance(task)
                    continue
                junk = import_junk.make(rng.choice(import_junk.TABLES), rng)
                result = outcome(engine, junk, folder)
                counts[result] += 1
                if result != "refused":
                    examples.setdefault(result, repr(junk)[:300])
                bar.advance(task)

            engine.dispose()  # type: ignore[attr-defined]
        seconds = time.perf_counter() - started
        crashes = sum(n for k, n in counts.items() if k.startswith("crash"))
        results[backend] = {
            "inputs": args.inputs,
            "refused whole": counts["refused"],
            "crashes": crashes,
            "partly accepted": counts["partly accepted"],
            "missed cell": counts["missed cell"],
            "echoed": counts["echoed"],
            "windows-1252 files stored as typed": counts["stored"],
            "replacement characters stored": counts["replacement character"],
            "windows-1252 text changed": counts["changed"],
            "outcomes": dict(counts),
            "first example of each failure": examples,
            "seconds": round(seconds, 1),
        }
        print(
            f"{backend}: {args.inputs} inputs, {counts['refused']} refused whole, "
            f"{crashes} crashes, {counts['partly accepted']} partly accepted, "
            f"{counts['missed cell']} missed the cell, {counts['echoed']} echoed; "
            f"{counts['stored']} Windows-1252 files stored as typed, "
            f"{counts['replacement character']} with a replacement character; "
            f"{seconds:.0f} s",
            flush=True,
        )
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = results["date"].replace(":", "")
    (out / f"fuzz_imports-{args.backend}-{stamp}.json").write_text(
        json.dumps(results, indent=2, default=str)
    )


if __name__ == "__main__":
    main()
