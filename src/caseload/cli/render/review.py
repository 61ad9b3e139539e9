"""Case review: the sample drawn (cases per group, each reviewer's load), scores imported,
and the results in short (the report has the rest)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from caseload.i18n import translator
from caseload.review.report import group_name, item_name, level_words
from caseload.review.results import Results
from caseload.review.sample import Design, Drawn
from caseload.review.scores import Imported


def drawn(console: Console, result: Drawn, design: Design, lang: str) -> None:
    tr = translator(lang)
    head = (
        tr.gettext(
            "Review {code} extended: {added} cases added", code=result.code,
            added=tr.count(result.added),
        )
        if result.extended
        else tr.gettext(
            "Review {code} drawn: {added} cases", code=result.code, added=tr.count(result.added)
        )
    )  # fmt: skip
    console.print(head, markup=False, highlight=False)
    table = Table(title=tr.gettext("Cases per group"))
    table.add_column(tr.gettext("Group"))
    table.add_column(tr.gettext("Drawn"), justify="right")
    table.add_column(tr.gettext("On a caseload on the day"), justify="right")
    for group, (n, of) in result.strata.items():
        shown = group
        if design.by == "arm":
            shown = tr.gettext("trial arm") if group == "trial" else tr.gettext("control arm")
        table.add_row(shown, tr.count(n), tr.count(of))
    console.print(table)
    load = Table(title=tr.gettext("Cases per reviewer"))
    load.add_column(tr.gettext("Reviewer"))
    load.add_column(tr.gettext("Cases"), justify="right")
    for user, n in result.load.items():
        load.add_row(user, tr.count(n))
    console.print(load)


def imported(console: Console, result: Imported, lang: str) -> None:
    tr = translator(lang)
    console.print(
        tr.gettext(
            "{rows} rows imported: {scores} scores, {guesses} arm guesses",
            rows=tr.count(result.rows),
            scores=tr.count(result.scores),
            guesses=tr.count(result.guesses),
        ),
        markup=False,
        highlight=False,
    )


def results(console: Console, found: Results, html: Path, lang: str) -> None:
    tr = translator(lang)
    console.print(
        tr.gettext(
            "{rated} of {cases} cases scored ({ratings} ratings)",
            rated=tr.count(found.rated),
            cases=tr.count(found.cases),
            ratings=tr.count(found.ratings),
        ),
        markup=False,
        highlight=False,
    )
    table = Table()
    table.add_column(tr.gettext("Item"))
    for g in found.comparisons[0].groups if found.comparisons else ():
        table.add_column(group_name(found, g.group, tr), justify="right")
    table.add_column(tr.gettext("p-value"), justify="right")
    for c in found.comparisons:
        table.add_row(
            item_name(found, c.item, lang),
            *(tr.decimal(g.mean, 2) for g in c.groups),
            tr.pvalue(c.p_value),
        )
    console.print(table)
    for a in found.agreement:
        if a.flagged:
            console.print(
                tr.gettext(
                    "{item}: {verdict}",
                    item=item_name(found, a.item, lang),
                    verdict=level_words(a.level, a.alpha, tr),
                ),
                style="yellow",
                markup=False,
                highlight=False,
            )
    console.print(tr.gettext("Report") + f": {html}", markup=False, highlight=False)
