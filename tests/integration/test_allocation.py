"""Rebalancing and assigning caseloads (caseload.operate.allocation) on small registers.

Every register is built row by row on both backends, so each expected number (changes,
capacities, who stays, who moves where and why) is worked out by hand from the rows the
test inserts. Dry runs read on a read-only connection and must leave the register as it
was; writes run in the caller's transaction.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, Table, or_, select

from caseload.operate import allocation, changes, department
from caseload.operate.optimise import plan
from caseload.operate.refusals import Conflict
from caseload.store import schema as s
from caseload.store.database import reader
from tests.helpers import add_row

KS = "coordinating_caseworker"
VK = "company_consultant"
MENTOR = "mentor"
DAY = date(2024, 6, 3)
EVE = DAY - timedelta(days=1)
HIRED = date(2020, 1, 1)
WEIGHTS = {None: 1.0, "simple": 1.0, "complex": 1.5, "very_complex": 2.0}


# --- building a register -------------------------------------------------------------------


def add(conn: Connection, table: Table, **values: Any) -> int:
    return add_row(conn, table, **values)


def add_department(
    conn: Connection, code: str = "D1", role_model: str = "all_apart", cap: int | None = 30
) -> int:
    """A department with (unless ``cap`` is None) a coordinating-caseworker cap since 2020."""
    dept = add(
        conn,
        s.department,
        code=code,
        name=f"Department {code}",
        is_trial=False,
        role_model=role_model,
    )
    if cap is not None:
        add(
            conn,
            s.caseload_cap,
            role=KS,
            department_id=dept,
            professional_id=None,
            cap=cap,
            start_date=HIRED,
        )
    return dept


def add_staff(
    conn: Connection,
    dept: int,
    code: str,
    *,
    fte: float = 1.0,
    start: date = HIRED,
    end: date | None = None,
    district: str | None = None,
    roles: tuple[str, ...] = (KS,),
) -> int:
    pid = add(
        conn,
        s.professional,
        code=code,
        name=f"Staff {code}",
        department_id=dept,
        fte=fte,
        start_date=start,
        end_date=end,
        district=district,
    )
    for role in roles:
        add(
            conn,
            s.professional_role,
            professional_id=pid,
            role=role,
            start_date=start,
            end_date=end,
        )
    return pid


def add_citizen(
    conn: Connection, code: str, complexity: str | None = None, district: str | None = None
) -> int:
    return add(
        conn,
        s.citizen,
        code=code,
        birth_date=date(1980, 5, 17),
        sex="female",
        origin="danish",
        target_group="activity_ready_30_plus",
        complexity=complexity,
        district=district,
    )


def hold(
    conn: Connection,
    citizen: int,
    professional: int,
    start: date,
    *,
    role: str = KS,
    end: date | None = None,
    reason: str = "intake",
) -> int:
    return add(
        conn,
        s.responsibility,
        citizen_id=citizen,
        professional_id=professional,
        role=role,
        start_date=start,
        end_date=end,
        reason=reason,
    )


@dataclass
class Worker:
    id: int
    code: str
    citizens: list[int] = field(default_factory=list)
    """In insertion (= id) order."""
    since: dict[int, date] = field(default_factory=dict)
    """Citizen id → start of their responsibility with this caseworker."""

    def earliest(self, n: int) -> set[int]:
        """The ``n`` citizens with the longest relation to this caseworker."""
        return set(sorted(self.citizens, key=lambda c: self.since[c])[:n])


def add_caseworker(
    conn: Connection,
    dept: int,
    code: str,
    citizens: int = 0,
    *,
    complexities: Sequence[str | None] = (),
    citizen_districts: Sequence[str | None] = (),
    extra_roles: tuple[tuple[str, int], ...] = (),
    **staff: Any,
) -> Worker:
    """A caseworker holding ``citizens`` citizens whose relations started on distinct,
    shuffled days before DAY (so the citizen order says nothing about the relation's age).
    ``extra_roles``: (role, professional id) responsibilities each citizen also has."""
    worker = Worker(add_staff(conn, dept, code, **staff), code)
    complexities = complexities or [None] * citizens
    citizen_districts = citizen_districts or [None] * citizens
    assert len(complexities) == len(citizen_districts) == citizens
    starts = [date(2021, 1, 4) + timedelta(days=9 * k) for k in range(citizens)]
    random.Random(code).shuffle(starts)
    for j, (start, tier, district) in enumerate(
        zip(starts, complexities, citizen_districts, strict=True)
    ):
        cid = add_citizen(conn, f"{code}-{j:02d}", tier, district)
        hold(conn, cid, worker.id, start)
        for role, holder in extra_roles:
            hold(conn, cid, holder, start, role=role)
        worker.citizens.append(cid)
        worker.since[cid] = start
    return worker


def add_rule(
    conn: Connection,
    dept: int | None = None,
    weights: tuple[float, float, float] = (1.0, 1.5, 2.0),
    new_staff_months: int = 0,
    new_staff_share: float = 1.0,
) -> None:
    add(
        conn,
        s.caseload_rule,
        department_id=dept,
        weight_simple=weights[0],
        weight_complex=weights[1],
        weight_very_complex=weights[2],
        new_staff_months=new_staff_months,
        new_staff_share=new_staff_share,
    )


def add_waiting(conn: Connection, code: str, benefit_since: date = date(2023, 1, 2)) -> int:
    """A citizen on kontanthjælp (an open spell) with no open responsibility."""
    cid = add_citizen(conn, code)
    add(
        conn,
        s.benefit_spell,
        citizen_id=cid,
        benefit="kontanthjaelp",
        start_date=benefit_since,
        end_date=None,
    )
    return cid


def add_buddy_pairs(
    conn: Connection, cap: int, citizens: int
) -> tuple[int, int, Worker, Worker, int]:
    """A buddy-pair department: KS1 (holding ``citizens``, each with VK1 as consultant) with
    VK1, KS2 (holding none) with VK2. Returns (VK1, VK2, KS1, KS2, department)."""
    dept = add_department(conn, role_model="buddy_pair", cap=cap)
    vk1 = add_staff(conn, dept, "VK1", roles=(VK,))
    vk2 = add_staff(conn, dept, "VK2", roles=(VK,))
    ks1 = add_caseworker(conn, dept, "KS1", citizens, extra_roles=((VK, vk1),))
    ks2 = add_caseworker(conn, dept, "KS2", 0)
    add(conn, s.buddy_pair, caseworker_id=ks1.id, partner_id=vk1, start_date=HIRED)
    add(conn, s.buddy_pair, caseworker_id=ks2.id, partner_id=vk2, start_date=HIRED)
    return vk1, vk2, ks1, ks2, dept


def on_long_leave(conn: Connection, professional: int) -> None:
    """Away from 2024-05-01 to 2024-09-30, across DAY."""
    add(
        conn,
        s.staff_absence,
        professional_id=professional,
        start_date=date(2024, 5, 1),
        end_date=date(2024, 9, 30),
        days=153,
        term="long",
    )


# --- reading it back -----------------------------------------------------------------------


def snapshot(engine: Engine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Every responsibility and caseload cap row, to compare before and after."""
    with reader(engine).connect() as conn:
        resp = conn.execute(select(s.responsibility).order_by(s.responsibility.c.id)).all()
        caps = conn.execute(select(s.caseload_cap).order_by(s.caseload_cap.c.id)).all()
    return [tuple(r) for r in resp], [tuple(c) for c in caps]


def open_on(engine: Engine, role: str = KS, day: date = DAY) -> dict[int, dict[str, Any]]:
    """Citizen id → their one open responsibility in ``role`` on ``day``."""
    r = s.responsibility
    with reader(engine).connect() as conn:
        rows = (
            conn.execute(
                select(r).where(
                    r.c.role == role,
                    r.c.start_date <= day,
                    or_(r.c.end_date.is_(None), r.c.end_date >= day),
                )
            )
            .mappings()
            .all()
        )
    out = {row["citizen_id"]: dict(row) for row in rows}
    assert len(out) == len(rows), "a citizen holds two open responsibilities in one role"
    return out


def history(engine: Engine, citizen: int, role: str = KS) -> list[dict[str, Any]]:
    r = s.responsibility
    with reader(engine).connect() as conn:
        rows = (
            conn.execute(
                select(r)
                .where(r.c.citizen_id == citizen, r.c.role == role)
                .order_by(r.c.start_date)
            )
            .mappings()
            .all()
        )
    return [dict(row) for row in rows]


def loads(result: allocation.Allocation) -> dict[str, dict[str, Any]]:
    return {row["staff"]: row for row in result.summary()["loads"]}


def holders(engine: Engine, role: str = KS) -> dict[int, list[int]]:
    """Professional id → the citizens they hold in ``role`` on DAY."""
    out: dict[int, list[int]] = {}
    for cid, row in open_on(engine, role).items():
        out.setdefault(row["professional_id"], []).append(cid)
    return out


def fewest_moves(weights: list[float], capacity: float) -> int:
    """Citizens that must leave a caseload to bring it under ``capacity``: heaviest first."""
    load, moved = sum(weights), 0
    for w in sorted(weights, reverse=True):
        if load <= capacity + 1e-9:
            break
        load -= w
        moved += 1
    return moved


# --- rebalance -----------------------------------------------------------------------------


def test_cap_falls_dry_run_then_write_keeps_longest_relations(engine: Engine) -> None:
    """Cap 30 → 12 with six new colleagues: the plan moves exactly the excess (4 × 18), the
    dry run writes nothing, the write ends and starts responsibilities with reason
    cap_change, records the new cap, keeps the oldest relations, and a second run is a no-op."""
    with engine.begin() as conn:
        dept = add_department(conn, cap=30)
        old = [add_caseworker(conn, dept, f"K{i}", 30) for i in range(1, 5)]
        new = [add_caseworker(conn, dept, f"N{i}") for i in range(1, 7)]
    before = snapshot(engine)

    with reader(engine).connect() as conn:
        dry = allocation.rebalance(conn, "D1", DAY, cap=12)
    assert snapshot(engine) == before
    summary = dry.summary()
    assert summary["applied"] is False
    assert (summary["cap"], summary["cap_in_force"], summary["citizens"]) == (12, 30, 120)
    assert summary["plan"]["changes"] == 4 * (30 - 12)
    assert summary["plan"]["new_contacts"] == 0
    assert summary["plan"]["unplaced"] == 0 and summary["unplaced"] == []
    assert summary["plan"]["over_cap"] == []
    assert sorted(summary["over_cap_before"]) == ["K1", "K2", "K3", "K4"]
    assert summary["missing_fte"] == 0
    assert {m["reason"] for m in summary["moves"]} == {"cap_change"}
    for row in summary["loads"]:
        assert row["capacity"] == 12
        assert row["after"] <= row["capacity"]
    baseline = summary["greedy_baseline"]
    assert baseline["method"] == "greedy"
    assert baseline["changes"] >= summary["plan"]["changes"]
    assert baseline["over_cap"] == []

    with engine.begin() as conn:
        done = allocation.rebalance(conn, "D1", DAY, cap=12, write=True)
    assert done.written is not None
    assert (done.written.ended, done.written.started, done.written.cap_recorded) == (72, 72, True)
    assert len(done.plan.moves) == 72

    resp_after, caps_after = snapshot(engine)
    assert len(resp_after) == len(before[0]) + 72
    now = open_on(engine)
    for m in done.plan.moves:
        first, second = history(engine, m.citizen)
        assert (first["professional_id"], first["end_date"]) == (m.origin, EVE)
        assert second["professional_id"] == m.target == now[m.citizen]["professional_id"]
        assert (second["start_date"], second["end_date"]) == (DAY, None)
        assert second["reason"] == "cap_change"
    held = holders(engine)
    assert all(len(cs) <= 12 for cs in held.values())
    assert sum(len(held.get(w.id, [])) for w in new) == 72
    for w in old:
        assert set(held[w.id]) == w.earliest(12)
        for cid in held[w.id]:
            assert now[cid]["start_date"] == w.since[cid]  # untouched
    c = s.caseload_cap
    with reader(engine).connect() as conn:
        recorded = conn.execute(
            select(c.c.role, c.c.department_id, c.c.professional_id, c.c.cap, c.c.end_date).where(
                c.c.start_date == DAY
            )
        ).all()
    assert [tuple(row) for row in recorded] == [(KS, dept, None, 12, None)]
    assert len(caps_after) == 2

    with engine.begin() as conn:
        again = allocation.rebalance(conn, "D1", DAY, cap=12, write=True)
    assert again.plan.changes == 0 and again.plan.moves == []
    assert again.summary()["cap_in_force"] == 12
    assert again.written is not None
    assert (again.written.ended, again.written.started, again.written.cap_recorded) == (0, 0, False)
    assert snapshot(engine) == (resp_after, caps_after)


def test_cap_130_to_50_with_new_staff_beats_the_greedy_baseline(engine: Engine) -> None:
    """The seeds' change at its own numbers: three caseworkers hold 130 citizens each
    (weights 1 / 1.5 / 2 drawn 60 / 30 / 10 %, districts A and B) when the cap falls to 50
    and eight colleagues are hired. No cap is broken, the plan makes exactly the fewest
    changes possible (heaviest out first), fewer than the greedy baseline, moves nobody
    who still fits with their caseworker, and keeps every mover in their district."""
    tiers = ["simple", "complex", "very_complex"]
    weight: dict[int, float] = {}
    home: dict[int, str] = {}
    old: dict[str, Worker] = {}
    with engine.begin() as conn:
        add_rule(conn)
        dept = add_department(conn, cap=130)
        for code, district in {"K1": "A", "K2": "B", "K3": "A"}.items():
            drawn = random.Random(code).choices(tiers, weights=[60, 30, 10], k=130)
            old[code] = w = add_caseworker(
                conn,
                dept,
                code,
                130,
                complexities=drawn,
                citizen_districts=[district] * 130,
                district=district,
            )
            weight.update((c, WEIGHTS[t]) for c, t in zip(w.citizens, drawn, strict=True))
            home.update(dict.fromkeys(w.citizens, district))
        # A's citizens weigh about 325, B's about 162: room for both within the district
        for i, district in enumerate("AAAAABBB", start=1):
            add_caseworker(conn, dept, f"N{i}", district=district)
    minimum = sum(fewest_moves([weight[c] for c in w.citizens], 50) for w in old.values())

    with reader(engine).connect() as conn:
        result = allocation.rebalance(conn, "D1", DAY, cap=50)
    summary, rows = result.summary(), loads(result)
    assert summary["plan"]["over_cap"] == [] and summary["plan"]["unplaced"] == 0
    assert all(row["after"] <= row["capacity"] == 50 for row in rows.values())
    assert summary["plan"]["changes"] == minimum
    assert summary["plan"]["changes"] < summary["greedy_baseline"]["changes"]
    code = result.department.codes
    moved_from: dict[str, list[float]] = {k: [] for k in old}
    for m in result.plan.moves:
        assert m.origin is not None and m.reason == "cap_change"
        moved_from[code[m.origin]].append(weight[m.citizen])
        assert rows[code[m.target]]["district"] == home[m.citizen]
    for k, moved in moved_from.items():  # continuity: nobody moved who still fitted
        assert rows[k]["after"] + min(moved) > 50

    with engine.begin() as conn:
        done = allocation.rebalance(conn, "D1", DAY, cap=50, write=True)
    assert done.written is not None and done.written.started == minimum
    for cids in holders(engine).values():
        assert sum(weight[c] for c in cids) <= 50


def test_weighted_plan_moves_the_fewest_citizens(engine: Engine) -> None:
    """With complexity weights the plan moves the heavy cases out and so changes fewer
    caseworkers than the greedy baseline: exactly the per-caseworker minimum."""
    tiers = {
        # heavy cases first in register order: the greedy loop keeps them and moves many light
        "K1": ["very_complex"] * 4 + ["complex"] * 4 + ["simple"] * 4,  # 18
        "K2": ["complex"] * 3 + ["simple"] * 6 + ["very_complex"] * 3,  # 16.5
        "K3": ["simple", "complex", "very_complex"] * 2,  # 9: under the cap
    }
    with engine.begin() as conn:
        add_rule(conn)
        dept = add_department(conn, cap=10)
        for code, tier in tiers.items():
            add_caseworker(conn, dept, code, len(tier), complexities=tier)
        for i in range(1, 5):
            add_caseworker(conn, dept, f"N{i}")
    minimum = sum(fewest_moves([WEIGHTS[t] for t in tier], 10) for tier in tiers.values())
    assert minimum == 4 + 4

    with reader(engine).connect() as conn:
        result = allocation.rebalance(conn, "D1", DAY)
    summary = result.summary()
    rows = loads(result)
    for code, tier in tiers.items():
        assert rows[code]["before"] == sum(WEIGHTS[t] for t in tier)
    assert summary["plan"]["changes"] == minimum
    assert summary["plan"]["changes"] < summary["greedy_baseline"]["changes"]
    assert summary["plan"]["unplaced"] == 0
    assert summary["plan"]["over_cap"] == []
    assert {m["reason"] for m in summary["moves"]} == {"reallocation"}
    for row in rows.values():
        assert row["after"] <= row["capacity"] == 10
    assert not any(m["from"] == "K3" for m in summary["moves"])


def test_part_time_and_new_staff_capacity(engine: Engine) -> None:
    """Capacity is cap × FTE, halved while new (the department's rule beats the job
    centre's), and the plan keeps every caseload within it."""
    new_start = date(2024, 4, 3)  # two months before DAY
    with engine.begin() as conn:
        dept = add_department(conn, cap=20)
        add_rule(conn, None, new_staff_months=0, new_staff_share=1.0)
        add_rule(conn, dept, weights=(1.0, 1.0, 1.0), new_staff_months=6, new_staff_share=0.5)
        add_caseworker(conn, dept, "FULL", 5)
        add_caseworker(conn, dept, "HALF", 15, fte=0.5)
        add_caseworker(conn, dept, "NEW", 0, start=new_start)
        add_caseworker(conn, dept, "NEWPART", 0, start=new_start, fte=0.8)
        add_caseworker(conn, dept, "SEASONED", 0, start=date(2023, 11, 3))

    with reader(engine).connect() as conn:
        result = allocation.rebalance(conn, "D1", DAY)
    rows = loads(result)
    assert {code: row["capacity"] for code, row in rows.items()} == {
        "FULL": 20,
        "HALF": 10,
        "NEW": 10,
        "NEWPART": 8,
        "SEASONED": 20,
    }
    assert result.summary()["over_cap_before"] == ["HALF"]
    assert result.plan.changes == 5
    assert {m["from"] for m in result.summary()["moves"]} == {"HALF"}
    assert rows["HALF"]["after"] == 10
    for row in rows.values():
        assert row["after"] <= row["capacity"]


def test_staff_who_left_hand_over_every_citizen(engine: Engine) -> None:
    """A caseworker whose employment ended still holds citizens: all of them move, with
    reason staff_exit, and their capacity is 0."""
    with engine.begin() as conn:
        dept = add_department(conn, cap=10)
        gone = add_caseworker(conn, dept, "GONE", 4, end=date(2024, 5, 1))
        stay = add_caseworker(conn, dept, "STAY", 3)
        add_caseworker(conn, dept, "ROOM", 0)

    with engine.begin() as conn:
        result = allocation.rebalance(conn, "D1", DAY, write=True)
    rows = loads(result)
    assert (rows["GONE"]["capacity"], rows["GONE"]["away"], rows["GONE"]["after"]) == (
        0,
        "staff_exit",
        0,
    )
    assert result.plan.changes == 4
    assert {m.citizen for m in result.plan.moves} == set(gone.citizens)
    assert {m.reason for m in result.plan.moves} == {"staff_exit"}
    now = open_on(engine)
    for cid in gone.citizens:
        assert now[cid]["professional_id"] != gone.id
        assert (now[cid]["start_date"], now[cid]["reason"]) == (DAY, "staff_exit")
        assert history(engine, cid)[0]["end_date"] == EVE
    for cid in stay.citizens:
        assert now[cid]["professional_id"] == stay.id


def test_staff_on_long_leave_hand_over_their_citizens(engine: Engine) -> None:
    """A caseworker on long leave on the day hands every citizen over (reason staff_leave);
    a short absence on the same day moves nobody."""
    with engine.begin() as conn:
        dept = add_department(conn, cap=10)
        away = add_caseworker(conn, dept, "AWAY", 3)
        short = add_caseworker(conn, dept, "SHORT", 4)
        add_caseworker(conn, dept, "ROOM", 0)
        on_long_leave(conn, away.id)
        add(
            conn,
            s.staff_absence,
            professional_id=short.id,
            start_date=date(2024, 6, 1),
            end_date=date(2024, 6, 7),
            days=7,
            term="short",
        )

    with engine.begin() as conn:
        result = allocation.rebalance(conn, "D1", DAY, write=True)
    rows = loads(result)
    assert (rows["AWAY"]["capacity"], rows["AWAY"]["away"]) == (0, "staff_leave")
    assert (rows["SHORT"]["capacity"], rows["SHORT"]["away"]) == (10, None)
    assert {m.citizen for m in result.plan.moves} == set(away.citizens)
    assert {m.reason for m in result.plan.moves} == {"staff_leave"}
    now = open_on(engine)
    for cid in away.citizens:
        assert now[cid]["professional_id"] != away.id
        assert (now[cid]["start_date"], now[cid]["reason"]) == (DAY, "staff_leave")
    for cid in short.citizens:
        assert now[cid]["professional_id"] == short.id


def test_movers_stay_in_their_district(engine: Engine) -> None:
    """Citizens leaving an over-cap caseworker go to a caseworker of their own district while
    it has room, even when a colleague elsewhere has a lighter caseload; only the rest cross
    to another district."""
    with engine.begin() as conn:
        dept = add_department(conn, cap=20)
        add_caseworker(conn, dept, "OVER", 30, citizen_districts=["A"] * 30)
        a = add_caseworker(conn, dept, "A1", 12, district="A", citizen_districts=["A"] * 12)
        b = add_caseworker(conn, dept, "B1", 0, district="B")

    with reader(engine).connect() as conn:
        result = allocation.rebalance(conn, "D1", DAY)
    assert result.plan.changes == 10
    targets = [m.target for m in result.plan.moves]
    assert (targets.count(a.id), targets.count(b.id)) == (8, 2)
    rows = loads(result)
    assert (rows["OVER"]["after"], rows["A1"]["after"], rows["B1"]["after"]) == (20, 20, 2)
    assert result.summary()["plan"]["over_cap"] == []

    with engine.begin() as conn:  # with room for all of them in A, nobody crosses
        add_caseworker(conn, dept, "A2", 0, district="A")
    with reader(engine).connect() as conn:
        result = allocation.rebalance(conn, "D1", DAY)
    assert result.plan.changes == 10
    codes = {m["to"] for m in result.summary()["moves"]}
    assert "B1" not in codes and codes <= {"A1", "A2"}


def test_buddy_pair_partner_moves_with_caseworker(engine: Engine) -> None:
    """In a buddy-pair department a moved citizen's company consultant changes too: from the
    old caseworker's partner to the new caseworker's partner."""
    with engine.begin() as conn:
        vk1, vk2, ks1, ks2, _ = add_buddy_pairs(conn, cap=3, citizens=5)

    with engine.begin() as conn:
        result = allocation.rebalance(conn, "D1", DAY, write=True)
    assert set(loads(result)) == {"KS1", "KS2"}
    assert result.plan.changes == 2
    assert result.written is not None
    assert (result.written.ended, result.written.started) == (4, 4)
    moved = {m.citizen for m in result.plan.moves}
    assert moved == set(ks1.citizens) - ks1.earliest(3)
    ks, vk = open_on(engine, KS), open_on(engine, VK)
    for cid in ks1.citizens:
        if cid in moved:
            assert (ks[cid]["professional_id"], vk[cid]["professional_id"]) == (ks2.id, vk2)
            assert vk[cid]["start_date"] == DAY and vk[cid]["reason"] == "reallocation"
            old_vk = history(engine, cid, VK)[0]
            assert (old_vk["professional_id"], old_vk["end_date"]) == (vk1, EVE)
        else:
            assert (ks[cid]["professional_id"], vk[cid]["professional_id"]) == (ks1.id, vk1)


def test_all_inclusive_moves_every_role(engine: Engine) -> None:
    """In an all-inclusive department a citizen whose three roles one person holds moves all
    three to the new person."""
    roles = (KS, VK, MENTOR)
    with engine.begin() as conn:
        dept = add_department(conn, role_model="all_inclusive", cap=2)
        p1 = add_staff(conn, dept, "P1", roles=roles)
        p2 = add_caseworker(conn, dept, "P2", 0, roles=roles)
        since = {}
        for j in range(4):
            cid = add_citizen(conn, f"C{j}")
            since[cid] = date(2022, 1, 3) + timedelta(days=30 * j)
            for role in roles:
                hold(conn, cid, p1, since[cid], role=role)

    with engine.begin() as conn:
        result = allocation.rebalance(conn, "D1", DAY, write=True)
    moved = {m.citizen for m in result.plan.moves}
    assert result.plan.changes == 2
    assert moved == set(sorted(since, key=since.__getitem__)[2:])  # the newest relations
    assert result.written is not None
    assert (result.written.ended, result.written.started) == (6, 6)
    for role in roles:
        now = open_on(engine, role)
        for cid in since:
            assert now[cid]["professional_id"] == (p2.id if cid in moved else p1)
            if cid in moved:
                assert now[cid]["start_date"] == DAY
                assert history(engine, cid, role)[0]["end_date"] == EVE


def test_not_enough_room_refuses_to_write(engine: Engine) -> None:
    """When the caps cannot hold everyone the plan leaves citizens unplaced, says how many
    FTE are missing, and writing is refused with the register left as it was."""
    with engine.begin() as conn:
        dept = add_department(conn, cap=30)
        add_caseworker(conn, dept, "K1", 10)
        add_caseworker(conn, dept, "K2", 10)
    before = snapshot(engine)

    with reader(engine).connect() as conn:
        result = allocation.rebalance(conn, "D1", DAY, cap=8)
    summary = result.summary()
    assert len(result.plan.unplaced) == 4
    assert len(summary["unplaced"]) == 4 and summary["plan"]["unplaced"] == 4
    assert summary["missing_capacity"] == 4
    assert summary["missing_fte"] == 0.5
    assert summary["plan"]["over_cap"] == []
    assert snapshot(engine) == before

    with pytest.raises(allocation.CannotPlace), engine.begin() as conn:
        allocation.rebalance(conn, "D1", DAY, cap=8, write=True)
    assert snapshot(engine) == before


# --- assign --------------------------------------------------------------------------------


def _waiting_register(engine: Engine) -> dict[str, int]:
    """X (5 citizens) has room under cap 10, Y (12) is over it; four citizens on kontanthjælp
    without a contact: one X had before, one Y had before, one never assigned; and one whose
    benefit ended (needs no contact)."""
    with engine.begin() as conn:
        dept = add_department(conn, cap=10)
        x = add_caseworker(conn, dept, "X", 5)
        y = add_caseworker(conn, dept, "Y", 12)
        back = add_waiting(conn, "W-BACK")
        hold(conn, back, x.id, date(2023, 2, 1), end=date(2024, 3, 31))
        from_y = add_waiting(conn, "W-FROM-Y")
        hold(conn, from_y, y.id, date(2023, 2, 1), end=date(2024, 4, 30))
        fresh = add_waiting(conn, "W-NEW")
        off = add_citizen(conn, "W-OFF")
        add(
            conn,
            s.benefit_spell,
            citizen_id=off,
            benefit="kontanthjaelp",
            start_date=date(2022, 1, 3),
            end_date=date(2024, 1, 31),
        )
        hold(conn, off, x.id, date(2022, 1, 3), end=date(2024, 1, 31))
    return {"X": x.id, "Y": y.id, "back": back, "from_y": from_y, "new": fresh, "off": off}


def test_assign_gives_the_previous_caseworker_back(engine: Engine) -> None:
    """Without new citizens only those who had a caseworker here are planned: the one X had
    goes back to X (intake), the one over-cap Y had goes to X (reallocation); nobody held is
    moved and Y receives nobody."""
    ids = _waiting_register(engine)
    with reader(engine).connect() as conn:
        result = allocation.assign(conn, "D1", DAY, include_new=False)
    assert {c.id for c in result.cases} == {ids["back"], ids["from_y"]}
    assert result.plan.holder == {ids["back"]: ids["X"], ids["from_y"]: ids["X"]}
    reasons = {m.citizen: m.reason for m in result.plan.moves}
    assert reasons == {ids["back"]: "intake", ids["from_y"]: "reallocation"}
    assert result.plan.changes == 0
    summary = result.summary()
    assert summary["over_cap_before"] == ["Y"]
    assert summary["plan"]["new_contacts"] == 2
    rows = loads(result)
    assert (rows["X"]["before"], rows["X"]["after"]) == (5, 7)
    assert (rows["Y"]["before"], rows["Y"]["after"]) == (12, 12)


def test_assign_with_new_citizens_writes_intakes(engine: Engine) -> None:
    """With include_new a never-assigned citizen gets a caseworker too; writing starts one
    responsibility per waiting citizen and changes nobody who was already held."""
    ids = _waiting_register(engine)
    held_before = open_on(engine)
    c = s.citizen
    with engine.begin() as conn:  # someone edited the new citizen's case before
        conn.execute(c.update().where(c.c.id == ids["new"]).values(version=2))
    with engine.begin() as conn:
        result = allocation.assign(conn, "D1", DAY, include_new=True, write=True)
    assert {c.id for c in result.cases} == {ids["back"], ids["from_y"], ids["new"]}
    assert result.plan.unplaced == []
    assert result.plan.changes == 0
    assert all(target == ids["X"] for target in result.plan.holder.values())  # Y is over cap
    assert result.written is not None
    assert (result.written.ended, result.written.started) == (0, 3)
    now = open_on(engine)
    assert ids["off"] not in now
    for cid, row in held_before.items():
        assert now[cid] == row
    expected = {ids["back"]: "intake", ids["from_y"]: "reallocation", ids["new"]: "intake"}
    c = s.citizen
    with engine.connect() as conn:  # each assigned case went one version up (one was at 2)
        versions = {int(k): int(v) for k, v in conn.execute(select(c.c.id, c.c.version))}
    assert {cid: versions[cid] for cid in expected} == {
        ids["back"]: 2,
        ids["from_y"]: 2,
        ids["new"]: 3,
    }
    for cid, reason in expected.items():
        assert (now[cid]["professional_id"], now[cid]["start_date"]) == (ids["X"], DAY)
        assert (now[cid]["end_date"], now[cid]["reason"]) == (None, reason)
    assert len(holders(engine)[ids["Y"]]) == 12


@pytest.mark.parametrize("model", ["buddy_pair", "all_inclusive"])
def test_a_new_contact_gets_the_roles_of_the_role_model(engine: Engine, model: str) -> None:
    """A never-assigned citizen gets KS; in a buddy pair also the caseworker's partner as
    mentor (the role the partner holds), all inclusive: the caseworker in every role held."""
    with engine.begin() as conn:
        dept = add_department(conn, role_model=model, cap=5)
        ks = add_staff(
            conn, dept, "KS", roles=(KS, VK, MENTOR) if model == "all_inclusive" else (KS,)
        )
        partner = add_staff(conn, dept, "P", roles=(MENTOR,))
        if model == "buddy_pair":
            add(conn, s.buddy_pair, caseworker_id=ks, partner_id=partner, start_date=HIRED)
        new = add_citizen(conn, "NEW")
    with engine.begin() as conn:
        result = allocation.assign(conn, "D1", DAY, include_new=True, write=True)
    assert result.written is not None
    r = s.responsibility
    with engine.connect() as conn:
        got = sorted(
            (str(role), int(pid), str(reason))
            for role, pid, reason in conn.execute(
                select(r.c.role, r.c.professional_id, r.c.reason).where(r.c.citizen_id == new)
            )
        )
    if model == "buddy_pair":
        assert got == sorted([(KS, ks, "intake"), (MENTOR, partner, "intake")])
    else:
        assert got == sorted([(KS, ks, "intake"), (VK, ks, "intake"), (MENTOR, ks, "intake")])


# --- what a write must not do --------------------------------------------------------------


def test_a_new_department_cap_keeps_personal_caps(engine: Engine) -> None:
    """--cap replaces the department's cap; a person's own cap still wins (as caseload
    status judges it), so the plan and the write keep KS1 within 1."""
    with engine.begin() as conn:
        dept = add_department(conn, cap=10)
        ks1 = add_caseworker(conn, dept, "KS1", 1)
        add_caseworker(conn, dept, "KS2", 4)
        add_caseworker(conn, dept, "KS3", 0)
        add(
            conn,
            s.caseload_cap,
            role=KS,
            department_id=None,
            professional_id=ks1.id,
            cap=1,
            start_date=HIRED,
        )
    with engine.begin() as conn:
        result = allocation.rebalance(conn, "D1", DAY, cap=3, write=True)
    rows = loads(result)
    assert (rows["KS1"]["capacity"], rows["KS2"]["capacity"]) == (1, 3)
    assert (rows["KS1"]["after"], rows["KS2"]["after"], rows["KS3"]["after"]) == (1, 3, 1)
    assert len(holders(engine)[ks1.id]) == 1


def test_a_buddy_past_their_own_cap_refuses_the_write(engine: Engine) -> None:
    """The company consultant who moves with the caseworker may not pass their own cap: the
    whole write is refused, naming the buddy, and nothing is written."""
    with engine.begin() as conn:
        *_, dept = add_buddy_pairs(conn, cap=3, citizens=5)
        add(
            conn,
            s.caseload_cap,
            role=VK,
            department_id=dept,
            professional_id=None,
            cap=1,
            start_date=HIRED,
        )
    before = snapshot(engine)
    with (
        pytest.raises(
            allocation.CannotPlace,
            match="VK2, the buddy of KS2, would carry 2 as company consultant against a cap of 1",
        ),
        engine.begin() as conn,
    ):
        allocation.rebalance(conn, "D1", DAY, write=True)
    assert snapshot(engine) == before


def test_all_inclusive_moves_only_the_roles_the_new_person_holds(engine: Engine) -> None:
    """P2 is a caseworker only: the citizens' caseworker role moves to P2, their company
    consultant and mentor stay with P1 (reported as kept), never with someone without the
    role."""
    roles = (KS, VK, MENTOR)
    with engine.begin() as conn:
        dept = add_department(conn, role_model="all_inclusive", cap=2)
        p1 = add_staff(conn, dept, "P1", roles=roles)
        p2 = add_caseworker(conn, dept, "P2", 0)
        for j in range(3):
            cid = add_citizen(conn, f"C{j}")
            for role in roles:
                hold(conn, cid, p1, date(2022, 1, 3) + timedelta(days=30 * j), role=role)
    with engine.begin() as conn:
        result = allocation.rebalance(conn, "D1", DAY, write=True)
    assert result.written is not None
    assert (result.written.ended, result.written.started, result.written.kept) == (1, 1, 2)
    (moved,) = [m.citizen for m in result.plan.moves]
    assert open_on(engine, KS)[moved]["professional_id"] == p2.id
    assert open_on(engine, VK)[moved]["professional_id"] == p1
    assert open_on(engine, MENTOR)[moved]["professional_id"] == p1


def test_leave_goes_to_the_cover_and_the_cover_ends(engine: Engine) -> None:
    """AWAY is on long leave; COVER covers two of AWAY's citizens (one cover began today).
    The plan gives those two to COVER (attached: seed 004) although ROOM has more room, the
    covers end (the one from today is dropped), and nobody holds two open rows in the role."""
    with engine.begin() as conn:
        dept = add_department(conn, cap=10)
        away = add_caseworker(conn, dept, "AWAY", 3)
        cover = add_caseworker(conn, dept, "COVER", 6)
        add_caseworker(conn, dept, "ROOM", 0)
        on_long_leave(conn, away.id)
        first, second, third = away.citizens
        add(
            conn,
            s.responsibility,
            citizen_id=first,
            professional_id=cover.id,
            role=KS,
            start_date=date(2024, 5, 1),
            end_date=date(2024, 9, 30),
            reason="cover",
            covers_professional_id=away.id,
        )
        add(
            conn,
            s.responsibility,
            citizen_id=second,
            professional_id=cover.id,
            role=KS,
            start_date=DAY,
            end_date=date(2024, 9, 30),
            reason="cover",
            covers_professional_id=away.id,
        )
    with engine.begin() as conn:
        result = allocation.rebalance(conn, "D1", DAY, write=True)
    target = {m.citizen: m.target for m in result.plan.moves}
    assert (target[first], target[second]) == (cover.id, cover.id)
    assert {m.reason for m in result.plan.moves} == {"staff_leave"}
    now = open_on(engine)  # asserts one open row per citizen in the role
    assert (now[first]["professional_id"], now[first]["reason"]) == (cover.id, "staff_leave")
    assert now[third]["professional_id"] != away.id
    covers = [h for cid in (first, second) for h in history(engine, cid) if h["reason"] == "cover"]
    assert [(h["citizen_id"], h["end_date"]) for h in covers] == [(first, EVE)]


def test_a_write_bumps_case_versions_and_refuses_a_case_changed_meanwhile(
    engine: Engine,
) -> None:
    """Every moved citizen's case version goes up; if one of them was changed after the
    plan was read, the whole write is refused (optimistic concurrency)."""
    with engine.begin() as conn:
        dept = add_department(conn, cap=2)
        ks1 = add_caseworker(conn, dept, "KS1", 4)
        add_caseworker(conn, dept, "KS2", 0)
    c = s.citizen
    before = snapshot(engine)
    with pytest.raises(Conflict, match="1 citizen case"), engine.begin() as conn:
        d = department.read(conn, "D1", DAY, KS)
        best = plan(d.seats, d.cases)
        # someone else's edit of a citizen to be moved, after the plan was read
        conn.execute(
            c.update().where(c.c.id == best.moves[0].citizen).values(version=c.c.version + 1)
        )
        changes.apply(conn, d, best)
    assert snapshot(engine) == before
    with engine.begin() as conn:
        result = allocation.rebalance(conn, "D1", DAY, write=True)
    moved = {m.citizen for m in result.plan.moves}
    assert len(moved) == 2
    with engine.connect() as conn:
        versions = {int(k): int(v) for k, v in conn.execute(select(c.c.id, c.c.version))}
    assert {cid: versions[cid] for cid in ks1.citizens} == {
        cid: 2 if cid in moved else 1 for cid in ks1.citizens
    }


LATER = DAY + timedelta(days=10)


def test_a_move_keeps_the_end_of_the_stretch_and_later_changes(engine: Engine) -> None:
    """KS1's citizens leave on LATER, or move to another department's KS3 from LATER:
    those moved to a colleague on DAY still leave (or move) then, so nobody holds two open
    rows in the role, and nobody stays on a caseload they left."""
    with engine.begin() as conn:
        dept = add_department(conn, cap=1)
        other = add_department(conn, code="D2", cap=30)
        ks3 = add_staff(conn, other, "KS3")
        ks1 = add_caseworker(conn, dept, "KS1", 4)
        add_caseworker(conn, dept, "KS2", 0)
        add_caseworker(conn, dept, "KS4", 0)
        add_caseworker(conn, dept, "KS5", 0)
        r = s.responsibility
        leaving, moving = ks1.citizens[:2], ks1.citizens[2:]
        for cid in ks1.citizens:
            conn.execute(
                r.update().where(r.c.citizen_id == cid).values(end_date=LATER - timedelta(days=1))
            )
        for cid in moving:
            hold(conn, cid, ks3, LATER, reason="reallocation")
    with engine.begin() as conn:
        result = allocation.rebalance(conn, "D1", DAY, write=True)
    assert result.written is not None and result.written.started == 3
    for cid in {m.citizen for m in result.plan.moves}:
        last = history(engine, cid)[-1 if cid in leaving else -2]
        assert (last["start_date"], last["end_date"]) == (DAY, LATER - timedelta(days=1))
    after = open_on(engine, KS, LATER)  # asserts one open row per citizen in the role
    assert set(after) == set(moving)
    assert {row["professional_id"] for row in after.values()} == {ks3}


def test_assign_stops_before_a_later_intake(engine: Engine) -> None:
    """A waiting citizen whose intake with KS3 is recorded from LATER gets KS1 until the day
    before."""
    with engine.begin() as conn:
        dept = add_department(conn, cap=5)
        other = add_department(conn, code="D2", cap=5)
        ks1 = add_caseworker(conn, dept, "KS1", 0)
        cid = add_waiting(conn, "W1")
        ks3 = add_staff(conn, other, "KS3")
        hold(conn, cid, ks3, LATER)
    with engine.begin() as conn:
        result = allocation.assign(conn, "D1", DAY, include_new=True, write=True)
    assert result.written is not None and result.written.started == 1
    assert [
        (h["professional_id"], h["start_date"], h["end_date"]) for h in history(engine, cid)
    ] == [(ks1.id, DAY, LATER - timedelta(days=1)), (ks3, LATER, None)]


def test_covers_end_only_with_the_role_that_moves(engine: Engine) -> None:
    """All inclusive: X (KS and VK) is on long leave and Y covers X's consultant role for C.
    C's caseworker role goes to Z (a caseworker only): the consultant role stays with X
    (kept), and so does Y's cover of it."""
    roles = (KS, VK)
    with engine.begin() as conn:
        dept = add_department(conn, role_model="all_inclusive", cap=2)
        x = add_staff(conn, dept, "X", roles=roles)
        y = add_caseworker(conn, dept, "Y", 2, roles=roles)  # full as caseworker
        z = add_caseworker(conn, dept, "Z", 0)
        c = add_citizen(conn, "C")
        hold(conn, c, x, date(2023, 1, 2))
        hold(conn, c, x, date(2023, 1, 2), role=VK)
        on_long_leave(conn, x)
        add(
            conn,
            s.responsibility,
            citizen_id=c,
            professional_id=y.id,
            role=VK,
            start_date=date(2024, 5, 1),
            end_date=date(2024, 9, 30),
            reason="cover",
            covers_professional_id=x,
        )
    with engine.begin() as conn:
        result = allocation.rebalance(conn, "D1", DAY, write=True)
    assert [m.target for m in result.plan.moves] == [z.id]
    assert result.written is not None and result.written.kept == 1
    vk = [(h["professional_id"], h["end_date"], h["reason"]) for h in history(engine, c, VK)]
    assert vk == [(x, None, "intake"), (y.id, date(2024, 9, 30), "cover")]


def test_a_buddy_move_ends_the_cover_of_the_old_partner(engine: Engine) -> None:
    """VK3 covers VK1 (KS1's partner) for KS1's citizens from today; the citizen who moves
    to KS2 gets KS2's partner VK2, and VK3's cover of VK1 for them goes (it began today)."""
    with engine.begin() as conn:
        vk1, vk2, ks1, _, dept = add_buddy_pairs(conn, cap=1, citizens=2)
        vk3 = add_staff(conn, dept, "VK3", roles=(VK,))
        for cid in ks1.citizens:
            add(
                conn,
                s.responsibility,
                citizen_id=cid,
                professional_id=vk3,
                role=VK,
                start_date=DAY,
                end_date=DAY + timedelta(days=14),
                reason="cover",
                covers_professional_id=vk1,
            )
    with engine.begin() as conn:
        result = allocation.rebalance(conn, "D1", DAY, write=True)
    (moved,) = [m.citizen for m in result.plan.moves]
    (stayed,) = set(ks1.citizens) - {moved}
    reasons = {
        cid: [(h["professional_id"], h["reason"]) for h in history(engine, cid, VK)]
        for cid in (moved, stayed)
    }
    assert reasons[moved] == [(vk1, "intake"), (vk2, "reallocation")]
    assert reasons[stayed] == [(vk1, "intake"), (vk3, "cover")]
