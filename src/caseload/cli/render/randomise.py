"""What a randomisation did: the trial, the design and the arms per stratum."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

from caseload.evaluate import enrolment
from caseload.evaluate.randomise import Design
from caseload.i18n import t


def randomised(console: Console, run: enrolment.Run, lang: str) -> None:
    head = t(
        "randomise_dry" if run.dry_run else "randomise_done",
        lang,
        trial=run.trial,
        assigned=run.assigned,
        day=run.day,
        kept=run.kept,
    )
    console.print(head)
    console.print(f"  {run.design.describe()}, seed {run.design.seed}")
    if run.clusters:
        console.print("  " + t("clusters", lang, n=run.clusters, unit=run.design.unit))
    if not run.assigned:
        return
    table = Table()
    for header in (t("stratum", lang), t("trial_arm", lang), t("control_arm", lang)):
        table.add_column(header)
    for stratum, arms in sorted(run.strata.items()):
        table.add_row(stratum, str(arms.get("trial", 0)), str(arms.get("control", 0)))
    console.print(table)


def unit_list(console: Console, design: Design, arms: pl.DataFrame, out: Path) -> None:
    """A randomised file of units: the design, units per arm, and where they were written."""
    counts = arms.get_column("arm").value_counts(sort=True)
    console.print(
        f"{design.describe()}: "
        + ", ".join(f"{arm} {n}" for arm, n in counts.iter_rows())
        + f" → {out}"
    )
