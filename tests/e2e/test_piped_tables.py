"""Tables are never cut when the output is piped: ``caseload status | less`` or ``> file``
shows every column and every whole name, however narrow ``COLUMNS`` says the window is.
On SQLite and PostgreSQL, in a child process whose standard output is a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

import caseload
from caseload.register import catalogue, importer
from tests.conftest import EXAMPLES, CopyOf

LONG_DEPARTMENT = "JOBCENTER-KOEBENHAVN-JOB-OG-INDSATS-AFDELING-6"
"""A department code of 46 characters (the examples' JI6)."""
LONG_NAME = "Anna-Margrethe Holm-Kristensen Vestergaard Østergaard-Nielsen"
"""A caseworker's name of 61 characters (the examples' Anna Holm, KS-001)."""


def _long_names(engine: Engine, folder: Path) -> None:
    """The examples, with a long department code and a long caseworker's name."""
    for spec in catalogue.SPECS:
        text = (EXAMPLES / f"{spec.name}.csv").read_text(encoding="utf-8")
        text = text.replace("JI6", LONG_DEPARTMENT).replace("Anna Holm", LONG_NAME)
        path = folder / f"{spec.name}.csv"
        path.write_text(text, encoding="utf-8")
        importer.import_file(engine, spec.name, path)


@pytest.fixture
def register(register_copy: CopyOf) -> str:
    engine = register_copy(_long_names)
    return engine.url.render_as_string(hide_password=False)


def _piped(*args: str, columns: str) -> str:
    """``caseload ARGS`` with its standard output a pipe and ``COLUMNS`` set."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS", "TERMINAL_WIDTH", "CASELOAD_LANG")
    }
    env["COLUMNS"] = columns
    source = str(Path(caseload.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "caseload.cli.main", *args],
        env=env,
        capture_output=True,  # standard output a pipe, as in `caseload status | less`
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _whole(output: str, *texts: str) -> None:
    assert "…" not in output
    for text in texts:
        assert text in output, text


@pytest.mark.parametrize("columns", ["40", "200"])
def test_status_piped_shows_every_column_and_whole_codes(register: str, columns: str) -> None:
    output = _piped("status", "--db", register, "--as-of", "2019-08-01", "--all", columns=columns)
    _whole(
        output,
        *("Department", "Role", "Professionals", "Citizens", "Mean", "Max", "Cap", "Over cap"),
        *("Staff", "Changes", "Citizen-years", "Per citizen-year", "By reason"),
        f"{LONG_DEPARTMENT} (trial)",
        "coordinating caseworker",
        "handoff 1, staff exit 1",
    )
    # one row holds the whole department, its role and its numbers
    row = next(line for line in output.splitlines() if f"{LONG_DEPARTMENT} (trial)" in line)
    assert "coordinating caseworker" in row or "company consultant" in row


def test_overdue_piped_shows_the_whole_name(register: str) -> None:
    output = _piped("overdue", "--db", register, "--as-of", "2019-08-01", columns="40")
    _whole(output, "Staff", "Name", "Citizens", "Overdue", "Due soon", "Outreach", LONG_NAME)
    row = next(line for line in output.splitlines() if LONG_NAME in line)
    assert "KS-001" in row


def test_rebalance_piped_shows_every_column(register: str) -> None:
    output = _piped(
        "rebalance",
        *("--db", register, "--department", LONG_DEPARTMENT, "--as-of", "2019-08-01"),
        "--dry-run",
        columns="40",
    )
    _whole(
        output,
        *("Method", "Caseworker changes", "New contacts", "Not placed", "Load share SD"),
        *("Capacity", "Before", "After", "Away"),
        LONG_DEPARTMENT,
        "optimiser (min-cost flow)",
    )


def test_a_narrow_terminal_folds_cells_instead_of_cutting_them() -> None:
    """On a terminal of 30 columns a long cell continues on the next lines: no "…", every
    character kept."""
    import io

    from rich.table import Table

    from caseload.cli.render.screen import Whole

    out = io.StringIO()
    table = Table()
    for heading in ("Staff", "Department", "Name"):
        table.add_column(heading, no_wrap=True)
    table.add_row("KS-001", LONG_DEPARTMENT, LONG_NAME)
    Whole(file=out, width=30, color_system=None).print(table)
    text = out.getvalue()
    assert "…" not in text
    cells = "".join(c for line in text.splitlines() for c in line if c not in "│┃┏┓┗┛┡┩└┘━─╇┳┻┼┬┴ ")
    for whole in (LONG_DEPARTMENT, LONG_NAME.replace(" ", ""), "Department", "KS-001"):
        assert whole.replace(" ", "") in cells.replace(" ", "") or _spread(whole, text), whole


def _spread(text: str, output: str) -> bool:
    """Every character of ``text`` in order somewhere in ``output`` (folded over lines)."""
    rest = iter(output)
    return all(char in rest for char in text if char != " ")
