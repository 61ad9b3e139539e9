"""What an import did, or every problem that stopped it."""

from __future__ import annotations

from rich.console import Console

from caseload.i18n import t
from caseload.register.importer import ImportResult
from caseload.register.problems import ImportRejected

MAX_PROBLEMS_SHOWN = 50


def imported(console: Console, result: ImportResult, lang: str) -> None:
    console.print(
        t(
            "imported",
            lang,
            table=result.table,
            inserted=result.inserted,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    )


def rejected(console: Console, error: ImportRejected, lang: str) -> None:
    console.print(f"[red]{t('rejected', lang, file=error.file, count=len(error.problems))}[/red]")
    for p in error.problems[:MAX_PROBLEMS_SHOWN]:
        console.print(
            "  " + t("problem", lang, row=p.row, column=p.column, reason=p.reason),
            markup=False,
            highlight=False,
        )
    if len(error.problems) > MAX_PROBLEMS_SHOWN:
        console.print(t("more_problems", lang, count=len(error.problems) - MAX_PROBLEMS_SHOWN))
