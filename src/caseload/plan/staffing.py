"""Staffing: the professionals (FTE) a caseload needs per role, today and in steady state.

Today (``as_of``): the citizens on the caseload per role (each citizen once per role: a
responsibility in the role that day, covers aside) ÷ the caseload per role = FTE needed,
beside the FTE employed that day in the role (a professional's FTE split evenly over the
roles held: one person in two roles is half an FTE in each), the gap and what the FTE
needed cost a year (``Costs.salary_per_fte_year``, an ASSUMED figure).

Forecast (steady state, Little's law): citizens on the caseload = inflow per month × mean
months on the caseload. Both are measured from the register over the 12 months up to
``as_of`` unless given: the inflow as the spells (a citizen's responsibilities in the role
merged, handoffs within the role included) starting in the window / 12; the mean months as
the mean length of the spells ending in it (in steady state those who leave have the same
time on the caseload as those who come). A given ``inflow`` is new citizens a month; each
role gets the share of new citizens it took in the window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, and_, case, func, literal, or_, select

from caseload.domain import codes
from caseload.domain.labels import label
from caseload.evaluate.money import Costs
from caseload.i18n import Message, translator
from caseload.plan.measured import department_id
from caseload.plan.spells import islands, spans
from caseload.plan.workload import DAYS_PER_MONTH, refused
from caseload.store import schema as s
from caseload.store.sql import day_number

WINDOW_DAYS = 365
"""The window the inflow and the time on the caseload are measured over: a year."""


@dataclass(frozen=True)
class RoleStaffing:
    role: str
    caseload: float
    citizens: int
    """On the caseload in the role on the day."""
    professionals: int
    fte_employed: float
    fte_needed: float
    cost_needed: float
    """DKK a year for the FTE needed."""
    salary: float
    """DKK a year for one FTE."""
    inflow_per_month: float
    inflow_measured: float
    """New spells a month in the window (what ``inflow_per_month`` is when not given)."""
    months_on_caseload: float | None
    """Mean months of the spells that ended in the window (None: none ended)."""
    spells_ended: int
    spells_running: int
    """Spells on the caseload running on the day."""
    running_before_window: int
    """Of them, those that began before the window (longer than it)."""
    steady_citizens: float | None
    steady_fte: float | None
    steady_cost: float | None

    @property
    def gap(self) -> float:
        """FTE needed − employed: more to hire when positive."""
        return self.fte_needed - self.fte_employed

    @property
    def cost_change(self) -> float:
        """DKK a year for the gap (negative: the FTE employed cost more than needed)."""
        return self.gap * self.salary


@dataclass(frozen=True)
class Staffing:
    as_of: date
    department: str | None
    window: tuple[date, date]
    salary_per_fte_year: float
    salary_assumed: bool
    inflow_given: float | None
    months_given: float | None
    new_citizens_per_month: float
    """Citizens new to the caseload in any role a month, in the window."""
    roles: tuple[RoleStaffing, ...]

    @property
    def fte_needed(self) -> float:
        return sum(r.fte_needed for r in self.roles)

    @property
    def fte_employed(self) -> float:
        return sum(r.fte_employed for r in self.roles)

    @property
    def cost_needed(self) -> float:
        return sum(r.cost_needed for r in self.roles)

    @property
    def cost_change(self) -> float:
        return sum(r.cost_change for r in self.roles)


def departments(conn: Connection) -> list[str]:
    """The register's department codes, in order (what staffing may be asked for)."""
    return [str(code) for code in conn.execute(select(s.department.c.code).order_by("code"))]


def check_caseloads(caseloads: Mapping[str, float]) -> None:
    """Every role known and every caseload above 0, or a refusal naming it."""
    for role, value in caseloads.items():
        if role not in codes.ROLES:
            raise refused(
                "--caseload",
                role,
                Message(
                    "unknown role; it must be one of: {roles}", {"roles": ", ".join(codes.ROLES)}
                ),
            )
        if not value > 0:
            raise refused(
                "--caseload", role, Message("must be more than 0, got {value}", {"value": value})
            )


def staffing(
    conn: Connection,
    caseloads: Mapping[str, float],
    department: str | None = None,
    as_of: date | None = None,
    inflow: float | None = None,
    months: float | None = None,
    costs: Costs | None = None,
) -> Staffing:
    """FTE needed per role of ``caseloads`` (role → citizens per FTE) on ``as_of`` and in
    steady state; ``inflow`` new citizens a month and ``months`` on the caseload override
    what the register measures."""
    check_caseloads(caseloads)
    for option, value in (("--inflow", inflow), ("--months", months)):
        if value is not None and value < 0:
            raise refused(
                option, str(value), Message("must not be negative, got {value}", {"value": value})
            )
    day = as_of or date.today()
    costs = costs or Costs()
    dept = department_id(conn, department)
    first = day - timedelta(days=WINDOW_DAYS - 1)
    r, p, pr = s.responsibility, s.professional, s.professional_role
    dialect = conn.dialect.name

    on = [r.c.start_date <= day, or_(r.c.end_date.is_(None), r.c.end_date >= day)]
    on.append(r.c.reason != "cover")
    if dept is not None:
        on.append(p.c.department_id == dept)
    citizens = {
        str(role): int(n)
        for role, n in conn.execute(
            select(r.c.role, func.count(func.distinct(r.c.citizen_id)))
            .join(p, p.c.id == r.c.professional_id)
            .where(*on)
            .group_by(r.c.role)
        )
    }

    # FTE employed: professionals employed on the day, FTE split over the roles they hold
    held = (
        select(pr.c.professional_id, pr.c.role)
        .where(pr.c.start_date <= day, or_(pr.c.end_date.is_(None), pr.c.end_date >= day))
        .distinct()
        .subquery()
    )
    n_roles = (
        select(held.c.professional_id, func.count().label("n"))
        .group_by(held.c.professional_id)
        .subquery()
    )
    employed = [p.c.start_date <= day, or_(p.c.end_date.is_(None), p.c.end_date >= day)]
    if dept is not None:
        employed.append(p.c.department_id == dept)
    fte: dict[str, tuple[int, float]] = {}
    for role, people, share in conn.execute(
        select(held.c.role, func.count(), func.sum(p.c.fte / n_roles.c.n))
        .join(p, p.c.id == held.c.professional_id)
        .join(n_roles, n_roles.c.professional_id == held.c.professional_id)
        .where(*employed)
        .group_by(held.c.role)
    ):
        fte[str(role)] = (int(people), float(share or 0.0))

    # spells per role, and per citizen in any role (k = the role, or one literal)
    today = day_number(literal(day), dialect)
    start = day_number(literal(first), dialect)

    def spell_stats(by_role: bool) -> dict[str, tuple[int, int, float, int, int]]:
        key = r.c.role if by_role else literal("any")
        spells = islands(spans(conn, key, None, day, dept))
        ended = and_(spells.c.e < today, spells.c.e >= start)
        running = spells.c.e >= today
        query = select(
            spells.c.k,
            func.sum(case((spells.c.s >= start, 1), else_=0)),
            func.sum(case((ended, 1), else_=0)),
            func.sum(case((ended, spells.c.e - spells.c.s + 1), else_=0)),
            func.sum(case((running, 1), else_=0)),
            func.sum(case((and_(running, spells.c.s < start), 1), else_=0)),
        ).group_by(spells.c.k)
        return {
            str(k): (
                int(new or 0),
                int(n_ended or 0),
                float(days or 0),
                int(on or 0),
                int(old or 0),
            )
            for k, new, n_ended, days, on, old in conn.execute(query)
        }

    per_role = spell_stats(True)
    overall = spell_stats(False).get("any", (0, 0, 0.0, 0, 0))
    months_in_window = WINDOW_DAYS / DAYS_PER_MONTH
    new_per_month = overall[0] / months_in_window

    rows = []
    for role in codes.ROLES:
        if role not in caseloads:
            continue
        load = caseloads[role]
        new, n_ended, ended_days, running, running_before = per_role.get(role, (0, 0, 0.0, 0, 0))
        measured_inflow = new / months_in_window
        if inflow is None:
            role_inflow = measured_inflow
        else:
            share = measured_inflow / new_per_month if new_per_month else 1.0
            role_inflow = inflow * share
        mean_months = (
            months
            if months is not None
            else (ended_days / n_ended / DAYS_PER_MONTH if n_ended else None)
        )
        steady = None if mean_months is None else role_inflow * mean_months
        people, employed_fte = fte.get(role, (0, 0.0))
        needed = citizens.get(role, 0) / load
        rows.append(
            RoleStaffing(
                role=role,
                caseload=load,
                citizens=citizens.get(role, 0),
                professionals=people,
                fte_employed=employed_fte,
                fte_needed=needed,
                cost_needed=needed * costs.salary_per_fte_year,
                salary=costs.salary_per_fte_year,
                inflow_per_month=role_inflow,
                inflow_measured=measured_inflow,
                months_on_caseload=mean_months,
                spells_ended=n_ended,
                spells_running=running,
                running_before_window=running_before,
                steady_citizens=steady,
                steady_fte=None if steady is None else steady / load,
                steady_cost=None if steady is None else steady / load * costs.salary_per_fte_year,
            )
        )
    return Staffing(
        as_of=day,
        department=department,
        window=(first, day),
        salary_per_fte_year=costs.salary_per_fte_year,
        salary_assumed=costs.salary_per_fte_year == Costs().salary_per_fte_year,
        inflow_given=inflow,
        months_given=months,
        new_citizens_per_month=new_per_month,
        roles=tuple(rows),
    )


LEAST_ENDED = 30
"""Fewer spells ending in the window than this measure the months on the caseload too
loosely to forecast on."""
LONG_SHARE = 0.5
"""When more of the running spells than this began before the window, the spells that ended
in it are mostly the short ones: their mean is too low to forecast on."""


@dataclass(frozen=True)
class Doubt:
    """Why a role's steady state cannot be trusted: ``none_ended`` (no spell ended in the
    window: the months on the caseload are unknown), ``few_ended`` (``count`` spells ended,
    fewer than ``of``) or ``long_running`` (``count`` of the ``of`` spells running on the day
    began before the window)."""

    role: str
    reason: str
    count: int
    of: int


def forecast_doubts(st: Staffing) -> list[Doubt]:
    """The roles whose steady state rests on a measured time on the caseload that cannot
    carry it (the reader gives ``--months`` instead), and why."""
    if st.months_given is not None:
        return []
    doubts = []
    for r in st.roles:
        if r.months_on_caseload is None:
            doubts.append(Doubt(r.role, "none_ended", 0, LEAST_ENDED))
        elif r.spells_ended < LEAST_ENDED:
            doubts.append(Doubt(r.role, "few_ended", r.spells_ended, LEAST_ENDED))
        elif r.spells_running and r.running_before_window > LONG_SHARE * r.spells_running:
            doubts.append(Doubt(r.role, "long_running", r.running_before_window, r.spells_running))
    return doubts


def doubt_words(doubt: Doubt, lang: str) -> str:
    """Why a role's steady state is not to be trusted, in the reader's words."""
    tr = translator(lang)
    if doubt.reason == "none_ended":
        return tr.gettext(
            "{role}: no spell on the caseload ended in the window, so the months on it are "
            "unknown.",
            role=label(doubt.role, lang),
        )
    if doubt.reason == "few_ended":
        return tr.gettext(
            "{role}: the steady state is not to be trusted: only {n} spells on the caseload "
            "ended in the window, too few to measure the months on it (at least {least}).",
            role=label(doubt.role, lang),
            n=tr.count(doubt.count),
            least=tr.count(doubt.of),
        )
    return tr.gettext(
        "{role}: the steady state is not to be trusted: {old} of the {n} citizens on the "
        "caseload on the day have been on it longer than the window, so the spells that ended "
        "in it are mostly the short ones and the months on it are measured too low.",
        role=label(doubt.role, lang),
        old=tr.count(doubt.count),
        n=tr.count(doubt.of),
    )
