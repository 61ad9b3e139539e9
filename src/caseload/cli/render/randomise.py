"""What a randomisation did: the trial, the design and the arms per stratum."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from caseload.evaluate import enrolment
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
