"""The statutory meeting rhythm: overdue and due-soon job meetings, timeliness per group."""

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
    parse_day,
)
from caseload.cli.output import CsvFileOption, CsvFolderOption, JsonOption, folder_of, shown_on
from caseload.cli.render import machine
from caseload.cli.render import meetings as render
from caseload.i18n import Message, translator
from caseload.operate.refusals import shown_id
from caseload.register.lookup import professional_id
from caseload.store.database import reader


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
            "--within", min=0, metavar="DAYS", help=help_text("Days ahead counted as due")
        ),
    ] = 14,
    as_of: AsOfOption = None,
    json_out: JsonOption = None,
    csv_out: CsvFolderOption = None,
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
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Job meetings held by their due date, per group over the period and per week: the
    timeliness share the Copenhagen trial reported (trial 90 %, control 82 %)."""
    from caseload.operate.figures import timeliness as figure
    from caseload.operate.rhythm import timeliness as run
    from caseload.operate.rhythm import timeliness_over, weekly_series

    language = lang_of(lang)
    _ = translator(language).gettext
    if by not in ("department", "arm") or (by == "arm" and not trial):
        raise fail(_("--by must be department, or arm with --trial CODE"))
    start, end = parse_day(first, "--from", language), parse_day(last, "--to", language)
    shown = shown_on(console, language, json_out, csv_out)
    engine = open_register(db, language)
    with reader(engine).connect() as conn:
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
        plot.write_text(figure(series, labels, _("Held on time (%)")), encoding="utf-8")
        shown.print(_("Figure: {path}", path=plot))
