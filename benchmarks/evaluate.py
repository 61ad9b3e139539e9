"""Benchmark: `caseload evaluate`, and its per-citizen step in the database vs pandas.

Two parts, each a child process per measurement (wall time, and peak RSS from ``wait4``):

- demo (default, or ``--demo`` with ``--citizens``): build the demo job centre (default
  size) in a temporary SQLite file with ``caseload demo``, then run
  ``caseload evaluate --db FILE --trial CPH-2018 --out DIR`` ``--runs`` times (5): wall time
  including interpreter start-up, best and median. Target: under 5 s.
- scale (``--citizens N``): build a job centre of about N citizens once (SQLite in the
  temporary folder, or ``--db-url`` for PostgreSQL; ``--reuse PATH`` keeps a SQLite file
  between runs and skips the build when it exists), then in the same run time the
  per-citizen step, ``cohort.cohort()`` (one statement in the database engine), against
  the baseline, the same frame built with pandas from the raw tables
  (benchmarks/cohort_pandas.py), ``--cohort-runs`` times each (3), interleaved; and the
  whole ``caseload evaluate`` ``--evaluate-runs`` times (3). Targets: the engine ≥ 5×
  faster than pandas; evaluate under 60 s at 1,000,000 citizens.

    .venv/bin/python benchmarks/evaluate.py
    .venv/bin/python benchmarks/evaluate.py --citizens 1000000 --reuse /tmp/jc-1m.sqlite
    .venv/bin/python benchmarks/evaluate.py --citizens 1000000 \\
        --db-url postgresql+psycopg://postgres@127.0.0.1:5432/caseload_bench_eval

The PostgreSQL database must exist (it is rebuilt with ``caseload demo --fresh`` unless
``--built``); on PostgreSQL the script runs ANALYZE after the build (``--no-analyze`` not).

A markdown table goes to stdout; the numbers, the command and the machine to
benchmarks/results/evaluate-*.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

# benchmarks/ is the script's folder
from harness import begin, build_demo, fmt, run, say, summary, where

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CASELOAD = str(Path(sys.executable).with_name("caseload"))
TRIAL = "CPH-2018"
DIGEST_RTOL = 1e-9


# --- the child: one timed per-citizen step -------------------------------------------------


def digest(frame: Any) -> dict[str, list[float]]:
    """Per column: missing values and a sum (numbers) or distinct count (text)."""
    out = {}
    for name in frame.columns:
        column = frame[name]
        if column.dtype.kind in "biuf" or str(column.dtype) == "Int64":
            value = float(column.astype(float).sum())
        else:
            value = float(column.nunique())
        out[name] = [int(column.isna().sum()), value]
    return out


def child(step: str, db: str) -> None:
    """Time one per-citizen step in this process; print its result as JSON."""
    from caseload.evaluate import cohort
    from caseload.store.database import connect

    sys.path.insert(0, str(HERE))  # benchmarks/ is not a package
    import cohort_pandas

    engine = connect(db)
    with engine.connect() as conn:
        started = time.perf_counter()
        if step == "engine":
            found = cohort.trial(conn, TRIAL)
            frame = cohort.cohort(conn, found, cohort.window(found))
            seconds = time.perf_counter() - started
            table = frame.to_pandas()
        else:
            table = cohort_pandas.cohort(conn, TRIAL)
            seconds = time.perf_counter() - started
    engine.dispose()
    print(json.dumps({"seconds": seconds, "rows": len(table), "digest": digest(table)}))


def step(step_name: str, db: str) -> dict[str, Any]:
    result = run([sys.executable, str(Path(__file__).resolve()), "--child", step_name, "--db", db])
    if not result["ok"]:
        error = result["output"].strip().splitlines()[-1:] or ["(no output)"]
        return {"ok": False, "error": error[0][:500], "peak_gib": result["peak_gib"]}
    said = json.loads(result["output"].strip().splitlines()[-1])
    return {
        "ok": True,
        "seconds": said["seconds"],
        "wall": result["seconds"],
        "peak_gib": result["peak_gib"],
        "rows": said["rows"],
        "digest": said["digest"],
    }


def same_digest(a: dict[str, list[float]], b: dict[str, list[float]]) -> list[str]:
    differ = [name for name in a.keys() | b.keys() if name not in a or name not in b]
    for name in a.keys() & b.keys():
        (missing_a, value_a), (missing_b, value_b) = a[name], b[name]
        if missing_a != missing_b or abs(value_a - value_b) > DIGEST_RTOL * max(1, abs(value_a)):
            differ.append(name)
    return sorted(differ)


# --- the parent ----------------------------------------------------------------------------


def build(db: str, citizens: int | None) -> dict[str, Any]:
    return build_demo(CASELOAD, db, citizens)


def evaluate_runs(db: str, runs: int, workdir: Path, label: str) -> dict[str, Any]:
    seconds, peaks = [], []
    for i in range(runs):
        out = workdir / f"evaluation-{label}-{i}"
        result = run([CASELOAD, "evaluate", "--db", db, "--trial", TRIAL, "--out", str(out)])
        if not result["ok"]:
            error = result["output"].strip().splitlines()[-1:] or ["(no output)"]
            say(f"caseload evaluate failed: {error[0][:300]}")
            return {"ok": False, "error": error[0][:500], "peak_gib": result["peak_gib"]}
        seconds.append(result["seconds"])
        peaks.append(result["peak_gib"])
        say(
            f"caseload evaluate run {i + 1}/{runs}: {result['seconds']:.2f} s, "
            f"peak {result['peak_gib']:.2f} GiB"
        )
    return {"ok": True, **summary(seconds), "peak_gib": max(peaks)}


def analyze_postgres(db: str) -> None:
    """Column statistics: the bulk load leaves none, and this server may not autovacuum."""
    from sqlalchemy import create_engine

    engine = create_engine(db, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def demo_part(workdir: Path, runs: int) -> dict[str, Any]:
    db = str(workdir / "demo.sqlite")
    built = build(db, None)
    timed = evaluate_runs(db, runs, workdir, "demo")
    return {"built": built, "evaluate": timed}


def scale_part(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    if args.db_url:
        db, backend = args.db_url, "postgresql"
    else:
        db = str(args.reuse or workdir / f"jobcentre-{args.citizens}.sqlite")
        backend = "sqlite"
    if (backend == "sqlite" and args.reuse and Path(db).exists()) or args.built:
        say(f"reusing {where(db)} (built earlier; not rebuilt)")
        built: dict[str, Any] = {"reused": where(db)}
    else:
        built = build(db, args.citizens)
    if backend == "postgresql" and not args.no_analyze:
        say("ANALYZE (statistics for the planner)")
        analyze_postgres(db)
    engine_runs: list[dict[str, Any]] = []
    pandas_runs: list[dict[str, Any]] = []
    for i in range(args.cohort_runs):
        for name, runs in (("engine", engine_runs), ("pandas", pandas_runs)):
            result = step(name, db)
            runs.append(result)
            if result["ok"]:
                say(
                    f"per-citizen step, {name} run {i + 1}/{args.cohort_runs}: "
                    f"{result['seconds']:.2f} s ({result['rows']:,} rows), child peak "
                    f"{result['peak_gib']:.2f} GiB"
                )
            else:
                say(f"per-citizen step, {name} run {i + 1} failed: {result['error'][:300]}")
    cohort_result: dict[str, Any] = {}
    for name, runs in (("engine", engine_runs), ("pandas", pandas_runs)):
        good = [r for r in runs if r["ok"]]
        cohort_result[name] = (
            {
                "ok": True,
                **summary([r["seconds"] for r in good]),
                "rows": good[0]["rows"],
                "peak_gib": max(r["peak_gib"] for r in good),
            }
            if len(good) == len(runs)
            else {"ok": False, "error": runs[-1].get("error")}
        )
    if cohort_result["engine"]["ok"] and cohort_result["pandas"]["ok"]:
        cohort_result["ratio_median"] = (
            cohort_result["pandas"]["median"] / cohort_result["engine"]["median"]
        )
        cohort_result["ratio_best"] = (
            cohort_result["pandas"]["best"] / cohort_result["engine"]["best"]
        )
        cohort_result["digest_differs"] = same_digest(
            engine_runs[0]["digest"], pandas_runs[0]["digest"]
        )
    timed = evaluate_runs(db, args.evaluate_runs, workdir, "scale")
    return {
        "backend": backend,
        "citizens": args.citizens,
        "built": built,
        "cohort": cohort_result,
        "evaluate": timed,
    }


def table(results: dict[str, Any]) -> str:
    lines = ["| measurement | best / median | peak memory | target |", "|---|---|---|---|"]
    if "demo" in results:
        ev = results["demo"]["evaluate"]
        met = "met" if ev.get("ok") and ev["median"] < 5 else "MISSED"
        lines.append(
            f"| `caseload evaluate`, demo job centre (SQLite), {len(ev.get('runs', []))}"
            f" runs | {fmt(ev)} | {ev.get('peak_gib', 0):.2f} GiB | < 5 s: {met} |"
        )
    if "scale" in results:
        sc = results["scale"]
        co = sc["cohort"]
        place = f"{sc['citizens']:,} citizens, {sc['backend']}"
        for name, label in (
            ("engine", "`cohort.cohort()` in the database engine"),
            ("pandas", "pandas baseline (`cohort_pandas.cohort`)"),
        ):
            r = co[name]
            lines.append(f"| {label}, {place} | {fmt(r)} | {r.get('peak_gib', 0):.2f} GiB | |")
        if "ratio_median" in co:
            met = "met" if co["ratio_median"] >= 5 else "MISSED"
            lines.append(
                f"| ratio pandas / engine | {co['ratio_best']:.1f}× / "
                f"{co['ratio_median']:.1f}× | | ≥ 5×: {met} |"
            )
        ev = sc["evaluate"]
        met = "met" if ev.get("ok") and ev["median"] < 60 else "MISSED"
        lines.append(
            f"| `caseload evaluate`, {place} | {fmt(ev)} | "
            f"{ev.get('peak_gib', 0):.2f} GiB | < 60 s: {met} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--citizens", type=int, help="run the scale part at this size")
    parser.add_argument("--db-url", help="PostgreSQL URL for the scale part (default: SQLite)")
    parser.add_argument(
        "--reuse",
        type=Path,
        help="SQLite file for the scale part: used as "
        "it is when it exists, else built there and kept",
    )
    parser.add_argument("--demo", action="store_true", help="also the demo part with --citizens")
    parser.add_argument("--runs", type=int, default=5, help="evaluate runs, demo part")
    parser.add_argument("--cohort-runs", type=int, default=3)
    parser.add_argument("--evaluate-runs", type=int, default=3, help="evaluate runs, scale")
    parser.add_argument(
        "--built",
        action="store_true",
        help="--db-url already holds the job centre: do not rebuild it",
    )
    parser.add_argument(
        "--no-analyze", action="store_true", help="PostgreSQL: skip ANALYZE after the build"
    )
    parser.add_argument("--child", choices=["engine", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.db)
        return
    if args.db_url and args.reuse:
        parser.error("--reuse is for a SQLite file; not with --db-url")
    results = begin()
    with tempfile.TemporaryDirectory(dir=os.environ.get("CASELOAD_BENCH_DIR")) as tmp:
        work = Path(tmp)
        if args.citizens is None or args.demo:
            results["demo"] = demo_part(work, args.runs)
        if args.citizens is not None:
            results["scale"] = scale_part(args, work)
    print()
    print(table(results))
    differ = results.get("scale", {}).get("cohort", {}).get("digest_differs")
    if differ:
        print(f"\nWARNING: engine and pandas frames differ in: {', '.join(differ)}")
    elif differ is not None:
        print("\nengine and pandas frames agree (per-column missing counts and sums)")
    RESULTS.mkdir(exist_ok=True)
    size = f"-{args.citizens}" if args.citizens else ""
    backend = "-postgresql" if args.db_url else ""
    path = RESULTS / f"evaluate{size}{backend}-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"results: {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
