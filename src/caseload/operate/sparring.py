"""The sparring sheet: one printable page per citizen of a caseworker's caseload, as seed
002's monthly case sparring used it — where are we now, what is the next step, what stands
in the way, the last and next meeting, open requests and days since the last contact, and
the next steps and latest notes written on the case (``operate.notes``).

The facts are read in a handful of queries for the whole caseload (not per citizen) and
rendered with a Jinja template in Danish or English.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import jinja2
from sqlalchemy import Connection, and_, func, or_, select

from caseload.domain import codes
from caseload.domain.dates import whole_years
from caseload.domain.labels import label
from caseload.i18n import Message, template_globals, translator
from caseload.operate.caseflow import FOLLOW_UP_DAYS
from caseload.operate.department import on
from caseload.operate.notes import Note, current_notes
from caseload.operate.refusals import NotFound, shown_id
from caseload.operate.rhythm import due_frame
from caseload.store import schema as s

QUIET_DAYS = 30
"""A citizen without any contact for longer than this is named among the barriers."""
DUE_SOON_DAYS = 14
"""A job meeting due within this many days is flagged on the cover page."""
LATEST_NOTES = 3
"""A citizen's page shows this many of the notes written or edited last."""
NOTE_SHOWN = 600
"""A note longer than this many characters is shortened on the sheet (the case shows it
whole)."""


@dataclass
class Page:
    """What one citizen's page says."""

    code: str
    target_group: str
    district: str | None
    complexity: str | None
    entry: date
    benefit: str | None = None
    benefit_since: date | None = None
    kh_years: int | None = None
    due: date | None = None
    planned: date | None = None
    overdue_days: int = 0
    due_in_days: int | None = None
    """Days from the sheet's day to the due date (negative when overdue)."""
    last_contact: date | None = None
    last_contact_kind: str | None = None
    days_since_contact: int | None = None
    missed_by_citizen: int = 0
    outreach: bool = False
    courses: list[dict[str, Any]] = field(default_factory=list)
    placements: list[dict[str, Any]] = field(default_factory=list)
    plan: dict[str, Any] | None = None
    medical: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    """Other professionals attached (role: staff code)."""
    notes: tuple[Note, ...] = ()
    """The notes and next steps on the case (current versions, written or edited last
    first)."""

    @property
    def next_steps(self) -> list[Note]:
        """The current next steps, the earliest due first (those without a day last)."""
        steps = [n for n in self.notes if n.kind == "next_step"]
        return sorted(steps, key=lambda n: (n.due is None, n.due or date.min))

    @property
    def latest_notes(self) -> list[Note]:
        """The ``LATEST_NOTES`` notes written or edited last (next steps apart)."""
        return [n for n in self.notes if n.kind == "note"][:LATEST_NOTES]

    @property
    def due_soon(self) -> bool:
        """The job meeting falls due within ``DUE_SOON_DAYS`` (and is not overdue yet)."""
        return self.due_in_days is not None and 0 <= self.due_in_days <= DUE_SOON_DAYS

    @property
    def medical_to_follow_up(self) -> int:
        """Medical answers older than the follow-up deadline, not followed up."""
        return sum(1 for m in self.medical if m["flag"])

    @property
    def reports_waiting(self) -> int:
        """Progress reports received and waiting for action."""
        return sum(1 for r in self.reports if r["waiting"])

    @property
    def reports_missing(self) -> int:
        """Progress reports past their due date and not received."""
        return sum(1 for r in self.reports if not r["waiting"] and not r["upcoming"])

    @property
    def passive(self) -> bool:
        """No course or placement running: a passive period."""
        return not self.courses and not self.placements

    @property
    def quiet(self) -> bool:
        """No meeting held since entry, or no contact for more than ``QUIET_DAYS``."""
        return self.days_since_contact is None or self.days_since_contact > QUIET_DAYS

    @property
    def flagged(self) -> bool:
        """Anything on the cover page to talk about first."""
        return bool(
            self.overdue_days
            or self.due_soon
            or self.outreach
            or self.medical_to_follow_up
            or self.reports_waiting
            or self.reports_missing
            or self.passive
            or self.quiet
        )

    @property
    def barriers(self) -> list[Message]:
        """Warnings for the sparring talk, rendered in the reader's language."""
        out: list[Message] = []
        if self.overdue_days == 1:
            out.append(Message("The job meeting is 1 day overdue."))
        elif self.overdue_days > 1:
            out.append(
                Message("The job meeting is {days} days overdue.", {"days": self.overdue_days})
            )
        if self.outreach:
            out.append(
                Message(
                    "{n} meetings missed by the citizen since the last one held: consider "
                    "outreach (home visit, social services).",
                    {"n": self.missed_by_citizen},
                )
            )
        if self.days_since_contact is None:
            out.append(Message("No meeting held since entry."))
        elif self.days_since_contact > QUIET_DAYS:
            out.append(Message("No contact for {days} days.", {"days": self.days_since_contact}))
        if any(m["flag"] for m in self.medical):
            out.append(
                Message(
                    "Medical information answered more than {days} days ago and not followed up.",
                    {"days": FOLLOW_UP_DAYS},
                )
            )
        if any(r["waiting"] for r in self.reports):
            out.append(Message("A progress report has arrived and waits for action."))
        if not self.courses and not self.placements:
            out.append(Message("No course or placement running: a passive period."))
        if self.kh_years is not None and self.kh_years >= codes.LONG_TERM_RECIPIENT_YEARS:
            out.append(Message("On kontanthjælp for {years} years.", {"years": self.kh_years}))
        return out


@dataclass(frozen=True)
class Sheet:
    staff: str
    name: str
    day: date
    pages: list[Page]

    @property
    def flagged(self) -> int:
        """Citizens with anything flagged on the cover page."""
        return sum(1 for p in self.pages if p.flagged)


def sheet(conn: Connection, staff: str, day: date) -> Sheet:
    """Every citizen whose primary contact ``staff`` is on ``day``."""
    p = s.professional
    found = conn.execute(select(p.c.id, p.c.name).where(p.c.code == staff)).first()
    if found is None:
        raise NotFound(Message("no professional {code} in the register", {"code": shown_id(staff)}))
    pid = int(found[0])
    due = due_frame(conn, day, pid).sort("due")
    ids = due.get_column("citizen_id").to_list()
    if not ids:
        return Sheet(staff, str(found[1]), day, [])
    c = s.citizen
    pages: dict[int, Page] = {}
    facts = {
        row.id: row
        for row in conn.execute(
            select(
                c.c.id,
                c.c.code,
                c.c.target_group,
                c.c.district,
                c.c.complexity,
                c.c.kontanthjaelp_since,
            ).where(c.c.id.in_(ids))
        )
    }
    for row in due.iter_rows(named=True):
        f = facts[row["citizen_id"]]
        late = (day - row["due"]).days
        pages[f.id] = Page(
            f.code,
            f.target_group,
            f.district,
            f.complexity,
            row["entry"],
            kh_years=whole_years(f.kontanthjaelp_since, day) if f.kontanthjaelp_since else None,
            due=row["due"],
            planned=row["planned"],
            overdue_days=max(late, 0),
            due_in_days=-late,
            missed_by_citizen=row["missed_by_citizen"],
            outreach=bool(row["outreach"]),
        )
    _benefits(conn, pages, day)
    _contacts(conn, pages, day)
    _efforts(conn, pages, day)
    _requests(conn, pages, day)
    _others(conn, pages, day, pid)
    for cid, written in current_notes(conn, pages).items():
        pages[cid].notes = written
    return Sheet(staff, str(found[1]), day, [pages[i] for i in ids])


def _benefits(conn: Connection, pages: dict[int, Page], day: date) -> None:
    b = s.benefit_spell
    # several spells may be open on the day; the one begun last is the citizen's benefit now
    for cid, benefit, start in conn.execute(
        select(b.c.citizen_id, b.c.benefit, b.c.start_date)
        .where(b.c.citizen_id.in_(pages), on(b, day))
        .order_by(b.c.citizen_id, b.c.start_date, b.c.id)
    ):
        pages[cid].benefit, pages[cid].benefit_since = benefit, start


def _contacts(conn: Connection, pages: dict[int, Page], day: date) -> None:
    m = s.meeting
    last = (
        select(m.c.citizen_id, func.max(m.c.held_date).label("held"))
        .where(m.c.citizen_id.in_(pages), m.c.status == "held", m.c.held_date <= day)
        .group_by(m.c.citizen_id)
        .subquery()
    )
    for cid, held, kind in conn.execute(
        select(last.c.citizen_id, last.c.held, func.min(m.c.kind))
        .join(m, and_(m.c.citizen_id == last.c.citizen_id, m.c.held_date == last.c.held))
        .where(m.c.status == "held")
        .group_by(last.c.citizen_id, last.c.held)
    ):
        page = pages[cid]
        page.last_contact, page.last_contact_kind = held, kind
        page.days_since_contact = (day - held).days


def _efforts(conn: Connection, pages: dict[int, Page], day: date) -> None:
    o, cp = s.supplier_order, s.company_placement
    for cid, supplier, purpose, start, end, every in conn.execute(
        select(
            o.c.citizen_id,
            o.c.supplier,
            o.c.purpose,
            o.c.start_date,
            o.c.end_date,
            o.c.report_every_days,
        ).where(o.c.citizen_id.in_(pages), on(o, day))
    ):
        pages[cid].courses.append(
            {"supplier": supplier, "purpose": purpose, "start": start, "end": end, "every": every}
        )
    for cid, kind, company, start, end, hours, reassess in conn.execute(
        select(
            cp.c.citizen_id,
            cp.c.kind,
            cp.c.company,
            cp.c.start_date,
            cp.c.end_date,
            cp.c.weekly_hours,
            cp.c.reassessment_date,
        ).where(cp.c.citizen_id.in_(pages), on(cp, day))
    ):
        pages[cid].placements.append(
            {
                "kind": kind,
                "company": company,
                "start": start,
                "end": end,
                "hours": hours,
                "reassess": reassess,
            }
        )
    plan, rec = s.preparatory_plan, s.rehabilitation_recommendation
    latest: dict[int, dict[str, Any]] = {}
    for cid, started, completed, meeting, recommendation in conn.execute(
        select(
            plan.c.citizen_id,
            plan.c.started_date,
            plan.c.completed_date,
            rec.c.meeting_date,
            rec.c.recommendation,
        )
        .outerjoin(rec, rec.c.plan_id == plan.c.id)
        .where(plan.c.citizen_id.in_(pages), plan.c.started_date <= day)
        .order_by(plan.c.started_date, rec.c.meeting_date)
    ):
        latest[cid] = {
            "started": started,
            "completed": completed,
            "meeting": meeting if meeting and meeting <= day else None,
            "recommendation": recommendation if meeting and meeting <= day else None,
        }
    for cid, value in latest.items():
        pages[cid].plan = value


def _requests(conn: Connection, pages: dict[int, Page], day: date) -> None:
    mr = s.medical_request
    for cid, kind, sent, reminder, answered in conn.execute(
        select(
            mr.c.citizen_id, mr.c.kind, mr.c.sent_date, mr.c.reminder_date, mr.c.answered_date
        ).where(
            mr.c.citizen_id.in_(pages),
            mr.c.sent_date <= day,
            or_(mr.c.followed_up_date.is_(None), mr.c.followed_up_date > day),
        )
    ):
        answered = answered if answered and answered <= day else None
        pages[cid].medical.append(
            {
                "kind": kind,
                "sent": sent,
                "reminder": reminder,
                "answered": answered,
                "flag": answered is not None and (day - answered).days > FOLLOW_UP_DAYS,
            }
        )
    o, pr = s.supplier_order, s.progress_report
    for cid, supplier, due, received in conn.execute(
        select(o.c.citizen_id, o.c.supplier, pr.c.due_date, pr.c.received_date)
        .join(pr, pr.c.order_id == o.c.id)
        .where(
            o.c.citizen_id.in_(pages),
            pr.c.due_date <= day + timedelta(days=14),
            or_(pr.c.acted_on_date.is_(None), pr.c.acted_on_date > day),
        )
        .order_by(pr.c.due_date)
    ):
        received = received if received and received <= day else None
        pages[cid].reports.append(
            {
                "supplier": supplier,
                "due": due,
                "received": received,
                "waiting": received is not None,
                "upcoming": received is None and due >= day,
            }
        )


def _others(conn: Connection, pages: dict[int, Page], day: date, pid: int) -> None:
    r, p = s.responsibility, s.professional
    attached: dict[int, list[str]] = defaultdict(list)
    for cid, role, code in conn.execute(
        select(r.c.citizen_id, r.c.role, p.c.code)
        .join(p, p.c.id == r.c.professional_id)
        .where(r.c.citizen_id.in_(pages), on(r, day), r.c.professional_id != pid)
        .order_by(r.c.role)
    ):
        attached[cid].append(f"{role}:{code}")
    for cid, names in attached.items():
        pages[cid].others = names


def shortened(body: str) -> str:
    """A note's text as the sheet shows it: whole, or its first ``NOTE_SHOWN`` characters and
    an ellipsis."""
    return body if len(body) <= NOTE_SHOWN else body[:NOTE_SHOWN].rstrip() + " …"


def render(result: Sheet, lang: str) -> str:
    """The sheet as one self-contained HTML document: printed on A4, a cover page (the
    caseworker, the day, their citizens with their flags), then a page per citizen."""
    tr = translator(lang)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("caseload.operate", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["d"] = tr.date
    env.filters["label"] = lambda code: label(code, lang)
    env.filters["shortened"] = shortened
    env.globals.update(template_globals(tr))
    template = env.get_template("sparring.html.j2")
    return template.render(
        sheet=result, lang=lang, soon=DUE_SOON_DAYS, quiet=QUIET_DAYS, follow_up=FOLLOW_UP_DAYS
    )
