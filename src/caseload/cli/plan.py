"""The plan face's workload commands: ``caseload plan caseload``, ``plan measured`` and
``plan staffing`` (a group of its own, wired in ``cli/main.py``; the work is
``plan.workload``, ``plan.config``, ``plan.measured`` and ``plan.staffing``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
    period_of,
    within_register,
)
from caseload.cli.files import save
from caseload.cli.output import CsvFileOption, ForceOption, JsonOption, shown_on
from caseload.cli.render import machine
from caseload.cli.render import plan as render
from caseload.i18n import N_, translator
from caseload.store.database import reader

if TYPE_CHECKING:
    from caseload.plan.workload import Workload

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help=help_text("A workload model in TOML (docs/plan.md has the schema)"),
    ),
]
ScenarioOption = Annotated[
    list[str] | None,
    typer.Option(
        "--scenario",
        metavar="NAME",
        help=help_text(
            "A shipped scenario: copenhagen_before_2018, copenhagen_trial, jobfirst (repeat "
            "for several; default: all)"
        ),
    ),
]
DepartmentOption = Annotated[
    str | None,
    typer.Option("--department", metavar="CODE", help=help_text("Department code (default: all)")),
]


def models_of(config: Path | None, scenarios: list[str] | None, lang: str) -> list[Workload]:
    """The models the options name (every shipped scenario when none), or one line naming
    the file, the key and the reason (exit code 2)."""
    from caseload.plan import config as cfg
    from caseload.plan.workload import ConfigError

    try:
        models = [cfg.scenario(name) for name in scenarios or []]
        if config is not None:
            models.append(cfg.load(config))
        if not models:
            models = [cfg.scenario(name) for name in cfg.names()]
    except ConfigError as error:
        raise fail(translator(lang).message(error.message)) from None
    return models


def caseload_(
    config: ConfigOption = None,
    scenario: ScenarioOption = None,
    role: Annotated[
        str | None,
        typer.Option(
            "--role",
            metavar="ROLE",
            help=help_text(
                "Only this role or combination, e.g. mentor or company_consultant+mentor"
            ),
        ),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            metavar="FILE",
            help=help_text(
                "Write the sustainable caseloads beside the reference models and the union's "
                "ranges as an SVG figure"
            ),
        ),
    ] = None,
    json_out: JsonOption = None,
    csv_out: CsvFileOption = None,
    force: ForceOption = False,
    lang: LangOption = "",
) -> None:
    """Sustainable caseload per role from a workload model: hours for casework a month ÷
    minutes one citizen needs a month, task by task, beside the reference models and the
    union's recommended ranges."""
    from caseload.plan.workload import (
        ConfigError,
        reference_models,
        sustainable_caseload,
        union_ranges,
    )

    language = lang_of(lang)
    tr = translator(language)
    shown = shown_on(console, language, json_out, csv_out)
    models = models_of(config, scenario, language)
    results = []
    try:
        for model in models:
            names = [role] if role else [p.name for p in model.positions]
            results.append((model, [sustainable_caseload(model, name) for name in names]))
    except ConfigError as error:
        raise fail(tr.message(error.message)) from None
    references, union = reference_models(), union_ranges()
    shown.print(render.summary(results, language))
    if len(models) == 1 or role:
        for _model, rows in results:
            for r in rows:
                shown.print(render.breakdown(r, language))
        shown.print(render.hours_table(results[0][1][0], language))
    shown.print(render.references(references, union, language))
    for line in render.notes(results, language):
        shown.print(line, markup=False, highlight=False)
    if json_out is not None:
        machine.write_json(render.caseload_json(results, references, union), json_out)
    if csv_out is not None:
        machine.write_csv(render.caseload_rows(results), csv_out)
    if plot is not None:
        save(render.caseload_figure(results, references, union, language), plot, private=False)
        shown.print(tr.gettext("Figure: {path}", path=plot))


def measured(
    first: Annotated[
        str, typer.Option("--from", metavar="DAY", help=help_text("First day, YYYY-MM-DD"))
    ],
    last: Annotated[
        str, typer.Option("--to", metavar="DAY", help=help_text("Last day, YYYY-MM-DD"))
    ],
    config: ConfigOption = None,
    scenario: Annotated[
        str,
        typer.Option(
            "--scenario",
            metavar="NAME",
            help=help_text(
                "The shipped scenario whose hours and minutes stand in where the register has "
                "none (unless --config)"
            ),
        ),
    ] = "copenhagen_trial",
    department: DepartmentOption = None,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            metavar="GROUP",
            help=help_text("Group by role or by department: role, department"),
        ),
    ] = "role",
    json_out: JsonOption = None,
    csv_out: CsvFileOption = None,
    force: ForceOption = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Minutes per citizen a month from the register's own meetings, orders, requests, plans
    and placements over a period, and the sustainable caseload they imply."""
    from caseload.plan.measured import measured_minutes
    from caseload.plan.workload import ConfigError

    language = lang_of(lang)
    tr = translator(language)
    if by not in ("role", "department"):
        raise fail(tr.gettext("--by must be one of: {values}", values="role, department"))
    start, end = period_of(first, last, language)
    model = models_of(config, None if config else [scenario], language)[0]
    shown = shown_on(console, language, json_out, csv_out)
    engine = open_register(db, language)
    within_register(engine, end, language, "--to")
    try:
        with reader(engine).connect() as conn:
            result = measured_minutes(
                conn,
                start,
                end,
                model,
                department,
                "department" if by == "department" else "position",
            )
    except ConfigError as error:
        raise fail(tr.message(error.message)) from None
    for table in render.measured(result, language):
        shown.print(table)
    for line in render.measured_notes(result, language):
        shown.print(line, markup=False, highlight=False)
    if json_out is not None:
        machine.write_json(render.measured_json(result), json_out)
    if csv_out is not None:
        machine.write_csv(render.measured_rows(result), csv_out)


def model_caseloads(config: Path | None, scenario: str | None, lang: str) -> dict[str, float]:
    """The sustainable caseload per role of the model ``--config`` or ``--scenario`` names
    (nothing when neither), or one line saying why not."""
    from caseload.plan.workload import ConfigError, caseloads_per_role, sustainable_caseload

    if config is None and scenario is None:
        return {}
    if config is not None and scenario is not None:
        raise fail(translator(lang).gettext("give --scenario or --config, not both"))
    model = models_of(config, [scenario] if scenario else None, lang)[0]
    try:
        loads = caseloads_per_role([sustainable_caseload(model, p.name) for p in model.positions])
    except ConfigError as error:
        raise fail(translator(lang).message(error.message)) from None
    if not loads:
        raise fail(
            translator(lang).gettext(
                "{scenario}: no position holds a single role, so it gives no caseload per role; "
                "give --caseload",
                scenario=model.name,
            )
        )
    return loads


def caseloads_of(text: str, lang: str) -> dict[str, float]:
    """``--caseload 50`` (every role) or ``coordinating_caseworker=50,mentor=30``."""
    from caseload.domain import codes

    tr = translator(lang)
    try:
        if "=" not in text:
            value = float(text)
            return dict.fromkeys(codes.ROLES, value)
        out = {}
        for part in text.split(","):
            role, _, value_text = part.partition("=")
            out[role.strip()] = float(value_text)
        return out
    except ValueError:
        said = tr.gettext(
            "--caseload must be a number, or role=number pairs separated by commas, e.g. "
            "coordinating_caseworker=50,mentor=30; got {value}",
            value=repr(text),
        )
        raise fail(said) from None


def staffing(
    caseload: Annotated[
        str | None,
        typer.Option(
            "--caseload",
            metavar="C",
            help=help_text(
                "Citizens per full-time professional: one number for every role, or "
                "role=number pairs, e.g. coordinating_caseworker=50,mentor=30 (over the "
                "model's, with --scenario or --config)"
            ),
        ),
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            metavar="NAME",
            help=help_text(
                "Take the caseloads from a shipped scenario's single-role positions (its "
                "sustainable caseloads)"
            ),
        ),
    ] = None,
    config: ConfigOption = None,
    department: DepartmentOption = None,
    as_of: AsOfOption = None,
    inflow: Annotated[
        float | None,
        typer.Option(
            "--inflow",
            metavar="N",
            help=help_text("New citizens a month (default: measured over the last 12 months)"),
        ),
    ] = None,
    months: Annotated[
        float | None,
        typer.Option(
            "--months",
            metavar="N",
            help=help_text(
                "Mean months on the caseload (default: measured over the last 12 months)"
            ),
        ),
    ] = None,
    json_out: JsonOption = None,
    csv_out: CsvFileOption = None,
    force: ForceOption = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Professionals (FTE) needed per role for a caseload, today and in steady state for the
    inflow, the cost a year and the change from the professionals employed."""
    from caseload.plan import staffing as plan
    from caseload.plan.workload import ConfigError

    language = lang_of(lang)
    tr = translator(language)
    loads = model_caseloads(config, scenario, language)
    if caseload is not None:
        loads.update(caseloads_of(caseload, language))
    if not loads:
        raise fail(tr.gettext("give --caseload, --scenario or --config"))
    day = day_of(as_of, language)
    shown = shown_on(console, language, json_out, csv_out)
    try:
        plan.check_caseloads(loads)
        for option, value, most in (("--inflow", inflow, 1_000_000), ("--months", months, 1_200)):
            if value is not None and not 0 <= value <= most:  # NaN is neither
                raise fail(
                    tr.gettext(
                        "{option} must be a number from 0 to {most}", option=option, most=most
                    )
                )
        engine = open_register(db, language)
        within_register(engine, day, language)
        with reader(engine).connect() as conn:
            result = plan.staffing(conn, loads, department, day, inflow, months)
    except ConfigError as error:
        raise fail(tr.message(error.message)) from None
    for table in render.staffing(result, language):
        shown.print(table)
    for line in render.staffing_notes(result, language):
        shown.print(line, markup=False, highlight=False)
    if json_out is not None:
        machine.write_json(render.staffing_json(result), json_out)
    if csv_out is not None:
        machine.write_csv(render.staffing_rows(result), csv_out)


GROUP_HELP = N_(
    "Plan caseloads from workload: sustainable caseloads per role, the register's measured "
    "minutes, and the staffing a caseload needs."
)
COMMANDS = (
    (
        "caseload",
        caseload_,
        N_(
            "Sustainable caseload per role from a workload model: hours for casework a month "
            "÷ minutes one citizen needs a month, task by task, beside the reference models "
            "and the union's recommended ranges."
        ),
    ),
    (
        "measured",
        measured,
        N_(
            "Minutes per citizen a month from the register's own meetings, orders, requests, "
            "plans and placements over a period, and the sustainable caseload they imply."
        ),
    ),
    (
        "staffing",
        staffing,
        N_(
            "Professionals (FTE) needed per role for a caseload, today and in steady state for "
            "the inflow, the cost a year and the change from the professionals employed."
        ),
    ),
)
"""The group's commands and their help (the summary of each docstring), wired in
``cli/main.py`` with the app's help and error words."""

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
