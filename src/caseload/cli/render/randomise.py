"""What a randomisation did: the trial, the design and the arms per stratum."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

from caseload.evaluate import enrolment
from caseload.evaluate.randomise import Design
from caseload.i18n import translator


def randomised(console: Console, run: enrolment.Run, lang: str) -> None:
    _ = translator(lang).gettext
    values = {"trial": run.trial, "assigned": run.assigned, "day": run.day, "kept": run.kept}
    if run.dry_run:
        head = _(
            "{trial} (dry run, nothing stored): {assigned} citizen(s) would be assigned on "
            "{day}; {kept} already assigned",
            **values,
        )
    else:
        head = _(
            "{trial}: {assigned} citizen(s) assigned on {day}; {kept} already assigned kept "
            "their arm",
            **values,
        )
    console.print(head)
    console.print(
        "  " + _("{design}, seed {seed}", design=run.design.describe(lang), seed=run.design.seed)
    )
    if run.clusters:
        console.print("  " + _("{n} cluster(s) by {unit}", n=run.clusters, unit=run.design.unit))
    if not run.assigned:
        return
    table = Table()
    for header in (_("Stratum"), _("Trial"), _("Control")):
        table.add_column(header)
    for stratum, arms in sorted(run.strata.items()):
        table.add_row(stratum, str(arms.get("trial", 0)), str(arms.get("control", 0)))
    console.print(table)


def unit_list(console: Console, design: Design, arms: pl.DataFrame, out: Path, lang: str) -> None:
    """A randomised file of units: the design, units per arm, and where they were written."""
    counts = arms.get_column("arm").value_counts(sort=True)
    console.print(
        f"{design.describe(lang)}: "
        + ", ".join(f"{arm} {n}" for arm, n in counts.iter_rows())
        + f" → {out}"
    )
