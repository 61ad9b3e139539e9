"""Case flow a leader steers by, and the caseworker's sparring sheet."""

from __future__ import annotations

import json
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
    parse_day,
    within_register,
)
from caseload.cli.render import caseflow as render
from caseload.i18n import translator
from caseload.operate.refusals import NotFound
from caseload.store.database import reader


def caseflow(
    first: Annotated[str, typer.Option("--from", help=help_text("First day, YYYY-MM-DD"))],
    last: Annotated[str, typer.Option("--to", help=help_text("Last day, YYYY-MM-DD"))],
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help=help_text("Write every table (and per citizen passive days) to this JSON file"),
        ),
    ] = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Case flow per department: supplier reports acted on, medical information followed up
    within a week, plans through the rehabilitation team, placements, passive periods."""
    from caseload.operate.caseflow import Period, case_flow

    language = lang_of(lang)
    period = Period(parse_day(first, "--from", language), parse_day(last, "--to", language))
    engine = open_register(db, language)
    within_register(engine, period.last, language, "--to")
    with reader(engine).connect() as conn:
        flow = case_flow(conn, period)
    render.case_flow(console, flow, language)
    if json_out is not None:
        json_out.write_text(
            json.dumps(flow.to_json(), indent=2, default=str, ensure_ascii=False), encoding="utf-8"
        )


def sparring(
    caseworker: Annotated[str, typer.Option("--caseworker", help=help_text("Staff code"))],
    out: Annotated[
        Path, typer.Option("--out", help=help_text("HTML file to write (print: a page each)"))
    ],
    as_of: AsOfOption = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """The sparring sheet: one printable page per citizen of a caseworker's caseload —
    where are we now, next step, barriers, last and next meeting, open requests."""
    from caseload.operate.sparring import render as sheet_html
    from caseload.operate.sparring import sheet

    language = lang_of(lang)
    day = day_of(as_of, language)
    engine = open_register(db, language)
    within_register(engine, day, language)
    try:
        with reader(engine).connect() as conn:
            result = sheet(conn, caseworker, day)
    except NotFound as error:
        raise fail(error.message(language)) from None
    out.write_text(sheet_html(result, language), encoding="utf-8")
    written = translator(language).gettext(
        "Sparring sheet for {staff}: {n} citizen page(s) in {path}",
        n=len(result.pages),
        staff=caseworker,
        path=out,
    )
    console.print(written)
