"""Benchmark: national scale (docs/national.md).

1. Generation: ``caseload demo --national`` of the largest size straight to Parquet (time,
   the generating process's peak RSS, the dataset's size on disk); the smaller sizes too.
2. The data step at ``--compare`` citizens (default 1,000,000) on today's SQLite engine
   against DuckDB over the same register's Parquet dataset, in the same run: the ratio of
   seconds (target: DuckDB ≥ 5× faster). The register is loaded into SQLite first
   (``register.dataset.load_dataset``; not timed in the ratio).
3. The cost curve: the data step on DuckDB and on Spark (``local[2]``) at every size, with
   seconds per million citizens (is it linear?) and the driver's peak memory (the Python
   process and, for Spark, its JVM; target under 8 GB at 10,000,000).

The data step is what ``caseload evaluate`` runs in the engine before the estimators: the
frozen cohort, timeliness, later entrants, staff tables and crossovers
(``Evaluation.seconds["register"]``); the estimators then run on the trial's cohort in
Python either way. Each measurement runs in its own process (a fresh interpreter and, for
Spark, a fresh JVM), its peak memory sampled every 0.2 s over the process tree.

    .venv/bin/python benchmarks/national.py                       # 1M, 3M, 10M
    .venv/bin/python benchmarks/national.py --sizes 100000,300000 --compare 100000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil
from harness import ROOT, code_state, say

RESULTS = Path(__file__).parent / "results"
TRIAL = "DK-2018"


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def child(args: list[str]) -> dict[str, Any]:
    """Run this script's ``args`` in a child; its JSON answer, wall seconds, peak RSS (GiB)
    of its process tree."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"},
    )
    peak = 0
    watched = psutil.Process(proc.pid)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                peak = max(peak, _tree_rss(watched))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{err[-3000:]}")
    answer = json.loads(out.strip().splitlines()[-1])
    answer["wall_seconds"] = time.perf_counter() - started
    answer["peak_gib"] = peak / 2**30
    return answer


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*.parquet"))


# ------------------------------------------------------------------ the children's work


def do_generate(folder: Path, citizens: int, jobcentres: int) -> dict[str, Any]:
    from caseload.synth import national

    started = time.perf_counter()
    made = national.generate(folder, jobcentres, citizens)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "citizens": made.citizens,
        "citizens_per_second": made.citizens / seconds,
        "files": made.files,
        "trial_arms": made.arms,
    }


def do_load(folder: Path, db: Path) -> dict[str, Any]:
    from caseload.register.dataset import load_dataset
    from caseload.store.database import connect
    from caseload.store.migrate import upgrade

    engine = connect(str(db))
    upgrade(engine)
    started = time.perf_counter()
    load_dataset(engine, folder)
    engine.dispose()
    return {"seconds": time.perf_counter() - started}


def do_demo(db: Path, folder: Path, citizens: int) -> dict[str, Any]:
    """The one-centre demo job centre of ``citizens`` in SQLite, and its dataset."""
    from caseload.register.dataset import write_dataset
    from caseload.store.database import connect, reader
    from caseload.store.migrate import current_revision, upgrade
    from caseload.synth import jobcentre

    engine = connect(str(db))
    upgrade(engine)
    started = time.perf_counter()
    jobcentre.write(engine, jobcentre.simulate(citizens, 2018))
    built = time.perf_counter() - started
    started = time.perf_counter()
    with reader(engine).connect() as conn:
        write_dataset(conn, folder, current_revision(engine) or "")
    return {"build_seconds": built, "export_seconds": time.perf_counter() - started}


def do_step(engine_name: str, folder: Path, db: Path | None, trial: str = TRIAL) -> dict[str, Any]:
    """The evaluation on one engine, twice in this process: its data step's seconds (with
    the choice of the trial's job centres' files, as `caseload evaluate` reads them, and
    DuckDB's import; ``duckdb-every``: every centre's files), and the whole evaluation's.
    The first is a fresh ``caseload evaluate``; the second (a new engine, the same process)
    what an analyst's notebook or a service sees on its next evaluation, with the Python
    modules loaded and the statements' compiled forms cached."""
    from caseload.evaluate import evaluation
    from caseload.store import datasets
    from caseload.store.database import connect

    def once() -> dict[str, Any]:
        started = time.perf_counter()
        setup = 0.0
        if engine_name == "sqlite":
            assert db is not None
            engine = connect(str(db))
            ev = evaluation.evaluate(engine, trial)
            engine.dispose()
        else:
            every = engine_name.endswith("-every")
            with datasets.dataset_engine(
                folder,
                engine_name.removesuffix("-every"),
                "local[2]",
                memory="6g",
                evaluating=not every,
                trial=trial,
            ) as engine:
                setup = time.perf_counter() - started  # choice of files (Spark: its session)
                ev = evaluation.evaluate(engine, trial)
        pruning = setup if engine_name.startswith("duckdb") else 0.0  # DuckDB's engine is lazy
        return {
            "data_step_seconds": ev.seconds["register"] + pruning,
            "choice_of_files_seconds": pruning,
            "cohort_seconds": ev.seconds["cohort"],
            "evaluation_seconds": time.perf_counter() - started,
            "cohort": sum(ev.arms.values()),
            "centres": 0 if ev.centres is None else len(ev.centres.codes),
        }

    first = once()
    if engine_name == "spark":  # a second Spark session costs minutes, and says little
        return first
    again = once()
    return {**first, "again": again}


# ------------------------------------------------------------------ the run


def demo_comparison(report: dict[str, Any], n: int, db: Path, folder: Path) -> None:
    """SQLite against DuckDB on the one-centre demo job centre of ``n`` citizens (its
    trial's cohort a fifth of the register, as in the evaluate benchmark)."""
    say(f"building the one-centre demo of {n:,} citizens in SQLite, and its dataset")
    built = child(["demo", str(db), str(folder), str(n)])
    say(f"  {built['build_seconds']:.0f} s built, {built['export_seconds']:.0f} s exported")
    sqlite = child(["step", "sqlite", str(folder), str(db), "CPH-2018"])
    duck = child(["step", "duckdb", str(folder), "-", "CPH-2018"])
    ratio = sqlite["data_step_seconds"] / duck["data_step_seconds"]
    again = sqlite["again"]["data_step_seconds"] / duck["again"]["data_step_seconds"]
    report["demo_comparison"] = {"citizens": n, "build": built, "sqlite": sqlite,
                                 "duckdb": duck, "ratio_sqlite_over_duckdb": ratio,
                                 "ratio_again": again}  # fmt: skip
    say(f"data step, one-centre demo of {n:,} (cohort {sqlite['cohort']:,}): SQLite "
        f"{sqlite['data_step_seconds']:.1f} s, DuckDB {duck['data_step_seconds']:.1f} s: "
        f"DuckDB {ratio:.1f}× faster; evaluated again in one process {again:.1f}×")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,3000000,10000000")
    parser.add_argument("--compare", type=int, default=1_000_000)
    parser.add_argument("--jobcentres", type=int, default=98)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/caseload-national-bench"))
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument(
        "--demo-only",
        action="store_true",
        help="only the SQLite/DuckDB comparison on the one-centre demo job centre",
    )
    parser.add_argument(
        "--no-demo",
        action="store_true",
        help="leave out the comparison on the one-centre demo job centre",
    )
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    shutil.rmtree(args.folder, ignore_errors=True)
    args.folder.mkdir(parents=True)
    machine = {
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": sys.version.split()[0],
    }
    report: dict[str, Any] = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "code": code_state(),
        "machine": machine,
        "command": " ".join(["benchmarks/national.py", *sys.argv[1:]]),
        "generation": {},
        "comparison": {},
        "curve": {},
    }
    # the comparison on the one-centre demo job centre of --compare citizens (its trial's
    # cohort a fifth of the register, as in the evaluate benchmark)
    n = args.compare
    db, folder = args.folder / f"demo{n}.sqlite", args.folder / f"demo{n}"
    if not args.no_demo:
        demo_comparison(report, n, db, folder)
    if args.demo_only:
        sizes = []
    for n in sorted(set(sizes) | ({args.compare} if sizes else set())):
        folder = args.folder / f"n{n}"
        say(f"generating {n:,} citizens in {args.jobcentres} job centres")
        made = child(["generate", str(folder), str(n), str(args.jobcentres)])
        made["bytes"] = size_of(folder)
        report["generation"][n] = made
        say(f"  {made['seconds']:.1f} s, peak {made['peak_gib']:.2f} GiB, "
            f"{made['bytes'] / 2**20:.0f} MiB")  # fmt: skip
    n = args.compare
    folder, db = args.folder / f"n{n}", args.folder / f"n{n}.sqlite"
    if not sizes:
        return save(report)
    say(f"loading {n:,} citizens into SQLite")
    loaded = child(["load", str(folder), str(db)])
    say(f"  {loaded['seconds']:.1f} s")
    sqlite = child(["step", "sqlite", str(folder), str(db)])
    duck = child(["step", "duckdb", str(folder)])
    every = child(["step", "duckdb-every", str(folder)])
    ratio = sqlite["data_step_seconds"] / duck["data_step_seconds"]
    whole = sqlite["data_step_seconds"] / every["data_step_seconds"]
    report["comparison"] = {"citizens": n, "load_sqlite": loaded, "sqlite": sqlite,
                            "duckdb": duck, "duckdb_every_centre": every,
                            "ratio_sqlite_over_duckdb": ratio,
                            "ratio_sqlite_over_duckdb_every_centre": whole}  # fmt: skip
    report["comparison"]["ratio_again"] = (
        sqlite["again"]["data_step_seconds"] / duck["again"]["data_step_seconds"]
    )
    say(f"data step at {n:,}: SQLite {sqlite['data_step_seconds']:.2f} s, DuckDB "
        f"{duck['data_step_seconds']:.2f} s (of which {duck['choice_of_files_seconds']:.2f} s "
        f"choosing the trial's centres' files and importing DuckDB): DuckDB {ratio:.1f}× "
        f"faster; reading every centre's files {every['data_step_seconds']:.2f} s")  # fmt: skip
    say(f"  evaluated again in the same process: SQLite {sqlite['again']['data_step_seconds']:.2f}"
        f" s, DuckDB {duck['again']['data_step_seconds']:.2f} s: DuckDB "
        f"{report['comparison']['ratio_again']:.1f}× faster")  # fmt: skip
    engines = ["duckdb"] if args.no_spark else ["duckdb", "spark"]
    for n in sizes:
        for name in engines:
            got = child(["step", name, str(args.folder / f"n{n}")])
            report["curve"].setdefault(name, {})[n] = got
            say(f"{name} at {n:,}: data step {got['data_step_seconds']:.1f} s "
                f"({got['data_step_seconds'] / n * 1e6:.1f} s per million), evaluation "
                f"{got['evaluation_seconds']:.1f} s, peak {got['peak_gib']:.2f} GiB, cohort "
                f"{got['cohort']:,} in {got['centres']} centres")  # fmt: skip
    save(report)


def save(report: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"national-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    say(f"results: {out}")


def answer(value: dict[str, Any]) -> None:
    print(json.dumps(value), flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("generate", "load", "step", "demo"):
        verb, rest = sys.argv[1], sys.argv[2:]
        if verb == "generate":
            answer(do_generate(Path(rest[0]), int(rest[1]), int(rest[2])))
        elif verb == "load":
            answer(do_load(Path(rest[0]), Path(rest[1])))
        elif verb == "demo":
            answer(do_demo(Path(rest[0]), Path(rest[1]), int(rest[2])))
        else:
            db = Path(rest[2]) if len(rest) > 2 and rest[2] != "-" else None
            answer(do_step(rest[0], Path(rest[1]), db, *rest[3:4]))
    else:
        main()
