"""Benchmark: how many SQL statements (and transactions) each of the caseworker's pages
runs, and how long it takes, served in this process.

The round is ``serve.py --face pages``'s: "my caseload" (``GET /caseload``), "a case"
(``GET /citizens/{code}``) and the meeting form posted as offered (held, with the next
booking), signed in through the login form as one of ``serve.py``'s caseworker accounts.
The app is served by uvicorn in a thread (as ``tests/web.py`` does) on the register
``--db`` names (a PostgreSQL URL or a SQLite path): the demo job centre is built there
first when it holds no such account. A listener on the engine counts, per request:

- *statements*: ``before_cursor_execute`` (an ``executemany`` counts once; its rows are
  counted beside it, as *rows in executemany*);
- *transactions*: the ``begin`` event (on PostgreSQL each costs a BEGIN and a COMMIT or
  ROLLBACK round trip besides its statements);
- *checkouts*: connections taken from the pool (each a ``SELECT 1`` with pre-ping).

Beside the time: the CPU this process used per request (median; the server's thread and
the client's, not the database's), which other work on the machine hardly moves.

Then each request is timed ``--reps`` times (median and p95, client-side) beside ``GET
/healthz``, whose median the medians are divided by, so the ratio is free of the
machine's noise. The meeting form is posted after an unmeasured read of the case (the
version and the next booking's day it offers), on the citizens of the first page in turn.

    PYTHONPATH=src:. .venv/bin/python benchmarks/page_statements.py
    PYTHONPATH=src:. .venv/bin/python benchmarks/page_statements.py --show
    PYTHONPATH=src:. .venv/bin/python benchmarks/page_statements.py --db /tmp/demo.sqlite
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import uvicorn
from harness import build_demo, ensure_database, say, where
from serve import CASELOAD, FORM_VALUES, PASSWORD, add_caseworkers
from sqlalchemy import Engine, event, select

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/caseload_bench_pages"
USERNAME = "bench-cw-000"
CODES = re.compile(r'<th scope="row"><a href="/citizens/([^"]+)"')


@dataclass
class Count:
    """What one request ran."""

    statements: int = 0
    executemany_rows: int = 0
    transactions: int = 0
    checkouts: int = 0
    texts: list[str] = field(default_factory=list)


class Listener:
    """Listeners on the served engine; ``count()`` brackets one request."""

    def __init__(self, engine: Engine) -> None:
        self.now: Count | None = None
        event.listen(engine, "before_cursor_execute", self._execute)
        event.listen(engine, "begin", self._begin)
        event.listen(engine.pool, "checkout", self._checkout)

    def _execute(
        self, conn: Any, cursor: Any, statement: str, params: Any, ctx: Any, many: bool
    ) -> None:
        if self.now is not None:
            self.now.statements += 1
            if many:
                self.now.executemany_rows += len(params)
            self.now.texts.append(" ".join(statement.split())[:160])

    def _begin(self, conn: Any) -> None:
        if self.now is not None:
            self.now.transactions += 1

    def _checkout(self, *_: Any) -> None:
        if self.now is not None:
            self.now.checkouts += 1

    @contextmanager
    def count(self) -> Iterator[Count]:
        self.now = Count()
        try:
            yield self.now
        finally:
            self.now = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(db: str, day: date) -> Iterator[tuple[str, Engine]]:
    from caseload.serve.app import create_app
    from caseload.serve.settings import Settings

    app = create_app(Settings(db=db, register_day=day, default_lang="en"))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        raise SystemExit("the server did not start")
    try:
        yield base, app.state.engine
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def ensure_register(db: str, day: date, citizens: int, build: bool) -> None:
    """The demo job centre with the benchmark's caseworker accounts, built when missing."""
    from caseload.access.accounts import by_username
    from caseload.store import schema as s
    from caseload.store.database import connect

    ensure_database(db)
    ready = False
    if not build:
        engine = connect(db)
        try:
            with engine.connect() as conn:
                conn.execute(select(s.account.c.id).limit(1)).all()
                ready = by_username(conn, USERNAME) is not None
        except Exception:
            ready = False
        finally:
            engine.dispose()
    if not ready:
        build_demo(CASELOAD, db, citizens)
        add_caseworkers(db, day, 50)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default=DEFAULT_DB, help="PostgreSQL URL or SQLite path")
    parser.add_argument("--day", default="2019-09-01")
    parser.add_argument("--citizens", type=int, default=20_000)
    parser.add_argument("--build", action="store_true", help="build the demo afresh")
    parser.add_argument("--reps", type=int, default=100, help="timed requests of each kind")
    parser.add_argument("--show", action="store_true", help="print each request's statements")
    args = parser.parse_args()
    day = date.fromisoformat(args.day)
    ensure_register(args.db, day, args.citizens, args.build)
    say(f"register {where(args.db)}, day {day}, {args.reps} repetitions")
    with served(args.db, day) as (base, engine), httpx.Client(base_url=base, timeout=60) as web:
        counter = Listener(engine)
        signed = web.post("/login", data={"username": USERNAME, "password": PASSWORD})
        if signed.status_code != 303:
            raise SystemExit(f"could not sign in: {signed.status_code}")
        web.headers["X-CSRF-Token"] = web.cookies["caseload_csrf"]
        listed = web.get("/caseload")
        citizens = CODES.findall(listed.text)
        if not citizens:
            raise SystemExit("no citizens on the caseload page")
        turn = iter(range(10**9))

        def case() -> httpx.Request:
            return web.build_request("GET", f"/citizens/{citizens[next(turn) % len(citizens)]}")

        def form() -> httpx.Request:
            """The meeting form as offered, after an unmeasured read of the case."""
            citizen = citizens[next(turn) % len(citizens)]
            offered = dict(FORM_VALUES.findall(web.get(f"/citizens/{citizen}").text))
            fields = {
                "version": offered["version"],
                "status": "held",
                "day": day.isoformat(),
                "place": "job_centre",
                "minutes": "45",
                "book_next": "on",
                "next_day": offered.get("next_day", ""),
                "next_place": "job_centre",
            }
            return web.build_request("POST", f"/citizens/{citizen}/meetings", data=fields)

        requests: dict[str, Callable[[], httpx.Request]] = {
            "healthz": lambda: web.build_request("GET", "/healthz"),
            "my caseload (GET /caseload)": lambda: web.build_request("GET", "/caseload"),
            "a case (GET /citizens/{code})": case,
            "the meeting form (POST)": form,
        }
        results: dict[str, dict[str, Any]] = {}
        for name, make in requests.items():
            web.send(make())  # warm: templates, compiled statements
            seconds: list[float] = []
            cpus: list[float] = []
            statuses: Counter[int] = Counter()
            counts: list[Count] = []
            for _ in range(args.reps):
                request = make()
                with counter.count() as count:
                    started, cpu = time.perf_counter(), time.process_time()
                    answer = web.send(request)
                    seconds.append(time.perf_counter() - started)
                    cpus.append(time.process_time() - cpu)
                counts.append(count)
                statuses[answer.status_code] += 1
            results[name] = {
                "seconds": seconds,
                "cpu": cpus,
                "statuses": statuses,
                "counts": counts,
            }
            if args.show:
                print(f"\n--- {name}: the statements of the first measured request")
                for text in counts[0].texts:
                    print(f"  {text}")
    base_median = statistics.median(results["healthz"]["seconds"])
    print()
    print(
        "| request | statements | rows in executemany | transactions | checkouts | "
        "median ms | p95 ms | × healthz | CPU ms | statuses |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        ms = sorted(1000 * x for x in r["seconds"])
        p95 = statistics.quantiles(ms, n=20, method="inclusive")[-1] if len(ms) > 1 else ms[0]
        median = statistics.median(ms)
        c: list[Count] = r["counts"]

        def spread(values: list[int]) -> str:
            low, high = min(values), max(values)
            return str(low) if low == high else f"{low}–{high}"

        print(
            f"| {name} | {spread([x.statements for x in c])} | "
            f"{spread([x.executemany_rows for x in c])} | {spread([x.transactions for x in c])} | "
            f"{spread([x.checkouts for x in c])} | {median:.1f} | {p95:.1f} | "
            f"{median / (1000 * base_median):.2f} | "
            f"{1000 * statistics.median(r['cpu']):.1f} | {dict(r['statuses'])} |"
        )


if __name__ == "__main__":
    main()
