"""Commands of the evaluate face."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from caseload.cli.common import (
    EXIT_INPUT,
    DbOption,
    LangOption,
    console,
    errors,
    fail,
    help_text,
    lang_of,
    open_register,
    optional_day,
)
from caseload.cli.render import evaluate as render
from caseload.cli.render.register import rejected
from caseload.domain.labels import outcome_name
from caseload.evaluate.money import Costs
from caseload.i18n import translator


def analyze_counts(
    file: Annotated[
        Path, typer.Argument(help=help_text("JSON with arm sizes and events per outcome"))
    ],
    json_out: Annotated[
        Path | None, typer.Option("--json", help=help_text("Write results here"))
    ] = None,
    lang: LangOption = "",
) -> None:
    """Binary outcomes from published totals: rates, differences, tests, power."""
    from caseload.evaluate import counts

    language = lang_of(lang)
    try:
        results = counts.load(file)
    except counts.CountsError as error:
        raise fail(translator(language).message(error.message)) from None
    console.print(render.binary(results, language))
    console.print(translator(language).gettext("Verdict") + ":")
    for r in results:
        console.print(f"  {outcome_name(r.name, language)}: {render.verdict(r, language)}")
    if json_out:
        json_out.write_text(json.dumps([counts.to_json(r) for r in results], indent=2))


def evaluate(
    db: DbOption = None,
    trial: Annotated[
        str | None, typer.Option("--trial", help=help_text("Trial code (default: the only one)"))
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help=help_text("Folder for the report (default: evaluation-TRIAL)")),
    ] = None,
    lag_months: Annotated[
        int,
        typer.Option(
            "--lag-months",
            help=help_text("Months after leaving kontanthjælp at which the status is read"),
        ),
    ] = 2,
    outcome_end: Annotated[
        str | None,
        typer.Option(
            "--outcome-end", help=help_text("End of the outcome window (default: the trial's)")
        ),
    ] = None,
    alpha: Annotated[float, typer.Option("--alpha", help=help_text("Significance level"))] = 0.05,
    cluster: Annotated[
        bool, typer.Option("--cluster", help=help_text("Standard errors clustered by caseworker"))
    ] = False,
    salary: Annotated[
        float, typer.Option("--salary", help=help_text("Yearly cost of a caseworker, DKK"))
    ] = Costs.salary_per_fte_year,
    trial_caseload: Annotated[int, typer.Option("--trial-caseload")] = Costs.trial_caseload,
    control_caseload: Annotated[int, typer.Option("--control-caseload")] = Costs.control_caseload,
    monthly_transfer: Annotated[float, typer.Option("--monthly-transfer")] = Costs.transfer,
    monthly_activation: Annotated[float, typer.Option("--monthly-activation")] = Costs.activation,
    monthly_casework: Annotated[float, typer.Option("--monthly-casework")] = Costs.casework,
    lang: LangOption = "",
) -> None:
    """Evaluate a trial in the register: balance, effects, spells, money; HTML, JSON, CSV."""
    from caseload.evaluate import evaluation, report
    from caseload.evaluate.cohort import TrialNotFound, WindowError
    from caseload.evaluate.evaluation import Settings
    from caseload.evaluate.report import FolderTaken

    started = time.perf_counter()
    language = lang_of(lang)
    _ = translator(language).gettext
    if lag_months < 1 or not 0 < alpha < 1 or min(trial_caseload, control_caseload) <= 0:
        raise fail(_("--lag-months must be ≥ 1, --alpha in (0, 1) and caseloads > 0"))
    end = optional_day(outcome_end, "--outcome-end", language)
    settings = Settings(
        lag_months=lag_months,
        outcome_end=end,
        alpha=alpha,
        cluster=cluster,
        costs=Costs(
            monthly_transfer,
            monthly_activation,
            monthly_casework,
            salary,
            trial_caseload,
            control_caseload,
        ),
    )
    engine = open_register(db, language)
    try:
        with console.status(render.stage("cohort", language)) as status:
            result = evaluation.evaluate(
                engine, trial, settings, lambda stage: status.update(render.stage(stage, language))
            )
            status.update(render.stage("writing", language))
            folder = out or Path(f"evaluation-{result.trial.code}")
            html = report.write(result, folder, language, time.perf_counter() - started)
    except (TrialNotFound, WindowError, FolderTaken) as error:
        raise fail(translator(language).message(error.message)) from None
    except (FileExistsError, ValueError) as error:
        # the estimators' own words (an internal fault, not the user's input), in English
        raise fail(str(error)) from None
    console.print(render.binary(result.exits + result.case_flow, language))
    shows, _limits = report.summary(result, language)
    for line in shows[-2:]:
        console.print(line)
    console.print(_("Report") + f": {html}")


def analyze(
    file: Annotated[
        Path, typer.Argument(help=help_text("One row per unit: CSV, .xlsx or Parquet"))
    ],
    arm: Annotated[str, typer.Option("--arm", help=help_text("Column holding each unit's arm"))],
    treated: Annotated[
        str, typer.Option("--treated", help=help_text("The arm column's treated value"))
    ],
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            "--outcome",
            help=help_text("Outcome column (0/1 = binary, else continuous); repeatable"),
        ),
    ] = None,
    binary_outcome: Annotated[
        list[str] | None,
        typer.Option("--binary", help=help_text("Outcome column that must be 0/1; repeatable")),
    ] = None,
    time_col: Annotated[
        str | None, typer.Option("--time", help=help_text("Time-to-event column"))
    ] = None,
    event: Annotated[
        str | None, typer.Option("--event", help=help_text("Event column (1 = event)"))
    ] = None,
    covariate: Annotated[
        list[str] | None,
        typer.Option("--covariate", help=help_text("Baseline covariate to adjust for; repeatable")),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster", help=help_text("Cluster column for cluster-robust standard errors")
        ),
    ] = None,
    alpha: Annotated[float, typer.Option("--alpha")] = 0.05,
    json_out: Annotated[
        Path | None, typer.Option("--json", help=help_text("Write results here"))
    ] = None,
    lang: LangOption = "",
) -> None:
    """Any per-unit trial file through the same estimators (binary, continuous, survival)."""
    from caseload.evaluate import per_unit
    from caseload.register.problems import ImportRejected

    language = lang_of(lang)
    request = per_unit.Request(
        arm=arm,
        treated=treated,
        outcomes=list(outcome or []),
        binary=list(binary_outcome or []),
        time=time_col,
        event=event,
        covariates=list(covariate or []),
        cluster=cluster,
        alpha=alpha,
    )
    try:
        result = per_unit.analyze(file, request)
    except ImportRejected as error:
        rejected(errors, error, language)
        raise typer.Exit(EXIT_INPUT) from None
    data = per_unit.to_json(result)
    console.print(render.analysis(data, language))
    if json_out:
        json_out.write_text(json.dumps(data, indent=2))
