"""Stored allocation plans (caseload.operate.plans): a dry run kept with a fingerprint of what
it was made from, applied later exactly as shown, or refused with nothing written when the
department changed meanwhile or the plan was applied already. Small registers built row by
row on both backends (the builders of test_allocation), so every number is worked out by
hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select, update

from caseload.operate import allocation, department, plans
from caseload.operate.fingerprint import fingerprint
from caseload.operate.refusals import CannotPlace, Conflict, NotFound
from caseload.store import schema as s
from caseload.store.database import reader
from tests.concurrency import race
from tests.integration.test_allocation import (
    DAY,
    EVE,
    HIRED,
    KS,
    Worker,
    add,
    add_caseworker,
    add_department,
    add_rule,
    add_waiting,
    hold,
    on_long_leave,
)

AT = datetime(2024, 6, 3, 9, 30)


def build(conn: Connection, code: str = "D1") -> tuple[int, Worker, Worker, Worker]:
    """Department ``code`` (cap 30 in force): K1 holds 8 citizens, N1 and N2 none. A
    rebalance to cap 5 moves exactly 3 of K1's citizens (every weight 1)."""
    dept = add_department(conn, code, cap=30)
    k1 = add_caseworker(conn, dept, f"{code}-K1", 8)
    n1 = add_caseworker(conn, dept, f"{code}-N1")
    n2 = add_caseworker(conn, dept, f"{code}-N2")
    return dept, k1, n1, n2


def state(conn: Connection) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every responsibility and cap, without the row ids (a rolled-back write used some)."""
    r, c = s.responsibility, s.caseload_cap
    resp = conn.execute(
        select(
            r.c.citizen_id,
            r.c.professional_id,
            r.c.role,
            r.c.start_date,
            r.c.end_date,
            r.c.reason,
            r.c.covers_professional_id,
        )
    ).all()
    caps = conn.execute(
        select(c.c.role, c.c.department_id, c.c.professional_id, c.c.cap, c.c.start_date)
    ).all()
    return sorted((tuple(row) for row in resp), key=repr), sorted(
        (tuple(row) for row in caps), key=repr
    )


def read_state(engine: Engine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with reader(engine).connect() as conn:
        return state(conn)


def what_writing_now_would_do(engine: Engine, make: Callable[[Connection], Any]) -> Any:
    """The register as ``make`` (a write) leaves it, the write then rolled back; and what
    ``make`` returned."""
    with engine.connect() as conn:
        transaction = conn.begin()
        result = make(conn)
        after = state(conn)
        transaction.rollback()
    return after, result


def stored(engine: Engine, code: str) -> plans.StoredPlan:
    with reader(engine).connect() as conn:
        return plans.stored(conn, code)


def test_a_stored_rebalance_writes_what_rebalance_would_have_written(engine: Engine) -> None:
    """Cap 30 → 5: the plan stored (P0000001, nothing written), then applied: the same 3
    moves, responsibilities and new cap as ``rebalance(write=True)`` at that moment."""
    with engine.begin() as conn:
        build(conn)
    before = read_state(engine)
    with engine.begin() as conn:
        proposal = plans.propose(conn, "rebalance", "D1", DAY, cap=5, by="leader", now=AT)
    assert proposal.code == "P0000001"
    assert len(proposal.fingerprint) == 64 and int(proposal.fingerprint, 16) >= 0
    assert read_state(engine) == before  # proposing writes nothing but the plan
    assert proposal.summary["plan"]["changes"] == 3
    assert proposal.summary["applied"] is False

    kept = stored(engine, "P0000001")
    assert (kept.kind, kept.department, kept.day) == ("rebalance", "D1", DAY)
    assert kept.settings == {
        "department": "D1",
        "role": KS,
        "cap": 5,
        "include_new": False,
        "prefer": None,
    }
    assert (kept.created_at, kept.created_by, kept.applied_at, kept.applied) == (
        AT,
        "leader",
        None,
        False,
    )
    assert kept.fingerprint == proposal.fingerprint
    assert kept.summary == proposal.summary
    assert [m["code"] for m in kept.moves] == [m["citizen"] for m in proposal.summary["moves"]]

    expected, direct = what_writing_now_would_do(
        engine, lambda conn: allocation.rebalance(conn, "D1", DAY, cap=5, write=True)
    )
    assert direct.summary()["moves"] == proposal.summary["moves"]
    assert read_state(engine) == before

    with engine.begin() as conn:
        done = plans.apply_plan(conn, "P0000001", by="head", now=AT)
    assert (done.code, done.department, done.day, done.moves) == ("P0000001", "D1", DAY, 3)
    assert (done.written.ended, done.written.started, done.written.cap_recorded) == (3, 3, True)
    after = read_state(engine)
    assert after == expected
    assert len(after[0]) == len(before[0]) + 3
    assert (5, DAY) in {(row[3], row[4]) for row in after[1]}  # the new cap, from the day
    applied = stored(engine, "P0000001")
    assert (applied.applied, applied.applied_at, applied.applied_by) == (True, AT, "head")


def test_a_stored_assignment_gives_the_waiting_their_contacts(engine: Engine) -> None:
    """K1 holds 2 (cap 5); W1–W3 wait, each last held by K1 until the eve: the plan gives
    all three back to K1, as ``assign(write=True)`` would."""
    with engine.begin() as conn:
        dept = add_department(conn, cap=5)
        k1 = add_caseworker(conn, dept, "K1", 2)
        for i in range(1, 4):
            hold(conn, add_waiting(conn, f"W{i}"), k1.id, HIRED, end=EVE)
    with engine.begin() as conn:
        proposal = plans.propose(conn, "assign", "D1", DAY)
    assert proposal.summary["citizens"] == 3
    assert [(m["citizen"], m["from"], m["to"]) for m in proposal.summary["moves"]] == [
        ("W1", None, "K1"),
        ("W2", None, "K1"),
        ("W3", None, "K1"),
    ]
    expected, _ = what_writing_now_would_do(
        engine, lambda conn: allocation.assign(conn, "D1", DAY, write=True)
    )
    with engine.begin() as conn:
        done = plans.apply_plan(conn, proposal.code)
    assert (done.moves, done.written.ended, done.written.started) == (3, 0, 3)
    assert read_state(engine) == expected


def _end_a_responsibility(conn: Connection, k1: Worker, n1: Worker) -> None:
    r = s.responsibility
    conn.execute(update(r).where(r.c.citizen_id == k1.citizens[0]).values(end_date=EVE))


def _add_a_cap(conn: Connection, k1: Worker, n1: Worker) -> None:
    add(conn, s.caseload_cap, role=KS, professional_id=n1.id, cap=1, start_date=HIRED)


def _add_an_absence(conn: Connection, k1: Worker, n1: Worker) -> None:
    on_long_leave(conn, n1.id)


def _add_a_caseload_rule(conn: Connection, k1: Worker, n1: Worker) -> None:
    add_rule(conn, weights=(1.0, 2.0, 3.0))


def _hire(conn: Connection, k1: Worker, n1: Worker) -> None:
    dept = conn.execute(select(s.department.c.id)).scalar_one()
    add_caseworker(conn, dept, "D1-N3")


CHANGES = {
    "a responsibility ended": _end_a_responsibility,
    "a person's cap added": _add_a_cap,
    "a long absence added": _add_an_absence,
    "a caseload rule added": _add_a_caseload_rule,
    "a caseworker hired": _hire,
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_since_the_plan_refuses_it_with_nothing_written(
    engine: Engine, change: Callable[[Connection, Worker, Worker], None]
) -> None:
    with engine.begin() as conn:
        _, k1, n1, _ = build(conn)
    with engine.begin() as conn:
        proposal = plans.propose(conn, "rebalance", "D1", DAY, cap=5)
    with engine.begin() as conn:
        change(conn, k1, n1)
    before = read_state(engine)
    with pytest.raises(Conflict) as refused, engine.begin() as conn:
        plans.apply_plan(conn, proposal.code)
    assert str(refused.value) == (
        "the department D1 changed since plan P0000001 was made (its staff, roles, absences, "
        "caps, caseload rules or responsibilities); nothing was changed: make a new plan"
    )
    assert "ændret" in refused.value.message("da")
    assert read_state(engine) == before
    assert stored(engine, proposal.code).applied is False


def test_a_meeting_recorded_meanwhile_leaves_the_plan_valid(engine: Engine) -> None:
    """A case version going up (a meeting recorded) changes nothing the plan is made from."""
    with engine.begin() as conn:
        build(conn)
        proposal = plans.propose(conn, "rebalance", "D1", DAY, cap=5)
    c = s.citizen
    with engine.begin() as conn:
        conn.execute(update(c).values(version=c.c.version + 1))
    with engine.begin() as conn:
        assert plans.apply_plan(conn, proposal.code).moves == 3


def test_applying_twice_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        build(conn)
        code = plans.propose(conn, "rebalance", "D1", DAY, cap=5).code
    with engine.begin() as conn:
        plans.apply_plan(conn, code, now=AT)
    before = read_state(engine)
    with pytest.raises(Conflict) as refused, engine.begin() as conn:
        plans.apply_plan(conn, code)
    assert str(refused.value) == (
        "plan P0000001 was applied already on 2024-06-03; nothing was changed"
    )
    assert read_state(engine) == before


def test_a_plan_that_cannot_place_everyone_is_stored_but_not_applied(engine: Engine) -> None:
    """Cap 2 for three caseworkers holding 8: 2 citizens find no room. The dry run is
    stored to be seen; applying it is refused as a rebalance would be."""
    with engine.begin() as conn:
        build(conn)
        proposal = plans.propose(conn, "rebalance", "D1", DAY, cap=2)
    assert len(proposal.summary["unplaced"]) == 2
    before = read_state(engine)
    with pytest.raises(CannotPlace) as refused, engine.begin() as conn:
        plans.apply_plan(conn, proposal.code)
    assert str(refused.value).startswith("2 citizen(s) in D1 cannot be placed under the caps")
    assert read_state(engine) == before
    assert stored(engine, proposal.code).applied is False


def test_plan_codes_follow_each_other_and_an_unknown_one_is_not_found(engine: Engine) -> None:
    with engine.begin() as conn:
        build(conn)
        codes = [plans.propose(conn, "rebalance", "D1", DAY, cap=5).code for _ in range(3)]
    assert codes == ["P0000001", "P0000002", "P0000003"]
    with pytest.raises(NotFound) as missing, engine.begin() as conn:
        plans.apply_plan(conn, "P0000009")
    assert str(missing.value) == "no plan 'P0000009' in the register"
    with pytest.raises(NotFound) as cpr, engine.begin() as conn:
        plans.apply_plan(conn, "010180-1234")
    assert "010180" not in str(cpr.value) and "010180" not in cpr.value.message("da")


def test_the_fingerprint_is_the_same_on_every_read(engine: Engine) -> None:
    """Read twice, and once more after a change undone: the same digest each time."""
    with engine.begin() as conn:
        build(conn)
        code = plans.propose(conn, "rebalance", "D1", DAY, cap=5).code
    with reader(engine).connect() as conn:
        d = department.read(conn, "D1", DAY, KS, 5)
        first, second = fingerprint(conn, d, "rebalance"), fingerprint(conn, d, "rebalance")
        as_assign = fingerprint(conn, d, "assign")
    assert first == second == stored(engine, code).fingerprint
    assert as_assign != first
    p = s.professional
    with engine.begin() as conn:
        conn.execute(update(p).where(p.c.code == "D1-N1").values(fte=0.5))
    with reader(engine).connect() as conn:
        assert fingerprint(conn, department.read(conn, "D1", DAY, KS, 5), "rebalance") != first
    with engine.begin() as conn:
        conn.execute(update(p).where(p.c.code == "D1-N1").values(fte=1.0))
    with reader(engine).connect() as conn:
        assert fingerprint(conn, department.read(conn, "D1", DAY, KS, 5), "rebalance") == first


ROUNDS = 10


def test_two_processes_applying_one_plan_exactly_one_writes_it(engine: Engine) -> None:
    """Ten departments, a plan each; two processes apply the same plan at the same moment,
    round after round: one writes it, the other is refused, and the moves are written once."""
    with engine.begin() as conn:
        for r in range(ROUNDS):
            build(conn, f"R{r}")
        codes = [plans.propose(conn, "rebalance", f"R{r}", DAY, cap=5).code for r in range(ROUNDS)]
    before = read_state(engine)
    url = engine.url.render_as_string(hide_password=False)
    results = race(
        url, [("apply", code, "0") for code in codes], [("apply", code, "1") for code in codes]
    )
    assert all(sorted(pair) == ["ok", "refused:Conflict"] for pair in results), results
    after = read_state(engine)
    assert len(after[0]) == len(before[0]) + 3 * ROUNDS  # each plan's 3 moves, once
    for r, code in enumerate(codes):
        plan = stored(engine, code)
        winner = results[r].index("ok")
        assert plan.applied_by == f"worker-{winner}"
    with reader(engine).connect() as conn:
        held = conn.execute(
            select(s.responsibility.c.professional_id)
            .where(s.responsibility.c.end_date.is_(None))
            .order_by(s.responsibility.c.professional_id)
        ).scalars()
        per_professional: dict[int, int] = {}
        for pid in held:
            per_professional[pid] = per_professional.get(pid, 0) + 1
    assert max(per_professional.values()) == 5
