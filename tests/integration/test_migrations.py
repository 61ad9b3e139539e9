"""Alembic migrations create exactly the schema of caseload.store.schema, on both backends."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, Engine, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from caseload.store import schema
from caseload.store.database import connect
from caseload.store.migrate import (
    current_revision,
    downgrade,
    head_revision,
    is_current,
    upgrade,
)
from caseload.store.schema import metadata
from tests.helpers import jobcentre_id

TABLES = set(metadata.tables)


@pytest.fixture
def bare(db_url: str) -> Iterator[Engine]:
    """An engine on an empty, unmigrated database."""
    eng = connect(db_url)
    yield eng
    eng.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _diffs(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_metadata_has_the_register_tables() -> None:
    # guards the tests below against an accidentally empty metadata
    assert len(TABLES) == 37
    assert {"department", "citizen", "meeting", "trial_assignment"} <= TABLES


def test_new_database_is_not_current(bare: Engine) -> None:
    assert current_revision(bare) is None
    assert head_revision() is not None
    assert not is_current(bare)
    assert _tables(bare) == set()


def test_upgrade_creates_every_table(bare: Engine) -> None:
    upgrade(bare)
    assert _tables(bare) == TABLES | {"alembic_version"}
    assert is_current(bare)
    assert current_revision(bare) == head_revision()


def test_upgrade_twice_is_harmless(bare: Engine) -> None:
    upgrade(bare)
    upgrade(bare)
    assert is_current(bare)
    assert _tables(bare) == TABLES | {"alembic_version"}


def test_every_column_is_created(bare: Engine) -> None:
    upgrade(bare)
    inspector = inspect(bare)
    for name, table in metadata.tables.items():
        reflected = {c["name"]: c for c in inspector.get_columns(name)}
        assert set(reflected) == set(table.c.keys()), name
        for column in table.c:
            assert reflected[column.name]["nullable"] == column.nullable, (name, column.name)


def test_downgrade_to_base_drops_every_table(bare: Engine) -> None:
    upgrade(bare)
    downgrade(bare, "base")
    assert _tables(bare) & TABLES == set()
    assert current_revision(bare) is None
    assert not is_current(bare)


def test_downgrade_with_a_long_trial_scheme(bare: Engine) -> None:
    """Since 0002 a trial's scheme is text; going back cuts it to the old 200 characters
    (PostgreSQL refused to narrow the column: `caseload demo --fresh` failed there)."""
    upgrade(bare)
    with bare.begin() as conn:
        conn.execute(
            insert(schema.trial).values(
                code="T",
                name="trial",
                unit="citizen",
                start_date=date(2018, 1, 1),
                scheme="x" * 500,
            )
        )
    downgrade(bare, "0001")
    with bare.connect() as conn:
        assert conn.execute(text("SELECT scheme FROM trial")).scalar_one() == "x" * 200
    downgrade(bare, "base")
    assert _tables(bare) & TABLES == set()


def test_upgrade_after_downgrade_recreates_the_schema(bare: Engine) -> None:
    upgrade(bare)
    downgrade(bare, "base")
    upgrade(bare)
    assert _tables(bare) == TABLES | {"alembic_version"}
    assert is_current(bare)
    assert _diffs(bare) == []


def test_migration_matches_the_schema(bare: Engine) -> None:
    upgrade(bare)
    assert _diffs(bare) == []


def test_unique_constraints_and_indexes_match(bare: Engine) -> None:
    # compare_metadata covers these, but say which one is missing when it fails
    upgrade(bare)
    inspector = inspect(bare)
    for name, table in metadata.tables.items():
        reflected_fks = {
            (tuple(fk["constrained_columns"]), fk["referred_table"])
            for fk in inspector.get_foreign_keys(name)
        }
        wanted_fks = {
            (tuple(c.name for c in fk.columns), fk.referred_table.name)
            for fk in table.foreign_key_constraints
        }
        assert reflected_fks == wanted_fks, name
        reflected_indexes = {
            (tuple(ix["column_names"]), bool(ix["unique"])) for ix in inspector.get_indexes(name)
        }
        wanted_indexes = {
            (tuple(c.name for c in ix.columns), bool(ix.unique)) for ix in table.indexes
        }
        assert wanted_indexes <= reflected_indexes, name


def _normalised(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip().strip("()").strip()


def test_check_constraints_match(bare: Engine) -> None:
    """compare_metadata ignores CHECK constraints: check their names (and SQLite's text)."""
    upgrade(bare)
    inspector = inspect(bare)
    sqlite = bare.dialect.name == "sqlite"
    missing: dict[str, set[str]] = {}
    unexpected: dict[str, set[str]] = {}
    changed: dict[str, str] = {}
    for name, table in metadata.tables.items():
        reflected = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(name)}
        wanted = {
            str(c.name): str(c.sqltext) for c in table.constraints if isinstance(c, CheckConstraint)
        }
        if set(wanted) - set(reflected):
            missing[name] = set(wanted) - set(reflected)
        if set(reflected) - set(wanted):
            unexpected[name] = set(reflected) - set(wanted)
        if sqlite:  # SQLite keeps the text verbatim; PostgreSQL rewrites it
            for constraint, sql in wanted.items():
                if constraint in reflected and _normalised(reflected[constraint]) != _normalised(
                    sql
                ):
                    changed[constraint] = reflected[constraint]
    assert (missing, unexpected, changed) == ({}, {}, {})


def test_sqlite_pragmas(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"


def test_sqlite_pragmas_hold_on_every_pooled_connection(tmp_path: Path) -> None:
    eng = connect(str(tmp_path / "other.sqlite"))
    try:
        upgrade(eng)
        for _ in range(3):
            with eng.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            eng.dispose()
        assert (tmp_path / "other.sqlite").exists()
    finally:
        eng.dispose()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(schema.team).values(code="T", department_id=999, name="Ghost"))
    with engine.connect() as conn:
        assert conn.execute(select(schema.team.c.id)).all() == []


def test_check_constraints_are_enforced(engine: Engine) -> None:
    with engine.begin() as conn:
        centre = jobcentre_id(conn)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            insert(schema.department).values(
                code="D", name="D", is_trial=False, role_model="nonsense", jobcentre_id=centre
            )
        )
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM department")).scalar_one() == 0


def test_sqlite_readers_do_not_take_the_write_lock(tmp_path: Path) -> None:
    """Two reports read side by side while a writer commits (WAL, deferred read
    transactions); a second writer still waits for the first (BEGIN IMMEDIATE)."""
    from caseload.store.database import reader

    engine = connect(str(tmp_path / "locks.sqlite"))
    upgrade(engine)
    with reader(engine).connect() as first, reader(engine).connect() as second:
        first.exec_driver_sql("SELECT COUNT(*) FROM citizen").scalar()
        second.exec_driver_sql("SELECT COUNT(*) FROM citizen").scalar()
        with engine.begin() as writer:
            writer.exec_driver_sql(
                "INSERT INTO department (code, name, is_trial, role_model, jobcentre_id) "
                f"VALUES ('D1', 'One', 0, 'all_apart', {jobcentre_id(writer)})"
            )
        # each reader keeps its snapshot until its transaction ends
        assert first.exec_driver_sql("SELECT COUNT(*) FROM department").scalar() == 0
    with reader(engine).connect() as later:
        assert later.exec_driver_sql("SELECT COUNT(*) FROM department").scalar() == 1
    engine.dispose()


def test_the_audit_trail_refuses_update_and_delete(bare: Engine) -> None:
    """Triggers keep audit_event append-only on both databases, whoever connects."""
    upgrade(bare)
    event = {"at": datetime(2026, 12, 6, 10), "request_id": "r1", "action": "login"}
    with bare.begin() as conn:
        conn.execute(insert(schema.audit_event).values(**event))
    for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="audit_event is append-only"), bare.begin() as conn:
            conn.execute(text(statement))
    with bare.connect() as conn:
        assert conn.execute(select(schema.audit_event.c.action)).scalars().all() == ["login"]
