"""The register as a Parquet dataset partitioned by job centre (store/datasets.py has the
layout): what analysts evaluate with DuckDB on a laptop or Spark on a cluster.

``load_dataset`` brings a dataset back into an empty register (SQLite, PostgreSQL) with its
ids, so a national register generated as Parquet (synth.national) runs on the databases too.

Each row's job centre follows its foreign keys: a department's and a citizen's own, a
professional's department's, a meeting's citizen's, a progress report's order's citizen's…
(the first key that leads to one, the citizen before the department). A table whose rows lead
to no job centre (the job centres themselves, trials) is written whole. Free text and CPR
hashes are written empty, and the web app's own tables (accounts, the audit trail, case
notes) are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
from sqlalchemy import Connection, Engine, Table, func, select

from caseload.i18n import Message, Said
from caseload.register.export import at_least_one
from caseload.store import bulk, datasets, schema
from caseload.store.database import describe
from caseload.store.datasets import PARTITION
from caseload.store.migrate import current_revision

PREFERRED = ("jobcentre_id", "citizen_id", "department_id", "professional_id")
"""The foreign keys tried first for a row's job centre, in this order; the others after."""


class FolderNotEmpty(Said, FileExistsError):
    """The dataset's folder holds files already."""


class RegisterNotEmpty(Said, ValueError):
    """A dataset is loaded only into an empty register (or one of another revision)."""


BATCH_ROWS = 200_000
"""Rows read and written at a time by ``write_dataset``: its memory stays that of a batch
(and the job centres of the rows that others refer to), not of the largest table."""

WITHHELD = "-"
"""What a required free-text column holds after a load: the dataset leaves free text out."""


def _keys(table: Table, known: dict[str, pl.DataFrame]) -> list[tuple[str, str]]:
    """(column, parent table) of each foreign key whose parent's rows know their job centre,
    preferred keys first."""
    keys = [
        (fk.parent.name, fk.column.table.name)
        for fk in table.foreign_keys
        if fk.column.table.name in known and fk.column.name == "id"
    ]
    return sorted(keys, key=lambda k: (PREFERRED.index(k[0]) if k[0] in PREFERRED else 99, k[0]))


def _with_centre(
    table: Table, frame: pl.DataFrame, known: dict[str, pl.DataFrame]
) -> tuple[pl.DataFrame, bool]:
    """The rows with their job centre (``PARTITION``), and whether any row refers to rows
    of two job centres (a citizen's case in another centre's department, say)."""
    keys = _keys(table, known)
    if not keys:
        return frame, False
    found = []
    for i, (column, parent) in enumerate(keys):
        alias = f"__centre_{i}"
        lookup = known[parent].rename({"id": column, PARTITION: alias})
        frame = frame.join(lookup, on=column, how="left", coalesce=True)
        found.append(alias)
    frame = frame.with_columns(pl.coalesce(found).alias(PARTITION))
    crossing = any(
        frame.select((pl.col(alias) != pl.col(PARTITION)).fill_null(False).any()).item()
        for alias in found[1:]
    )
    return frame.drop(found), crossing


def write_dataset(
    conn: Connection,
    out: Path,
    revision: str,
    tick: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Write every register table under ``out`` (which must be new or empty); rows per
    table. ``tick(table, rows)`` hears each table written."""
    if out.exists() and any(out.iterdir()):
        raise FolderNotEmpty(
            Message("{folder}: the folder is not empty; give a new one", {"folder": str(out)})
        )
    out.mkdir(parents=True, exist_ok=True)
    known: dict[str, pl.DataFrame] = {}
    written: dict[str, int] = {}
    partitioned: list[str] = []
    closed = True
    for table in datasets.register_tables():
        types = datasets.polars_schema(table)
        query = (
            select(table)
            .order_by(*table.primary_key.columns)
            .execution_options(stream_results=True)  # PostgreSQL: a server-side cursor
        )
        batches = pl.read_database(
            query, conn, iter_batches=True, batch_size=BATCH_ROWS, schema_overrides=types
        )
        centres: list[pl.DataFrame] = []
        written[table.name] = 0
        for part, frame in enumerate(at_least_one(batches, pl.DataFrame(schema=types))):
            if table.name == "jobcentre":
                centres.append(frame.select("id", pl.col("code").alias(PARTITION)))
            else:
                frame, crossing = _with_centre(table, frame, known)
                closed = closed and not crossing
                if PARTITION in frame.columns and "id" in frame.columns:
                    centres.append(frame.select("id", PARTITION))
                if PARTITION in frame.columns and part == 0:
                    partitioned.append(table.name)
            written[table.name] += datasets.write_table(out, table, frame, f"part-{part:05d}")
        if centres:
            known[table.name] = pl.concat(centres)
        if tick is not None:
            tick(table.name, written[table.name])
    datasets.write_manifest(out, revision, written, partitioned, closed)
    return written


def load_dataset(
    engine: Engine, folder: Path, tick: Callable[[str, int, int], None] | None = None
) -> dict[str, int]:
    """Load the dataset in ``folder`` into the empty, migrated register on ``engine`` with
    its ids (one transaction, parents before children, a file at a time; COPY on
    PostgreSQL, whose id sequences are then set past the largest id); rows per table.
    Refuses a register that holds any row, or one at another schema revision than the
    dataset's. Free text the dataset left empty stays empty, or ``WITHHELD`` where the
    column requires a value. ``tick(table, rows loaded, rows in the table)``."""
    found = datasets.manifest(folder)
    revision = current_revision(engine)
    if revision != found.revision:
        raise RegisterNotEmpty(
            Message(
                "{where} is at schema revision {register}, the dataset at {dataset}: "
                "load it into a register migrated to the same revision",
                {"where": describe(engine), "register": revision, "dataset": found.revision},
            )
        )
    loaded: dict[str, int] = {}
    with engine.begin() as conn:
        held = [t.name for t in schema.metadata.sorted_tables if _holds_rows(conn, t)]
        if held:
            raise RegisterNotEmpty(
                Message(
                    "{where} is not empty (it holds {tables}): load a dataset into a new, "
                    "migrated register",
                    {"where": describe(engine), "tables": ", ".join(held[:3])},
                )
            )
        for table in datasets.register_tables():
            if table.name in found.tables:
                loaded[table.name] = _load_table(conn, table, found, tick)
        if conn.dialect.name == "postgresql":
            for table in datasets.register_tables():
                _sequence_past_ids(conn, table)
    bulk.vacuum_after_load(engine, [t for t, rows in loaded.items() if rows >= bulk.VACUUM_FROM])
    return loaded


def _holds_rows(conn: Connection, table: Table) -> bool:
    return (
        conn.execute(
            select(func.count()).select_from(select(table).limit(1).subquery())
        ).scalar_one()
        > 0
    )


def _load_table(
    conn: Connection,
    table: Table,
    found: datasets.Manifest,
    tick: Callable[[str, int, int], None] | None,
) -> int:
    total = found.tables.get(table.name, 0)
    done = 0
    required = {c.name for c in table.columns if not c.nullable}
    listed = found.written(table.name)  # the files written, not a stray copy beside them
    paths = sorted(found.location(table.name).rglob("*.parquet")) if listed is None else listed
    for path in paths:
        with datasets.unreadable_said(found, path):
            frame = pl.read_parquet(path, hive_partitioning=False)
        if frame.height == 0:
            continue
        frame = frame.select(
            (
                pl.col(c.name).fill_null(WITHHELD)
                if c.name in required and frame.schema[c.name] == pl.Utf8
                else pl.col(c.name)
            )
            for c in table.columns
            if c.name in frame.columns and c.name != PARTITION
        )

        first = done == 0

        def progress(rows: int) -> None:
            nonlocal done
            done += rows
            if tick is not None:
                tick(table.name, done, total)

        bulk.insert(conn, table, frame, progress, empty=first)
    return done


def _sequence_past_ids(conn: Connection, table: Table) -> None:
    """PostgreSQL: the table's id sequence hands out ids after the largest loaded."""
    name = table.name
    conn.exec_driver_sql(
        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), COALESCE(MAX(id), 1), "
        f'MAX(id) IS NOT NULL) FROM "{name}"'
    )
