"""Benchmark: the API (or the web app's pages) under a job centre's caseworkers, on SQLite
and PostgreSQL.

The demo job centre scaled to ``--citizens`` (20,000 by default) is built with ``caseload
demo``; ``--users`` caseworker accounts (50) are made with ``access.accounts.add_account``
for the coordinating caseworkers holding the most citizens on the register day; then
``caseload serve --db … --as-of DAY --workers N`` runs as a real subprocess on loopback
(2 workers on SQLite and on PostgreSQL: one per core) with the audit on (every read and
write is audited; it cannot be turned off).

The load generator is this script: bounded asyncio + httpx, one client (its own cookie
jar and CSRF token) per simulated caseworker, on the same machine. Every user repeats a
caseworker's round: "my citizens" (``GET /api/v1/citizens``), "one case" (``GET
/api/v1/citizens/{code}`` of a citizen from that page) and "register a meeting" (``POST
/api/v1/citizens/{code}/meetings``, a planned job meeting, ``If-Match`` from the case's
ETag). With ``--face pages`` the round is the web app's: "my caseload (page)" (``GET
/caseload``), "a case (page)" (``GET /citizens/{code}``, the timeline and the meeting form)
and "register a meeting (form)" (the form posted as offered: held, with the next booking),
signed in through the login form. Phases, each measured on its own:

- *paced*: every user waits 1–3 s (uniform) after every answer, as a caseworker does;
- *saturation*: no waiting, the throughput the server reaches;
- *baseline*: ``GET /healthz`` (the framework and one query of the database) by the same
  users, paced and at saturation, so a ratio to it is free of the machine's noise.

For every phase: requests, errors by status, p50/p95/p99 per endpoint (client-side, from
sending to the whole body read), throughput, and the CPU seconds (psutil) of the server's
processes, of the load generator, of PostgreSQL's processes and of the whole machine.

    .venv/bin/python benchmarks/serve.py --backend both
    .venv/bin/python benchmarks/serve.py --backend sqlite --quick
    .venv/bin/python benchmarks/serve.py --backend both --face pages
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil
from harness import begin, build_demo, ensure_database, say, where

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CASELOAD = str(Path(sys.executable).with_name("caseload"))
PG_URL = os.environ.get(
    "CASELOAD_BENCH_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/caseload_bench_serve",
)
PASSWORD = "benchmark caseworker passphrase"
FORM_VALUES = re.compile(r'<input[^>]*name="(version|next_day)"[^>]*value="([^"]*)"')
"""The meeting form's hidden version and the next booking's day it offers."""
Phase = tuple[str, float, bool, bool, int]
"""name, seconds, paced (1–3 s between requests), baseline (/healthz only), users."""


# --- the register: demo, accounts --------------------------------------------------------


def add_caseworkers(db: str, day: date, users: int) -> list[str]:
    """Accounts for the ``users`` coordinating caseworkers holding the most citizens on
    ``day``; their usernames."""
    from sqlalchemy import and_, func, or_, select

    from caseload.access import accounts
    from caseload.store import schema as s
    from caseload.store.database import connect

    r, p = s.responsibility, s.professional
    engine = connect(db)
    try:
        with engine.begin() as conn:
            held = conn.execute(
                select(p.c.code, func.count())
                .join(r, r.c.professional_id == p.c.id)
                .where(
                    r.c.role == "coordinating_caseworker",
                    r.c.start_date <= day,
                    or_(r.c.end_date.is_(None), r.c.end_date >= day),
                    and_(p.c.start_date <= day, or_(p.c.end_date.is_(None), p.c.end_date >= day)),
                )
                .group_by(p.c.code)
                .order_by(func.count().desc(), p.c.code)
                .limit(users)
            ).all()
            if len(held) < users:
                raise SystemExit(f"only {len(held)} caseworkers hold citizens on {day}")
            names = []
            for i, (code, _) in enumerate(held):
                name = f"bench-cw-{i:03d}"
                accounts.add_account(conn, name, "caseworker", PASSWORD, staff=code, lang="en")
                names.append(name)
            professionals = conn.execute(select(func.count()).select_from(p)).scalar_one()
            active = conn.execute(
                select(func.count())
                .select_from(p)
                .where(p.c.start_date <= day, or_(p.c.end_date.is_(None), p.c.end_date >= day))
            ).scalar_one()
            citizens = conn.execute(select(func.count()).select_from(s.citizen)).scalar_one()
    finally:
        engine.dispose()
    say(
        f"{citizens:,} citizens, {professionals} professionals ({active} employed on {day}); "
        f"{users} caseworker accounts holding {held[0][1]}–{held[-1][1]} citizens each"
    )
    return names


# --- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    db: str, day: date, workers: int, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    args = [CASELOAD, "serve", "--db", db, "--as-of", day.isoformat()]
    args += ["--workers", str(workers), "--port", str(port), "--lang", "en"]
    say(f"starting: caseload serve --db {where(db)} --as-of {day} --workers {workers}")
    out = log.open("wb")
    server = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    server.kill()
    raise SystemExit(f"the server did not answer in 60 s:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- CPU ---------------------------------------------------------------------------------


def _seconds(process: psutil.Process) -> float:
    try:
        t = process.cpu_times()
        return float(t.user + t.system)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0


class Cpu:
    """CPU seconds used during a phase by the server's processes, this script, PostgreSQL's
    processes (all of them, machine-wide) and the whole machine."""

    def __init__(self, server_pid: int) -> None:
        self.server = psutil.Process(server_pid)

    def _postgres(self) -> dict[int, float]:
        found = {}
        for proc in psutil.process_iter(["name"]):
            if proc.info["name"] in ("postgres", "postmaster"):
                found[proc.pid] = _seconds(proc)
        return found

    def snapshot(self) -> dict[str, Any]:
        tree = [self.server, *self.server.children(recursive=True)]
        busy = psutil.cpu_times()
        return {
            "server": {p.pid: _seconds(p) for p in tree},
            "postgres": self._postgres(),
            "generator": _seconds(psutil.Process()),
            "machine": busy.user
            + busy.system
            + busy.nice
            + getattr(busy, "irq", 0)
            + getattr(busy, "softirq", 0),
            "wall": time.perf_counter(),
        }

    @staticmethod
    def used(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
        def delta(name: str) -> float:
            return sum(v - before[name].get(pid, 0.0) for pid, v in after[name].items())

        wall = after["wall"] - before["wall"]
        out = {
            "wall": wall,
            "server": delta("server"),
            "generator": after["generator"] - before["generator"],
            "postgres": delta("postgres"),
            "machine": after["machine"] - before["machine"],
        }
        out["other"] = out["machine"] - out["server"] - out["generator"] - out["postgres"]
        return out


# --- the load ----------------------------------------------------------------------------


@dataclass
class Tally:
    """Latencies (seconds) per endpoint and statuses of one phase."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    resent: int = 0
    """Requests sent again after the connection failed (the keep-alive race)."""

    def add(self, endpoint: str, seconds: float, status: int) -> None:
        self.latencies.setdefault(endpoint, []).append(seconds)
        counts = self.statuses.setdefault(endpoint, {})
        counts[status] = counts.get(status, 0) + 1


class User:
    """One caseworker: a client with its own session cookie and CSRF token."""

    def __init__(self, base: str, username: str, day: date, face: str = "api") -> None:
        self.client = httpx.AsyncClient(base_url=base, timeout=60)
        self.username = username
        self.day = day
        self.face = face
        self.rng = random.Random(username)

    async def sign_in(self, tally: Tally) -> None:
        """Sign in (again after a 5xx, up to five times: each is counted)."""
        if self.face == "pages":
            await self.sign_in_page(tally)
            return
        for _ in range(5):
            answer = await self.timed(
                tally,
                "sign in",
                lambda: self.client.post(
                    "/api/v1/session", json={"username": self.username, "password": PASSWORD}
                ),
            )
            if answer.status_code < 500:
                break
            await asyncio.sleep(1)
        answer.raise_for_status()
        self.client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]

    async def timed(
        self, tally: Tally | None, endpoint: str, send: Callable[[], Awaitable[httpx.Response]]
    ) -> httpx.Response:
        """Send, timed. A connection the server closed as it was reused (the keep-alive
        race after an idle pause) is sent again once, as browsers do, and counted; a second
        failure is recorded as 599."""
        started = time.perf_counter()
        try:
            answer = await send()
        except httpx.TransportError as error:
            if tally is not None:
                tally.resent += 1
            try:
                answer = await send()
            except httpx.TransportError:
                answer = httpx.Response(599, text=f"no answer: {type(error).__name__}")
        if tally is not None:
            tally.add(endpoint, time.perf_counter() - started, answer.status_code)
        return answer

    async def sign_in_page(self, tally: Tally) -> None:
        """The login form; the CSRF token from its cookie, sent as the header htmx sends."""
        for _ in range(5):
            answer = await self.timed(
                tally,
                "sign in",
                lambda: self.client.post(
                    "/login", data={"username": self.username, "password": PASSWORD}
                ),
            )
            if answer.status_code < 500:
                break
            await asyncio.sleep(1)
        if answer.status_code != 303:
            raise SystemExit(f"{self.username} could not sign in: {answer.status_code}")
        self.client.headers["X-CSRF-Token"] = self.client.cookies["caseload_csrf"]

    async def page_round(self, tally: Tally | None, pause: Callable[[], Awaitable[None]]) -> None:
        """The web app: my caseload, a citizen's case, a held meeting with its next booking
        through the meeting form (the values the form offers); a pause after each."""
        page = self.rng.randint(1, 2)
        listed = await self.timed(
            tally, "my caseload (page)", lambda: self.client.get("/caseload", params={"page": page})
        )
        await pause()
        codes = re.findall(r'<th scope="row"><a href="/citizens/([^"]+)"', listed.text)
        if listed.status_code != 200 or not codes:
            return
        citizen = self.rng.choice(codes)
        read = await self.timed(
            tally, "a case (page)", lambda: self.client.get(f"/citizens/{citizen}")
        )
        await pause()
        form = dict(FORM_VALUES.findall(read.text))
        if read.status_code != 200 or "version" not in form:
            return
        fields = {
            "version": form["version"],
            "status": "held",
            "day": self.day.isoformat(),
            "place": "job_centre",
            "minutes": "45",
            "book_next": "on",
            "next_day": form.get("next_day", ""),
            "next_place": "job_centre",
        }
        posted = await self.timed(
            tally,
            "register a meeting (form)",
            lambda: self.client.post(f"/citizens/{citizen}/meetings", data=fields),
        )
        if posted.status_code != 303 and tally is not None and len(tally.failures) < 5:
            said = re.findall(r'role="alert">([^<]*)<', posted.text)
            tally.failures.append(f"{posted.status_code}: {said[0] if said else posted.text[:200]}")
        await pause()

    async def round(self, tally: Tally | None, pause: Callable[[], Awaitable[None]]) -> None:
        """My citizens, one of them, a planned meeting for them; a pause after each."""
        if self.face == "pages":
            await self.page_round(tally, pause)
            return
        page = self.rng.randint(1, 2)
        listed = await self.timed(
            tally,
            "my citizens",
            lambda: self.client.get("/api/v1/citizens", params={"page": page}),
        )
        await pause()
        items = listed.json().get("items") if listed.status_code == 200 else None
        if not items:
            return
        citizen = self.rng.choice(items)["citizen"]
        read = await self.timed(
            tally, "one case", lambda: self.client.get(f"/api/v1/citizens/{citizen}")
        )
        await pause()
        if read.status_code != 200:
            return
        body = {
            "kind": "job_meeting",
            "status": "planned",
            "day": (self.day + timedelta(days=self.rng.randint(1, 14))).isoformat(),
        }
        posted = await self.timed(
            tally,
            "register a meeting",
            lambda: self.client.post(
                f"/api/v1/citizens/{citizen}/meetings",
                json=body,
                headers={"If-Match": read.headers["ETag"]},
            ),
        )
        if posted.status_code != 201 and tally is not None and len(tally.failures) < 5:
            tally.failures.append(f"{posted.status_code}: {posted.text[:300]}")
        await pause()

    async def health(self, tally: Tally | None, pause: Callable[[], Awaitable[None]]) -> None:
        await self.timed(tally, "healthz", lambda: self.client.get("/healthz"))
        await pause()


async def _phase(
    users: list[User], seconds: float, paced: bool, baseline: bool, tally: Tally
) -> None:
    """The users' rounds (or /healthz) until ``seconds`` have passed; a round begun
    finishes, so a phase runs a little longer than ``seconds``."""
    stop = time.monotonic() + seconds

    async def run(user: User) -> None:
        rng = random.Random(f"{user.username}-pause")

        async def pause() -> None:
            if paced:
                await asyncio.sleep(rng.uniform(1.0, 3.0))

        if paced:  # users start spread over a pause, not all at once
            await asyncio.sleep(rng.uniform(0.0, 3.0))
        while time.monotonic() < stop:
            if baseline:
                await user.health(tally, pause)
            else:
                await user.round(tally, pause)

    await asyncio.gather(*(run(u) for u in users))


def quantiles(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)
    if len(ms) < 2:
        return {"n": len(ms)}
    cut = statistics.quantiles(ms, n=100, method="inclusive")
    return {
        "n": len(ms),
        "p50": cut[49],
        "p95": cut[94],
        "p99": cut[98],
        "max": ms[-1],
        "mean": statistics.fmean(ms),
    }


async def load(
    base: str, usernames: list[str], day: date, plan: list[Phase], cpu: Cpu, face: str
) -> dict[str, Any]:
    users = [User(base, name, day, face) for name in usernames]
    try:
        started = time.perf_counter()
        signing = Tally()
        before = cpu.snapshot()
        await asyncio.gather(*(u.sign_in(signing) for u in users))
        phases: dict[str, Any] = {"sign in": summary_of(signing, Cpu.used(before, cpu.snapshot()))}
        say(f"{len(users)} users signed in in {time.perf_counter() - started:.1f} s")
        say(line("sign in", phases["sign in"]))
        # warm-up: every user once round, unmeasured (connections, caches, the first plans)
        await asyncio.gather(*(u.round(None, _no_pause) for u in users))
        await asyncio.gather(*(u.health(None, _no_pause) for u in users))
        for name, seconds, paced, baseline, count in plan:
            say(f"phase {name}: {seconds:.0f} s")
            tally = Tally()
            before = cpu.snapshot()
            await _phase(users[:count], seconds, paced, baseline, tally)
            phases[name] = summary_of(tally, Cpu.used(before, cpu.snapshot()))
            say(line(name, phases[name]))
        return phases
    finally:
        await asyncio.gather(*(u.client.aclose() for u in users))


def summary_of(tally: Tally, used: dict[str, float]) -> dict[str, Any]:
    total = sum(len(v) for v in tally.latencies.values())
    return {
        "seconds": used["wall"],
        "requests": total,
        "per_second": total / used["wall"],
        "endpoints": {k: quantiles(v) for k, v in tally.latencies.items()},
        "all": quantiles([x for v in tally.latencies.values() for x in v]),
        "statuses": tally.statuses,
        "failures": tally.failures,
        "resent": tally.resent,
        "cpu": used,
    }


async def _no_pause() -> None:
    return None


def line(name: str, phase: dict[str, Any]) -> str:
    parts = [f"{name}: {phase['requests']:,} requests, {phase['per_second']:.1f}/s"]
    for endpoint, q in phase["endpoints"].items():
        if "p95" in q:
            parts.append(f"{endpoint} p50/p95/p99 {q['p50']:.1f}/{q['p95']:.1f}/{q['p99']:.1f} ms")
    c = phase["cpu"]
    parts.append(
        f"CPU s: server {c['server']:.1f}, generator {c['generator']:.1f}, "
        f"postgres {c['postgres']:.1f}, other {c['other']:.1f} of {2 * c['wall']:.0f} available"
    )
    bad = {e: {s: n for s, n in st.items() if s >= 400} for e, st in phase["statuses"].items()}
    bad = {e: st for e, st in bad.items() if st}
    if bad:
        parts.append(f"errors {bad}")
    if phase["failures"]:
        parts.append(f"first refusals {phase['failures'][:2]}")
    if phase["resent"]:
        parts.append(f"resent after a closed connection: {phase['resent']}")
    return "; ".join(parts)


# --- one backend -------------------------------------------------------------------------


def run_backend(backend: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    day = date.fromisoformat(args.day)
    if backend == "postgresql":
        db, workers = args.db_url, args.pg_workers
        ensure_database(db)
    else:
        db, workers = str(work / f"jobcentre-{args.citizens}.sqlite"), args.sqlite_workers
    built = build_demo(CASELOAD, db, args.citizens)
    usernames = add_caseworkers(db, day, args.users)
    log = work / f"serve-{backend}.log"
    server, base = start_server(db, day, workers, log)
    try:
        n = args.users
        plan: list[Phase] = [
            ("one user, no waiting", args.alone, False, False, 1),
            ("baseline, one user", args.alone, False, True, 1),
            ("paced", args.paced, True, False, n),
            ("baseline paced", args.baseline, True, True, n),
            ("saturation", args.saturation, False, False, n),
            ("baseline saturation", args.baseline, False, True, n),
        ]
        phases = asyncio.run(load(base, usernames, day, plan, Cpu(server.pid), args.face))
    finally:
        stop_server(server)
        errors = [x for x in log.read_text(errors="replace").splitlines() if "Error" in x]
        if errors:  # the server's own words on its 5xx (exception names, no bodies)
            say(f"server log: {len(errors)} error lines, last: {errors[-3:]}")
    return {"db": where(db), "workers": workers, "built": built, "phases": phases}


def table(backend: str, result: dict[str, Any]) -> str:
    rows = [
        f"{backend} ({result['workers']} worker(s))",
        "",
        "| phase | endpoint | requests | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, phase in result["phases"].items():
        for endpoint, q in phase["endpoints"].items():
            errors = sum(n for s, n in phase["statuses"][endpoint].items() if s >= 400)
            rows.append(
                f"| {name} | {endpoint} | {q['n']:,} | {q.get('p50', 0):.1f} | "
                f"{q.get('p95', 0):.1f} | {q.get('p99', 0):.1f} | {errors} |"
            )
    rows += ["", "| phase | requests/s | CPU s: server | generator | PostgreSQL | other | wall s |"]
    rows.append("|---|---|---|---|---|---|---|")
    for name, phase in result["phases"].items():
        c = phase["cpu"]
        rows.append(
            f"| {name} | {phase['per_second']:.1f} | {c['server']:.1f} | {c['generator']:.1f} | "
            f"{c['postgres']:.1f} | {c['other']:.1f} | {c['wall']:.0f} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--citizens", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--day", default="2019-09-01", help="the register day served")
    parser.add_argument("--db-url", default=PG_URL, help="PostgreSQL (created if missing)")
    parser.add_argument("--sqlite-workers", type=int, default=2)
    parser.add_argument("--pg-workers", type=int, default=2)
    parser.add_argument("--paced", type=float, default=150, help="seconds of the paced phase")
    parser.add_argument("--saturation", type=float, default=45, help="seconds without waiting")
    parser.add_argument("--baseline", type=float, default=30, help="seconds of each /healthz phase")
    parser.add_argument("--alone", type=float, default=15, help="seconds of each one-user phase")
    parser.add_argument("--quick", action="store_true", help="short phases (20/10/8/5 s)")
    parser.add_argument(
        "--face",
        choices=["api", "pages"],
        default="api",
        help="the JSON API's calls, or the web app's pages and meeting form",
    )
    args = parser.parse_args()
    if args.quick:
        args.paced, args.saturation, args.baseline, args.alone = 20, 10, 8, 5
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = begin(
        citizens=args.citizens,
        users=args.users,
        day=args.day,
        face=args.face,
        phases={
            "paced": args.paced,
            "saturation": args.saturation,
            "baseline": args.baseline,
            "alone": args.alone,
        },
    )
    with tempfile.TemporaryDirectory(dir=os.environ.get("CASELOAD_BENCH_DIR")) as tmp:
        for backend in backends:
            results[backend] = run_backend(backend, args, Path(tmp))
    print()
    for backend in backends:
        print(table(backend, results[backend]))
        print()
    RESULTS.mkdir(exist_ok=True)
    face = "" if args.face == "api" else "pages-"
    path = RESULTS / f"serve-{face}{'-'.join(backends)}-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print(f"results: {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
