"""The national synthetic register (synth.national): job centres written straight to Parquet
in the dataset layout, read back with DuckDB, and loaded into SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Connection, Engine, func, insert, select, text

from caseload.register import catalogue
from caseload.register.dataset import (
    FolderNotEmpty,
    RegisterNotEmpty,
    load_dataset,
    write_dataset,
)
from caseload.store import datasets, schema
from caseload.store.database import connect
from caseload.synth import jobcentre, national
from tests.conftest import CopyOf
from tests.helpers import copy_register
from tests.national import CENTRES, CITIZENS, SEED, TRIAL_CENTRES, generate, national_register

CODES = [m.code for m in national.MUNICIPALITIES[:CENTRES]]
TRIAL_CODES = CODES[:TRIAL_CENTRES]


@pytest.fixture(scope="module")
def duck(national_dataset: Path) -> Iterator[Connection]:
    with datasets.dataset_engine(national_dataset, "duckdb") as engine, engine.connect() as conn:
        yield conn


def _rows(conn: Connection, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute(text(sql))]


def test_the_plan_sizes_centres_by_population_and_copenhagen_keeps_its_margins() -> None:
    centres = national.plan(98, 1_000_000, seed=7)
    assert sum(c.citizens for c in centres) == 1_000_000
    assert centres[0].code == "101" and centres[0].citizens == max(c.citizens for c in centres)
    assert min(c.citizens for c in centres) >= national.MIN_CITIZENS
    assert [c.code for c in centres if c.trial] == ["101", "751", "851"]
    assert (centres[0].exit_hazard, centres[0].trial_hazard) == (1.0, 1.0)
    hazards = [c.exit_hazard for c in centres[1:]]
    assert len(set(hazards)) == len(hazards) and 0.4 < min(hazards) < max(hazards) < 2.5
    # a centre's seed and effects depend on the seed and its number, not on N
    assert national.plan(5, 1_000, seed=7)[3].seed == centres[3].seed
    assert national.plan(5, 1_000, seed=7)[3].exit_hazard == centres[3].exit_hazard
    for args, said in (
        ((0, 1_000), "--jobcentres must be between 1 and 98"),
        ((99, 100_000), "--jobcentres must be between 1 and 98"),
        ((3, 299), "--citizens must be at least 300 for 3 job centres"),
        ((2, 1_000, 3), "--trial-centres must be between 0 and --jobcentres (2), not 3"),
    ):
        with pytest.raises(national.NationalError, match="^" + re.escape(said)):
            national.plan(*args)


def test_one_file_per_centre_and_table_and_the_manifest_counts_the_rows(
    national_dataset: Path, duck: Connection
) -> None:
    found = datasets.manifest(national_dataset)
    assert set(found.tables) == {t.name for t in datasets.register_tables()}
    assert found.revision and "citizen" in found.partitioned and "trial" not in found.partitioned
    for table, rows in found.tables.items():
        assert _rows(duck, f'SELECT count(*) FROM "{table}"') == [(rows,)], table
    for table in ("citizen", "meeting", "professional", "responsibility", "department"):
        files = sorted(
            p.relative_to(national_dataset / table)
            for p in found.location(table).rglob("*.parquet")
        )
        assert files == [Path(f"jobcentre={c}/{c}.parquet") for c in sorted(CODES)], table
    assert sorted(p.name for p in (national_dataset / "jobcentre").iterdir()) == sorted(
        f"{c}.parquet" for c in CODES
    )
    assert found.tables["jobcentre"] == CENTRES and found.tables["trial"] == 1
    assert abs(found.tables["citizen"] - CITIZENS) < 0.1 * CITIZENS
    per_centre = dict(_rows(duck, "SELECT jobcentre, count(*) FROM citizen GROUP BY 1"))
    assert max(per_centre, key=lambda c: per_centre[c]) == "101"


def test_ids_and_codes_are_unique_and_every_reference_resolves(duck: Connection) -> None:
    for table in datasets.register_tables():
        name = table.name
        assert _rows(duck, f'SELECT count(*) - count(DISTINCT id) FROM "{name}"') == [(0,)], name
        if "code" in table.c:
            assert _rows(duck, f'SELECT count(*) - count(DISTINCT code) FROM "{name}"') == [(0,)]
        for fk in table.foreign_keys:
            column, parent = fk.parent.name, fk.column.table.name
            broken = _rows(
                duck,
                f'SELECT count(*) FROM "{name}" c LEFT JOIN "{parent}" p ON c."{column}" = p.id '
                f'WHERE c."{column}" IS NOT NULL AND p.id IS NULL',
            )
            assert broken == [(0,)], (name, column)
    # a centre's codes carry its number; its rows sit in its partition, as their parents do
    assert _rows(
        duck, "SELECT count(*) FROM citizen WHERE NOT starts_with(code, jobcentre || '-')"
    ) == [(0,)]
    assert _rows(
        duck,
        "SELECT count(*) FROM meeting m JOIN citizen c ON m.citizen_id = c.id "
        "JOIN jobcentre j ON c.jobcentre_id = j.id "
        "WHERE m.jobcentre <> c.jobcentre OR j.code <> c.jobcentre",
    ) == [(0,)]
    # a cap for the whole register is kept once (every centre brings the same ones)
    assert _rows(duck, "SELECT count(*) FROM caseload_cap WHERE department_id IS NULL") == [(3,)]


def test_the_trial_is_in_the_trial_centres_each_randomising_its_own(duck: Connection) -> None:
    assert _rows(duck, "SELECT code FROM trial") == [(national.TRIAL_CODE,)]
    split = _rows(
        duck,
        "SELECT a.jobcentre, c.jobcentre, a.block, a.probability, "
        "count(*) FILTER (WHERE arm = 'trial'), count(*) "
        "FROM trial_assignment a JOIN citizen c ON a.citizen_id = c.id GROUP BY ALL ORDER BY 1",
    )
    assert [row[:2] for row in split] == [(c, c) for c in sorted(TRIAL_CODES)]
    for centre, _, block, probability, treated, everyone in split:
        # the trial department's citizens against a random part of the others', as designed
        assert block == centre and treated / everyone == pytest.approx(probability, abs=1e-12)
        assert abs(float(probability) - 917 / 1773) < 0.01  # type: ignore[arg-type]
    trial_departments = _rows(
        duck, "SELECT jobcentre, code FROM department WHERE is_trial ORDER BY 1"
    )
    assert trial_departments == [(c, f"{c}-JI6") for c in sorted(TRIAL_CODES)]
    # every trial-arm citizen starts with a caseworker of their own centre's trial department
    outside = _rows(
        duck,
        "SELECT count(*) FROM trial_assignment a "
        "JOIN responsibility r ON r.citizen_id = a.citizen_id "
        "JOIN professional p ON r.professional_id = p.id "
        "JOIN department d ON p.department_id = d.id "
        "WHERE a.arm = 'trial' AND r.start_date = DATE '2018-01-01' "
        "AND (NOT d.is_trial OR d.jobcentre <> a.jobcentre)",
    )
    assert outside == [(0,)]


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_same_seed_gives_the_same_files_another_seed_others(
    national_dataset: Path, tmp_path: Path
) -> None:
    generate(tmp_path / "again")
    assert _files(tmp_path / "again") == _files(national_dataset)
    generate(tmp_path / "other", seed=SEED + 1)
    other = _files(tmp_path / "other")
    assert other.keys() == _files(national_dataset).keys()
    assert (
        other["citizen/jobcentre=101/101.parquet"]
        != _files(national_dataset)["citizen/jobcentre=101/101.parquet"]
    )
    with pytest.raises(FolderNotEmpty):
        generate(tmp_path / "other")


def test_a_centres_tables_are_what_the_importer_stores(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """One job centre through the import path, exported as a dataset, against the national
    conversion of the same simulation (no code prefix): every stored table equal."""
    jobcentre.write(sqlite_engine, jobcentre.simulate(300, 3))
    with sqlite_engine.connect() as conn:
        write_dataset(conn, tmp_path / "imported", "x")
    converter = national.Converter("101", national.Ids(), prefix=False)
    centre = jobcentre.simulate(300, 3)
    for spec in catalogue.SPECS:
        datasets.write_table(
            tmp_path / "converted", spec.table, converter.stored(spec, centre.table(spec.name))
        )
    for table in datasets.register_tables():
        if not (tmp_path / "converted" / table.name).exists():
            continue  # a table no import file fills (meeting corrections)
        imported = pl.read_parquet(
            tmp_path / "imported" / table.name / "**" / "*.parquet", hive_partitioning=False
        ).sort("id")
        converted = pl.read_parquet(tmp_path / "converted" / table.name / "*.parquet").sort("id")
        assert imported.schema == converted.schema, table.name
        assert imported.equals(converted), table.name


def test_a_dataset_loads_into_an_empty_register_with_its_ids(
    register_copy: CopyOf, national_dataset: Path, tmp_path: Path
) -> None:
    engine = register_copy(national_register)
    found = datasets.manifest(national_dataset)
    with engine.connect() as conn:
        for table in datasets.register_tables():
            count = conn.execute(select(func.count()).select_from(table)).scalar_one()
            assert count == found.tables[table.name], table.name
        top = conn.execute(select(func.max(schema.citizen.c.id))).scalar_one()
        codes = conn.execute(
            select(schema.citizen.c.code).order_by(schema.citizen.c.id).limit(1)
        ).scalar_one()
    assert top == found.tables["citizen"] and codes.startswith("101-")
    with engine.begin() as conn:  # new rows take the ids after the loaded ones
        made = conn.execute(
            insert(schema.jobcentre).values(code="x", name="x")
        ).inserted_primary_key
    assert made is not None and made[0] == CENTRES + 1
    with pytest.raises(RegisterNotEmpty, match="is not empty"):
        load_dataset(engine, national_dataset)


def test_a_dataset_of_another_revision_is_refused(
    sqlite_template: Path, national_dataset: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    data = json.loads((national_dataset / datasets.MANIFEST).read_text(encoding="utf-8"))
    (folder / datasets.MANIFEST).write_text(json.dumps(data | {"schema_revision": "0001"}))
    engine = connect(copy_register(sqlite_template, tmp_path / "register.sqlite"))
    with pytest.raises(RegisterNotEmpty, match="the dataset at 0001"):
        load_dataset(engine, folder)
    engine.dispose()
    shutil.rmtree(folder)
