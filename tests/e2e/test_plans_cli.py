"""Stored plans end to end on the example register: rebalance --dry-run --save-plan prints the
plan's id, apply-plan writes it (exit 0), and refuses it when applied already or when the
department changed since (exit 4), in English and Danish, with nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from caseload.store import schema as s
from caseload.store.database import connect
from tests.helpers import copy_register, run, write

AS_OF = ("--as-of", "2019-08-01")


@pytest.fixture
def loaded(tmp_path: Path, examples_register: Path) -> str:
    """The examples, with a second coordinating caseworker in JI6 (KS-003, hired 2018-01-01)."""
    db = copy_register(examples_register, tmp_path / "register.sqlite")
    staff = write(
        tmp_path,
        "staff.csv",
        "staff_id,name,department_id,team_id,fte,start_date,end_date,exit_kind,district\n"
        "KS-003,Eva Krog,JI6,JI6-A,1,2018-01-01,,,Nørrebro\n",
    )
    roles = write(
        tmp_path,
        "roles.csv",
        "staff_id,role,start_date,end_date\nKS-003,coordinating_caseworker,2018-01-01,\n",
    )
    assert run("import", "staff", str(staff), "--db", db).exit_code == 0
    assert run("import", "roles", str(roles), "--db", db).exit_code == 0
    return db


def _rows(db: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    engine = connect(db)
    try:
        with engine.connect() as conn:
            r, c = s.responsibility, s.caseload_cap
            return (
                [tuple(row) for row in conn.execute(select(r).order_by(r.c.id))],
                [tuple(row) for row in conn.execute(select(c).order_by(c.c.id))],
            )
    finally:
        engine.dispose()


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


def test_save_then_apply_writes_the_plan_once(loaded: str) -> None:
    """Cap 1 in JI6: KS-001 holds C000001 and C000002, so one of them moves to KS-003."""
    before = _rows(loaded)
    saved = run(
        "rebalance", "--db", loaded, "--department", "JI6", "--cap", "1", *AS_OF, "--dry-run",
        "--save-plan",
    )  # fmt: skip
    assert saved.exit_code == 0, saved.output
    assert "Dry run: nothing was changed." in saved.output
    assert _last_line(saved.output) == (
        "Plan P0000001 stored: apply it with `caseload apply-plan P0000001` (refused if the "
        "department changes first)."
    )
    assert _rows(loaded) == before

    applied = run("apply-plan", "P0000001", "--db", loaded, "--by", "leader")
    assert applied.exit_code == 0, applied.output
    assert applied.output.splitlines() == [
        "Plan P0000001 applied to JI6 from 1 Aug 2019: 1 citizen(s) moved, 1 responsibilities "
        "ended, 1 started, in one transaction.",
        "The plan's cap is recorded from 1 Aug 2019.",
    ]
    responsibilities, caps = _rows(loaded)
    assert len(responsibilities) == len(before[0]) + 1
    assert len(caps) == len(before[1]) + 1

    again = run("apply-plan", "P0000001", "--db", loaded)
    assert again.exit_code == 4
    assert "Conflict: plan P0000001 was applied already on " in again.output
    assert _rows(loaded) == (responsibilities, caps)


def test_a_changed_department_refuses_the_plan_in_danish(loaded: str, tmp_path: Path) -> None:
    """A long absence of KS-003 imported after the plan was made: exit 4, nothing written."""
    saved = run(
        "rebalance", "--db", loaded, "--department", "JI6", "--cap", "1", *AS_OF, "--dry-run",
        "--save-plan", "--lang", "da",
    )  # fmt: skip
    assert saved.exit_code == 0, saved.output
    assert _last_line(saved.output).startswith(
        "Plan P0000001 er gemt: gennemfør den med `caseload apply-plan P0000001`"
    )
    absence = write(
        tmp_path,
        "absence.csv",
        "staff_id,start_date,end_date,days,term\nKS-003,2019-07-15,2019-09-30,55,long\n",
    )
    assert run("import", "absence", str(absence), "--db", loaded).exit_code == 0
    before = _rows(loaded)
    refused = run("apply-plan", "P0000001", "--db", loaded, "--lang", "da")
    assert refused.exit_code == 4
    assert "afdelingen JI6 er ændret, siden plan P0000001 blev lagt" in refused.output
    assert "læg en ny plan" in refused.output
    assert _rows(loaded) == before


def test_an_unknown_plan_and_save_without_dry_run_exit_2(loaded: str) -> None:
    missing = run("apply-plan", "P0000042", "--db", loaded)
    assert missing.exit_code == 2
    assert "Refused: no plan 'P0000042' in the register" in missing.output
    hidden = run("apply-plan", "0101801234", "--db", loaded)
    assert hidden.exit_code == 2 and "0101801234" not in hidden.output
    alone = run("assign", "--db", loaded, "--department", "JI6", *AS_OF, "--save-plan")
    assert alone.exit_code == 2
    assert "--save-plan goes with --dry-run: the plan is stored, not written" in alone.output
