"""`caseload randomise`: on the register (a trial) or on a plain list of units (a file)."""

from __future__ import annotations

import getpass
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
    within_register,
)
from caseload.cli.files import not_a_folder, unrelated
from caseload.cli.output import CsvFileOption, ForceOption, JsonOption, shown_on
from caseload.cli.render import machine
from caseload.cli.render import randomise as render
from caseload.cli.render.register import rejected
from caseload.evaluate import enrolment
from caseload.evaluate.randomise import DesignError, design_from
from caseload.evaluate.unit_list import randomise_file
from caseload.i18n import translator
from caseload.register.problems import ImportRejected


def randomise(
    file: Annotated[
        Path | None,
        typer.Argument(
            metavar="FILE",
            help=help_text("A list of units (CSV, .xlsx, Parquet) instead of --db"),
        ),
    ] = None,
    force: ForceOption = False,
    db: DbOption = None,
    trial: Annotated[
        str | None,
        typer.Option("--trial", metavar="CODE", help=help_text("Trial code (register form)")),
    ] = None,
    id_column: Annotated[
        str | None, typer.Option("--id", metavar="COLUMN", help=help_text("Unit id column (file)"))
    ] = None,
    block: Annotated[
        list[str] | None,
        typer.Option(
            "--block",
            metavar="TRAIT",
            help=help_text(
                "Block/stratify on this trait or column (repeatable); register traits: {traits}",
                traits=", ".join(enrolment.STRATA),
            ),
        ),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            metavar="COLUMN",
            help=help_text("File form: randomise whole clusters (column)"),
        ),
    ] = None,
    unit: Annotated[
        str,
        typer.Option(
            "--unit", metavar="UNIT", help=help_text("Register form: citizen, caseworker or team")
        ),
    ] = "citizen",
    scheme: Annotated[
        str | None,
        typer.Option(
            "--scheme",
            metavar="SCHEME",
            help=help_text(
                "simple, complete or blocked (default: blocked with --block, else complete)"
            ),
        ),
    ] = None,
    prob: Annotated[
        float | None,
        typer.Option(
            "--prob",
            metavar="P",
            help=help_text("Probability of the trial arm, between 0 and 1 (or --ratio)"),
        ),
    ] = None,
    ratio: Annotated[
        str | None,
        typer.Option("--ratio", metavar="T:C", help=help_text("Trial:control, e.g. 2:1")),
    ] = None,
    block_size: Annotated[
        int | None,
        typer.Option(
            "--block-size",
            metavar="N",
            help=help_text(
                "Units per block with the blocked scheme (default: the smallest that holds the "
                "ratio)"
            ),
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", metavar="N", help=help_text("Seed, stored with the trial")),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help=help_text("File form: write arms here")),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start", metavar="DAY", help=help_text("Trial start (cohort day), YYYY-MM-DD")
        ),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", metavar="DAY", help=help_text("Trial end, YYYY-MM-DD"))
    ] = None,
    outcome_end: Annotated[
        str | None,
        typer.Option(
            "--outcome-end", metavar="DAY", help=help_text("End of the outcome window, YYYY-MM-DD")
        ),
    ] = None,
    department: Annotated[
        list[str] | None,
        typer.Option(
            "--department", metavar="CODE", help=help_text("Eligible department (repeatable)")
        ),
    ] = None,
    target_group: Annotated[
        list[str] | None,
        typer.Option(
            "--target-group",
            metavar="CODE",
            help=help_text("Eligible target group (repeatable)"),
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DAY",
            help=help_text("Assign later entrants eligible on this day"),
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", metavar="NAME", help=help_text("Trial name"))
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="WHO", help=help_text("Who runs it (default: login)")),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=help_text("Show, store nothing"))
    ] = False,
    json_out: JsonOption = None,
    csv_out: CsvFileOption = None,
    lang: LangOption = "",
) -> None:
    """Randomise once, reproducibly; reruns never move anyone, later entrants follow the rule."""
    language = lang_of(lang)
    _ = translator(language).gettext
    shown = shown_on(console, language, json_out, csv_out)
    not_a_folder(json_out, csv_out)  # before a trial is stored
    blocks = list(block or [])
    if seed is not None and seed < 0:
        raise fail(_("--seed must be 0 or more, not {value}", value=seed))
    # a first run names its design: any design option, or who is eligible, or its start
    design_given = (
        any(v is not None for v in (scheme, prob, ratio, block_size, seed, start))
        or blocks
        or department
        or target_group
    )
    try:
        design = None
        if file is not None or trial is None or design_given or unit != "citizen":
            design = design_from(
                seed,
                scheme,
                prob,
                ratio,
                blocks,
                block_size,
                department or [],
                target_group or [],
            )
        if file is not None:
            if not id_column or out is None:
                raise fail(_("the file form needs --id COLUMN and --out FILE"))
            assert design is not None
            taken = unrelated(out, (id_column.lower(), "arm", "probability"))
            if taken is not None:
                raise taken
            result = randomise_file(file, id_column, blocks, design, out, cluster)
            render.unit_list(shown, design, result, out, language)
            if json_out is not None:
                machine.write_json(machine.unit_list(design, result, out), json_out)
            if csv_out is not None:
                machine.write_csv(result, csv_out)
            return
        if trial is None:
            raise fail(_("give a FILE (with --id, --seed, --out) or --db and --trial"))
        if design is not None:
            design = enrolment.with_unit(design, unit)
        engine = open_register(db, language)
        later = optional_day(as_of, "--as-of", language)
        if later is not None:
            within_register(engine, later, language)
        run = enrolment.randomise(
            engine,
            trial,
            design,
            start=optional_day(start, "--start", language),
            end=optional_day(end, "--end", language),
            outcome_end=optional_day(outcome_end, "--outcome-end", language),
            name=name,
            day=later,
            by=by or getpass.getuser(),
            dry_run=dry_run,
        )
    except DesignError as error:
        raise fail(translator(language).message(error.message)) from None
    except ImportRejected as error:
        rejected(errors, error, language)
        raise typer.Exit(EXIT_INPUT) from None
    render.randomised(shown, run, language)
    if json_out is not None:
        machine.write_json(machine.run(run), json_out)
    if csv_out is not None:
        machine.write_csv(machine.strata(run), csv_out)
