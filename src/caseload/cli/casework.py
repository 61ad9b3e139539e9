"""One case by hand: change a citizen's professional (meetings: ``cli/meetings.py``)."""

from __future__ import annotations

from typing import Annotated

import typer

from caseload.cli.caseloads import RoleOption
from caseload.cli.common import (
    AsOfOption,
    DbOption,
    LangOption,
    console,
    day_of,
    help_text,
    lang_of,
    open_register,
    optional_day,
    refusals,
    role_of,
)
from caseload.domain.labels import label
from caseload.i18n import translator

CitizenOption = Annotated[
    str,
    typer.Option("--citizen", metavar="CODE", help=help_text("Citizen id (never a CPR number)")),
]
VersionOption = Annotated[
    int | None,
    typer.Option(
        "--version",
        metavar="N",
        help=help_text("The case version you read; refused if it has changed since"),
    ),
]
OverrideOption = Annotated[
    str | None,
    typer.Option(
        "--override",
        metavar="REASON",
        help=help_text("Go ahead despite a rule; the reason is stored"),
    ),
]


def contact(
    citizen: CitizenOption,
    to: Annotated[
        str,
        typer.Option("--to", metavar="STAFF", help=help_text("Staff code of the new professional")),
    ],
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            metavar="REASON",
            help=help_text(
                "Why: handoff, cover, reallocation, citizen_request, citizen_moved, staff_leave "
                "or other"
            ),
        ),
    ],
    role: RoleOption = "coordinating_caseworker",
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="DAY", help=help_text("Last day of a cover, YYYY-MM-DD")),
    ] = None,
    override: OverrideOption = None,
    version: VersionOption = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Change a citizen's professional in a role: a handoff to the company consultant, a
    cover during illness or holiday (only by someone already attached), or a reallocation.
    Refused over the cap or against the role model unless --override gives a reason."""
    from caseload.operate.casework import change_contact

    language = lang_of(lang)
    day, role = day_of(as_of, language), role_of(role, language)
    last = optional_day(until, "--until", language)
    engine = open_register(db, language)
    with refusals(language):
        with engine.begin() as conn:
            done = change_contact(conn, citizen, role, to, day, reason, last, override, version)
        changed = translator(language).gettext(
            "{citizen}: {staff} is now {role} from {day} ({reason}); case version {version}",
            citizen=citizen,
            staff=to,
            role=label(role, language),
            day=translator(language).date(day),
            reason=label(reason, language),
            version=done.version,
        )
        console.print(changed)
