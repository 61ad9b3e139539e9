"""Case flow a leader steers by, and the caseworker's sparring sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from caseload.cli.common import (
    AsOfOption,
    DbOption,
    LangOption,
    console,
    day_of,
    fail,
    help_text,
    lang_of,
    open_register,
    period_of,
    within_register,
)
from caseload.cli.files import save
from caseload.cli.output import CsvFolderOption, ForceOption, JsonOption, folder_of, shown_on
from caseload.cli.render import caseflow as render
from caseload.cli.render import machine
from caseload.i18n import translator
from caseload.operate.refusals import NotFound
from caseload.store.database import reader


def caseflow(
    first: Annotated[
        str, typer.Option("--from", metavar="DAY", help=help_text("First day, YYYY-MM-DD"))
    ],
    last: Annotated[
        str, typer.Option("--to", metavar="DAY", help=help_text("Last day, YYYY-MM-DD"))
    ],
    json_out: JsonOption = None,
    csv_out: CsvFolderOption = None,
    force: ForceOption = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Case flow per department: supplier reports acted on, medical information followed up
    within a week, plans through the rehabilitation team, placements, passive periods."""
    from caseload.operate.caseflow import Period, case_flow

    language = lang_of(lang)
    period = Period(*period_of(first, last, language))
    shown = shown_on(console, language, json_out, folder_of(csv_out, language))
    engine = open_register(db, language)
    within_register(engine, period.last, language, "--to")
    with reader(engine).connect() as conn:
        flow = case_flow(conn, period)
    render.case_flow(shown, flow, language)
    if json_out is not None:
        machine.write_json(flow.to_json(), json_out)
    if csv_out is not None:
        tables = {**flow.tables, "passive_per_citizen": flow.passive_per_citizen}
        machine.write_csv_folder({k: machine.without_ids(v) for k, v in tables.items()}, csv_out)


def sparring(
    caseworker: Annotated[
        str, typer.Option("--caseworker", metavar="STAFF", help=help_text("Staff code"))
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help=help_text("HTML file to write (print: a page each); --out or --json is needed"),
        ),
    ] = None,
    json_out: JsonOption = None,
    as_of: AsOfOption = None,
    force: ForceOption = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """The sparring sheet: one printable page per citizen of a caseworker's caseload —
    where are we now, next step, barriers, last and next meeting, open requests."""
    from caseload.operate.sparring import render as sheet_html
    from caseload.operate.sparring import sheet

    language = lang_of(lang)
    day = day_of(as_of, language)
    if out is None and json_out is None:
        raise fail(translator(language).gettext("sparring needs --out FILE or --json FILE"))
    shown = shown_on(console, language, json_out)
    engine = open_register(db, language)
    within_register(engine, day, language)
    try:
        with reader(engine).connect() as conn:
            result = sheet(conn, caseworker, day)
    except NotFound as error:
        raise fail(error.message(language)) from None
    if json_out is not None:
        machine.write_json(machine.sheet(result), json_out)
    if out is not None:
        save(sheet_html(result, language), out)
        written = translator(language).gettext(
            "Sparring sheet for {staff}: {n} citizen page(s) in {path}",
            n=len(result.pages),
            staff=caseworker,
            path=out,
        )
        shown.print(written)
