"""Job meetings overdue and due soon, and timeliness per group."""

from __future__ import annotations

from datetime import date

import polars as pl
from rich.console import Console
from rich.table import Table

from caseload.i18n import t
from caseload.operate.rhythm import Overdue


def overdue(
    console: Console,
    rows: list[Overdue],
    listed: pl.DataFrame,
    day: date,
    within: int,
    caseworker: str | None,
    lang: str,
) -> None:
    """Per caseworker counts; with one caseworker, their citizens one by one."""
    table = Table(title=t("overdue_title", lang, day=day.isoformat(), within=within))
    for key in ("staff", "name", "citizens", "overdue", "due_soon", "outreach"):
        table.add_column(t(key, lang), justify="left" if key in ("staff", "name") else "right")
    for row in rows:
        table.add_row(
            row.staff,
            row.name,
            str(row.citizens),
            str(row.overdue),
            str(row.due_soon),
            str(row.outreach),
        )
    console.print(table)
    if not caseworker:
        return
    detail = Table(title=t("caseworker_citizens", lang, staff=caseworker, n=listed.height))
    for key in ("citizen", "due", "days_overdue", "last_held", "planned", "missed", "outreach"):
        detail.add_column(t(key, lang))
    for r in listed.iter_rows(named=True):
        late = r["days_overdue"]
        detail.add_row(
            r["citizen"],
            str(r["due"]),
            str(late) if late > 0 else "",
            str(r["last_held"] or ""),
            str(r["planned"] or ""),
            str(r["missed_by_citizen"] or ""),
            "✔" if r["outreach"] else "",
        )
    console.print(detail)


def group_name(group: str, by: str, lang: str) -> str:
    """A trial arm in the reader's language; a department by its code."""
    if by == "arm" and group in ("trial", "control"):
        return t("trial" if group == "trial" else "control_arm", lang).lower()
    return group


def timeliness(
    console: Console, totals: pl.DataFrame, first: date, last: date, by: str, lang: str
) -> None:
    """Job meetings held, held on time and the share, per group over the period."""
    table = Table(title=t("timeliness_title", lang, first=first, last=last))
    for key in ("group", "held", "timely", "share"):
        table.add_column(t(key, lang), justify="left" if key == "group" else "right")
    for g, held, timely, share in totals.iter_rows():
        table.add_row(
            group_name(g, by, lang), str(held), str(timely), f"{100 * share:.1f} %" if held else ""
        )
    console.print(table)
