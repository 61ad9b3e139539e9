"""A workload model from a TOML file, checked key by key (docs/plan.md has the schema).

``load(path)`` and ``loads(text, source)`` give a :class:`~caseload.plan.workload.Workload`
or raise a :class:`~caseload.plan.workload.ConfigError` naming the file, the key and the
reason: a negative number of minutes, days or colleagues, hours that do not fit in a year or
a month, a share outside 0–1, an unknown role, role model, district or key. ``from_data(data,
source)`` checks tables already read; ``dumps`` writes a model back in the same schema;
``scenario(name)`` reads a shipped scenario (``plan/scenarios/NAME.toml``),
``scenario_data(name)`` its tables. Read with the standard library's ``tomllib``.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

from caseload.domain import codes
from caseload.i18n import N_, Message
from caseload.plan.workload import (
    PROFESSIONALS_PER_CITIZEN,
    REGISTER_COUNTS,
    WORKING_DAYS_PER_YEAR,
    District,
    Hours,
    Position,
    Task,
    TeamTime,
    Tiers,
    Workload,
    case_hours,
    refused,
    task_lines,
)

MAX_WEEKLY_HOURS = 60.0
"""More than anyone's working week (a week has 168 hours; 37 is full time in Denmark)."""
SHARE_SLACK = 1e-6
"""Shares that must add up to 1 may miss it by this much (rounded decimals)."""

KEYS: dict[str, tuple[str, ...]] = {
    "": ("scenario", "hours", "complexity", "districts", "coordination", "team_time",
         "positions", "tasks"),
    "scenario": ("name", "title", "source", "reported"),
    "hours": ("weekly_hours", "holiday_days", "public_holidays", "absence_days",
              "non_case_share"),
    "complexity": codes.COMPLEXITY_TIERS,
    "district": ("travel_minutes", "share"),
    "coordination": ("minutes_per_colleague",),
    "team_time": ("name", "minutes", "every_days"),
    "positions": ("roles", "role_model", "colleagues", "districts"),
    "tasks": ("name", "role", "per_month", "minutes", "preparation_minutes",
              "documentation_minutes", "away_share", "share", "counted_as", "joint"),
}  # fmt: skip
"""Every key the schema knows, per table (``district``: each ``[districts.NAME]``)."""


class _Reader:
    """Checks one file's values, naming the file and the key in every refusal."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, reason: Message) -> Exception:
        return refused(self.source, key, reason)

    def table(self, value: Any, key: str, kind: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            return self._not_a_table(key)
        for name in value:
            if name not in KEYS[kind]:
                known = ", ".join(KEYS[kind])
                raise self.fail(
                    f"{key}.{name}" if key else name,
                    Message("unknown key; the keys here are: {known}", {"known": known}),
                )
        return value

    def _not_a_table(self, key: str) -> Mapping[str, Any]:
        raise self.fail(key, Message("must be a table of keys and values", {}))

    def required(self, table: Mapping[str, Any], name: str, key: str) -> Any:
        if name not in table:
            raise self.fail(f"{key}.{name}" if key else name, Message("missing", {}))
        return table[name]

    def number(self, value: Any, key: str, rule: str = "non_negative") -> float:
        """A number by ``rule``: ``non_negative``, ``positive``, ``share`` (0 to 1),
        ``share_below_1`` (0 to below 1) or ``weekly`` (hours of a working week)."""
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.fail(key, Message("must be a number, got {value}", {"value": repr(value)}))
        x = float(value)
        shown = _shown(x)
        if x < 0:
            raise self.fail(key, Message("must not be negative, got {value}", {"value": shown}))
        if rule == "positive" and x == 0:
            raise self.fail(key, Message("must be more than 0, got {value}", {"value": shown}))
        if rule == "share" and x > 1:
            raise self.fail(
                key, Message("must be a share from 0 to 1, got {value}", {"value": shown})
            )
        if rule == "share_below_1" and x >= 1:
            raise self.fail(
                key, Message("must be a share from 0 to below 1, got {value}", {"value": shown})
            )
        if rule == "weekly" and not 0 < x <= MAX_WEEKLY_HOURS:
            raise self.fail(
                key,
                Message(
                    "must be more than 0 and at most {most} hours a week, got {value}",
                    {"most": _shown(MAX_WEEKLY_HOURS), "value": shown},
                ),
            )
        return x

    def share(self, value: Any, key: str) -> float:
        return self.number(value, key, "share")

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, Message("must be a text, got {value}", {"value": repr(value)}))
        return value

    def code(self, value: Any, key: str, allowed: tuple[str, ...], what: str) -> str:
        if value not in allowed:
            raise self.fail(
                key,
                Message(
                    "unknown {what} {value}; it must be one of: {allowed}",
                    {"what": Message(what), "value": repr(value), "allowed": ", ".join(allowed)},
                ),
            )
        return str(value)

    def tiers(self, value: Any, key: str) -> Tiers:
        """A number for every tier, or a table with a number per tier (all three)."""
        if isinstance(value, Mapping):
            self.table(value, key, "complexity")
            got = {
                t: self.number(self.required(value, t, key), f"{key}.{t}")
                for t in codes.COMPLEXITY_TIERS
            }
            return Tiers(**got)
        return Tiers.same(self.number(value, key))

    def array(self, value: Any, key: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(key, Message("must be a list", {}))
        return value


def _shown(x: float) -> str:
    return f"{x:g}"


def loads(text: str, source: str) -> Workload:
    """The workload model in ``text`` (TOML), ``source`` naming it in every refusal."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise refused(source, "-", Message("not TOML: {reason}", {"reason": str(error)})) from None
    return from_data(data, source)


def from_data(data: Mapping[str, Any], source: str) -> Workload:
    """The workload model in ``data`` (TOML's tables as dicts and lists), checked key by key
    as ``loads`` checks a file (the planning page's changed scenario)."""
    r = _Reader(source)
    r.table(data, "", "")

    scenario = r.table(r.required(data, "scenario", ""), "scenario", "scenario")
    name = r.text(r.required(scenario, "name", "scenario"), "scenario.name")
    title = r.text(scenario.get("title", name), "scenario.title")
    source_text = r.text(scenario.get("source", "ASSUMED"), "scenario.source")

    h = r.table(r.required(data, "hours", ""), "hours", "hours")
    hours = Hours(
        weekly_hours=r.number(
            r.required(h, "weekly_hours", "hours"),
            "hours.weekly_hours",
            "weekly",
        ),
        holiday_days=r.number(r.required(h, "holiday_days", "hours"), "hours.holiday_days"),
        public_holidays=r.number(
            r.required(h, "public_holidays", "hours"), "hours.public_holidays"
        ),
        absence_days=r.number(h.get("absence_days", 0.0), "hours.absence_days"),
        non_case_share=r.number(
            h.get("non_case_share", 0.0), "hours.non_case_share", "share_below_1"
        ),
    )
    if hours.days_at_work <= 0:
        away = hours.holiday_days + hours.public_holidays + hours.absence_days
        raise r.fail(
            "hours",
            Message(
                "holidays, public holidays and absence ({days} days) do not fit in the "
                "{working} working days of a year",
                {"days": _shown(away), "working": _shown(round(WORKING_DAYS_PER_YEAR, 1))},
            ),
        )

    c = r.table(r.required(data, "complexity", ""), "complexity", "complexity")
    complexity = Tiers(
        **{
            t: r.share(r.required(c, t, "complexity"), f"complexity.{t}")
            for t in codes.COMPLEXITY_TIERS
        }
    )
    total = complexity.simple + complexity.complex + complexity.very_complex
    if abs(total - 1) > SHARE_SLACK:
        raise r.fail(
            "complexity",
            Message("the tiers' shares must add up to 1, got {total}", {"total": _shown(total)}),
        )

    districts_data = data.get("districts", {})
    if not isinstance(districts_data, Mapping):
        raise r.fail("districts", Message("must be a table of keys and values", {}))
    districts = []
    for dname, d in districts_data.items():
        key = f"districts.{dname}"
        d = r.table(d, key, "district")
        districts.append(
            District(
                dname,
                r.number(r.required(d, "travel_minutes", key), f"{key}.travel_minutes"),
                r.share(r.required(d, "share", key), f"{key}.share"),
            )
        )
    if districts and abs(sum(d.share for d in districts) - 1) > SHARE_SLACK:
        raise r.fail(
            "districts",
            Message(
                "the districts' shares must add up to 1, got {total}",
                {"total": _shown(sum(d.share for d in districts))},
            ),
        )
    district_names = tuple(d.name for d in districts)

    coordination = r.table(data.get("coordination", {}), "coordination", "coordination")
    per_colleague = r.number(
        coordination.get("minutes_per_colleague", 0.0), "coordination.minutes_per_colleague"
    )

    team_time = []
    for k, t in enumerate(r.array(data.get("team_time", []), "team_time"), start=1):
        key = f"team_time[{k}]"
        t = r.table(t, key, "team_time")
        team_time.append(
            TeamTime(
                r.text(r.required(t, "name", key), f"{key}.name"),
                r.number(r.required(t, "minutes", key), f"{key}.minutes"),
                r.number(r.required(t, "every_days", key), f"{key}.every_days", "positive"),
            )
        )

    positions: list[Position] = []
    for k, p in enumerate(r.array(r.required(data, "positions", ""), "positions"), start=1):
        key = f"positions[{k}]"
        p = r.table(p, key, "positions")
        roles = r.array(r.required(p, "roles", key), f"{key}.roles")
        if not roles:
            raise r.fail(f"{key}.roles", Message("must name at least one role", {}))
        held = tuple(
            r.code(role, f"{key}.roles[{j}]", codes.ROLES, N_("role"))
            for j, role in enumerate(roles, start=1)
        )
        covered = tuple(
            r.code(dname, f"{key}.districts[{j}]", district_names, N_("district"))
            for j, dname in enumerate(r.array(p.get("districts", []), f"{key}.districts"), start=1)
        )
        position = Position(
            held,
            r.code(
                r.required(p, "role_model", key),
                f"{key}.role_model",
                tuple(PROFESSIONALS_PER_CITIZEN),
                N_("role model"),
            ),
            None if "colleagues" not in p else r.number(p["colleagues"], f"{key}.colleagues"),
            covered,
        )
        if any(q.name == position.name for q in positions):
            raise r.fail(key, Message("a second position {name}", {"name": position.name}))
        positions.append(position)

    tasks = []
    for k, t in enumerate(r.array(r.required(data, "tasks", ""), "tasks"), start=1):
        key = f"tasks[{k}]"
        t = r.table(t, key, "tasks")
        counted_as = t.get("counted_as")
        task = Task(
            name=r.text(r.required(t, "name", key), f"{key}.name"),
            role=r.code(r.required(t, "role", key), f"{key}.role", codes.ROLES, N_("role")),
            per_month=r.tiers(r.required(t, "per_month", key), f"{key}.per_month"),
            minutes=r.tiers(r.required(t, "minutes", key), f"{key}.minutes"),
            preparation_minutes=r.number(
                t.get("preparation_minutes", 0.0), f"{key}.preparation_minutes"
            ),
            documentation_minutes=r.number(
                t.get("documentation_minutes", 0.0), f"{key}.documentation_minutes"
            ),
            away_share=r.share(t.get("away_share", 0.0), f"{key}.away_share"),
            share=r.share(t.get("share", 1.0), f"{key}.share"),
            counted_as=None
            if counted_as is None
            else r.code(counted_as, f"{key}.counted_as", REGISTER_COUNTS, N_("register count")),
            joint=None if "joint" not in t else r.text(t["joint"], f"{key}.joint"),
        )
        if task.away_share > 0 and not districts:
            raise r.fail(
                f"{key}.away_share",
                Message(
                    "a share of the task is held outside the job centre, but no [districts] "
                    "give the travel minutes",
                    {},
                ),
            )
        tasks.append(task)

    reported: list[tuple[str, float]] = []
    given = scenario.get("reported", {})
    if not isinstance(given, Mapping):
        raise r.fail("scenario.reported", Message("must be a table of keys and values", {}))
    names = tuple(p.name for p in positions)
    for pname, value in given.items():
        key = f"scenario.reported.{pname}"
        r.code(pname, key, names, N_("role"))
        reported.append((pname, r.number(value, key, "positive")))

    model = Workload(
        name=name,
        title=title,
        source=source_text,
        hours=hours,
        complexity=complexity,
        positions=tuple(positions),
        tasks=tuple(tasks),
        districts=tuple(districts),
        team_time=tuple(team_time),
        coordination_minutes=per_colleague,
        reported=tuple(reported),
        file=source,
    )
    _fits(model, r)
    return model


def _fits(model: Workload, r: _Reader) -> None:
    """The hours of a month must hold the team time and at least one citizen's tasks."""
    hours, _ = case_hours(model)
    if hours <= 0:
        raise r.fail(
            "team_time",
            Message(
                "the team time and the time that is not casework take all {net} net hours of "
                "a month",
                {"net": _shown(round(model.hours.net_per_month, 1))},
            ),
        )
    for k, position in enumerate(model.positions, start=1):
        lines = task_lines(model, position)
        if not lines:
            raise r.fail(
                f"positions[{k}]", Message("no task in the model is done in its roles", {})
            )
        for line in lines:
            if line.minutes > hours * 60:
                index = next(
                    j
                    for j, t in enumerate(model.tasks, start=1)
                    if t.name == line.name and t.role == line.role
                )
                raise r.fail(
                    f"tasks[{index}]",
                    Message(
                        "one citizen's {need} hours a month of this task do not fit in the "
                        "{hours} hours for casework of a month",
                        {
                            "need": _shown(round(line.minutes / 60, 1)),
                            "hours": _shown(round(hours, 1)),
                        },
                    ),
                )


def load(path: Path) -> Workload:
    """The workload model in the TOML file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise refused(str(path), "-", Message("not UTF-8 text")) from None
    return loads(text, str(path))


def names() -> list[str]:
    """The shipped scenarios."""
    folder = files(__package__).joinpath("scenarios")
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def scenario(name: str) -> Workload:
    """A shipped scenario by name, or a ConfigError naming those there are."""
    if name not in names():
        raise refused(
            "--scenario",
            name,
            Message(
                "no such scenario; the shipped ones are: {names}", {"names": ", ".join(names())}
            ),
        )
    return loads(_text(name), f"scenarios/{name}.toml")


def scenario_data(name: str) -> dict[str, Any]:
    """A shipped scenario's tables as read from its TOML (to change some values and check
    them with ``from_data``), or a ConfigError naming those there are."""
    scenario(name)
    return tomllib.loads(_text(name))


def _text(name: str) -> str:
    return files(__package__).joinpath("scenarios", f"{name}.toml").read_text(encoding="utf-8")


def dumps(model: Workload) -> str:
    """``model`` as TOML in the schema ``loads`` reads (comments are not kept)."""
    out = ["[scenario]", f"name = {_q(model.name)}", f"title = {_q(model.title)}",
           f"source = {_q(model.source)}"]  # fmt: skip
    if model.reported:
        out += ["", "[scenario.reported]"]
        out += [f"{_q(p)} = {_n(v)}" for p, v in model.reported]
    h = model.hours
    out += ["", "[hours]"]
    out += [
        f"{k} = {_n(getattr(h, k))}"
        for k in (
            "weekly_hours",
            "holiday_days",
            "public_holidays",
            "absence_days",
            "non_case_share",
        )
    ]
    out += ["", "[complexity]"]
    out += [f"{t} = {_n(model.complexity.of(t))}" for t in codes.COMPLEXITY_TIERS]
    for d in model.districts:
        out += ["", f"[districts.{_q(d.name)}]", f"travel_minutes = {_n(d.travel_minutes)}",
                f"share = {_n(d.share)}"]  # fmt: skip
    out += ["", "[coordination]", f"minutes_per_colleague = {_n(model.coordination_minutes)}"]
    for tt in model.team_time:
        out += ["", "[[team_time]]", f"name = {_q(tt.name)}", f"minutes = {_n(tt.minutes)}",
                f"every_days = {_n(tt.every_days)}"]  # fmt: skip
    for p in model.positions:
        out += ["", "[[positions]]", f"roles = [{', '.join(_q(x) for x in p.roles)}]",
                f"role_model = {_q(p.role_model)}"]  # fmt: skip
        if p.colleagues is not None:
            out.append(f"colleagues = {_n(p.colleagues)}")
        if p.districts:
            out.append(f"districts = [{', '.join(_q(x) for x in p.districts)}]")
    for t in model.tasks:
        out += ["", "[[tasks]]", f"name = {_q(t.name)}", f"role = {_q(t.role)}",
                f"per_month = {_tiers(t.per_month)}", f"minutes = {_tiers(t.minutes)}",
                f"preparation_minutes = {_n(t.preparation_minutes)}",
                f"documentation_minutes = {_n(t.documentation_minutes)}",
                f"away_share = {_n(t.away_share)}", f"share = {_n(t.share)}"]  # fmt: skip
        if t.counted_as is not None:
            out.append(f"counted_as = {_q(t.counted_as)}")
        if t.joint is not None:
            out.append(f"joint = {_q(t.joint)}")
    return "\n".join(out) + "\n"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _n(x: float) -> str:
    return repr(float(x))


def _tiers(t: Tiers) -> str:
    if t.uniform:
        return _n(t.simple)
    return "{ " + ", ".join(f"{k} = {_n(t.of(k))}" for k in codes.COMPLEXITY_TIERS) + " }"
