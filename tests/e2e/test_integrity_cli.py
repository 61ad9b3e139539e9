"""The trial's integrity from the command line, on the demo: its evaluation says in words that
nobody crossed the arm boundary, and once a control citizen is moved into the trial
department (with an override) and a trial citizen's history is imported with a consultant
outside it, the report, evaluation.json and crossovers.csv count them per arm. The commands
on the demo give the day they mean: without it (today) they name the demo's last day."""

from __future__ import annotations

import csv
import json
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from typer.testing import Result

from tests.helpers import copy_register, run, write

DEMO_LAST_DAY = "2020-04-30"
"""The demo's last recorded day (its latest meetings are due then, with the trial's outcome
window's end)."""


@pytest.fixture
def demo_db(demo_build: tuple[Path, Result], tmp_path: Path) -> str:
    template, result = demo_build
    assert result.exit_code == 0, result.output
    return copy_register(template, tmp_path / "demo.sqlite")


def _one(db: str, sql: str) -> str:
    with closing(sqlite3.connect(db)) as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None
    return str(row[0])


def _crossovers(out: Path) -> dict[str, dict[str, str]]:
    with (out / "crossovers.csv").open(encoding="utf-8") as f:
        return {row["arm"]: row for row in csv.DictReader(f)}


def test_the_demo_has_no_crossovers_and_says_so(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = run("evaluate", "--db", demo_db, "--trial", "CPH-2018", "--out", str(out))
    assert result.exit_code == 0, result.output
    table = _crossovers(out)
    assert {arm: (row["randomised"], row["crossed_citizens"]) for arm, row in table.items()} == {
        "trial": ("917", "0"),
        "control": ("856", "0"),
    }
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "No citizen crossed the arm boundary while the trial ran" in page
    data = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    assert [row["crossed_citizens"] for row in data["crossovers"]] == [0, 0]


def test_crossovers_made_by_hand_and_by_import_are_counted(demo_db: str, tmp_path: Path) -> None:
    control = _one(
        demo_db,
        "SELECT c.code FROM citizen c JOIN trial_assignment a ON a.citizen_id = c.id "
        "JOIN responsibility r ON r.citizen_id = c.id AND r.role = 'coordinating_caseworker' "
        "WHERE a.arm = 'control' AND r.start_date <= '2019-05-01' AND r.end_date IS NULL "
        "ORDER BY c.code LIMIT 1",
    )
    treated = _one(
        demo_db,
        "SELECT c.code FROM citizen c JOIN trial_assignment a ON a.citizen_id = c.id "
        "JOIN responsibility r ON r.citizen_id = c.id AND r.role = 'coordinating_caseworker' "
        "WHERE a.arm = 'trial' AND r.start_date <= '2019-06-01' AND r.end_date IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM responsibility v WHERE v.citizen_id = c.id "
        "AND v.role = 'company_consultant') ORDER BY c.code LIMIT 1",
    )
    move = ("contact", "--db", demo_db, "--citizen", control, "--to", "JI6-KS-0001")
    given = (*move, "--reason", "citizen_request", "--as-of", "2019-05-01")
    refused = run(*given)
    assert refused.exit_code == 2
    assert f"{control} was randomised to the control arm of trial CPH-2018" in refused.stderr
    assert "JI6-KS-0001 works in JI6, a trial department" in refused.stderr
    done = run(*given, "--override", "the citizen moved next to the trial department")
    assert done.exit_code == 0, done.output
    history = write(
        tmp_path,
        "responsibilities.csv",
        "citizen_id,staff_id,role,start_date,end_date,reason\n"
        f"{treated},JI1-VK-0001,company_consultant,2019-06-01,,handoff\n",
    )
    imported = run("import", "responsibilities", str(history), "--db", demo_db)
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "report"
    result = run("evaluate", "--db", demo_db, "--trial", "CPH-2018", "--out", str(out))
    assert result.exit_code == 0, result.output
    table = _crossovers(out)
    picked = ("crossed_citizens", "crossed_with_override", "changes_across", "override_reasons")
    assert {arm: tuple(row[k] for k in picked) for arm, row in table.items()} == {
        "trial": ("1", "0", "1", "0"),
        "control": ("1", "1", "1", "1"),
    }
    assert table["control"]["reason_citizen_request"] == "1"
    assert table["trial"]["reason_handoff"] == "1"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert (
        "While the trial ran, 1 control citizen(s) went to a professional of a trial department "
        "and 1 trial citizen(s) to one outside them (1 with an override reason)." in page
    )
    assert "the citizen moved next to" not in page  # the reasons are counted, never shown
    danish = run("evaluate", "--db", demo_db, "--out", str(tmp_path / "da"), "--lang", "da")
    assert danish.exit_code == 0, danish.output
    side = (tmp_path / "da" / "report.html").read_text(encoding="utf-8")
    assert "Mens forsøget kørte, kom 1 borger(e) i kontrolgruppen til en medarbejder" in side


def test_the_demo_commands_without_a_day_name_the_demo_s_last_day(demo_db: str) -> None:
    result = run("status", "--db", demo_db)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"{date.today().isoformat()} is after the register's last recorded day, "
        f"{DEMO_LAST_DAY}: give --as-of {DEMO_LAST_DAY} or earlier\n"
    )
    on_the_day = run("status", "--db", demo_db, "--as-of", DEMO_LAST_DAY)
    assert on_the_day.exit_code == 0 and on_the_day.stderr == ""
    assert "Caseloads on 30 Apr 2020" in on_the_day.stdout  # the day in the reader's form
