"""The register as a Parquet dataset, and the engines that read it (DuckDB, Apache Spark).

Layout (what ``caseload export --format parquet --partition-by jobcentre`` and
``caseload demo --national --parquet`` write; docs/national.md):

    OUT/dataset.json                          the manifest: format, schema revision, tables
                                               and their rows, every file written
    OUT/<table>/jobcentre=<code>/<part>.parquet    a table's rows of one job centre (a file per
                                               batch written, part-00000…, or the centre's
                                               code when written centre by centre)
    OUT/<table>/part-00000.parquet            tables that belong to no one job centre

A table holds the register's own columns (store/schema.py) with their internal ids, so the
evaluation's statements run on it unchanged; its job centre is the partition column
``jobcentre`` (Hive style). The engines register one view per table over its files and hand
back a SQLAlchemy ``Engine``: DuckDB embedded (``duckdb_engine``), Spark on ``local[N]``, a
standalone or YARN/Kubernetes master, or Spark Connect (``sc://``) through store/spark.py.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.pool import StaticPool

from caseload.i18n import Message, Said
from caseload.store import schema
from caseload.store import spark as _spark  # registers the dialect, and 8-byte floats

MANIFEST = "dataset.json"
FORMAT = "caseload register dataset"
PARTITION = "jobcentre"
ENGINES = ("duckdb", "spark")
SPARK_DEFAULT = "local[2]"


class DatasetError(Said, ValueError):
    """A folder that is not a dataset, or an engine that cannot be had, in words."""


@dataclass(frozen=True)
class Manifest:
    folder: Path
    revision: str
    tables: dict[str, int]
    """Table → rows."""
    partitioned: tuple[str, ...]
    """The tables written per job centre."""
    closed: bool = False
    """No row refers to rows of two job centres: a trial's rows, and every row they join,
    lie in the partitions of the job centres whose citizens it randomised (so an engine
    reads only those; ``pruned``)."""
    files: dict[str, tuple[str, ...]] | None = None
    """Table → its files (paths under the table's folder) as written; None in a manifest
    written before files were listed (an engine then reads whatever files are there)."""

    def location(self, table: str) -> Path:
        return self.folder / table

    def written(self, table: str, keep: Callable[[Path], bool] | None = None) -> list[Path] | None:
        """The files of ``table`` as written (those ``keep`` keeps; None: not listed); a
        DatasetError when one of them is gone, since the evaluation would silently lose its
        rows."""
        if self.files is None:
            return None
        where = self.location(table)
        listed = [where / name for name in self.files.get(table, ())]
        if keep is not None:
            listed = [path for path in listed if keep(path)]
        for path in listed:
            if not path.is_file():
                raise DatasetError(
                    Message(
                        "{folder}: the dataset is incomplete: {file} is listed in {manifest} "
                        "but is not there; write the dataset again",
                        {
                            "folder": str(self.folder),
                            "file": path.relative_to(self.folder).as_posix(),
                            "manifest": MANIFEST,
                        },
                    )
                )
        return listed


def _files_under(folder: Path, tables: dict[str, int]) -> dict[str, list[str]]:
    """Every Parquet file of each table, as paths under the table's folder."""
    found: dict[str, list[str]] = {}
    for table in tables:
        where = folder / table
        found[table] = sorted(p.relative_to(where).as_posix() for p in where.rglob("*.parquet"))
    return found


def write_manifest(
    folder: Path,
    revision: str,
    tables: dict[str, int],
    partitioned: list[str],
    closed: bool = False,
) -> Path:
    path = folder / MANIFEST
    data = {
        "format": FORMAT,
        "schema_revision": revision,
        "partition_by": PARTITION,
        "partitioned": sorted(partitioned),
        "closed": closed,
        "tables": tables,
        "files": _files_under(folder, tables),
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def manifest(folder: Path) -> Manifest:
    """The dataset in ``folder``, or a DatasetError saying why it is not one."""
    path = folder / MANIFEST
    if not path.is_file():
        raise DatasetError(
            Message(
                "{folder}: not a caseload dataset (no {manifest}); write one with caseload "
                "export --format parquet --partition-by jobcentre",
                {"folder": str(folder), "manifest": MANIFEST},
            )
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(data.get("format"))
        listed = data.get("files")
        files = None
        if listed is not None:
            files = {str(t): tuple(_plain(str(n)) for n in names) for t, names in listed.items()}
        return Manifest(
            folder.resolve(),  # absolute: the engines name files by it in their errors
            str(data["schema_revision"]),
            {str(k): int(v) for k, v in data["tables"].items()},
            tuple(data.get("partitioned", ())),
            data.get("closed") is True,
            files,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        raise DatasetError(
            Message("{path}: not a caseload dataset manifest", {"path": str(path)})
        ) from None


def _plain(name: str) -> str:
    """A file's path under its table's folder as the manifest gives it: relative, and never
    out of the folder (a hand-edited manifest could say ``../../etc``)."""
    if not name.endswith(".parquet") or name.startswith(("/", "\\")) or ".." in name.split("/"):
        raise ValueError(name)
    return name


def _missing(what: str) -> DatasetError:
    return DatasetError(
        Message(
            "{what} is not installed here: install caseload's scale extra (pip install "
            "'caseload[scale]'; make test does)",
            {"what": what},
        )
    )


def _read_failure(error: BaseException, found: Manifest, path: Path | None) -> str | None:
    """The reason a file of the dataset could not be read, when ``error`` is that: a
    reader's error (DuckDB's, Polars', Spark's, the system's) about ``path``, the file being
    read, or naming a file inside the dataset's folder. None for any other error (a report
    folder that cannot be written, a fault in a statement), which goes up as it is."""
    origin = getattr(error, "orig", None) or error
    kind = type(origin).__name__
    lines = [line.strip() for line in str(origin).splitlines() if line.strip()]
    readers = ("IOException", "InvalidInputException", "ComputeError", "ArrowInvalid")
    spark = ("SparkException", "SparkRuntimeException", "Py4JJavaError", "AnalysisException")
    first = lines[0] if lines else kind
    if path is not None and (isinstance(origin, OSError) or kind in readers or kind in spark):
        return f"{path.relative_to(found.folder).as_posix()}: {first}"  # failed on this file
    if isinstance(origin, OSError):
        named = origin.filename
        inside = named is not None and Path(named).resolve().is_relative_to(found.folder)
        return first if inside else None
    if kind not in readers and kind not in spark:
        return None
    # the lines naming a file of the dataset, less stack frames (Spark's "at …") and the
    # statement echoed back (DuckDB's "LINE 1: …"); Spark's deepest cause is its last
    said = [
        line.removeprefix("Caused by: ")
        for line in lines
        if str(found.folder) in line and not line.startswith(("at ", "LINE "))
    ]
    if not said:
        return None
    return said[-1] if kind in spark else said[0]


@contextmanager
def unreadable_said(found: Manifest, path: Path | None = None) -> Iterator[None]:
    """Turn a file of the dataset that cannot be read (``path``, when one file is being
    read) into a DatasetError naming the dataset and the reason (file paths may be in it: a
    dataset holds no CPR number or free text)."""
    try:
        yield
    except DatasetError:
        raise
    except Exception as error:
        reason = _read_failure(error, found, path)
        if reason is None:
            raise
        raise DatasetError(
            Message(
                "{folder}: a file of the dataset cannot be read ({reason}); write the dataset "
                "again",
                {"folder": str(found.folder), "reason": reason[:300]},
            )
        ) from None


def trial_centres(found: Manifest, code: str | None) -> frozenset[str] | None:
    """The job centres (partition values) whose citizens trial ``code`` randomised (None:
    the dataset's one trial); None when they cannot be known or the dataset is not closed,
    and an engine reads every partition."""
    import polars as pl

    trial, assigned = found.location("trial"), found.location("trial_assignment")
    if not found.closed or not trial.is_dir() or not assigned.is_dir():
        return None
    trial_files = found.written("trial") or sorted(trial.rglob("*.parquet"))
    assigned_files = found.written("trial_assignment") or sorted(assigned.rglob("*.parquet"))
    parts = []
    for path in trial_files:
        with unreadable_said(found, path):
            parts.append(pl.read_parquet(path, columns=["id", "code"]))
    trials = pl.concat(parts)
    chosen = trials if code is None else trials.filter(pl.col("code") == code)
    if chosen.height != 1:
        return None
    trial_id = chosen.get_column("id").item()
    centres = set()
    for path in assigned_files:
        if not path.parent.name.startswith(f"{PARTITION}=") or path.parent.name in centres:
            continue
        with unreadable_said(found, path):
            ids = pl.read_parquet(path, columns=["trial_id"])
        if (ids.get_column("trial_id") == trial_id).any():
            centres.add(path.parent.name)
    return frozenset(centres)


def pruned(found: Manifest, table: str, centres: frozenset[str] | None) -> list[Path] | None:
    """The files of ``table`` in ``centres``' partitions (given as partition folder names,
    ``jobcentre=<code>``) and in none, or every file of it when ``centres`` is None; None:
    the manifest lists no files and no centres are chosen (read every file there)."""
    where = found.location(table)
    if centres is None or table not in found.partitioned:
        return found.written(table)
    kept = centres | {partition_name(None)}
    if found.files is not None:  # the centres' files, and those of no centre
        return found.written(table, lambda f: f.parent == where or f.parent.name in kept)
    if not where.is_dir():
        return None
    files = sorted(where.glob("*.parquet"))
    for folder in sorted(where.iterdir()):
        if folder.is_dir() and folder.name in kept:
            files.extend(sorted(folder.glob("*.parquet")))
    return files


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _first_written(found: Manifest, table: str) -> list[Path] | None:
    """The first file of ``table`` as written (for its columns); None: none listed."""
    names = (found.files or {}).get(table, ())
    if not names:
        return None
    head = found.location(table) / names[0]
    return found.written(table, lambda f: f == head)


def _listed(files: list[Path]) -> str:
    return "[" + ", ".join(_quoted(f) for f in files) + "]"


def duckdb_engine(found: Manifest, centres: frozenset[str] | None = None) -> Engine:
    """An in-memory DuckDB whose views read the dataset's Parquet files (only ``centres``'
    partitions, when given: ``trial_centres``)."""
    try:
        import duckdb_engine as _duckdb_engine  # noqa: F401 - the dialect
    except ImportError:
        raise _missing("DuckDB") from None
    engine = create_engine("duckdb:///:memory:", poolclass=StaticPool)
    options = "hive_partitioning = true, hive_types_autocast = false, union_by_name = true"

    sources = {}
    for table in found.tables:  # chosen here, once: a missing file is said before any read
        glob = f"read_parquet({_quoted(found.location(table) / '**' / '*.parquet')}, {options})"
        files = pruned(found, table, centres)
        if files is None:
            sources[table] = glob
        elif files:
            sources[table] = f"read_parquet({_listed(files)}, {options})"
        else:  # no rows in these centres: the table's columns, typed, and no rows
            first = _first_written(found, table)
            schema_of = f"read_parquet({_listed(first)}, {options})" if first else glob
            sources[table] = f"{schema_of} LIMIT 0"

    def views(dbapi_connection: Any, _record: Any) -> None:
        for table, source in sources.items():
            dbapi_connection.execute(f'CREATE OR REPLACE VIEW "{table}" AS SELECT * FROM {source}')

    event.listen(engine, "connect", views)
    return engine


MASTER = re.compile(r"local(\[(\*|\d+)(,\s*\d+)?\])?|local-cluster\[.+\]|yarn|(spark|k8s|sc)://.+")
"""The master URLs Spark knows (spark-submit refuses any other with a Java trace)."""


def spark_session(
    master: str, memory: str = "1g", executors: str | None = None, app: str = "caseload"
) -> Any:
    """A Spark session on ``master``: ``local[N]``, ``spark://host:port`` (standalone),
    ``yarn``, ``k8s://…``, or Spark Connect ``sc://host:port``; ``memory`` the driver's,
    ``executors`` each executor's (None: the cluster's default)."""
    if not MASTER.fullmatch(master):
        raise DatasetError(
            Message(
                "--spark-master {master}: not a Spark master (local[N], spark://host:port, "
                "yarn, k8s://…, sc://host:port)",
                {"master": master},
            )
        )
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise _missing("Apache Spark (pyspark)") from None
    active = SparkSession.getActiveSession()
    if (
        active is not None
        and not master.startswith("sc://")
        and active.sparkContext.master != master
    ):
        active.stop()  # a session is one per process: the one asked for, not an earlier one
    builder: Any = SparkSession.builder
    if master.startswith("sc://"):
        return builder.remote(master).appName(app).getOrCreate()
    builder = (
        builder.master(master)
        .appName(app)
        .config("spark.driver.memory", memory)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master.startswith("local") or "127.0.0.1" in master or "localhost" in master:
        # on this machine only: the driver listens on loopback (a cluster's workers must
        # reach the driver's own address, Spark's default)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    quiet = files("caseload.store").joinpath("spark-log4j2.properties")
    builder = builder.config(
        "spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{quiet}"
    )
    if executors is not None:
        builder = builder.config("spark.executor.memory", executors)
    try:
        return builder.getOrCreate()
    except Exception as error:  # the JVM did not start: a master URL Spark does not know, …
        lines = str(error).strip().splitlines()
        raise DatasetError(
            Message(
                "Spark did not start with --spark-master {master}: {reason}",
                {"master": master, "reason": lines[0] if lines else type(error).__name__},
            )
        ) from None


def spark_engine(found: Manifest, session: Any, centres: frozenset[str] | None = None) -> Engine:
    """An engine running the register's statements on ``session``, over the dataset (only
    ``centres``' partitions, when given)."""
    for table in found.tables:
        root = str(found.location(table))
        files = pruned(found, table, centres)
        first = None if files else _first_written(found, table)
        with unreadable_said(found):
            if files is None:
                frame = session.read.parquet(root)
            elif files:
                frame = session.read.option("basePath", root).parquet(*map(str, files))
            elif first:
                frame = session.read.option("basePath", root).parquet(*map(str, first)).limit(0)
            else:
                frame = session.read.parquet(root).limit(0)
        frame.createOrReplaceTempView(table)
    connection = _spark.Connection(session)
    return create_engine("spark://", creator=lambda: connection, poolclass=StaticPool)


@contextmanager
def dataset_engine(
    folder: Path,
    kind: str,
    master: str | None = None,
    memory: str = "1g",
    executors: str | None = None,
    evaluating: bool = False,
    trial: str | None = None,
) -> Iterator[Engine]:
    """An engine over the dataset in ``folder`` on ``kind`` (duckdb or spark), closed after.
    ``evaluating`` trial ``trial`` (its code; None: the dataset's one trial), it reads only
    the partitions of the job centres the trial randomised in when the dataset is closed
    (``Manifest.closed``): every row the evaluation joins, and no other."""
    found = manifest(folder)
    centres = trial_centres(found, trial) if evaluating else None
    if kind == "duckdb":
        engine = duckdb_engine(found, centres)
        try:
            with unreadable_said(found):
                yield engine
        finally:
            engine.dispose()
        return
    if kind != "spark":
        raise DatasetError(
            Message(
                "--engine must be one of {engines}, not {kind}",
                {"engines": ", ".join(ENGINES), "kind": kind},
            )
        )
    session = spark_session(master or SPARK_DEFAULT, memory, executors)
    if hasattr(session, "sparkContext"):  # not on Spark Connect
        session.sparkContext.setLogLevel("ERROR")
    try:
        engine = spark_engine(found, session, centres)
    except BaseException:
        session.stop()
        raise
    try:
        with unreadable_said(found):
            yield engine
    finally:
        engine.dispose()
        session.stop()


# --- writing ----------------------------------------------------------------------------------

SERVE_TABLES = frozenset(
    {
        "account",
        "account_department",
        "api_token",
        "web_session",
        "login_attempt",
        "audit_event",
        "serve_secret",
        "case_note",
        "allocation_plan",
        "review",
        "review_case",
        "review_assignment",
        "review_score",
    }
)
"""The web app's own tables (accounts, sessions, the audit trail, notes, stored plans, case
reviews): not
part of the register an analysis reads, never written to a dataset."""


def register_tables() -> list[Table]:
    """The tables a dataset holds, parents before children."""
    return [t for t in schema.metadata.sorted_tables if t.name not in SERVE_TABLES]


def emptied(table: Table) -> list[str]:
    """Columns written empty: free text (it may hold anything a caseworker typed, health
    information included) and the keyed CPR hash. No analysis reads them."""
    return [c.name for c in table.columns if isinstance(c.type, Text) or c.name == "cpr_hash"]


def polars_schema(table: Table) -> dict[str, Any]:
    """The table's columns as Polars types (the files' schema, whoever writes them)."""
    import polars as pl

    def dtype(column: Any) -> Any:
        kind = column.type
        if isinstance(kind, Boolean):
            return pl.Boolean
        if isinstance(kind, Integer):
            return pl.Int64
        if isinstance(kind, Float):
            return pl.Float64
        if isinstance(kind, DateTime):
            return pl.Datetime("us")
        if isinstance(kind, Date):
            return pl.Date
        return pl.Utf8

    return {c.name: dtype(c) for c in table.columns}


_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


def partition_name(code: str | None) -> str:
    """``jobcentre=<code>``, escaped as Hive escapes a partition value."""
    if code is None:
        return f"{PARTITION}={NULL_PARTITION}"
    return f"{PARTITION}=" + _SAFE.sub(lambda m: f"%{ord(m.group(0)):02X}", code)


def write_table(folder: Path, table: Table, frame: Any, part: str = "part-0") -> int:
    """Write ``frame`` (the table's columns, and ``jobcentre`` to partition by when it has
    one) under ``folder/<table>/``; rows written. Free text and CPR hashes go empty."""
    import polars as pl

    target = folder / table.name
    target.mkdir(parents=True, exist_ok=True)
    types = polars_schema(table)
    blank = emptied(table)
    columns = [
        pl.lit(None, dtype=types[name]).alias(name) if name in blank else pl.col(name)
        for name in types
    ]
    if PARTITION not in frame.columns:
        frame.select(columns).write_parquet(target / f"{part}.parquet")
        return int(frame.height)
    for (code,), rows in frame.group_by(PARTITION, maintain_order=True):
        where = target / partition_name(None if code is None else str(code))
        where.mkdir(parents=True, exist_ok=True)
        rows.select(columns).write_parquet(where / f"{part}.parquet")
    if frame.is_empty():
        frame.select(columns).write_parquet(target / f"{part}.parquet")
    return int(frame.height)
