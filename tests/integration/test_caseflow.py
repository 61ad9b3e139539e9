"""Case flow per department (operate/caseflow.py): passive days merged per citizen in Polars,
and reports, medical follow-up, plans, placements and passive periods counted on a small
hand-built register on SQLite and PostgreSQL, and through the `caseflow` command."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Connection, Engine
from typer.testing import CliRunner

from caseload.cli.main import app
from caseload.operate import caseflow as cf
from caseload.operate.caseflow import Period, passive_days
from caseload.store import schema as s
from caseload.store.database import connect, reader
from caseload.store.migrate import upgrade
from tests.helpers import add_row

MARCH = Period(date(2024, 3, 1), date(2024, 3, 31))  # 31 days; February 2024 has 29
KS, VK = "coordinating_caseworker", "company_consultant"


def d(day: int, month: int = 3, year: int = 2024) -> date:
    """A day of March 2024 unless told otherwise."""
    return date(year, month, day)


def _frame(rows: list[tuple[int, date, date]]) -> pl.DataFrame:
    """citizen_id, start, end as a frame with Date columns (empty frames keep the schema)."""
    return pl.DataFrame(
        rows, schema={"citizen_id": pl.Int64, "start": pl.Date, "end": pl.Date}, orient="row"
    )


def _one(
    on_caseload: list[tuple[int, date, date]],
    efforts: list[tuple[int, date, date]],
    period: Period = MARCH,
) -> list[dict[str, Any]]:
    return passive_days(_frame(on_caseload), _frame(efforts), period).to_dicts()


def _same(actual: Any, expected: Any) -> bool:
    """Equal numbers; expected floats must come back as floats (not Decimal, not str)."""
    if isinstance(expected, float):
        return isinstance(actual, float) and actual == pytest.approx(expected)
    return bool(actual == expected)


def _check(
    frame: pl.DataFrame | list[dict[str, Any]],
    key: str | tuple[str, ...],
    expected: dict[Any, dict[str, Any]],
) -> None:
    """Every expected row (by key) has exactly the expected numbers and no other rows exist."""
    keys = (key,) if isinstance(key, str) else key
    rows = frame.to_dicts() if isinstance(frame, pl.DataFrame) else frame
    got = {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows}
    assert set(got) == set(expected)
    for k, want in expected.items():
        wrong = {c: (got[k].get(c), v) for c, v in want.items() if not _same(got[k].get(c), v)}
        assert not wrong, f"{k}: (actual, expected) {wrong}"


# ---------------------------------------------------------------- the hand-built register


def _add(conn: Connection, table: Any, **values: Any) -> int:
    return add_row(conn, table, **values)


def _build(engine: Engine) -> dict[str, int]:
    """Departments A and B; professionals PA1 < PB1 < PA2 by id.

    C1: PA1 (A) since 2024-01-01.
    C2: PB1 (B) 2023-06-01..2024-01-31, then PA2 (A) 2024-02-01..2024-03-15: left in March,
        counts in A (their last professional's department).
    C3: PB1 (B) since 2024-01-01; PA1 (A) from 2024-04-10 comes after the period: still B.
    C4: KS PB1 and VK PA2 both from 2024-02-01: tie, lowest professional id PB1 -> B.
    C5: PB1 (B) 2023-01-01..2024-02-15: off the caseload before March.
    """
    ids: dict[str, int] = {}
    with engine.begin() as conn:
        a = _add(conn, s.department, code="A", name="Dept A", is_trial=False)
        b = _add(conn, s.department, code="B", name="Dept B", is_trial=False)
        for code, dept in (("PA1", a), ("PB1", b), ("PA2", a)):
            ids[code] = _add(
                conn,
                s.professional,
                code=code,
                name=code,
                department_id=dept,
                fte=1.0,
                start_date=d(1, 1, 2015),
            )
        for code in ("C1", "C2", "C3", "C4", "C5"):
            ids[code] = _add(
                conn,
                s.citizen,
                code=code,
                birth_date=d(1, 1, 1980),
                sex="female",
                origin="danish",
                target_group="activity_ready_30_plus",
            )
        for citizen, prof, role, start, end in (
            ("C1", "PA1", KS, d(1, 1), None),
            ("C2", "PB1", KS, d(1, 6, 2023), d(31, 1)),
            ("C2", "PA2", KS, d(1, 2), d(15, 3)),
            ("C3", "PB1", KS, d(1, 1), None),
            ("C3", "PA1", VK, d(10, 4), None),
            ("C4", "PB1", KS, d(1, 2), None),
            ("C4", "PA2", VK, d(1, 2), None),
            ("C5", "PB1", KS, d(1, 1, 2023), d(15, 2)),
        ):
            _add(
                conn,
                s.responsibility,
                citizen_id=ids[citizen],
                professional_id=ids[prof],
                role=role,
                start_date=start,
                end_date=end,
                reason="intake",
            )

        # supplier courses (efforts) and their progress reports
        for code, citizen, start, end in (
            ("O1", "C1", d(1, 2), d(5)),
            ("O2", "C1", d(4), d(10)),  # overlaps O1
            ("O3", "C2", d(5), d(8)),
            ("O4", "C3", d(3), d(5)),
            ("O5", "C3", d(10), d(12)),
            ("O6", "C3", d(20), d(30, 4)),
        ):
            ids[code] = _add(
                conn,
                s.supplier_order,
                code=code,
                citizen_id=ids[citizen],
                supplier="S",
                purpose="p",
                start_date=start,
                end_date=end,
            )
        for order, due, received, acted in (
            ("O1", d(1), d(28, 2), d(4)),  # on time; 5 days to act across 29 February
            ("O2", d(8), d(8), d(8)),  # on time (received on the due day); 0 days
            ("O3", d(10), d(12), d(22)),  # late; 10 days (C2 -> A)
            ("O1", d(20, 2), d(25, 2), d(10)),  # due before March: not counted
            ("O2", d(31), None, None),  # due on the last day, not received
            ("O4", d(5), d(4), d(11)),  # on time; 7 days
            ("O5", d(12), d(20), None),  # late, received and waiting for action
            ("O6", d(1, 4), d(30), d(31)),  # due after March: not counted
        ):
            _add(
                conn,
                s.progress_report,
                order_id=ids[order],
                due_date=due,
                received_date=received,
                acted_on_date=acted,
            )

        for code, citizen, sent, reminder, answered, followed in (
            ("M1", "C1", d(1), None, d(5), d(8)),  # 3 days: within the week
            ("M2", "C2", d(2), d(9), d(10), d(20)),  # 10 days: flagged
            ("M3", "C1", d(20, 2), None, d(22, 2), None),  # sent in February: not counted
            ("M4", "C3", d(5), None, d(23), None),  # open 8 days at 31 March: flagged
            ("M5", "C4", d(10), d(20), None, None),  # unanswered: not flagged
            ("M6", "C3", d(12), None, d(24), None),  # open exactly 7 days: not flagged
            ("M7", "C4", d(15), None, d(16), d(23)),  # exactly 7 days: within the week
        ):
            _add(
                conn,
                s.medical_request,
                code=code,
                citizen_id=ids[citizen],
                kind="le145",
                questions=3,
                sent_date=sent,
                reminder_date=reminder,
                answered_date=answered,
                followed_up_date=followed,
            )

        for code, citizen, started, completed in (
            ("PL1", "C1", d(2), d(20)),
            ("PL2", "C2", d(5), None),
            ("PL3", "C1", d(10, 2), None),  # started in February: not counted
            ("PL4", "C3", d(15), None),
            ("PL5", "C4", d(31), None),
        ):
            ids[code] = _add(
                conn,
                s.preparatory_plan,
                code=code,
                citizen_id=ids[citizen],
                started_date=started,
                completed_date=completed,
            )
        for plan, meeting, recommendation in (
            ("PL1", d(10), "postponed"),
            ("PL1", d(25), "resource_course"),  # the latest counts
            ("PL3", d(20, 2), "flex_job"),
            ("PL4", d(28), "flex_job"),
        ):
            _add(
                conn,
                s.rehabilitation_recommendation,
                plan_id=ids[plan],
                meeting_date=meeting,
                recommendation=recommendation,
            )

        for code, citizen, kind, start, end, hours, reassess in (
            ("P1", "C1", "work_placement", d(21), None, 20.0, d(15)),  # past reassessment
            ("P2", "C2", "wage_subsidy", d(9), d(20), 30.0, d(20)),  # ended: not past
            ("P5", "C1", "wage_subsidy", d(1, 2), d(1), 10.0, d(15, 2)),  # ends on 1 March
            ("P3", "C4", "work_placement", d(1, 1), d(20, 2), 25.0, None),  # before March
            ("P4", "C3", "wage_subsidy", d(25), None, 15.0, d(31)),  # reassess on last day
        ):
            _add(
                conn,
                s.company_placement,
                code=code,
                citizen_id=ids[citizen],
                kind=kind,
                company="Co",
                start_date=start,
                end_date=end,
                weekly_hours=hours,
                reassessment_date=reassess,
            )
    return ids


# Expected numbers, by hand (see the rows' comments in _build).
REPORTS = {
    # A: R(O1 3/1), R(O2 3/8), R(O3 3/10), R(O2 3/31); waits 5, 0, 10 -> mean 5, max 10
    "A": {
        "due": 4,
        "received": 3,
        "on_time": 2,
        "acted_on": 3,
        "mean_days_to_act": 5.0,
        "max_days_to_act": 10,
        "waiting_for_action": 0,
    },
    # B: R(O4 3/5) on time, 7 days; R(O5 3/12) late, not acted
    "B": {
        "due": 2,
        "received": 2,
        "on_time": 1,
        "acted_on": 1,
        "mean_days_to_act": 7.0,
        "max_days_to_act": 7,
        "waiting_for_action": 1,
    },
}
MEDICAL = {
    # A: M1 (3 days), M2 (reminded, 10 days: flagged) -> mean 6.5
    "A": {
        "sent": 2,
        "reminded": 1,
        "answered": 2,
        "followed_up": 2,
        "within_week": 1,
        "mean_days_to_follow_up": 6.5,
        "flagged": 1,
    },
    # B: M4 (open 8 days: flagged), M5 (reminded, unanswered), M6 (open 7), M7 (7 days)
    "B": {
        "sent": 4,
        "reminded": 1,
        "answered": 3,
        "followed_up": 1,
        "within_week": 1,
        "mean_days_to_follow_up": 7.0,
        "flagged": 1,
    },
}
PLANS = {
    # A: PL1 (completed; postponed then resource_course), PL2 (no recommendation)
    "A": {
        "plans": 2,
        "completed": 1,
        "at_team": 1,
        "resource_course": 1,
        "not_yet": 1,
        "flex_job": 0,
    },
    # B: PL4 (flex_job), PL5 (started on the last day, no recommendation)
    "B": {
        "plans": 2,
        "completed": 0,
        "at_team": 1,
        "resource_course": 0,
        "not_yet": 1,
        "flex_job": 1,
    },
}
PLACEMENTS = {
    ("A", "wage_subsidy"): {
        "placements": 2,
        "mean_weekly_hours": 20.0,  # (30 + 10) / 2
        "past_reassessment": 0,
    },
    ("A", "work_placement"): {"placements": 1, "mean_weekly_hours": 20.0, "past_reassessment": 1},
    ("B", "wage_subsidy"): {"placements": 1, "mean_weekly_hours": 15.0, "past_reassessment": 0},
}
PER_CITIZEN = {
    # C1 3/1..3/31: O1+O2+P5 merge to 3/1..3/10 (10), P1 3/21..3/31 (11); gap 3/11..3/20 = 10
    "C1": {
        "department": "A",
        "days": 31,
        "active_days": 21,
        "passive_days": 10,
        "mean_gap_days": 10.0,
    },
    # C2 3/1..3/15: O3 3/5..3/8 touches P2 3/9..3/20 -> 3/5..3/15 (11); no gap
    "C2": {
        "department": "A",
        "days": 15,
        "active_days": 11,
        "passive_days": 4,
        "mean_gap_days": None,
    },
    # C3: O4 3/3..3/5, O5 3/10..3/12, O6 3/20..3/31 (P4 inside O6): 3+3+12; gaps 4 and 7
    "C3": {
        "department": "B",
        "days": 31,
        "active_days": 18,
        "passive_days": 13,
        "mean_gap_days": 5.5,
    },
    # C4: P3 ended in February: all passive
    "C4": {
        "department": "B",
        "days": 31,
        "active_days": 0,
        "passive_days": 31,
        "mean_gap_days": None,
    },
}
PASSIVE = {
    "A": {
        "citizens": 2,
        "mean_passive_days": 7.0,
        "mean_passive_share": (10 / 31 + 4 / 15) / 2,
        "mean_gap_between_efforts": 10.0,
    },
    "B": {
        "citizens": 2,
        "mean_passive_days": 22.0,
        "mean_passive_share": (13 / 31 + 1) / 2,
        "mean_gap_between_efforts": 5.5,
    },
}


# ---------------------------------------------------------------- passive_days (pure)


def test_no_efforts_all_passive() -> None:
    # 1..31 March: 31 days, none active
    assert _one([(1, d(1, 1), d(30, 6))], []) == [
        {"citizen_id": 1, "days": 31, "active_days": 0, "passive_days": 31, "mean_gap_days": None}
    ]


def test_one_effort_inside() -> None:
    # 10..14 March active: 5 of 31 days; one effort, no gap
    assert _one([(1, d(1, 1), d(30, 6))], [(1, d(10), d(14))]) == [
        {"citizen_id": 1, "days": 31, "active_days": 5, "passive_days": 26, "mean_gap_days": None}
    ]


def test_overlapping_efforts_are_merged() -> None:
    # 5..12 and 10..20 (and 6..8 inside) merge to 5..20: 16 days, counted once
    rows = _one([(1, d(1), d(31))], [(1, d(10), d(20)), (1, d(5), d(12)), (1, d(6), d(8))])
    assert rows == [
        {"citizen_id": 1, "days": 31, "active_days": 16, "passive_days": 15, "mean_gap_days": None}
    ]


def test_touching_efforts_merge_without_a_gap() -> None:
    # 5..9 then 10..14: one island 5..14 (10 days); a gap of 0 days is no gap
    rows = _one([(1, d(1), d(31))], [(1, d(5), d(9)), (1, d(10), d(14))])
    assert rows == [
        {"citizen_id": 1, "days": 31, "active_days": 10, "passive_days": 21, "mean_gap_days": None}
    ]


def test_efforts_clipped_to_period_and_stay() -> None:
    # stay 10 March..10 April -> 10..31 March (22 days); effort 1 Feb..12 March -> 10..12
    # (3 days); effort 30 March..30 April -> 30..31 (2 days); gap 13..29 = 17 days
    rows = _one([(1, d(10), d(10, 4))], [(1, d(1, 2), d(12)), (1, d(30), d(30, 4))])
    assert rows == [
        {"citizen_id": 1, "days": 22, "active_days": 5, "passive_days": 17, "mean_gap_days": 17.0}
    ]


def test_effort_entirely_outside_counts_nothing() -> None:
    # citizen 1: effort in February (outside the period); citizen 2: effort in March but
    # before their stay starts on 20 March (12 days) -> both wholly passive
    rows = _one([(1, d(1), d(31)), (2, d(20), d(31))], [(1, d(1, 2), d(20, 2)), (2, d(1), d(19))])
    assert rows == [
        {"citizen_id": 1, "days": 31, "active_days": 0, "passive_days": 31, "mean_gap_days": None},
        {"citizen_id": 2, "days": 12, "active_days": 0, "passive_days": 12, "mean_gap_days": None},
    ]


def test_gaps_are_days_strictly_between_efforts() -> None:
    # 1..3 and 10..12: 6 active; gap 4..9 = 6 days. Three efforts 1..1, 3..3, 8..8:
    # gaps 1 (2nd) and 4 (4th..7th) -> mean 2.5
    rows = _one(
        [(1, d(1), d(31)), (2, d(1), d(31))],
        [(1, d(10), d(12)), (1, d(1), d(3)), (2, d(1), d(1)), (2, d(3), d(3)), (2, d(8), d(8))],
    )
    assert rows == [
        {"citizen_id": 1, "days": 31, "active_days": 6, "passive_days": 25, "mean_gap_days": 6.0},
        {"citizen_id": 2, "days": 31, "active_days": 3, "passive_days": 28, "mean_gap_days": 2.5},
    ]


def test_stay_outside_the_period_is_dropped() -> None:
    # citizen 1 left on 29 February, citizen 3 arrives on 1 April: only citizen 2 remains
    rows = _one(
        [(1, d(1, 1), d(29, 2)), (2, d(1), d(31)), (3, d(1, 4), d(30, 4))],
        [(1, d(1, 2), d(10)), (3, d(1, 4), d(5, 4))],
    )
    assert [r["citizen_id"] for r in rows] == [2]


# ---------------------------------------------------------------- the register, both backends


def test_reports_per_department(engine: Engine) -> None:
    _build(engine)
    with reader(engine).connect() as conn:
        _check(cf.reports(conn, MARCH), "department", REPORTS)


def test_medical_per_department(engine: Engine) -> None:
    _build(engine)
    with reader(engine).connect() as conn:
        _check(cf.medical(conn, MARCH), "department", MEDICAL)


def test_plans_latest_recommendation_counts(engine: Engine) -> None:
    _build(engine)
    with reader(engine).connect() as conn:
        frame = cf.plans(conn, MARCH)
    # "postponed" was superseded and PL3 (February) is out: no such columns
    assert set(frame.columns) == {
        "department",
        "plans",
        "completed",
        "at_team",
        "resource_course",
        "not_yet",
        "flex_job",
    }
    _check(frame, "department", PLANS)


def test_placements_per_department_and_kind(engine: Engine) -> None:
    _build(engine)
    with reader(engine).connect() as conn:
        _check(cf.placements(conn, MARCH), ("department", "kind"), PLACEMENTS)


def test_paid_hours_per_department(engine: Engine) -> None:
    """March only: C1 (A) 12 h; C3 (B) 8 h; February, April and a month of 0 h left out."""
    ids = _build(engine)
    with engine.begin() as conn:
        for citizen, month, hours in (
            ("C1", d(1, 3), 12.0),
            ("C1", d(1, 2), 5.0),
            ("C3", d(1, 3), 8.0),
            ("C3", d(1, 4), 3.0),
            ("C5", d(1, 3), 0.0),
        ):
            _add(conn, s.paid_hours, citizen_id=ids[citizen], month=month, hours=hours)
    with reader(engine).connect() as conn:
        frame = cf.paid_hours(conn, MARCH)
    assert frame.rows() == [("A", 1, 12.0, 12.0), ("B", 1, 8.0, 8.0)]


def test_passive_per_citizen_and_department(engine: Engine) -> None:
    _build(engine)
    with reader(engine).connect() as conn:
        per_citizen, per_department = cf.passive(conn, MARCH)
    # C5 left on 15 February: not on the caseload in March
    _check(per_citizen, "citizen", PER_CITIZEN)
    _check(per_department, "department", PASSIVE)
    # the department means are the means of the citizens' rows
    for dept, row in zip(
        per_department["department"], per_department.iter_rows(named=True), strict=True
    ):
        mine = per_citizen.filter(pl.col("department") == dept)
        assert row["citizens"] == mine.height
        assert row["mean_passive_days"] == pytest.approx(mine["passive_days"].mean())
        share = (mine["passive_days"] / mine["days"]).mean()
        assert row["mean_passive_share"] == pytest.approx(share)
        assert row["mean_gap_between_efforts"] == pytest.approx(mine["mean_gap_days"].mean())


def test_leaver_counts_where_they_last_were(engine: Engine) -> None:
    """C2 moved from B to A on 1 February and left on 15 March: in March they count in A
    (their M2 is A's only reminder, P2 A's wage subsidy); in January they were B's."""
    _build(engine)
    with reader(engine).connect() as conn:
        march, _ = cf.passive(conn, MARCH)
        january, _ = cf.passive(conn, Period(d(1, 1), d(31, 1)))
        medical = {r["department"]: r for r in cf.medical(conn, MARCH).to_dicts()}
    assert march.filter(pl.col("citizen") == "C2").select("department", "days").rows() == [
        ("A", 15)
    ]
    assert medical["A"]["reminded"] == 1  # M2 (C2)
    # January: C2 with PB1 (B) 1..31 January; C1, C3 from 1 January; C4 not yet; C5 in B
    assert dict(january.select("citizen", "department").rows()) == {
        "C1": "A",
        "C2": "B",
        "C3": "B",
        "C5": "B",
    }


# ---------------------------------------------------------------- the command


def _sqlite_register(path: Path) -> str:
    engine = connect(str(path))
    upgrade(engine)
    _build(engine)
    engine.dispose()
    return str(path)


def test_caseflow_command_json_and_danish(tmp_path: Path) -> None:
    db = _sqlite_register(tmp_path / "register.sqlite")
    out = tmp_path / "out.json"
    runner = CliRunner(env={"COLUMNS": "200", "CASELOAD_LANG": None, "CASELOAD_DATABASE_URL": None})
    result = runner.invoke(
        app,
        ["caseflow", "--db", db, "--from", "2024-03-01", "--to", "2024-03-31", "--json", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "Supplier progress reports due" in result.output
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert set(payload) == {
        "reports",
        "medical",
        "plans",
        "placements",
        "paid_hours",
        "passive",
        "passive_per_citizen",
    }
    _check(payload["reports"], "department", REPORTS)
    _check(payload["medical"], "department", MEDICAL)
    _check(payload["plans"], "department", PLANS)
    _check(payload["placements"], ("department", "kind"), PLACEMENTS)
    _check(payload["passive"], "department", PASSIVE)
    _check(payload["passive_per_citizen"], "citizen", PER_CITIZEN)
    assert all("citizen_id" not in r for r in payload["passive_per_citizen"])

    danish = runner.invoke(
        app, ["caseflow", "--db", db, "--from", "2024-03-01", "--to", "2024-03-31", "--lang", "da"]
    )
    assert danish.exit_code == 0, danish.output
    for heading in (
        "Sagsflow 1. mar. 2024 til 31. mar. 2024",
        "Lægelige oplysninger",
        "Progressionsrapporter med frist",
        "Virksomhedsrettede forløb",
    ):
        assert heading in danish.output
