"""The levers of a shipped scenario that the planning page lets a reader change: the hours of
a full-time professional, the coordination minutes, and the job meeting (its minutes and
how often, per complexity tier, its preparation, documentation and share held outside the
job centre).

``values(model)`` gives each lever's value in a model (a form's starting values);
``changed(name, given)`` applies the values a reader typed (text, a decimal comma allowed;
a blank keeps the scenario's value) to the shipped scenario's tables and checks the result
with ``config.from_data``, as a model file is checked: a refusal is a :class:`LeverError`
with each problem's field and reason (the config module's reasons). The job meeting's
levers set every task the model counts as a job meeting (``counted_as = "job_meeting"``)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from caseload.domain import codes
from caseload.i18n import N_, Message, Said
from caseload.plan import config
from caseload.plan.workload import ConfigError, Workload

JOB_MEETING: Final = "job_meeting"
MONTHS: Final = 12


@dataclass(frozen=True)
class Lever:
    name: str
    """The form field."""
    words: str
    """What it is, for people (a msgid)."""
    key: str
    """Where it is in the model file (``hours.weekly_hours``; ``job.`` a job meeting
    task's key)."""
    tier: str | None = None
    per_year: bool = False
    """Typed a year, kept a month (``per_month`` × 12)."""


HOURS: Final = (
    Lever("weekly_hours", N_("Hours in a full-time week"), "hours.weekly_hours"),
    Lever("holiday_days", N_("Holiday days a year"), "hours.holiday_days"),
    Lever("public_holidays", N_("Public holidays on weekdays a year"), "hours.public_holidays"),
    Lever("absence_days", N_("Sick and other absence days a year"), "hours.absence_days"),
    Lever(
        "non_case_share",
        N_("Share of the time that is not casework (0 to 1)"),
        "hours.non_case_share",
    ),
    Lever(
        "minutes_per_colleague",
        N_("Coordination minutes a month per citizen with each other professional"),
        "coordination.minutes_per_colleague",
    ),
)
JOB_TIERS: Final = tuple(
    lever
    for tier in codes.COMPLEXITY_TIERS
    for lever in (
        Lever(f"job_minutes_{tier}", N_("Minutes of a job meeting"), "job.minutes", tier),
        Lever(
            f"job_per_year_{tier}", N_("Job meetings a year"), "job.per_month", tier, per_year=True
        ),
    )
)
JOB: Final = (
    Lever("job_preparation", N_("Preparation minutes per job meeting"), "job.preparation_minutes"),
    Lever(
        "job_documentation",
        N_("Documentation minutes per job meeting"),
        "job.documentation_minutes",
    ),
    Lever(
        "job_away_share",
        N_("Share of job meetings outside the job centre (0 to 1)"),
        "job.away_share",
    ),
)
LEVERS: Final = (*HOURS, *JOB_TIERS, *JOB)
BY_NAME: Final = {lever.name: lever for lever in LEVERS}
NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


@dataclass(frozen=True)
class Problem:
    field: str | None
    """The lever's form field (None: the values together)."""
    reason: Message


class LeverError(Said, ValueError):
    """Values that do not make a model: every problem, by field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].reason)
        self.problems = problems


def job_tasks(model: Workload) -> list[int]:
    """The positions (from 0) of the tasks the model counts as job meetings."""
    return [k for k, t in enumerate(model.tasks) if t.counted_as == JOB_MEETING]


def values(model: Workload) -> dict[str, float]:
    """Each lever's value in ``model`` (the job meeting's from its first job-meeting task;
    none when it has no such task)."""
    h = model.hours
    out = {
        "weekly_hours": h.weekly_hours,
        "holiday_days": h.holiday_days,
        "public_holidays": h.public_holidays,
        "absence_days": h.absence_days,
        "non_case_share": h.non_case_share,
        "minutes_per_colleague": model.coordination_minutes,
    }
    found = job_tasks(model)
    if found:
        task = model.tasks[found[0]]
        for tier in codes.COMPLEXITY_TIERS:
            out[f"job_minutes_{tier}"] = task.minutes.of(tier)
            out[f"job_per_year_{tier}"] = task.per_month.of(tier) * MONTHS
        out["job_preparation"] = task.preparation_minutes
        out["job_documentation"] = task.documentation_minutes
        out["job_away_share"] = task.away_share
    return out


def number(text: str) -> float | None:
    """A typed number (``2,5`` or ``2.5``); None when it is not one."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if not NUMBER.fullmatch(cleaned):
        return None
    value = float(cleaned.replace(",", "."))
    return value if math.isfinite(value) else None


def changed(name: str, given: Mapping[str, str]) -> tuple[Workload, dict[str, float]]:
    """The shipped scenario ``name`` with the levers ``given`` (field → text typed), and
    the levers' values; a :class:`LeverError` with every problem, or a ConfigError when
    there is no such scenario."""
    base = config.scenario(name)
    data = config.scenario_data(name)
    typed = values(base)
    problems: list[Problem] = []
    for field, text in given.items():
        if field not in BY_NAME or field not in typed or not text.strip():
            continue
        value = number(text)
        if value is None:
            reason = Message("must be a number, got {value}", {"value": repr(text.strip())})
            problems.append(Problem(field, reason))
            continue
        if BY_NAME[field].per_year and value < 0:
            reason = Message("must not be negative, got {value}", {"value": format(value, "g")})
            problems.append(Problem(field, reason))
            continue
        typed[field] = value
    if problems:
        raise LeverError(problems)
    tasks = job_tasks(base)
    for lever in LEVERS:
        if lever.name not in typed:
            continue
        value = typed[lever.name] / MONTHS if lever.per_year else typed[lever.name]
        table, _, key = lever.key.partition(".")
        if table == "job":
            for k in tasks:
                _set(data["tasks"][k], key, lever.tier, value)
        else:
            data.setdefault(table, {})[key] = value
    try:
        model = config.from_data(data, f"scenarios/{name}.toml")
    except ConfigError as error:
        raise LeverError([_problem(error, tasks)]) from None
    return model, typed


def _set(task: dict[str, Any], key: str, tier: str | None, value: float) -> None:
    if tier is None:
        task[key] = value
        return
    now = task.get(key, 0.0)
    tiers = dict(now) if isinstance(now, Mapping) else dict.fromkeys(codes.COMPLEXITY_TIERS, now)
    tiers[tier] = value
    task[key] = tiers


TASK_KEY = re.compile(r"tasks\[(\d+)\](?:\.(\w+))?(?:\.(\w+))?")


def _problem(error: ConfigError, tasks: list[int]) -> Problem:
    """The config module's refusal as a problem of the lever it names."""
    params = error.message.params
    key, reason = str(params.get("key", "")), params.get("reason")
    if not isinstance(reason, Message):
        return Problem(None, error.message)
    for lever in HOURS:
        if lever.key == key:
            return Problem(lever.name, reason)
    found = TASK_KEY.fullmatch(key)
    if found and int(found.group(1)) - 1 in tasks:
        name, tier = found.group(2), found.group(3)
        for lever in (*JOB_TIERS, *JOB):
            if lever.key == f"job.{name}" and lever.tier == tier:
                return Problem(lever.name, reason)
        return Problem(JOB_TIERS[0].name, reason)
    return Problem(None, reason)
