"""Workload → caseload: the workload-study method (caseload_models.json, "workload_method").

A sustainable caseload is the hours a full-time professional has for casework in a month,
divided by the hours one citizen on the caseload needs in a month:

    caseload = case hours per FTE-month / hours per citizen-month

Case hours per FTE-month: the working days of a year (365.25 / 7 × 5) less holidays, public
holidays and absence, times the hours of a working day (weekly hours / 5), over 12 months;
less the share of that time that is not casework (general meetings, administration,
training), less the team time every professional spends whatever their caseload (case
sparring, learning groups).

Hours per citizen-month: every task of the position's roles, its occurrences per citizen
per month × (minutes + preparation + documentation + travel for the share held outside the
job centre), averaged over the complexity tiers by their shares of the caseload; plus
coordination with the other professionals around the citizen (the role model sets how
many); tasks one person does in one go when holding two roles (``joint``) counted once.

Everything here is plain arithmetic on a :class:`Workload` (frozen dataclasses); reading and
checking a TOML file is :mod:`caseload.plan.config`. docs/plan.md documents the schema.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from caseload.domain import codes
from caseload.i18n import N_, Message, Said

DAYS_PER_YEAR: Final = 365.25
WORKING_DAYS_PER_YEAR: Final = DAYS_PER_YEAR / 7 * 5
"""Weekdays in an average year (260.9)."""
DAYS_PER_MONTH: Final = DAYS_PER_YEAR / 12

PROFESSIONALS_PER_CITIZEN: Final = {"all_apart": 3, "buddy_pair": 2, "all_inclusive": 1}
"""Seed 004: three professionals, a pair, or one person around each citizen."""

REGISTER_COUNTS: Final = (
    "job_meeting",
    "follow_up",
    "three_party",
    "rehabilitation_team",
    "company_visit",
    "phone_contact",
    "other_meeting",
    "missed_meeting",
    "supplier_order",
    "progress_report",
    "medical_request",
    "preparatory_plan",
    "rehabilitation_recommendation",
    "company_placement",
)
"""What of the register a task's occurrences are (``counted_as``): held meetings of a kind
(``other_meeting`` the kind ``other``), meetings missed by the citizen, orders started,
progress reports received, medical requests sent, preparatory plans started, the
rehabilitation team's recommendations, company placements started. The measured
alternative counts these; a task without it is not in the register."""

SHIPPED_NAMES: Final = (
    N_("job meeting"),
    N_("follow-up after a missed meeting"),
    N_("supplier order"),
    N_("progress report read and acted on"),
    N_("medical information request"),
    N_("preparatory plan and rehabilitation team"),
    N_("phone and mail"),
    N_("mentor meeting"),
    N_("company contact and placement"),
    N_("follow-up at the workplace"),
    N_("joint meeting with the citizen"),
    N_("case sparring"),
    N_("learning group"),
    N_("Copenhagen before 2018: 25-minute meetings four times a year"),
    N_("Copenhagen trial 2018-2019: 30-90-minute meetings, home visits"),
    N_("JobFirst: caseloads by role and role model"),
)
"""The task and team-time names and the titles of the shipped scenarios: msgids, translated
where shown (a user's own names pass through unchanged)."""


class ConfigError(Said, ValueError):
    """A workload model that cannot be used: the file, the key and the reason."""


def refused(source: str, key: str, reason: Message) -> ConfigError:
    """The one form of every refusal: ``FILE: KEY: REASON``."""
    return ConfigError(
        Message("{file}: {key}: {reason}", {"file": source, "key": key, "reason": reason})
    )


@dataclass(frozen=True)
class Tiers:
    """A value per complexity tier (simple, complex, very complex)."""

    simple: float
    complex: float
    very_complex: float

    @classmethod
    def same(cls, value: float) -> Tiers:
        return cls(value, value, value)

    def of(self, tier: str) -> float:
        value: float = getattr(self, tier)
        return value

    @property
    def uniform(self) -> bool:
        return self.simple == self.complex == self.very_complex


@dataclass(frozen=True)
class Hours:
    """Net working hours of one full-time professional."""

    weekly_hours: float
    holiday_days: float
    public_holidays: float
    absence_days: float
    non_case_share: float

    @property
    def days_at_work(self) -> float:
        """Working days a year at work: weekdays less holidays, public holidays, absence."""
        return WORKING_DAYS_PER_YEAR - self.holiday_days - self.public_holidays - self.absence_days

    @property
    def net_per_month(self) -> float:
        """Hours at work in a month (a twelfth of the year's)."""
        return self.days_at_work * self.weekly_hours / 5 / 12

    @property
    def at_work_share(self) -> float:
        return self.days_at_work / WORKING_DAYS_PER_YEAR


@dataclass(frozen=True)
class TeamTime:
    """Time every professional spends however many citizens they hold."""

    name: str
    minutes: float
    every_days: float
    """Calendar days between two sessions (14: every other week)."""

    def hours_per_month(self, hours: Hours) -> float:
        """Sessions a month (fewer by the share of days away) × minutes, in hours."""
        return DAYS_PER_MONTH / self.every_days * hours.at_work_share * self.minutes / 60


@dataclass(frozen=True)
class District:
    name: str
    travel_minutes: float
    """Minutes there and back for one meeting outside the job centre."""
    share: float
    """Share of the citizens living there."""


@dataclass(frozen=True)
class Task:
    """A task for each citizen on the caseload of a professional in ``role``."""

    name: str
    role: str
    per_month: Tiers
    """Occurrences per citizen on the caseload per month (0.333: four a year)."""
    minutes: Tiers
    """Minutes of one occurrence."""
    preparation_minutes: float = 0.0
    documentation_minutes: float = 0.0
    away_share: float = 0.0
    """Share of occurrences outside the job centre (home, supplier, workplace): travel added."""
    share: float = 1.0
    """Share of the caseload the task concerns (citizens in a placement, say)."""
    counted_as: str | None = None
    """What of the register its occurrences are (:data:`REGISTER_COUNTS`); None: not there."""
    joint: str | None = None
    """Tasks with the same ``joint`` key that one person holds are done in one go: counted
    once (the one taking longest)."""

    def occurrence_minutes(self, tier: str, travel: float) -> float:
        """One occurrence with its preparation, documentation and expected travel."""
        return (
            self.minutes.of(tier)
            + self.preparation_minutes
            + self.documentation_minutes
            + self.away_share * travel
        )

    def per_citizen_month(self, tier: str, travel: float) -> float:
        return self.share * self.per_month.of(tier) * self.occurrence_minutes(tier, travel)


@dataclass(frozen=True)
class Position:
    """What one professional holds: one role or several (VK/mentor), under a role model."""

    roles: tuple[str, ...]
    role_model: str
    colleagues: float | None = None
    """Other professionals around each citizen; None: the role model's number less one."""
    districts: tuple[str, ...] = ()
    """The districts the professional covers; empty: all."""

    @property
    def name(self) -> str:
        """The roles joined by ``+`` in the code list's order (``company_consultant+mentor``,
        as caseload_models.json names them)."""
        return "+".join(r for r in codes.ROLES if r in self.roles)

    @property
    def others(self) -> float:
        if self.colleagues is not None:
            return self.colleagues
        return float(PROFESSIONALS_PER_CITIZEN[self.role_model] - 1)


@dataclass(frozen=True)
class Workload:
    """A workload model: a scenario of how a job centre works, per position."""

    name: str
    title: str
    source: str
    hours: Hours
    complexity: Tiers
    """Share of the caseload in each tier (together 1)."""
    positions: tuple[Position, ...]
    tasks: tuple[Task, ...]
    districts: tuple[District, ...] = ()
    team_time: tuple[TeamTime, ...] = ()
    coordination_minutes: float = 0.0
    """Minutes per citizen-month with each other professional around the citizen."""
    reported: tuple[tuple[str, float], ...] = ()
    """The caseloads the source reports, per position: what the scenario is checked
    against, never used to compute it."""
    file: str = ""
    """Where the model was read from (for messages)."""

    def position(self, role: str) -> Position:
        """The position named ``role`` (``mentor``, ``company_consultant+mentor``), or a
        ConfigError naming the positions there are."""
        for p in self.positions:
            if p.name == role:
                return p
        names = ", ".join(p.name for p in self.positions)
        raise refused(
            self.file or self.name,
            "--role",
            Message(
                "unknown role {role}; the model has: {roles}", {"role": repr(role), "roles": names}
            ),
        )

    def travel(self, position: Position) -> float:
        """Mean travel minutes of a meeting outside the job centre in the districts the
        position covers (weighted by their citizens)."""
        covered = [
            d for d in self.districts if not position.districts or d.name in position.districts
        ]
        weight = sum(d.share for d in covered)
        if not covered or weight == 0:
            return 0.0
        return sum(d.travel_minutes * d.share for d in covered) / weight

    def reported_for(self, position: str) -> float | None:
        return dict(self.reported).get(position)


@dataclass(frozen=True)
class TaskLine:
    """One line of the breakdown: a task's minutes per citizen-month."""

    name: str
    role: str
    per_month: float
    """Occurrences per citizen-month, over the tiers (and the task's share)."""
    occurrence_minutes: float
    """Minutes of one occurrence with preparation, documentation and travel, over tiers."""
    minutes: float
    """Minutes per citizen-month (the mean over the tiers)."""
    by_tier: tuple[tuple[str, float], ...]
    counted_as: str | None
    joint: str | None = None
    counted: bool = True
    """False: done in one go with a longer task of the same ``joint`` (not added)."""


@dataclass(frozen=True)
class HoursLine:
    name: str
    hours_per_month: float


@dataclass(frozen=True)
class Sustainable:
    """A position's sustainable caseload and how it was reached."""

    scenario: str
    position: str
    role_model: str
    caseload: float
    case_hours_per_month: float
    minutes_per_citizen_month: float
    hours: tuple[HoursLine, ...]
    """Net hours a month and what is taken from them, down to the case hours."""
    tasks: tuple[TaskLine, ...]
    coordination_minutes: float
    colleagues: float
    travel_minutes: float
    by_tier: tuple[tuple[str, float], ...]
    """Minutes per citizen-month of a caseload all in one tier."""
    reported: float | None
    """The caseload the scenario's source reports for this position (to compare)."""

    @property
    def caseload_by_tier(self) -> tuple[tuple[str, float], ...]:
        """The caseload if every citizen were in the tier."""
        return tuple(
            (tier, self.case_hours_per_month * 60 / m if m > 0 else math.inf)
            for tier, m in self.by_tier
        )

    @property
    def deviation(self) -> float | None:
        """(caseload − reported) / reported."""
        if self.reported is None:
            return None
        return (self.caseload - self.reported) / self.reported


def case_hours(model: Workload) -> tuple[float, tuple[HoursLine, ...]]:
    """Hours of casework per FTE-month, with the lines from net hours down to it."""
    h = model.hours
    net = h.net_per_month
    lines = [
        HoursLine(N_("net working hours"), net),
        HoursLine(N_("not casework (meetings, administration, training)"), -net * h.non_case_share),
    ]
    lines += [HoursLine(t.name, -t.hours_per_month(h)) for t in model.team_time]
    left = sum(line.hours_per_month for line in lines)
    return left, (*lines, HoursLine(N_("hours for casework"), left))


def task_lines(model: Workload, position: Position) -> list[TaskLine]:
    """Every task of the position's roles per citizen-month; of tasks sharing a ``joint``
    key, all but the longest marked not counted."""
    travel = model.travel(position)
    shares = [(t, model.complexity.of(t)) for t in codes.COMPLEXITY_TIERS]
    lines = []
    for task in model.tasks:
        if task.role not in position.roles:
            continue
        by_tier = tuple((tier, task.per_citizen_month(tier, travel)) for tier, _ in shares)
        per_month = sum(task.share * task.per_month.of(t) * s for t, s in shares)
        minutes = sum(m * s for (_, m), (_, s) in zip(by_tier, shares, strict=True))
        lines.append(
            TaskLine(
                task.name,
                task.role,
                per_month,
                minutes / per_month if per_month else 0.0,
                minutes,
                by_tier,
                task.counted_as,
                task.joint,
            )
        )
    longest: dict[str, int] = {}
    for k, line in enumerate(lines):
        if line.joint is not None and (
            line.joint not in longest or line.minutes > lines[longest[line.joint]].minutes
        ):
            longest[line.joint] = k
    return [
        line if line.joint is None or longest[line.joint] == k else replace(line, counted=False)
        for k, line in enumerate(lines)
    ]


def caseloads_per_role(results: Sequence[Sustainable]) -> dict[str, float]:
    """A caseload per role from a model's single-role positions (a position holding several
    roles is no one role's caseload)."""
    return {r.position: r.caseload for r in results if r.position in codes.ROLES}


def sustainable_caseload(model: Workload, role: str) -> Sustainable:
    """The sustainable caseload of the position named ``role`` and its breakdown."""
    position = model.position(role)
    hours, hour_lines = case_hours(model)
    lines = task_lines(model, position)
    counted = [line for line in lines if line.counted]
    coordination = model.coordination_minutes * position.others
    total = sum(line.minutes for line in counted) + coordination
    by_tier = tuple(
        (
            tier,
            sum(dict(line.by_tier)[tier] for line in counted) + coordination,
        )
        for tier in codes.COMPLEXITY_TIERS
    )
    return Sustainable(
        scenario=model.name,
        position=position.name,
        role_model=position.role_model,
        caseload=hours * 60 / total if total > 0 else math.inf,
        case_hours_per_month=hours,
        minutes_per_citizen_month=total,
        hours=hour_lines,
        tasks=tuple(lines),
        coordination_minutes=coordination,
        colleagues=position.others,
        travel_minutes=model.travel(position),
        by_tier=by_tier,
        reported=model.reported_for(position.name),
    )


def every_position(model: Workload) -> list[Sustainable]:
    return [sustainable_caseload(model, p.name) for p in model.positions]


@dataclass(frozen=True)
class Reference:
    """A caseload reported for a programme (caseload_models.json): a mean, or a range."""

    name: str
    role: str
    low: float | None
    high: float | None
    mean: float | None
    source: str


def reference_models() -> list[Reference]:
    """The reference models of caseload_models.json, as published."""
    from caseload.data import published

    data = published("caseload_models")
    out = []
    for m in data["models"]:
        out.append(
            Reference(
                m["name"],
                m["role"],
                m.get("min"),
                m.get("max"),
                m.get("mean"),
                m["source"],
            )
        )
    return out


def union_ranges() -> list[Reference]:
    """The union's recommended caseloads per full-time caseworker, per target group."""
    from caseload.data import published

    union = published("caseload_models")["union_recommended_caseloads"]
    return [
        Reference(group, "coordinating_caseworker", float(lo), float(hi), None, "DS")
        for group, (lo, hi) in union["ranges"].items()
    ]
