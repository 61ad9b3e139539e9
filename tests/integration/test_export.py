"""Exporting the register: import format, one file per table, and a lossless round trip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, func, select

from caseload.register import catalogue, importer, rules
from caseload.register import export as export_module
from caseload.register.export import export
from caseload.store.database import connect
from tests.conftest import EXAMPLES, CopyOf
from tests.helpers import copy_register

ORDER = [spec.name for spec in catalogue.SPECS]
FORMATS = ("csv", "parquet")


def _columns(table: str) -> list[str]:
    return [f.name for f in catalogue.spec(table).fields if f.kind != "cpr"]


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(
                select(func.count()).select_from(catalogue.spec(name).table)
            ).scalar_one()
            for name in ORDER
        }


def _load_examples(engine: Engine, _folder: Path) -> None:
    for table in ORDER:
        importer.import_file(engine, table, EXAMPLES / f"{table}.csv")


def _export(engine: Engine, out: Path, fmt: str) -> dict[str, int]:
    with engine.connect() as conn:
        return export(conn, out, fmt)


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path) if path.suffix == ".csv" else pl.read_parquet(path)


def _texts(folder: Path) -> dict[str, str]:
    return {table: (folder / f"{table}.csv").read_text(encoding="utf-8") for table in ORDER}


@pytest.fixture
def loaded(register_copy: CopyOf) -> Engine:
    """The examples imported (once per session and backend; this test gets a copy)."""
    return register_copy(_load_examples)


@pytest.fixture
def fresh(tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    """A second, empty register (SQLite) to import the exported files into."""
    eng = connect(copy_register(sqlite_template, tmp_path / "fresh" / "register.sqlite"))
    yield eng
    eng.dispose()


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_writes_every_table_with_db_counts_and_spec_columns(
    loaded: Engine, tmp_path: Path, fmt: str
) -> None:
    counts = _counts(loaded)
    written = _export(loaded, tmp_path / fmt, fmt)
    assert list(written) == ORDER
    assert written == counts
    assert sorted(p.name for p in (tmp_path / fmt).iterdir()) == sorted(f"{t}.{fmt}" for t in ORDER)
    for table in ORDER:
        data = _read(tmp_path / fmt / f"{table}.{fmt}")
        assert data.height == counts[table], table
        assert data.columns == _columns(table), table


def test_examples_fill_every_table(loaded: Engine) -> None:
    """Guard for the round trips below: every table has rows to compare."""
    counts = _counts(loaded)
    assert all(counts[t] > 0 for t in ORDER), counts
    assert counts["responsibilities"] == 5 and counts["meetings"] == 4


def test_export_has_codes_not_ids(loaded: Engine, tmp_path: Path) -> None:
    _export(loaded, tmp_path / "out", "csv")
    staff = pl.read_csv(tmp_path / "out" / "staff.csv", infer_schema=False)
    assert staff.row(1, named=True) == {
        "staff_id": "KS-002",
        "name": "Bo Berg",
        "department_id": "JI6",
        "team_id": "JI6-A",
        "fte": "0.8",
        "start_date": "2017-09-01",
        "end_date": "2019-06-30",
        "exit_kind": "external",
        "district": "Amager",
    }
    meetings = pl.read_csv(tmp_path / "out" / "meetings.csv", infer_schema=False)
    assert meetings.get_column("follow_up_of").to_list() == [None, None, "M0000002", None]
    caps = pl.read_csv(tmp_path / "out" / "caps.csv", infer_schema=False)
    assert caps.select("department_id", "staff_id", "cap").rows() == [
        (None, None, "130"),
        ("JI6", None, "50"),
        (None, None, "50"),
        (None, "KS-002", "40"),
    ]
    citizens = (tmp_path / "out" / "citizens.csv").read_text(encoding="utf-8")
    assert citizens.splitlines()[0] == ",".join(_columns("citizens"))
    assert "cpr" not in citizens.splitlines()[0].split(",")


@pytest.mark.parametrize("fmt", FORMATS)
def test_reimporting_the_export_into_the_same_register_changes_nothing(
    loaded: Engine, tmp_path: Path, fmt: str
) -> None:
    counts = _counts(loaded)
    _export(loaded, tmp_path / "out", fmt)
    for table in ORDER:
        result = importer.import_file(loaded, table, tmp_path / "out" / f"{table}.{fmt}")
        assert result == importer.ImportResult(table, 0, 0, counts[table]), table
    assert _counts(loaded) == counts


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_rebuilds_the_same_register_elsewhere(
    loaded: Engine, fresh: Engine, tmp_path: Path, fmt: str
) -> None:
    counts = _counts(loaded)
    _export(loaded, tmp_path / "first", fmt)
    _export(loaded, tmp_path / "first-csv", "csv")
    for table in ORDER:
        result = importer.import_file(fresh, table, tmp_path / "first" / f"{table}.{fmt}")
        assert result == importer.ImportResult(table, counts[table], 0, 0), table
    assert _counts(fresh) == counts
    _export(fresh, tmp_path / "second", "csv")
    assert _texts(tmp_path / "second") == _texts(tmp_path / "first-csv")


def test_csv_and_parquet_exports_hold_the_same_values(loaded: Engine, tmp_path: Path) -> None:
    _export(loaded, tmp_path / "csv", "csv")
    _export(loaded, tmp_path / "parquet", "parquet")
    for table in ORDER:
        as_csv = pl.read_csv(tmp_path / "csv" / f"{table}.csv", infer_schema=False)
        as_parquet = pl.read_parquet(tmp_path / "parquet" / f"{table}.parquet")
        assert as_parquet.columns == as_csv.columns, table
        assert as_parquet.height == as_csv.height, table
        for name in as_csv.columns:
            from_parquet = [
                None if v is None else str(v).lower() if isinstance(v, bool) else str(v)
                for v in as_parquet.get_column(name).to_list()
            ]
            assert from_parquet == as_csv.get_column(name).to_list(), (table, name)


def test_export_of_chosen_tables_only(loaded: Engine, tmp_path: Path) -> None:
    with loaded.connect() as conn:
        written = export(conn, tmp_path / "out", "csv", ["staff", "caps"])
    assert written == {"staff": 4, "caps": 4}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["caps.csv", "staff.csv"]


def test_unknown_format_is_refused(loaded: Engine, tmp_path: Path) -> None:
    with loaded.connect() as conn, pytest.raises(ValueError, match="csv, parquet"):
        export(conn, tmp_path / "x", "xlsx")
    assert not (tmp_path / "x").exists()


def test_empty_register_exports_header_only_files(engine: Engine, tmp_path: Path) -> None:
    written = _export(engine, tmp_path / "out", "csv")
    assert written == dict.fromkeys(ORDER, 0)
    for table in ORDER:
        text = (tmp_path / "out" / f"{table}.csv").read_text(encoding="utf-8")
        assert text.strip() == ",".join(_columns(table)), table


def test_cpr_never_leaves_and_reimport_keeps_the_stored_hash(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(rules.CPR_KEY_ENV, "0f" * 32)
    source = tmp_path / "citizens.csv"
    source.write_text(
        "citizen_id,cpr,origin,target_group\n"
        "C200,010180-1233,danish,integration\n"
        "C201,150292-4568,western,integration\n",
        encoding="utf-8",
    )
    importer.import_file(engine, "citizens", source)
    hashes = _hashes(engine)
    assert all(hashes.values()) and len(hashes) == 2
    for fmt in FORMATS:
        _export(engine, tmp_path / fmt, fmt)
        path = tmp_path / fmt / f"citizens.{fmt}"
        data = _read(path)
        assert data.columns == _columns("citizens")
        assert data.get_column("sex").to_list() == ["male", "female"]
        raw = path.read_bytes()
        for fragment in ("010180", "0101801233", "150292", "1502924568", *hashes.values()):
            assert fragment.encode() not in raw, (fmt, fragment)
        result = importer.import_file(engine, "citizens", path)
        assert result == importer.ImportResult("citizens", 0, 0, 2), fmt
        assert _hashes(engine) == hashes


def _hashes(engine: Engine) -> dict[str, str]:
    table = catalogue.spec("citizens").table
    with engine.connect() as conn:
        return dict(conn.execute(select(table.c.code, table.c.cpr_hash)).tuples().all())


FORMULA_NAMES = ['=HYPERLINK("http://x")', "+45 1234", "-minus", "@SUM(A1)", "'=typed", "Plain"]


def test_csv_export_neutralises_formulas_and_reimport_is_a_no_op(
    engine: Engine, tmp_path: Path
) -> None:
    """CSV injection: text Excel would run is written behind an apostrophe (OWASP), and the
    import takes exactly that apostrophe off again."""
    source = tmp_path / "departments.csv"
    rows = [f"F{i},{name.replace(chr(34), chr(34) * 2)!s}" for i, name in enumerate(FORMULA_NAMES)]
    source.write_text(
        "department_id,name\n"
        + "\n".join(f'{row.split(",", 1)[0]},"{row.split(",", 1)[1]}"' for row in rows)
        + "\n",
        encoding="utf-8",
    )
    assert importer.import_file(engine, "departments", source).inserted == len(FORMULA_NAMES)
    table = catalogue.spec("departments").table
    with engine.connect() as conn:
        stored = list(conn.execute(select(table.c.name).order_by(table.c.id)).scalars())
    # a CSV's leading apostrophe before a formula character is the spreadsheet's text mark
    assert stored == [*FORMULA_NAMES[:4], "=typed", "Plain"]
    with engine.begin() as conn:  # a text that keeps its apostrophe (from the API, Parquet)
        conn.execute(table.update().where(table.c.code == "F4").values(name="'=typed"))
    _export(engine, tmp_path / "out", "csv")
    exported = pl.read_csv(tmp_path / "out" / "departments.csv", infer_schema=False)
    assert exported.get_column("name").to_list() == [
        '\'=HYPERLINK("http://x")',
        "'+45 1234",
        "'-minus",
        "'@SUM(A1)",
        "''=typed",
        "Plain",
    ]
    again = importer.import_file(engine, "departments", tmp_path / "out" / "departments.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(FORMULA_NAMES))
    with engine.connect() as conn:
        stored = list(conn.execute(select(table.c.name).order_by(table.c.id)).scalars())
    assert stored == FORMULA_NAMES


def test_an_export_fetched_two_rows_at_a_time_writes_the_same_files(
    loaded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export holds a batch of rows at a time (a server-side cursor on PostgreSQL), not
    a whole table: the files are those of one batch, byte for byte (CSV) and value for value
    with the same column types (Parquet), a column empty in one batch included."""
    whole = {fmt: _export(loaded, tmp_path / f"whole-{fmt}", fmt) for fmt in FORMATS}
    monkeypatch.setattr(export_module, "BATCH_ROWS", 2)
    parts = {fmt: _export(loaded, tmp_path / f"parts-{fmt}", fmt) for fmt in FORMATS}
    assert parts == whole and max(whole["csv"].values()) > 2
    for table in ORDER:
        one, two = (tmp_path / f"{kind}-csv" / f"{table}.csv" for kind in ("whole", "parts"))
        assert one.read_bytes() == two.read_bytes(), table
        one, two = (tmp_path / f"{k}-parquet" / f"{table}.parquet" for k in ("whole", "parts"))
        assert_frame_equal(pl.read_parquet(one), pl.read_parquet(two))
