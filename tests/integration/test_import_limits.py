"""What a database column cannot hold is refused by the import, in the same words on SQLite
(which would store it) and PostgreSQL (which would fail with its own error): text longer
than the column, a whole number beyond the column's range. Every such column of every
import table is tried, with the file, row and column named and nothing written."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import Engine, Integer, String, func, select

from caseload.register import catalogue, importer
from caseload.register.problems import ImportRejected
from caseload.register.spec import Field, TableSpec
from tests.conftest import EXAMPLES, CopyOf

ORDER = [spec.name for spec in catalogue.SPECS]


def _load_examples(engine: Engine, _folder: Path) -> None:
    for table in ORDER:
        importer.import_file(engine, table, EXAMPLES / f"{table}.csv")


def _limited(spec: TableSpec, f: Field) -> tuple[str, str] | None:
    """(a value the column cannot hold, the reason the import gives), for a text or whole
    number column of the file that the register stores as such."""
    column = spec.table.c.get(f.column)
    if column is None or f.kind not in ("text", "int"):
        return None
    if f.kind == "text" and isinstance(column.type, String) and column.type.length:
        most = column.type.length
        return "x" * (most + 1), f"longer than the {most} characters the register holds"
    if f.kind == "int" and isinstance(column.type, Integer):
        most = 2**31 - 1
        return str(most + 1), f"too large: the register holds whole numbers up to {most}"
    return None


CASES = [
    pytest.param(spec.name, f.name, *limited, id=f"{spec.name}.{f.name}")
    for spec in catalogue.SPECS
    for f in spec.fields
    if (limited := _limited(spec, f)) is not None
]


def test_the_cases_cover_codes_and_numbers() -> None:
    named = {(table, column) for table, column, *_ in (c.values for c in CASES)}
    assert {("staff", "staff_id"), ("staff", "district"), ("caps", "cap")} <= named
    assert {("meetings", "duration_minutes"), ("meeting_rules", "interval_months")} <= named
    assert len(named) >= 25


@pytest.fixture
def loaded(register_copy: CopyOf) -> Engine:
    return register_copy(_load_examples)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(
                select(func.count()).select_from(catalogue.spec(name).table)
            ).scalar_one()
            for name in ORDER
        }


def test_values_a_column_cannot_hold_are_refused_alike(loaded: Engine, tmp_path: Path) -> None:
    before = _counts(loaded)
    for table, column, value, reason in (c.values for c in CASES):
        rows = list(csv.reader(io.StringIO((EXAMPLES / f"{table}.csv").read_text("utf-8"))))
        if column not in rows[0]:  # an optional column the example leaves out
            rows = [[*rows[0], column], *([*row, ""] for row in rows[1:])]
        rows[-1][rows[0].index(column)] = value  # the last data row
        path = tmp_path / f"{table}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows(rows)
        with pytest.raises(ImportRejected) as caught:
            importer.import_file(loaded, table, path)
        found = [(p.file, p.row, p.column, p.reason) for p in caught.value.problems]
        assert (str(path), len(rows), column, reason) in found, (table, column, found)
        assert value not in " ".join(p.reason for p in caught.value.problems)
    assert _counts(loaded) == before
