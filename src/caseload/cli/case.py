"""One citizen's case in the terminal (and as JSON), with the version an edit carries."""

from __future__ import annotations

import json
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
)
from caseload.cli.output import ForceOption, JsonOption, shown_on
from caseload.cli.render import case as render
from caseload.cli.render.machine import write_text
from caseload.i18n import translator
from caseload.operate.refusals import NotFound
from caseload.store.database import reader


def case(
    citizen: Annotated[
        str,
        typer.Option(
            "--citizen", metavar="CODE", help=help_text("Citizen id (never a CPR number)")
        ),
    ],
    json_out: JsonOption = None,
    as_of: AsOfOption = None,
    force: ForceOption = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """One citizen's case: responsibilities with reasons, meetings with their corrections,
    benefit spells, orders, requests, plans, placements, paid hours, trial arm, the next job
    meeting due, and the case version to give when you change it."""
    from caseload.operate.case import case as read_case
    from caseload.operate.case import to_json

    language = lang_of(lang)
    day = day_of(as_of, language)
    engine = open_register(db, language)
    try:
        with reader(engine).connect() as conn:
            found = read_case(conn, citizen, day)
    except NotFound as error:
        raise fail(error.message(language)) from None
    shown = shown_on(console, language, json_out)
    render.case(shown, found, language)
    if json_out is not None:
        write_text(json.dumps(to_json(found), ensure_ascii=False, indent=2) + "\n", json_out)
        shown.print(translator(language).gettext("JSON: {path}", path=json_out), markup=False)
