"""`caseload simulate`: the plan face's policy microsimulation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from caseload.cli.common import (
    LangOption,
    console,
    fail,
    help_text,
    lang_of,
    open_register,
    optional_day,
)
from caseload.cli.files import save
from caseload.cli.output import CsvFileOption, ForceOption, JsonOption, progress_bar, shown_on
from caseload.cli.render import machine
from caseload.cli.render import microsim as render
from caseload.evaluate.money import Costs
from caseload.i18n import translator


def simulate(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            help=help_text(
                "Register to calibrate on (SQLite file or database URL; default: the demo's "
                "shipped calibration)"
            ),
        ),
    ] = None,
    trial: Annotated[
        str | None,
        typer.Option(
            "--trial",
            metavar="CODE",
            help=help_text("Calibrate on this trial's control arm (default: the only trial)"),
        ),
    ] = None,
    first: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DAY",
            help=help_text("Calibrate on every citizen on kontanthjælp on this day, YYYY-MM-DD"),
        ),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option(
            "--to", metavar="DAY", help=help_text("End of the calibration window, YYYY-MM-DD")
        ),
    ] = None,
    policies: Annotated[
        str,
        typer.Option(
            "--policies",
            metavar="LIST",
            help=help_text(
                "Caseloads to compare, the first the reference, e.g. 130,50,35; CASELOAD:TURNOVER "
                "sets a yearly staff turnover, e.g. 50:0.05"
            ),
        ),
    ] = "130,50,35",
    shapes: Annotated[
        str,
        typer.Option(
            "--shapes",
            metavar="LIST",
            help=help_text("Caseload-response curve shapes: none, weak, copenhagen, strong"),
        ),
    ] = "none,weak,copenhagen,strong",
    citizens: Annotated[
        int,
        typer.Option(
            "--citizens", metavar="N", help=help_text("Citizens on kontanthjælp at the start")
        ),
    ] = 10_000,
    weeks: Annotated[
        int, typer.Option("--weeks", metavar="N", help=help_text("Weeks simulated"))
    ] = 104,
    reps: Annotated[
        int, typer.Option("--reps", metavar="N", help=help_text("Replications (Monte Carlo)"))
    ] = 1_000,
    seed: Annotated[
        int, typer.Option("--seed", metavar="N", help=help_text("Seed of the simulation"))
    ] = 1,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            metavar="N",
            help=help_text("Processes to run the replications in (the same numbers with any)"),
        ),
    ] = 2,
    displacement: Annotated[
        float,
        typer.Option(
            "--displacement",
            metavar="SHARE",
            help=help_text("Share of the job exits a policy adds that are taken from others"),
        ),
    ] = 0.0,
    scale: Annotated[
        float,
        typer.Option(
            "--scale",
            metavar="CASES",
            help=help_text("Caseload scale of the curves' diminishing returns"),
        ),
    ] = 40.0,
    salary: Annotated[
        float,
        typer.Option("--salary", metavar="DKK", help=help_text("Yearly cost of a caseworker, DKK")),
    ] = Costs.salary_per_fte_year,
    json_out: JsonOption = None,
    csv_out: CsvFileOption = None,
    plot_response: Annotated[
        Path | None,
        typer.Option(
            "--plot-response",
            metavar="FILE",
            help=help_text("Write the caseload-response curves of every shape as an SVG figure"),
        ),
    ] = None,
    plot_money: Annotated[
        Path | None,
        typer.Option(
            "--plot-money",
            metavar="FILE",
            help=help_text("Write the net result by caseload per shape as an SVG figure"),
        ),
    ] = None,
    force: ForceOption = False,
    lang: LangOption = "",
) -> None:
    """Microsimulate a job centre's citizens under caseload policies, over caseload-response
    shapes: exits by destination, months on benefit, transfer and staff costs, net result."""
    from caseload.i18n import Said
    from caseload.plan import calibrate, microsim
    from caseload.store.database import reader

    language = lang_of(lang)
    tr = translator(language)
    shown = shown_on(console, language, json_out, csv_out)
    if salary < 0:
        raise fail(tr.gettext("--salary must be 0 or more, not {value}", value=salary))
    try:
        settings = microsim.Settings(
            policies=microsim.parse_policies(policies),
            shapes=tuple(name.strip() for name in shapes.split(",")),
            citizens=citizens,
            weeks=weeks,
            reps=reps,
            seed=seed,
            workers=workers,
            displacement=displacement,
            scale=scale,
            costs=Costs(salary_per_fte_year=salary),
        )
        microsim.check(settings)
    except Said as error:
        raise fail(tr.message(error.message)) from None
    day_from = optional_day(first, "--from", language)
    day_to = optional_day(last, "--to", language)
    if db is None:
        if trial is not None or day_from is not None or day_to is not None:
            raise fail(
                tr.gettext("--trial, --from and --to need --db (a register to calibrate on)")
            )
        cal = calibrate.demo()
    else:
        engine = open_register(db, language)
        try:
            with reader(engine).connect() as conn:
                cal = calibrate.calibrate(conn, trial, day_from, day_to)
        except calibrate.CalibrationError as error:
            raise fail(tr.message(error.message)) from None
        finally:
            engine.dispose()
    try:
        microsim.fits(cal, settings)
    except Said as error:
        raise fail(tr.message(error.message)) from None
    with progress_bar(shown, transient=True) as bar:
        task = bar.add_task(tr.gettext("simulating replications"), total=settings.reps)
        result = microsim.simulate(cal, settings, lambda done: bar.advance(task, done))
    shown.print(render.heading(result, language), markup=False, highlight=False)
    shown.print(render.table(result, language))
    for line in render.notes(result, language):
        shown.print(line, markup=False, highlight=False)
    data = microsim.to_json(result)
    if json_out is not None:
        machine.write_json(data, json_out)
    if csv_out is not None:
        machine.write_csv(data["results"], csv_out)
    for target, draw in (
        (plot_response, render.response_figure),
        (plot_money, render.money_figure),
    ):
        if target is not None:
            save(draw(result, language), target, private=False)
            shown.print(tr.gettext("Figure: {path}", path=target))
