"""The operate commands end to end on the example register: rebalance, assign, contact,
meeting, overdue — exit codes, messages in both languages, nothing written when refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from caseload.store import schema as s
from caseload.store.database import connect
from tests.helpers import copy_register, run


@pytest.fixture
def loaded(tmp_path: Path, examples_register: Path) -> str:
    """The examples imported into a register of this test's own (a copy of the session's)."""
    return copy_register(examples_register, tmp_path / "register.sqlite")


def _responsibilities(db: str) -> list[tuple[Any, ...]]:
    engine = connect(db)
    try:
        with engine.connect() as conn:
            r = s.responsibility
            return [tuple(row) for row in conn.execute(select(r).order_by(r.c.id))]
    finally:
        engine.dispose()


def test_rebalance_dry_run_writes_the_plan_and_changes_nothing(loaded: str, tmp_path: Path) -> None:
    """JI6 on 2019-08-01: KS-001 holds C000001 and C000002 (cap 50): nobody moves."""
    before = _responsibilities(loaded)
    out = tmp_path / "plan.json"
    result = run(
        "rebalance",
        "--db",
        loaded,
        "--department",
        "JI6",
        "--as-of",
        "2019-08-01",
        "--dry-run",
        "--json",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was changed." in result.output
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert (plan["department"], plan["cap"], plan["citizens"]) == ("JI6", 50, 2)
    assert plan["plan"]["changes"] == 0 and plan["moves"] == []
    assert plan["applied"] is False
    assert _responsibilities(loaded) == before


def test_rebalance_that_cannot_place_everyone_is_refused(loaded: str) -> None:
    """A cap of 1 leaves one of KS-001's two citizens without room: exit 2, nothing written;
    the dry run says how many and what that is in full-time staff."""
    before = _responsibilities(loaded)
    refused = run(
        "rebalance", "--db", loaded, "--department", "JI6", "--cap", "1", "--as-of", "2019-08-01"
    )
    assert refused.exit_code == 2
    assert "1 citizen(s) in JI6 cannot be placed under the caps; nothing was changed" in (
        refused.output
    )
    assert _responsibilities(loaded) == before
    dry = run(
        "rebalance",
        "--db",
        loaded,
        "--department",
        "JI6",
        "--cap",
        "1",
        "--as-of",
        "2019-08-01",
        "--dry-run",
        "--lang",
        "da",
    )
    assert dry.exit_code == 0
    assert "Omfordeling i JI6 (koordinerende sagsbehandler) pr. 1. aug. 2019: loft 1" in dry.output
    assert "1 borger(e) kan ikke placeres inden for lofterne" in dry.output


def test_rebalance_of_an_unknown_department_exits_2(loaded: str) -> None:
    result = run(
        "rebalance", "--db", loaded, "--department", "NOPE", "--dry-run", "--as-of", "2019-07-01"
    )
    assert result.exit_code == 2
    assert "no department 'NOPE'" in result.output


def test_contact_handoff_then_a_stale_version_conflicts(loaded: str) -> None:
    """C000001 (version 1) is handed to VK-001; a second edit still carrying version 1 is a
    conflict (exit 4) and writes nothing."""
    ok = run(
        "contact",
        "--db",
        loaded,
        "--citizen",
        "C000001",
        "--role",
        "company_consultant",
        "--to",
        "VK-001",
        "--reason",
        "handoff",
        "--version",
        "1",
        "--as-of",
        "2019-08-01",
    )
    assert ok.exit_code == 0, ok.output
    assert (
        "C000001: VK-001 is now company consultant from 1 Aug 2019 (handoff); case "
        "version 2" in ok.output
    )
    before = _responsibilities(loaded)
    stale = run(
        "meeting",
        "--db",
        loaded,
        "--citizen",
        "C000001",
        "--id",
        "M9",
        "--status",
        "held",
        "--as-of",
        "2019-08-02",
        "--version",
        "1",
    )
    assert stale.exit_code == 4
    assert "Conflict: the case was changed by someone else (version 2, you had 1)" in (stale.output)
    assert _responsibilities(loaded) == before


def test_refusals_name_the_rule_in_both_languages(loaded: str) -> None:
    over = run(
        "contact",
        "--db",
        loaded,
        "--citizen",
        "C000003",
        "--to",
        "KS-001",
        "--reason",
        "reallocation",
        "--as-of",
        "2018-03-01",
        "--override",
        "moved to the trial department by decision of the steering group",
    )
    # KS-001 has room (cap 50); C000003 is in the control arm and KS-001 in the trial
    # department, so it goes ahead only with the override (tests/e2e/test_integrity_cli.py)
    assert over.exit_code == 0, over.output
    early = run(
        "meeting",
        "--db",
        loaded,
        "--citizen",
        "C000001",
        "--id",
        "M8",
        "--status",
        "held",
        "--as-of",
        "2017-12-31",
        "--lang",
        "da",
    )
    assert early.exit_code == 2
    assert "Afvist: en samtale den 31. dec. 2017 ligger før borgerens indgang" in early.output
    english = run(
        "meeting",
        "--db",
        loaded,
        "--citizen",
        "C000001",
        "--id",
        "M8",
        "--status",
        "held",
        "--as-of",
        "2017-12-31",
        "--lang",
        "en",
    )
    assert "Refused: a meeting on 31 Dec 2017 comes before the citizen's entry" in english.output
    # a CPR number typed as the citizen id is never repeated, in either language
    typed = run(
        "contact",
        "--db",
        loaded,
        "--citizen",
        "0101801234",
        "--to",
        "KS-001",
        "--reason",
        "reallocation",
        "--lang",
        "da",
    )
    assert typed.exit_code == 2
    assert "0101801234" not in typed.output and "ligner et CPR-nummer" in typed.output
    # a duplicate meeting id is refused in words, not with the database's statement
    for _ in range(2):
        again = run(
            "meeting",
            "--db",
            loaded,
            "--citizen",
            "C000001",
            "--id",
            "M-TWICE",
            "--status",
            "held",
            "--as-of",
            "2018-03-01",
        )
    assert again.exit_code == 2 and "M-TWICE is already recorded" in again.output
    assert "INSERT" not in again.output and "Traceback" not in again.output


def test_overdue_for_an_unknown_caseworker_exits_2(loaded: str) -> None:
    result = run("overdue", "--db", loaded, "--caseworker", "NOPE", "--as-of", "2019-08-01")
    assert result.exit_code == 2
    assert "no professional 'NOPE'" in result.output


def test_overdue_never_repeats_a_caseworker_code_that_looks_like_a_cpr_number(
    loaded: str,
) -> None:
    for lang in ("en", "da"):
        result = run(
            "overdue",
            *("--db", loaded, "--caseworker", "NR 010180-1234", "--as-of", "2019-07-01"),
            *("--lang", lang),
        )
        assert result.exit_code == 2
        assert "CPR" in result.output
        assert "010180" not in result.output and "1234" not in result.output


def test_overdue_lists_the_caseworkers_citizens(loaded: str) -> None:
    """On 2018-07-01 C000001 (KS-001) last met on 2018-02-15: due 2018-05-15, overdue."""
    result = run("overdue", "--db", loaded, "--as-of", "2018-07-01", "--caseworker", "KS-001")
    assert result.exit_code == 0, result.output
    assert "C000001" in result.output and "15 May 2018" in result.output


def test_weights_are_parsed_and_bad_ones_refused(loaded: str) -> None:
    ok = run(
        "assign",
        "--db",
        loaded,
        "--department",
        "JI6",
        "--as-of",
        "2019-08-01",
        "--dry-run",
        "--weights",
        "previous=50000,district=10",
    )
    assert ok.exit_code == 0, ok.output
    bad = run(
        "assign", "--db", loaded, "--department", "JI6", "--dry-run", "--weights", "distance=3"
    )
    assert bad.exit_code == 2
    assert "--weights: 'distance=3' is not name=points" in bad.output


def test_bad_weights_are_refused_in_danish(loaded: str) -> None:
    bad = run(
        "assign",
        "--db",
        loaded,
        "--department",
        "JI6",
        "--dry-run",
        "--weights",
        "distance=3",
        "--lang",
        "da",
    )
    assert bad.exit_code == 2
    assert "--weights: 'distance=3' er ikke navn=point med et navn blandt" in bad.output
