"""What a reviewer reads: one case's timeline in the review's window, blinded.

The case (operate.case) as of the review's day, cut to its window, with everything that
names the arm, the department or a professional left out: no trial arms, no staff codes or
names, no district, no citizen code (the review's label stands for the citizen), no note's
author; and in what people wrote (notes, an order's purpose, a supplier's or company's
name) every professional's name and code and every department's name and code in the
register is replaced by ``[…]``. What the case did stays: its
meetings (kind, place, status, the dates), benefit spells, supplier orders and progress
reports, medical requests and follow-up, preparatory plans and the rehabilitation team's
recommendations, placements, and which role changed hands when (not to whom).

Case content can still betray the arm (more meetings, home visits): each reviewer guesses
the arm, and the report gives Bang's blinding index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from caseload.i18n import N_
from caseload.operate.case import Case, case
from caseload.store import schema as s

HIDDEN = "[…]"


@dataclass(frozen=True)
class Fact:
    key: str
    """A word from ``FACTS`` (what the value is)."""
    value: Any
    """A date, a number, a register code (shown in words) or a text."""


@dataclass(frozen=True)
class Entry:
    day: date
    what: str
    """One of ``WHATS``."""
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class BlindCase:
    label: str
    start: date
    as_of: date
    target_group: str
    complexity: str | None
    entries: tuple[Entry, ...]
    """Newest first."""


WHATS = {
    "responsibility": N_("New professional in a role"),
    "meeting": N_("Meeting"),
    "spell": N_("Benefit spell"),
    "order": N_("Supplier order"),
    "report": N_("Progress report"),
    "request": N_("Medical information requested"),
    "plan": N_("Preparatory plan"),
    "recommendation": N_("Rehabilitation team's recommendation"),
    "placement": N_("Company placement"),
    "note": N_("Note"),
}
"""Each entry's kind, in words (the page translates them)."""
FACTS = {
    "role": N_("role"),
    "reason": N_("why"),
    "kind": N_("kind"),
    "status": N_("status"),
    "place": N_("place"),
    "due": N_("due"),
    "held": N_("held"),
    "minutes": N_("minutes"),
    "benefit": N_("benefit"),
    "end": N_("ended"),
    "purpose": N_("purpose"),
    "supplier": N_("supplier"),
    "received": N_("received"),
    "acted_on": N_("acted on"),
    "questions": N_("questions"),
    "answered": N_("answered"),
    "followed_up": N_("followed up"),
    "completed": N_("completed"),
    "recommendation": N_("recommendation"),
    "company": N_("company"),
    "weekly_hours": N_("hours a week"),
    "text": N_("text"),
}


FREE_TEXT = frozenset({"text", "purpose", "supplier", "company"})
"""Facts written by people (a note, an order's purpose, a supplier's or company's name):
redacted before a reviewer reads them."""


def _redactor(conn: Connection) -> re.Pattern[str] | None:
    """Every professional's and department's name and code, longest first, as whole
    words."""
    p, d = s.professional, s.department
    words: set[str] = set()
    for row in conn.execute(select(p.c.code, p.c.name)):
        words.update(str(v) for v in row if v)
        words.update(part for part in str(row.name or "").split() if len(part) > 2)
    for row in conn.execute(select(d.c.code, d.c.name)):
        words.update(str(v) for v in row if v)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def redact(text: str, pattern: re.Pattern[str] | None) -> str:
    return text if pattern is None else pattern.sub(HIDDEN, text)


def _entries(found: Case, start: date, pattern: re.Pattern[str] | None) -> list[Entry]:
    out: list[Entry] = []

    def add(day: date | None, what: str, **facts: Any) -> None:
        if day is not None and start <= day <= found.as_of:
            kept = tuple(
                Fact(k, redact(v, pattern) if k in FREE_TEXT and isinstance(v, str) else v)
                for k, v in facts.items()
                if v is not None
            )
            out.append(Entry(day, what, kept))

    for r in found.responsibilities:
        add(r.start, "responsibility", role=r.role, reason=r.reason, end=r.end)
    for m in found.meetings:
        add(
            m.held or m.scheduled or m.due,
            "meeting",
            kind=m.kind,
            status=m.status,
            place=m.place,
            due=m.due,
            held=m.held,
            minutes=m.minutes,
        )
    for sp in found.spells:
        add(sp.start, "spell", benefit=sp.benefit, end=sp.end)
    for o in found.orders:
        add(o.start, "order", purpose=o.purpose, supplier=o.supplier, end=o.end)
        for rep in o.reports:
            add(rep.received or rep.due, "report", due=rep.due, received=rep.received,
                acted_on=rep.acted_on)  # fmt: skip
    for q in found.requests:
        add(q.sent, "request", kind=q.kind, questions=q.questions, answered=q.answered,
            followed_up=q.followed_up)  # fmt: skip
    for pl in found.plans:
        add(pl.started, "plan", completed=pl.completed)
        for rec in pl.recommendations:
            add(rec.meeting, "recommendation", recommendation=rec.recommendation)
    for pc in found.placements:
        add(pc.start, "placement", kind=pc.kind, company=pc.company, end=pc.end,
            weekly_hours=pc.weekly_hours)  # fmt: skip
    for n in found.notes:
        add(n.written_at.date(), "note", kind=n.kind, text=n.body, due=n.due)
    return sorted(out, key=lambda e: e.day, reverse=True)


def blinded(conn: Connection, review_case_id: int) -> BlindCase:
    """The case a review drew, as its reviewers read it."""
    rc, rv, c = s.review_case, s.review, s.citizen
    row = conn.execute(
        select(rc.c.label, rv.c.as_of, rv.c.window_start, c.c.code)
        .join(rv, rv.c.id == rc.c.review_id)
        .join(c, c.c.id == rc.c.citizen_id)
        .where(rc.c.id == review_case_id)
    ).one()
    found = case(conn, str(row.code), row.as_of)
    return BlindCase(
        label=str(row.label),
        start=row.window_start,
        as_of=row.as_of,
        target_group=found.target_group,
        complexity=found.complexity,
        entries=tuple(_entries(found, row.window_start, _redactor(conn))),
    )


def citizen_code(conn: Connection, review_case_id: int) -> str:
    """The register's code of the case's citizen (for the audit trail, never shown)."""
    rc, c = s.review_case, s.citizen
    return str(
        conn.execute(
            select(c.c.code).join(rc, rc.c.citizen_id == c.c.id).where(rc.c.id == review_case_id)
        ).scalar_one()
    )
