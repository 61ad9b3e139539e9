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

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select, union_all

from caseload.i18n import Message
from caseload.operate.meetings import rhythm_on
from caseload.operate.notes import Note, current_notes
from caseload.operate.refusals import NotFound, shown_id
from caseload.store import schema as s

__all__ = ["Case", "NotFound", "case", "to_json"]


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
    c = s.citizen
    row = conn.execute(
        select(c.c.id, c.c.version, c.c.target_group, c.c.complexity, c.c.district).where(
            c.c.code == citizen
        )
    ).first()
    if row is None:
        raise NotFound(Message("no citizen {code} in the register", {"code": shown_id(citizen)}))
    cid = int(row.id)
    staff = _staff_codes(conn, cid)
    return Case(
        citizen=citizen,
        as_of=as_of,
        version=int(row.version),
        target_group=row.target_group,
        complexity=row.complexity,
        district=row.district,
        responsibilities=_responsibilities(conn, cid, as_of, staff),
        meetings=_meetings(conn, cid, as_of, staff),
        spells=_spells(conn, cid, as_of),
        orders=_orders(conn, cid, as_of, staff),
        requests=_requests(conn, cid, as_of, staff),
        plans=_plans(conn, cid, as_of, staff),
        placements=_placements(conn, cid, as_of, staff),
        paid_hours=_paid_hours(conn, cid, as_of),
        arms=_arms(conn, cid, as_of),
        next_job_meeting=_next_job_meeting(conn, cid, as_of),
        notes=current_notes(conn, [cid]).get(cid, ()),
    )


def _staff_codes(conn: Connection, cid: int) -> dict[int, tuple[str, str]]:
    """Id → (staff code, name) of every professional the case names."""
    p = s.professional
    named = []
    for table, column in (
        (s.responsibility, "professional_id"),
        (s.responsibility, "covers_professional_id"),
        (s.meeting, "professional_id"),
        (s.supplier_order, "professional_id"),
        (s.medical_request, "professional_id"),
        (s.preparatory_plan, "professional_id"),
        (s.company_placement, "professional_id"),
    ):
        named.append(select(table.c[column].label("pid")).where(table.c.citizen_id == cid))
    mc, m = s.meeting_correction, s.meeting
    named.append(
        select(mc.c.professional_id.label("pid"))
        .join(m, m.c.id == mc.c.meeting_id)
        .where(m.c.citizen_id == cid)
    )
    # one statement: a round trip per table cost more than the tables' few rows
    rows = conn.execute(
        select(p.c.id, p.c.code, p.c.name).where(p.c.id.in_(union_all(*named)))
    ).all()
    return {int(i): (str(code), str(name)) for i, code, name in rows}


def _code(staff: dict[int, tuple[str, str]], pid: int | None) -> str | None:
    return None if pid is None else staff[pid][0]


def _responsibilities(
    conn: Connection, cid: int, day: date, staff: dict[int, tuple[str, str]]
) -> tuple[Responsibility, ...]:
    r = s.responsibility
    rows = conn.execute(
        select(r)
        .where(r.c.citizen_id == cid, r.c.start_date <= day)
        .order_by(r.c.start_date, r.c.role, r.c.id)
    ).all()
    return tuple(
        Responsibility(
            x.role,
            staff[x.professional_id][0],
            staff[x.professional_id][1],
            x.start_date,
            x.end_date,
            x.reason,
            x.override_reason,
            _code(staff, x.covers_professional_id),
        )
        for x in rows
    )


def _meetings(
    conn: Connection, cid: int, day: date, staff: dict[int, tuple[str, str]]
) -> tuple[Meeting, ...]:
    m, mc = s.meeting, s.meeting_correction
    when = func.coalesce(m.c.held_date, m.c.scheduled_date, m.c.due_date)
    rows = conn.execute(
        select(m)
        .where(m.c.citizen_id == cid, or_(when <= day, m.c.status == "planned"))
        .order_by(when, m.c.code)
    ).all()
    ids = [x.id for x in rows]
    corrections: dict[int, list[Correction]] = {}
    if ids:
        for x in conn.execute(
            select(mc).where(mc.c.meeting_id.in_(ids)).order_by(mc.c.corrected_at, mc.c.id)
        ):
            corrections.setdefault(x.meeting_id, []).append(
                Correction(
                    x.corrected_at,
                    x.corrected_by,
                    x.reason,
                    x.kind,
                    x.status,
                    x.due_date,
                    x.scheduled_date,
                    x.held_date,
                    x.duration_minutes,
                    x.place,
                    _code(staff, x.professional_id),
                    bool(x.absence_accepted),
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
            _code(staff, x.professional_id),
            bool(x.absence_accepted),
            tuple(corrections.get(x.id, ())),
        )
        for x in rows
    )


def _spells(conn: Connection, cid: int, day: date) -> tuple[Spell, ...]:
    b = s.benefit_spell
    rows = conn.execute(
        select(b.c.benefit, b.c.start_date, b.c.end_date)
        .where(b.c.citizen_id == cid, b.c.start_date <= day)
        .order_by(b.c.start_date)
    ).all()
    return tuple(Spell(*x) for x in rows)


def _orders(
    conn: Connection, cid: int, day: date, staff: dict[int, tuple[str, str]]
) -> tuple[Order, ...]:
    o, pr = s.supplier_order, s.progress_report
    rows = conn.execute(
        select(o).where(o.c.citizen_id == cid, o.c.start_date <= day).order_by(o.c.start_date)
    ).all()
    reports: dict[int, list[Report]] = {}
    if rows:
        for x in conn.execute(
            select(pr)
            .where(pr.c.order_id.in_([x.id for x in rows]), pr.c.due_date <= day)
            .order_by(pr.c.due_date)
        ):
            reports.setdefault(x.order_id, []).append(
                Report(x.due_date, x.received_date, x.acted_on_date)
            )
    return tuple(
        Order(
            x.code,
            x.supplier,
            x.purpose,
            _code(staff, x.professional_id),
            x.start_date,
            x.end_date,
            x.report_every_days,
            tuple(reports.get(x.id, ())),
        )
        for x in rows
    )


def _requests(
    conn: Connection, cid: int, day: date, staff: dict[int, tuple[str, str]]
) -> tuple[Request, ...]:
    q = s.medical_request
    rows = conn.execute(
        select(q).where(q.c.citizen_id == cid, q.c.sent_date <= day).order_by(q.c.sent_date)
    ).all()
    return tuple(
        Request(
            x.code,
            x.kind,
            x.questions,
            _code(staff, x.professional_id),
            x.sent_date,
            x.reminder_date,
            x.answered_date,
            x.followed_up_date,
        )
        for x in rows
    )


def _plans(
    conn: Connection, cid: int, day: date, staff: dict[int, tuple[str, str]]
) -> tuple[Plan, ...]:
    p, rr = s.preparatory_plan, s.rehabilitation_recommendation
    rows = conn.execute(
        select(p).where(p.c.citizen_id == cid, p.c.started_date <= day).order_by(p.c.started_date)
    ).all()
    recommendations: dict[int, list[Recommendation]] = {}
    if rows:
        for x in conn.execute(
            select(rr)
            .where(rr.c.plan_id.in_([x.id for x in rows]), rr.c.meeting_date <= day)
            .order_by(rr.c.meeting_date)
        ):
            recommendations.setdefault(x.plan_id, []).append(
                Recommendation(x.meeting_date, x.recommendation)
            )
    return tuple(
        Plan(
            x.code,
            _code(staff, x.professional_id),
            x.started_date,
            x.completed_date,
            tuple(recommendations.get(x.id, ())),
        )
        for x in rows
    )


def _placements(
    conn: Connection, cid: int, day: date, staff: dict[int, tuple[str, str]]
) -> tuple[Placement, ...]:
    cp = s.company_placement
    rows = conn.execute(
        select(cp).where(cp.c.citizen_id == cid, cp.c.start_date <= day).order_by(cp.c.start_date)
    ).all()
    return tuple(
        Placement(
            x.code,
            x.kind,
            x.company,
            _code(staff, x.professional_id),
            x.start_date,
            x.end_date,
            float(x.weekly_hours),
            x.reassessment_date,
            x.follow_up_every_weeks,
        )
        for x in rows
    )


def _paid_hours(conn: Connection, cid: int, day: date) -> tuple[Hours, ...]:
    h = s.paid_hours
    rows = conn.execute(
        select(h.c.month, h.c.hours)
        .where(h.c.citizen_id == cid, h.c.month <= day)
        .order_by(h.c.month)
    ).all()
    return tuple(Hours(month, float(hours)) for month, hours in rows)


def _arms(conn: Connection, cid: int, day: date) -> tuple[Arm, ...]:
    a, t = s.trial_assignment, s.trial
    rows = conn.execute(
        select(t.c.code, t.c.name, a.c.arm, a.c.assigned_date)
        .join(t, t.c.id == a.c.trial_id)
        .where(a.c.citizen_id == cid, a.c.assigned_date <= day)
        .order_by(a.c.assigned_date, t.c.code)
    ).all()
    return tuple(Arm(*x) for x in rows)


def _next_job_meeting(conn: Connection, cid: int, day: date) -> NextJobMeeting | None:
    found = rhythm_on(conn, cid, day)
    if found is None:
        return None
    due, planned = found
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
