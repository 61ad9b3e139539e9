"""A meeting recorded, marked or corrected; job meetings overdue and due soon, and
timeliness per group."""

from __future__ import annotations

from datetime import date

import polars as pl
from rich.console import Console, JustifyMethod
from rich.table import Table

from caseload.domain.labels import label
from caseload.i18n import N_, translator
from caseload.operate.meetings import Corrected, Marked, Recorded
from caseload.operate.rhythm import Overdue

Done = Recorded | Marked | Corrected
"""What the meeting command did."""

FIELDS = {
    "kind": N_("kind"),
    "status": N_("status"),
    "day": N_("day"),
    "minutes": N_("minutes"),
    "place": N_("place"),
    "staff": N_("staff"),
    "absence_accepted": N_("absence accepted"),
}
"""A correction's fields, as the reader reads them."""


def done(console: Console, result: Done, lang: str) -> None:
    """One line: the meeting's id (the one caseload gave, when none was given), what
    happened, and the case version the next edit should carry."""
    tr = translator(lang)
    if isinstance(result, Recorded):
        line = tr.gettext(
            "{citizen}: meeting {meeting} recorded ({status}, {day}); case version {version}",
            citizen=result.citizen,
            meeting=result.meeting,
            status=label(result.status, lang),
            day=result.day,
            version=result.version,
        )
    elif isinstance(result, Marked):
        line = tr.gettext(
            "{citizen}: meeting {meeting} marked {status} ({day}); case version {version}",
            citizen=result.citizen,
            meeting=result.meeting,
            status=label(result.status, lang),
            day=result.day,
            version=result.version,
        )
    else:
        line = tr.gettext(
            "{citizen}: meeting {meeting} corrected ({fields}; reason: {reason}); case "
            "version {version}",
            citizen=result.citizen,
            meeting=result.meeting,
            fields=", ".join(tr.gettext(FIELDS[name]) for name in result.changed),
            reason=result.reason,
            version=result.version,
        )
    console.print(line, markup=False, highlight=False)


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
    tr = translator(lang)
    _ = tr.gettext
    table = Table(
        title=_(
            "Job meetings on {day}: overdue and due within {within} days, per caseworker",
            day=tr.date(day),
            within=tr.count(within),
        )
    )
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        (_("Staff"), "left"),
        (_("Name"), "left"),
        (_("Citizens"), "right"),
        (_("Overdue"), "right"),
        (_("Due soon"), "right"),
        (_("Outreach"), "right"),
    )
    for heading, justify in columns:
        table.add_column(heading, justify=justify)
    for row in rows:
        table.add_row(
            row.staff,
            row.name,
            tr.count(row.citizens),
            tr.count(row.overdue),
            tr.count(row.due_soon),
            tr.count(row.outreach),
        )
    console.print(table)
    if caseworker:
        console.print(_citizens_of(caseworker, listed, lang))


def _citizens_of(caseworker: str, listed: pl.DataFrame, lang: str) -> Table:
    """One caseworker's citizens overdue, due soon or flagged for outreach."""
    tr = translator(lang)
    _ = tr.gettext
    detail = Table(
        title=_(
            "{staff}: citizens overdue, due soon or flagged for outreach ({n})",
            staff=caseworker,
            n=tr.count(listed.height),
        )
    )
    for heading in (
        _("Citizen"),
        _("Due"),
        _("Days over"),
        _("Last held"),
        _("Planned"),
        _("Missed"),
        _("Outreach"),
    ):
        detail.add_column(heading)
    for r in listed.iter_rows(named=True):
        late = r["days_overdue"]
        detail.add_row(
            r["citizen"],
            tr.date(r["due"]),
            tr.count(late) if late > 0 else "",
            tr.date(r["last_held"]) if r["last_held"] else "",
            tr.date(r["planned"]) if r["planned"] else "",
            tr.count(r["missed_by_citizen"]) if r["missed_by_citizen"] else "",
            "✔" if r["outreach"] else "",
        )
    return detail


def group_name(group: str, by: str, lang: str) -> str:
    """A trial arm in the reader's language; a department by its code."""
    if by == "arm" and group in ("trial", "control"):
        return label(group, lang)
    return group


def timeliness(
    console: Console, totals: pl.DataFrame, first: date, last: date, by: str, lang: str
) -> None:
    """Job meetings held, held on time and the share, per group over the period."""
    tr = translator(lang)
    _ = tr.gettext
    table = Table(
        title=_(
            "Timeliness: job meetings held by their due date, {first} to {last}",
            first=tr.date(first),
            last=tr.date(last),
        )
    )
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        (_("Group"), "left"),
        (_("Held"), "right"),
        (_("On time"), "right"),
        (_("Share"), "right"),
    )
    for heading, justify in columns:
        table.add_column(heading, justify=justify)
    for g, held, timely, share in totals.iter_rows():
        table.add_row(
            group_name(g, by, lang),
            tr.count(held),
            tr.count(timely),
            tr.share(share) if held else "",
        )
    console.print(table)
