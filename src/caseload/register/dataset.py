"""The register as a Parquet dataset partitioned by job centre (store/datasets.py has the
layout): what analysts evaluate with DuckDB on a laptop or Spark on a cluster.

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
from sqlalchemy import Connection, Table, select

from caseload.i18n import Message, Said
from caseload.store import datasets
from caseload.store.datasets import PARTITION

PREFERRED = ("jobcentre_id", "citizen_id", "department_id", "professional_id")
"""The foreign keys tried first for a row's job centre, in this order; the others after."""


class FolderNotEmpty(Said, FileExistsError):
    """The dataset's folder holds files already."""


def _keys(table: Table, known: dict[str, pl.DataFrame]) -> list[tuple[str, str]]:
    """(column, parent table) of each foreign key whose parent's rows know their job centre,
    preferred keys first."""
    keys = [
        (fk.parent.name, fk.column.table.name)
        for fk in table.foreign_keys
        if fk.column.table.name in known and fk.column.name == "id"
    ]
    return sorted(keys, key=lambda k: (PREFERRED.index(k[0]) if k[0] in PREFERRED else 99, k[0]))


def _with_centre(table: Table, frame: pl.DataFrame, known: dict[str, pl.DataFrame]) -> pl.DataFrame:
    keys = _keys(table, known)
    if not keys:
        return frame
    found = []
    for i, (column, parent) in enumerate(keys):
        alias = f"__centre_{i}"
        lookup = known[parent].rename({"id": column, PARTITION: alias})
        frame = frame.join(lookup, on=column, how="left", coalesce=True)
        found.append(alias)
    return frame.with_columns(pl.coalesce(found).alias(PARTITION)).drop(found)


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
    for table in datasets.register_tables():
        query = select(table).order_by(*table.primary_key.columns)
        frame = pl.read_database(query, conn, schema_overrides=datasets.polars_schema(table))
        if table.name == "jobcentre":
            known["jobcentre"] = frame.select("id", pl.col("code").alias(PARTITION))
        else:
            frame = _with_centre(table, frame, known)
            if PARTITION in frame.columns:
                partitioned.append(table.name)
                if "id" in frame.columns:
                    known[table.name] = frame.select("id", PARTITION)
        written[table.name] = datasets.write_table(out, table, frame)
        if tick is not None:
            tick(table.name, written[table.name])
    datasets.write_manifest(out, revision, written, partitioned)
    return written
