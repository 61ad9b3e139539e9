"""A municipality's first day: its own workbooks (the sheet that holds the data), a
PostgreSQL database made by `caseload init --create`, and refusals that name the problem."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, text

from caseload.register import readers
from caseload.register.problems import ImportRejected
from caseload.store.database import connect, create_database
from caseload.store.migrate import head_revision
from tests.conftest import EXAMPLES
from tests.helpers import run


def _one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A real .xlsx file with these sheets, in this order (a sheet's rows may be none)."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _staff_rows() -> list[list[object]]:
    with (EXAMPLES / "staff.csv").open(encoding="utf-8") as f:
        return [list(row) for row in csv.reader(f)]


# --- workbooks: which sheet ------------------------------------------------------------------


def test_data_on_a_later_sheet_is_named_with_how_to_choose(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "medarbejdere.xlsx",
        {"Forside": [], "Medarbejdere": _staff_rows(), "Noter": [[None, "  "]]},
    )
    with pytest.raises(ImportRejected) as caught:
        readers.read(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column) == (str(path), 0, "-")
    assert problem.reason == (
        "the first sheet, 'Forside', is empty; the data is on 'Medarbejdere': add --sheet "
        "'Medarbejdere' to the command"
    )
    frame = readers.read(path, sheet="Medarbejdere")
    assert frame.height == 4
    assert frame.get_column("staff_id").to_list() == ["KS-001", "KS-002", "VK-001", "KS-101"]
    assert frame.get_column(readers.ROW).to_list() == [2, 3, 4, 5]


def test_a_sheet_that_does_not_exist_lists_the_sheets(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "staff.xlsx", {"Ark1": _staff_rows(), "Ark2": []})
    with pytest.raises(ImportRejected) as caught:
        readers.read(path, sheet="Staff")
    assert [p.reason for p in caught.value.problems] == [
        "the workbook has no sheet 'Staff'; its sheets: 'Ark1', 'Ark2'"
    ]
    with pytest.raises(ImportRejected) as caught:
        readers.read(path, sheet="Ark2")
    assert [p.reason for p in caught.value.problems] == [
        "the sheet 'Ark2' is empty; the workbook's sheets: 'Ark1', 'Ark2'"
    ]


def test_an_empty_workbook_says_so(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "staff.xlsx", {"Sheet": [], "Ark2": [[None, None]]})
    with pytest.raises(ImportRejected) as caught:
        readers.read(path)
    assert [p.reason for p in caught.value.problems] == [
        "the workbook is empty: none of its sheets ('Sheet', 'Ark2') holds a cell"
    ]


def test_sheet_for_a_csv_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as caught:
        readers.read(EXAMPLES / "staff.csv", sheet="Ark1")
    assert [p.reason for p in caught.value.problems] == [
        "only an .xlsx workbook has sheets: leave out --sheet 'Ark1'"
    ]


def test_import_sheet_from_the_command_line(migrated_url: str, tmp_path: Path) -> None:
    """The refusal is one line in the reader's language; --sheet then imports the rows."""
    for table in ("departments", "teams"):
        done = run("import", table, str(EXAMPLES / f"{table}.csv"), "--db", migrated_url)
        assert done.exit_code == 0, done.output
    path = _workbook(tmp_path / "staff.xlsx", {"Forside": [], "Medarbejdere": _staff_rows()})
    refused = run("import", "staff", str(path), "--db", migrated_url)
    assert refused.exit_code == 2
    assert _one_line(refused.output) == (
        f"{path}: the first sheet, 'Forside', is empty; the data is on 'Medarbejdere': add "
        "--sheet 'Medarbejdere' to the command"
    )
    danish = run("import", "staff", str(path), "--db", migrated_url, "--lang", "da")
    assert _one_line(danish.output) == (
        f"{path}: det første ark, 'Forside', er tomt; dataene står på 'Medarbejdere': tilføj "
        "--sheet 'Medarbejdere' til kommandoen"
    )
    missing = run("import", "staff", str(path), "--db", migrated_url, "--sheet", "Staff")
    assert missing.exit_code == 2
    assert _one_line(missing.output).endswith(
        "the workbook has no sheet 'Staff'; its sheets: 'Forside', 'Medarbejdere'"
    )
    done = run("import", "staff", str(path), "--db", migrated_url, "--sheet", "Medarbejdere")
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "staff: 4 inserted, 0 updated, 0 unchanged"
    # the workbook holds the very rows of the CSV example
    again = run("import", "staff", str(EXAMPLES / "staff.csv"), "--db", migrated_url)
    assert again.output.strip() == "staff: 0 inserted, 0 updated, 4 unchanged"


def test_a_missing_file_is_one_line(migrated_url: str, tmp_path: Path) -> None:
    result = run("import", "staff", str(tmp_path / "nowhere.xlsx"), "--db", migrated_url)
    assert result.exit_code == 2
    assert _one_line(result.output) == f"{tmp_path / 'nowhere.xlsx'}: file not found"


# --- caseload init --create ------------------------------------------------------------------


@pytest.fixture
def missing_postgres_db(postgres_server: Engine) -> Iterator[tuple[str, str]]:
    """(URL, name) of a PostgreSQL database that does not exist yet, with a name that needs
    quoting; dropped after the test."""
    name = f'caseload_test_New-"{uuid.uuid4().hex[:8]}"'
    url = postgres_server.url.set(database=name).render_as_string(hide_password=False)
    yield url, name
    with postgres_server.connect() as conn:
        quoted = conn.dialect.identifier_preparer.quote_identifier(name)
        conn.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))


def _exists(admin: Engine, name: str) -> bool:
    with admin.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        return found.first() is not None


@pytest.mark.postgres
def test_init_create_makes_the_postgresql_database_then_migrates(
    postgres_server: Engine, missing_postgres_db: tuple[str, str]
) -> None:
    url, name = missing_postgres_db
    without = run("init", "--db", url)
    assert without.exit_code == 3
    said = _one_line(without.output)
    assert said.startswith("Cannot open the database postgresql+psycopg://")
    assert f'database "{name}" does not exist' in said
    assert said.endswith("Start the server, or create the database with `caseload init --create`.")
    assert "Traceback" not in without.output
    assert not _exists(postgres_server, name)

    created = run("init", "--db", url, "--create")
    assert created.exit_code == 0, created.output
    assert created.output.splitlines()[0] == f"Created the database {name}"
    assert f"(schema {head_revision()})" in created.output
    assert _exists(postgres_server, name)
    engine = connect(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
            head_revision()
        )
        assert conn.execute(text("SELECT count(*) FROM department")).scalar_one() == 0
    engine.dispose()

    again = run("init", "--db", url, "--create", "--lang", "da")
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[0] == f"Databasen {name} findes allerede"
    assert create_database(url) is False
    # the register is usable at once
    imported = run("import", "departments", str(EXAMPLES / "departments.csv"), "--db", url)
    assert imported.output.strip() == "departments: 2 inserted, 0 updated, 0 unchanged"


@pytest.mark.postgres
def test_init_create_names_an_unreachable_server_in_one_line(postgres_server: Engine) -> None:
    url = postgres_server.url.set(port=1, database="caseload_x", password="s3cret")
    result = run("init", "--db", url.render_as_string(hide_password=False), "--create")
    assert result.exit_code == 3
    said = _one_line(result.output)
    assert said.startswith("Cannot open the database postgresql+psycopg://postgres:***@")
    assert "s3cret" not in said and "Traceback" not in said


def test_init_create_on_sqlite_is_harmless(tmp_path: Path) -> None:
    db = tmp_path / "new" / "register.sqlite"
    first = run("init", "--db", str(db), "--create")
    assert first.exit_code == 0, first.output
    assert first.output.strip() == f"Register ready at sqlite:///{db} (schema {head_revision()})"
    assert db.exists()
    assert create_database(str(db)) is None
    second = run("init", "--db", str(db), "--create")
    assert second.exit_code == 0
    assert second.output == first.output


# --- refusals that name the problem -----------------------------------------------------------


def test_an_import_names_each_problem_alike_on_both_databases(
    migrated_url: str, tmp_path: Path
) -> None:
    """A duplicate key within the file, a reference to an unknown row, a value outside its
    range, an end before the start, a code outside its list, text longer than the register
    holds: each with its row and column, never a clash with a stored row or a database's
    words (PostgreSQL would otherwise fail on the long text, SQLite store it)."""
    for table in ("departments", "teams"):
        assert (
            run("import", table, str(EXAMPLES / f"{table}.csv"), "--db", migrated_url).exit_code
            == 0
        )
    header = "staff_id,name,department_id,team_id,fte,start_date,end_date,exit_kind,district\n"
    path = tmp_path / "staff.csv"
    path.write_text(
        header
        + "KS-001,Anna,JI6,JI6-A,1.0,2017-08-01,,,Nørrebro\n"
        + "KS-001,Anna,JI6,JI6-A,1.0,2017-08-01,,,Nørrebro\n"
        + "KS-003,Bo,JI9,JI6-A,1,2017-01-01,,,\n"
        + "KS-004,Cy,JI6,JI6-A,2,2017-01-01,,,\n"
        + "KS-005,Di,JI6,JI6-A,1,2018-01-01,2017-01-01,external,\n"
        + "KS-006,Ed,JI6,JI6-A,1,2017-01-01,2018-01-01,fired,\n"
        + "KS-007,Fa,JI6,JI6-A,1,2017-01-01,,,"
        + "N" * 70
        + "\n",
        encoding="utf-8",
    )
    english = run("import", "staff", str(path), "--db", migrated_url)
    assert english.exit_code == 2
    assert english.output.splitlines() == [
        f"{path}: 6 problem(s); nothing was imported",
        "  row 3, column staff_id: same natural key (staff_id) as row 2",
        "  row 4, column department_id: unknown department 'JI9'",
        "  row 5, column fte: must be above 0 and at most 1.5",
        "  row 6, column end_date: end_date is before start_date",
        "  row 7, column exit_kind: unknown code 'fired'; expected one of: external, internal",
        "  row 8, column district: longer than the 64 characters the register holds",
    ]
    danish = run("import", "staff", str(path), "--db", migrated_url, "--lang", "da")
    assert danish.output.splitlines()[1:3] == [
        "  række 3, kolonne staff_id: samme naturlige nøgle (staff_id) som række 2",
        "  række 4, kolonne department_id: ukendt afdeling 'JI9'",
    ]
    assert danish.output.splitlines()[-1] == (
        "  række 8, kolonne district: længere end de 64 tegn, registret rummer"
    )
    caps = tmp_path / "caps.csv"
    caps.write_text(
        "role,department_id,staff_id,cap,start_date,end_date\n"
        "coordinating_caseworker,JI6,,9999999999,2018-01-01,\n",
        encoding="utf-8",
    )
    refused = run("import", "caps", str(caps), "--db", migrated_url)
    assert refused.exit_code == 2
    assert refused.output.splitlines()[1] == (
        "  row 2, column cap: too large: the register holds whole numbers up to 2147483647"
    )
    assert "clashes" not in english.output + refused.output
    assert "Traceback" not in english.output + refused.output
