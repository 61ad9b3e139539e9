"""One citizen's case as of a day: who holds them and why, meetings (with their
corrections), benefit spells, supplier orders and progress reports, medical requests,
preparatory plans and the rehabilitation team's recommendations, company placements, paid
hours, trial arms, the next job meeting due, the case notes and next steps, and the case
version an edit must carry.

What began by the day is shown (a responsibility, a spell, an order, a request sent …),
with its values as stored; a meeting on or before the day, and every meeting still
planned. Notes are shown as they stand now (each one's current version, with its earlier
ones), whatever the day: they are written today about the case. Codes stay codes here; the
reader's words are the command's or page's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Date, Integer, Row, Select, String, and_, bindparam, func, select
from sqlalchemy.sql.elements import BindParameter

from caseload.domain.rhythm import MeetingRule
from caseload.i18n import Message
from caseload.operate.meetings import contacts, due_on
from caseload.operate.notes import Note, current_notes
from caseload.operate.refusals import NotFound, shown_id
from caseload.operate.rhythm import rule_of, rule_select
from caseload.store import schema as s

__all__ = ["Case", "NotFound", "case", "case_and_rule", "to_json"]


@dataclass(frozen=True)
class Responsibility:
    role: str
    staff: str
    name: str
    start: date
    end: date | None
    reason: str
    override: str | None
    """The reason a rule was set aside, when one was."""
    covers: str | None
    """A cover: the staff code of the colleague covered for."""


@dataclass(frozen=True)
class Correction:
    """A meeting's values before a correction, and why it was corrected."""

    at: datetime
    by: str | None
    reason: str
    kind: str
    status: str
    due: date | None
    scheduled: date | None
    held: date | None
    minutes: int | None
    place: str | None
    staff: str | None
    absence_accepted: bool


@dataclass(frozen=True)
class Meeting:
    code: str
    kind: str
    status: str
    due: date | None
    scheduled: date | None
    held: date | None
    minutes: int | None
    place: str | None
    staff: str | None
    absence_accepted: bool
    corrections: tuple[Correction, ...]


@dataclass(frozen=True)
class Spell:
    benefit: str
    start: date
    end: date | None


@dataclass(frozen=True)
class Report:
    due: date
    received: date | None
    acted_on: date | None


@dataclass(frozen=True)
class Order:
    code: str
    supplier: str
    purpose: str
    staff: str | None
    start: date
    end: date | None
    report_every_days: int | None
    reports: tuple[Report, ...]


@dataclass(frozen=True)
class Request:
    code: str
    kind: str
    questions: int
    staff: str | None
    sent: date
    reminder: date | None
    answered: date | None
    followed_up: date | None


@dataclass(frozen=True)
class Recommendation:
    meeting: date
    recommendation: str


@dataclass(frozen=True)
class Plan:
    code: str
    staff: str | None
    started: date
    completed: date | None
    recommendations: tuple[Recommendation, ...]


@dataclass(frozen=True)
class Placement:
    code: str
    kind: str
    company: str
    staff: str | None
    start: date
    end: date | None
    weekly_hours: float
    reassessment: date | None
    follow_up_every_weeks: int | None


@dataclass(frozen=True)
class Hours:
    month: date
    hours: float


@dataclass(frozen=True)
class Arm:
    trial: str
    name: str
    arm: str
    assigned: date


@dataclass(frozen=True)
class NextJobMeeting:
    """The statutory rhythm on the day (``domain.rhythm`` for one citizen: what
    ``operate.rhythm`` computes for everyone, and ``caseload overdue`` shows)."""

    due: date
    overdue: bool
    last_held: date | None
    planned: date | None
    missed_by_citizen: int
    outreach: bool


@dataclass(frozen=True)
class Case:
    citizen: str
    as_of: date
    version: int
    """The case version: an edit carrying it is refused if someone changed the case since."""
    target_group: str
    complexity: str | None
    district: str | None
    responsibilities: tuple[Responsibility, ...]
    meetings: tuple[Meeting, ...]
    spells: tuple[Spell, ...]
    orders: tuple[Order, ...]
    requests: tuple[Request, ...]
    plans: tuple[Plan, ...]
    placements: tuple[Placement, ...]
    paid_hours: tuple[Hours, ...]
    arms: tuple[Arm, ...]
    next_job_meeting: NextJobMeeting | None
    """None when the citizen is on no caseload on the day."""
    notes: tuple[Note, ...]
    """Notes and next steps, the current version of each (written or edited last first)."""


def case(conn: Connection, citizen: str, as_of: date) -> Case:
    """The case of ``citizen`` (their code) on ``as_of``; ``NotFound`` for an unknown one
    (an id that looks like a CPR number is not repeated)."""
    return case_and_rule(conn, citizen, as_of)[0]


def case_and_rule(conn: Connection, citizen: str, as_of: date) -> tuple[Case, MeetingRule]:
    """``case``, and the citizen's meeting rule (read with it: a page shows both).

    A statement per table family, each built once and run with the citizen and the day as
    parameters: a meeting and its corrections, an order and its reports, a plan and its
    recommendations come joined, each part with its professionals' codes; the rhythm is
    worked out from the responsibilities and meetings read for the case."""
    head = conn.execute(_head(), {"code": citizen}).first()
    if head is None:
        raise NotFound(Message("no citizen {code} in the register", {"code": shown_id(citizen)}))
    cid = int(head.citizen_id)
    at = {"cid": cid, "day": as_of}
    rule = rule_of(head)
    held = conn.execute(_responsibilities_query(), at).all()
    meeting_rows = conn.execute(_meetings_query(), at).all()
    found = Case(
        citizen=citizen,
        as_of=as_of,
        version=int(head.version),
        target_group=head.target_group,
        complexity=head.complexity,
        district=head.district,
        responsibilities=_responsibilities(held, as_of),
        meetings=_meetings(meeting_rows, as_of),
        spells=tuple(Spell(*x) for x in conn.execute(_spells_query(), at)),
        orders=_orders(conn.execute(_orders_query(), at).all()),
        requests=tuple(Request(*x) for x in conn.execute(_requests_query(), at)),
        plans=_plans(conn.execute(_plans_query(), at).all()),
        placements=tuple(_placement(x) for x in conn.execute(_placements_query(), at)),
        paid_hours=tuple(
            Hours(month, float(hours)) for month, hours in conn.execute(_paid_hours_query(), at)
        ),
        arms=tuple(Arm(*x) for x in conn.execute(_arms_query(), at)),
        next_job_meeting=_next_job_meeting(held, meeting_rows, as_of, rule),
        notes=current_notes(conn, [cid]).get(cid, ()),
    )
    return found, rule


def _param() -> tuple[BindParameter[Any], BindParameter[Any]]:
    return bindparam("cid", type_=Integer), bindparam("day", type_=Date)


@cache
def _head() -> Select[Any]:
    c = s.citizen
    return (
        rule_select()
        .add_columns(c.c.version, c.c.target_group, c.c.complexity, c.c.district)
        .where(c.c.code == bindparam("code", type_=String))
    )


@cache
def _responsibilities_query() -> Select[Any]:
    """Every responsibility, begun by the day or not (the rhythm reads them all)."""
    r = s.responsibility
    p, cover = s.professional.alias("holder"), s.professional.alias("covered")
    cid, _ = _param()
    return (
        select(
            r.c.role,
            p.c.code.label("staff"),
            p.c.name,
            r.c.start_date,
            r.c.end_date,
            r.c.reason,
            r.c.override_reason,
            cover.c.code.label("covers"),
        )
        .join(p, p.c.id == r.c.professional_id)
        .outerjoin(cover, cover.c.id == r.c.covers_professional_id)
        .where(r.c.citizen_id == cid)
        .order_by(r.c.start_date, r.c.role, r.c.id)
    )


def _responsibilities(rows: Sequence[Row[Any]], day: date) -> tuple[Responsibility, ...]:
    return tuple(Responsibility(*x) for x in rows if x.start_date <= day)


@cache
def _meetings_query() -> Select[Any]:
    """Every meeting (the rhythm reads them all) with its corrections, a row per correction
    (one without any), in the order shown."""
    m, mc = s.meeting, s.meeting_correction
    p, by = s.professional.alias("staff"), s.professional.alias("corrected_staff")
    when = func.coalesce(m.c.held_date, m.c.scheduled_date, m.c.due_date)
    cid, _ = _param()
    return (
        select(
            m.c.id,
            m.c.code,
            m.c.kind,
            m.c.status,
            m.c.due_date,
            m.c.scheduled_date,
            m.c.held_date,
            m.c.duration_minutes,
            m.c.place,
            p.c.code.label("staff"),
            m.c.absence_accepted,
            when.label("when"),
            mc.c.id.label("correction_id"),
            mc.c.corrected_at,
            mc.c.corrected_by,
            mc.c.reason.label("correction_reason"),
            mc.c.kind.label("correction_kind"),
            mc.c.status.label("correction_status"),
            mc.c.due_date.label("correction_due"),
            mc.c.scheduled_date.label("correction_scheduled"),
            mc.c.held_date.label("correction_held"),
            mc.c.duration_minutes.label("correction_minutes"),
            mc.c.place.label("correction_place"),
            by.c.code.label("correction_staff"),
            mc.c.absence_accepted.label("correction_absence_accepted"),
        )
        .outerjoin(p, p.c.id == m.c.professional_id)
        .outerjoin(mc, mc.c.meeting_id == m.c.id)
        .outerjoin(by, by.c.id == mc.c.professional_id)
        .where(m.c.citizen_id == cid)
        .order_by(when, m.c.code, mc.c.corrected_at, mc.c.id)
    )


def _meetings(rows: Sequence[Row[Any]], day: date) -> tuple[Meeting, ...]:
    """The meetings on or before the day, and every one still planned."""
    shown: dict[int, tuple[Row[Any], list[Correction]]] = {}
    for x in rows:
        if not ((x.when is not None and x.when <= day) or x.status == "planned"):
            continue
        corrections = shown.setdefault(int(x.id), (x, []))[1]
        if x.correction_id is not None:
            corrections.append(
                Correction(
                    x.corrected_at,
                    x.corrected_by,
                    x.correction_reason,
                    x.correction_kind,
                    x.correction_status,
                    x.correction_due,
                    x.correction_scheduled,
                    x.correction_held,
                    x.correction_minutes,
                    x.correction_place,
                    x.correction_staff,
                    bool(x.correction_absence_accepted),
                )
            )
    return tuple(
        Meeting(
            x.code,
            x.kind,
            x.status,
            x.due_date,
            x.scheduled_date,
            x.held_date,
            x.duration_minutes,
            x.place,
            x.staff,
            bool(x.absence_accepted),
            tuple(corrections),
        )
        for x, corrections in shown.values()
    )


@cache
def _spells_query() -> Select[Any]:
    b = s.benefit_spell
    cid, day = _param()
    return (
        select(b.c.benefit, b.c.start_date, b.c.end_date)
        .where(b.c.citizen_id == cid, b.c.start_date <= day)
        .order_by(b.c.start_date, b.c.id)
    )


@cache
def _orders_query() -> Select[Any]:
    """The orders begun by the day with their reports due by then, a row per report."""
    o, pr, p = s.supplier_order, s.progress_report, s.professional
    cid, day = _param()
    return (
        select(
            o.c.id,
            o.c.code,
            o.c.supplier,
            o.c.purpose,
            p.c.code.label("staff"),
            o.c.start_date,
            o.c.end_date,
            o.c.report_every_days,
            pr.c.id.label("report_id"),
            pr.c.due_date,
            pr.c.received_date,
            pr.c.acted_on_date,
        )
        .outerjoin(p, p.c.id == o.c.professional_id)
        .outerjoin(pr, and_(pr.c.order_id == o.c.id, pr.c.due_date <= day))
        .where(o.c.citizen_id == cid, o.c.start_date <= day)
        .order_by(o.c.start_date, o.c.id, pr.c.due_date)
    )


def _orders(rows: Sequence[Row[Any]]) -> tuple[Order, ...]:
    found: dict[int, tuple[Row[Any], list[Report]]] = {}
    for x in rows:
        reports = found.setdefault(int(x.id), (x, []))[1]
        if x.report_id is not None:
            reports.append(Report(x.due_date, x.received_date, x.acted_on_date))
    return tuple(
        Order(
            x.code,
            x.supplier,
            x.purpose,
            x.staff,
            x.start_date,
            x.end_date,
            x.report_every_days,
            tuple(reports),
        )
        for x, reports in found.values()
    )


@cache
def _requests_query() -> Select[Any]:
    q, p = s.medical_request, s.professional
    cid, day = _param()
    return (
        select(
            q.c.code,
            q.c.kind,
            q.c.questions,
            p.c.code.label("staff"),
            q.c.sent_date,
            q.c.reminder_date,
            q.c.answered_date,
            q.c.followed_up_date,
        )
        .outerjoin(p, p.c.id == q.c.professional_id)
        .where(q.c.citizen_id == cid, q.c.sent_date <= day)
        .order_by(q.c.sent_date, q.c.id)
    )


@cache
def _plans_query() -> Select[Any]:
    """The plans begun by the day with the team's recommendations by then, a row each."""
    pp, rr, p = s.preparatory_plan, s.rehabilitation_recommendation, s.professional
    cid, day = _param()
    return (
        select(
            pp.c.id,
            pp.c.code,
            p.c.code.label("staff"),
            pp.c.started_date,
            pp.c.completed_date,
            rr.c.id.label("recommendation_id"),
            rr.c.meeting_date,
            rr.c.recommendation,
        )
        .outerjoin(p, p.c.id == pp.c.professional_id)
        .outerjoin(rr, and_(rr.c.plan_id == pp.c.id, rr.c.meeting_date <= day))
        .where(pp.c.citizen_id == cid, pp.c.started_date <= day)
        .order_by(pp.c.started_date, pp.c.id, rr.c.meeting_date)
    )


def _plans(rows: Sequence[Row[Any]]) -> tuple[Plan, ...]:
    found: dict[int, tuple[Row[Any], list[Recommendation]]] = {}
    for x in rows:
        recommendations = found.setdefault(int(x.id), (x, []))[1]
        if x.recommendation_id is not None:
            recommendations.append(Recommendation(x.meeting_date, x.recommendation))
    return tuple(
        Plan(x.code, x.staff, x.started_date, x.completed_date, tuple(recommendations))
        for x, recommendations in found.values()
    )


@cache
def _placements_query() -> Select[Any]:
    cp, p = s.company_placement, s.professional
    cid, day = _param()
    return (
        select(
            cp.c.code,
            cp.c.kind,
            cp.c.company,
            p.c.code.label("staff"),
            cp.c.start_date,
            cp.c.end_date,
            cp.c.weekly_hours,
            cp.c.reassessment_date,
            cp.c.follow_up_every_weeks,
        )
        .outerjoin(p, p.c.id == cp.c.professional_id)
        .where(cp.c.citizen_id == cid, cp.c.start_date <= day)
        .order_by(cp.c.start_date, cp.c.id)
    )


def _placement(x: Row[Any]) -> Placement:
    return Placement(
        x.code,
        x.kind,
        x.company,
        x.staff,
        x.start_date,
        x.end_date,
        float(x.weekly_hours),
        x.reassessment_date,
        x.follow_up_every_weeks,
    )


@cache
def _paid_hours_query() -> Select[Any]:
    h = s.paid_hours
    cid, day = _param()
    return (
        select(h.c.month, h.c.hours)
        .where(h.c.citizen_id == cid, h.c.month <= day)
        .order_by(h.c.month)
    )


@cache
def _arms_query() -> Select[Any]:
    a, t = s.trial_assignment, s.trial
    cid, day = _param()
    return (
        select(t.c.code, t.c.name, a.c.arm, a.c.assigned_date)
        .join(t, t.c.id == a.c.trial_id)
        .where(a.c.citizen_id == cid, a.c.assigned_date <= day)
        .order_by(a.c.assigned_date, t.c.code)
    )


def _next_job_meeting(
    held: Sequence[Row[Any]], meetings: Sequence[Row[Any]], day: date, rule: MeetingRule
) -> NextJobMeeting | None:
    """The rhythm on the day (``meetings.rhythm_on``'s, from the rows read for the case)."""
    jobs = {int(x.id): x for x in meetings if x.kind == "job_meeting"}.values()
    history = contacts(
        (x.status, x.held_date, x.scheduled_date, x.due_date, x.absence_accepted)
        for x in jobs
        if x.status != "planned"
    )
    due = due_on([(x.start_date, x.end_date, x.reason) for x in held], history, day, rule)
    if due is None:
        return None
    planned = min(
        (
            x.scheduled_date
            for x in jobs
            if x.status == "planned" and x.scheduled_date is not None and x.scheduled_date >= day
        ),
        default=None,
    )
    return NextJobMeeting(
        due.due, due.overdue(day), due.last_held, planned, due.missed_by_citizen, due.outreach
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_json(found: Case) -> dict[str, Any]:
    """The case as plain JSON values: ISO dates, codes as codes."""
    plain: dict[str, Any] = _plain(asdict(found))
    return plain
