"""What an import did, or every problem that stopped it."""

from __future__ import annotations

from rich.console import Console

from caseload.i18n import translator
from caseload.register.importer import ImportResult
from caseload.register.problems import ImportRejected

MAX_PROBLEMS_SHOWN = 50


def imported(console: Console, result: ImportResult, lang: str) -> None:
    for note in result.notes:
        console.print(translator(lang).message(note), style="yellow")
    console.print(
        translator(lang).gettext(
            "{table}: {inserted} inserted, {updated} updated, {unchanged} unchanged",
            table=result.table,
            inserted=translator(lang).count(result.inserted),
            updated=translator(lang).count(result.updated),
            unchanged=translator(lang).count(result.unchanged),
        )
    )


def rejected(console: Console, error: ImportRejected, lang: str) -> None:
    """Every problem (the first 50) in the reader's language; the reasons never hold a CPR
    number (the register's rules keep them out)."""
    _ = translator(lang).gettext
    head = _(
        "{file}: {count} problem(s); nothing was imported",
        file=error.file,
        count=translator(lang).count(len(error.problems)),
    )
    console.print(head, style="red", markup=False, highlight=False)
    for p in error.problems[:MAX_PROBLEMS_SHOWN]:
        console.print(
            "  "
            + _(
                "row {row}, column {column}: {reason}",
                row=p.row,
                column=p.column,
                reason=p.text(lang),
            ),
            markup=False,
            highlight=False,
        )
    if len(error.problems) > MAX_PROBLEMS_SHOWN:
        more = len(error.problems) - MAX_PROBLEMS_SHOWN
        console.print(
            _("… and {count} more (use --errors FILE for all)", count=translator(lang).count(more))
        )
