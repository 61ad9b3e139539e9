"""The cap under concurrent writers: real processes, each with its own connection, started
together by a barrier, 50 rounds per scenario, on SQLite and PostgreSQL. A cap breached
once, a deadlock or a crash fails the test."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from caseload.store import schema as s
from tests.concurrency import DAY, KS, race
from tests.helpers import add_row

ROUNDS = 50
CAP = 2
SINCE = date(2018, 1, 1)


def _add(conn: Connection, table: Any, **values: Any) -> int:
    return add_row(conn, table, **values)


class _Builder:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.departments: dict[str, int] = {}

    def department(self, code: str, cap: int) -> None:
        self.departments[code] = _add(
            self.conn, s.department, code=code, name=code, is_trial=False, role_model="all_apart"
        )
        _add(
            self.conn,
            s.caseload_cap,
            role=KS,
            department_id=self.departments[code],
            cap=cap,
            start_date=SINCE,
        )

    def professional(self, code: str, department: str) -> int:
        pid = _add(
            self.conn,
            s.professional,
            code=code,
            name=code,
            department_id=self.departments[department],
            fte=1.0,
            start_date=SINCE,
        )
        _add(self.conn, s.professional_role, professional_id=pid, role=KS, start_date=SINCE)
        return pid

    def citizen(self, code: str, holder: int) -> None:
        cid = _add(
            self.conn,
            s.citizen,
            code=code,
            birth_date=date(1980, 1, 1),
            sex="female",
            origin="danish",
            target_group="activity_ready_30_plus",
        )
        _add(
            self.conn,
            s.responsibility,
            citizen_id=cid,
            professional_id=holder,
            role=KS,
            start_date=SINCE,
            reason="intake",
        )


def _loads(engine: Engine) -> dict[str, int]:
    """Citizens each professional holds on the day."""
    r, p = s.responsibility, s.professional
    open_on = (r.c.start_date <= DAY) & ((r.c.end_date.is_(None)) | (r.c.end_date >= DAY))
    with engine.connect() as conn:
        rows = conn.execute(
            select(p.c.code, func.count(r.c.id))
            .join(r, r.c.professional_id == p.c.id)
            .where(open_on, r.c.role == KS)
            .group_by(p.c.code)
        ).all()
    return {code: int(n) for code, n in rows}


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _no_errors(results: list[list[str]]) -> None:
    errors = [outcome for pair in results for outcome in pair if outcome.startswith("error")]
    assert errors == [], errors[:3]


def test_two_moves_to_the_last_place_one_wins(engine: Engine) -> None:
    """Two contacts, each moving a different citizen to a caseworker with room for one."""
    with engine.begin() as conn:
        b = _Builder(conn)
        b.department("SRC", 10_000)
        b.department("TGT", CAP)
        source = b.professional("S", "SRC")
        for r in range(ROUNDS):
            b.citizen(f"H{r}", b.professional(f"T{r}", "TGT"))
            b.citizen(f"X{r}", source)
            b.citizen(f"Y{r}", source)
    results = race(
        _url(engine),
        [("contact", f"X{r}", f"T{r}") for r in range(ROUNDS)],
        [("contact", f"Y{r}", f"T{r}") for r in range(ROUNDS)],
    )
    _no_errors(results)
    assert all(sorted(pair) == ["ok", "refused:Refused"] for pair in results), results
    loads = _loads(engine)
    assert [loads[f"T{r}"] for r in range(ROUNDS)] == [CAP] * ROUNDS
    assert loads["S"] == ROUNDS


def test_a_rebalance_racing_a_contact_never_breaches_the_cap(engine: Engine) -> None:
    """Department R{r}: A holds 3 (over the cap of 2), B holds 1. The rebalance moves one
    citizen from A to B while a contact moves an outside citizen to B: one of them wins."""
    with engine.begin() as conn:
        b = _Builder(conn)
        b.department("SRC", 10_000)
        source = b.professional("S", "SRC")
        for r in range(ROUNDS):
            b.department(f"R{r}", CAP)
            a, bb = b.professional(f"A{r}", f"R{r}"), b.professional(f"B{r}", f"R{r}")
            for i in range(3):
                b.citizen(f"A{r}-{i}", a)
            b.citizen(f"B{r}-0", bb)
            b.citizen(f"Z{r}", source)
    results = race(
        _url(engine),
        [("rebalance", f"R{r}") for r in range(ROUNDS)],
        [("contact", f"Z{r}", f"B{r}") for r in range(ROUNDS)],
    )
    _no_errors(results)
    assert all(pair.count("ok") == 1 for pair in results), results
    loads = _loads(engine)
    assert max(loads[f"B{r}"] for r in range(ROUNDS)) == CAP
    for r, (rebalanced, contacted) in enumerate(results):
        if rebalanced == "ok":  # the rebalance went first: B was full for the contact
            assert (loads[f"A{r}"], loads[f"B{r}"]) == (2, 2) and contacted == "refused:Refused"
        else:  # the contact went first: no room left for A's third citizen
            assert rebalanced == "refused:CannotPlace"
            assert (loads[f"A{r}"], loads[f"B{r}"]) == (3, 2)


def test_moves_in_opposite_directions_both_go_through(engine: Engine) -> None:
    """P holds X, Q holds Y; X moves to Q while Y moves to P: no deadlock, no refusal."""
    with engine.begin() as conn:
        b = _Builder(conn)
        b.department("TGT", CAP)
        for r in range(ROUNDS):
            b.citizen(f"X{r}", b.professional(f"P{r}", "TGT"))
            b.citizen(f"Y{r}", b.professional(f"Q{r}", "TGT"))
    results = race(
        _url(engine),
        [("contact", f"X{r}", f"Q{r}") for r in range(ROUNDS)],
        [("contact", f"Y{r}", f"P{r}") for r in range(ROUNDS)],
    )
    _no_errors(results)
    assert results == [["ok", "ok"]] * ROUNDS
    loads = _loads(engine)
    assert all(loads[f"P{r}"] == loads[f"Q{r}"] == 1 for r in range(ROUNDS))
