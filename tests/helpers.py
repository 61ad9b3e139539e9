"""Helpers shared by the test modules: run the command line, write an input file, copy a
register built once per session."""

from __future__ import annotations

import gc
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Table, insert, select
from typer.testing import CliRunner, Result

from caseload.cli import common
from caseload.cli.main import app
from caseload.register import jobcentres, rules
from caseload.store import schema


def run(*args: str) -> Result:
    """``caseload ARGS`` in-process; exceptions are caught into the result, as Typer does."""
    return CliRunner().invoke(app, list(args))


def write(tmp_path: Path, name: str, text: str) -> Path:
    """``text`` as the UTF-8 file ``name`` in ``tmp_path``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def settle(path: Path) -> None:
    """Fold SQLite's write-ahead log into ``path``, so a plain file copy holds everything.

    The CLI's engines may still sit in pools until collected; collect them first.
    """
    gc.collect()
    with closing(sqlite3.connect(path)) as conn:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0, f"{path} is in use; its copies would be incomplete"


def copy_register(template: Path, target: Path) -> str:
    """A private copy of a settled SQLite register, for a test that may write to it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return str(target)


def plain_environment(patch: pytest.MonkeyPatch) -> None:
    """English, no database from the environment, no CPR key, and consoles wide enough for
    whole rows: what every CLI test runs under."""
    patch.delenv("CASELOAD_LANG", raising=False)
    patch.delenv("CASELOAD_DATABASE_URL", raising=False)
    patch.delenv(rules.CPR_KEY_ENV, raising=False)
    patch.setattr(common.console, "width", 200)
    patch.setattr(common.errors, "width", 200)


def jobcentre_id(conn: Connection) -> int:
    """The register's one job centre, as a test's own inserts of departments and citizens
    need it (the import finds it itself): the default one when the register has none."""
    ids = list(conn.execute(select(schema.jobcentre.c.id)).scalars())
    assert len(ids) <= 1, "several job centres: name the one meant"
    if ids:
        return int(ids[0])
    codes = jobcentres.add_default(conn)
    return int(codes.get_column("id").item(0))


def add_row(conn: Connection, table: Table, **values: Any) -> int:
    """Insert one row and return its id; a department or citizen belongs to the register's
    one job centre unless ``jobcentre_id`` is given."""
    if table.name in ("department", "citizen"):
        values.setdefault("jobcentre_id", jobcentre_id(conn))
    key = conn.execute(insert(table).values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])
