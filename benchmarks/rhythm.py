"""Benchmark: every citizen's next job-meeting due date and timeliness, in the database engine
vs row by row in Python.

Build (or reuse) a job centre of about ``--citizens`` citizens (100,000 by default; SQLite in
a temporary folder, ``--reuse PATH`` keeps a SQLite file between runs and skips the build
when it exists, or ``--db-url`` for PostgreSQL, where the script runs ANALYZE after the
build). Then, interleaved, ``--runs`` times (3), each measurement its own child process
(peak RSS from ``wait4``; seconds timed inside the child around the work):

- engine: ``operate.rhythm.due_frame(conn, day)`` (one SQL statement for every citizen on a
  caseload on ``--day``, 2019-03-01) and ``operate.rhythm.timeliness(conn, --first,
  --last)`` (held job meetings due 2018-01-01 … 2019-12-31 and how many were held by the due
  date, per department and week);
- baseline: the row-by-row Python way: one query each for all responsibilities and all job
  meetings (plus the small tables: citizens' target groups, meeting rules, professionals'
  departments), then a loop citizen by citizen calling ``domain.rhythm.next_due`` (the
  one-citizen statement of the rule) and a loop over the meetings for timeliness.

Both must agree: the due dates of every citizen (mismatches asserted 0), and the per
department-and-week counts of timeliness (asserted equal); the other columns of the due
frame (contact, entry, last held, missed, outreach, next planned) are compared and reported.
Target: the engine faster than the baseline (the ratio baseline / engine is reported).

    .venv/bin/python benchmarks/rhythm.py
    .venv/bin/python benchmarks/rhythm.py --citizens 100000 --reuse /tmp/jc-100k.sqlite
    .venv/bin/python benchmarks/rhythm.py --citizens 1000000 --reuse /tmp/jc-1m.sqlite
    .venv/bin/python benchmarks/rhythm.py --citizens 1000000 \\
        --db-url postgresql+psycopg://postgres@127.0.0.1:5432/caseload_bench_rhythm

The PostgreSQL database is created if missing (and rebuilt with ``caseload demo --fresh`` unless
``--built``).

A markdown table goes to stdout; the numbers, the command, the machine and the commit to
benchmarks/results/rhythm-*.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

# benchmarks/ is the script's folder
from harness import begin, build_demo, ensure_database, fmt, run, say, summary, where

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CASELOAD = str(Path(sys.executable).with_name("caseload"))
COLUMNS = (
    "professional_id",
    "entry",
    "last_held",
    "due",
    "missed_by_citizen",
    "outreach",
    "planned",
)


# --- the children ----------------------------------------------------------------------------


def engine_way(conn: Any, day: date, first: date, last: date) -> tuple[Any, Any, dict[str, Any]]:
    from caseload.operate import rhythm

    started = time.perf_counter()
    due = rhythm.due_frame(conn, day)
    middle = time.perf_counter()
    timely = rhythm.timeliness(conn, first, last)
    done = time.perf_counter()
    parts = {"due_frame": middle - started, "timeliness": done - middle}
    return due, timely, {"seconds": done - started, "parts": parts}


def python_way(conn: Any, day: date, first: date, last: date) -> tuple[Any, Any, dict[str, Any]]:
    """All rows out of the database, then the rule citizen by citizen in Python."""
    import polars as pl
    from sqlalchemy import select

    from caseload.domain import codes
    from caseload.domain.rhythm import DEFAULT_RULE, Contact, MeetingRule, next_due
    from caseload.store import schema as s

    r, m, c, p, d, mr = (
        s.responsibility,
        s.meeting,
        s.citizen,
        s.professional,
        s.department,
        s.meeting_rule,
    )
    started = time.perf_counter()
    held_by = conn.execute(
        select(
            r.c.citizen_id, r.c.professional_id, r.c.role, r.c.start_date, r.c.end_date, r.c.reason
        )
    ).all()
    meetings = conn.execute(
        select(
            m.c.citizen_id,
            m.c.professional_id,
            m.c.status,
            m.c.due_date,
            m.c.scheduled_date,
            m.c.held_date,
            m.c.absence_accepted,
        ).where(m.c.kind == "job_meeting")
    ).all()
    groups = dict(conn.execute(select(c.c.id, c.c.target_group)).all())
    rules = {
        row.target_group: MeetingRule(
            row.interval_months,
            row.first_within_days,
            row.follow_up_within_days,
            row.outreach_after_missed,
        )
        for row in conn.execute(select(mr)).all()
    }
    department_of = dict(
        conn.execute(select(p.c.id, d.c.code).join(d, d.c.id == p.c.department_id)).all()
    )
    read = time.perf_counter()

    # who is on a caseload on the day, since when, and their primary contact
    rank = {role: i for i, role in enumerate(codes.ROLES)}
    entry: dict[int, list[Any]] = {}  # citizen → [latest intake, earliest start, on, contact]
    for cid, pid, role, start, end, reason in held_by:
        if start > day:
            continue
        e = entry.get(cid)
        if e is None:
            e = entry[cid] = [None, start, False, None]
        if reason == "intake" and (e[0] is None or start > e[0]):
            e[0] = start
        if start < e[1]:
            e[1] = start
        if end is None or end >= day:
            e[2] = True
            # primary contact: best role, within it a colleague covering first, lowest id
            best = (2 * rank.get(role, len(rank)) + (reason != "cover"), pid)
            if e[3] is None or best < e[3]:
                e[3] = best
    contacts: dict[int, list[Contact]] = {}
    planned: dict[int, date] = {}
    for cid, _, status, due, scheduled, held, accepted in meetings:
        if status == "held":
            contacts.setdefault(cid, []).append(Contact(status, held, bool(accepted)))
        elif status in codes.MISSED_STATUSES:
            when = scheduled or due
            if when is not None:
                contacts.setdefault(cid, []).append(Contact(status, when, bool(accepted)))
        elif (
            status == "planned"
            and scheduled is not None
            and scheduled >= day
            and (cid not in planned or scheduled < planned[cid])
        ):
            planned[cid] = scheduled
    fallback = rules.get(None, DEFAULT_RULE)
    rows = []
    for cid, (intake, earliest, on, contact) in entry.items():
        if not on:
            continue
        start = intake if intake is not None else earliest
        found = next_due(start, contacts.get(cid, ()), day, rules.get(groups[cid], fallback))
        rows.append(
            (
                cid,
                contact[1],
                start,
                found.last_held,
                found.due,
                found.missed_by_citizen,
                found.outreach,
                planned.get(cid),
            )
        )
    looped = time.perf_counter()

    counts: dict[tuple[str, date], list[int]] = {}
    for _, pid, status, due, _, held, _ in meetings:
        if status != "held" or due is None or not first <= due <= last or pid is None:
            continue
        key = (department_of[pid], due - timedelta(days=due.weekday()))
        count = counts.setdefault(key, [0, 0])
        count[0] += 1
        count[1] += held <= due
    done = time.perf_counter()
    parts = {"read": read - started, "due_loop": looped - read, "timeliness_loop": done - looped}
    frame = pl.DataFrame(
        rows,
        schema={
            "citizen_id": pl.Int64,
            "professional_id": pl.Int64,
            "entry": pl.Date,
            "last_held": pl.Date,
            "due": pl.Date,
            "missed_by_citizen": pl.Int64,
            "outreach": pl.Boolean,
            "planned": pl.Date,
        },
        orient="row",
    )
    timely = pl.DataFrame(
        [(g, w, h, t) for (g, w), (h, t) in counts.items()],
        schema={"group": pl.Utf8, "week": pl.Date, "held": pl.Int64, "timely": pl.Int64},
        orient="row",
    )
    extra = {"responsibilities": len(held_by), "job_meetings": len(meetings)}
    return frame, timely, {"seconds": done - started, "parts": parts, "read_rows": extra}


def child(way: str, db: str, out: str, day: date, first: date, last: date) -> None:
    """Time one way in this process; print the result as JSON, the frames to ``out``."""
    from caseload.store.database import connect, reader

    engine = connect(db)
    with reader(engine).connect() as conn:
        measure = engine_way if way == "engine" else python_way
        due, timely, said = measure(conn, day, first, last)
    engine.dispose()
    due.write_parquet(f"{out}-due.parquet")
    timely.select("group", "week", "held", "timely").write_parquet(f"{out}-timely.parquet")
    print(json.dumps({**said, "rows": due.height, "timeliness_rows": timely.height}))


def measure(way: str, db: str, out: Path, args: argparse.Namespace) -> dict[str, Any]:
    result = run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            way,
            "--db",
            db,
            "--out",
            str(out),
            "--day",
            args.day,
            "--first",
            args.first,
            "--last",
            args.last,
        ]
    )
    if not result["ok"]:
        error = result["output"].strip().splitlines()[-1:] or ["(no output)"]
        return {"ok": False, "error": error[0][:500], "peak_gib": result["peak_gib"]}
    said = json.loads(result["output"].strip().splitlines()[-1])
    return {"ok": True, **said, "wall": result["seconds"], "peak_gib": result["peak_gib"]}


# --- the parent ------------------------------------------------------------------------------


def compare(engine_out: Path, python_out: Path) -> dict[str, Any]:
    """Mismatches per column of the due frames (a citizen in one only counts in each), and
    whether the timeliness counts per department and week are the same."""
    import polars as pl

    a = pl.read_parquet(f"{engine_out}-due.parquet")
    b = pl.read_parquet(f"{python_out}-due.parquet")
    joined = a.join(b, on="citizen_id", how="full", suffix="_py", coalesce=True)
    only = {
        "engine": a.join(b, on="citizen_id", how="anti").height,
        "python": b.join(a, on="citizen_id", how="anti").height,
    }
    missing_side = pl.col("entry").is_null() | pl.col("entry_py").is_null()
    mismatches = {
        name: joined.filter(missing_side | ~pl.col(name).eq_missing(pl.col(f"{name}_py"))).height
        for name in COLUMNS
    }
    ta = pl.read_parquet(f"{engine_out}-timely.parquet").sort("group", "week")
    tb = pl.read_parquet(f"{python_out}-timely.parquet").sort("group", "week")
    same_timeliness = ta.equals(tb)
    return {
        "citizens_engine": a.height,
        "citizens_python": b.height,
        "only_in": only,
        "mismatches": mismatches,
        "timeliness_equal": same_timeliness,
        "timeliness_held": int(ta["held"].sum()),
        "timeliness_timely": int(ta["timely"].sum()),
        "timeliness_held_python": int(tb["held"].sum()),
        "timeliness_timely_python": int(tb["timely"].sum()),
    }


def build(db: str, citizens: int | None) -> dict[str, Any]:
    return build_demo(CASELOAD, db, citizens)


def analyze_postgres(db: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(db, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def table(results: dict[str, Any]) -> str:
    where_ = f"{results['citizens']:,} citizens, {results['backend']}"
    lines = ["| measurement | best / median | peak memory | rows |", "|---|---|---|---|"]
    e, p = results["engine"], results["python"]
    if e.get("ok"):
        parts = e["parts_median"]
        lines.append(
            f"| engine: `due_frame` + `timeliness`, {where_} | {fmt(e)} | "
            f"{e['peak_gib']:.2f} GiB | {e['rows']:,} citizens; "
            f"{e['timeliness_rows']:,} department-weeks |"
        )
        lines.append(
            f"| … of which `due_frame` / `timeliness` (medians) | "
            f"{parts['due_frame']:.2f} s / {parts['timeliness']:.2f} s | | |"
        )
    else:
        lines.append(f"| engine, {where_} | {fmt(e)} | | |")
    if p.get("ok"):
        parts = p["parts_median"]
        read = p["read_rows"]
        lines.append(
            f"| baseline: all rows + `next_due` per citizen, {where_} | {fmt(p)} | "
            f"{p['peak_gib']:.2f} GiB | {read['responsibilities']:,} responsibilities, "
            f"{read['job_meetings']:,} job meetings read |"
        )
        lines.append(
            f"| … of which read / due loop / timeliness loop (medians) | "
            f"{parts['read']:.2f} s / {parts['due_loop']:.2f} s / "
            f"{parts['timeliness_loop']:.2f} s | | |"
        )
    else:
        lines.append(f"| baseline, {where_} | {fmt(p)} | | |")
    if "ratio_median" in results:
        met = "met" if results["ratio_median"] > 1 else "MISSED"
        lines.append(
            f"| ratio baseline / engine | {results['ratio_best']:.1f}× / "
            f"{results['ratio_median']:.1f}× | | engine faster: {met} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--db-url", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument(
        "--reuse",
        type=Path,
        help="SQLite file: used as it is when it exists, else built there and kept",
    )
    parser.add_argument(
        "--built",
        action="store_true",
        help="--db-url already holds the job centre: do not rebuild it",
    )
    parser.add_argument(
        "--no-analyze", action="store_true", help="PostgreSQL: skip ANALYZE after the build"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--day", default="2019-03-01", help="due dates on this day")
    parser.add_argument("--first", default="2018-01-01", help="timeliness: due from")
    parser.add_argument("--last", default="2019-12-31", help="timeliness: due until")
    parser.add_argument("--child", choices=["engine", "python"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(
            args.child,
            args.db,
            args.out,
            date.fromisoformat(args.day),
            date.fromisoformat(args.first),
            date.fromisoformat(args.last),
        )
        return
    if args.db_url and args.reuse:
        parser.error("--reuse is for a SQLite file; not with --db-url")
    if args.db_url:
        ensure_database(args.db_url)

    results = begin(citizens=args.citizens, day=args.day, timeliness=[args.first, args.last])
    with tempfile.TemporaryDirectory(dir=os.environ.get("CASELOAD_BENCH_DIR")) as tmp:
        work = Path(tmp)
        if args.db_url:
            db, backend = args.db_url, "postgresql"
        else:
            db = str(args.reuse or work / f"jobcentre-{args.citizens}.sqlite")
            backend = "sqlite"
        results["backend"] = backend
        if (backend == "sqlite" and args.reuse and Path(db).exists()) or args.built:
            say(f"reusing {where(db)} (built earlier; not rebuilt)")
            results["built"] = {"reused": where(db)}
        else:
            results["built"] = build(db, args.citizens)
        if backend == "postgresql" and not args.no_analyze:
            say("ANALYZE (statistics for the planner)")
            analyze_postgres(db)
        runs: dict[str, list[dict[str, Any]]] = {"engine": [], "python": []}
        checks = []
        for i in range(args.runs):
            for way in ("engine", "python"):
                result = measure(way, db, work / f"{way}-{i}", args)
                runs[way].append(result)
                if result["ok"]:
                    say(
                        f"{way} run {i + 1}/{args.runs}: {result['seconds']:.2f} s "
                        f"({', '.join(f'{k} {v:.2f}' for k, v in result['parts'].items())}), "
                        f"{result['rows']:,} citizens, child peak {result['peak_gib']:.2f} GiB"
                    )
                else:
                    say(f"{way} run {i + 1} failed: {result['error'][:300]}")
            if runs["engine"][-1]["ok"] and runs["python"][-1]["ok"]:
                checks.append(compare(work / f"engine-{i}", work / f"python-{i}"))
                say(
                    f"run {i + 1}: mismatches {checks[-1]['mismatches']}, only in "
                    f"{checks[-1]['only_in']}, timeliness equal: "
                    f"{checks[-1]['timeliness_equal']}"
                )
        for way, done in runs.items():
            good = [r for r in done if r["ok"]]
            results[way] = (
                {
                    "ok": True,
                    **summary([r["seconds"] for r in good]),
                    "rows": good[0]["rows"],
                    "timeliness_rows": good[0]["timeliness_rows"],
                    "peak_gib": max(r["peak_gib"] for r in good),
                    "parts_median": {
                        k: statistics.median(r["parts"][k] for r in good) for k in good[0]["parts"]
                    },
                    "read_rows": good[0].get("read_rows"),
                    "each": good,
                }
                if good and len(good) == len(done)
                else {"ok": False, "error": done[-1].get("error")}
            )
    results["checks"] = checks
    if results["engine"]["ok"] and results["python"]["ok"]:
        results["ratio_median"] = results["python"]["median"] / results["engine"]["median"]
        results["ratio_best"] = results["python"]["best"] / results["engine"]["best"]
    print()
    print(table(results))
    if checks:
        worst = {name: max(c["mismatches"][name] for c in checks) for name in COLUMNS}
        print(
            f"\ndue frames, engine vs Python (most mismatches over {len(checks)} runs): "
            f"{worst}; timeliness equal in every run: "
            f"{all(c['timeliness_equal'] for c in checks)} ({checks[0]['timeliness_held']:,} "
            f"held, {checks[0]['timeliness_timely']:,} by the due date)"
        )
    RESULTS.mkdir(exist_ok=True)
    backend = "-postgresql" if args.db_url else ""
    path = RESULTS / f"rhythm-{args.citizens}{backend}-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print(f"results: {path.relative_to(HERE.parent)}")
    assert checks and len(checks) == args.runs, "a run failed: nothing to compare"
    for c in checks:
        assert c["mismatches"]["due"] == 0, f"due dates differ: {c['mismatches']}"
        assert c["timeliness_equal"], "timeliness differs between the engine and Python"


if __name__ == "__main__":
    main()
