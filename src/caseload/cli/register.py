"""Commands on the register: init, import, export, tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from caseload.cli.common import (
    EXIT_INPUT,
    DbOption,
    LangOption,
    console,
    errors,
    lang_of,
    open_register,
)
from caseload.cli.render import register as render
from caseload.register import catalogue
from caseload.register.export import FORMATS, export
from caseload.register.importer import import_file
from caseload.register.problems import ImportRejected
from caseload.store.database import connect, describe, reader
from caseload.store.migrate import current_revision, upgrade


def init(db: DbOption = None) -> None:
    """Create the register (or bring it to the newest schema)."""
    engine = connect(db)
    upgrade(engine)
    console.print(f"Register ready at {describe(engine)} (schema {current_revision(engine)})")


def import_(
    table: Annotated[str, typer.Argument(help="Table: " + ", ".join(catalogue.BY_NAME))],
    file: Annotated[Path, typer.Argument(help="CSV (, or ;), Excel .xlsx or Parquet file")],
    db: DbOption = None,
    errors_out: Annotated[
        Path | None, typer.Option("--errors", help="Write every problem to this CSV file")
    ] = None,
    lang: LangOption = "",
) -> None:
    """Import a file: every row or none; re-importing the same file changes nothing."""
    language = lang_of(lang)
    if table not in catalogue.BY_NAME:
        errors.print(
            f"[red]Unknown table {table!r}; choose one of: {', '.join(catalogue.BY_NAME)}[/red]"
        )
        raise typer.Exit(EXIT_INPUT)
    engine = open_register(db)
    try:
        result = import_file(engine, table, file)
    except ImportRejected as error:
        render.rejected(errors, error, language)
        if errors_out:
            pl.DataFrame(
                [
                    {"file": p.file, "row": p.row, "column": p.column, "reason": p.reason}
                    for p in error.problems
                ]
            ).write_csv(errors_out)
        raise typer.Exit(EXIT_INPUT) from None
    render.imported(console, result, language)


def export_(
    out: Annotated[Path, typer.Option("--out", help="Folder for the files")] = Path("export"),
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
    table: Annotated[
        list[str] | None, typer.Option("--table", help="Only these tables (repeatable)")
    ] = None,
    db: DbOption = None,
) -> None:
    """Export every table in the import format (codes, not internal ids)."""
    if fmt not in FORMATS:
        errors.print(f"[red]--format must be one of: {', '.join(FORMATS)}[/red]")
        raise typer.Exit(EXIT_INPUT)
    unknown = [t for t in table or [] if t not in catalogue.BY_NAME]
    if unknown:
        errors.print(f"[red]Unknown table(s): {', '.join(unknown)}[/red]")
        raise typer.Exit(EXIT_INPUT)
    engine = open_register(db)
    with reader(engine).connect() as conn:
        written = export(conn, out, fmt, table)
    for name, rows in written.items():
        console.print(f"{out / f'{name}.{fmt}'}: {rows} rows")


def tables() -> None:
    """List the import tables and their columns (docs/import-format.md has the details)."""
    for spec in catalogue.SPECS:
        columns = ", ".join(f.name + ("*" if f.required else "") for f in spec.fields)
        console.print(f"[bold]{spec.name}[/bold]: {columns}")
    console.print("* required")
