"""Case notes and next steps: ``caseload note add``, ``note edit`` and ``note list`` (a
group of its own, wired in ``cli/main.py``; the work is ``operate.notes``)."""

from __future__ import annotations

from typing import Annotated

import typer

from caseload.cli.casework import VersionOption
from caseload.cli.common import (
    DbOption,
    LangOption,
    console,
    fail,
    help_text,
    lang_of,
    login,
    open_register,
    optional_day,
    refusals,
)
from caseload.cli.output import ForceOption, JsonOption, shown_on
from caseload.cli.render import machine
from caseload.cli.render import notes as render
from caseload.domain import codes
from caseload.i18n import N_, translator
from caseload.operate.refusals import NotFound
from caseload.store.database import reader

TextOption = Annotated[
    str,
    typer.Option(
        "--text",
        metavar="NOTE",
        help=help_text("What the note says (never a CPR number)"),
    ),
]
DueOption = Annotated[
    str | None,
    typer.Option("--due", metavar="DAY", help=help_text("The day a next step is due, YYYY-MM-DD")),
]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        metavar="WHO",
        help=help_text("Who writes it: a username or staff code (default: login)"),
    ),
]


def add(
    citizen: Annotated[
        str,
        typer.Option(
            "--citizen", metavar="CODE", help=help_text("Citizen id (never a CPR number)")
        ),
    ],
    text: TextOption,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            metavar="KIND",
            help=help_text("A note or a next step: {kinds}", kinds=", ".join(codes.NOTE_KINDS)),
        ),
    ] = "note",
    due: DueOption = None,
    by: ByOption = None,
    version: VersionOption = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Write a note or a next step on a citizen's case; caseload gives it an id."""
    from caseload.operate.notes import add_note

    language = lang_of(lang)
    day = optional_day(due, "--due", language)
    engine = open_register(db, language)
    with refusals(language), engine.begin() as conn:
        done = add_note(conn, citizen, kind, text, by or login() or "", day, version)
    render.written(console, done, language)


def edit(
    note: Annotated[
        str,
        typer.Option("--id", metavar="CODE", help=help_text("The note's id (N0000001)")),
    ],
    text: TextOption,
    due: DueOption = None,
    by: ByOption = None,
    version: VersionOption = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Edit a note: its next version is kept beside the earlier ones."""
    from caseload.operate.notes import revise_note

    language = lang_of(lang)
    day = optional_day(due, "--due", language)
    engine = open_register(db, language)
    with refusals(language), engine.begin() as conn:
        done = revise_note(conn, note, text, by or login() or "", day, version)
    render.written(console, done, language)


def list_(
    citizen: Annotated[
        str,
        typer.Option(
            "--citizen", metavar="CODE", help=help_text("Citizen id (never a CPR number)")
        ),
    ],
    json_out: JsonOption = None,
    force: ForceOption = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """The notes and next steps on a citizen's case, the one written or edited last first."""
    from caseload.operate.notes import notes

    language = lang_of(lang)
    engine = open_register(db, language)
    try:
        with reader(engine).connect() as conn:
            found = notes(conn, citizen)
    except NotFound as error:
        raise fail(error.message(language)) from None
    shown = shown_on(console, language, json_out)
    render.listed(shown, citizen, found, language)
    if json_out is not None:
        machine.write_json({"citizen": citizen, "notes": found}, json_out)
        shown.print(translator(language).gettext("JSON: {path}", path=json_out), markup=False)


GROUP_HELP = N_("Case notes and next steps: write, edit (every version kept) and list them.")
COMMANDS = (
    ("add", add, N_("Write a note or a next step on a citizen's case; caseload gives it an id.")),
    ("edit", edit, N_("Edit a note: its next version is kept beside the earlier ones.")),
    (
        "list",
        list_,
        N_("The notes and next steps on a citizen's case, the one written or edited last first."),
    ),
)
"""The group's commands and their help (the summary of each docstring), wired in
``cli/main.py`` with the app's help and error words."""

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
