"""Junk a user may give any command (found by a sweep of 444 bad inputs): each ends in one
clear line and exit code 2, never a traceback, and a CPR-like number typed anywhere is never
repeated in the message."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caseload.cli.main import app
from tests.conftest import EXAMPLES
from tests.helpers import copy_register, run, write

CPR = "010190-1234"


@pytest.fixture
def db(tmp_path: Path, examples_register: Path) -> str:
    return copy_register(examples_register, tmp_path / "register.sqlite")


def _files(tmp_path: Path) -> dict[str, Path]:
    junk = bytes(range(256)) * 8
    (tmp_path / "junk.parquet").write_bytes(junk)
    (tmp_path / "junk.json").write_bytes(junk)
    (tmp_path / "junk.sqlite").write_bytes(junk)
    header = "citizen_id,birth_date,sex,origin,target_group,district,public_benefit_since,"
    header += "kontanthjaelp_since\n"
    huge = f"{header}C1,{'x' * 200_000},female,danish,activity_ready_30_plus,N,2012-09-01,\n"
    with sqlite3.connect(tmp_path / "foreign.sqlite") as other:
        other.execute("CREATE TABLE IF NOT EXISTS foo (x INTEGER)")
    other.close()
    return {
        "foreign_sqlite": tmp_path / "foreign.sqlite",
        "junk_parquet": tmp_path / "junk.parquet",
        "junk_json": tmp_path / "junk.json",
        "junk_sqlite": tmp_path / "junk.sqlite",
        "huge_csv": write(tmp_path, "huge.csv", huge),
        "quote_csv": write(tmp_path, "quote.csv", 'a,b\n"unterminated,1\n'),
        "units_csv": EXAMPLES / "evaluate" / "units.csv",
        "cpr_units_csv": write(tmp_path, "cpr-units.csv", "unit,site\n0101901234,A\nU2,B\n"),
        "citizens_csv": EXAMPLES / "citizens.csv",
        "folder": tmp_path,
    }


CASES = [
    (("import", "citizens", "{junk_parquet}"), "not a readable Parquet file"),
    (
        ("randomise", "{junk_parquet}", "--id", "unit", "--seed", "1", "--out", "{out}"),
        "not a readable Parquet file",
    ),
    (("import", "citizens", "{huge_csv}"), "row 2, column birth_date: not a date"),
    (("import", "citizens", "{quote_csv}"), "not a readable CSV file"),
    (("analyze-counts", "{junk_json}"), "not a JSON text file (it is not UTF-8)"),
    (("status", "--as-of", "0001-01-01"), "--as-of: 0001-01-01 is outside the days"),
    (("caseflow", "--from", "0001-01-01", "--to", "0001-01-02"), "--from: 0001-01-01 is outside"),
    (("overdue", "--within", "99999999999", "--as-of", "2019-06-30"), "at most 3650"),
    (("audit", "search", "--limit", "99999999999999999999"), "at most 100000"),
    (
        (
            "randomise",
            "--trial",
            "T",
            "--start",
            "2019-05-01",
            "--end",
            "2019-01-01",
            "--seed",
            "1",
        ),
        "--end 1 Jan 2019 is before --start 1 May 2019",
    ),
    (
        ("timeliness", "--from", "2018-03-01", "--to", "2018-01-01"),
        "--to must not be before --from",
    ),
    (("caseflow", "--from", "2018-03-01", "--to", "2018-01-01"), "--to must not be before --from"),
    (
        (
            "timeliness",
            "--from",
            "2018-01-01",
            "--to",
            "2018-03-01",
            "--by",
            "arm",
            "--trial",
            "NOPE",
        ),
        "no trial 'NOPE' in the register",
    ),
    (
        ("status", "--department", "NOPE", "--as-of", "2018-03-01"),
        "--department: NOPE: no such department in the register",
    ),
    (
        (
            "randomise",
            "{units_csv}",
            "--id",
            "unit",
            "--block",
            "site",
            "--block-size",
            "0",
            "--seed",
            "1",
            "--out",
            "{out}",
        ),
        "--block-size must be 1 or more, not 0",
    ),
    (("evaluate", "--salary", "-1"), "--salary are amounts of 0 DKK or more"),
    (
        ("import", "citizens", "{citizens_csv}", "--json", "{folder}"),
        "is a folder: give a file name",
    ),
    (("serve", "--trusted-proxy", "not-an-ip"), "not-an-ip: not an IP address or network"),
    (("audit", "purge", "--before", "2099-01-01"), "--before 2099-01-01 is after today"),
    (
        ("randomise", "{cpr_units_csv}", "--id", "unit", "--seed", "1", "--out", "{out}"),
        "row 2, column unit: looks like a CPR number",
    ),
    (("evaluate", "--trial", CPR), "no trial 'xxxxxx-xxxx'"),
    (
        (
            "meeting",
            "--id",
            "M0000001",
            "--correct",
            f"wrong person {CPR}",
            "--as-of",
            "2018-03-01",
        ),
        "--correct holds what looks like a CPR number",
    ),
    (
        ("meeting", "--id", "M0000001", "--correct", "typo", "--by", CPR, "--as-of", "2018-03-01"),
        "--by holds what looks like a CPR number",
    ),
    (
        ("randomise", "--trial", CPR, "--start", "2018-01-01", "--seed", "1", "--dry-run"),
        "--trial holds what looks like a CPR number",
    ),
    (("export", "--table", "0101901234", "--out", "{out}"), "Unknown table(s): xxxxxx-xxxx"),
]
"""(arguments, what the one line says); ``{name}`` is a file above, ``{out}`` a new path."""

NO_REGISTER = [
    (("status", "--db", "{junk_sqlite}"), "not a SQLite database"),
    (("init", "--db", "{foreign_sqlite}"), "holds another program's tables (foo)"),
    (("demo", "--db", "{foreign_sqlite}"), "and no caseload register"),
    (("status", "--db", "foo://bar/baz"), "not foo"),
    (("status", "--db", "mysql://user:secret@localhost/x"), "mysql://user:***@localhost/x"),
    (("demo", "--db", "{out}", "--fresh", "--seed", "-1"), "--seed must be 0 or more, not -1"),
    (("randomise", "{junk_json}", "--id", "u", "--seed", "-1", "--out", "{out}"), "--seed must be"),
]
"""The same, for a register that cannot be opened or made (no ``--db`` added)."""


@pytest.mark.parametrize(("args", "said"), CASES, ids=[" ".join(c[0][:2]) for c in CASES])
def test_junk_is_refused_in_one_line(
    db: str, tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    files = _files(tmp_path)
    given = [a.format(out=tmp_path / "out.csv", **files) for a in args]
    with_db = [] if given[0] == "analyze-counts" else ["--db", db]
    result = run(*given, *with_db)
    assert result.exit_code == 2, result.output
    assert said in " ".join(result.output.split()), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "0101901234" not in result.output and CPR not in result.output


@pytest.mark.parametrize(("args", "said"), NO_REGISTER, ids=[c[0][2] for c in NO_REGISTER])
def test_a_register_that_cannot_be_opened_is_said_in_one_line(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    given = [a.format(out=tmp_path / "new.sqlite", **_files(tmp_path)) for a in args]
    result = run(*given)
    assert result.exit_code == 2, result.output
    assert said in " ".join(result.output.split()), result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "secret" not in result.output


def test_a_cpr_number_is_never_an_accounts_or_a_tokens_name(db: str) -> None:
    password = "a long enough password\n"
    said = CliRunner().invoke(
        app,
        ["users", "add", "bob", "--role", "analyst", "--name", CPR, "--password-stdin", "--db", db],
        input=password,
    )
    assert said.exit_code == 2 and "never a CPR number" in said.output, said.output
    made = CliRunner().invoke(
        app, ["users", "add", "bob", "--role", "analyst", "--password-stdin", "--db", db],
        input=password,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    token = run("users", "token", "bob", "--name", "0101901234", "--db", db)
    assert token.exit_code == 2 and "never a CPR number" in token.output, token.output
    listed = run("users", "list", "--db", db)
    assert "0101901234" not in listed.output and CPR not in listed.output
