"""Job centres in the import: the jobcentres table, the optional jobcentre column of
departments and citizens, a CPR number judged within a job centre, and the export's round
trip; on SQLite and PostgreSQL alike."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from caseload.domain import cpr
from caseload.register import catalogue, importer, jobcentres, rules
from caseload.register.export import export
from caseload.register.problems import ImportRejected, Problem
from caseload.store import schema
from caseload.store.database import connect
from tests.conftest import EXAMPLES
from tests.helpers import copy_register, write

CPR_KEY = "0f" * 32
NUMBER = "010180-1233"
FRAGMENTS = ("010180", "0101801233", "1233")
CITIZENS = "citizen_id,cpr,origin,target_group,jobcentre\n"
TWO_CENTRES = "jobcentre_id,name\n101,Jobcenter København\n751,Jobcenter Aarhus\n"


@pytest.fixture
def cpr_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(rules.CPR_KEY_ENV, CPR_KEY)


def _import(engine: Engine, tmp_path: Path, table: str, text: str) -> importer.ImportResult:
    return importer.import_file(engine, table, write(tmp_path, f"{table}.csv", text))


def _rejected(engine: Engine, tmp_path: Path, table: str, text: str) -> list[Problem]:
    path = write(tmp_path, f"{table}.csv", text)
    with pytest.raises(ImportRejected) as caught:
        importer.import_file(engine, table, path)
    assert all(p.file == str(path) for p in caught.value.problems)
    return caught.value.problems


def _centres(engine: Engine) -> list[tuple[str, str]]:
    j = schema.jobcentre
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(j.c.code, j.c.name).order_by(j.c.id))]


def _centre_of(engine: Engine, table: str) -> dict[str, str]:
    """Each row's code and its job centre's code."""
    t, j = catalogue.spec(table).table, schema.jobcentre
    with engine.connect() as conn:
        found = conn.execute(
            select(t.c.code, j.c.code).join(j, j.c.id == t.c.jobcentre_id).order_by(t.c.id)
        )
        return dict(found.tuples().all())


def _said(found: list[Problem]) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.reason) for p in found]


def _never_the_number(found: list[Problem], error: Any = None) -> None:
    shown = " ".join([*(str(p) for p in found), str(error or "")])
    assert not any(fragment in shown for fragment in FRAGMENTS), shown


# --- one job centre: the column may be left out ---------------------------------------------


def test_a_register_without_job_centres_gets_the_default_with_its_first_rows(
    engine: Engine,
) -> None:
    importer.import_file(engine, "departments", EXAMPLES / "departments.csv")
    importer.import_file(engine, "citizens", EXAMPLES / "citizens.csv")
    assert _centres(engine) == [(jobcentres.DEFAULT_CODE, jobcentres.DEFAULT_NAME)]
    assert set(_centre_of(engine, "departments").values()) == {jobcentres.DEFAULT_CODE}
    assert set(_centre_of(engine, "citizens").values()) == {jobcentres.DEFAULT_CODE}


def test_a_refused_file_adds_no_job_centre(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All or nothing: the default made for a file's rows goes with the file when a check
    after it (here the new register's key length) refuses it."""
    monkeypatch.setenv(rules.CPR_KEY_ENV, "short")
    found = _rejected(engine, tmp_path, "citizens", CITIZENS + f"C1,{NUMBER},danish,integration,\n")
    assert [(p.row, p.column) for p in found] == [(2, "cpr")]
    assert "too short" in found[0].reason
    _never_the_number(found)
    assert _centres(engine) == []
    assert _centre_of(engine, "citizens") == {}


def test_a_header_only_file_adds_no_job_centre(engine: Engine, tmp_path: Path) -> None:
    assert _import(engine, tmp_path, "departments", "department_id,name\n").inserted == 0
    assert _centres(engine) == []


def test_rows_naming_no_job_centre_belong_to_the_registers_one(
    engine: Engine, tmp_path: Path
) -> None:
    importer.import_file(engine, "jobcentres", EXAMPLES / "jobcentres.csv")
    result = _import(
        engine,
        tmp_path,
        "departments",
        "department_id,name,jobcentre\nJI1,One,\nJI2,Two,101\n",
    )
    assert result.inserted == 2
    importer.import_file(engine, "citizens", EXAMPLES / "citizens.csv")  # no such column
    assert _centres(engine) == [("101", "Jobcenter København")]
    assert _centre_of(engine, "departments") == {"JI1": "101", "JI2": "101"}
    assert set(_centre_of(engine, "citizens").values()) == {"101"}


def test_reimport_with_or_without_the_column_changes_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    importer.import_file(engine, "jobcentres", EXAMPLES / "jobcentres.csv")
    _import(engine, tmp_path, "departments", "department_id,name,jobcentre\nJI1,One,101\n")
    again = _import(engine, tmp_path, "departments", "department_id,name\nJI1,One\n")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    renamed = _import(engine, tmp_path, "jobcentres", "jobcentre_id,name\n101,København\n")
    assert (renamed.inserted, renamed.updated) == (0, 1)
    assert _centres(engine) == [("101", "København")]


# --- several job centres: every row names its own -------------------------------------------


def test_rows_name_their_job_centre(engine: Engine, tmp_path: Path) -> None:
    _import(engine, tmp_path, "jobcentres", TWO_CENTRES)
    _import(
        engine,
        tmp_path,
        "departments",
        "department_id,name,jobcentre\nKBH1,København 1,101\nAAR1,Aarhus 1,751\n",
    )
    _import(
        engine,
        tmp_path,
        "citizens",
        "citizen_id,birth_date,sex,origin,target_group,jobcentre\n"
        "C1,1980-01-01,male,danish,integration,101\n"
        "C2,1980-01-01,male,danish,integration,751\n",
    )
    assert _centre_of(engine, "departments") == {"KBH1": "101", "AAR1": "751"}
    assert _centre_of(engine, "citizens") == {"C1": "101", "C2": "751"}


def test_an_empty_job_centre_is_refused_when_there_are_several(
    engine: Engine, tmp_path: Path
) -> None:
    _import(engine, tmp_path, "jobcentres", TWO_CENTRES)
    found = _rejected(
        engine,
        tmp_path,
        "departments",
        "department_id,name,jobcentre\nKBH1,København 1,101\nX,No centre,\nAAR1,Aarhus 1,751\n",
    )
    reason = "empty: the register has 2 job centres, so every row must name its job centre"
    assert _said(found) == [(3, "jobcentre", reason)]
    assert "departments.csv: row 3, column jobcentre: empty" in str(found[0])
    # a file without the column: said once, on the header row
    found = _rejected(
        engine,
        tmp_path,
        "citizens",
        "citizen_id,birth_date,sex,origin,target_group\nC1,1980-01-01,male,danish,integration\n",
    )
    assert _said(found) == [
        (
            1,
            "jobcentre",
            "missing column: the register has 2 job centres, so every row must name its job centre",
        )
    ]
    assert _centre_of(engine, "departments") == {}
    assert _centre_of(engine, "citizens") == {}


def test_an_unknown_job_centre_is_refused(engine: Engine, tmp_path: Path) -> None:
    # before any job centre is imported, only the default may be named (or none)
    found = _rejected(
        engine, tmp_path, "departments", "department_id,name,jobcentre\nJI1,One,101\nJI2,Two,\n"
    )
    assert _said(found) == [(2, "jobcentre", "unknown job centre '101'")]
    assert _centres(engine) == []  # the default was not added for a refused file
    _import(engine, tmp_path, "jobcentres", TWO_CENTRES)
    found = _rejected(
        engine,
        tmp_path,
        "citizens",
        "citizen_id,birth_date,sex,origin,target_group,jobcentre\n"
        "C1,1980-01-01,male,danish,integration,101\n"
        "C2,1980-01-01,male,danish,integration,999\n",
    )
    assert _said(found) == [(3, "jobcentre", "unknown job centre '999'")]
    assert _centre_of(engine, "citizens") == {}


# --- a CPR number within a job centre ------------------------------------------------------


def test_the_same_cpr_in_two_job_centres_is_two_citizens(
    engine: Engine, tmp_path: Path, cpr_key: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _import(engine, tmp_path, "jobcentres", TWO_CENTRES)
    result = _import(
        engine,
        tmp_path,
        "citizens",
        CITIZENS + f"C1,{NUMBER},danish,integration,101\nC2,{NUMBER},danish,integration,751\n",
    )
    assert result.inserted == 2
    citizen = schema.citizen
    with engine.connect() as conn:
        hashes = dict(conn.execute(select(citizen.c.code, citizen.c.cpr_hash)).tuples().all())
    assert hashes == dict.fromkeys(("C1", "C2"), cpr.keyed_hash(NUMBER, CPR_KEY.encode()))
    # and a third citizen with it, in one of them, is refused across imports
    found = _rejected(
        engine, tmp_path, "citizens", CITIZENS + f"C3,{NUMBER},danish,integration,751\n"
    )
    assert _said(found) == [(2, "cpr", "already registered for citizen C2")]
    _never_the_number(found)
    assert not any(fragment in caplog.text for fragment in FRAGMENTS)


def test_the_same_cpr_twice_in_one_job_centre_is_refused(
    engine: Engine, tmp_path: Path, cpr_key: None
) -> None:
    importer.import_file(engine, "jobcentres", EXAMPLES / "jobcentres.csv")
    # the register's one job centre, named in one row and left empty in the other
    path = write(
        tmp_path,
        "citizens.csv",
        CITIZENS + f"C1,{NUMBER},danish,integration,101\nC2,0101801233,danish,integration,\n",
    )
    with pytest.raises(ImportRejected) as caught:
        importer.import_file(engine, "citizens", path)
    found = caught.value.problems
    assert _said(found) == [(3, "cpr", "same CPR number as row 2")]
    assert str(found[0]) == f"{path}: row 3, column cpr: same CPR number as row 2"
    _never_the_number(found, caught.value)
    assert _centre_of(engine, "citizens") == {}


# --- export and import again ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_and_import_keep_the_job_centres(
    engine: Engine, tmp_path: Path, sqlite_template: Path, fmt: str
) -> None:
    _import(engine, tmp_path, "jobcentres", TWO_CENTRES)
    _import(
        engine,
        tmp_path,
        "departments",
        "department_id,name,jobcentre\nKBH1,København 1,101\nAAR1,Aarhus 1,751\n",
    )
    _import(
        engine,
        tmp_path,
        "citizens",
        "citizen_id,birth_date,sex,origin,target_group,jobcentre\n"
        "C1,1980-01-01,male,danish,integration,751\n"
        "C2,1981-01-01,female,danish,integration,101\n",
    )
    tables = ["jobcentres", "departments", "citizens"]
    with engine.connect() as conn:
        written = export(conn, tmp_path / "out", fmt, tables)
    assert written == {"jobcentres": 2, "departments": 2, "citizens": 2}
    elsewhere = connect(copy_register(sqlite_template, tmp_path / "elsewhere.sqlite"))
    try:
        for table in tables:
            result = importer.import_file(elsewhere, table, tmp_path / "out" / f"{table}.{fmt}")
            assert result.inserted == 2, table
        assert _centres(elsewhere) == _centres(engine)
        for table in ("departments", "citizens"):
            assert _centre_of(elsewhere, table) == _centre_of(engine, table)
        # and into the register it came from, as a no-op
        for table in tables:
            result = importer.import_file(engine, table, tmp_path / "out" / f"{table}.{fmt}")
            assert (result.inserted, result.updated, result.unchanged) == (0, 0, 2), table
    finally:
        elsewhere.dispose()
