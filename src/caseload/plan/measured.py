"""The measured alternative: minutes per citizen-month from the register's own work.

Over a period, per position (the roles each professional held in it) or per department:

- citizen-months: the days each professional held each citizen (a citizen held in two roles,
  or twice, counts once a day), / (365.25 / 12);
- the work the register records, counted in SQL per professional: meetings held (with their
  recorded minutes where the meeting has a duration), meetings the citizen missed, supplier
  orders started, progress reports received, medical information requests sent,
  preparatory plans started, the rehabilitation team's recommendations, company placements
  started;
- minutes: a held meeting's recorded duration, plus the model's preparation and
  documentation, plus the model's travel when held outside the job centre (home,
  supplier, residence, hospital, workplace); a meeting without a duration, and every other
  count, the model's minutes for one occurrence of the task ``counted_as`` it (the register
  keeps no minutes for them: said in the result, not hidden);
- the sustainable caseload this implies: the model's hours for casework a month / (the
  register's minutes per citizen-month), and / (those plus the model's minutes for the
  tasks the register does not count: coordination, phone, sparring per citizen …).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, and_, func, or_, select

from caseload.domain import codes
from caseload.i18n import Message
from caseload.plan.spells import islands, spans
from caseload.plan.workload import (
    DAYS_PER_MONTH,
    Position,
    Workload,
    case_hours,
    refused,
    task_lines,
)
from caseload.store import schema as s

AT_THE_DESK: tuple[str, ...] = ("job_centre", "phone", "video")
"""Meeting places without travel; every other place (and none recorded: the job centre)."""

MEETING_COUNTS = {
    "job_meeting": "job_meeting",
    "follow_up": "follow_up",
    "three_party": "three_party",
    "rehabilitation_team": "rehabilitation_team",
    "company_visit": "company_visit",
    "phone_contact": "phone_contact",
    "other": "other_meeting",
}
"""A meeting kind → what a task is ``counted_as``."""


@dataclass(frozen=True)
class Count:
    """One kind of recorded work in a group over the period."""

    counted_as: str
    n: int
    minutes: float
    """Minutes it took: recorded durations and the model's minutes (see the module)."""
    recorded_minutes: float
    """Of which durations recorded on meetings."""
    without_minutes: int
    """Occurrences with neither a recorded duration nor a task of the model for it (no
    minutes counted)."""


@dataclass(frozen=True)
class Group:
    group: str
    professionals: int
    citizen_months: float
    counts: tuple[Count, ...]
    unmeasured_minutes: float
    """The model's minutes per citizen-month for what the register does not count."""
    case_hours_per_month: float

    @property
    def register_minutes(self) -> float:
        return sum(c.minutes for c in self.counts)

    @property
    def minutes_per_citizen_month(self) -> float | None:
        if self.citizen_months <= 0:
            return None
        return self.register_minutes / self.citizen_months

    @property
    def caseload_register_only(self) -> float | None:
        m = self.minutes_per_citizen_month
        return None if not m else self.case_hours_per_month * 60 / m

    @property
    def caseload(self) -> float | None:
        """With the model's minutes for the tasks the register does not count."""
        m = self.minutes_per_citizen_month
        if m is None or m + self.unmeasured_minutes <= 0:
            return None
        return self.case_hours_per_month * 60 / (m + self.unmeasured_minutes)


@dataclass(frozen=True)
class Measured:
    first: date
    last: date
    scenario: str
    by: str
    department: str | None
    groups: tuple[Group, ...]
    meetings_without_duration: int
    """Held meetings with no recorded duration: the model's minutes stood in for them."""
    unattributed: int
    """Recorded work with no professional on it: left out."""
    title: str = ""
    """The workload model's title (a msgid for the shipped scenarios)."""


def department_id(conn: Connection, code: str | None) -> int | None:
    """The id of the department ``code``, or a refusal naming it (None: every department)."""
    if code is None:
        return None
    found = conn.execute(select(s.department.c.id).where(s.department.c.code == code)).scalar()
    if found is None:
        raise refused("--department", code, Message("no such department in the register", {}))
    return int(found)


def _unit(
    model: Workload, roles: tuple[str, ...], counted_as: str, away: bool | None
) -> tuple[float, float, float] | None:
    """The model's minutes of one occurrence counted as ``counted_as`` by a professional in
    ``roles``: (minutes in all, preparation and documentation, travel when away) — the mean
    over its tasks and tiers weighted by their frequency; None when no task of the roles is
    counted so."""
    position = Position(roles, "all_apart", 0.0)
    travel = model.travel(position)
    tasks = [t for t in model.tasks if t.role in roles and t.counted_as == counted_as]
    weights = []
    for task in tasks:
        for tier in codes.COMPLEXITY_TIERS:
            w = model.complexity.of(tier) * task.per_month.of(tier) * task.share
            base = task.minutes.of(tier) + task.preparation_minutes + task.documentation_minutes
            around = task.preparation_minutes + task.documentation_minutes
            trip = travel if away else (0.0 if away is False else task.away_share * travel)
            weights.append((w, base + trip, around, travel))
    total = sum(w for w, *_ in weights)
    if not weights or total == 0:
        if not tasks:
            return None
        task = tasks[0]
        return (task.minutes.simple, task.preparation_minutes + task.documentation_minutes, travel)
    return (
        sum(w * m for w, m, _, _ in weights) / total,
        sum(w * a for w, _, a, _ in weights) / total,
        travel,
    )


def _unmeasured(model: Workload, roles: tuple[str, ...]) -> float:
    """The model's minutes per citizen-month for tasks the register does not count, and
    coordination, for a professional in ``roles`` (the model's position of those roles, or
    an all-apart one)."""
    name = "+".join(r for r in codes.ROLES if r in roles)
    known = {p.name: p for p in model.positions}
    position = known.get(name, Position(roles, "all_apart"))
    lines = task_lines(model, position)
    return (
        sum(line.minutes for line in lines if line.counted and line.counted_as is None)
        + model.coordination_minutes * position.others
    )


def measured_minutes(
    conn: Connection,
    first: date,
    last: date,
    model: Workload,
    department: str | None = None,
    by: str = "position",
) -> Measured:
    """Minutes per citizen-month from the register over ``first`` … ``last`` (inclusive),
    per ``by`` ("position" or "department"), and the caseload each implies under ``model``'s
    hours."""
    dept = department_id(conn, department)
    p, d = s.professional, s.department
    period = (first, last)

    # the professionals, their department and the roles they held in the period
    roles: dict[int, set[str]] = defaultdict(set)
    pr = s.professional_role
    for pid, role in conn.execute(
        select(pr.c.professional_id, pr.c.role).where(
            pr.c.start_date <= last, or_(pr.c.end_date.is_(None), pr.c.end_date >= first)
        )
    ):
        roles[int(pid)].add(str(role))
    departments = {
        int(pid): str(code)
        for pid, code in conn.execute(select(p.c.id, d.c.code).join(d, d.c.id == p.c.department_id))
    }

    # citizen-days per professional: each citizen's responsibilities with them merged
    spells = islands(spans(conn, s.responsibility.c.professional_id, first, last, dept))
    days = {
        int(pid): int(n)
        for pid, n in conn.execute(
            select(spells.c.k, func.sum(spells.c.e - spells.c.s + 1)).group_by(spells.c.k)
        )
    }

    per: dict[int, dict[str, list[float]]] = defaultdict(dict)
    """professional → counted_as → [n, recorded minutes, n away, n without duration]."""
    unattributed = 0

    def add(pid: int | None, key: str, n: int, recorded: float, away: int, bare: int) -> None:
        nonlocal unattributed
        if pid is None:
            unattributed += n
            return
        row = per[pid].setdefault(key, [0.0, 0.0, 0.0, 0.0])
        row[0] += n
        row[1] += recorded
        row[2] += away
        row[3] += bare

    m = s.meeting
    # with a department, work naming no professional cannot be placed in it: left out
    in_dept = [] if dept is None else [p.c.department_id == dept]
    away_place = and_(m.c.place.is_not(None), m.c.place.not_in(AT_THE_DESK))
    held = (
        select(
            m.c.professional_id,
            m.c.kind,
            away_place.label("away"),
            m.c.duration_minutes.is_(None).label("bare"),
            func.count(),
            func.coalesce(func.sum(m.c.duration_minutes), 0),
        )
        .outerjoin(p, p.c.id == m.c.professional_id)
        .where(m.c.status == "held", m.c.held_date.between(*period), *in_dept)
        .group_by(m.c.professional_id, m.c.kind, away_place, m.c.duration_minutes.is_(None))
    )
    held_rows = list(conn.execute(held))
    for pid, kind, away, bare, n, recorded in held_rows:
        where, timed = "away" if away else "desk", "bare" if bare else "timed"
        add(
            None if pid is None else int(pid),
            f"meeting:{MEETING_COUNTS[kind]}:{where}:{timed}",
            int(n),
            float(recorded),
            int(n) if away else 0,
            int(n) if bare else 0,
        )
    missed_day = func.coalesce(m.c.scheduled_date, m.c.due_date)
    for pid, n in conn.execute(
        select(m.c.professional_id, func.count())
        .outerjoin(p, p.c.id == m.c.professional_id)
        .where(m.c.status.in_(codes.CITIZEN_MISSED), missed_day.between(*period), *in_dept)
        .group_by(m.c.professional_id)
    ):
        add(None if pid is None else int(pid), "missed_meeting", int(n), 0.0, 0, 0)

    o, pr_, mr, pp, rr, cp = (
        s.supplier_order,
        s.progress_report,
        s.medical_request,
        s.preparatory_plan,
        s.rehabilitation_recommendation,
        s.company_placement,
    )
    simple = (
        ("supplier_order", o, o.c.start_date, None),
        ("progress_report", pr_, pr_.c.received_date, (o, pr_.c.order_id == o.c.id)),
        ("medical_request", mr, mr.c.sent_date, None),
        ("preparatory_plan", pp, pp.c.started_date, None),
        ("rehabilitation_recommendation", rr, rr.c.meeting_date, (pp, rr.c.plan_id == pp.c.id)),
        ("company_placement", cp, cp.c.start_date, None),
    )
    for key, table, day, via in simple:
        owner = via[0].c.professional_id if via else table.c.professional_id
        query = select(owner, func.count()).select_from(table)
        if via:
            query = query.join(via[0], via[1])
        query = query.outerjoin(p, p.c.id == owner).where(day.between(*period))
        if dept is not None:
            query = query.where(p.c.department_id == dept)
        for pid, n in conn.execute(query.group_by(owner)):
            add(None if pid is None else int(pid), key, int(n), 0.0, 0, 0)

    # the groups: professionals who held citizens or did recorded work in the period
    hours, _ = case_hours(model)
    members: dict[str, list[int]] = defaultdict(list)
    for pid in sorted(set(days) | set(per)):
        held_roles = tuple(r for r in codes.ROLES if r in roles.get(pid, set()))
        key = departments.get(pid, "?") if by == "department" else "+".join(held_roles) or "?"
        members[key].append(pid)

    bare_meetings = sum(int(n) for _, _, _, bare, n, _ in held_rows if bare)
    groups = [
        _group(model, key, pids, days, per, roles, hours) for key, pids in sorted(members.items())
    ]
    return Measured(
        first,
        last,
        model.name,
        by,
        department,
        tuple(groups),
        bare_meetings,
        unattributed,
        model.title,
    )


def _group(
    model: Workload,
    key: str,
    pids: Iterable[int],
    days: dict[int, int],
    per: dict[int, dict[str, list[float]]],
    roles: dict[int, set[str]],
    hours: float,
) -> Group:
    counts: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    """counted_as → [n, minutes, recorded minutes, without minutes]."""
    citizen_days = 0
    unmeasured = 0.0
    pids = list(pids)
    for pid in pids:
        held_roles = tuple(r for r in codes.ROLES if r in roles.get(pid, set()))
        own_days = days.get(pid, 0)
        citizen_days += own_days
        unmeasured += _unmeasured(model, held_roles) * own_days if held_roles else 0.0
        for name, (n, recorded, _away, bare) in per.get(pid, {}).items():
            if name.startswith("meeting:"):
                _, counted_as, where, timed = name.split(":")
                unit = _unit(model, held_roles, counted_as, where == "away")
                row = counts[counted_as]
                row[0] += n
                row[2] += recorded
                if timed == "timed":
                    extra = 0.0 if unit is None else unit[1] + (unit[2] if where == "away" else 0)
                    row[1] += recorded + n * extra
                elif unit is None:
                    row[3] += bare
                else:
                    row[1] += n * unit[0]
            else:
                unit = _unit(model, held_roles, name, None)
                row = counts[name]
                row[0] += n
                if unit is None:
                    row[3] += n
                else:
                    row[1] += n * unit[0]
    return Group(
        group=key,
        professionals=len(pids),
        citizen_months=citizen_days / DAYS_PER_MONTH,
        counts=tuple(
            Count(name, int(n), minutes, recorded, int(bare))
            for name, (n, minutes, recorded, bare) in sorted(counts.items())
        ),
        unmeasured_minutes=unmeasured / citizen_days if citizen_days else 0.0,
        case_hours_per_month=hours,
    )
