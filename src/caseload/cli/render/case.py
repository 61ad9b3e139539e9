"""One citizen's case: every part as a table, codes as words, dates and numbers in the
reader's locale, and the case version with how to use it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from rich.console import Console
from rich.table import Table

from caseload.cli.render.notes import table as notes_table
from caseload.domain.labels import label
from caseload.i18n import Translator, translator
from caseload.operate.case import Case, Correction, Meeting

NONE = "–"


def _d(tr: Translator, day: date | datetime | None) -> str:
    return NONE if day is None else tr.date(day)


def _n(tr: Translator, value: float | int | None) -> str:
    return NONE if value is None else tr.number(value)


def _table(title: str, headings: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    table = Table(title=title, title_justify="left")
    for heading in headings:
        table.add_column(heading)
    for row in rows:
        table.add_row(*row)
    return table


def _section(
    console: Console, title: str, headings: Sequence[str], rows: Sequence[Sequence[str]], lang: str
) -> None:
    """A table, or one line saying there is nothing of the kind."""
    if rows:
        console.print(_table(title, headings, rows))
    else:
        console.print(translator(lang).gettext("{part}: none", part=title), markup=False)


def case(console: Console, found: Case, lang: str) -> None:
    tr = translator(lang)
    _ = tr.gettext
    console.print(
        _("Case of {citizen} on {day}", citizen=found.citizen, day=tr.date(found.as_of)),
        style="bold",
        markup=False,
        highlight=False,
    )
    console.print(
        _(
            "Target group: {group}; complexity: {complexity}; district: {district}",
            group=label(found.target_group, lang),
            complexity=label(found.complexity, lang),
            district=found.district or NONE,
        ),
        markup=False,
        highlight=False,
    )
    console.print(
        _(
            "Case version {version}: give --version {version} when you change this case "
            "(caseload contact, caseload meeting); if someone changed it since, your change "
            "is refused and nothing is lost.",
            version=found.version,
        ),
        markup=False,
        highlight=False,
    )
    _next(console, found, tr)
    _section(
        console,
        _("Responsibilities"),
        (_("Role"), _("Staff"), _("Name"), _("From"), _("To"), _("Reason"), _("Note")),
        [
            (
                label(r.role, lang),
                r.staff,
                r.name,
                _d(tr, r.start),
                _d(tr, r.end),
                label(r.reason, lang),
                "; ".join(
                    part
                    for part in (
                        _("covers {staff}", staff=r.covers) if r.covers else "",
                        _("override: {reason}", reason=r.override) if r.override else "",
                    )
                    if part
                ),
            )
            for r in found.responsibilities
        ],
        lang,
    )
    _meetings(console, found.meetings, tr)
    _section(
        console,
        _("Benefit spells"),
        (_("Benefit"), _("From"), _("To")),
        [(label(b.benefit, lang), _d(tr, b.start), _d(tr, b.end)) for b in found.spells],
        lang,
    )
    _section(
        console,
        _("Supplier orders"),
        (
            _("Order"),
            _("Supplier"),
            _("Purpose"),
            _("Staff"),
            _("From"),
            _("To"),
            _("Report every (days)"),
        ),
        [
            (
                o.code,
                o.supplier,
                o.purpose,
                o.staff or NONE,
                _d(tr, o.start),
                _d(tr, o.end),
                _n(tr, o.report_every_days),
            )
            for o in found.orders
        ],
        lang,
    )
    reports = [(o.code, r) for o in found.orders for r in o.reports]
    if reports:
        console.print(
            _table(
                _("Progress reports"),
                (_("Order"), _("Due"), _("Received"), _("Acted on")),
                [
                    (code, _d(tr, r.due), _d(tr, r.received), _d(tr, r.acted_on))
                    for code, r in reports
                ],
            )
        )
    _section(
        console,
        _("Medical requests"),
        (
            _("Request"),
            _("Kind"),
            _("Questions"),
            _("Staff"),
            _("Sent"),
            _("Reminder"),
            _("Answered"),
            _("Followed up"),
        ),
        [
            (
                q.code,
                label(q.kind, lang),
                _n(tr, q.questions),
                q.staff or NONE,
                _d(tr, q.sent),
                _d(tr, q.reminder),
                _d(tr, q.answered),
                _d(tr, q.followed_up),
            )
            for q in found.requests
        ],
        lang,
    )
    _section(
        console,
        _("Preparatory plans"),
        (_("Plan"), _("Staff"), _("Started"), _("Completed"), _("Rehabilitation team")),
        [
            (
                p.code,
                p.staff or NONE,
                _d(tr, p.started),
                _d(tr, p.completed),
                "; ".join(
                    f"{_d(tr, r.meeting)}: {label(r.recommendation, lang)}"
                    for r in p.recommendations
                )
                or NONE,
            )
            for p in found.plans
        ],
        lang,
    )
    _section(
        console,
        _("Company placements"),
        (
            _("Placement"),
            _("Kind"),
            _("Company"),
            _("Staff"),
            _("From"),
            _("To"),
            _("Hours a week"),
            _("Reassessment"),
        ),
        [
            (
                p.code,
                label(p.kind, lang),
                p.company,
                p.staff or NONE,
                _d(tr, p.start),
                _d(tr, p.end),
                _n(tr, p.weekly_hours),
                _d(tr, p.reassessment),
            )
            for p in found.placements
        ],
        lang,
    )
    _section(
        console,
        _("Paid hours"),
        (_("Month"), _("Hours")),
        [(tr.date(h.month, "MMM y"), _n(tr, h.hours)) for h in found.paid_hours],
        lang,
    )
    _section(
        console,
        _("Trials"),
        (_("Trial"), _("Name"), _("Arm"), _("Assigned")),
        [(a.trial, a.name, label(a.arm, lang), _d(tr, a.assigned)) for a in found.arms],
        lang,
    )
    if found.notes:
        console.print(notes_table(found.notes, _("Notes and next steps"), lang))
    else:
        console.print(_("{part}: none", part=_("Notes and next steps")), markup=False)


def _next(console: Console, found: Case, tr: Translator) -> None:
    """The next job meeting due on the day, by the statutory rhythm."""
    _ = tr.gettext
    nxt = found.next_job_meeting
    if nxt is None:
        line = _("On no caseload on {day}: no job meeting is due.", day=tr.date(found.as_of))
    else:
        parts = [
            _("Next job meeting due {due}", due=tr.date(nxt.due))
            + (" " + _("(overdue)") if nxt.overdue else ""),
            _("last held {day}", day=_d(tr, nxt.last_held)),
        ]
        if nxt.planned:
            parts.append(_("planned {day}", day=tr.date(nxt.planned)))
        if nxt.missed_by_citizen:
            parts.append(_("missed by the citizen since: {n}", n=nxt.missed_by_citizen))
        if nxt.outreach:
            parts.append(_("flagged for outreach"))
        line = "; ".join(parts)
    console.print(line, markup=False, highlight=False)


def _day_of(meeting: Meeting | Correction) -> date | None:
    return meeting.held if meeting.status == "held" else (meeting.scheduled or meeting.due)


def _meetings(console: Console, meetings: Sequence[Meeting], tr: Translator) -> None:
    """The meetings (the columns for accepted absence and corrections only when a meeting
    has one), then every correction with the values it replaced."""
    _ = tr.gettext
    lang = tr.lang
    accepted = any(m.absence_accepted for m in meetings)
    corrections = any(m.corrections for m in meetings)
    headings = [
        _("Meeting"),
        _("Kind"),
        _("Status"),
        _("Day"),
        _("Due"),
        _("Minutes"),
        _("Place"),
        _("Staff"),
    ]
    headings += [_("Absence accepted")] if accepted else []
    headings += [_("Corrections")] if corrections else []
    rows = []
    for m in meetings:
        row = [
            m.code,
            label(m.kind, lang),
            label(m.status, lang),
            _d(tr, _day_of(m)),
            _d(tr, m.due),
            _n(tr, m.minutes),
            label(m.place, lang),
            m.staff or NONE,
        ]
        row += [_("yes") if m.absence_accepted else ""] if accepted else []
        row += [_n(tr, len(m.corrections)) if m.corrections else ""] if corrections else []
        rows.append(row)
    _section(console, _("Meetings"), headings, rows, lang)
    corrected = [(m.code, c) for m in meetings for c in m.corrections]
    if corrected:
        console.print(
            _table(
                _("Corrections of meetings (the values before each)"),
                (
                    _("Meeting"),
                    _("Corrected"),
                    _("By"),
                    _("Reason"),
                    _("Kind"),
                    _("Status"),
                    _("Day"),
                    _("Minutes"),
                    _("Place"),
                    _("Staff"),
                ),
                [
                    (
                        code,
                        f"{tr.date(c.at)} {c.at:%H:%M} UTC",
                        c.by or NONE,
                        c.reason,
                        label(c.kind, lang),
                        label(c.status, lang),
                        _d(tr, _day_of(c)),
                        _n(tr, c.minutes),
                        label(c.place, lang),
                        c.staff or NONE,
                    )
                    for code, c in corrected
                ],
            )
        )
