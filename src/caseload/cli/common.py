"""Options and helpers shared by the commands."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from caseload.i18n import LANGS, default_lang
from caseload.store.database import ENV_URL, connect, resolve_url
from caseload.store.migrate import is_current

# piped or captured output (CI logs, `make demo`) gets room for the tables' columns
console = Console(width=None if sys.stdout.isatty() else 120)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 120)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help=f"SQLite file or database URL (default: ${ENV_URL} or caseload.sqlite)"
    ),
]
LangOption = Annotated[str, typer.Option("--lang", help="Language of the output: en or da")]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Day to report on, YYYY-MM-DD (default: today)")
]

EXIT_INPUT = 2
"""Exit code for bad input (a rejected file, a bad option)."""
EXIT_STATE = 3
"""Exit code when the database is not in a usable state (missing, not migrated)."""
EXIT_CONFLICT = 4
"""Exit code when someone else changed the case first (optimistic concurrency)."""


def lang_of(value: str | None) -> str:
    lang = value or default_lang()
    if lang not in LANGS:
        errors.print(f"[red]--lang must be one of: {', '.join(LANGS)}[/red]")
        raise typer.Exit(EXIT_INPUT)
    return lang


def day_of(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.print(f"[red]--as-of: not a date (YYYY-MM-DD): {value!r}[/red]")
        raise typer.Exit(EXIT_INPUT) from None


def open_register(db: str | None) -> Engine:
    """An engine on a migrated register, or a clear message and exit code 3."""
    url = resolve_url(db)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        errors.print(
            f"[red]No register at {url.removeprefix('sqlite:///')}: run `caseload init` "
            "first.[/red]"
        )
        raise typer.Exit(EXIT_STATE)
    engine = connect(db)
    if not is_current(engine):
        errors.print(
            "[red]The database is not initialised or is out of date: run "
            "`caseload init` first.[/red]"
        )
        raise typer.Exit(EXIT_STATE)
    return engine
