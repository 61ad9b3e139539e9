"""The CPR guard: a CPR-like text in any column of any import table but ``cpr`` is refused
with its row and column, and never repeated in a problem, in English or Danish."""

from __future__ import annotations

import polars as pl
import pytest

from caseload.domain.cpr import looks_like_cpr
from caseload.i18n import translator
from caseload.register import catalogue, validate
from caseload.register.problems import from_frame
from caseload.register.readers import ROW
from caseload.register.spec import TableSpec

NUMBER = "010180-1234"
FRAGMENTS = ("010180", "1234", "0101801234")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("010180-1234", True),
        ("0101801234", True),  # without the hyphen
        ("C0101801234", True),  # inside an id
        ("met 311299-4321 today", True),  # inside free text
        ("0101801235", True),  # fails modulus 11: still refused (issued since 2007)
        ("320180-1234", False),  # no 32nd day
        ("011380-1234", False),  # no 13th month
        ("0101801234567", False),  # part of a longer number
        ("C0000042", False),
        ("M000000001", False),
        ("1234567890", False),
        ("", False),
    ],
)
def test_what_looks_like_a_cpr_number(text: str, found: bool) -> None:
    assert looks_like_cpr(text) is found


def _one_row(spec: TableSpec, column: str) -> pl.DataFrame:
    """A one-row file of the table with every column present, ``column`` holding a CPR
    number inside other text, the rest their example values."""
    cells = {f.name: f.example or "x" for f in spec.fields}
    cells[column] = f"ref {NUMBER}"
    return pl.DataFrame({name: [value] for name, value in cells.items()}).with_columns(
        pl.lit(2, pl.Int64).alias(ROW)
    )


CASES = [(spec.name, f.name) for spec in catalogue.SPECS for f in spec.fields if f.kind != "cpr"]


def test_every_table_and_column_is_covered() -> None:
    assert len({table for table, _ in CASES}) == len(catalogue.SPECS)
    assert len(CASES) > 100


@pytest.mark.parametrize(("table", "column"), CASES)
def test_a_cpr_number_in_any_column_is_refused_and_never_repeated(table: str, column: str) -> None:
    spec = catalogue.spec(table)
    _, problems = validate.parse(spec, _one_row(spec, column), {})
    found = from_frame(problems, "file.csv")
    guarded = [p for p in found if p.row == 2 and p.column == column]
    assert len(guarded) == 1
    assert "CPR" in guarded[0].reason
    # the row's other problems are left out: they might repeat the number
    assert all(p.row != 2 or p.column == column for p in found)
    for lang in ("en", "da"):
        shown = " ".join(f"{p.column} {p.text(lang)}" for p in found)
        assert not any(fragment in shown for fragment in FRAGMENTS), shown
    assert translator("da").message(guarded[0].message) != guarded[0].reason


def test_the_cpr_column_itself_is_exempt() -> None:
    spec = catalogue.spec("citizens")
    frame = _one_row(spec, "citizen_id").with_columns(pl.lit("C000001").alias("citizen_id"))
    frame = frame.with_columns(pl.lit(NUMBER).alias("cpr"))
    _, problems = validate.parse(spec, frame, {})
    assert not [p for p in from_frame(problems, "f") if "CPR number;" in p.reason]


def test_a_header_that_looks_like_a_cpr_number_is_not_repeated() -> None:
    """A file without its header row: the first citizen became the column names."""
    spec = catalogue.spec("citizens")
    frame = pl.DataFrame({"c000001": ["C000002"], NUMBER: ["020280-2345"]}).with_columns(
        pl.lit(2, pl.Int64).alias(ROW)
    )
    _, problems = validate.parse(spec, frame, {})
    found = from_frame(problems, "citizens.csv")
    assert any("header row missing" in p.reason for p in found)
    for lang in ("en", "da"):
        shown = " ".join(f"{p.column} {p.text(lang)}" for p in found)
        assert not any(fragment in shown for fragment in FRAGMENTS), shown
