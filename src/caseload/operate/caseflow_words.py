"""The case-flow tables in words: each table's title and column headings (msgids), and a
value as the reader reads it — shared by the command line and the leader's page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from caseload.domain.labels import label
from caseload.i18n import N_, translator

TITLES: dict[str, str] = {
    "reports": N_("Supplier progress reports due"),
    "medical": N_("Medical information requested (follow-up within 7 days of the answer)"),
    "plans": N_("Preparatory plans and the rehabilitation team's recommendation"),
    "placements": N_("Company placements"),
    "paid_hours": N_("Ordinary paid hours"),
    "passive": N_("Passive periods: days on a caseload without a course or placement"),
}
"""Each case-flow table's title (msgids), by its name in ``CaseFlow.tables``."""

COLUMNS: dict[str, str] = {
    "citizens_with_hours": N_("citizens with hours"),
    "hours": N_("hours"),
    "mean_hours_per_month": N_("hours a month (mean)"),
    "due": N_("due"),
    "received": N_("received"),
    "on_time": N_("on time"),
    "acted_on": N_("acted on"),
    "mean_days_to_act": N_("days to act (mean)"),
    "max_days_to_act": N_("days to act (max)"),
    "waiting_for_action": N_("awaiting action"),
    "sent": N_("sent"),
    "reminded": N_("reminded"),
    "answered": N_("answered"),
    "followed_up": N_("followed up"),
    "within_week": N_("within 7 days"),
    "mean_days_to_follow_up": N_("days to follow up (mean)"),
    "flagged": N_("flagged > 7 days"),
    "plans": N_("plans"),
    "completed": N_("completed"),
    "at_team": N_("at the team"),
    "not_yet": N_("not yet"),
    "resource_course": N_("resource course"),
    "flex_job": N_("flex job"),
    "disability_pension": N_("disability pension"),
    "postponed": N_("postponed"),
    "rejected": N_("rejected"),
    "other": N_("other"),
    "kind": N_("kind"),
    "placements": N_("placements"),
    "mean_weekly_hours": N_("weekly hours (mean)"),
    "past_reassessment": N_("past reassessment"),
    "citizens": N_("citizens"),
    "mean_passive_days": N_("passive days (mean)"),
    "mean_passive_share": N_("passive share (mean)"),
    "mean_gap_between_efforts": N_("days between efforts (mean)"),
    "department": N_("department"),
}
"""The case-flow tables' column headings (msgids), by column name."""


SHARES = frozenset({"mean_passive_share"})
"""Columns holding a share (0–1), shown as a percentage."""


def cell(column: str, value: object, lang: str) -> str:
    """One value as the reader reads it: numbers and dates in their locale, codes as words."""
    tr = translator(lang)
    if value is None:
        return ""
    if isinstance(value, bool):
        return tr.gettext("yes") if value else ""
    if isinstance(value, float):
        return tr.share(value) if column in SHARES else tr.decimal(value, 1)
    if isinstance(value, int):
        return tr.count(value)
    if isinstance(value, date):
        return tr.date(value)
    return label(str(value), lang)


@dataclass(frozen=True)
class Worded:
    """A case-flow table ready to show: its title, headings and cells in the reader's
    language, and which columns hold numbers (right-aligned)."""

    title: str
    headings: list[str]
    numeric: list[bool]
    rows: list[list[str]]


def worded(name: str, frame: pl.DataFrame, lang: str, drop: tuple[str, ...] = ()) -> Worded:
    """The table ``name`` of a case flow in words, without the columns ``drop``."""
    _ = translator(lang).gettext
    columns = [c for c in frame.columns if c not in drop]
    return Worded(
        title=_(TITLES[name]) if name in TITLES else name,
        headings=[_(COLUMNS[c]) if c in COLUMNS else c for c in columns],
        numeric=[frame.schema[c] != pl.Utf8 for c in columns],
        rows=[
            [cell(c, v, lang) for c, v in zip(columns, row, strict=True)]
            for row in frame.select(columns).iter_rows()
        ],
    )
