"""Commands of the evaluate face."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

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
    within_register,
)
from caseload.cli.output import CsvFileOption, ForceOption, JsonOption, shown_on
from caseload.cli.render import evaluate as render
from caseload.cli.render import machine
from caseload.cli.render.register import rejected
from caseload.domain.labels import outcome_name
from caseload.evaluate.money import Costs
from caseload.i18n import translator


def analyze_counts(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help=help_text("JSON with arm sizes and events per outcome")
        ),
    ],
    json_out: JsonOption = None,
    csv_out: CsvFileOption = None,
    force: ForceOption = False,
    lang: LangOption = "",
) -> None:
    """Binary outcomes from published totals: rates, differences, tests, power."""
    from caseload.evaluate import counts

    language = lang_of(lang)
    shown = shown_on(console, language, json_out, csv_out)
    try:
        results = counts.load(file)
    except counts.CountsError as error:
        raise fail(translator(language).message(error.message)) from None
    shown.print(render.binary(results, language))
    shown.print(translator(language).gettext("Verdict") + ":")
    for r in results:
        shown.print(f"  {outcome_name(r.name, language)}: {render.verdict(r, language)}")
    data = [counts.to_json(r) for r in results]
    if json_out is not None:
        machine.write_json(data, json_out)
    if csv_out is not None:
        machine.write_csv(data, csv_out)


def evaluate(
    db: DbOption = None,
    trial: Annotated[
        str | None,
        typer.Option(
            "--trial", metavar="CODE", help=help_text("Trial code (default: the only one)")
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FOLDER",
            help=help_text(
                "Folder for the report: report.html, evaluation.json and a CSV file per table "
                "(default: evaluation-TRIAL)"
            ),
        ),
    ] = None,
    lag_months: Annotated[
        int,
        typer.Option(
            "--lag-months",
            metavar="N",
            help=help_text("Months after leaving kontanthjælp at which the status is read"),
        ),
    ] = 2,
    outcome_end: Annotated[
        str | None,
        typer.Option(
            "--outcome-end",
            metavar="DAY",
            help=help_text("End of the outcome window, YYYY-MM-DD (default: the trial's)"),
        ),
    ] = None,
    alpha: Annotated[
        float,
        typer.Option("--alpha", metavar="P", help=help_text("Significance level, e.g. 0.05")),
    ] = 0.05,
    cluster: Annotated[
        bool, typer.Option("--cluster", help=help_text("Standard errors clustered by caseworker"))
    ] = False,
    salary: Annotated[
        float,
        typer.Option("--salary", metavar="DKK", help=help_text("Yearly cost of a caseworker, DKK")),
    ] = Costs.salary_per_fte_year,
    trial_caseload: Annotated[
        int,
        typer.Option(
            "--trial-caseload",
            metavar="N",
            help=help_text("Citizens per caseworker in the trial (for the cost of its staff)"),
        ),
    ] = Costs.trial_caseload,
    control_caseload: Annotated[
        int,
        typer.Option(
            "--control-caseload",
            metavar="N",
            help=help_text("Citizens per caseworker in control (for the cost of its staff)"),
        ),
    ] = Costs.control_caseload,
    monthly_transfer: Annotated[
        float,
        typer.Option(
            "--monthly-transfer",
            metavar="DKK",
            help=help_text("Kontanthjælp paid a month per citizen on it, DKK"),
        ),
    ] = Costs.transfer,
    monthly_activation: Annotated[
        float,
        typer.Option(
            "--monthly-activation",
            metavar="DKK",
            help=help_text("Activation (courses, placements) a month per citizen on benefit, DKK"),
        ),
    ] = Costs.activation,
    monthly_casework: Annotated[
        float,
        typer.Option(
            "--monthly-casework",
            metavar="DKK",
            help=help_text("Casework a month per citizen on benefit, DKK"),
        ),
    ] = Costs.casework,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json",
            metavar="FILE",
            help=help_text(
                "Also write the evaluation's JSON (the report folder's evaluation.json) to FILE "
                "(- for standard output)"
            ),
        ),
    ] = None,
    engine_name: Annotated[
        str | None,
        typer.Option(
            "--engine",
            metavar="ENGINE",
            help=help_text(
                "Where the data step runs: duckdb or spark over a dataset (--data); default: "
                "the database of --db"
            ),
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            metavar="FOLDER",
            help=help_text(
                "A Parquet dataset (caseload export --format parquet --partition-by jobcentre)"
            ),
        ),
    ] = None,
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master",
            metavar="URL",
            help=help_text(
                "Spark's master: local[N], spark://host:port, yarn, k8s://… or sc://host:port "
                "(default local[2])"
            ),
        ),
    ] = None,
    lang: LangOption = "",
) -> None:
    """Evaluate a trial in the register: balance, effects, spells, money; HTML, JSON, CSV."""
    from caseload.evaluate import evaluation, report
    from caseload.evaluate.cohort import TrialNotFound, WindowError
    from caseload.evaluate.evaluation import Settings
    from caseload.evaluate.report import FolderTaken
    from caseload.store.datasets import DatasetError

    started = time.perf_counter()
    language = lang_of(lang)
    _ = translator(language).gettext
    shown = shown_on(console, language, json_out)
    if lag_months < 1 or not 0 < alpha < 1 or min(trial_caseload, control_caseload) <= 0:
        raise fail(_("--lag-months must be ≥ 1, --alpha in (0, 1) and caseloads > 0"))
    end = optional_day(outcome_end, "--outcome-end", language)
    money = (monthly_transfer, monthly_activation, monthly_casework, salary)
    if any(not 0 <= value < 1e12 for value in money):  # NaN is neither
        raise fail(
            translator(language).gettext(
                "--monthly-transfer, --monthly-activation, --monthly-casework and --salary are "
                "amounts of 0 DKK or more"
            )
        )
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
    try:
        with (
            data_engine(db, engine_name, data, spark_master, language, trial) as engine,
            shown.status(render.stage("cohort", language)) as status,
        ):
            if end is not None:
                within_register(engine, end, language, "--outcome-end")
            result = evaluation.evaluate(
                engine, trial, settings, lambda stage: status.update(render.stage(stage, language))
            )
            status.update(render.stage("writing", language))
            folder = out or Path(f"evaluation-{result.trial.code}")
            html = report.write(result, folder, language, time.perf_counter() - started)
    except (TrialNotFound, WindowError, FolderTaken, DatasetError) as error:
        raise fail(translator(language).message(error.message)) from None
    except (FileExistsError, ValueError) as error:
        # the estimators' own words (an internal fault, not the user's input), in English
        raise fail(str(error)) from None
    if json_out is not None:
        machine.write_text((html.parent / report.JSON_NAME).read_text(encoding="utf-8"), json_out)
    shown.print(render.binary(result.exits + result.case_flow, language))
    shows, _limits = report.summary(result, language)
    for line in shows[-2:]:
        shown.print(line)
    shown.print(_("Report") + f": {html}")


ENGINES = ("sqlite", "postgresql", "duckdb", "spark")


@contextmanager
def data_engine(
    db: str | None,
    name: str | None,
    data: Path | None,
    master: str | None,
    lang: str,
    trial: str | None = None,
) -> Iterator[Engine]:
    """The engine the data step of ``trial`` runs on: the register of --db (its own
    database, the default), or DuckDB or Spark over the dataset of --data (reading only the
    trial's job centres when the dataset allows: store/datasets.py, ``trial_centres``)."""
    from caseload.store.datasets import dataset_engine

    tr = translator(lang)
    if name is not None and name not in ENGINES:
        raise fail(
            tr.gettext(
                "--engine must be one of {engines}, not {value}",
                engines=", ".join(ENGINES),
                value=name,
            )
        )
    if name in ("duckdb", "spark"):
        if data is None:
            raise fail(
                tr.gettext("--engine {engine} reads a dataset: give --data FOLDER", engine=name)
            )
        if master is not None and name != "spark":
            raise fail(tr.gettext("--spark-master goes with --engine spark"))
        with dataset_engine(data, name, master, evaluating=True, trial=trial) as engine:
            yield engine
        return
    if data is not None or master is not None:
        raise fail(tr.gettext("--data and --spark-master go with --engine duckdb or spark"))
    engine = open_register(db, lang)
    if name is not None and engine.dialect.name != name:
        raise fail(
            tr.gettext(
                "--engine {engine}: --db is a {dialect} database",
                engine=name,
                dialect=engine.dialect.name,
            )
        )
    yield engine


def analyze(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help=help_text("One row per unit: CSV, .xlsx or Parquet")),
    ],
    arm: Annotated[
        str,
        typer.Option("--arm", metavar="COLUMN", help=help_text("Column holding each unit's arm")),
    ],
    treated: Annotated[
        str,
        typer.Option(
            "--treated", metavar="VALUE", help=help_text("The arm column's treated value")
        ),
    ],
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            "--outcome",
            metavar="COLUMN",
            help=help_text("Outcome column (0/1 = binary, else continuous); repeatable"),
        ),
    ] = None,
    binary_outcome: Annotated[
        list[str] | None,
        typer.Option(
            "--binary",
            metavar="COLUMN",
            help=help_text("Outcome column that must be 0/1; repeatable"),
        ),
    ] = None,
    time_col: Annotated[
        str | None, typer.Option("--time", metavar="COLUMN", help=help_text("Time-to-event column"))
    ] = None,
    event: Annotated[
        str | None,
        typer.Option("--event", metavar="COLUMN", help=help_text("Event column (1 = event)")),
    ] = None,
    covariate: Annotated[
        list[str] | None,
        typer.Option(
            "--covariate",
            metavar="COLUMN",
            help=help_text("Baseline covariate to adjust for; repeatable"),
        ),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            metavar="COLUMN",
            help=help_text("Cluster column for cluster-robust standard errors"),
        ),
    ] = None,
    alpha: Annotated[
        float,
        typer.Option("--alpha", metavar="P", help=help_text("Significance level, e.g. 0.05")),
    ] = 0.05,
    json_out: JsonOption = None,
    csv_out: CsvFileOption = None,
    force: ForceOption = False,
    lang: LangOption = "",
) -> None:
    """Any per-unit trial file through the same estimators (binary, continuous, survival)."""
    from caseload.evaluate import per_unit
    from caseload.register.problems import ImportRejected

    language = lang_of(lang)
    shown = shown_on(console, language, json_out, csv_out)
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
    shown.print(render.analysis(data, language))
    for line in render.errors_said(data, language):
        shown.print(line, markup=False, highlight=False)
    if json_out is not None:
        machine.write_json(data, json_out)
    if csv_out is not None:
        machine.write_csv(data["outcomes"], csv_out)
