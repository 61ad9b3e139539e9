"""Benchmark: the policy microsimulation (plan/microsim.py) against a per-citizen weekly loop.

- target: 1,000 replications of 10,000 citizens over 104 weeks with 2 workers (one policy,
  one shape: the calibration point of the demo defaults, with caseworker changes and
  entrants), under 30 s; then the command's default work (3 policies × 4 shapes);
- baseline, in the same run on a smaller size: every citizen, every week, in Python (the
  week's changes Poisson, the week's exit probability 1 − exp(−Λ × factor), the destination
  by the hazards' shares), one replication of ``--loop-citizens`` citizens;
- the ratio of seconds per citizen-week, baseline / microsimulation (2 workers).

The machine's load (1-minute load average, CPU use by others) is recorded before each
timing: another process may share the two cores.

    .venv/bin/python benchmarks/microsim.py
"""

from __future__ import annotations

import argparse
import json
import math
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import psutil
from harness import begin, say

from caseload.plan import calibrate, microsim
from caseload.plan.microsim import Policy, Settings
from caseload.plan.response import DESTINATIONS

RESULTS = Path(__file__).parent / "results"


def load() -> dict[str, float]:
    """The 1-minute load average and the whole machine's CPU use over one second."""
    return {
        "load_1min": round(psutil.getloadavg()[0], 2),
        "cpu_percent": psutil.cpu_percent(interval=1.0),
    }


def weekly_loop(cal: calibrate.Calibration, settings: Settings, citizens: int) -> float:
    """Seconds for one replication of ``citizens`` citizens, week by week, in Python."""
    rng = np.random.default_rng(settings.seed)
    hazards = np.asarray(cal.hazards)
    rate = (cal.change_rate + cal.staff_turnover) / microsim.WEEKS_PER_YEAR
    started = time.perf_counter()
    exits = np.zeros(len(DESTINATIONS))
    for _ in range(citizens):
        lam = hazards[1 if rng.random() < cal.shares[1] else 0]
        total = float(lam.sum())
        window_end = -1.0
        for week in range(settings.weeks):
            if rng.poisson(rate) > 0:
                window_end = week + settings.change_weeks
            factor = settings.change_effect if week < window_end else 1.0
            if rng.random() < 1 - math.exp(-total * factor):
                exits[rng.choice(len(DESTINATIONS), p=lam / total)] += 1
                break
    return time.perf_counter() - started


def timed(cal: calibrate.Calibration, settings: Settings) -> float:
    started = time.perf_counter()
    microsim.simulate(cal, settings)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=104)
    parser.add_argument("--reps", type=int, default=1_000)
    parser.add_argument("--loop-citizens", type=int, default=2_000)
    args = parser.parse_args()
    results = begin(target_seconds=30)
    cal = calibrate.demo()
    one = Settings(
        policies=(Policy(round(cal.caseload)),),
        shapes=("copenhagen",),
        citizens=args.citizens,
        weeks=args.weeks,
        reps=args.reps,
        workers=2,
    )
    timings = {}
    for name, settings in (
        ("one scenario, 2 workers", one),
        ("one scenario, 1 worker", Settings(**{**one.__dict__, "workers": 1})),
        (
            "3 policies x 4 shapes, 2 workers",
            Settings(
                **{**one.__dict__, "policies": Settings().policies, "shapes": Settings().shapes}
            ),
        ),
    ):
        before = load()
        say(f"{name}: load {before}")
        seconds = timed(cal, settings)
        timings[name] = {"seconds": round(seconds, 2), "load_before": before}
        say(f"{name}: {seconds:.1f} s")
    before = load()
    loop_seconds = weekly_loop(cal, one, args.loop_citizens)
    timings["weekly loop"] = {
        "seconds": round(loop_seconds, 2),
        "citizens": args.loop_citizens,
        "load_before": before,
    }
    say(f"weekly loop, {args.loop_citizens} citizens: {loop_seconds:.1f} s")
    vec = timings["one scenario, 2 workers"]["seconds"] / (args.reps * args.citizens * args.weeks)
    loop = loop_seconds / (args.loop_citizens * args.weeks)
    results.update(
        timings=timings,
        per_citizen_week={"microsim": vec, "weekly_loop": loop, "ratio": loop / vec},
        size={"citizens": args.citizens, "weeks": args.weeks, "reps": args.reps},
    )
    print()
    print("| run | seconds | load before (1 min, CPU %) |")
    print("|---|---|---|")
    for name, t in timings.items():
        print(
            f"| {name} | {t['seconds']} | "
            f"{t['load_before']['load_1min']}, {t['load_before']['cpu_percent']} |"
        )
    print(
        f"\nper citizen-week: microsim {vec * 1e9:.2f} ns, weekly loop {loop * 1e9:.0f} ns, "
        f"ratio {loop / vec:,.0f}"
    )
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"microsim-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
