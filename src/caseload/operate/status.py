"""The register on a day: caseloads against caps, over-cap professionals, continuity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, Table, and_, case, func, literal, or_, select
from sqlalchemy.sql import Subquery
from sqlalchemy.sql.elements import ColumnElement

from caseload.domain import codes
from caseload.domain.caps import applicable_cap
from caseload.domain.load import TOLERANCE
from caseload.register.rules_in_force import all_caps, caseload_rules, rule_of
from caseload.store import schema as s
from caseload.store.sql import day_number


@dataclass(frozen=True)
class Caseload:
    staff_id: str
    name: str
    department: str
    is_trial: bool
    role: str
    fte: float
    citizens: int
    cap: int | None
    load: float | None = None
    """Weighted load under the department's caseload rule (the citizens when there is none)."""
    capacity: float | None = None
    """The effective cap: pro rata to FTE and lower for new staff, as the rule says."""

    @property
    def over_cap(self) -> bool:
        if self.capacity is None:
            return self.cap is not None and self.citizens > self.cap
        load = self.citizens if self.load is None else self.load
        return load > self.capacity + TOLERANCE


def load_points(report: Status) -> dict[tuple[str, bool, str], list[tuple[float, float | None]]]:
    """Per (department, is trial, role), each professional's weighted load and effective
    cap: what the caseload-distribution figure draws."""
    out: dict[tuple[str, bool, str], list[tuple[float, float | None]]] = {}
    for c in report.caseloads:
        load = float(c.citizens) if c.load is None else c.load
        cap = c.capacity if c.capacity is not None else (None if c.cap is None else float(c.cap))
        out.setdefault((c.department, c.is_trial, c.role), []).append((load, cap))
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class Continuity:
    """Caseworker changes per citizen-year in the year up to the status day."""

    department: str
    changes: int
    citizen_years: float
    by_reason: tuple[tuple[str, int], ...] = ()
    """Changes per reason (reallocation, staff_exit, cover …), most first."""

    @property
    def per_citizen_year(self) -> float:
        return self.changes / self.citizen_years if self.citizen_years else 0.0


@dataclass(frozen=True)
class Status:
    as_of: date
    caseloads: list[Caseload]
    continuity: list[Continuity]

    @property
    def over_cap(self) -> list[Caseload]:
        return [c for c in self.caseloads if c.over_cap]


def _on(table: Table, day: date) -> ColumnElement[bool]:
    return and_(table.c.start_date <= day, or_(table.c.end_date.is_(None), table.c.end_date >= day))


def caseloads(conn: Connection, day: date) -> list[Caseload]:
    """Every professional employed on ``day``, in each role held, with the citizens held."""
    r, p, d = s.responsibility, s.professional, s.department
    # roles held on the day, once each even if two recorded periods overlap
    pr = (
        select(s.professional_role.c.professional_id, s.professional_role.c.role)
        .where(_on(s.professional_role, day))
        .distinct()
        .subquery()
    )
    c = s.citizen
    tiers = [
        func.sum(case((c.c.complexity == tier, 1), else_=0)).label(tier)
        for tier in codes.COMPLEXITY_TIERS
    ]
    held = (
        select(r.c.professional_id, r.c.role, func.count().label("citizens"), *tiers)
        .join(c, c.c.id == r.c.citizen_id)
        .where(_on(r, day))
        .group_by(r.c.professional_id, r.c.role)
        .subquery()
    )
    query = (
        select(
            p.c.code,
            p.c.name,
            d.c.code,
            d.c.is_trial,
            pr.c.role,
            p.c.fte,
            func.coalesce(held.c.citizens, 0),
            p.c.start_date,
            d.c.id,
            *(func.coalesce(held.c[tier], 0) for tier in codes.COMPLEXITY_TIERS),
        )
        .join(pr, pr.c.professional_id == p.c.id)
        .join(d, d.c.id == p.c.department_id)
        .outerjoin(held, and_(held.c.professional_id == p.c.id, held.c.role == pr.c.role))
        .where(_on(p, day))
        .order_by(d.c.code, pr.c.role, p.c.code)
    )
    caps = all_caps(conn)
    rules = caseload_rules(conn)
    out = []
    for (
        code,
        name,
        dept,
        is_trial,
        role,
        fte,
        citizens,
        started,
        dept_id,
        *per_tier,
    ) in conn.execute(query):
        cap = applicable_cap(caps, role, dept, code, day)
        rule = rule_of(rules, dept_id)
        assessed = dict(zip(codes.COMPLEXITY_TIERS, map(int, per_tier), strict=True))
        load = (citizens - sum(assessed.values())) + sum(
            rule.weight(tier) * n for tier, n in assessed.items()
        )
        out.append(
            Caseload(
                code,
                name,
                dept,
                bool(is_trial),
                role,
                float(fte),
                int(citizens),
                cap.cap if cap else None,
                float(load),
                rule.effective_cap(cap.cap, float(fte), started, day) if cap else None,
            )
        )
    return out


NOT_A_CHANGE = ("intake", "cover")
"""An intake starts a stretch; a cover runs beside the absent colleague, who keeps the
citizen: neither is a caseworker change."""


def continuity(conn: Connection, day: date) -> list[Continuity]:
    """Caseworker changes per citizen-year, by the department of the new professional.

    Changes are responsibilities in any role that started in the year up to ``day`` for a
    reason that is a change (not an intake, not a cover). Citizen-years are, per
    department, the days of that year on which a citizen had at least one responsibility
    with one of its professionals (covers aside), / 365.25: a citizen with a caseworker and
    a company consultant counts once, so departments with one, two or three professionals
    per citizen (the role models) compare fairly.
    """
    r, p, d = s.responsibility, s.professional, s.department
    first = day - timedelta(days=364)
    dialect = conn.dialect.name
    start = day_number(
        case((r.c.start_date > first, r.c.start_date), else_=literal(first)), dialect
    )
    end = day_number(
        case(
            (and_(r.c.end_date.is_not(None), r.c.end_date < day), r.c.end_date), else_=literal(day)
        ),
        dialect,
    )
    spans = (
        select(
            p.c.department_id.label("dept"),
            r.c.citizen_id.label("citizen"),
            start.label("s"),
            end.label("e"),
            r.c.id.label("rid"),
        )
        .join(p, p.c.id == r.c.professional_id)
        .where(
            r.c.reason != "cover",
            r.c.start_date <= day,
            or_(r.c.end_date.is_(None), r.c.end_date >= first),
        )
        .subquery()
    )
    days = _covered_days(spans)
    changed = (
        select(p.c.department_id.label("dept"), func.count().label("n"))
        .join(p, p.c.id == r.c.professional_id)
        .where(r.c.reason.not_in(NOT_A_CHANGE), r.c.start_date >= first, r.c.start_date <= day)
        .group_by(p.c.department_id)
        .subquery()
    )
    query = (
        select(d.c.code, func.coalesce(changed.c.n, 0), days.c.days)
        .join(d, d.c.id == days.c.dept)
        .outerjoin(changed, changed.c.dept == days.c.dept)
        .order_by(d.c.code)
    )
    reasons: dict[str, list[tuple[str, int]]] = {}
    for dept, reason, n in conn.execute(
        select(d.c.code, r.c.reason, func.count())
        .join(p, p.c.id == r.c.professional_id)
        .join(d, d.c.id == p.c.department_id)
        .where(r.c.reason.not_in(NOT_A_CHANGE), r.c.start_date >= first, r.c.start_date <= day)
        .group_by(d.c.code, r.c.reason)
    ):
        reasons.setdefault(dept, []).append((reason, int(n)))
    return [
        Continuity(
            dept,
            int(changes or 0),
            float(total or 0) / 365.25,
            tuple(sorted(reasons.get(dept, []), key=lambda x: (-x[1], x[0]))),
        )
        for dept, changes, total in conn.execute(query)
    ]


def _covered_days(spans: Subquery) -> Subquery:
    """Per department, the days covered by the union of each citizen's spans (``s``, ``e``:
    day numbers, inclusive): gaps and islands, since one citizen's spans overlap when they
    have several professionals there."""
    part = (spans.c.dept, spans.c.citizen)
    # the row id breaks ties, so both windows walk the spans in one and the same order
    order = (spans.c.s, spans.c.e, spans.c.rid)
    reach = func.max(spans.c.e).over(partition_by=part, order_by=order, rows=(None, -1))
    marked = select(spans, reach.label("reach")).subquery()
    fresh = case((or_(marked.c.reach.is_(None), marked.c.s > marked.c.reach + 1), 1), else_=0)
    island = func.sum(fresh).over(
        partition_by=(marked.c.dept, marked.c.citizen),
        order_by=(marked.c.s, marked.c.e, marked.c.rid),
        rows=(None, 0),
    )
    islands = select(marked, island.label("island")).subquery()
    stretches = (
        select(islands.c.dept, (func.max(islands.c.e) - func.min(islands.c.s) + 1).label("n"))
        .group_by(islands.c.dept, islands.c.citizen, islands.c.island)
        .subquery()
    )
    return (
        select(stretches.c.dept, func.sum(stretches.c.n).label("days"))
        .group_by(stretches.c.dept)
        .subquery()
    )


def status(conn: Connection, day: date) -> Status:
    return Status(day, caseloads(conn, day), continuity(conn, day))
