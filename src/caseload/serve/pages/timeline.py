"""One citizen's case as one timeline, newest first: responsibilities and their reasons,
meetings, benefit spells, orders and their progress reports, medical requests, plans with
the rehabilitation team's recommendations, placements and paid hours. Each entry names
what happened (``what``, worded by the template) and carries the case's own record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from caseload.operate.case import Case


@dataclass(frozen=True)
class Entry:
    day: date
    what: str
    item: Any
    """The case's record (a meeting, an order …) or, for a report, (order, report)."""


def timeline(case: Case) -> list[Entry]:
    entries: list[Entry] = []
    for r in case.responsibilities:
        entries.append(Entry(r.start, "responsibility", r))
        if r.end is not None:
            entries.append(Entry(r.end, "responsibility_end", r))
    for m in case.meetings:
        day = m.held or m.scheduled or m.due
        if day is not None:
            entries.append(Entry(day, "meeting", m))
    for s in case.spells:
        entries.append(Entry(s.start, "spell", s))
    for o in case.orders:
        entries.append(Entry(o.start, "order", o))
        for report in o.reports:
            entries.append(Entry(report.received or report.due, "report", (o, report)))
    for q in case.requests:
        entries.append(Entry(q.sent, "request", q))
    for p in case.plans:
        entries.append(Entry(p.started, "plan", p))
        for rec in p.recommendations:
            entries.append(Entry(rec.meeting, "recommendation", (p, rec)))
    for pl in case.placements:
        entries.append(Entry(pl.start, "placement", pl))
    # newest first; on one day the order above (stable sort)
    return sorted(entries, key=lambda e: e.day, reverse=True)
