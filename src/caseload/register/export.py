"""Export the register in the import format (codes, not ids), as CSV or Parquet.

An exported file imports back as a no-op: same columns, same natural keys. CPR
numbers are never exported (only their hash is stored, and it stays inside). A CSV text
cell that a spreadsheet would run as a formula is written behind an apostrophe
(formulas.py), which the import removes again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl
from sqlalchemy import Connection, select
from sqlalchemy.sql import Select

from caseload.register import catalogue, formulas
from caseload.register.spec import TableSpec

FORMATS = ("csv", "parquet")


def query(spec: TableSpec) -> Select[tuple[object, ...]]:
    """The table with every reference replaced by the referenced row's code."""
    table = spec.table
    columns = []
    joins = []
    for f in spec.fields:
        if f.kind == "cpr":
            continue
        if f.kind == "ref":
            assert f.ref is not None
            target = catalogue.spec(f.ref).table.alias(f"ref_{f.name}")
            joins.append((target, target.c.id == table.c[f.column]))
            columns.append(target.c.code.label(f.name))
        else:
            columns.append(table.c[f.column].label(f.name))
    statement = select(*columns).select_from(table)
    for target, on in joins:
        statement = statement.outerjoin(target, on)
    return statement.order_by(table.c.id)


BATCH_ROWS = 200_000
"""Rows fetched at a time: an export holds a batch of Python rows, not a whole table's."""


def batches(conn: Connection, spec: TableSpec) -> Iterator[pl.DataFrame]:
    """The table in the import format, a frame per batch of rows (at least one frame;
    a server-side cursor on PostgreSQL)."""
    result = conn.execute(query(spec).execution_options(stream_results=True))
    names = list(result.keys())
    frames = (
        pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
        for rows in result.partitions(BATCH_ROWS)
    )
    return at_least_one(frames, pl.DataFrame([], schema=names, orient="row"))


def at_least_one(frames: Iterable[pl.DataFrame], empty: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """The frames of a table read in batches, or ``empty`` (its columns) when it has none."""
    none = True
    for frame in frames:
        none = False
        yield frame
    if none:
        yield empty


def frame(conn: Connection, spec: TableSpec) -> pl.DataFrame:
    """The whole table in the import format (each column the type all its rows share)."""
    return pl.concat(batches(conn, spec), how="vertical_relaxed")


def export(
    conn: Connection, out: Path, fmt: str = "csv", tables: list[str] | None = None
) -> dict[str, int]:
    """Write one file per table into ``out``; returns rows written per table."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    # row-level data: the folder made for it and its files are the owner's only
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    written = {}
    for spec in catalogue.SPECS:
        if tables and spec.name not in tables:
            continue
        path = out / f"{spec.name}.{fmt}"
        if fmt == "csv":  # a text Excel would run as a formula goes behind an apostrophe
            written[spec.name] = 0
            with path.open("wb") as file:
                for i, data in enumerate(batches(conn, spec)):
                    formulas.neutralise(data).write_csv(
                        file, include_header=i == 0, date_format="%Y-%m-%d"
                    )
                    written[spec.name] += data.height
        else:  # Polars' columns (not Python rows) held until the one file is written
            data = frame(conn, spec)
            data.write_parquet(path)
            written[spec.name] = data.height
        path.chmod(0o600)
    return written
