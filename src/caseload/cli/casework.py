"""One case by hand: change a citizen's professional, record a meeting."""

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
from caseload.domain import codes
from caseload.domain.labels import label
from caseload.i18n import translator

CitizenOption = Annotated[
    str, typer.Option("--citizen", help=help_text("Citizen id (never a CPR number)"))
]
VersionOption = Annotated[
    int | None,
    typer.Option(
        "--version", help=help_text("The case version you read; refused if it has changed since")
    ),
]
OverrideOption = Annotated[
    str | None,
    typer.Option("--override", help=help_text("Go ahead despite a rule; the reason is stored")),
]


def contact(
    citizen: CitizenOption,
    to: Annotated[str, typer.Option("--to", help=help_text("Staff code of the new professional"))],
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            help="handoff, cover, reallocation, citizen_request, citizen_moved, staff_leave, other",
        ),
    ],
    role: RoleOption = "coordinating_caseworker",
    until: Annotated[
        str | None, typer.Option("--until", help=help_text("Last day of a cover"))
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


def meeting(
    citizen: CitizenOption,
    meeting_id: Annotated[str, typer.Option("--id", help=help_text("Meeting id"))],
    status: Annotated[str, typer.Option("--status", help=", ".join(codes.MEETING_STATUSES))],
    kind: Annotated[str, typer.Option("--kind", help=", ".join(codes.MEETING_KINDS))] = (
        "job_meeting"
    ),
    staff: Annotated[str | None, typer.Option("--staff", help=help_text("Staff code"))] = None,
    minutes: Annotated[int | None, typer.Option("--minutes", min=1)] = None,
    place: Annotated[
        str | None, typer.Option("--place", help=", ".join(codes.MEETING_PLACES))
    ] = None,
    accepted: Annotated[
        bool,
        typer.Option(
            "--absence-accepted", help=help_text("A missed meeting with accepted absence")
        ),
    ] = False,
    version: VersionOption = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Record a meeting held, planned or missed on the day (--as-of); a job meeting gets the
    due date the rhythm gave. Refused before the citizen's entry."""
    from caseload.operate.casework import record_meeting

    language = lang_of(lang)
    day = day_of(as_of, language)
    engine = open_register(db, language)
    with refusals(language):
        with engine.begin() as conn:
            done = record_meeting(
                conn,
                citizen,
                meeting_id,
                kind,
                status,
                day,
                staff,
                minutes,
                place,
                accepted,
                version,
            )
        recorded = translator(language).gettext(
            "{citizen}: meeting {meeting} recorded ({status}, {day}); case version {version}",
            citizen=citizen,
            meeting=meeting_id,
            status=label(status, language),
            day=translator(language).date(day),
            version=done.version,
        )
        console.print(recorded)
