"""Helpers shared by the test modules: run the command line, write an input file, copy a
register built once per session."""

from __future__ import annotations

import gc
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from caseload.cli import common
from caseload.cli.main import app
from caseload.register import rules


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
