"""Commands on the register: init, import, export, tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from caseload.cli.common import (
    EXIT_INPUT,
    DbOption,
    LangOption,
    cannot_open,
    console,
    errors,
    fail,
    help_text,
    lang_of,
    open_register,
)
from caseload.cli.files import not_a_folder, save
from caseload.cli.output import CsvFileOption, ForceOption, JsonOption, shown_on
from caseload.cli.render import machine
from caseload.cli.render import register as render
from caseload.i18n import Message, translator
from caseload.operate.refusals import shown_id
from caseload.register import catalogue
from caseload.register.export import FORMATS, export
from caseload.register.importer import import_file
from caseload.register.problems import ImportRejected
from caseload.store.database import connect, create_database, describe, reader
from caseload.store.migrate import current_revision, upgrade


def init(
    db: DbOption = None,
    create: Annotated[
        bool,
        typer.Option(
            "--create",
            help=help_text(
                "Create the PostgreSQL database when it does not exist (a SQLite file is "
                "always created)"
            ),
        ),
    ] = False,
    app_role: Annotated[
        str | None,
        typer.Option(
            "--app-role",
            metavar="ROLE",
            help=help_text(
                "PostgreSQL: grant this existing role what caseload serve needs (rows, and only "
                "INSERT and SELECT on the audit trail); run as the tables' owner"
            ),
        ),
    ] = None,
    lang: LangOption = "",
) -> None:
    """Create the register (or bring it to the newest schema)."""
    language = lang_of(lang)
    tr = translator(language)
    engine = connect(db)
    where = describe(engine)
    try:
        created = create_database(db) if create else None
        if created is not None:
            name = engine.url.database
            said = (
                tr.gettext("Created the database {name}", name=name)
                if created
                else tr.gettext("The database {name} exists already", name=name)
            )
            console.print(said, markup=False, highlight=False)
        upgrade(engine)
    except OperationalError as error:
        raise cannot_open(engine, error, language) from None
    except DBAPIError as error:  # e.g. the user may not create databases
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise fail(
            tr.gettext("Cannot create the database {url}: {reason}", url=where, reason=reason)
        ) from None
    ready = tr.gettext(
        "Register ready at {where} (schema {revision})",
        where=where,
        revision=current_revision(engine),
    )
    console.print(ready, markup=False, highlight=False)
    if app_role:
        _grant(engine, app_role, language)


def _grant(engine: Engine, role: str, lang: str) -> None:
    from caseload.store.roles import grant_app_role, role_exists

    tr = translator(lang)
    if engine.dialect.name != "postgresql":
        raise fail(tr.gettext("--app-role is for a PostgreSQL register"))
    if not role_exists(engine, role):
        raise fail(
            tr.gettext(
                "No PostgreSQL role {role}: create it first (CREATE ROLE {role} LOGIN PASSWORD …)",
                role=role,
            )
        )
    grant_app_role(engine, role)
    console.print(
        tr.gettext(
            "Granted {role} the rows of the register and INSERT and SELECT on the audit trail; "
            "serve with it, migrate as the owner.",
            role=role,
        ),
        markup=False,
        highlight=False,
    )


def import_(
    table: Annotated[
        str,
        typer.Argument(
            metavar="TABLE",
            help=help_text("Table: {tables}", tables=", ".join(catalogue.BY_NAME)),
        ),
    ],
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help=help_text("CSV (, or ;), Excel .xlsx or Parquet file")),
    ],
    force: ForceOption = False,
    db: DbOption = None,
    errors_out: Annotated[
        Path | None,
        typer.Option(
            "--errors", metavar="FILE", help=help_text("Write every problem to this CSV file")
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            metavar="ENCODING",
            help=help_text(
                "The text file's encoding, e.g. utf-8, cp1252 or utf-16 (default: as its "
                "byte-order mark says, else UTF-8, else Windows-1252)"
            ),
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet",
            metavar="SHEET",
            help=help_text("The .xlsx workbook's sheet to read (default: the first)"),
        ),
    ] = None,
    json_out: JsonOption = None,
    lang: LangOption = "",
) -> None:
    """Import a file: every row or none; re-importing the same file changes nothing."""
    language = lang_of(lang)
    shown = shown_on(console, language, json_out)
    not_a_folder(json_out)  # before the import changes the register
    if table not in catalogue.BY_NAME:
        raise fail(_unknown_table(table, language))
    engine = open_register(db, language)
    try:
        result = import_file(engine, table, file, encoding=encoding, sheet=sheet)
    except ImportRejected as error:
        if errors_out:
            found = pl.DataFrame(
                [
                    {"file": p.file, "row": p.row, "column": p.column, "reason": p.text(language)}
                    for p in error.problems
                ]
            )
            save(found.write_csv(), errors_out)
        if len(error.problems) == 1 and error.problems[0].row == 0:
            # the file as a whole (missing, empty, unreadable, no such sheet): one line
            said = f"{error.file}: {error.problems[0].text(language)}"
            errors.print(said, markup=False, style="red", soft_wrap=True)
            raise typer.Exit(EXIT_INPUT) from None
        render.rejected(errors, error, language)
        raise typer.Exit(EXIT_INPUT) from None
    render.imported(shown, result, language)
    if json_out is not None:
        machine.write_json(result, json_out)


def export_(
    out: Annotated[
        Path, typer.Option("--out", metavar="FOLDER", help=help_text("Folder for the files"))
    ] = Path("export"),
    fmt: Annotated[
        str, typer.Option("--format", metavar="FORMAT", help=help_text("csv or parquet"))
    ] = "csv",
    table: Annotated[
        list[str] | None,
        typer.Option("--table", metavar="TABLE", help=help_text("Only these tables (repeatable)")),
    ] = None,
    partition_by: Annotated[
        str | None,
        typer.Option(
            "--partition-by",
            metavar="jobcentre",
            help=help_text(
                "Write the register as a Parquet dataset partitioned by job centre, for "
                "caseload evaluate --engine duckdb|spark (the tables as stored, free text "
                "left empty)"
            ),
        ),
    ] = None,
    db: DbOption = None,
    json_out: JsonOption = None,
    lang: LangOption = "",
) -> None:
    """Export every table in the import format (codes, not internal ids), or with
    --partition-by jobcentre the register as a Parquet dataset for DuckDB and Spark."""
    language = lang_of(lang)
    tr = translator(language)
    shown = shown_on(console, language, json_out)
    if fmt not in FORMATS:
        raise fail(tr.gettext("--format must be one of: {formats}", formats=", ".join(FORMATS)))
    if partition_by is not None:
        _dataset(out, fmt, partition_by, table, db, json_out, language)
        return
    unknown = [name for name in table or [] if name not in catalogue.BY_NAME]
    if unknown:
        raise fail(tr.gettext("Unknown table(s): {tables}", tables=", ".join(unknown)))
    engine = open_register(db, language)
    with reader(engine).connect() as conn:
        written = export(conn, out, fmt, table)
    for name, rows in written.items():
        path = out / f"{name}.{fmt}"
        shown.print(tr.gettext("{path}: {rows} rows", path=path, rows=rows))
    if json_out is not None:
        files = [
            {"table": name, "file": out / f"{name}.{fmt}", "rows": rows}
            for name, rows in written.items()
        ]
        machine.write_json({"format": fmt, "folder": out, "files": files}, json_out)


def _dataset(
    out: Path,
    fmt: str,
    partition_by: str,
    table: list[str] | None,
    db: str | None,
    json_out: Path | None,
    language: str,
) -> None:
    """``export --partition-by jobcentre``: the register as a Parquet dataset."""
    from caseload.register.dataset import FolderNotEmpty, write_dataset

    tr = translator(language)
    shown = shown_on(console, language, json_out)
    if partition_by != "jobcentre":
        raise fail(tr.gettext("--partition-by: only jobcentre, not {value}", value=partition_by))
    if fmt != "parquet" or table:
        raise fail(
            tr.gettext(
                "--partition-by writes every table as Parquet: give --format parquet and no --table"
            )
        )
    engine = open_register(db, language)
    revision = current_revision(engine) or ""
    try:
        with reader(engine).connect() as conn, shown.status(tr.gettext("writing the dataset")):
            written = write_dataset(conn, out, revision)
    except FolderNotEmpty as error:
        raise fail(tr.message(error.message)) from None
    for name, rows in written.items():
        shown.print(tr.gettext("{path}: {rows} rows", path=out / name, rows=tr.count(rows)))
    shown.print(tr.gettext("Dataset: {path}", path=out))
    if json_out is not None:
        files = [
            {"table": name, "folder": out / name, "rows": rows} for name, rows in written.items()
        ]
        machine.write_json(
            {"format": "parquet", "partition_by": partition_by, "folder": out, "tables": files},
            json_out,
        )


def tables(
    json_out: JsonOption = None,
    csv_out: CsvFileOption = None,
    force: ForceOption = False,
    lang: LangOption = "",
) -> None:
    """List the import tables and their columns (docs/import-format.md has the details)."""
    language = lang_of(lang)
    shown = shown_on(console, language, json_out, csv_out)
    for spec in catalogue.SPECS:
        columns = ", ".join(f.name + ("*" if f.required else "") for f in spec.fields)
        shown.print(f"[bold]{spec.name}[/bold]: {columns}")
    shown.print(translator(language).gettext("* required"))
    if json_out is not None:
        machine.write_json(machine.import_tables(), json_out)
    if csv_out is not None:
        machine.write_csv(machine.import_tables(), csv_out)


def _unknown_table(table: str, lang: str) -> str:
    """An unknown table name, with the nearest one when there is one, and all of them."""
    tr = translator(lang)
    close = catalogue.nearest(table)
    tables = ", ".join(catalogue.BY_NAME)
    if close is not None:
        return tr.message(
            Message(
                "Unknown table {table}; did you mean {nearest!r}? The tables: {tables}",
                {"table": shown_id(table), "nearest": close, "tables": tables},
            )
        )
    return tr.message(
        Message(
            "Unknown table {table}; choose one of: {tables}",
            {"table": shown_id(table), "tables": tables},
        )
    )
