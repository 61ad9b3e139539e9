"""Migration 0007 (job centres) on a register that already holds rows, on both backends:
every department and citizen gets the default job centre, a CPR hash becomes unique within
a job centre, and the way back restores 0006 exactly (or refuses what 0006 cannot hold)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from caseload.register import jobcentres
from caseload.store.database import connect
from caseload.store.migrate import current_revision, downgrade, upgrade

ROWS_AT_0006 = (
    "INSERT INTO department (id, code, name, is_trial, role_model) VALUES "
    "(1, 'JI1', 'One', false, 'all_apart'), (2, 'JI6', 'Six', true, 'buddy_pair')",
    "INSERT INTO team (id, code, department_id, name) VALUES (1, 'JI6-A', 2, 'A')",
    "INSERT INTO professional (id, code, name, department_id, team_id, fte, start_date) "
    "VALUES (1, 'KS-001', 'Anna', 2, 1, 1.0, '2017-08-01')",
    "INSERT INTO citizen (id, code, cpr_hash, birth_date, sex, origin, target_group, "
    "complexity) VALUES "
    "(1, 'C1', 'hash-one', '1980-01-01', 'male', 'danish', 'integration', 'complex'), "
    "(2, 'C2', 'hash-two', '1992-02-15', 'female', 'western', 'integration', NULL), "
    "(3, 'C3', NULL, '1970-01-01', 'female', 'danish', 'integration', NULL)",
    "INSERT INTO responsibility (id, citizen_id, professional_id, role, start_date, reason) "
    "VALUES (1, 1, 1, 'coordinating_caseworker', '2018-01-01', 'intake')",
    "INSERT INTO meeting (id, code, citizen_id, professional_id, kind, status) "
    "VALUES (1, 'M1', 1, 1, 'job_meeting', 'planned')",
    "INSERT INTO benefit_spell (id, citizen_id, benefit, start_date) "
    "VALUES (1, 2, 'kontanthjaelp', '2016-01-01')",
)
COUNTED = ("department", "team", "professional", "citizen", "responsibility", "meeting")


@pytest.fixture
def bare(db_url: str) -> Iterator[Engine]:
    """An engine on an empty, unmigrated database."""
    eng = connect(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def at_0006(bare: Engine) -> Engine:
    """A register at 0006 holding departments, staff, citizens and their rows."""
    upgrade(bare, "0006")
    with bare.begin() as conn:
        for statement in ROWS_AT_0006:
            conn.execute(text(statement))
        if conn.dialect.name == "postgresql":  # the rows were given ids: move the sequences on
            for table in ("department", "team", "professional", "citizen"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 10)"))
    return bare


def _rows(engine: Engine, table: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in COUNTED}


def _shape(engine: Engine, table: str) -> dict[str, Any]:
    """What a table is: columns, keys, constraints and indexes as the database reports them."""
    inspector = inspect(engine)
    return {
        "columns": [
            (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
        ],
        "unique": sorted(
            (u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)
        ),
        "foreign": sorted(
            (f["name"], tuple(f["constrained_columns"]), f["referred_table"])
            for f in inspector.get_foreign_keys(table)
        ),
        "indexes": sorted(
            (i["name"], tuple(i["column_names"]), bool(i["unique"]))
            for i in inspector.get_indexes(table)
        ),
        "checks": sorted(
            (c["name"], re.sub(r"[\s()]+", " ", c["sqltext"]).strip())
            for c in inspector.get_check_constraints(table)
        ),
    }


def _foreign_keys_hold(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":  # PostgreSQL never lets a broken reference in
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []


def test_existing_rows_get_the_default_job_centre(at_0006: Engine) -> None:
    counts = _counts(at_0006)
    upgrade(at_0006, "0007")
    assert current_revision(at_0006) == "0007"
    assert _rows(at_0006, "jobcentre") == [(1, jobcentres.DEFAULT_CODE, jobcentres.DEFAULT_NAME)]
    with at_0006.connect() as conn:
        for table in ("department", "citizen"):
            held = conn.execute(text(f"SELECT DISTINCT jobcentre_id FROM {table}")).scalars()
            assert list(held) == [1], table
        hashes = conn.execute(text("SELECT code, cpr_hash FROM citizen ORDER BY id")).all()
    assert [tuple(h) for h in hashes] == [("C1", "hash-one"), ("C2", "hash-two"), ("C3", None)]
    assert _counts(at_0006) == counts
    _foreign_keys_hold(at_0006)


def test_after_0007_a_cpr_hash_is_unique_within_a_job_centre(at_0006: Engine) -> None:
    upgrade(at_0006, "0007")
    citizen = (
        "INSERT INTO citizen (code, cpr_hash, birth_date, sex, origin, target_group, "
        "jobcentre_id) VALUES ('{code}', 'hash-one', '1980-01-01', 'male', 'danish', "
        "'integration', {centre})"
    )
    with at_0006.begin() as conn:
        conn.execute(text("INSERT INTO jobcentre (id, code, name) VALUES (2, '751', 'Aarhus')"))
        conn.execute(text(citizen.format(code="C4", centre=2)))  # the same CPR elsewhere
    with pytest.raises(IntegrityError), at_0006.begin() as conn:
        conn.execute(text(citizen.format(code="C5", centre=1)))  # twice in one job centre
    with pytest.raises(IntegrityError), at_0006.begin() as conn:  # the column is required
        conn.execute(
            text(
                "INSERT INTO department (code, name, is_trial, role_model) "
                "VALUES ('JI9', 'Nine', false, 'all_apart')"
            )
        )
    with pytest.raises(IntegrityError), at_0006.begin() as conn:  # and names a job centre
        conn.execute(
            text(
                "INSERT INTO department (code, name, is_trial, role_model, jobcentre_id) "
                "VALUES ('JI9', 'Nine', false, 'all_apart', 99)"
            )
        )


def test_an_empty_register_gets_no_job_centre(bare: Engine) -> None:
    upgrade(bare)
    assert _rows(bare, "jobcentre") == []


def test_the_way_back_restores_0006_with_its_rows(at_0006: Engine) -> None:
    tables = ("department", "citizen")
    shapes = {t: _shape(at_0006, t) for t in tables}
    rows = {t: _rows(at_0006, t) for t in (*tables, *COUNTED, "benefit_spell")}
    upgrade(at_0006, "0007")
    downgrade(at_0006, "0006")
    assert current_revision(at_0006) == "0006"
    assert "jobcentre" not in inspect(at_0006).get_table_names()
    assert {t: _shape(at_0006, t) for t in tables} == shapes
    assert {t: _rows(at_0006, t) for t in rows} == rows
    _foreign_keys_hold(at_0006)
    with pytest.raises(IntegrityError), at_0006.begin() as conn:  # unique in the register again
        conn.execute(
            text(
                "INSERT INTO citizen (code, cpr_hash, birth_date, sex, origin, target_group) "
                "VALUES ('C9', 'hash-one', '1980-01-01', 'male', 'danish', 'integration')"
            )
        )
    # the earlier migrations' own ways back still work on the restored tables
    downgrade(at_0006, "0003")
    assert _counts(at_0006) == {t: len(rows[t]) for t in COUNTED}
    upgrade(at_0006, "0007")
    assert current_revision(at_0006) == "0007"


def test_the_way_back_refuses_the_same_cpr_in_two_job_centres(at_0006: Engine) -> None:
    upgrade(at_0006, "0007")
    with at_0006.begin() as conn:
        conn.execute(text("INSERT INTO jobcentre (id, code, name) VALUES (2, '751', 'Aarhus')"))
        conn.execute(
            text(
                "INSERT INTO citizen (code, cpr_hash, birth_date, sex, origin, target_group, "
                "jobcentre_id) VALUES ('C4', 'hash-one', '1980-01-01', 'male', 'danish', "
                "'integration', 2)"
            )
        )
    with pytest.raises(RuntimeError, match="1 CPR number") as caught:
        downgrade(at_0006, "0006")
    assert "hash-one" not in str(caught.value)
    assert current_revision(at_0006) == "0007"
    assert len(_rows(at_0006, "citizen")) == 4
    assert len(_rows(at_0006, "jobcentre")) == 2
