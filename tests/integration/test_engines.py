"""One definition of the evaluation's data step, four engines: SQLite and PostgreSQL (the
register itself), DuckDB and Apache Spark (over the register's Parquet dataset). Each gives
the same frozen cohort and the same evaluation.json as SQLite, to a relative tolerance of
1e-9 on floating-point values (sums in another order; every engine computes in doubles) and
exactly otherwise.

Spark runs for real: a ``local[2]`` session, and a standalone master with two workers on
loopback (tests/spark.py). The same holds on the small national register (tests/national.py):
generated as Parquet, loaded into SQLite and PostgreSQL, read as it is by DuckDB and Spark."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, func, select

from caseload.evaluate import cohort, evaluation, report
from caseload.evaluate.staff import staff_table
from caseload.operate.caseflow import Period, case_flow
from caseload.register import dataset as dataset_module
from caseload.register.dataset import FolderNotEmpty, load_dataset, write_dataset
from caseload.store import datasets, schema
from caseload.store.database import connect, reader
from caseload.store.migrate import current_revision
from caseload.synth import jobcentre, national
from tests.conftest import _Databases
from tests.helpers import copy_register
from tests.national import TRIAL_CENTRES
from tests.spark import need_java, standalone_cluster

RELATIVE = 1e-9
ENGINES = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    "duckdb",
    "spark",
]
NATIONAL_ENGINES = [*ENGINES, "duckdb-every-centre"]
"""On the national register DuckDB and Spark read only the trial's job centres (the
dataset is closed); once more DuckDB reads every centre's files."""
SKIPPED = ("seconds",)  # how long each stage took: the only field that may differ


def flat(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from flat(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from flat(v, f"{path}[{i}]")
    else:
        yield path, value


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    left, right = dict(flat(a)), dict(flat(b))
    out = []
    for key in sorted(set(left) | set(right)):
        if any(part in key for part in SKIPPED):
            continue
        x, y = left.get(key), right.get(key)
        if isinstance(x, float) and isinstance(y, float):
            if not math.isclose(x, y, rel_tol=RELATIVE, abs_tol=1e-12) and not (
                math.isnan(x) and math.isnan(y)
            ):
                out.append(f"{key}: {x!r} != {y!r}")
        elif x != y:
            out.append(f"{key}: {x!r} != {y!r}")
    return out


def same_frames(a: pl.DataFrame, b: pl.DataFrame) -> None:
    assert a.columns == b.columns
    a, b = a.sort("citizen_id"), b.sort("citizen_id")
    for name in a.columns:
        x, y = a.get_column(name), b.get_column(name)
        if x.dtype.is_float() or y.dtype.is_float():
            xs, ys = x.cast(pl.Float64).to_list(), y.cast(pl.Float64).to_list()
            for i, (p, q) in enumerate(zip(xs, ys, strict=True)):
                assert (p is None and q is None) or math.isclose(
                    p, q, rel_tol=RELATIVE, abs_tol=1e-12
                ), (name, i, p, q)
        else:
            assert x.to_list() == y.to_list(), name


def evaluated(
    engine: Engine, trial: str = jobcentre.TRIAL_CODE
) -> tuple[pl.DataFrame, dict[str, Any]]:
    with reader(engine).connect() as conn:
        found = cohort.trial(conn, trial)
        frame = cohort.cohort(conn, found, cohort.window(found))
    result = evaluation.evaluate(engine, trial)
    document = json.loads(report.json_text(report.evaluation_document(result, "en")))
    return frame, document


@pytest.fixture(scope="module")
def demo_dataset(demo: Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dataset") / "demo"
    with reader(demo).connect() as conn:
        write_dataset(conn, folder, current_revision(demo) or "")
    return folder


@pytest.fixture(scope="module")
def reference(demo: Engine) -> tuple[pl.DataFrame, dict[str, Any]]:
    return evaluated(demo)


@pytest.fixture(scope="module")
def spark_session() -> Iterator[Any]:
    need_java()
    session = datasets.spark_session("local[2]", "1g")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def postgres_demo(postgres_databases: _Databases, postgres_template: str) -> Iterator[Engine]:
    """The demo job centre written to a PostgreSQL register by the import path."""
    url = postgres_databases.new(template=postgres_template)
    postgres_databases.retire_at_end(url)
    engine = connect(url)
    jobcentre.write(engine, jobcentre.simulate(None, 2018))
    yield engine
    engine.dispose()


@pytest.mark.parametrize("name", ENGINES)
def test_every_engine_gives_the_cohort_and_the_evaluation_of_sqlite(
    name: str,
    request: pytest.FixtureRequest,
    demo: Engine,
    demo_dataset: Path,
    reference: tuple[pl.DataFrame, dict[str, Any]],
) -> None:
    frame, document = reference
    if name == "sqlite":
        other = evaluated(demo)
    elif name == "postgres":
        other = evaluated(request.getfixturevalue("postgres_demo"))
    elif name == "duckdb":
        with datasets.dataset_engine(demo_dataset, "duckdb") as engine:
            assert engine.dialect.name == "duckdb"
            other = evaluated(engine)
    else:
        session = request.getfixturevalue("spark_session")
        engine = datasets.spark_engine(datasets.manifest(demo_dataset), session)
        assert engine.dialect.name == "spark"
        other = evaluated(engine)
        engine.dispose()
    same_frames(frame, other[0])
    assert frame.height == 917 + 856
    assert differences(document, other[1]) == []


@pytest.fixture(scope="module")
def national_sqlite(
    sqlite_template: Path, national_dataset: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """The national register loaded into a SQLite register: the reference."""
    path = tmp_path_factory.mktemp("national-sqlite") / "register.sqlite"
    engine = connect(copy_register(sqlite_template, path))
    load_dataset(engine, national_dataset)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def national_reference(national_sqlite: Engine) -> tuple[pl.DataFrame, dict[str, Any]]:
    return evaluated(national_sqlite, national.TRIAL_CODE)


@pytest.mark.parametrize("name", NATIONAL_ENGINES)
def test_every_engine_evaluates_the_national_trial_as_sqlite(
    name: str,
    request: pytest.FixtureRequest,
    national_sqlite: Engine,
    national_dataset: Path,
    national_reference: tuple[pl.DataFrame, dict[str, Any]],
) -> None:
    """One trial randomised within each of the trial centres, evaluated over all of them."""
    frame, document = national_reference
    if name == "sqlite":
        other = evaluated(national_sqlite, national.TRIAL_CODE)
    elif name == "postgres":
        databases: _Databases = request.getfixturevalue("postgres_databases")
        url = databases.new(template=request.getfixturevalue("postgres_template"))
        engine = connect(url)
        load_dataset(engine, national_dataset)
        other = evaluated(engine, national.TRIAL_CODE)
        engine.dispose()
        databases.retire(url)
    elif name.startswith("duckdb"):
        pruned = name == "duckdb"
        with datasets.dataset_engine(
            national_dataset, "duckdb", evaluating=pruned, trial=national.TRIAL_CODE
        ) as engine:
            other = evaluated(engine, national.TRIAL_CODE)
            with engine.connect() as conn:
                centres = conn.exec_driver_sql("SELECT DISTINCT jobcentre FROM meeting").all()
        # the other centre's partitions are not read at all when pruned
        assert len(centres) == (TRIAL_CENTRES if pruned else national_centres(national_dataset))
    else:
        session = request.getfixturevalue("spark_session")
        found = datasets.manifest(national_dataset)
        centres = datasets.trial_centres(found, national.TRIAL_CODE)
        engine = datasets.spark_engine(found, session, centres)
        other = evaluated(engine, national.TRIAL_CODE)
        engine.dispose()
    same_frames(frame, other[0])
    assert frame.height == datasets.manifest(national_dataset).tables["trial_assignment"]
    centres = set(frame.get_column("code").str.split("-").list.first())
    assert centres == {m.code for m in national.MUNICIPALITIES[:TRIAL_CENTRES]}
    assert differences(document, other[1]) == []


def national_centres(folder: Path) -> int:
    return len(list((folder / "meeting").glob(f"{datasets.PARTITION}=*")))


def test_a_trial_reads_the_partitions_of_its_job_centres_only_in_a_closed_dataset(
    national_dataset: Path, tmp_path: Path
) -> None:
    found = datasets.manifest(national_dataset)
    assert found.closed  # the generator writes each centre's rows naming only its own
    codes = [m.code for m in national.MUNICIPALITIES[:TRIAL_CENTRES]]
    kept = {datasets.partition_name(code) for code in codes}
    assert datasets.trial_centres(found, national.TRIAL_CODE) == kept
    assert datasets.trial_centres(found, None) == kept  # the dataset's one trial
    assert datasets.trial_centres(found, "NO-SUCH-TRIAL") is None
    files = datasets.pruned(found, "meeting", frozenset(kept))
    assert files and {f.parent.name for f in files} == kept
    assert national_centres(national_dataset) == TRIAL_CENTRES + 1
    # no centre's table: every file of it, as the manifest lists them
    trial_files = datasets.pruned(found, "trial", frozenset(kept))
    assert trial_files == sorted((national_dataset / "trial").rglob("*.parquet"))
    # a manifest that does not say closed (an older export, or rows across centres) is read
    # whole
    copy = tmp_path / "copy"
    copy.mkdir()
    manifest = json.loads((national_dataset / datasets.MANIFEST).read_text())
    manifest.pop("closed")
    (copy / datasets.MANIFEST).write_text(json.dumps(manifest))
    for table in ("trial", "trial_assignment"):
        (copy / table).symlink_to(national_dataset / table)
    assert datasets.trial_centres(datasets.manifest(copy), national.TRIAL_CODE) is None


def test_an_export_with_a_case_across_job_centres_is_not_closed(
    demo_build: tuple[Path, Any], demo_dataset: Path, tmp_path: Path
) -> None:
    """A citizen of one job centre with a responsibility in another centre's department:
    the export says so, and an engine then reads every partition."""
    assert datasets.manifest(demo_dataset).closed  # one job centre
    engine = connect(copy_register(demo_build[0], tmp_path / "across.sqlite"))
    with engine.begin() as conn:
        other = conn.execute(
            schema.jobcentre.insert().values(code="147", name="Frederiksberg")
        ).inserted_primary_key[0]
        moved = conn.execute(select(func.min(schema.department.c.id))).scalar_one()
        conn.execute(
            schema.department.update()
            .where(schema.department.c.id == moved)
            .values(jobcentre_id=other)
        )
    with reader(engine).connect() as conn:
        write_dataset(conn, tmp_path / "across", current_revision(engine))
    engine.dispose()
    found = datasets.manifest(tmp_path / "across")
    assert not found.closed
    assert datasets.trial_centres(found, None) is None


@pytest.mark.parametrize("name", ["duckdb", "spark"])
def test_the_operate_faces_case_flow_and_staff_tables_on_every_engine(
    name: str, request: pytest.FixtureRequest, demo: Engine, demo_dataset: Path
) -> None:
    """The leader's case flow (operate/caseflow.py) and the staff table run on the dataset
    engines as on SQLite: the same statements, the same rows."""
    period = Period(date(2018, 1, 1), date(2019, 12, 31))
    with reader(demo).connect() as conn:
        flow = case_flow(conn, period)
        people = staff_table(conn, period.first, period.last)
    if name == "duckdb":
        with datasets.dataset_engine(demo_dataset, "duckdb") as engine, engine.connect() as conn:
            other, others = case_flow(conn, period), staff_table(conn, period.first, period.last)
    else:
        session = request.getfixturevalue("spark_session")
        engine = datasets.spark_engine(datasets.manifest(demo_dataset), session)
        with engine.connect() as conn:
            other, others = case_flow(conn, period), staff_table(conn, period.first, period.last)
        engine.dispose()
    assert set(flow.tables) == set(other.tables)
    for table, frame in flow.tables.items():
        assert_frame_equal(
            frame.sort(frame.columns[0]),
            other.tables[table].sort(frame.columns[0]),
            check_dtypes=False,
            rel_tol=RELATIVE,
            abs_tol=1e-12,
        )
    assert people == others


def test_a_standalone_spark_cluster_evaluates_the_dataset(
    demo_dataset: Path, reference: tuple[pl.DataFrame, dict[str, Any]], tmp_path: Path
) -> None:
    """A master and two workers on loopback, as a cluster would run (the dataset on storage
    every worker reads: here the same disk)."""
    with (
        standalone_cluster(tmp_path) as master,
        datasets.dataset_engine(demo_dataset, "spark", master, "512m", "512m") as engine,
    ):
        frame, document = evaluated(engine)
        # the application ran on the cluster: the master took it, the workers ran executors
        assert "Registered app caseload" in (tmp_path / "master.log").read_text()
        launched = [(tmp_path / f"worker-{i}.log").read_text() for i in range(2)]
        assert all("Asked to launch executor" in text for text in launched), launched
    same_frames(reference[0], frame)
    assert differences(reference[1], document) == []


@pytest.mark.parametrize("source", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_dataset_written_a_batch_at_a_time_holds_every_row_once(
    source: str,
    request: pytest.FixtureRequest,
    demo: Engine,
    demo_dataset: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``write_dataset`` reads and writes a batch of rows at a time (a server-side cursor on
    PostgreSQL), so its memory is a batch's: the files hold the same rows, the same job
    centres and the same manifest counts as the dataset written in one batch."""
    monkeypatch.setattr(dataset_module, "BATCH_ROWS", 997)
    engine = demo if source == "sqlite" else request.getfixturevalue("postgres_demo")
    with reader(engine).connect() as conn:
        write_dataset(conn, tmp_path / "batched", current_revision(engine) or "")
    whole, batched = datasets.manifest(demo_dataset), datasets.manifest(tmp_path / "batched")
    assert batched.tables == whole.tables and batched.closed == whole.closed
    assert batched.partitioned == whole.partitioned
    assert batched.files is not None and len(batched.files["meeting"]) > 10
    for table in datasets.register_tables():
        keys = [column.name for column in table.primary_key.columns]
        one, many = (
            pl.read_parquet(folder / table.name / "**" / "*.parquet", hive_partitioning=True)
            for folder in (demo_dataset, tmp_path / "batched")
        )
        assert one.columns == many.columns, table.name
        assert_frame_equal(one.sort(keys), many.sort(keys))


def test_a_dataset_is_written_whole_and_read_by_its_manifest(
    demo: Engine, demo_dataset: Path
) -> None:
    found = datasets.manifest(demo_dataset)
    assert "citizen" in found.tables and "account" not in found.tables
    with reader(demo).connect() as conn:
        citizens = conn.execute(select(func.count()).select_from(schema.citizen)).scalar_one()
    assert found.tables["citizen"] == citizens
    on_disk = pl.scan_parquet(demo_dataset / "citizen" / "**" / "*.parquet").collect()
    assert on_disk.height == citizens and on_disk.get_column("cpr_hash").null_count() == citizens
    with reader(demo).connect() as conn, pytest.raises(FolderNotEmpty):
        write_dataset(conn, demo_dataset, "x")
    with pytest.raises(datasets.DatasetError, match="not a caseload dataset"):
        datasets.manifest(demo_dataset / "citizen")
