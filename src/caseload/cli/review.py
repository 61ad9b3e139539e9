"""Case review: ``caseload review sample``, ``review scores`` and ``review report`` (a group
of its own, wired in ``cli/main.py``; the work is in ``review/``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from caseload.cli.common import (
    EXIT_INPUT,
    DbOption,
    LangOption,
    console,
    day_of,
    errors,
    fail,
    help_text,
    lang_of,
    login,
    open_register,
    optional_day,
    refusals,
)
from caseload.cli.files import CannotWrite, forcing, save
from caseload.cli.output import ForceOption
from caseload.cli.render import register as render_register
from caseload.domain import codes
from caseload.i18n import N_, Said, translator
from caseload.register.problems import ImportRejected
from caseload.store.database import reader

CodeOption = Annotated[
    str,
    typer.Option("--code", metavar="CODE", help=help_text("The review's code, such as R1")),
]


def sample(
    as_of: Annotated[
        str,
        typer.Option("--as-of", metavar="DAY", help=help_text("The day the cases are drawn on")),
    ],
    per_stratum: Annotated[
        int,
        typer.Option(
            "--per-stratum",
            metavar="N",
            help=help_text("Cases per group (a larger N later extends the same review)"),
        ),
    ],
    code: CodeOption,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            metavar="GROUP",
            help=help_text("Draw within each {values}", values=", ".join(codes.REVIEW_STRATA)),
        ),
    ] = "arm",
    seed: Annotated[
        str, typer.Option("--seed", metavar="S", help=help_text("Seed of the random draw"))
    ] = "1",
    reviewers: Annotated[
        int,
        typer.Option("--reviewers", metavar="N", help=help_text("Reviewers per case")),
    ] = 2,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DAY",
            help=help_text("First day a reviewer reads (default: a year before --as-of)"),
        ),
    ] = None,
    trial: Annotated[
        str | None,
        typer.Option(
            "--trial",
            metavar="CODE",
            help=help_text("With --by arm: the trial (default: the one running on the day)"),
        ),
    ] = None,
    rubric_file: Annotated[
        Path | None,
        typer.Option(
            "--rubric",
            metavar="FILE",
            help=help_text("The rubric (TOML; default: the five themes of the 2018 review)"),
        ),
    ] = None,
    pool: Annotated[
        list[str] | None,
        typer.Option(
            "--reviewer",
            metavar="USER",
            help=help_text("A reviewer account to deal cases to (default: every one)"),
        ),
    ] = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Draw a seeded, stratified sample of cases for review, two reviewers each."""
    from caseload.cli.render import review as render
    from caseload.review import rubric
    from caseload.review import sample as sampling

    language = lang_of(lang)
    design = sampling.Design(
        code, day_of(as_of, language), by, per_stratum, seed, reviewers,
        optional_day(start, "--from", language), trial,
    )  # fmt: skip
    engine = open_register(db, language)
    try:
        chosen = None if rubric_file is None else rubric.load(rubric_file)
        with refusals(language), engine.begin() as conn:
            drawn = sampling.draw(conn, design, chosen, pool, login())
    except Said as error:
        raise _refused(error, language) from None
    render.drawn(console, drawn, design, language)


def scores(
    file: Annotated[Path, typer.Argument(metavar="FILE", help=help_text("Scores file"))],
    code: CodeOption,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Import reviewers' scores and arm guesses: every row or none."""
    from caseload.cli.render import review as render
    from caseload.review import scores as saving

    language = lang_of(lang)
    engine = open_register(db, language)
    try:
        with refusals(language), engine.begin() as conn:
            done = saving.import_scores(conn, code, file)
    except ImportRejected as error:
        render_register.rejected(errors, error, language)
        raise typer.Exit(EXIT_INPUT) from None
    except Said as error:
        raise _refused(error, language) from None
    render.imported(console, done, language)


def report(
    code: CodeOption,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FOLDER",
            help=help_text(
                "Folder for review.html, review.json, cases.csv and items.csv "
                "(default: review-CODE)"
            ),
        ),
    ] = None,
    force: ForceOption = False,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """The review's results: scores per group, agreement, indicators and blinding."""
    from caseload.cli.render import review as render
    from caseload.review import report as reporting
    from caseload.review import results as resulting

    language = lang_of(lang)
    engine = open_register(db, language)
    try:
        with reader(engine).connect() as conn:
            found = resulting.results(conn, code)
    except Said as error:
        raise _refused(error, language) from None
    folder = out or Path(f"review-{code}")
    try:
        with forcing(force):
            for name, text in reporting.files(found, language).items():
                save(text, folder / name)
    except CannotWrite as error:
        raise fail(error.text(language)) from None
    render.results(console, found, folder / "review.html", language)


def _refused(error: Said, lang: str) -> typer.Exit:
    return fail(translator(lang).gettext("Refused: {why}", why=error.text(lang)))


GROUP_HELP = N_(
    "Case review: draw a blinded sample of cases for reviewers, import their scores, report."
)
COMMANDS = (
    (
        "sample",
        sample,
        N_("Draw a seeded, stratified sample of cases for review, two reviewers each."),
    ),
    ("scores", scores, N_("Import reviewers' scores and arm guesses: every row or none.")),
    (
        "report",
        report,
        N_("The review's results: scores per group, agreement, indicators and blinding."),
    ),
)

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
