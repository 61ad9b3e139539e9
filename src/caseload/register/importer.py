"""Import a file (or frame) into the register: all rows or none, and safe to re-run.

Natural keys decide what a row is: a row whose key is new is inserted, one
whose key exists with other values updates it, and an identical row changes
nothing. Everything happens in one transaction after every row has passed.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl
from sqlalchemy import Connection, Engine, Table, UniqueConstraint, func, select

from caseload.i18n import N_, Message
from caseload.register import catalogue, jobcentres, problems, readers, rules, validate
from caseload.register.problems import ImportRejected
from caseload.register.spec import TableSpec
from caseload.store import bulk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportResult:
    table: str
    inserted: int
    updated: int
    unchanged: int
    notes: tuple[Message, ...] = ()
    """What the user should know about how the file was read (an encoding guessed)."""

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)


def import_file(
    engine: Engine,
    table: str,
    path: Path,
    progress: bulk.Progress | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> ImportResult:
    """Import a file (in ``encoding``, else the one its bytes say: see register.encodings;
    a workbook's ``sheet``, else its first)."""
    spec = catalogue.spec(table)
    notes: list[Message] = []
    raw = readers.read(path, encoding, notes, sheet)
    with engine.begin() as conn:
        result = import_frame(conn, spec, raw, source=str(path), progress=progress)
    if result.inserted + result.updated >= bulk.VACUUM_FROM:
        bulk.vacuum_after_load(engine, [spec.table.name])
    weak = rules.weak_key_note() if "cpr" in raw.columns else None
    if weak is not None:
        notes.append(weak)
    return replace(result, notes=tuple(notes))


def import_frame(
    conn: Connection,
    spec: TableSpec,
    frame: pl.DataFrame,
    source: str,
    progress: bulk.Progress | None = None,
) -> ImportResult:
    """Check ``frame`` and write it inside the caller's transaction; raises on any problem."""
    started = time.perf_counter()
    _lock(conn)
    if readers.ROW not in frame.columns:
        frame = frame.with_row_index(readers.ROW, offset=1).with_columns(
            pl.col(readers.ROW).cast(pl.Int64)
        )
    refs = _referenced_codes(conn, spec)
    placed = jobcentres.place(spec, frame, refs.get(jobcentres.TABLE))
    frame = placed.frame
    given = set(frame.columns) | {f.name for f in spec.fields if f.default is not None}
    known = {name: ids["code"] for name, ids in refs.items()}
    if jobcentres.TABLE in known:
        known[jobcentres.TABLE] = placed.known
    typed, found = validate.parse(spec, frame, known)
    found = pl.concat([found, placed.problems])
    if found.height:
        raise ImportRejected(source, problems.from_frame(found, source))
    if placed.needs_default:
        refs[jobcentres.TABLE] = jobcentres.add_default(conn)
    rows = _to_database_columns(spec, typed, refs, given)
    del typed
    taken = pl.concat(
        [_taken_elsewhere(conn, spec, rows), *(rule(conn, rows) for rule in spec.stored_rules)]
    )
    if taken.height:
        raise ImportRejected(source, problems.from_frame(taken, source))
    checked = time.perf_counter()
    result = _write(conn, spec, rows.drop(readers.ROW), progress)
    # counts and timings only: no values, so no personal data reaches the log
    log.info(
        "%s: %d inserted, %d updated, %d unchanged; checked in %.1f s, written in %.1f s",
        spec.name,
        result.inserted,
        result.updated,
        result.unchanged,
        checked - started,
        time.perf_counter() - checked,
    )
    return result


def _lock(conn: Connection) -> None:
    # Imports of different tables depend on each other's codes: run them one at a time.
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")


def _referenced_codes(conn: Connection, spec: TableSpec) -> dict[str, pl.DataFrame]:
    targets = {f.ref for f in spec.fields if f.kind == "ref" and f.ref}
    out: dict[str, pl.DataFrame] = {}
    for name in targets:
        table = catalogue.spec(name).table
        out[name] = bulk.read_codes(conn, table)
    return out


def _to_database_columns(
    spec: TableSpec, typed: pl.DataFrame, refs: dict[str, pl.DataFrame], given: set[str]
) -> pl.DataFrame:
    """Database columns for the file's own columns, the key, and what ``derive`` filled.

    Columns the file left out are not written, so a re-import of fewer columns does not
    empty stored values.
    """
    frame = spec.derive(typed) if spec.derive else typed
    derived = [c for c in spec.derived_columns if c in frame.columns]
    present = [
        f
        for f in spec.fields
        if (f.name in given or f.name in spec.key)
        and f.name in frame.columns
        and f.column not in derived
    ]
    renamed: list[pl.Expr | pl.Series] = []
    for f in present:
        if f.kind == "ref" and f.name not in spec.self_refs:
            assert f.ref is not None
            # a narrow join per reference: the wide frame is never copied
            lookup = refs[f.ref].rename({"code": f.name})
            ids = frame.select(f.name).join(lookup, on=f.name, how="left", maintain_order="left")
            renamed.append(ids.get_column("id").alias(f.column))
        elif f.name in frame.columns and f.name not in spec.self_refs:
            renamed.append(pl.col(f.name).alias(f.column))
    selfs = [spec.field(n) for n in spec.self_refs]
    # a same-table reference is resolved once the new rows have ids (see _write)
    placeholders = [pl.lit(None, pl.Int64).alias(f.column) for f in selfs]
    codes = [
        (pl.col(f.name) if f.name in frame.columns else pl.lit(None, pl.Utf8)).alias(
            f"_code_{f.name}"
        )
        for f in selfs
    ]
    # parse and derive keep the file's row order, which the id series above rely on
    return frame.select(readers.ROW, *renamed, *derived, *placeholders, *codes)


def _unique_with(table: Table, column: str) -> list[list[str]]:
    """The column sets that must be unique in ``table`` and hold ``column`` (a CPR hash is
    unique within a job centre: ``jobcentre_id``, ``cpr_hash``)."""
    found = [[column]] if table.c[column].unique else []
    found += [
        [c.name for c in constraint.columns]
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint) and column in constraint.columns
    ]
    return found


def _taken_elsewhere(conn: Connection, spec: TableSpec, rows: pl.DataFrame) -> pl.DataFrame:
    """Derived unique values (a CPR hash) already held by another row of the register (in
    the same job centre: unique together with the other columns of its constraint)."""
    found = [rules.none()]
    for column in spec.derived_columns:
        for together in _unique_with(spec.table, column):
            if not set(together) <= set(rows.columns) or "code" not in rows.columns:
                continue
            clash = _clashes(conn, spec.table, rows, together, column)
            field = next(f.name for f in spec.fields if f.kind == "cpr")
            found.append(
                rules.flag(
                    clash,
                    pl.lit(True),
                    field,
                    N_("already registered for citizen {citizen}"),
                    citizen=pl.col("code_stored"),
                )
            )
    return pl.concat(found)


def _clashes(
    conn: Connection, table: Table, rows: pl.DataFrame, together: list[str], column: str
) -> pl.DataFrame:
    """The rows whose values of ``together`` another stored row (another code) holds."""
    types = {"code": pl.Utf8, **{c: rows.schema[c] for c in together}}
    stored = (
        bulk.read_table(conn, table, ["code", *together])
        .cast(types)  # type: ignore[arg-type]
        .filter(pl.col(column).is_not_null())
    )
    return rows.join(stored, on=together, suffix="_stored").filter(
        pl.col("code") != pl.col("code_stored")
    )


def _write(
    conn: Connection, spec: TableSpec, rows: pl.DataFrame, progress: bulk.Progress | None
) -> ImportResult:
    table = spec.table
    if not conn.execute(select(func.count()).select_from(table)).scalar_one():
        # an empty table: every row is new (the common case of a first, big load)
        first = bulk.reserve_ids(conn, table, rows.height)
        ids = pl.int_range(0, rows.height, dtype=pl.Int64) + first
        inserts = _resolve_self_refs(conn, spec, rows.with_columns(ids.alias("id")))
        bulk.insert(conn, table, inserts.select("id", *_stored(rows)), progress, empty=True)
        return ImportResult(spec.name, inserts.height, 0, 0)
    return _upsert(conn, spec, rows, progress)


def _stored(rows: pl.DataFrame) -> list[str]:
    return [c for c in rows.columns if not c.startswith("_code_") and c != "id"]


def _upsert(
    conn: Connection, spec: TableSpec, rows: pl.DataFrame, progress: bulk.Progress | None
) -> ImportResult:
    """Match rows to stored ones by natural key: insert new, update changed, skip the rest."""
    table = spec.table
    key = list(spec.key_columns())
    columns = _stored(rows)
    schema = {c: rows.schema[c] for c in columns} | {"id": pl.Int64}
    existing = bulk.read_table(conn, table, ["id", *columns]).cast(schema)  # type: ignore[arg-type]
    keyed = rows.join(existing.select("id", *key), on=key, how="left", nulls_equal=True)
    new = keyed.filter(pl.col("id").is_null())
    first = bulk.reserve_ids(conn, table, new.height)
    keyed = pl.concat(
        [
            keyed.filter(pl.col("id").is_not_null()),
            new.with_columns((pl.int_range(0, new.height, dtype=pl.Int64) + first).alias("id")),
        ]
    ).select("id", *columns, *(c for c in rows.columns if c.startswith("_code_")))
    keyed = _resolve_self_refs(conn, spec, keyed)
    inserts = keyed.filter(pl.col("id") >= first)
    old = keyed.filter(pl.col("id") < first)
    compared = [c for c in columns if c not in key]
    updates = (
        old.join(existing, on="id", suffix="_old")
        .filter(
            pl.any_horizontal(~pl.col(c).eq_missing(pl.col(f"{c}_old")) for c in compared)
            if compared
            else pl.lit(False)
        )
        .select("id", *columns)
    )
    bulk.insert(conn, table, inserts, progress)
    bulk.update_rows(conn, table, updates)
    return ImportResult(spec.name, inserts.height, updates.height, old.height - updates.height)


def _resolve_self_refs(conn: Connection, spec: TableSpec, rows: pl.DataFrame) -> pl.DataFrame:
    """Turn codes of same-table references (follow-up meetings) into ids, new rows included.

    Only the codes actually referred to are looked up: most rows refer to nothing, and a
    lookup of every code of a big file would hold it in memory twice.
    """
    for name in spec.self_refs:
        column, code = spec.field(name).column, f"_code_{name}"
        wanted = rows.get_column(code).drop_nulls().unique().implode()
        in_file = rows.filter(pl.col("code").is_in(wanted)).select("code", "id")
        stored = bulk.read_codes(conn, spec.table).filter(pl.col("code").is_in(wanted))
        # a row of this file wins over the stored row with the same code (it updates it)
        lookup = pl.concat([in_file, stored]).unique("code", keep="first")
        ids = rows.select(code).join(
            lookup.rename({"code": code}), on=code, how="left", maintain_order="left"
        )
        rows = rows.with_columns(ids.get_column("id").alias(column)).drop(code)
    return rows
