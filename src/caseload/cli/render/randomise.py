"""What a randomisation did: the trial, the design and the arms per stratum."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

from caseload.domain.labels import label, trait_name
from caseload.evaluate import enrolment
from caseload.evaluate.randomise import Design
from caseload.i18n import translator


def stratum_name(stratum: str, lang: str) -> str:
    """``department=JI6 | duration=kh>=3y`` as ``afdeling JI6, tid på kontanthjælp ≥ 3 år``."""
    tr = translator(lang)
    if stratum == "all":  # an unblocked design: one stratum of everyone
        return tr.pgettext("stratum", "all")
    parts = []
    for part in stratum.split(" | "):
        name, sep, value = part.partition("=")
        if not sep:
            parts.append(label(part, lang))
            continue
        if value.startswith("kh>=") or value.startswith("kh<"):
            years = value.removeprefix("kh>=").removeprefix("kh<").removesuffix("y")
            if value.startswith("kh>="):
                shown = tr.gettext("≥ {years} years", years=years)
            else:
                shown = tr.gettext("< {years} years", years=years)
        else:
            shown = label(value, lang)
        parts.append(f"{trait_name(name, lang)} {shown}")
    return ", ".join(parts)


def randomised(console: Console, run: enrolment.Run, lang: str) -> None:
    tr = translator(lang)
    _ = tr.gettext
    values = {
        "trial": run.trial,
        "assigned": tr.count(run.assigned),
        "day": tr.date(run.day),
        "kept": tr.count(run.kept),
    }
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
        console.print(
            "  "
            + _(
                "{n} cluster(s) by {unit}",
                n=tr.count(run.clusters),
                unit=label(run.design.unit, lang),
            )
        )
    if not run.assigned:
        return
    table = Table()
    for header in (_("Stratum"), _("Trial"), _("Control")):
        table.add_column(header)
    for stratum, arms in sorted(run.strata.items()):
        table.add_row(
            stratum_name(stratum, lang) if stratum else "–",
            tr.count(arms.get("trial", 0)),
            tr.count(arms.get("control", 0)),
        )
    console.print(table)


def unit_list(console: Console, design: Design, arms: pl.DataFrame, out: Path, lang: str) -> None:
    """A randomised file of units: the design, units per arm, and where they were written."""
    tr = translator(lang)
    counts = arms.get_column("arm").value_counts(sort=True)
    console.print(
        f"{design.describe(lang)}: "
        + ", ".join(f"{label(arm, lang)} {tr.count(n)}" for arm, n in counts.iter_rows())
        + f" → {out}"
    )
