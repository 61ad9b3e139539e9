"""Helpers shared by the test modules: run the command line, write an input file."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from caseload.cli.main import app


def run(*args: str) -> Result:
    """``caseload ARGS`` in-process; exceptions are caught into the result, as Typer does."""
    return CliRunner().invoke(app, list(args))


def write(tmp_path: Path, name: str, text: str) -> Path:
    """``text`` as the UTF-8 file ``name`` in ``tmp_path``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
