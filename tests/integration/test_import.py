"""Importing files into the register: all or nothing, every problem reported, safe to re-run."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select, update

from caseload.domain import cpr
from caseload.register import catalogue, importer, rules
from caseload.register.problems import ImportRejected, Problem
from caseload.store import schema
from tests.conftest import EXAMPLES
from tests.helpers import jobcentre_id, write

CPR_KEY = "0f" * 32  # 32 bytes, as hexadecimal: the shortest key a new register takes
ORDER = [spec.name for spec in catalogue.SPECS]


# --- helpers -------------------------------------------------------------------------------


def _example(table: str) -> Path:
    return EXAMPLES / f"{table}.csv"


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(catalogue.spec(table).table)
        ).scalar_one()


def _counts(engine: Engine) -> dict[str, int]:
    return {name: _count(engine, name) for name in ORDER}


def _rows(engine: Engine, table: str) -> list[dict[str, Any]]:
    db_table = catalogue.spec(table).table
    with engine.connect() as conn:
        result = conn.execute(select(db_table).order_by(db_table.c.id))
        return [dict(row._mapping) for row in result]


def _by_code(engine: Engine, table: str) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in _rows(engine, table)}


def _load(engine: Engine, *tables: str) -> None:
    for table in tables:
        importer.import_file(engine, table, _example(table))


def _load_before(engine: Engine, table: str) -> None:
    """Import every example that ``table`` may refer to (everything earlier in load order)."""
    _load(engine, *ORDER[: ORDER.index(table)])


def _rejected(engine: Engine, table: str, path: Path) -> list[Problem]:
    with pytest.raises(ImportRejected) as caught:
        importer.import_file(engine, table, path)
    assert caught.value.file == str(path)
    assert all(p.file == str(path) for p in caught.value.problems)
    return caught.value.problems


def _where(found: list[Problem]) -> list[tuple[int, str]]:
    return [(p.row, p.column) for p in found]


def _reason(found: list[Problem], row: int, column: str) -> str:
    reasons = [p.reason for p in found if (p.row, p.column) == (row, column)]
    assert len(reasons) == 1, (row, column, found)
    return reasons[0]


def _staff_ids(engine: Engine) -> dict[str, int]:
    return {code: row["id"] for code, row in _by_code(engine, "staff").items()}


def _citizen_ids(engine: Engine) -> dict[str, int]:
    return {code: row["id"] for code, row in _by_code(engine, "citizens").items()}


def _sqlite_path(engine: Engine) -> Path:
    assert engine.dialect.name == "sqlite"
    database = engine.url.database
    assert database
    return Path(database)


def _settled_sha256(engine: Engine) -> str:
    """Hash of the SQLite file once every connection is closed and the WAL folded in."""
    path = _sqlite_path(engine)
    engine.dispose()
    raw = sqlite3.connect(path)
    try:
        busy, _log, _done = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
    finally:
        raw.close()
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def cpr_key(monkeypatch: pytest.MonkeyPatch) -> bytes:
    monkeypatch.setenv(rules.CPR_KEY_ENV, CPR_KEY)
    return CPR_KEY.encode()


# --- the examples: counts and re-import ----------------------------------------------------


def test_every_table_has_an_example() -> None:
    assert sorted(p.stem for p in EXAMPLES.glob("*.csv")) == sorted(ORDER)


def test_examples_import_with_expected_counts(engine: Engine) -> None:
    for table in ORDER:
        expected = len(_csv_rows(_example(table)))
        assert expected > 0, table
        result = importer.import_file(engine, table, _example(table))
        assert result == importer.ImportResult(table, expected, 0, 0), table
        assert result.changed
        assert _count(engine, table) == expected, table


def test_reimporting_examples_changes_nothing(engine: Engine) -> None:
    _load(engine, *ORDER)
    counts = _counts(engine)
    before = {table: _rows(engine, table) for table in ORDER}
    for table in ORDER:
        result = importer.import_file(engine, table, _example(table))
        assert result == importer.ImportResult(table, 0, 0, counts[table]), table
        assert not result.changed
    assert _counts(engine) == counts
    assert {table: _rows(engine, table) for table in ORDER} == before


def test_examples_resolve_references(engine: Engine) -> None:
    _load(engine, *ORDER)
    staff = _by_code(engine, "staff")
    departments = {code: row["id"] for code, row in _by_code(engine, "departments").items()}
    teams = {code: row["id"] for code, row in _by_code(engine, "teams").items()}
    assert staff["KS-101"]["department_id"] == departments["JI1"]
    assert staff["KS-101"]["team_id"] == teams["JI1-A"]
    assert staff["KS-002"]["fte"] == pytest.approx(0.8)
    assert staff["KS-002"]["start_date"] == dt.date(2017, 9, 1)
    assert staff["KS-002"]["exit_kind"] == "external"
    # absence: days and term default from the period when the cells are empty
    absence = {row["start_date"]: row for row in _rows(engine, "absence")}
    assert absence[dt.date(2018, 5, 1)]["days"] == 4 and absence[dt.date(2018, 5, 1)]["term"] == (
        "short"
    )
    assert absence[dt.date(2018, 9, 3)]["days"] == 30  # Mon 3 Sep .. Fri 12 Oct: six weeks
    assert absence[dt.date(2018, 9, 3)]["term"] == "long"
    # paid hours: any day of the month is stored as the first
    months = sorted(row["month"] for row in _rows(engine, "paid_hours"))
    assert months == [dt.date(2018, 9, 1), dt.date(2018, 10, 1)]
    # caps: job-centre wide, department and person scope
    caps = {
        (r["department_id"], r["professional_id"]): r["cap"]
        for r in _rows(engine, "caps")
        if r["role"] == "coordinating_caseworker"
    }
    assert caps == {
        (None, None): 130,
        (departments["JI6"], None): 50,
        (None, staff["KS-002"]["id"]): 40,
    }


def test_header_only_file_imports_nothing(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "departments.csv", "department_id,name,is_trial,role_model\n")
    assert importer.import_file(engine, "departments", path) == importer.ImportResult(
        "departments", 0, 0, 0
    )
    assert _count(engine, "departments") == 0


# --- updates -------------------------------------------------------------------------------


def test_changed_value_updates_exactly_that_row(engine: Engine, tmp_path: Path) -> None:
    _load(engine, "departments", "teams", "staff")
    before = _by_code(engine, "staff")
    text = _example("staff").read_text(encoding="utf-8").replace("Bo Berg", "Bo Bergmann")
    result = importer.import_file(engine, "staff", write(tmp_path, "staff.csv", text))
    assert result == importer.ImportResult("staff", 0, 1, 3)
    after = _by_code(engine, "staff")
    assert after["KS-002"]["name"] == "Bo Bergmann"
    assert after["KS-002"]["id"] == before["KS-002"]["id"]
    assert {k: v for k, v in after["KS-002"].items() if k != "name"} == {
        k: v for k, v in before["KS-002"].items() if k != "name"
    }
    for code in ("KS-001", "VK-001", "KS-101"):
        assert after[code] == before[code]
    assert _count(engine, "staff") == 4


def test_changed_date_and_number_update(engine: Engine, tmp_path: Path) -> None:
    _load(engine, "departments", "teams", "staff")
    path = write(
        tmp_path,
        "staff.csv",
        "staff_id,name,department_id,team_id,fte,start_date,end_date,exit_kind\n"
        'KS-001,Anna Holm,JI6,JI6-A,"0,5",2017-08-01,31-12-2019,internal\n',
    )
    assert importer.import_file(engine, "staff", path) == importer.ImportResult("staff", 0, 1, 0)
    row = _by_code(engine, "staff")["KS-001"]
    assert row["fte"] == pytest.approx(0.5)
    assert row["end_date"] == dt.date(2019, 12, 31)
    assert row["exit_kind"] == "internal"


def test_new_and_changed_rows_in_one_file(engine: Engine, tmp_path: Path) -> None:
    _load(engine, "departments")
    path = write(
        tmp_path,
        "departments.csv",
        "department_id,name,is_trial,role_model\n"
        "JI1,JKI Job og Indsats 1,ja,buddy_pair\n"
        "JI6,JKI Job og Indsats 6 (trial),true,all_apart\n"
        "JI7,JKI Job og Indsats 7,nej,all inclusive\n",
    )
    result = importer.import_file(engine, "departments", path)
    assert result == importer.ImportResult("departments", 1, 1, 1)
    rows = _by_code(engine, "departments")
    assert rows["JI1"]["is_trial"] is True and rows["JI1"]["role_model"] == "buddy_pair"
    assert rows["JI7"]["is_trial"] is False and rows["JI7"]["role_model"] == "all_inclusive"
    assert sorted(r["id"] for r in rows.values()) == [1, 2, 3]


def test_ids_stay_unique_alongside_plain_inserts(engine: Engine, tmp_path: Path) -> None:
    """Reserved ids and the backend's own id generation must not collide."""
    _load(engine, "departments")
    with engine.begin() as conn:
        conn.execute(
            insert(schema.department).values(
                code="X1",
                name="X1",
                is_trial=False,
                role_model="all_apart",
                jobcentre_id=jobcentre_id(conn),
            )
        )
    path = write(tmp_path, "departments.csv", "department_id,name\nJI8,Eight\nJI9,Nine\n")
    assert importer.import_file(engine, "departments", path).inserted == 2
    with engine.begin() as conn:
        conn.execute(
            insert(schema.department).values(
                code="X2",
                name="X2",
                is_trial=False,
                role_model="all_apart",
                jobcentre_id=jobcentre_id(conn),
            )
        )
    ids = {code: row["id"] for code, row in _by_code(engine, "departments").items()}
    assert len(set(ids.values())) == 6
    assert ids["X1"] == 3 and ids["JI8"] == 4 and ids["JI9"] == 5 and ids["X2"] == 6


# --- every problem at once, nothing written ------------------------------------------------


def test_bad_citizens_file_reports_every_problem(
    engine: Engine, tmp_path: Path, cpr_key: bytes
) -> None:
    _load(engine, "citizens")
    path = write(
        tmp_path,
        "citizens.csv",
        "citizen_id,cpr,birth_date,sex,origin,target_group,district,public_benefit_since\n"
        "C100,010180-1233,,,danish,integration,Valby,2016-01-01\n"  # 2 fine
        "C101,310280-1234,,,western,integration,,\n"  # 3 bad cpr
        "C102,,1970-01-01,female,martian,integration,,\n"  # 4 origin
        "C103,,1970-02-30,male,danish,integration,,\n"  # 5 date
        "C104,,1970-01-01,female,danish,,,\n"  # 6 missing
        "C105,,,,danish,integration,,\n"  # 7 no traits
        "C106,,1970-01-01,female,danish,integration,,01/02/2016\n",
    )  # 8 date fmt
    found = _rejected(engine, "citizens", path)
    assert sorted(set(_where(found))) == [
        (3, "cpr"),
        (4, "origin"),
        (5, "birth_date"),
        (6, "target_group"),
        (7, "birth_date"),
        (7, "sex"),
        (8, "public_benefit_since"),
    ]
    assert _reason(found, 3, "cpr") == (
        "not a valid CPR number: the first six digits are not a real birth date"
    )
    assert _reason(found, 4, "origin") == (
        "unknown code 'martian'; expected one of: danish, western, non_western"
    )
    assert "not a date (use YYYY-MM-DD or DD-MM-YYYY): '1970-02-30'" in [
        p.reason for p in found if (p.row, p.column) == (5, "birth_date")
    ]
    assert _reason(found, 6, "target_group") == "missing value"
    assert _reason(found, 7, "birth_date") == "required when there is no cpr"
    assert _reason(found, 7, "sex") == "required when there is no cpr"
    assert "not a date" in _reason(found, 8, "public_benefit_since")
    assert _count(engine, "citizens") == 3


def test_unreadable_birth_date_is_reported_once(engine: Engine, tmp_path: Path) -> None:
    """A birth date that was given but is not a date is not also 'required'."""
    path = write(
        tmp_path,
        "citizens.csv",
        "citizen_id,birth_date,sex,origin,target_group\nC103,1970-02-30,male,danish,integration\n",
    )
    found = _rejected(engine, "citizens", path)
    assert [(p.row, p.column, p.reason) for p in found] == [
        (2, "birth_date", "not a date (use YYYY-MM-DD or DD-MM-YYYY): '1970-02-30'")
    ]


def test_bad_staff_file_reports_every_problem(engine: Engine, tmp_path: Path) -> None:
    _load(engine, "departments", "teams", "staff")
    before = _rows(engine, "staff")
    path = write(
        tmp_path,
        "staff.csv",
        "staff_id,name,department_id,team_id,fte,start_date,end_date,exit_kind\n"
        "KS-001,Anna Holm,JI6,JI6-A,1.0,2017-08-01,,\n"  # 2 fine
        "KS-201,Eva,JI6,JI6-A,1,2018-05-01,2018-04-30,external\n"  # 3 period
        "KS-202,Finn,JI9,JI6-Z,1,2018-01-01,,\n"  # 4 refs
        "KS-203,Gry,JI6,,2,2018-01-01,,\n"  # 5 fte
        "KS-204,Hans,JI6,,en,2018-01-01,,retired\n"  # 6 two
        "KS-205,,JI6,,1,,,internal\n",
    )  # 7 three
    found = _rejected(engine, "staff", path)
    assert _where(found) == [
        (3, "end_date"),
        (4, "department_id"),
        (4, "team_id"),
        (5, "fte"),
        (6, "exit_kind"),
        (6, "exit_kind"),
        (6, "fte"),
        (7, "exit_kind"),
        (7, "name"),
        (7, "start_date"),
    ]
    assert _reason(found, 3, "end_date") == "end_date is before start_date"
    assert _reason(found, 4, "department_id") == "unknown department 'JI9'"
    assert _reason(found, 4, "team_id") == "unknown team 'JI6-Z'"
    assert _reason(found, 5, "fte") == "must be above 0 and at most 1.5"
    assert _reason(found, 6, "fte") == "not a number: 'en'"
    assert sorted(p.reason for p in found if (p.row, p.column) == (6, "exit_kind")) == [
        "an exit needs an end_date",
        "unknown code 'retired'; expected one of: external, internal",
    ]
    assert _reason(found, 7, "exit_kind") == "an exit needs an end_date"
    assert _reason(found, 7, "name") == "missing value"
    assert _reason(found, 7, "start_date") == "missing value"
    assert _rows(engine, "staff") == before


def test_bad_responsibilities_file_reports_every_problem(engine: Engine, tmp_path: Path) -> None:
    _load_before(engine, "responsibilities")
    path = write(
        tmp_path,
        "responsibilities.csv",
        "citizen_id,staff_id,role,start_date,end_date,reason\n"
        "C000001,KS-001,coordinating_caseworker,2018-01-01,2018-06-30,intake\n"  # 2
        "C000001,KS-999,coordinating_caseworker,2018-06-01,,reallocation\n"  # 3
        "C999999,KS-001,mentor,2018-01-01,,intake\n"  # 4
        "C000002,KS-002,janitor,2018-01-01,,intake\n"  # 5
        "C000003,KS-101,mentor,2018-01-01,,because\n",
    )  # 6
    found = _rejected(engine, "responsibilities", path)
    assert _where(found) == [
        (3, "staff_id"),
        (3, "start_date"),
        (4, "citizen_id"),
        (5, "role"),
        (6, "reason"),
    ]
    assert _reason(found, 3, "staff_id") == "unknown staff 'KS-999'"
    assert "overlaps another responsibility" in _reason(found, 3, "start_date")
    assert _reason(found, 4, "citizen_id") == "unknown citizen 'C999999'"
    assert _reason(found, 5, "role").startswith("unknown code 'janitor'; expected one of: ")
    assert _reason(found, 6, "reason").startswith("unknown code 'because'; expected one of: ")
    assert _count(engine, "responsibilities") == 0


def test_bad_caseflow_rows_report_every_problem(engine: Engine, tmp_path: Path) -> None:
    _load_before(engine, "medical_requests")
    path = write(
        tmp_path,
        "medical_requests.csv",
        "request_id,citizen_id,staff_id,kind,questions,sent_date,reminder_date,"
        "answered_date,followed_up_date\n"
        "L1,C000001,KS-001,le145,2,2018-03-10,,2018-03-01,\n"  # 2 answer<sent
        "L2,C000001,KS-001,le145,-1,2018-03-10,,,2018-04-01\n"  # 3 two
        "L3,C000001,KS-001,x-ray,1.5,2018-03-10,,,\n",
    )  # 4 two
    found = _rejected(engine, "medical_requests", path)
    assert _where(found) == [
        (2, "answered_date"),
        (3, "followed_up_date"),
        (3, "questions"),
        (4, "kind"),
        (4, "questions"),
    ]
    assert _reason(found, 2, "answered_date") == "answered_date is before sent_date"
    assert _reason(found, 3, "followed_up_date") == "follow-up needs an answered_date"
    assert _reason(found, 3, "questions") == "may not be negative"
    assert _reason(found, 4, "kind").startswith("unknown code 'x-ray'; expected one of: le145")
    assert _reason(found, 4, "questions") == "not a whole number: '1.5'"
    assert _count(engine, "medical_requests") == 0


def test_rejected_import_writes_nothing_anywhere(engine: Engine, tmp_path: Path) -> None:
    _load(engine, *ORDER)
    counts = _counts(engine)
    rows = _rows(engine, "meetings")
    text = _example("meetings").read_text(encoding="utf-8") + (
        "M0000005,C000001,KS-001,job_meeting,2018-06-30,,,,job_centre,planned,\n"
        "M0000006,C000001,KS-001,job_meeting,2018-06-30,,,,moon,planned,\n"
    )
    with pytest.raises(ImportRejected) as caught:
        importer.import_file(engine, "meetings", write(tmp_path, "meetings.csv", text))
    assert _where(caught.value.problems) == [(7, "place")]
    assert _counts(engine) == counts
    assert _rows(engine, "meetings") == rows


def test_rejected_import_leaves_sqlite_file_unchanged(
    sqlite_engine: Engine, tmp_path: Path, cpr_key: bytes
) -> None:
    _load(sqlite_engine, *ORDER)
    before = _settled_sha256(sqlite_engine)
    path = write(
        tmp_path,
        "citizens.csv",
        "citizen_id,cpr,birth_date,sex,origin,target_group\n"
        "C000001,,1972-05-14,female,danish,activity_ready_30_plus\n"
        "C900001,010180-1233,,,danish,integration\n"
        "C900002,,1970-01-01,female,martian,integration\n",
    )
    with pytest.raises(ImportRejected):
        importer.import_file(sqlite_engine, "citizens", path)
    assert _settled_sha256(sqlite_engine) == before
    assert _count(sqlite_engine, "citizens") == 3
    # control: the same procedure does see a successful import
    good = write(
        tmp_path,
        "good.csv",
        "citizen_id,birth_date,sex,origin,target_group\n"
        "C900003,1970-01-01,female,danish,integration\n",
    )
    assert importer.import_file(sqlite_engine, "citizens", good).inserted == 1
    assert _settled_sha256(sqlite_engine) != before


# --- CPR -----------------------------------------------------------------------------------


CPR_FILE = (
    "citizen_id,cpr,birth_date,sex,origin,target_group\n"
    "C200,010180-1233,,,danish,integration\n"
    "C201,1502924568,,,western,activity_ready_30_plus\n"
    "C202,050305-4122,2005-03-05,female,non_western,activity_ready_under_30\n"
)
CPR_NUMBERS = ("010180-1233", "1502924568", "050305-4122")


def _assert_nowhere(engine: Engine, numbers: tuple[str, ...]) -> None:
    fragments = {f for n in numbers for f in (n, n.replace("-", ""))}
    for table in ORDER:
        for row in _rows(engine, table):
            for value in row.values():
                assert not any(f in str(value) for f in fragments), (table, row)
    if engine.dialect.name == "sqlite":
        path = _sqlite_path(engine)
        engine.dispose()
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                data = file.read_bytes()
                assert not any(f.encode() in data for f in fragments), file


def test_cpr_is_stored_only_as_its_keyed_hash(
    engine: Engine, tmp_path: Path, cpr_key: bytes
) -> None:
    path = write(tmp_path, "citizens.csv", CPR_FILE)
    assert importer.import_file(engine, "citizens", path) == importer.ImportResult(
        "citizens", 3, 0, 0
    )
    rows = _by_code(engine, "citizens")
    for code, number in zip(("C200", "C201", "C202"), CPR_NUMBERS, strict=True):
        assert rows[code]["cpr_hash"] == cpr.keyed_hash(number, cpr_key)
        assert "cpr" not in rows[code]
    assert (rows["C200"]["birth_date"], rows["C200"]["sex"]) == (dt.date(1980, 1, 1), "male")
    assert (rows["C201"]["birth_date"], rows["C201"]["sex"]) == (dt.date(1992, 2, 15), "female")
    assert (rows["C202"]["birth_date"], rows["C202"]["sex"]) == (dt.date(2005, 3, 5), "female")
    _assert_nowhere(engine, CPR_NUMBERS)


def test_cpr_reimport_is_a_no_op(engine: Engine, tmp_path: Path, cpr_key: bytes) -> None:
    path = write(tmp_path, "citizens.csv", CPR_FILE)
    importer.import_file(engine, "citizens", path)
    assert importer.import_file(engine, "citizens", path) == importer.ImportResult(
        "citizens", 0, 0, 3
    )


def test_cpr_without_birth_date_and_sex_columns(
    engine: Engine, tmp_path: Path, cpr_key: bytes
) -> None:
    """The natural CPR file: the number instead of birth date and sex, not beside them."""
    path = write(
        tmp_path,
        "citizens.csv",
        "citizen_id,cpr,origin,target_group\n"
        "C300,010180-1233,danish,integration\n"
        "C301,150292-4568,western,integration\n",
    )
    assert importer.import_file(engine, "citizens", path) == importer.ImportResult(
        "citizens", 2, 0, 0
    )
    rows = _by_code(engine, "citizens")
    assert (rows["C300"]["birth_date"], rows["C300"]["sex"]) == (dt.date(1980, 1, 1), "male")
    assert (rows["C301"]["birth_date"], rows["C301"]["sex"]) == (dt.date(1992, 2, 15), "female")
    assert rows["C300"]["cpr_hash"] == cpr.keyed_hash("0101801233", cpr_key)


@pytest.mark.parametrize("number", ["310280-1234", "0101801", "01O180-1234", "290201-1235"])
def test_bad_cpr_reason_does_not_contain_the_digits(
    engine: Engine, tmp_path: Path, cpr_key: bytes, number: str
) -> None:
    path = write(
        tmp_path,
        "citizens.csv",
        f"citizen_id,cpr,birth_date,sex,origin,target_group\nC400,{number},,,danish,integration\n",
    )
    with pytest.raises(ImportRejected) as caught:
        importer.import_file(engine, "citizens", path)
    found = caught.value.problems
    assert _where(found) == [(2, "cpr")]
    assert found[0].reason.startswith("not a valid CPR number: ")
    plain = number.replace("-", "")
    for text in (found[0].reason, str(found[0]), str(caught.value)):
        assert number not in text and plain not in text
        assert plain[:6] not in text
    assert _count(engine, "citizens") == 0


def test_cpr_contradicting_birth_date_and_sex_is_reported(
    engine: Engine, tmp_path: Path, cpr_key: bytes
) -> None:
    path = write(
        tmp_path,
        "citizens.csv",
        "citizen_id,cpr,birth_date,sex,origin,target_group\n"
        "C500,010180-1233,1980-01-01,male,danish,integration\n"  # agrees
        "C501,010180-1235,02-01-1980,male,danish,integration\n"  # date differs
        "C502,010180-1237,1980-01-01,female,danish,integration\n"  # sex differs
        "C503,010180-1240,01-01-1980,female,danish,integration\n",
    )  # agrees (DD-MM)
    found = _rejected(engine, "citizens", path)
    assert _where(found) == [(3, "birth_date"), (4, "sex")]
    assert _reason(found, 3, "birth_date") == "does not match the birth date in the CPR number"
    assert _reason(found, 4, "sex") == "does not match the sex in the CPR number"
    assert all("010180" not in p.reason for p in found)
    assert _count(engine, "citizens") == 0


def test_cpr_without_a_key_is_rejected_not_crashed(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(rules.CPR_KEY_ENV, raising=False)
    path = write(
        tmp_path,
        "citizens.csv",
        "citizen_id,cpr,birth_date,sex,origin,target_group\n"
        "C600,010180-1233,,,danish,integration\n",
    )
    with pytest.raises(ImportRejected) as caught:
        importer.import_file(engine, "citizens", path)
    found = caught.value.problems
    assert [p.column for p in found] == ["cpr"]
    assert rules.CPR_KEY_ENV in found[0].reason
    assert "0101801233" not in str(caught.value) and "010180" not in found[0].reason
    assert _count(engine, "citizens") == 0


def test_a_new_register_refuses_a_short_key(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the key `x`, key and number came back from one stored hash in under a second."""
    path = write(tmp_path, "citizens.csv", CPR_FILE)
    for weak in ("x", "test-municipality-key", "0f" * 31):
        monkeypatch.setenv(rules.CPR_KEY_ENV, weak)
        with pytest.raises(ImportRejected) as caught:
            importer.import_file(engine, "citizens", path)
        found = caught.value.problems
        assert {(p.row, p.column) for p in found} == {(2, "cpr"), (3, "cpr"), (4, "cpr")}
        assert "too short" in found[0].reason and "caseload keygen" in found[0].reason
        assert weak not in str(caught.value) or len(weak) < 3
        assert _count(engine, "citizens") == 0


def test_a_register_hashed_with_a_short_key_keeps_working_with_a_warning(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    weak = "legacy-key"
    first = write(tmp_path, "citizens.csv", CPR_FILE)
    # the register as an earlier release left it: a citizen hashed with a short key
    monkeypatch.setenv(rules.CPR_KEY_ENV, "0f" * 32)
    importer.import_file(engine, "citizens", first)
    with engine.begin() as conn:
        conn.execute(
            update(schema.citizen)
            .where(schema.citizen.c.code == "C200")
            .values(cpr_hash=cpr.keyed_hash(CPR_NUMBERS[0], weak.encode()))
        )
    monkeypatch.setenv(rules.CPR_KEY_ENV, weak)
    result = importer.import_file(engine, "citizens", first)
    assert (result.inserted, result.updated, result.unchanged) == (0, 2, 1)
    warning = [n for n in result.notes if "shorter than 32 bytes" in str(n)]
    assert len(warning) == 1
    assert _by_code(engine, "citizens")["C201"]["cpr_hash"] == cpr.keyed_hash(
        CPR_NUMBERS[1], weak.encode()
    )


@pytest.mark.parametrize(
    ("key", "size"),
    [("ab" * 32, 32), ("AB" * 40, 40), ("A" * 43 + "=", 32), ("x", 0), ("ab" * 31, 31)],
)
def test_key_strength_counts_decoded_bytes(key: str, size: int) -> None:
    assert cpr.key_bytes(key) == size
    assert cpr.strong_key(key) == (size >= cpr.MIN_KEY_BYTES)
    assert cpr.strong_key(cpr.new_key()) and len(cpr.new_key()) == 64


def test_without_a_key_a_file_without_cpr_still_imports(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(rules.CPR_KEY_ENV, raising=False)
    assert importer.import_file(engine, "citizens", _example("citizens")).inserted == 3
    assert all(row["cpr_hash"] is None for row in _rows(engine, "citizens"))


def test_same_cpr_twice_in_a_file_is_reported(
    engine: Engine, tmp_path: Path, cpr_key: bytes
) -> None:
    path = write(
        tmp_path,
        "citizens.csv",
        "citizen_id,cpr,birth_date,sex,origin,target_group\n"
        "C700,010180-1233,,,danish,integration\n"
        "C701,0101801233,,,danish,integration\n",
    )
    found = _rejected(engine, "citizens", path)
    assert _where(found) == [(3, "cpr")]
    assert "row 2" in found[0].reason
    assert "0101801233" not in found[0].reason and "010180" not in found[0].reason
    assert _count(engine, "citizens") == 0


def test_cpr_already_held_by_another_citizen_is_reported(
    engine: Engine, tmp_path: Path, cpr_key: bytes
) -> None:
    first = write(
        tmp_path,
        "first.csv",
        "citizen_id,cpr,birth_date,sex,origin,target_group\n"
        "C800,010180-1233,,,danish,integration\n",
    )
    importer.import_file(engine, "citizens", first)
    second = write(
        tmp_path,
        "second.csv",
        "citizen_id,cpr,birth_date,sex,origin,target_group\n"
        "C801,010180-1233,,,danish,integration\n",
    )
    found = _rejected(engine, "citizens", second)
    assert _where(found) == [(2, "cpr")]
    assert "C800" in found[0].reason
    assert "010180" not in found[0].reason
    assert _count(engine, "citizens") == 1


# --- formats: dates, decimal comma, separators ---------------------------------------------


STAFF_HEADER = "staff_id,name,department_id,team_id,fte,start_date,end_date,exit_kind\n"
MEETINGS_HEADER = (
    "meeting_id,citizen_id,staff_id,kind,due_date,scheduled_date,held_date,"
    "duration_minutes,place,status,follow_up_of\n"
)


def test_iso_and_danish_dates_are_the_same_date(engine: Engine, tmp_path: Path) -> None:
    _load(engine, "departments", "teams")
    path = write(
        tmp_path,
        "staff.csv",
        STAFF_HEADER
        + "S1,One,JI6,,1,2017-09-01,2019-06-30,\n"
        + "S2,Two,JI6,,1,01-09-2017,30-06-2019,\n"
        + "S3,Three,JI6,,1,01.09.2017,30.06.2019,\n",
    )
    assert importer.import_file(engine, "staff", path).inserted == 3
    rows = _by_code(engine, "staff")
    for code in ("S1", "S2", "S3"):
        assert rows[code]["start_date"] == dt.date(2017, 9, 1), code
        assert rows[code]["end_date"] == dt.date(2019, 6, 30), code


def test_danish_date_is_day_first(engine: Engine, tmp_path: Path) -> None:
    _load(engine, "departments", "teams")
    path = write(tmp_path, "staff.csv", STAFF_HEADER + "S1,One,JI6,,1,03-11-1980,,\n")
    importer.import_file(engine, "staff", path)
    assert _by_code(engine, "staff")["S1"]["start_date"] == dt.date(1980, 11, 3)


def test_decimal_comma(engine: Engine, tmp_path: Path) -> None:
    _load(engine, "departments", "teams")
    path = write(
        tmp_path,
        "staff.csv",
        STAFF_HEADER
        + 'S1,One,JI6,,"0,8",2017-09-01,,\n'
        + "S2,Two,JI6,,0.75,2017-09-01,,\n"
        + 'S3,Three,JI6,," 1,0 ",2017-09-01,,\n',
    )
    importer.import_file(engine, "staff", path)
    rows = _by_code(engine, "staff")
    assert rows["S1"]["fte"] == pytest.approx(0.8)
    assert rows["S2"]["fte"] == pytest.approx(0.75)
    assert rows["S3"]["fte"] == pytest.approx(1.0)


def test_semicolon_separated_csv_from_danish_excel(engine: Engine, tmp_path: Path) -> None:
    _load(engine, "departments", "teams")
    path = tmp_path / "staff.csv"
    # Excel's "CSV (semikolonsepareret)": BOM, CRLF, decimal comma, day-first dates
    path.write_bytes(
        (
            "\ufeffstaff_id;name;department_id;team_id;fte;start_date;end_date;exit_kind\r\n"
            "KS-001;Anna Holm;JI6;JI6-A;1,0;01-08-2017;;\r\n"
            "KS-002;Bo Berg, jr.;JI6;JI6-A;0,8;01-09-2017;30-06-2019;external\r\n"
        ).encode()
    )
    assert importer.import_file(engine, "staff", path) == importer.ImportResult("staff", 2, 0, 0)
    rows = _by_code(engine, "staff")
    assert rows["KS-001"]["fte"] == pytest.approx(1.0)
    assert rows["KS-001"]["start_date"] == dt.date(2017, 8, 1)
    assert rows["KS-002"]["name"] == "Bo Berg, jr."
    assert rows["KS-002"]["fte"] == pytest.approx(0.8)
    assert rows["KS-002"]["end_date"] == dt.date(2019, 6, 30)
    assert rows["KS-002"]["exit_kind"] == "external"


def test_semicolon_file_matches_comma_file(engine: Engine, tmp_path: Path) -> None:
    _load(engine, "departments", "teams", "staff")
    before = _rows(engine, "staff")
    rows = _csv_rows(_example("staff"))
    lines = [";".join(rows[0].keys())] + [";".join(r.values()) for r in rows]
    path = write(tmp_path, "staff.csv", "\n".join(lines) + "\n")
    assert importer.import_file(engine, "staff", path) == importer.ImportResult("staff", 0, 0, 4)
    assert _rows(engine, "staff") == before


# --- Excel ---------------------------------------------------------------------------------


def _typed_cell(kind: str, value: str) -> object:
    """What a spreadsheet user would have typed: real dates, numbers and booleans."""
    if value == "":
        return None
    if kind == "date":
        for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                pass
        raise AssertionError(value)
    if kind == "float":
        return float(value.replace(",", "."))
    if kind == "int":
        return int(value)
    if kind == "bool":
        return value.lower() == "true"
    return value


def _write_xlsx(
    path: Path,
    table: str,
    rows: list[dict[str, str]],
    typed: bool = True,
    blank_rows_after: int = 0,
) -> Path:
    from openpyxl import Workbook

    spec = catalogue.spec(table)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    header = list(rows[0].keys())
    sheet.append(header)
    for row in rows:
        sheet.append(
            [_typed_cell(spec.field(c).kind, v) if typed else (v or None) for c, v in row.items()]
        )
    for _ in range(blank_rows_after):
        sheet.append([None] * len(header))
    book.save(path)
    return path


@pytest.mark.parametrize("table", ["departments", "staff", "citizens", "meetings", "assignments"])
def test_xlsx_imports_to_the_same_rows_as_csv(engine: Engine, tmp_path: Path, table: str) -> None:
    _load_before(engine, table)
    rows = _csv_rows(_example(table))
    path = _write_xlsx(tmp_path / f"{table}.xlsx", table, rows, blank_rows_after=2)
    result = importer.import_file(engine, table, path)
    assert result == importer.ImportResult(table, len(rows), 0, 0)
    from_xlsx = _rows(engine, table)
    # the CSV describes the very same rows: nothing to insert or update
    again = importer.import_file(engine, table, _example(table))
    assert again == importer.ImportResult(table, 0, 0, len(rows))
    assert _rows(engine, table) == from_xlsx


def test_xlsx_with_text_cells_imports(engine: Engine, tmp_path: Path) -> None:
    _load_before(engine, "staff")
    rows = _csv_rows(_example("staff"))
    path = _write_xlsx(tmp_path / "staff.xlsx", "staff", rows, typed=False)
    assert importer.import_file(engine, "staff", path).inserted == 4
    assert importer.import_file(engine, "staff", _example("staff")) == importer.ImportResult(
        "staff", 0, 0, 4
    )


def test_xlsx_error_reports_the_sheet_row(engine: Engine, tmp_path: Path) -> None:
    _load_before(engine, "staff")
    rows = _csv_rows(_example("staff"))
    rows[2]["fte"] = "lots"  # third data row: sheet row 4
    rows[3]["department_id"] = "NOPE"  # fourth data row: sheet row 5
    path = _write_xlsx(tmp_path / "staff.xlsx", "staff", rows, typed=False)
    found = _rejected(engine, "staff", path)
    assert _where(found) == [(4, "fte"), (5, "department_id")]
    assert _reason(found, 4, "fte") == "not a number: 'lots'"
    assert _reason(found, 5, "department_id") == "unknown department 'NOPE'"
    assert _count(engine, "staff") == 0


@pytest.mark.parametrize(("raw", "stored"), [("45", 45), ("1.000", 1000), (" 60 ", 60)])
def test_whole_numbers_allow_thousands_separator(
    engine: Engine, tmp_path: Path, raw: str, stored: int
) -> None:
    _load_before(engine, "meetings")
    path = write(
        tmp_path,
        "meetings.csv",
        MEETINGS_HEADER + f"M1,C000001,KS-001,job_meeting,,,2018-02-01,{raw},home,held,\n",
    )
    importer.import_file(engine, "meetings", path)
    assert _by_code(engine, "meetings")["M1"]["duration_minutes"] == stored


@pytest.mark.parametrize("raw", ["1.5", "45.5", "2,5", "1.00", "4.5.6"])
def test_a_fraction_is_not_a_whole_number(engine: Engine, tmp_path: Path, raw: str) -> None:
    """'45.5' minutes must be refused, never read as 455 by dropping the point."""
    _load_before(engine, "meetings")
    path = write(
        tmp_path,
        "meetings.csv",
        MEETINGS_HEADER + f'M1,C000001,KS-001,job_meeting,,,2018-02-01,"{raw}",home,held,\n',
    )
    found = _rejected(engine, "meetings", path)
    assert [(p.row, p.column, p.reason) for p in found] == [
        (2, "duration_minutes", f"not a whole number: '{raw}'")
    ]
    assert _count(engine, "meetings") == 0


# --- columns -------------------------------------------------------------------------------


def test_unknown_and_missing_columns_are_reported_at_row_1(engine: Engine, tmp_path: Path) -> None:
    _load(engine, "departments", "teams")
    path = write(
        tmp_path,
        "staff.csv",
        "staff_id,name,department_id,salary,start_date\nKS-001,Anna Holm,JI6,40000,2017-08-01\n",
    )
    found = _rejected(engine, "staff", path)
    assert _where(found) == [(1, "fte"), (1, "salary")]
    assert _reason(found, 1, "fte") == "required column is missing"
    assert _reason(found, 1, "salary").startswith("unknown column; expected: ")
    assert "fte" in _reason(found, 1, "salary")
    assert _count(engine, "staff") == 0


def test_column_names_are_trimmed_and_case_insensitive(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "departments.csv", " Department_ID , NAME \nJI1,One\n")
    assert importer.import_file(engine, "departments", path).inserted == 1
    row = _by_code(engine, "departments")["JI1"]
    assert (row["name"], row["is_trial"], row["role_model"]) == ("One", False, "all_apart")


def test_optional_columns_may_be_left_out(engine: Engine, tmp_path: Path) -> None:
    _load_before(engine, "responsibilities")
    path = write(
        tmp_path,
        "responsibilities.csv",
        "citizen_id,staff_id,role,start_date,reason\n"
        "C000001,KS-001,coordinating_caseworker,2018-01-01,intake\n",
    )
    assert importer.import_file(engine, "responsibilities", path).inserted == 1
    assert _rows(engine, "responsibilities")[0]["end_date"] is None


def test_absence_without_days_and_term_columns_gets_defaults(
    engine: Engine, tmp_path: Path
) -> None:
    _load_before(engine, "absence")
    path = write(
        tmp_path,
        "absence.csv",
        "staff_id,start_date,end_date\n"
        "KS-001,2018-05-01,2018-05-04\n"
        "KS-101,2018-09-03,2018-10-12\n",
    )
    assert importer.import_file(engine, "absence", path).inserted == 2
    rows = {r["start_date"]: r for r in _rows(engine, "absence")}
    assert (rows[dt.date(2018, 5, 1)]["days"], rows[dt.date(2018, 5, 1)]["term"]) == (4, "short")
    assert (rows[dt.date(2018, 9, 3)]["days"], rows[dt.date(2018, 9, 3)]["term"]) == (30, "long")


def test_database_constraints_are_reported_as_problems(engine: Engine, tmp_path: Path) -> None:
    """A value the database would refuse is a problem in the file, not a crash on insert."""
    _load_before(engine, "absence")
    path = write(
        tmp_path,
        "absence.csv",
        "staff_id,start_date,end_date,days,term\nKS-001,2018-05-01,2018-05-04,-1,short\n",
    )
    found = _rejected(engine, "absence", path)
    assert _where(found) == [(2, "days")]
    assert _count(engine, "absence") == 0


# --- follow-ups and duplicates -------------------------------------------------------------


def test_follow_up_of_a_later_meeting_in_the_same_file(engine: Engine, tmp_path: Path) -> None:
    _load_before(engine, "meetings")
    path = write(
        tmp_path,
        "meetings.csv",
        MEETINGS_HEADER
        + "M3,C000001,KS-001,follow_up,,2018-04-01,2018-04-01,30,phone,held,M2\n"
        + "M1,C000001,KS-001,job_meeting,,2018-02-01,,,job_centre,no_show,\n"
        + "M2,C000001,KS-001,follow_up,,2018-03-01,2018-03-01,30,home,held,M1\n",
    )
    assert importer.import_file(engine, "meetings", path) == importer.ImportResult(
        "meetings", 3, 0, 0
    )
    rows = _by_code(engine, "meetings")
    assert rows["M3"]["follow_up_of_id"] == rows["M2"]["id"]
    assert rows["M2"]["follow_up_of_id"] == rows["M1"]["id"]
    assert rows["M1"]["follow_up_of_id"] is None
    assert len({r["id"] for r in rows.values()}) == 3
    # and re-importing it changes nothing
    assert importer.import_file(engine, "meetings", path) == importer.ImportResult(
        "meetings", 0, 0, 3
    )


def test_follow_up_of_a_meeting_from_an_earlier_import(engine: Engine, tmp_path: Path) -> None:
    _load(engine, *ORDER)
    path = write(
        tmp_path,
        "more.csv",
        MEETINGS_HEADER
        + "M0000009,C000002,KS-002,follow_up,,2018-03-15,2018-03-15,30,home,held,"
        + "M0000002\n",
    )
    assert importer.import_file(engine, "meetings", path).inserted == 1
    rows = _by_code(engine, "meetings")
    assert rows["M0000009"]["follow_up_of_id"] == rows["M0000002"]["id"]
    assert rows["M0000003"]["follow_up_of_id"] == rows["M0000002"]["id"]


def test_follow_up_can_be_changed_on_reimport(engine: Engine, tmp_path: Path) -> None:
    _load_before(engine, "meetings")
    _load(engine, "meetings")
    text = (
        _example("meetings")
        .read_text(encoding="utf-8")
        .replace("45,phone,held,M0000002", "45,phone,held,M0000001")
    )
    result = importer.import_file(engine, "meetings", write(tmp_path, "meetings.csv", text))
    assert result == importer.ImportResult("meetings", 0, 1, 3)
    rows = _by_code(engine, "meetings")
    assert rows["M0000003"]["follow_up_of_id"] == rows["M0000001"]["id"]


def test_follow_up_of_an_unknown_meeting_is_reported(engine: Engine, tmp_path: Path) -> None:
    _load_before(engine, "meetings")
    path = write(
        tmp_path,
        "meetings.csv",
        MEETINGS_HEADER
        + "M1,C000001,KS-001,job_meeting,,2018-02-01,,,job_centre,no_show,\n"
        + "M2,C000001,KS-001,follow_up,,2018-03-01,2018-03-01,30,home,held,M9\n",
    )
    found = _rejected(engine, "meetings", path)
    assert _where(found) == [(3, "follow_up_of")]
    assert _reason(found, 3, "follow_up_of") == "unknown meeting 'M9'"
    assert _count(engine, "meetings") == 0


def test_duplicate_code_names_the_earlier_row(engine: Engine, tmp_path: Path) -> None:
    _load(engine, "departments", "teams")
    path = write(
        tmp_path,
        "staff.csv",
        STAFF_HEADER
        + "KS-001,Anna Holm,JI6,,1,2017-08-01,,\n"
        + "KS-002,Bo Berg,JI6,,1,2017-08-01,,\n"
        + "KS-001,Anna Holm again,JI6,,1,2017-08-01,,\n",
    )
    found = _rejected(engine, "staff", path)
    assert _where(found) == [(4, "staff_id")]
    assert _reason(found, 4, "staff_id") == "same natural key (staff_id) as row 2"
    assert _count(engine, "staff") == 0


def test_duplicate_composite_key_names_the_earlier_row(engine: Engine, tmp_path: Path) -> None:
    _load(engine, "departments", "teams", "staff")
    path = write(
        tmp_path,
        "roles.csv",
        "staff_id,role,start_date,end_date\n"
        "KS-001,coordinating_caseworker,2017-08-01,\n"
        "KS-001,mentor,2017-08-01,\n"
        "KS-001,coordinating_caseworker,01-08-2017,2018-01-01\n"
        "KS-001,mentor,01.08.2017,\n",
    )
    found = _rejected(engine, "roles", path)
    assert _where(found) == [(4, "start_date"), (5, "start_date")]
    assert _reason(found, 4, "start_date") == (
        "same natural key (staff_id, role, start_date) as row 2"
    )
    assert _reason(found, 5, "start_date") == (
        "same natural key (staff_id, role, start_date) as row 3"
    )
    assert _count(engine, "roles") == 0


def test_duplicate_key_with_empty_parts(engine: Engine, tmp_path: Path) -> None:
    """Caps with no department and no person are the same scope: empty equals empty."""
    _load(engine, "departments", "teams", "staff")
    path = write(
        tmp_path,
        "caps.csv",
        "role,department_id,staff_id,cap,start_date,end_date\n"
        "mentor,,,30,2018-01-01,\n"
        "mentor,,,35,2018-01-01,\n",
    )
    found = _rejected(engine, "caps", path)
    assert _where(found) == [(3, "start_date")]
    assert "as row 2" in found[0].reason


def test_duplicate_after_month_rounding_is_reported(engine: Engine, tmp_path: Path) -> None:
    """paid_hours stores any day as the first of its month: two days in one month clash."""
    _load_before(engine, "paid_hours")
    path = write(
        tmp_path,
        "paid_hours.csv",
        "citizen_id,month,hours\nC000001,2018-01-01,3\nC000001,2018-01-15,4\n",
    )
    found = _rejected(engine, "paid_hours", path)
    assert _where(found) == [(3, "month")]
    assert "row 2" in found[0].reason
    assert _count(engine, "paid_hours") == 0


# --- checks against what the register holds ----------------------------------------------


def test_a_meeting_held_before_entry_is_refused(engine: Engine, tmp_path: Path) -> None:
    """C000001's first responsibility starts 2018-01-01: a meeting held the day before is
    refused (file, row, column, reason) and nothing of the file is written."""
    _load_before(engine, "meetings")
    header = "meeting_id,citizen_id,kind,held_date,status\n"
    path = write(
        tmp_path,
        "meetings.csv",
        header
        + "M1,C000001,job_meeting,2018-01-01,held\n"
        + "M2,C000001,job_meeting,2017-12-31,held\n"
        + "M3,C000003,follow_up,2017-06-01,held\n",
    )
    problems = _rejected(engine, "meetings", path)
    assert [(p.row, p.column, p.reason) for p in problems] == [
        (3, "held_date", "held before the citizen's first day on a caseload"),
        (4, "held_date", "held before the citizen's first day on a caseload"),
    ]
    assert _count(engine, "meetings") == 0


def test_a_team_meeting_before_its_plan_is_refused(engine: Engine, tmp_path: Path) -> None:
    """P000001 started 2018-05-01: a recommendation dated 2018-04-30 is refused."""
    _load_before(engine, "recommendations")
    path = write(
        tmp_path,
        "recommendations.csv",
        "plan_id,meeting_date,recommendation\n"
        "P000001,2018-05-01,postponed\nP000001,2018-04-30,flex_job\n",
    )
    problems = _rejected(engine, "recommendations", path)
    assert [(p.row, p.column, p.reason) for p in problems] == [
        (3, "meeting_date", "the rehabilitation team met before the preparatory plan started"),
    ]
    assert _count(engine, "recommendations") == 0


def test_a_responsibility_overlapping_a_stored_one_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    """The file alone is consistent, but with what is stored C000001 would have two
    coordinating caseworkers in 2018: refused, naming the row, and nothing is written. A row
    that replaces the stored one (same citizen, role and start) is no overlap."""
    for table in ("departments", "teams", "staff", "roles", "citizens", "responsibilities"):
        importer.import_file(engine, table, EXAMPLES / f"{table}.csv")
    r = schema.responsibility
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(r)).scalar_one()
    clash = tmp_path / "responsibilities.csv"
    clash.write_text(
        "citizen_id,staff_id,role,start_date,end_date,reason\n"
        "C000003,KS-101,coordinating_caseworker,2018-01-01,,intake\n"
        "C000001,KS-002,coordinating_caseworker,2018-06-01,,reallocation\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as rejected:
        importer.import_file(engine, "responsibilities", clash)
    (problem,) = rejected.value.problems
    assert (problem.row, problem.column) == (3, "start_date")
    assert problem.reason == ("overlaps the responsibility in the same role stored from 2018-01-01")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(r)).scalar_one() == before
    replace_it = tmp_path / "replace.csv"
    replace_it.write_text(
        "citizen_id,staff_id,role,start_date,end_date,reason\n"
        "C000001,KS-001,coordinating_caseworker,2018-01-01,2018-05-31,intake\n"
        "C000001,KS-002,coordinating_caseworker,2018-06-01,,reallocation\n",
        encoding="utf-8",
    )
    result = importer.import_file(engine, "responsibilities", replace_it)
    assert (result.inserted, result.updated) == (1, 1)


def test_a_cpr_number_as_an_id_is_refused_the_same_on_both_databases(
    engine: Engine, tmp_path: Path
) -> None:
    _load(engine, *ORDER)
    counts = _counts(engine)
    staff = write(
        tmp_path,
        "staff.csv",
        "staff_id,name,department_id,fte,start_date\n"
        "0202802345,Ann Hansen,JI6,1.0,2018-01-01\n"  # a CPR number as a staff code
        "KS-900,Bo Berg,JI6,1.0,2018-01-01\n",
    )
    with pytest.raises(ImportRejected) as caught:
        importer.import_file(engine, "staff", staff)
    problems = caught.value.problems
    assert [(p.row, p.column) for p in problems] == [(2, "staff_id")]
    assert "CPR" in problems[0].reason
    assert not any("020280" in f"{p.reason} {p.text('da')}" for p in problems)
    assert _counts(engine) == counts  # neither row is stored


def test_danish_excels_csv_is_stored_as_written_on_both_databases(
    engine: Engine, tmp_path: Path
) -> None:
    """Windows-1252 with semicolons (Danish Excel's "CSV (semikolon-separeret)") used to be
    stored as 'N\ufffdrrebro' with exit code 0."""
    _load_before(engine, "staff")
    with (EXAMPLES / "staff.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    path = tmp_path / "staff.csv"
    with path.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(rows)
    result = importer.import_file(engine, "staff", path)
    assert [note.msgid.split(":")[0] for note in result.notes] == ["{file} is not UTF-8"]
    stored = {code: row["district"] for code, row in _by_code(engine, "staff").items()}
    with (EXAMPLES / "staff.csv").open(encoding="utf-8") as handle:
        expected = {row["staff_id"]: row["district"] or None for row in csv.DictReader(handle)}
    assert stored == expected
    assert "Nørrebro" in stored.values()
