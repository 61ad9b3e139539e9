"""Fuzzed imports against the column specification (tests/import_junk.py), on SQLite and
PostgreSQL: every file holding a value the specification refuses is refused whole, with
its row and column, without a crash, without repeating a long or control-character value,
and the table is exactly as before. Bounded here; benchmarks/fuzz_imports.py is the long
run (docs/reliability.md)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from caseload.register import catalogue, importer
from caseload.register.problems import ImportRejected
from tests import import_junk
from tests.conftest import CopyOf

EXAMPLES_PER_BACKEND = 60


def _load_examples(engine: Engine, _folder: Path) -> None:
    for table in import_junk.TABLES:
        importer.import_file(engine, table, import_junk.EXAMPLES / f"{table}.csv")


@pytest.fixture
def loaded(register_copy: CopyOf) -> Engine:
    return register_copy(_load_examples)


def check(engine: Engine, junk: import_junk.Junk, folder: Path) -> None:
    """The oracle: refused whole, in words, nothing changed."""
    before = import_junk.contents(engine, junk.table)
    path = import_junk.write(junk, folder)
    with pytest.raises(ImportRejected) as refused:
        importer.import_file(engine, junk.table, path)
    problems = refused.value.problems
    assert problems, junk
    shown = " ".join(f"{p.column} {p.reason}" for p in problems)
    if junk.kind in ("value", "control", "too_long"):
        assert any(p.column == junk.column and p.row == junk.row + 2 for p in problems), (
            junk,
            shown,
        )
    if junk.kind == "control":
        assert junk.value not in shown, junk
    if junk.kind == "too_long":
        assert junk.value[:41] not in shown, junk
    assert import_junk.contents(engine, junk.table) == before, junk


def test_the_examples_themselves_are_accepted_unchanged(loaded: Engine) -> None:
    for table in import_junk.TABLES:
        result = importer.import_file(loaded, table, import_junk.EXAMPLES / f"{table}.csv")
        assert (result.inserted, result.updated) == (0, 0), table


@settings(
    max_examples=EXAMPLES_PER_BACKEND,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(table=st.sampled_from(import_junk.TABLES), seed=st.integers(0, 2**32 - 1))
def test_junk_is_refused_whole_in_words(
    loaded: Engine, tmp_path: Path, table: str, seed: int
) -> None:
    check(loaded, import_junk.make(table, random.Random(seed)), tmp_path)


@pytest.mark.parametrize("table", import_junk.TABLES)
def test_every_junk_class_of_a_table_once(loaded: Engine, tmp_path: Path, table: str) -> None:
    """Each class the specification refuses, on row 1 (so none is left to chance); two
    control characters here, all of them in the drawn examples and the long run."""
    for column, kind, value in import_junk.classes(table, controls=("\x00", "\x1b")):
        check(loaded, import_junk.Junk(table, 0, column, kind, value), tmp_path)


def test_non_finite_numbers_are_named(loaded: Engine, tmp_path: Path) -> None:
    junk = import_junk.Junk("paid_hours", 0, "hours", "value", "NaN")
    path = import_junk.write(junk, tmp_path)
    with pytest.raises(ImportRejected) as refused:
        importer.import_file(loaded, "paid_hours", path)
    assert [(p.row, p.column, p.reason) for p in refused.value.problems] == [
        (2, "hours", "not a finite number (NaN or infinite)")
    ]
    assert catalogue.spec("paid_hours").name == "paid_hours"


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(table=st.sampled_from(["departments", "teams", "staff"]), seed=st.integers(0, 2**32 - 1))
def test_windows_1252_files_store_their_letters_never_a_replacement_character(
    loaded: Engine, tmp_path: Path, table: str, seed: int
) -> None:
    """Danish Excel's CSV (Windows-1252): every letter stored as it was typed, no U+FFFD."""
    rng = random.Random(seed)
    names = {row[0]: import_junk.danish_text(rng) for row in import_junk.rows(table)}
    path = import_junk.write_windows_1252(table, names, tmp_path)
    result = importer.import_file(loaded, table, path)
    assert any("Windows-1252" in str(note) for note in result.notes)
    spec = catalogue.spec(table)
    with loaded.connect() as conn:
        stored = dict(conn.execute(select(spec.table.c.code, spec.table.c.name)).tuples().all())
    assert {code: stored[code] for code in names} == names
    assert not any("\ufffd" in value for value in stored.values())
