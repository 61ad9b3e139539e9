"""Entry point: `caseload --help`."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from difflib import get_close_matches
from typing import Annotated, Any

import typer
from rich.logging import RichHandler
from sqlalchemy.exc import DatabaseError, OperationalError
from typer.core import TyperCommand, TyperGroup

from caseload.cli import (
    audit,
    case,
    caseflow,
    caseloads,
    casework,
    demo,
    diagnose,
    evaluate,
    keys,
    meetings,
    notes,
    plan,
    randomise,
    register,
    review,
    serve,
    simulate,
    users,
)
from caseload.cli.common import busy, errors, fail, help_text, lang_of
from caseload.cli.files import CannotWrite, forcing
from caseload.i18n import N_, translator
from caseload.store.database import UnsupportedDatabase, is_busy, resolve_url
from caseload.store.migrate import ForeignDatabase


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
    rich_utils.ERRORS_PANEL_TITLE = help_text("Error")
    rich_utils.RICH_HELP = help_text("Try [blue]'{command_path} {help_option}'[/] for help.")
    rich_utils.ABORTED_TEXT = help_text("Aborted.")


def value_refused(reason: str) -> str:
    """Why a value was refused, in the language of the help texts where Typer's reason is
    one of the usual ones (not a number, out of range); else Typer's own words."""
    if "valid integer" in reason:
        return help_text("not a whole number")
    if "valid number" in reason:
        return help_text("not a number (write decimals with a dot, e.g. 0.05)")
    bound = re.search(r"(greater|less) than or equal to (\S+)", reason)
    if bound:
        at = help_text("at least {n}") if bound[1] == "greater" else help_text("at most {n}")
        return at.format(n=bound[2])
    return reason


def usage_words(error: Any) -> None:
    """Typer's own words when a command line is wrong (a missing or unknown option, a value
    of the wrong type) in the language of the help texts; Typer writes them as English
    f-strings, so the error's message is rewritten here. The reason a value was refused (the
    type's own words) stays as Typer says it."""
    kind = type(error).__name__
    param = getattr(error, "param", None)
    if kind == "MissingParameter" and param is not None and not error.message:
        hint = param.get_error_hint()
        if param.param_type_name == "argument":
            text = help_text("Missing argument {argument}.", argument=hint)
        else:
            text = help_text("Missing option {option}.", option=hint)
    elif kind == "NoSuchOption":
        text = help_text("No such option: {option}", option=error.option_name)
        if error.possibilities:
            options = ", ".join(sorted(error.possibilities))
            text += " " + help_text("(Possible options: {options})", options=options)
    elif kind == "BadParameter" and param is not None:
        text = help_text(
            "Invalid value for {option}: {reason}",
            option=param.get_error_hint(),
            reason=value_refused(str(error.message)),
        )
    else:
        return
    error.format_message = lambda: text


def translated_help_option(option: Any) -> Any:
    """Click's own ``--help`` option, its text in the language of the help texts."""
    if option is not None:
        option.help = help_text("Show this message and exit.")
        no_value_shown(option)
    return option


def no_value_shown(param: Any) -> None:
    """A flag (``--dry-run``, ``--help``) takes no value: nothing like ``<bool>`` beside it in
    the help (Typer shows the Python type of every option without a metavar); an argument's
    metavar (FILE, TABLE) is its name already, so no ``<path>`` beside it either."""
    flag = getattr(param, "is_flag", False)
    argument = getattr(param, "param_type_name", "") == "argument"
    named_argument = argument and getattr(param, "metavar", None) is not None
    if flag or named_argument:
        param.display_type_rich = lambda ctx: None


VALUE_NAMES = (
    N_("DAY"),
    N_("DAYS"),
    N_("FILE"),
    N_("FOLDER"),
    N_("CODE"),
    N_("STAFF"),
    N_("ROLE"),
    N_("LANG"),
    N_("POINTS"),
    N_("GROUP"),
    N_("TRAIT"),
    N_("COLUMN"),
    N_("UNIT"),
    N_("SCHEME"),
    N_("NAME"),
    N_("WHO"),
    N_("VALUE"),
    N_("ENCODING"),
    N_("TABLE"),
    N_("REASON"),
    N_("KIND"),
    N_("PLACE"),
    N_("STATUS"),
    N_("SHEET"),
    N_("DKK"),
    N_("T:C"),
    N_("HOST"),
    N_("PORT"),
    N_("ADDRESS"),
    N_("USERNAME"),
    N_("ACTION"),
    N_("NOTE"),
)
"""The names of the values options and arguments take (their metavars), translated in the
help like the texts (``--json FIL`` in Danish); N, P, URL and the like read the same."""


def plain_flags(command: Any) -> None:
    """Each parameter as the help shows it: flags without a type, values by their name in the
    language of the help texts."""
    for param in command.params:
        no_value_shown(param)
        if param.metavar in VALUE_NAMES:
            param.metavar = help_text(param.metavar)


USAGE_PIECES = (N_("[OPTIONS]"), N_("COMMAND [ARGS]..."))
"""Click's placeholders in the usage line, translated like the help texts."""


class Words:
    """Typer's and click's own words translated too: in the help page (panel titles, the
    usage line, ``--help``) and when a command line is wrong."""

    def format_help(self, *args: Any, **kwargs: Any) -> None:
        typer_words()
        plain_flags(self)
        super().format_help(*args, **kwargs)  # type: ignore[misc]

    def get_help_option(self, *args: Any, **kwargs: Any) -> Any:
        return translated_help_option(super().get_help_option(*args, **kwargs))  # type: ignore[misc]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = [
            help_text(piece) if piece in USAGE_PIECES else piece
            for piece in self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        ]
        formatter.write_usage(ctx.command_path, " ".join(pieces), help_text("Usage: "))

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)  # type: ignore[misc]
        except Exception as error:
            if hasattr(error, "format_message"):  # Typer's usage errors
                typer_words()
                plain_flags(self)
                usage_words(error)
            raise


class HelpGroup(Words, TyperGroup):
    """The app."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as error:
            if args and str(getattr(error, "message", "")).startswith("No such command"):
                typer_words()
                text = help_text("No such command {name}.", name=repr(args[0]))
                close = get_close_matches(args[0], list(self.commands))
                if close:
                    names = ", ".join(repr(name) for name in close)
                    text += " " + help_text("Did you mean {commands}?", commands=names)
                error.message = text  # type: ignore[attr-defined]
            raise


class HelpCommand(Words, TyperCommand):
    """A command; a register held by another writer past the wait ends in one line, not a
    traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            with forcing(bool(ctx.params.get("force"))):
                return super().invoke(ctx)
        except OperationalError as error:
            if not is_busy(error):
                raise
            raise busy(lang_of(str(ctx.params.get("lang") or ""))) from None
        except (CannotWrite, UnsupportedDatabase, ForeignDatabase) as error:
            raise fail(error.text(lang_of(str(ctx.params.get("lang") or "")))) from None
        except DatabaseError as error:
            if "file is not a database" not in str(error.orig):
                raise
            said = translator(lang_of(str(ctx.params.get("lang") or ""))).gettext(
                "{path}: not a SQLite database (a caseload register is a SQLite file made "
                "by `caseload init`, or a PostgreSQL URL)",
                path=resolve_url(ctx.params.get("db")).removeprefix("sqlite:///"),
            )
            raise fail(said) from None
        except OSError as error:
            if not error.filename:
                raise
            # a path the user gave that the system refuses (a folder, no permission, a full
            # disk): the path and the system's reason, one line
            said = f"{error.filename}: {error.strerror or type(error).__name__}"
            raise fail(said) from None


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
        N_(
            "Export every table in the import format (codes, not internal ids), or with "
            "--partition-by jobcentre the register as a Parquet dataset for DuckDB and Spark."
        ),
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
        "apply-plan",
        caseloads.apply_plan,
        N_(
            "Apply a stored plan exactly as it was shown, in one transaction; refused (exit code "
            "4) if it was applied already or the department has changed since it was made."
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
            "Job meetings held by their due date, per group over the period and per week: the "
            "timeliness share the Copenhagen trial reported (trial 90 %, control 82 %)."
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
        N_(
            "Build the synthetic Copenhagen-like job centre, report its status, and return "
            "(or, with --serve, serve it: the one already built, unless --fresh); with "
            "--national, a register of many job centres as a Parquet dataset."
        ),
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
        "diagnose",
        diagnose.diagnose,
        N_(
            "Simulate a planned trial many times, each analysed as caseload analyses a trial: "
            "power, bias, RMSE, interval coverage, type-S error and the minimum detectable "
            "effect."
        ),
    ),
    (
        "simulate",
        simulate.simulate,
        N_(
            "Microsimulate a job centre's citizens under caseload policies, over "
            "caseload-response shapes: exits by destination, months on benefit, transfer and "
            "staff costs, net result."
        ),
    ),
    (
        "serve",
        serve.serve,
        N_(
            "Serve the web app and the JSON API on a register (uvicorn; several workers on "
            "PostgreSQL) until Ctrl-C."
        ),
    ),
    (
        "keygen",
        keys.keygen,
        N_("Make a key for hashing CPR numbers (CASELOAD_CPR_KEY), and say where to keep it."),
    ),
)
for name, function, summary in COMMANDS:
    app.command(name, cls=HelpCommand, help=help_text(summary))(function)
# command groups, each module with its GROUP_HELP, COMMANDS and Typer app: `caseload note add …`
GROUPS = (
    ("note", notes),
    ("users", users),
    ("audit", audit),
    ("plan", plan),
    ("review", review),
)
for group_name, module in GROUPS:
    for name, function, summary in module.COMMANDS:
        module.app.command(name, cls=HelpCommand, help=help_text(summary))(function)
    app.add_typer(module.app, name=group_name, cls=HelpGroup, help=help_text(module.GROUP_HELP))

if __name__ == "__main__":
    app()
