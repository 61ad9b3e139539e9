"""Benchmark: rebalancing 100,000 citizens across 2,000 professionals, min-cost flow vs greedy.

The department (reproducible, ``--seed``): 800 caseworkers hold all 100,000 citizens (125
each, citizens dealt to them at random) and 1,200 newly hired hold none; districts A–J (a
professional's district by turn, a citizen's that of their caseworker with 85 %
probability, else any); FTE 1.0 (80 %), 0.8 (15 %) or 0.5 (5 %); complexity simple /
complex / very complex with weights 1 / 1.5 / 2 (60 / 30 / 10 %, mean 1.25); relations
started on a random day of 2015–2019. The cap falls from 130 to 75 per FTE, so a
professional may carry 75 × FTE weighted citizens (about 141,500 in all for about 125,000
of weighted load with the default seed).

Two parts, in one process (the peak RSS is the process's):

- in memory: ``operate.optimise.plan()`` (the min-cost flow, OR-Tools) and the baseline
  ``operate.greedy.greedy()`` on the same seats and cases, interleaved, ``--runs`` times
  (5): best and median seconds, caseworker changes, unplaced citizens, professionals over
  their cap (asserted 0 for both), the standard deviation of load share (``spread``),
  moved citizens placed outside their district, avoidable changes (citizens moved away
  from a caseworker who still has room for them afterwards), and the ratio of changes
  plan / greedy; the fewest changes possible (per over-cap caseworker, heaviest citizens
  out first) is reported beside them. A second scenario gives every citizen weight 1,
  where the fewest changes equal the total excess; the plan must reach it (asserted).
- the register: the same department written with SQLAlchemy Core bulk inserts into a
  SQLite file in a temporary folder (or ``--db-url``: a PostgreSQL database, created if
  missing, that must be empty, or ``--fresh`` to drop its public schema first), migrated to
  the head, then
  ``operate.allocation.rebalance(conn, "BIG", day, cap=75)`` as a dry run ``--register-runs``
  times (3: reading the department, the plan and the greedy baseline), once with
  ``write=True`` inside ``engine.begin()`` (the same and writing every change, committed),
  and a dry run afterwards, which must find nothing to change. Target: the dry run under
  10 s.

    .venv/bin/python benchmarks/rebalance.py
    .venv/bin/python benchmarks/rebalance.py --runs 5 --register-runs 3
    .venv/bin/python benchmarks/rebalance.py \\
        --db-url postgresql+psycopg://postgres@127.0.0.1:5432/caseload_bench_rebalance --fresh

A markdown table goes to stdout; the numbers, the command, the machine and the commit to
benchmarks/results/rebalance-*.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from harness import begin, ensure_database, say, summary  # benchmarks/ is the script's folder

from caseload.operate.greedy import greedy
from caseload.operate.optimise import Case, Plan, Seat, loads_of, plan, spread

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

DEPARTMENT = "BIG"
ROLE = "coordinating_caseworker"
DAY = date(2020, 3, 2)
OLD_CAP, NEW_CAP = 130, 75
DISTRICTS = "ABCDEFGHIJ"
FTE = ((1.0, 0.80), (0.8, 0.15), (0.5, 0.05))
TIERS = (("simple", 1.0, 0.60), ("complex", 1.5, 0.30), ("very_complex", 2.0, 0.10))
TARGET_SECONDS = 10.0


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


# --- the department --------------------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    id: int
    code: str
    fte: float
    start: date
    district: str


@dataclass(frozen=True)
class Citizen:
    id: int
    code: str
    complexity: str
    weight: float
    district: str
    holder: int
    since: date


def department(
    seed: int, existing: int, hired: int, per_caseworker: int
) -> tuple[list[Staff], list[Citizen]]:
    rng = np.random.default_rng(seed)
    n = existing + hired
    ftes = rng.choice([f for f, _ in FTE], size=n, p=[p for _, p in FTE])
    staff = []
    for i in range(n):
        if i < existing:
            start = date(2010, 1, 1) + timedelta(int(rng.integers(0, 6 * 365)))
        else:
            start = date(2019, 9, 1) + timedelta(int(rng.integers(0, 120)))
        staff.append(
            Staff(i + 1, f"BIG-P{i + 1:04d}", float(ftes[i]), start, DISTRICTS[i % len(DISTRICTS)])
        )
    citizens_n = existing * per_caseworker
    holders = rng.permutation(np.repeat(np.arange(existing), per_caseworker))
    tier = rng.choice(len(TIERS), size=citizens_n, p=[p for *_, p in TIERS])
    own_district = rng.random(citizens_n) < 0.85
    other = rng.integers(0, len(DISTRICTS), size=citizens_n)
    since = rng.integers(0, (date(2019, 12, 31) - date(2015, 1, 1)).days + 1, size=citizens_n)
    citizens = []
    for j in range(citizens_n):
        holder = staff[int(holders[j])]
        name, weight, _ = TIERS[int(tier[j])]
        district = holder.district if own_district[j] else DISTRICTS[int(other[j])]
        citizens.append(
            Citizen(
                j + 1,
                f"BIG-C{j + 1:06d}",
                name,
                weight,
                district,
                holder.id,
                date(2015, 1, 1) + timedelta(int(since[j])),
            )
        )
    return staff, citizens


def seats_of(staff: list[Staff], cap: float) -> list[Seat]:
    """What ``department.read`` makes of them: ordered by code, capacity cap × FTE."""
    return [
        Seat(p.id, p.code, cap * p.fte, p.district, None)
        for p in sorted(staff, key=lambda p: p.code)
    ]


def cases_of(citizens: list[Citizen], unit: bool = False) -> list[Case]:
    return [
        Case(c.id, c.code, 1.0 if unit else c.weight, c.district, c.holder, c.since)
        for c in citizens
    ]


def fewest_changes(seats: list[Seat], cases: list[Case]) -> int:
    """Citizens that must leave their caseworker: per over-cap caseworker, heaviest first
    (a lower bound on any plan's changes, and the minimum when there is room elsewhere)."""
    capacity = {s.id: s.capacity for s in seats}
    held: dict[int, list[float]] = {}
    for c in cases:
        if c.current is not None:
            held.setdefault(c.current, []).append(c.weight)
    moved = 0
    for sid, weights in held.items():
        load = sum(weights)
        for w in sorted(weights, reverse=True):
            if load <= capacity[sid] + 1e-9:
                break
            load -= w
            moved += 1
    return moved


def metrics(p: Plan, seats: list[Seat], cases: list[Case]) -> dict[str, Any]:
    loads = loads_of(seats, cases, p.holder)
    seat = {s.id: s for s in seats}
    district = {c.id: c.district for c in cases}
    over = [s.code for s in seats if loads[s.id] > s.capacity + 1e-9]
    away = sum(1 for m in p.moves if seat[m.target].district != district[m.citizen])
    # citizens moved away from a caseworker who still has room for them afterwards
    weight = {c.id: c.weight for c in cases}
    gone: dict[int, list[float]] = {}
    for m in p.moves:
        if m.origin is not None:
            gone.setdefault(m.origin, []).append(weight[m.citizen])
    avoidable = 0
    for sid, weights in gone.items():
        room = seat[sid].capacity - loads[sid]
        for w in sorted(weights):
            if w > room + 1e-9:
                break
            room -= w
            avoidable += 1
    return {
        "changes": p.changes,
        "unplaced": len(p.unplaced),
        "over_cap": len(over),
        "spread": spread(seats, loads),
        "moved_out_of_district": away,
        "avoidable_changes": avoidable,
    }


# --- part A: in memory -----------------------------------------------------------------------


def in_memory(name: str, seats: list[Seat], cases: list[Case], runs: int) -> dict[str, Any]:
    times: dict[str, list[float]] = {"plan": [], "greedy": []}
    found: dict[str, dict[str, Any]] = {}
    for i in range(runs):
        for method, solve in (
            ("plan", lambda: plan(seats, cases, reason="cap_change")),
            ("greedy", lambda: greedy(seats, cases, "cap_change")),
        ):
            started = time.perf_counter()
            result = solve()
            seconds = time.perf_counter() - started
            times[method].append(seconds)
            measured = metrics(result, seats, cases)
            if method in found and measured != found[method]:
                raise AssertionError(f"{name}: {method} gave another result in run {i + 1}")
            found[method] = measured
            say(
                f"{name}, {method} run {i + 1}/{runs}: {seconds:.2f} s, "
                f"{measured['changes']:,} changes"
            )
    for method, measured in found.items():
        assert measured["over_cap"] == 0, f"{name}: {method} leaves professionals over the cap"
    least = fewest_changes(seats, cases)
    out = {
        "citizens": len(cases),
        "professionals": len(seats),
        "weighted_load": sum(c.weight for c in cases),
        "capacity": sum(s.capacity for s in seats),
        "fewest_changes": least,
        "plan": {**summary(times["plan"]), **found["plan"]},
        "greedy": {**summary(times["greedy"]), **found["greedy"]},
        "changes_ratio": found["plan"]["changes"] / found["greedy"]["changes"],
        "time_ratio_best": min(times["plan"]) / min(times["greedy"]),
        "time_ratio_median": statistics.median(times["plan"]) / statistics.median(times["greedy"]),
    }
    return out


# --- part B: through the register ------------------------------------------------------------


def fill(engine: Any, staff: list[Staff], citizens: list[Citizen]) -> float:
    """The department in the register, with Core bulk inserts; seconds taken."""
    from caseload.store import schema as s

    started = time.perf_counter()
    with engine.begin() as conn:
        centre = conn.execute(
            s.jobcentre.insert()
            .values(code="101", name="Jobcenter København")
            .returning(s.jobcentre.c.id)
        ).scalar_one()
        dept = conn.execute(
            s.department.insert()
            .values(
                code=DEPARTMENT,
                name="Big department",
                is_trial=False,
                role_model="all_apart",
                jobcentre_id=centre,
            )
            .returning(s.department.c.id)
        ).scalar_one()
        conn.execute(
            s.caseload_rule.insert().values(
                department_id=dept,
                weight_simple=1.0,
                weight_complex=1.5,
                weight_very_complex=2.0,
                new_staff_months=0,
                new_staff_share=1.0,
            )
        )
        conn.execute(
            s.caseload_cap.insert().values(
                role=ROLE,
                department_id=dept,
                professional_id=None,
                cap=OLD_CAP,
                start_date=date(2015, 1, 1),
                end_date=None,
            )
        )
        conn.execute(
            s.professional.insert(),
            [
                {
                    "id": p.id,
                    "code": p.code,
                    "name": f"Caseworker {p.id}",
                    "department_id": dept,
                    "team_id": None,
                    "fte": p.fte,
                    "start_date": p.start,
                    "end_date": None,
                    "exit_kind": None,
                    "district": p.district,
                }
                for p in staff
            ],
        )
        conn.execute(
            s.professional_role.insert(),
            [
                {"professional_id": p.id, "role": ROLE, "start_date": p.start, "end_date": None}
                for p in staff
            ],
        )
        conn.execute(
            s.citizen.insert(),
            [
                {
                    "id": c.id,
                    "code": c.code,
                    "cpr_hash": None,
                    "birth_date": date(1980, 1, 1),
                    "sex": "female" if c.id % 2 else "male",
                    "origin": "danish",
                    "target_group": "activity_ready_30_plus",
                    "district": c.district,
                    "public_benefit_since": None,
                    "kontanthjaelp_since": None,
                    "complexity": c.complexity,
                    "version": 1,
                    "jobcentre_id": centre,
                }
                for c in citizens
            ],
        )
        conn.execute(
            s.responsibility.insert(),
            [
                {
                    "citizen_id": c.id,
                    "professional_id": c.holder,
                    "role": ROLE,
                    "start_date": c.since,
                    "end_date": None,
                    "reason": "intake",
                    "override_reason": None,
                    "covers_professional_id": None,
                }
                for c in citizens
            ],
        )
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def prepare(db_url: str | None, fresh: bool, workdir: Path) -> tuple[Any, str]:
    from sqlalchemy import inspect

    from caseload.store.database import connect
    from caseload.store.migrate import upgrade

    if db_url is None:
        engine = connect(str(workdir / "rebalance.sqlite"))
        backend = "sqlite"
    else:
        engine = connect(db_url)
        backend = engine.dialect.name
        if fresh:
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
        elif inspect(engine).get_table_names():
            raise SystemExit(f"{db_url.split('@')[-1]} is not empty: give --fresh to empty it")
    upgrade(engine)
    return engine, backend


def register(
    args: argparse.Namespace,
    staff: list[Staff],
    citizens: list[Citizen],
    seats: list[Seat],
    cases: list[Case],
    workdir: Path,
) -> dict[str, Any]:
    from caseload.operate import allocation
    from caseload.store.database import reader

    engine, backend = prepare(args.db_url, args.fresh, workdir)
    say(
        f"register ({backend}): writing {len(staff):,} professionals and "
        f"{len(citizens):,} citizens with Core bulk inserts"
    )
    filled = fill(engine, staff, citizens)
    say(f"written in {filled:.1f} s")

    def timed(write: bool) -> tuple[float, allocation.Allocation]:
        started = time.perf_counter()
        if write:
            with engine.begin() as conn:
                result = allocation.rebalance(conn, DEPARTMENT, DAY, ROLE, cap=NEW_CAP, write=True)
        else:
            with reader(engine).connect() as conn:
                result = allocation.rebalance(conn, DEPARTMENT, DAY, ROLE, cap=NEW_CAP)
        return time.perf_counter() - started, result

    dry: list[float] = []
    parts: list[dict[str, float]] = []
    result = None
    for i in range(args.register_runs):
        seconds, result = timed(False)
        dry.append(seconds)
        parts.append(
            {
                "plan": result.plan.seconds,
                "greedy": result.baseline.seconds,
                "read": seconds - result.plan.seconds - result.baseline.seconds,
            }
        )
        say(
            f"register dry run {i + 1}/{args.register_runs}: {seconds:.2f} s (read "
            f"{parts[-1]['read']:.2f}, plan {result.plan.seconds:.2f}, greedy "
            f"{result.baseline.seconds:.2f}), {result.plan.changes:,} changes"
        )
    assert result is not None
    same_department = result.department.seats == seats and result.cases == cases
    assert same_department, "the register gave another department than the one written"
    got = result.summary()
    assert got["plan"]["over_cap"] == [] and got["greedy_baseline"]["over_cap"] == []
    wrote_seconds, wrote = timed(True)
    assert wrote.written is not None
    say(
        f"register write run: {wrote_seconds:.2f} s, ended {wrote.written.ended:,}, "
        f"started {wrote.written.started:,} responsibilities"
    )
    after_seconds, after = timed(False)
    say(
        f"register dry run after the write: {after_seconds:.2f} s, "
        f"{after.plan.changes:,} changes (plan), {after.baseline.changes:,} (greedy)"
    )
    assert after.plan.changes == 0 and after.baseline.changes == 0, "the write left excess"
    engine.dispose()
    return {
        "backend": backend,
        "fill_seconds": filled,
        "dry_run": {
            **summary(dry),
            "parts": parts,
            "plan_changes": got["plan"]["changes"],
            "greedy_changes": got["greedy_baseline"]["changes"],
            "plan_spread": got["plan"]["load_share_sd"],
            "greedy_spread": got["greedy_baseline"]["load_share_sd"],
            "unplaced": got["plan"]["unplaced"],
        },
        "write_run": {
            "seconds": wrote_seconds,
            "plan": wrote.plan.seconds,
            "greedy": wrote.baseline.seconds,
            "ended": wrote.written.ended,
            "started": wrote.written.started,
            "cap_recorded": wrote.written.cap_recorded,
        },
        "dry_run_after_write": {"seconds": after_seconds, "changes": after.plan.changes},
        "same_department_as_in_memory": same_department,
    }


# --- output ----------------------------------------------------------------------------------


def table(results: dict[str, Any]) -> str:
    lines = [
        "| scenario | method | best / median | changes | avoidable | unplaced | over cap | "
        "load-share SD | moved out of district |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, label in (("weighted", "weights 1 / 1.5 / 2"), ("unit", "every weight 1")):
        sc = results["in_memory"][name]
        for method in ("plan", "greedy"):
            r = sc[method]
            lines.append(
                f"| {label} | {method} | {r['best']:.2f} s / {r['median']:.2f} s | "
                f"{r['changes']:,} | {r['avoidable_changes']:,} | {r['unplaced']:,} | "
                f"{r['over_cap']} | {r['spread']:.4f} | {r['moved_out_of_district']:,} |"
            )
        lines.append(f"| {label} | fewest possible | | {sc['fewest_changes']:,} | | | | | |")
        lines.append(
            f"| {label} | plan / greedy | {sc['time_ratio_best']:.1f}× / "
            f"{sc['time_ratio_median']:.1f}× time | {sc['changes_ratio']:.3f} | | | | | |"
        )
    if "register" in results:
        rg = results["register"]
        dry, wrote = rg["dry_run"], rg["write_run"]
        met = "met" if dry["median"] < TARGET_SECONDS else "MISSED"
        read = statistics.median(p["read"] for p in dry["parts"])
        lines += [
            "",
            "| through the register | seconds | detail | target |",
            "|---|---|---|---|",
            f"| bulk insert of the department ({rg['backend']}) | {rg['fill_seconds']:.1f} s | "
            "Core executemany, ANALYZE | |",
            f"| `rebalance(..., cap=75)` dry run, best / median | {dry['best']:.2f} s / "
            f"{dry['median']:.2f} s | read {read:.2f} s (median); {dry['plan_changes']:,} "
            f"changes (greedy {dry['greedy_changes']:,}) | < {TARGET_SECONDS:.0f} s: {met} |",
            f"| `rebalance(..., cap=75, write=True)` | {wrote['seconds']:.2f} s | "
            f"{wrote['ended']:,} ended, {wrote['started']:,} started, cap recorded | |",
            f"| dry run after the write | {rg['dry_run_after_write']['seconds']:.2f} s | "
            f"{rg['dry_run_after_write']['changes']} changes | |",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="in-memory runs of each method")
    parser.add_argument("--register-runs", type=int, default=3, help="dry runs in the register")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--caseworkers", type=int, default=800, help="those holding citizens")
    parser.add_argument("--hired", type=int, default=1200, help="new staff holding none")
    parser.add_argument("--per-caseworker", type=int, default=125)
    parser.add_argument(
        "--db-url",
        help="PostgreSQL URL for the register part (default: a SQLite file in a temporary folder)",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="--db-url: drop everything in its public schema first"
    )
    parser.add_argument("--no-register", action="store_true", help="the in-memory part only")
    args = parser.parse_args()
    if args.db_url and not args.no_register:
        ensure_database(args.db_url)

    results = begin()
    staff, citizens = department(args.seed, args.caseworkers, args.hired, args.per_caseworker)
    seats = seats_of(staff, NEW_CAP)
    weighted = cases_of(citizens)
    unit = cases_of(citizens, unit=True)
    say(
        f"department: {len(seats):,} professionals, {len(weighted):,} citizens, weighted "
        f"load {sum(c.weight for c in weighted):,.1f}, capacity "
        f"{sum(s.capacity for s in seats):,.1f} at cap {NEW_CAP}"
    )
    results["department"] = {
        "seed": args.seed,
        "caseworkers": args.caseworkers,
        "hired": args.hired,
        "per_caseworker": args.per_caseworker,
        "day": DAY.isoformat(),
        "cap": [OLD_CAP, NEW_CAP],
        "fte_mix": FTE,
        "tiers": TIERS,
        "tier_counts": {
            name: sum(1 for c in citizens if c.complexity == name) for name, *_ in TIERS
        },
    }
    results["in_memory"] = {"weighted": in_memory("weighted", seats, weighted, args.runs)}
    unit_result = in_memory("unit weights", seats, unit, args.runs)
    held = Counter(c.current for c in unit)
    excess = sum(max(0, held[s.id] - int(np.floor(s.capacity + 1e-9))) for s in seats)
    assert unit_result["fewest_changes"] == excess
    assert unit_result["plan"]["changes"] == excess, (
        f"unit weights: the plan changes {unit_result['plan']['changes']} caseworkers, the "
        f"excess is {excess}"
    )
    results["in_memory"]["unit"] = {**unit_result, "excess": excess}
    results["peak_gib_in_memory"] = peak_gib()
    if not args.no_register:
        with tempfile.TemporaryDirectory(dir=os.environ.get("CASELOAD_BENCH_DIR")) as tmp:
            results["register"] = register(args, staff, citizens, seats, weighted, Path(tmp))
    results["peak_gib"] = peak_gib()
    print()
    print(table(results))
    print(f"\npeak memory of the process: {results['peak_gib']:.2f} GiB")
    RESULTS.mkdir(exist_ok=True)
    backend = "-postgresql" if args.db_url else ""
    path = RESULTS / f"rebalance{backend}-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print(f"results: {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
