"""Entry point: `caseload --help`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.logging import RichHandler
from sqlalchemy.exc import OperationalError
from typer.core import TyperCommand, TyperGroup

from caseload.cli import (
    case,
    caseflow,
    caseloads,
    casework,
    demo,
    evaluate,
    keys,
    meetings,
    randomise,
    register,
)
from caseload.cli.common import busy, errors, help_text, lang_of
from caseload.i18n import N_
from caseload.store.database import is_busy


def typer_words() -> None:
    """Typer's own words in the help (panel titles, ``[default: …]``, ``[required]``) in the
    language of the help texts. ``typer.rich_utils`` reads them when it draws a help page; it
    is loaded only for the help, not for every command, hence here and not at import."""
    from typer import rich_utils

    rich_utils.ARGUMENTS_PANEL_TITLE = help_text("Arguments")
    rich_utils.OPTIONS_PANEL_TITLE = help_text("Options")
    rich_utils.COMMANDS_PANEL_TITLE = help_text("Commands")
    rich_utils.DEFAULT_STRING = help_text("[default: {}]")
    rich_utils.REQUIRED_LONG_STRING = help_text("[required]")


def translated_help_option(option: Any) -> Any:
    """Click's own ``--help`` option, its text in the language of the help texts."""
    if option is not None:
        option.help = help_text("Show this message and exit.")
    return option


class HelpGroup(TyperGroup):
    """The app: Typer's and click's words in its help page translated too."""

    def format_help(self, *args: Any, **kwargs: Any) -> None:
        typer_words()
        super().format_help(*args, **kwargs)

    def get_help_option(self, *args: Any, **kwargs: Any) -> Any:
        return translated_help_option(super().get_help_option(*args, **kwargs))


class HelpCommand(TyperCommand):
    """A command: Typer's and click's words in its help page translated too; a register
    held by another writer past the wait ends in one line, not a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except OperationalError as error:
            if not is_busy(error):
                raise
            raise busy(lang_of(str(ctx.params.get("lang") or ""))) from None

    def format_help(self, *args: Any, **kwargs: Any) -> None:
        typer_words()
        super().format_help(*args, **kwargs)

    def get_help_option(self, *args: Any, **kwargs: Any) -> Any:
        return translated_help_option(super().get_help_option(*args, **kwargs))


app = typer.Typer(
    cls=HelpGroup,
    name="caseload",
    help=help_text("Capped caseloads, close contact and randomised proof for job centres."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help=help_text("Log what happens (counts and timings)")),
    ] = False,
) -> None:
    """Capped caseloads, close contact and randomised proof for job centres."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=errors, show_path=False)],
    )


# Each command's help, in English the summary of its function's docstring (the docstrings
# stay developer documentation); help_text translates it for CASELOAD_LANG.
COMMANDS: tuple[tuple[str, Callable[..., None], str], ...] = (
    ("init", register.init, N_("Create the register (or bring it to the newest schema).")),
    (
        "import",
        register.import_,
        N_("Import a file: every row or none; re-importing the same file changes nothing."),
    ),
    (
        "export",
        register.export_,
        N_("Export every table in the import format (codes, not internal ids)."),
    ),
    (
        "tables",
        register.tables,
        N_("List the import tables and their columns (docs/import-format.md has the details)."),
    ),
    (
        "status",
        caseloads.status_,
        N_("Caseload per professional against the cap, who is over it, and caseworker changes."),
    ),
    (
        "assign",
        caseloads.assign,
        N_(
            "Give every citizen without a contact one, within the caps: the professional they "
            "had before, else one in their district, else the least loaded."
        ),
    ),
    (
        "rebalance",
        caseloads.rebalance,
        N_(
            "Re-plan a department's caseloads: hard caps, then the fewest caseworker changes, "
            "then district and an even weighted load. Compared with a greedy loop in the same "
            "run."
        ),
    ),
    (
        "contact",
        casework.contact,
        N_(
            "Change a citizen's professional in a role: a handoff to the company consultant, a "
            "cover during illness or holiday (only by someone already attached), or a "
            "reallocation. Refused over the cap or against the role model unless --override "
            "gives a reason."
        ),
    ),
    (
        "meeting",
        meetings.meeting,
        N_(
            "Record a meeting held, planned or missed (without --id caseload gives it one and "
            "prints it); mark a planned meeting held, cancelled or no-show (--id, --status); or "
            "correct a recorded one (--id, --correct REASON), keeping the earlier values and "
            "the reason. A job meeting gets the due date the rhythm gave on its day."
        ),
    ),
    (
        "case",
        case.case,
        N_(
            "One citizen's case: responsibilities with reasons, meetings with their "
            "corrections, benefit spells, orders, requests, plans, placements, paid hours, "
            "trial arm, the next job meeting due, and the case version to give when you "
            "change it."
        ),
    ),
    (
        "overdue",
        meetings.overdue,
        N_(
            "Job meetings overdue and falling due soon, per caseworker (the statutory rhythm of "
            "the meeting rules), with citizens flagged for outreach after repeated "
            "cancellations."
        ),
    ),
    (
        "timeliness",
        meetings.timeliness,
        N_(
            "Job meetings held by their due date, per group over the period and per week (as "
            "seed 003's Table 7)."
        ),
    ),
    (
        "caseflow",
        caseflow.caseflow,
        N_(
            "Case flow per department: supplier reports acted on, medical information followed "
            "up within a week, plans through the rehabilitation team, placements, passive "
            "periods."
        ),
    ),
    (
        "sparring",
        caseflow.sparring,
        N_(
            "The sparring sheet: one printable page per citizen of a caseworker's caseload — "
            "where are we now, next step, barriers, last and next meeting, open requests."
        ),
    ),
    (
        "demo",
        demo.demo,
        N_("Build the synthetic Copenhagen-like job centre, report its status, and return."),
    ),
    (
        "randomise",
        randomise.randomise,
        N_(
            "Randomise once, reproducibly; reruns never move anyone, later entrants follow the "
            "rule."
        ),
    ),
    (
        "evaluate",
        evaluate.evaluate,
        N_("Evaluate a trial in the register: balance, effects, spells, money; HTML, JSON, CSV."),
    ),
    (
        "analyze",
        evaluate.analyze,
        N_("Any per-unit trial file through the same estimators (binary, continuous, survival)."),
    ),
    (
        "analyze-counts",
        evaluate.analyze_counts,
        N_("Binary outcomes from published totals: rates, differences, tests, power."),
    ),
    (
        "keygen",
        keys.keygen,
        N_("Make a key for hashing CPR numbers (CASELOAD_CPR_KEY), and say where to keep it."),
    ),
)
for name, function, summary in COMMANDS:
    app.command(name, cls=HelpCommand, help=help_text(summary))(function)

if __name__ == "__main__":
    app()
