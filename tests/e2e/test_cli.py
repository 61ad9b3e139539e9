"""The command line end to end: help, init, import, status, export and demo."""

from __future__ import annotations

import csv
import inspect
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, func, select
from typer.testing import Result

import caseload
from caseload.cli.main import COMMANDS as COMMANDS_HELP
from caseload.cli.main import app
from caseload.operate.status import status
from caseload.register import catalogue, rules
from caseload.store import schema
from caseload.store.database import connect
from caseload.store.migrate import head_revision
from tests.conftest import EXAMPLES
from tests.helpers import copy_register, run, write

ROOT = Path(__file__).resolve().parents[2]
ORDER = [spec.name for spec in catalogue.SPECS]
COMMANDS = [
    "init",
    "import",
    "export",
    "tables",
    "status",
    "assign",
    "rebalance",
    "apply-plan",
    "contact",
    "meeting",
    "case",
    "overdue",
    "timeliness",
    "caseflow",
    "sparring",
    "demo",
    "randomise",
    "evaluate",
    "analyze",
    "analyze-counts",
    "diagnose",
    "simulate",
    "serve",
    "keygen",
]
CPR_KEY = "test-municipality-key"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "register.sqlite")


@pytest.fixture
def loaded(db: str, examples_register: Path) -> str:
    """The examples imported into ``db`` (a copy of the session's example register)."""
    return copy_register(examples_register, Path(db))


def _tables(output: str) -> list[list[list[str]]]:
    """The Rich tables in ``output``: for each, its header row then its body rows."""
    found: list[list[list[str]]] = []
    for line in output.splitlines():
        if line.startswith("┏"):
            found.append([])
        elif line.startswith(("┃", "│")) and found:
            found[-1].append([cell.strip() for cell in line.strip()[1:-1].split(line[0])])
    return found


def _count(db: str, table: str) -> int:
    engine = connect(db)
    try:
        with engine.connect() as conn:
            return conn.execute(
                select(func.count()).select_from(catalogue.spec(table).table)
            ).scalar_one()
    finally:
        engine.dispose()


# --- help ---------------------------------------------------------------------------------


def test_every_command_is_registered() -> None:
    assert [c.name for c in app.registered_commands] == COMMANDS


def test_app_help_lists_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0, result.output
    assert "Usage: caseload" in result.output
    for name in COMMANDS:
        assert f" {name} " in result.output, name


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help(name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0, result.output
    assert f"Usage: caseload {name}" in result.output
    assert "--help" in result.output


def test_command_help_is_the_summary_of_its_docstring() -> None:
    """Each command's help (a msgid) says what its function's docstring says."""
    for name, function, summary in COMMANDS_HELP:
        assert summary == " ".join((inspect.getdoc(function) or "").split()), name


def test_the_groups_their_commands_and_their_help() -> None:
    from caseload.cli import audit, notes, plan, review, users
    from caseload.cli.main import GROUPS

    assert [g.name for g in app.registered_groups] == ["note", "users", "audit", "plan", "review"]
    assert [name for name, _ in GROUPS] == ["note", "users", "audit", "plan", "review"]
    assert [name for name, _, _ in plan.COMMANDS] == ["caseload", "measured", "staffing"]
    assert [name for name, _, _ in notes.COMMANDS] == ["add", "edit", "list"]
    assert [name for name, _, _ in users.COMMANDS] == [
        "add",
        "passwd",
        "disable",
        "enable",
        "list",
        "token",
    ]
    assert [name for name, _, _ in audit.COMMANDS] == ["search", "purge"]
    assert [name for name, _, _ in review.COMMANDS] == ["sample", "scores", "report"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for group, module in GROUPS:
        for name, function, summary in module.COMMANDS:
            assert summary == " ".join((inspect.getdoc(function) or "").split()), name
            result = run(group, name, "--help")
            assert result.exit_code == 0, result.output
            assert f"Usage: caseload {group} {name}" in result.output
            assert f"caseload {group} {name}" in readme, f"caseload {group} {name}"
    group = run("note")
    assert "Case notes and next steps" in group.output and " list " in group.output


NO_COLOUR = ("FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS", "TERMINAL_WIDTH")
"""What would make Typer colour the help (or fix its width) in a child process."""


def _help(*args: str, lang: str | None) -> str:
    """``caseload ARGS`` in a child process, with ``CASELOAD_LANG`` set to ``lang`` (or
    unset): help is built when the command line is imported, so an in-process runner keeps
    the language the test process imported it with."""
    env = {k: v for k, v in os.environ.items() if k not in NO_COLOUR}
    env.pop("CASELOAD_LANG", None)
    if lang is not None:
        env["CASELOAD_LANG"] = lang
    env["COLUMNS"] = "200"
    source = str(Path(caseload.__file__).resolve().parents[1])  # this checkout's code
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "caseload.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_help_is_danish_with_caseload_lang_da() -> None:
    status_help = _help("status", "--help", lang="da")
    for danish in (
        "Sagsstamme pr. medarbejder holdt op mod loftet, hvem der er over det",
        "Vis alle medarbejdere",
        "Dagen, der rapporteres for, ÅÅÅÅ-MM-DD (standard: i dag)",
        "Sprog for output: en eller da",
        "Tilvalg",
        "Vis denne hjælp og afslut.",
    ):
        assert danish in status_help, danish
    assert "List every professional" not in status_help
    assert "Options" not in status_help

    app_help = _help("--help", lang="da")
    for danish in (
        "Sagsstammer med loft, tæt kontakt og lodtrukket evidens for jobcentre.",
        "Log, hvad der sker",
        "Kommandoer",
        "Opret registret (eller opdatér det til det nyeste skema).",
        "Eksportér alle tabeller i indlæsningsformatet",
    ):
        assert danish in app_help, danish
    assert "Commands" not in app_help

    import_help = _help("import", "--help", lang="da")
    assert "Argumenter" in import_help
    assert "[påkrævet]" in import_help
    assert "Tabel: jobcentres, departments, teams" in import_help


def test_help_is_english_without_caseload_lang() -> None:
    status_help = _help("status", "--help", lang=None)
    for english in (
        "Caseload per professional against the cap, who is over it, and caseworker changes.",
        "List every professional",
        "Day to report on, YYYY-MM-DD (default: today)",
        "Options",
        "Show this message and exit.",
    ):
        assert english in status_help, english
    assert "Tilvalg" not in status_help

    app_help = _help("--help", lang=None)
    for english in (
        "Capped caseloads, close contact and randomised proof for job centres.",
        "Commands",
        "Create the register (or bring it to the newest schema).",
    ):
        assert english in app_help, english
    assert "Kommandoer" not in app_help


def test_tables_lists_every_table_and_its_columns() -> None:
    result = run("tables")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for spec in catalogue.SPECS:
        line = next(li for li in lines if li.startswith(f"{spec.name}: "))
        assert line.removeprefix(f"{spec.name}: ").split(", ") == [
            f.name + ("*" if f.required else "") for f in spec.fields
        ]


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [c.name for c in app.registered_commands]
    assert names, "no commands registered"
    missing = [n for n in names if f"caseload {n}" not in readme]
    assert missing == []


# --- init and import ----------------------------------------------------------------------


def test_init_and_import_every_example(db_url: str) -> None:
    """On SQLite and PostgreSQL (the README's own block runs literally on SQLite:
    tests/e2e/test_readme.py)."""
    db = db_url
    result = run("init", "--db", db)
    assert result.exit_code == 0, result.output
    scheme = "postgresql" if db.startswith("postgresql") else "sqlite"
    assert f"Register ready at {scheme}" in result.output
    assert f"(schema {head_revision()})" in result.output
    for table in ORDER:
        path = EXAMPLES / f"{table}.csv"
        rows = len(path.read_text(encoding="utf-8").strip().splitlines()) - 1
        result = run("import", table, str(path), "--db", db)
        assert result.exit_code == 0, result.output
        assert result.output.strip() == f"{table}: {rows} inserted, 0 updated, 0 unchanged"
        assert _count(db, table) == rows
    # a second run changes nothing and says so
    result = run("import", "staff", str(EXAMPLES / "staff.csv"), "--db", db)
    assert result.exit_code == 0
    assert result.output.strip() == "staff: 0 inserted, 0 updated, 4 unchanged"


def test_init_twice_is_harmless(db: str) -> None:
    assert run("init", "--db", db).exit_code == 0
    result = run("init", "--db", db)
    assert result.exit_code == 0
    assert f"(schema {head_revision()})" in result.output


def test_import_in_danish(loaded: str) -> None:
    result = run("import", "caps", str(EXAMPLES / "caps.csv"), "--db", loaded, "--lang", "da")
    assert result.exit_code == 0
    assert result.output.strip() == "caps: 0 indsat, 0 opdateret, 4 uændret"


STAFF_HEADER = "staff_id,name,department_id,team_id,fte,start_date,end_date,exit_kind\n"


def test_bad_file_exits_2_with_row_column_and_reason(loaded: str, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "staff.csv",
        STAFF_HEADER
        + "KS-201,Eva,JI6,,1,2018-01-01,,\n"  # row 2: fine
        + "KS-202,Finn,JI6,,2.5,2018-01-01,,\n"  # row 3: fte
        + "KS-203,Gro,JI9,,1,2018-01-01,,\n"  # row 4: department
        + "KS-204,Hans,JI6,,1,2018-13-01,,external\n",  # row 5: date, exit without end
    )
    errors_out = tmp_path / "problems.csv"
    result = run("import", "staff", str(path), "--db", loaded, "--errors", str(errors_out))
    assert result.exit_code == 2
    out = result.output
    assert f"{path}: 4 problem(s); nothing was imported" in out
    assert "row 3, column fte: must be above 0 and at most 1.5" in out
    assert "row 4, column department_id: unknown" in out and "'JI9'" in out
    assert "row 5, column start_date: not a date" in out
    assert "row 5, column exit_kind: an exit needs an end_date" in out
    assert "row 2," not in out
    assert _count(loaded, "staff") == 4  # nothing written, not even the good row
    with errors_out.open(newline="", encoding="utf-8") as handle:
        problems = list(csv.DictReader(handle))
    assert [(p["file"], p["row"], p["column"]) for p in problems] == [
        (str(path), "3", "fte"),
        (str(path), "4", "department_id"),
        (str(path), "5", "exit_kind"),
        (str(path), "5", "start_date"),
    ]
    assert problems[0]["reason"] == "must be above 0 and at most 1.5"
    assert problems[2]["reason"] == "an exit needs an end_date"


def test_bad_file_in_danish(loaded: str, tmp_path: Path) -> None:
    path = write(tmp_path, "staff.csv", STAFF_HEADER + "KS-202,Finn,JI6,,2.5,2018-01-01,,\n")
    result = run("import", "staff", str(path), "--db", loaded, "--lang", "da")
    assert result.exit_code == 2
    assert f"{path}: 1 fejl; intet blev indlæst" in result.output
    # the reason too is in the reader's language now (it stayed English before gettext)
    assert "række 2, kolonne fte: skal være over 0 og højst 1,5" in result.output


def test_errors_file_holds_every_problem_beyond_those_shown(loaded: str, tmp_path: Path) -> None:
    rows = "".join(f"KS-{300 + i},Name {i},JI6,,9,2018-01-01,,\n" for i in range(60))
    path = write(tmp_path, "staff.csv", STAFF_HEADER + rows)
    errors_out = tmp_path / "problems.csv"
    result = run("import", "staff", str(path), "--db", loaded, "--errors", str(errors_out))
    assert result.exit_code == 2
    assert f"{path}: 60 problem(s); nothing was imported" in result.output
    shown = [li for li in result.output.splitlines() if ", column fte: " in li]
    assert len(shown) == 50
    assert "… and 10 more (use --errors FILE for all)" in result.output
    problems = pl.read_csv(errors_out, infer_schema=False)
    assert problems.columns == ["file", "row", "column", "reason"]
    assert problems.get_column("row").to_list() == [str(r) for r in range(2, 62)]
    assert set(problems.get_column("column")) == {"fte"}
    assert _count(loaded, "staff") == 4


CPR_NUMBERS = ("310280-1234", "010180-1233", "1502924568")


def test_cpr_numbers_never_appear_in_output(
    loaded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(rules.CPR_KEY_ENV, CPR_KEY)
    path = write(
        tmp_path,
        "citizens.csv",
        "citizen_id,cpr,origin,target_group\n"
        "C900,310280-1234,danish,integration\n"  # not a real date
        "C901,010180-1233,martian,integration\n"  # valid number, bad origin
        "C902,1502924568,western,integration\n"  # valid
        "C903,1502924568,danish,integration\n",  # the same number twice
    )
    errors_out = tmp_path / "problems.csv"
    result = run("import", "citizens", str(path), "--db", loaded, "--errors", str(errors_out))
    assert result.exit_code == 2
    assert "row 2, column cpr: not a valid CPR number" in result.output
    assert "row 3, column origin: unknown code 'martian'" in result.output
    assert "row 5, column cpr" in result.output
    written = errors_out.read_text(encoding="utf-8")
    for text in (result.output, written):
        for number in CPR_NUMBERS:
            for fragment in {number, number.replace("-", ""), number[:6]}:
                assert fragment not in text, fragment
    assert _count(loaded, "citizens") == 3


def test_cpr_without_key_is_refused_without_showing_it(loaded: str, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "citizens.csv",
        "citizen_id,cpr,origin,target_group\nC901,010180-1233,danish,integration\n",
    )
    result = run("import", "citizens", str(path), "--db", loaded)
    assert result.exit_code == 2
    assert "row 2, column cpr" in result.output
    assert "010180" not in result.output


def test_import_into_an_uninitialised_database_exits_3(db: str) -> None:
    result = run("import", "departments", str(EXAMPLES / "departments.csv"), "--db", db)
    assert result.exit_code == 3
    assert "run `caseload init` first" in result.output
    for args in (("status", "--as-of", "2018-06-30"), ("export", "--out", db + "-out")):
        assert run(*args, "--db", db).exit_code == 3, args


def test_unknown_table_exits_2(loaded: str) -> None:
    result = run("import", "salaries", str(EXAMPLES / "staff.csv"), "--db", loaded)
    assert result.exit_code == 2
    assert "Unknown table 'salaries'" in result.output
    assert "departments, teams, staff" in result.output


def test_missing_file_exits_2(loaded: str, tmp_path: Path) -> None:
    result = run("import", "staff", str(tmp_path / "nowhere.csv"), "--db", loaded)
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_bad_language_exits_2(loaded: str) -> None:
    assert run("status", "--db", loaded, "--lang", "sv").exit_code == 2


# --- status -------------------------------------------------------------------------------


def test_status_as_of_2018_06_30(loaded: str) -> None:
    result = run("status", "--db", loaded, "--as-of", "2018-06-30")
    assert result.exit_code == 0, result.output
    assert "Caseloads on 30 Jun 2018" in result.output
    departments, continuity = _tables(result.output)
    assert departments == [
        ["Department", "Role", "Professionals", "Citizens", "Mean", "Max", "Cap", "Over cap"],
        ["JI1", "coordinating caseworker", "1", "1", "1.0", "1", "130", "0"],
        ["JI6 (trial)", "company consultant", "1", "0", "0.0", "0", "50", "0"],
        ["JI6 (trial)", "coordinating caseworker", "2", "2", "1.0", "1", "40/50", "0"],
    ]
    assert "No professional is over their cap." in result.output
    # year to 2018-06-30: JI1 181 days (0.50 y), JI6 2 x 181 days (0.99 y), no changes
    assert continuity == [
        ["Department", "Changes", "Citizen-years", "Per citizen-year", "By reason"],
        ["JI1", "0", "0", "0.00", ""],
        ["JI6", "0", "1", "0.00", ""],
    ]


def test_status_after_the_handover_with_professionals(loaded: str) -> None:
    result = run("status", "--db", loaded, "--as-of", "2019-07-01", "--all")
    assert result.exit_code == 0, result.output
    departments, professionals, continuity = _tables(result.output)
    # KS-002 left on 2019-06-30; C000002 passed to KS-001
    assert departments[1:] == [
        ["JI1", "coordinating caseworker", "1", "1", "1.0", "1", "130", "0"],
        ["JI6 (trial)", "company consultant", "1", "1", "1.0", "1", "50", "0"],
        ["JI6 (trial)", "coordinating caseworker", "1", "2", "2.0", "2", "50", "0"],
    ]
    assert professionals[1:] == [
        ["KS-101", "JI1", "coordinating caseworker", "1", "130", ""],
        ["VK-001", "JI6", "company consultant", "1", "50", ""],
        ["KS-001", "JI6", "coordinating caseworker", "2", "50", ""],
    ]
    # year 2018-07-02 .. 2019-07-01, JI6: changes = VK handoff + staff_exit = 2;
    # days = 365 (C1) + 365 (C2: KS-002 364, then KS-001 1; the VK's days inside them:
    # a citizen counts once a day) = 730 -> 2.00 y
    assert continuity[1:] == [
        ["JI1", "0", "1", "0.00", ""],
        ["JI6", "2", "2", f"{2 / (730 / 365.25):.2f}", "handoff 1, staff exit 1"],
    ]
    assert continuity[2][3] == "1.00"


def test_status_of_one_department(loaded: str) -> None:
    result = run("status", "--db", loaded, "--as-of", "2018-06-30", "--department", "JI1")
    assert result.exit_code == 0
    professionals = _tables(result.output)[1]
    # KS-002 (0.8 FTE, cap 40) carries 32 under the example caseload rule (pro rata), so the
    # weighted load and capacity columns are shown
    assert professionals[0][5:7] == ["Weighted load", "Capacity"]
    assert professionals[1:] == [
        ["KS-101", "JI1", "coordinating caseworker", "1", "130", "1", "130", ""]
    ]


def test_status_lists_who_is_over_cap(loaded: str, tmp_path: Path) -> None:
    caps = write(
        tmp_path,
        "caps.csv",
        "role,department_id,staff_id,cap,start_date,end_date\n"
        "coordinating_caseworker,,KS-001,1,2019-07-01,\n",
    )
    assert run("import", "caps", str(caps), "--db", loaded).exit_code == 0
    before = run("status", "--db", loaded, "--as-of", "2019-06-30")
    assert "No professional is over their cap." in before.output
    result = run("status", "--db", loaded, "--as-of", "2019-07-01")
    assert result.exit_code == 0
    assert "Over their cap:" in result.output
    assert "KS-001 (JI6, coordinating caseworker): 2 > 1" in result.output
    assert _tables(result.output)[0][3] == [
        "JI6 (trial)",
        "coordinating caseworker",
        "1",
        "2",
        "2.0",
        "2",
        "1",
        "1",
    ]
    danish = run("status", "--db", loaded, "--as-of", "2019-07-01", "--lang", "da")
    assert "Over loftet:" in danish.output
    assert "KS-001 (JI6, koordinerende sagsbehandler): 2 > 1" in danish.output


def test_status_in_danish(loaded: str) -> None:
    result = run("status", "--db", loaded, "--as-of", "2018-06-30", "--lang", "da")
    assert result.exit_code == 0
    assert "Sagsstammer pr. 30. jun. 2018" in result.output
    departments, continuity = _tables(result.output)
    assert departments[0] == [
        "Afdeling",
        "Rolle",
        "Medarbejdere",
        "Borgere",
        "Gns.",
        "Maks.",
        "Loft",
        "Over loft",
    ]
    assert departments[3] == [
        "JI6 (forsøg)",
        "koordinerende sagsbehandler",
        "2",
        "2",
        "1,0",  # a decimal comma
        "1",
        "40/50",
        "0",
    ]
    assert continuity[0] == ["Afdeling", "Skift", "Borgerår", "Pr. borgerår", "Efter årsag"]
    assert "Ingen medarbejder er over loftet." in result.output


def test_language_from_the_environment(loaded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASELOAD_LANG", "da")
    result = run("status", "--db", loaded, "--as-of", "2018-06-30")
    assert "Sagsstammer pr. 30. jun. 2018" in result.output


def test_status_with_a_bad_date_exits_2(loaded: str) -> None:
    result = run("status", "--db", loaded, "--as-of", "30-06-2018x")
    assert result.exit_code == 2
    assert "--as-of: not a date" in result.output


# --- export -------------------------------------------------------------------------------


def test_export_parquet_writes_every_table(loaded: str, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = run("export", "--db", loaded, "--format", "parquet", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.parquet" for t in ORDER)
    for table in ORDER:
        rows = _count(loaded, table)
        assert f"{out / f'{table}.parquet'}: {rows} rows" in result.output
        data = pl.read_parquet(out / f"{table}.parquet")
        assert data.height == rows
        assert data.columns == [f.name for f in catalogue.spec(table).fields if f.kind != "cpr"]


def test_export_csv_of_chosen_tables(loaded: str, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = run("export", "--db", loaded, "--out", str(out), "--table", "staff", "--table", "caps")
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["caps.csv", "staff.csv"]
    header = (out / "staff.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == STAFF_HEADER.strip() + ",district"


def test_export_refuses_bad_format_and_unknown_tables(loaded: str, tmp_path: Path) -> None:
    bad_format = run("export", "--db", loaded, "--format", "xlsx", "--out", str(tmp_path / "a"))
    assert bad_format.exit_code == 2
    assert "--format must be one of: csv, parquet" in bad_format.output
    bad_table = run("export", "--db", loaded, "--table", "nope", "--out", str(tmp_path / "b"))
    assert bad_table.exit_code == 2
    assert "Unknown table(s): nope" in bad_table.output
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


# --- demo ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(
    demo_build: tuple[Path, Result], tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Result]:
    """A copy of the session's demo, shared by this module's demo tests, and its output."""
    template, result = demo_build
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    if template.exists():
        copy_register(template, path)
    return str(path), result


@pytest.fixture(scope="module")
def demo_engine(demo: tuple[str, Result]) -> Iterator[Engine]:
    engine = connect(demo[0])
    yield engine
    engine.dispose()


def test_demo_builds_the_trial(demo: tuple[str, Result]) -> None:
    _path, result = demo
    assert result.exit_code == 0, result.output
    assert "917 trial and 856 control" in result.output
    assert "Caseloads on 30 Jun 2019" in result.output
    assert "No professional is over their cap." in result.output


def test_demo_status_table_shows_the_trial_department_within_its_cap(
    demo: tuple[str, Result],
) -> None:
    tables = _tables(demo[1].output)
    trial_ks = [row for row in tables[0] if row[:2] == ["JI6 (trial)", "coordinating caseworker"]]
    assert len(trial_ks) == 1
    assert trial_ks[0][2] == "10"  # ten coordinating caseworkers in the trial department
    assert int(trial_ks[0][5]) <= 50 and trial_ks[0][6] == "50" and trial_ks[0][7] == "0"


def test_demo_register_matches_the_published_arms(demo_engine: Engine) -> None:
    spec = catalogue.spec("assignments")
    with demo_engine.connect() as conn:
        arms = dict(
            conn.execute(select(spec.table.c.arm, func.count()).group_by(spec.table.c.arm)).all()
        )
    assert arms == {"trial": 917, "control": 856}


def test_demo_is_one_job_centre_copenhagen(demo_engine: Engine) -> None:
    """Everything in the demo belongs to Jobcenter København (municipality number 101)."""
    j, d, c = schema.jobcentre, schema.department, schema.citizen
    with demo_engine.connect() as conn:
        centres = conn.execute(select(j.c.id, j.c.code, j.c.name)).all()
        assert [tuple(r)[1:] for r in centres] == [("101", "Jobcenter København")]
        for table in (d, c):
            held = conn.execute(select(table.c.jobcentre_id).distinct()).scalars().all()
            assert held == [centres[0].id], table.name


@pytest.mark.parametrize(
    "day", [date(2018, 1, 1), date(2018, 6, 30), date(2019, 6, 30), date(2019, 12, 31)]
)
def test_demo_trial_caseworkers_never_exceed_50(demo_engine: Engine, day: date) -> None:
    with demo_engine.connect() as conn:
        report = status(conn, day)
    trial = [c for c in report.caseloads if c.is_trial and c.role == "coordinating_caseworker"]
    assert len(trial) == 10, day
    assert {c.department for c in trial} == {"JI6"}
    assert all(c.cap == 50 for c in trial), day
    assert max(c.citizens for c in trial) <= 50, day
    assert sum(c.citizens for c in trial) > 400, day  # the caseloads are really filled
    assert [c for c in report.over_cap if c.is_trial] == []


def test_demo_again_without_fresh_exits_3(demo: tuple[str, Result], demo_engine: Engine) -> None:
    path, _ = demo
    with demo_engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(catalogue.spec("citizens").table))
        citizens = before.scalar_one()
    result = run("demo", "--db", path)
    assert result.exit_code == 3
    assert "already holds a register; use --fresh to rebuild it." in result.output
    with demo_engine.connect() as conn:
        after = conn.execute(select(func.count()).select_from(catalogue.spec("citizens").table))
        assert after.scalar_one() == citizens


def test_demo_refuses_too_few_citizens(tmp_path: Path) -> None:
    result = run("demo", "--db", str(tmp_path / "small.sqlite"), "--citizens", "50")
    assert result.exit_code == 2
    assert "--citizens must be at least 100" in result.output
    assert not (tmp_path / "small.sqlite").exists()


def test_a_cpr_number_as_an_id_or_in_free_text_is_refused_and_never_echoed(
    loaded: str, tmp_path: Path
) -> None:
    """Issue 10: a citizen_id or staff_id shaped like a CPR number used to be stored and
    exported, and 'unknown citizen …' repeated it."""
    citizens = write(
        tmp_path,
        "citizens.csv",
        "citizen_id,origin,target_group\n"
        "010180-1234,danish,integration\n"  # a CPR number as the id
        "C950,danish,integration\n",
    )
    orders = write(
        tmp_path,
        "orders.csv",
        "order_id,citizen_id,staff_id,supplier,purpose,activities,report_every_days,"
        "start_date,end_date\n"
        "O9,0202802345,KS-001,Job ApS,clarify,talked to 311299-4321 about it,30,2018-02-01,\n",
    )
    before = _count(loaded, "citizens")
    for lang in ("en", "da"):
        for table, path in (("citizens", citizens), ("orders", orders)):
            errors_out = tmp_path / f"problems-{table}-{lang}.csv"
            result = run(
                "import",
                table,
                str(path),
                "--db",
                loaded,
                "--errors",
                str(errors_out),
                "--lang",
                lang,
            )
            assert result.exit_code == 2
            shown = result.output + errors_out.read_text(encoding="utf-8")
            assert "CPR" in shown
            for fragment in ("010180", "0202802345", "020280", "311299", "4321"):
                assert fragment not in shown, fragment
    assert (
        "row 2, column citizen_id"
        in run("import", "citizens", str(citizens), "--db", loaded).output
    )
    assert _count(loaded, "citizens") == before  # nothing stored, not even row 3


def test_import_of_danish_excels_csv_says_how_it_was_read(loaded: str, tmp_path: Path) -> None:
    path = tmp_path / "departments.csv"
    path.write_bytes((EXAMPLES / "departments.csv").read_text(encoding="utf-8").encode("cp1252"))
    english = run("import", "departments", str(path), "--db", loaded)
    assert english.exit_code == 0, english.output
    assert "not UTF-8" not in english.output  # plain ASCII is valid UTF-8: nothing to say
    path.write_bytes(
        "staff_id;name;department_id;team_id;fte;start_date;district\n"
        "KS-777;Søren Ærø;JI6;JI6-A;1;2018-01-01;Nørrebro\n".encode("cp1252")
    )
    for lang, said in (("en", "is not UTF-8: read as Windows-1252"), ("da", "er ikke UTF-8")):
        result = run("import", "staff", str(path), "--db", loaded, "--lang", lang)
        assert result.exit_code == 0, result.output
        assert said in result.output
    forced = run("import", "staff", str(path), "--db", loaded, "--encoding", "utf-8")
    assert forced.exit_code == 2
    assert "line 2 cannot be read as utf-8" in forced.output


def test_a_mistyped_table_name_suggests_the_nearest(db: str, tmp_path: Path) -> None:
    path = write(tmp_path, "staff.csv", "staff_id\nKS-1\n")
    english = run("import", "staf", str(path), "--db", db)
    assert english.exit_code == 2
    assert "Unknown table 'staf'; did you mean 'staff'?" in english.output
    danish = run("import", "staf", str(path), "--db", db, "--lang", "da")
    assert "mente du 'staff'?" in danish.output
    hidden = run("import", "010180-1234", str(path), "--db", db)
    assert hidden.exit_code == 2 and "010180" not in hidden.output


@pytest.mark.postgres
def test_a_postgresql_database_that_does_not_exist_is_one_line(
    postgres_server: Engine,
) -> None:
    url = postgres_server.url.set(database="caseload_no_such_db").render_as_string(
        hide_password=False
    )
    result = run("status", "--db", url)
    said = " ".join(result.output.split())  # the console wraps long lines
    assert result.exit_code == 3
    assert said.startswith("Cannot open the database")
    assert 'database "caseload_no_such_db" does not exist' in said
    assert "Traceback" not in said
