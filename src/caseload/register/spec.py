"""Column specifications of the files users bring (docs/import-format.md is made from them).

A :class:`TableSpec` says which columns a file may have, how each is parsed and
checked, which columns form the natural key that makes re-imports safe, and
which database table the rows land in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import polars as pl
from sqlalchemy import Connection, Table

Kind = Literal["text", "int", "float", "date", "bool", "code", "cpr", "ref"]


@dataclass(frozen=True)
class Field:
    """One column of an import file."""

    name: str
    kind: Kind
    doc: str
    required: bool = False
    codes: tuple[str, ...] = ()
    ref: str | None = None
    """For ``kind="ref"``: the import table whose ``code`` this column names."""
    sensitive: bool = False
    """Values never appear in messages (CPR numbers, health or free-text fields)."""
    example: str = ""
    default: str | None = None
    """Raw value used when the column is absent or the cell empty."""
    store_as: str | None = None
    """Database column, when it differs from ``name`` (e.g. ``staff_id`` → ``professional_id``)."""

    @property
    def column(self) -> str:
        return self.store_as or self.name


Rule = Callable[[pl.DataFrame], pl.DataFrame]
"""A table-specific check: the parsed frame in, problems (``_row``, ``column``, ``reason``) out."""
StoredRule = Callable[[Connection, pl.DataFrame], pl.DataFrame]
"""A check against what the register already holds (e.g. the citizen's entry): the rows in
database columns (ids resolved, ``_row`` kept) in, problems out."""
Derive = Callable[[pl.DataFrame], pl.DataFrame]
"""Adds derived database columns (e.g. CPR → hash, birth date, sex) to a parsed, valid frame."""


@dataclass(frozen=True)
class TableSpec:
    name: str
    table: Table
    doc: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    """Natural key, in file column names: re-importing a row with the same key updates it."""
    periods: tuple[tuple[str, str], ...] = ()
    """(start, end) column pairs where end may not come before start."""
    rules: tuple[Rule, ...] = ()
    normalise: Derive | None = None
    """Rewrites parsed values before keys and rules are checked (e.g. a day → its month)."""
    derive: Derive | None = None
    derived_columns: tuple[str, ...] = ()
    """Database columns ``derive`` may fill: written whenever the derived frame has them."""
    self_refs: tuple[str, ...] = field(default=())
    stored_rules: tuple[StoredRule, ...] = field(default=())

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    def key_columns(self) -> tuple[str, ...]:
        """The natural key in database column names."""
        return tuple(self.field(n).column for n in self.key)


# column builders shared by the table specs (tables.py, caseflow_tables.py)
def code_field(name: str, doc: str, example: str) -> Field:
    """A required code column (stored as the row's natural key)."""
    return Field(name, "text", doc, required=True, store_as="code", example=example)


def ref_field(
    name: str,
    ref: str,
    doc: str,
    required: bool = True,
    example: str = "",
    store_as: str | None = None,
) -> Field:
    """A column naming a row of an earlier table by its code."""
    return Field(name, "ref", doc, required=required, ref=ref, example=example, store_as=store_as)


def staff_field(required: bool = False) -> Field:
    """The professional a row belongs to (``staff_id``)."""
    return ref_field("staff_id", "staff", "the professional", required, "KS-001", "professional_id")


def start_field(doc: str = "first day (inclusive)") -> Field:
    return Field("start_date", "date", doc, required=True, example="2018-01-01")


def end_field(doc: str = "last day (inclusive); empty while it runs") -> Field:
    return Field("end_date", "date", doc, example="")
