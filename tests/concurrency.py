"""Writers in separate processes, started together round after round: the cap's proof.

Each worker process opens its own engine on the register's URL and, for every round,
waits at a barrier shared with the other worker and then runs its job in one transaction
— the same services the CLI and the API call. Outcomes go back on a queue."""

from __future__ import annotations

import multiprocessing as mp
from datetime import date
from typing import Any

DAY = date(2019, 3, 1)
KS = "coordinating_caseworker"


def _job(engine: Any, job: tuple[str, ...]) -> str:
    from caseload.operate import allocation, casework, plans
    from caseload.operate.refusals import CannotPlace, Conflict, NotFound, Refused
    from caseload.review.sample import ReviewError

    try:
        with engine.begin() as conn:
            if job[0] == "contact":
                casework.change_contact(conn, job[1], KS, job[2], DAY, "reallocation")
            elif job[0] == "apply":
                plans.apply_plan(conn, job[1], by=f"worker-{job[2]}")
            elif job[0] == "draw":
                from caseload.review.sample import Design, draw

                draw(conn, Design(job[1], DAY, "department", int(job[2]), "race", 2))
            elif job[0] == "score":
                from caseload.review import rubric, scores

                scores.save_score(conn, rubric.default(), int(job[1]), job[2], int(job[3]))
            else:
                allocation.rebalance(conn, job[1], DAY, KS, write=True)
    except (Refused, CannotPlace, NotFound, Conflict, ReviewError) as refused:
        return f"refused:{type(refused).__name__}"
    except Exception as error:  # a deadlock or a crash: the test fails on it by name
        return f"error:{type(error).__name__}:{str(error).splitlines()[0][:200]}"
    return "ok"


def _worker(url: str, jobs: list[tuple[str, ...]], barrier: Any, out: Any, me: int) -> None:
    from caseload.store.database import connect

    engine = connect(url)
    with engine.connect():
        pass  # connect before the first round, not inside it
    for round_, job in enumerate(jobs):
        barrier.wait(timeout=60)
        out.put((round_, me, _job(engine, job)))
    engine.dispose()


def race(url: str, first: list[tuple[str, ...]], second: list[tuple[str, ...]]) -> list[list[str]]:
    """Run ``first[r]`` and ``second[r]`` at the same moment for every round r, in two
    processes; the outcomes per round, in worker order."""
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(url, jobs, barrier, out, me))
        for me, jobs in enumerate((first, second))
    ]
    for w in workers:
        w.start()
    results = [["", ""] for _ in first]
    for _ in range(2 * len(first)):
        round_, me, outcome = out.get(timeout=300)
        results[round_][me] = outcome
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0, w.exitcode
    return results
