"""Meetings: record one, mark a planned one held, cancelled or no-show, correct one with a
reason; the statutory rhythm: overdue and due-soon job meetings, timeliness per group."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from caseload.cli.casework import VersionOption
from caseload.cli.common import (
    AsOfOption,
    DbOption,
    LangOption,
    console,
    day_of,
    fail,
    help_text,
    lang_of,
    login,
    open_register,
    optional_day,
    period_of,
    refusals,
    within_register,
)
from caseload.cli.files import save
from caseload.cli.output import (
    CsvFileOption,
    CsvFolderOption,
    ForceOption,
    JsonOption,
    folder_of,
    shown_on,
)
from caseload.cli.render import machine
from caseload.cli.render import meetings as render
from caseload.domain import codes
from caseload.i18n import Message, translator
from caseload.operate.refusals import shown_id
from caseload.register.lookup import professional_id
from caseload.store.database import reader


def meeting(
    citizen: Annotated[
        str | None,
        typer.Option(
            "--citizen",
            metavar="CODE",
            help=help_text("Citizen id (never a CPR number); needed for a new meeting"),
        ),
    ] = None,
    meeting_id: Annotated[
        str | None,
        typer.Option(
            "--id",
            metavar="CODE",
            help=help_text(
                "Meeting id: a recorded one to mark or correct; for a new meeting, none and "
                "caseload gives one"
            ),
        ),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help=help_text("Status: {codes}", codes=", ".join(codes.MEETING_STATUSES)),
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            help=help_text(
                "{kinds} (default for a new meeting: job_meeting)",
                kinds=", ".join(codes.MEETING_KINDS),
            ),
        ),
    ] = None,
    day: Annotated[
        str | None,
        typer.Option(
            "--day",
            metavar="DAY",
            help=help_text(
                "The meeting's day, YYYY-MM-DD: held, planned or missed (default: --as-of, "
                "else today; a cancellation or no-show: the day it was planned for)"
            ),
        ),
    ] = None,
    staff: Annotated[
        str | None,
        typer.Option("--staff", metavar="STAFF", help=help_text("Staff code of who held it")),
    ] = None,
    minutes: Annotated[
        int | None,
        typer.Option(
            "--minutes", min=1, metavar="N", help=help_text("How long it lasted, minutes")
        ),
    ] = None,
    place: Annotated[
        str | None,
        typer.Option(
            "--place",
            metavar="PLACE",
            help=help_text("Where: {codes}", codes=", ".join(codes.MEETING_PLACES)),
        ),
    ] = None,
    accepted: Annotated[
        bool,
        typer.Option(
            "--absence-accepted", help=help_text("A missed meeting with accepted absence")
        ),
    ] = False,
    correct: Annotated[
        str | None,
        typer.Option(
            "--correct",
            metavar="REASON",
            help=help_text(
                "Correct the recorded meeting --id, saying why; the earlier values and the "
                "reason are kept"
            ),
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="NAME", help=help_text("Who corrects it (default: login)")),
    ] = None,
    version: VersionOption = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Record a meeting held, planned or missed (without --id caseload gives it one and
    prints it); mark a planned meeting held, cancelled or no-show (--id, --status); or
    correct a recorded one (--id, --correct REASON), keeping the earlier values and the
    reason. A job meeting gets the due date the rhythm gave on its day."""
    from caseload.operate.meetings import (
        correct_meeting,
        is_recorded,
        mark_meeting,
        record_meeting,
    )

    language = lang_of(lang)
    _ = translator(language).gettext
    given = optional_day(day, "--day", language) or optional_day(as_of, "--as-of", language)
    if correct is not None and not meeting_id:
        raise fail(_("--correct needs --id: the meeting to correct"))
    if correct is None and status is None:
        raise fail(_("--status is needed: {statuses}", statuses=", ".join(codes.MEETING_STATUSES)))
    engine = open_register(db, language)
    with refusals(language):
        with engine.begin() as conn:
            if correct is not None and meeting_id:
                done: render.Done = correct_meeting(
                    conn,
                    meeting_id,
                    correct,
                    by or login(),
                    kind=kind,
                    status=status,
                    day=optional_day(day, "--day", language),  # not --as-of: kept unless given
                    minutes=minutes,
                    place=place,
                    staff=staff,
                    absence_accepted=True if accepted else None,
                    version=version,
                    citizen=citizen,
                )
            elif status is not None and meeting_id and is_recorded(conn, meeting_id):
                if kind is not None:
                    raise fail(_("--kind of a recorded meeting is changed with --correct REASON"))
                held_today = date.today() if status == "held" else None
                done = mark_meeting(
                    conn,
                    meeting_id,
                    status,
                    given or held_today,
                    staff,
                    minutes,
                    place,
                    accepted,
                    version,
                    citizen,
                )
            elif status is not None and citizen is not None:
                done = record_meeting(
                    conn,
                    citizen,
                    meeting_id,
                    kind or "job_meeting",
                    status,
                    given or date.today(),
                    staff,
                    minutes,
                    place,
                    accepted,
                    version,
                )
            else:
                unknown = Message(
                    "no meeting {meeting} is recorded: to record a new one, give --citizen",
                    {"meeting": shown_id(meeting_id or "")},
                )
                raise fail(translator(language).message(unknown))
        render.done(console, done, language)


def overdue(
    caseworker: Annotated[
        str | None,
        typer.Option(
            "--caseworker", metavar="STAFF", help=help_text("Only this caseworker (staff code)")
        ),
    ] = None,
    within: Annotated[
        int,
        typer.Option(
            "--within",
            min=0,
            max=3_650,
            metavar="DAYS",
            help=help_text("Days ahead counted as due"),
        ),
    ] = 14,
    as_of: AsOfOption = None,
    json_out: JsonOption = None,
    csv_out: CsvFolderOption = None,
    force: ForceOption = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Job meetings overdue and falling due soon, per caseworker (the statutory rhythm of
    the meeting rules), with citizens flagged for outreach after repeated cancellations."""
    from caseload.operate.rhythm import overdue as run

    language = lang_of(lang)
    day = day_of(as_of, language)
    shown = shown_on(console, language, json_out, folder_of(csv_out, language))
    engine = open_register(db, language)
    within_register(engine, day, language)
    with reader(engine).connect() as conn:
        who = None
        if caseworker:
            who = professional_id(conn, caseworker)
            if who is None:
                raise fail(
                    translator(language).message(
                        Message(
                            "--caseworker: no professional {code} in the register",
                            {"code": shown_id(caseworker)},
                        )
                    )
                )
        rows, listed = run(conn, day, within, who)
    render.overdue(shown, rows, listed, day, within, caseworker, language)
    data = machine.overdue(rows, listed, day, within)
    if json_out is not None:
        machine.write_json(data, json_out)
    if csv_out is not None:
        tables = {"caseworkers": data["caseworkers"], "citizens": data["citizens"]}
        machine.write_csv_folder(tables, csv_out)


def timeliness(
    first: Annotated[
        str, typer.Option("--from", metavar="DAY", help=help_text("First due day, YYYY-MM-DD"))
    ],
    last: Annotated[
        str, typer.Option("--to", metavar="DAY", help=help_text("Last due day, YYYY-MM-DD"))
    ],
    by: Annotated[
        str,
        typer.Option(
            "--by",
            metavar="GROUP",
            help=help_text("Group by department (of who held the meeting) or arm (of a trial)"),
        ),
    ] = "department",
    trial: Annotated[
        str | None,
        typer.Option("--trial", metavar="CODE", help=help_text("Trial code (with --by arm)")),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot", metavar="FILE", help=help_text("Write the weekly shares as an SVG figure")
        ),
    ] = None,
    json_out: JsonOption = None,
    csv_out: CsvFileOption = None,
    force: ForceOption = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Job meetings held by their due date, per group over the period and per week: the
    timeliness share the Copenhagen trial reported (trial 90 %, control 82 %)."""
    from caseload.charts import caption
    from caseload.operate.figures import timeliness as figure
    from caseload.operate.rhythm import timeliness as run
    from caseload.operate.rhythm import timeliness_over, weekly_series

    language = lang_of(lang)
    _ = translator(language).gettext
    if by not in ("department", "arm") or (by == "arm" and not trial):
        raise fail(_("--by must be department, or arm with --trial CODE"))
    start, end = period_of(first, last, language)
    shown = shown_on(console, language, json_out, csv_out)
    engine = open_register(db, language)
    within_register(engine, end, language, "--to")
    with reader(engine).connect() as conn:
        if trial is not None:
            from caseload.evaluate.cohort import TrialNotFound
            from caseload.evaluate.cohort import trial as stored_trial

            try:
                stored_trial(conn, trial)
            except TrialNotFound as error:
                raise fail(error.text(language)) from None
        weeks = run(conn, start, end, by, trial)
    totals = timeliness_over(weeks)
    render.timeliness(shown, totals, start, end, by, language)
    if json_out is not None:
        machine.write_json(machine.timeliness(totals, weeks, start, end, by, trial), json_out)
    if csv_out is not None:
        machine.write_csv(totals, csv_out)
    if plot is not None:
        series = weekly_series(weeks)
        overall = dict(zip(totals.get_column("group"), totals.get_column("share"), strict=True))
        labels = {
            g: f"{render.group_name(g, by, language)} ({100 * overall[g]:.1f} %)" for g in series
        }
        title = {
            "department": _("Job meetings held by their due date, per week and department"),
            "arm": _("Job meetings held by their due date, per week and arm"),
        }[by]
        source = _("trial {code}", code=trial) if by == "arm" else _("all departments")
        words = caption(language, title, source, period=(start, end))
        save(
            figure(series, labels, _("Week of the due date"), _("Held on time (%)"), words),
            plot,
            private=False,
        )
        shown.print(_("Figure: {path}", path=plot))
