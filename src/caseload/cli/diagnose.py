"""`caseload diagnose`: the plan face's design diagnosis of a planned trial."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from caseload.cli.common import LangOption, console, fail, help_text, lang_of
from caseload.cli.files import save
from caseload.cli.output import ForceOption, JsonOption, progress_bar, shown_on
from caseload.cli.render import diagnose as render
from caseload.cli.render import machine
from caseload.i18n import translator

CURVE_POINTS = {False: 21, True: 11}
"""Effects on the power curve of --plot: individually randomised, and in clusters (each
point simulates every trial again through the clustered estimator)."""


def arms_of(text: str, lang: str) -> tuple[int, int]:
    """``--arms N1,N2`` as (treated, control), or one line naming the option."""
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError(text)
        treated, control = (int(part.strip()) for part in parts)
    except ValueError:
        said = translator(lang).gettext(
            "--arms must be two whole numbers, treated and control, e.g. 917,856; got {value}",
            value=repr(text),
        )
        raise fail(said) from None
    return treated, control


def diagnose(
    arms: Annotated[
        str,
        typer.Option(
            "--arms",
            metavar="N,N",
            help=help_text("Units in the trial and control arms, e.g. 917,856"),
        ),
    ],
    base_rate: Annotated[
        float,
        typer.Option(
            "--base-rate",
            metavar="P",
            help=help_text("Share of the control arm with the outcome, e.g. 0.10"),
        ),
    ],
    effect: Annotated[
        float,
        typer.Option(
            "--effect",
            metavar="D",
            help=help_text(
                "True effect to simulate: the trial arm's share minus the control arm's, "
                "e.g. 0.03 (negative for a decrease)"
            ),
        ),
    ],
    sims: Annotated[
        int,
        typer.Option("--sims", metavar="N", help=help_text("Simulated trials")),
    ] = 2000,
    seed: Annotated[
        int,
        typer.Option("--seed", metavar="N", help=help_text("Seed of the simulation")),
    ] = 1,
    alpha: Annotated[
        float,
        typer.Option("--alpha", metavar="P", help=help_text("Significance level, e.g. 0.05")),
    ] = 0.05,
    power: Annotated[
        float,
        typer.Option(
            "--power",
            metavar="P",
            help=help_text("Power the minimum detectable effect must reach, e.g. 0.8"),
        ),
    ] = 0.8,
    cluster_size: Annotated[
        int | None,
        typer.Option(
            "--cluster-size",
            metavar="N",
            help=help_text("Units per cluster when whole clusters are randomised"),
        ),
    ] = None,
    icc: Annotated[
        float,
        typer.Option(
            "--icc",
            metavar="RHO",
            help=help_text("Intra-cluster correlation of the outcome, from 0 to below 1"),
        ),
    ] = 0.0,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            metavar="FILE",
            help=help_text("Write the power curve (power against the effect) as an SVG figure"),
        ),
    ] = None,
    json_out: JsonOption = None,
    force: ForceOption = False,
    lang: LangOption = "",
) -> None:
    """Simulate a planned trial many times, each analysed as caseload analyses a trial:
    power, bias, RMSE, interval coverage, type-S error and the minimum detectable effect."""
    from caseload.plan import diagnose as plan
    from caseload.plan.design import Design, DesignError, check

    language = lang_of(lang)
    tr = translator(language)
    shown = shown_on(console, language, json_out)
    treated, control = arms_of(arms, language)
    design = Design(treated, control, base_rate, cluster_size, icc)
    try:
        check(design, effect, sims, seed, alpha, power)
    except DesignError as error:
        raise fail(tr.message(error.message)) from None
    with progress_bar(shown) as bar:
        task = bar.add_task(tr.gettext("simulating trials"), total=None)
        result = plan.diagnose(
            design,
            effect,
            sims,
            seed,
            alpha,
            power,
            lambda done, total: bar.update(task, completed=done, total=total),
        )
    shown.print(render.heading(result, language))
    shown.print(render.diagnosands(result, language))
    for line in render.notes(result, language):
        shown.print(line, markup=False, highlight=False)
    if json_out is not None:
        machine.write_json(plan.to_json(result), json_out)
    if plot is not None:
        with progress_bar(shown) as bar:
            task = bar.add_task(tr.gettext("simulating the power curve"), total=None)
            effects = render.curve_effects(result, CURVE_POINTS[design.clustered])
            curve = plan.power_curve(
                design,
                effects,
                sims,
                seed,
                alpha,
                lambda done, total: bar.update(task, completed=done, total=total),
            )
        save(render.power_figure(result, curve, language), plot, private=False)
        shown.print(tr.gettext("Figure: {path}", path=plot))
