"""``caseload audit``: search and export the audit trail; purge what is past retention."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

import typer

from caseload.access import audit as trail
from caseload.cli.common import (
    DbOption,
    LangOption,
    console,
    errors,
    fail,
    help_text,
    lang_of,
    open_register,
    optional_day,
    parse_day,
)
from caseload.cli.output import CsvFileOption, ForceOption
from caseload.cli.render import access as render
from caseload.i18n import N_, translator


def search(
    user: Annotated[
        str | None, typer.Option("--user", metavar="NAME", help=help_text("Only this username"))
    ] = None,
    action: Annotated[
        str | None,
        typer.Option(
            "--action", metavar="ACTION", help=help_text("Only this action (case.read …)")
        ),
    ] = None,
    citizen: Annotated[
        str | None,
        typer.Option("--citizen", metavar="CODE", help=help_text("Only events on this citizen")),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DAY", help=help_text("From this day, YYYY-MM-DD")),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", metavar="DAY", help=help_text("Up to and with this day, YYYY-MM-DD")
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            metavar="N",
            min=1,
            max=100_000,
            help=help_text("Show at most N events (newest first)"),
        ),
    ] = 100,
    csv_out: CsvFileOption = None,
    force: ForceOption = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Search the audit trail (newest first); --csv writes every match."""
    from caseload.cli.render.machine import write_csv

    language = lang_of(lang)
    first = optional_day(since, "--since", language)
    last = optional_day(until, "--until", language)
    criteria = trail.Criteria(
        username=user,
        action=action,
        citizen=citizen,
        since=datetime.combine(first, time()) if first else None,
        until=datetime.combine(last, time.max) if last else None,
    )
    engine = open_register(db, language)
    with engine.connect() as conn:
        rows, total = trail.search(conn, criteria, limit=None if csv_out else limit)
    render.events(console, rows[:limit], total, language)
    if csv_out is not None:
        write_csv(rows, csv_out)
        console.print(translator(language).gettext("CSV: {path}", path=csv_out), markup=False)


def purge(
    before: Annotated[
        str,
        typer.Option(
            "--before",
            metavar="DAY",
            help=help_text("Delete the events before this day, YYYY-MM-DD (the retention)"),
        ),
    ],
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Delete audit events older than the retention period; the purge is recorded."""
    language = lang_of(lang)
    day = parse_day(before, "--before", language)
    if day > date.today():  # it would delete events of today, and the purge's own record
        raise fail(
            translator(language).gettext(
                "--before {day} is after today: give a day in the past (the events before it "
                "are deleted)",
                day=day.isoformat(),
            )
        )
    engine = open_register(db, language)
    event = trail.Event(
        action="audit.purge", request_id="cli", client="cli", detail={"via": "command line"}
    )
    with engine.begin() as conn:
        gone = trail.purge(conn, datetime.combine(day, time()), event)
    errors.print(
        translator(language).gettext(
            "{n} audit event(s) before {day} deleted; the purge is recorded.", n=gone, day=day
        ),
        markup=False,
    )


GROUP_HELP = N_(
    "The audit trail: who read or changed which case, signed in, exported or was refused."
)
COMMANDS = (
    ("search", search, N_("Search the audit trail (newest first); --csv writes every match.")),
    (
        "purge",
        purge,
        N_("Delete audit events older than the retention period; the purge is recorded."),
    ),
)
app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
