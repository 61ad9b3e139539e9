"""Caseloads against caps, and re-planning them: status, rebalance, assign."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy import Connection

from caseload.cli.common import (
    AsOfOption,
    DbOption,
    LangOption,
    console,
    day_of,
    errors,
    fail,
    help_text,
    lang_of,
    open_register,
    refusals,
    role_of,
    within_register,
)
from caseload.cli.files import save
from caseload.cli.output import CsvFolderOption, ForceOption, JsonOption, folder_of, shown_on
from caseload.cli.render import caseloads as render
from caseload.cli.render import machine
from caseload.cli.render.caseloads import group_name
from caseload.domain import codes
from caseload.domain.labels import label
from caseload.i18n import translator
from caseload.operate.allocation import Allocation
from caseload.operate.optimise import Preferences
from caseload.operate.plans import Proposal
from caseload.operate.status import load_points, status
from caseload.operate.weights import WeightsError, parse_preferences
from caseload.register.lookup import department_exists
from caseload.store.database import reader

DepartmentOption = Annotated[
    str, typer.Option("--department", metavar="CODE", help=help_text("Department code"))
]
RoleOption = Annotated[
    str,
    typer.Option(
        "--role",
        metavar="ROLE",
        help=help_text("Role planned: {roles}", roles=", ".join(codes.ROLES)),
    ),
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help=help_text("Show the plan; change nothing"))
]
SavePlanOption = Annotated[
    bool,
    typer.Option(
        "--save-plan",
        help=help_text(
            "With --dry-run: store the plan and print its id, to apply it later with "
            "apply-plan (refused then if the department has changed)"
        ),
    ),
]
WeightsOption = Annotated[
    str | None,
    typer.Option(
        "--weights",
        metavar="POINTS",
        help=help_text(
            "Cost points per citizen, e.g. change=1000000,previous=10000,district=100,"
            "balance=1 (the defaults: each outweighs all the later ones)"
        ),
    ),
]
PlotOption = Annotated[
    Path | None,
    typer.Option(
        "--plot",
        metavar="FILE",
        help=help_text(
            "Write the caseload distribution (load / cap per professional: "
            "before, plan, greedy baseline) as an SVG figure"
        ),
    ),
]


def status_(
    force: ForceOption = False,
    db: DbOption = None,
    as_of: AsOfOption = None,
    department: Annotated[
        str | None,
        typer.Option(
            "--department",
            metavar="CODE",
            help=help_text("List this department's professionals"),
        ),
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help=help_text("List every professional"))
    ] = False,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            metavar="FILE",
            help=help_text(
                "Write the caseload distribution (a dot per professional, "
                "a row per department and role, the caps marked) as an SVG figure"
            ),
        ),
    ] = None,
    json_out: JsonOption = None,
    csv_out: CsvFolderOption = None,
    lang: LangOption = "",
) -> None:
    """Caseload per professional against the cap, who is over it, and caseworker changes."""
    language = lang_of(lang)
    day = day_of(as_of, language)
    shown = shown_on(console, language, json_out, folder_of(csv_out, language))
    engine = open_register(db, language)
    within_register(engine, day, language)
    with reader(engine).connect() as conn:
        if department is not None and not department_exists(conn, department):
            raise fail(
                translator(language).gettext(
                    "--department: {code}: no such department in the register", code=department
                )
            )
        report = status(conn, day)
    render.status(shown, report, language, department, every)
    if json_out is not None:
        machine.write_json(machine.status(report), json_out)
    if csv_out is not None:
        machine.write_csv_folder(machine.status_tables(report), csv_out)
    if plot is not None:
        from caseload.charts import caption
        from caseload.operate.figures import caseloads

        groups = {group_name(*key, language): points for key, points in load_points(report).items()}
        _ = translator(language).gettext
        words = caption(
            language,
            _("Weighted caseload per professional, by department and role"),
            _("all departments"),
            day=day,
        )
        save(
            caseloads(
                groups,
                _("Weighted load (citizens, weighted)"),
                _("Department and role"),
                _("Cap"),
                words,
            ),
            plot,
            private=False,
        )
        shown.print(translator(language).gettext("Figure: {path}", path=plot))


def rebalance(
    department: DepartmentOption,
    cap: Annotated[
        int | None,
        typer.Option(
            "--cap",
            min=1,
            max=10_000,
            metavar="N",
            help=help_text("New cap for the department's role (e.g. 50)"),
        ),
    ] = None,
    role: RoleOption = "coordinating_caseworker",
    weights: WeightsOption = None,
    as_of: AsOfOption = None,
    dry_run: DryRunOption = False,
    save_plan: SavePlanOption = False,
    json_out: JsonOption = None,
    csv_out: CsvFolderOption = None,
    plot: PlotOption = None,
    force: ForceOption = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Re-plan a department's caseloads: hard caps, then the fewest caseworker changes, then
    district and an even weighted load. Compared with a greedy loop in the same run."""
    from caseload.operate.allocation import rebalance as run
    from caseload.operate.plans import propose

    _plan(
        (
            lambda conn, write, day, role, prefer: run(
                conn, department, day, role, cap, prefer, write=write
            ),
            lambda conn, day, role, prefer: propose(
                conn, "rebalance", department, day, role, cap=cap, prefer=prefer
            ),
        ),
        role,
        weights,
        as_of,
        (dry_run, save_plan),
        (json_out, csv_out),
        plot,
        db,
        lang,
    )


def assign(
    department: DepartmentOption,
    role: RoleOption = "coordinating_caseworker",
    new: Annotated[
        bool,
        typer.Option(
            "--new", help=help_text("Also citizens who never had a professional in the role")
        ),
    ] = False,
    weights: WeightsOption = None,
    as_of: AsOfOption = None,
    dry_run: DryRunOption = False,
    save_plan: SavePlanOption = False,
    json_out: JsonOption = None,
    csv_out: CsvFolderOption = None,
    plot: PlotOption = None,
    force: ForceOption = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Give every citizen without a contact one, within the caps: the professional they had
    before, else one in their district, else the least loaded."""
    from caseload.operate.allocation import assign as run
    from caseload.operate.plans import propose

    _plan(
        (
            lambda conn, write, day, role, prefer: run(
                conn, department, day, role, new, prefer, write=write
            ),
            lambda conn, day, role, prefer: propose(
                conn, "assign", department, day, role, include_new=new, prefer=prefer
            ),
        ),
        role,
        weights,
        as_of,
        (dry_run, save_plan),
        (json_out, csv_out),
        plot,
        db,
        lang,
    )


def _preferences(text: str | None, lang: str) -> Preferences | None:
    try:
        return parse_preferences(text)
    except WeightsError as error:
        raise fail("--weights: " + translator(lang).message(error.message)) from None


Make = Callable[[Connection, bool, date, str, Preferences | None], Allocation]
"""A rebalance or assign on a connection: (conn, write, day, role, preferences)."""
Save = Callable[[Connection, date, str, Preferences | None], Proposal]
"""The same plan stored to apply later: (conn, day, role, preferences)."""


def _plan(
    make: tuple[Make, Save],
    role: str,
    weights: str | None,
    as_of: str | None,
    mode: tuple[bool, bool],
    machine_out: tuple[Path | None, Path | None],
    plot: Path | None,
    db: str | None,
    lang: str,
) -> None:
    """What rebalance and assign share: the options read, the plan made (a dry run on a
    read-only connection, stored with --save-plan in one transaction, else written in one
    transaction; a refusal is one clear line and exit code 2, with nothing written), and
    shown."""
    language = lang_of(lang)
    dry_run, save_plan = mode
    if save_plan and not dry_run:
        raise fail(
            translator(language).gettext(
                "--save-plan goes with --dry-run: the plan is stored, not written"
            )
        )
    day, role = day_of(as_of, language), role_of(role, language)
    prefer = _preferences(weights, language)
    json_out, csv_out = machine_out[0], folder_of(machine_out[1], language)
    shown = shown_on(console, language, json_out, csv_out)
    engine = open_register(db, language)
    within_register(engine, day, language)
    saved = None
    with refusals(language):
        if save_plan:
            with engine.begin() as conn:
                saved = make[1](conn, day, role, prefer)
            result = saved.allocation
        elif dry_run:
            with reader(engine).connect() as conn:
                result = make[0](conn, False, day, role, prefer)
        else:
            with engine.begin() as conn:
                result = make[0](conn, True, day, role, prefer)
    _show(shown, result, language, (json_out, csv_out), plot)
    if saved is not None:
        render.plan_saved(shown, saved.code, language)


def apply_plan(
    plan: Annotated[
        str,
        typer.Argument(
            metavar="PLAN",
            help=help_text(
                "The plan's id, as rebalance or assign --dry-run --save-plan printed it "
                "(e.g. P0000001)"
            ),
        ),
    ],
    by: Annotated[
        str | None,
        typer.Option(
            "--by", metavar="WHO", help=help_text("Who applies the plan (stored with it)")
        ),
    ] = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Apply a stored plan exactly as it was shown, in one transaction; refused (exit code
    4) if it was applied already or the department has changed since it was made."""
    from caseload.operate.plans import apply_plan as run

    language = lang_of(lang)
    engine = open_register(db, language)
    with refusals(language), engine.begin() as conn:
        applied = run(conn, plan, by)
    render.plan_applied(console, applied, language)


def _show(
    shown: Console,
    result: Allocation,
    lang: str,
    machine_out: tuple[Path | None, Path | None],
    plot: Path | None,
) -> None:
    summary = result.summary()
    render.allocation(shown, errors, result, summary, lang)
    json_out, csv_out = machine_out
    if json_out is not None:
        machine.write_json(summary, json_out)
    if csv_out is not None:
        tables = machine.allocation_tables(summary)
        machine.write_csv_folder(tables, csv_out, machine.ALLOCATION_COLUMNS)
    if plot is not None:
        _plot(shown, result, summary, lang, plot)


def _plot(
    shown: Console, result: Allocation, summary: dict[str, Any], lang: str, plot: Path
) -> None:
    """The rebalance figure: loads per professional before, with the plan and with the
    greedy baseline, side by side; who was not placed and the staff missing stated on it."""
    from caseload.charts import caption
    from caseload.operate.figures import load_shares

    tr = translator(lang)
    _ = tr.gettext
    labels = {
        "before": _("Before"),
        "plan": _("optimiser (min-cost flow)"),
        "greedy": _("greedy baseline"),
    }
    for key, metrics in (("plan", summary["plan"]), ("greedy", summary["greedy_baseline"])):
        if metrics["unplaced"]:
            labels[key] += "\n" + _("{n} citizen(s) not placed", n=tr.number(metrics["unplaced"]))
    if summary["unplaced"]:
        note = _(
            "Not placed under the caps: {n} citizen(s); {fte} more full-time "
            "professional(s) needed at cap {cap}.",
            n=tr.number(len(summary["unplaced"])),
            fte=tr.number(summary["missing_fte"]),
            cap=tr.number(summary["cap"]),
        )
    else:
        note = _("Every citizen placed under the caps: no staff missing.")
    title = {
        "rebalance": _("Rebalancing {department}: load per professional against the cap"),
        "assign": _("Assigning in {department}: load per professional against the cap"),
    }[result.kind].format(department=summary["department"])
    words = caption(
        lang,
        title,
        f"{summary['department']}, {label(summary['role'], lang)}",
        day=result.department.day,
        note=note,
    )
    save(
        load_shares(
            result.professionals(),
            result.load_shares(),
            labels,
            _("Professional (staff code)"),
            _("Weighted load / cap (%)"),
            _("Cap"),
            words,
        ),
        plot,
        private=False,
    )
    shown.print(_("Figure: {path}", path=plot))
