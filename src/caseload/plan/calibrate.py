"""The microsimulation's starting point, read from a register.

The population is the control arm of a trial (``trial``: the evaluate face's frozen cohort,
so exits and destinations are exactly those ``caseload evaluate`` counts) or every citizen on
kontanthjælp on a day (``first``, with ``last`` the end of the window: the same rules as the
cohort, in SQL here). Per group (under 3 years on kontanthjælp, 3 years or more: Table 2's
split) and destination, the weekly hazard is exits ÷ weeks at risk in the window (the
constant-hazard maximum-likelihood estimate). Beside it:

- ``caseload``: the coordinating caseworker's caseload the population's citizens had on the
  first day (the mean over citizens of their caseworker's citizens): the calibration point;
- caseworker changes per citizen-year on kontanthjælp in the window (a responsibility that
  starts for any reason but intake; one a day at most), those after a staff exit apart: a
  caseworker who leaves changes every one of their citizens' caseworker, so these per
  citizen-year are the staff's yearly turnover, whatever the caseload;
- new kontanthjælp spells a week per citizen on it on the first day (the whole register);
- the observed exits per destination and months on kontanthjælp (for the comparison).

``too_thin`` says why a calibration is too thin to simulate on. ``demo()`` returns the
shipped defaults, calibrated on the demo register's trial (`caseload
demo`); ``to_json``/``from_json`` write and read them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from functools import cache
from importlib.resources import files
from typing import Any

import polars as pl
from sqlalchemy import Connection, Select, and_, func, or_, select
from sqlalchemy.sql import ColumnElement, Subquery

from caseload.domain import codes, dates
from caseload.domain.dates import years_before
from caseload.evaluate import cohort
from caseload.evaluate.money import DAYS_PER_MONTH
from caseload.i18n import Message, Said
from caseload.plan.response import DESTINATIONS
from caseload.store import schema as s

GROUPS = ("short", "long")
"""Under 3 years on kontanthjælp at the start, and 3 years or more (long-term recipients)."""
KS = "coordinating_caseworker"
LAG_MONTHS = 2
DEFAULTS = "microsim_demo.json"


class CalibrationError(Said, ValueError):
    """A population that cannot be calibrated on (no trial, an empty period …)."""


@dataclass(frozen=True)
class Calibration:
    source: str
    """What it was calibrated on, in words (a trial's control arm, a period)."""
    first: str
    last_exit: str
    weeks: float
    """The window: exits from ``first`` to ``last_exit`` (ISO days), its length in weeks."""
    citizens: tuple[int, ...]
    """Per group: citizens at the start."""
    exits: tuple[tuple[int, ...], ...]
    """Per group, per destination (``DESTINATIONS``): exits in the window."""
    exposure: tuple[float, ...]
    """Per group: weeks on kontanthjælp in the window."""
    caseload: float
    caseload_source: str
    change_rate: float
    """Caseworker changes per citizen-year but those after a staff exit."""
    staff_turnover: float
    """Changes after a staff exit per citizen-year (the staff's yearly turnover)."""
    entrant_rate: float
    """New kontanthjælp spells a week per citizen on it on the first day."""
    trial: str | None = None
    """The trial whose control arm it was calibrated on (None: a period, or made up)."""
    population: int = 0
    """Citizens calibrated on (0: not from a register)."""
    handoff_rate: float = 0.0
    """The part of ``change_rate`` that are handoffs between the citizen's professionals."""
    role_model: str | None = None
    """The role model of most of the citizens' coordinating caseworkers' departments (None:
    not known)."""

    @property
    def hazards(self) -> tuple[tuple[float, ...], ...]:
        """Per group, per destination: exits a week per week at risk."""
        return tuple(
            tuple(n / weeks if weeks > 0 else 0.0 for n in row)
            for row, weeks in zip(self.exits, self.exposure, strict=True)
        )

    @property
    def shares(self) -> tuple[float, ...]:
        total = sum(self.citizens)
        return tuple(n / total for n in self.citizens)

    @property
    def months_on_benefit(self) -> float:
        """Mean months on kontanthjælp per citizen within the window (observed)."""
        return sum(self.exposure) * 7 / DAYS_PER_MONTH / sum(self.citizens)

    def exit_shares(self) -> dict[str, float]:
        """Observed share of the population leaving to each destination in the window."""
        total = sum(self.citizens)
        return {d: sum(row[i] for row in self.exits) / total for i, d in enumerate(DESTINATIONS)}


def described(c: Calibration) -> Message:
    """What it was calibrated on, in the reader's words (``source`` is the English)."""
    values = {"code": c.trial, "n": c.population, "first": c.first, "last": c.last_exit}
    if c.trial is not None:
        return Message("trial {code}, control arm ({n} citizens), exits {first} to {last}", values)
    if c.population:
        return Message(
            "citizens on kontanthjælp on {first} ({n} citizens), exits {first} to {last}", values
        )
    return Message(c.source)


LEAST_CITIZENS = 100
"""Fewer citizens than this give hazards too uncertain to simulate a policy on."""


def too_thin(c: Calibration) -> Message | None:
    """Why ``c`` is too thin to simulate on (too few citizens, or a group with none leaving
    while entrants join it), or None when it will do."""
    total = sum(c.citizens)
    if total < LEAST_CITIZENS:
        return Message(
            "{n} citizens to calibrate on, at least {least} needed",
            {"n": total, "least": LEAST_CITIZENS},
        )
    for k, row in enumerate(c.hazards):
        if sum(row) <= 0 and (c.citizens[k] > 0 or (k == 0 and c.entrant_rate > 0)):
            return Message("a group of citizens in it has no exits to calibrate on")
    return None


def to_json(c: Calibration) -> dict[str, Any]:
    data = asdict(c)
    data["groups"] = list(GROUPS)
    data["destinations"] = list(DESTINATIONS)
    data["hazards_per_week"] = [list(row) for row in c.hazards]
    data["months_on_benefit"] = c.months_on_benefit
    data["sources"] = {
        "exits, exposure": c.source,
        "hazards_per_week": "exits ÷ weeks on kontanthjælp per group (constant hazards)",
        "caseload": c.caseload_source,
        "change_rate, staff_turnover": "responsibilities starting for a reason but intake, "
        "per citizen-year on kontanthjælp in the window (staff exits apart)",
        "handoff_rate": "the changes of change_rate whose reason is a handoff",
        "role_model": "the role model of the department of most citizens' coordinating "
        "caseworker on the first day",
        "entrant_rate": "kontanthjælp spells starting in the window ÷ (citizens on it on "
        "the first day × weeks), the whole register",
    }
    return data


def from_json(data: dict[str, Any]) -> Calibration:
    return Calibration(
        source=data["source"],
        first=data["first"],
        last_exit=data["last_exit"],
        weeks=float(data["weeks"]),
        citizens=tuple(int(n) for n in data["citizens"]),
        exits=tuple(tuple(int(n) for n in row) for row in data["exits"]),
        exposure=tuple(float(w) for w in data["exposure"]),
        caseload=float(data["caseload"]),
        caseload_source=data["caseload_source"],
        change_rate=float(data["change_rate"]),
        staff_turnover=float(data["staff_turnover"]),
        entrant_rate=float(data["entrant_rate"]),
        trial=data.get("trial"),
        population=int(data.get("population", 0)),
        handoff_rate=float(data.get("handoff_rate", 0.0)),
        role_model=data.get("role_model"),
    )


@cache
def demo() -> Calibration:
    """The shipped defaults: calibrated on the demo register's trial, control arm."""
    text = files(__package__).joinpath(DEFAULTS).read_text(encoding="utf-8")
    return from_json(json.loads(text))


def calibrate(
    conn: Connection,
    trial: str | None = None,
    first: date | None = None,
    last: date | None = None,
) -> Calibration:
    """Calibrate on a trial's control arm (``trial``, or the only trial when no period is
    given) or on every citizen on kontanthjælp on ``first`` with outcomes read to ``last``."""
    if first is not None or last is not None:
        if first is None or last is None:
            raise CalibrationError(Message("give both --from and --to, or neither"))
        if trial is not None:
            raise CalibrationError(Message("give --trial or --from and --to, not both"))
        return _period(conn, first, last)
    try:
        found = cohort.trial(conn, trial)
        win = cohort.window(found, LAG_MONTHS)
        frame = cohort.cohort(conn, found, win)
    except (cohort.TrialNotFound, cohort.WindowError) as error:
        raise CalibrationError(error.message) from None
    control = frame.filter(pl.col("arm") == "control")
    if control.is_empty():
        raise CalibrationError(
            Message("trial {code} has no control arm to calibrate on", {"code": found.code})
        )
    people = control.select(
        "citizen_id",
        pl.col("time").alias("days"),
        pl.col("status"),
        pl.col("long_term_at_start").cast(pl.Int64).alias("long"),
    )
    a = s.trial_assignment
    members = (
        select(a.c.citizen_id)
        .where(a.c.trial_id == found.id, a.c.assigned_date <= found.start, a.c.arm == "control")
        .subquery("members")
    )
    source = f"trial {found.code}, control arm ({control.height} citizens)"
    return replace(
        _assemble(conn, people, members, win.start, win.last_exit, source),
        trial=found.code,
        population=control.height,
    )


def _covers(table: Any, day: date) -> ColumnElement[bool]:
    return and_(table.c.start_date <= day, or_(table.c.end_date.is_(None), table.c.end_date >= day))


def _period(conn: Connection, first: date, last: date) -> Calibration:
    last_exit = cohort.Window(first, last, last, LAG_MONTHS).last_exit
    if last_exit <= first:
        raise CalibrationError(
            Message(
                "--to must be more than {lag} months after --from (the destination is read "
                "{lag} months after leaving kontanthjælp)",
                {"lag": LAG_MONTHS},
            )
        )
    sp, c = s.benefit_spell, s.citizen
    far = last + timedelta(days=1)
    members = (
        select(sp.c.citizen_id)
        .where(sp.c.benefit == "kontanthjaelp", _covers(sp, first))
        .group_by(sp.c.citizen_id)
        .subquery("members")
    )
    since = years_before(first, codes.LONG_TERM_RECIPIENT_YEARS)
    start_rows = conn.execute(
        select(
            sp.c.citizen_id,
            func.max(func.coalesce(sp.c.end_date, far)).label("kh_end"),
            c.c.kontanthjaelp_since,
        )
        .join(c, c.c.id == sp.c.citizen_id)
        .where(sp.c.benefit == "kontanthjaelp", _covers(sp, first))
        .group_by(sp.c.citizen_id, c.c.kontanthjaelp_since)
    ).all()
    if not start_rows:
        raise CalibrationError(
            Message("no citizen is on kontanthjælp on {day}", {"day": first.isoformat()})
        )
    spells = conn.execute(
        select(sp.c.citizen_id, sp.c.benefit, sp.c.start_date, sp.c.end_date)
        .join(members, members.c.citizen_id == sp.c.citizen_id)
        .where(or_(sp.c.end_date.is_(None), sp.c.end_date >= first))
    ).all()
    by_citizen: dict[int, list[tuple[str, date, date | None]]] = {}
    for row in spells:
        by_citizen.setdefault(row.citizen_id, []).append(
            (row.benefit, row.start_date, row.end_date)
        )
    rank = {name: i for i, name in enumerate(cohort.STATUS_PRIORITY)}
    ids, days, statuses, longs = [], [], [], []
    for row in start_rows:
        end = _day(row.kh_end)
        exited = end <= last_exit
        status = None
        if exited:
            at = dates.add_months(end, LAG_MONTHS)
            held = [
                b
                for b, start, stop in by_citizen.get(row.citizen_id, [])
                if _day(start) <= at and (stop is None or _day(stop) >= at)
            ]
            status = min(held, key=lambda b: rank.get(b, len(rank))) if held else "unknown"
        since_day = row.kontanthjaelp_since
        ids.append(row.citizen_id)
        days.append(float(min((end - first).days, (last_exit - first).days)))
        statuses.append(status)
        longs.append(int(since_day is not None and _day(since_day) <= since))
    people = pl.DataFrame(
        {"citizen_id": ids, "days": days, "status": statuses, "long": longs},
        schema={"citizen_id": pl.Int64, "days": pl.Float64, "status": pl.Utf8, "long": pl.Int64},
    )
    source = f"citizens on kontanthjælp on {first.isoformat()} ({len(ids)} citizens)"
    return replace(_assemble(conn, people, members, first, last_exit, source), population=len(ids))


def _day(value: Any) -> date:
    """A date from the database (SQLite may hand back ISO text from an aggregate)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _assemble(
    conn: Connection,
    people: pl.DataFrame,
    members: Subquery,
    first: date,
    last_exit: date,
    source: str,
) -> Calibration:
    """``people``: citizen_id, days (on kontanthjælp in the window), status (null while on
    it; a benefit code after leaving), long (0/1)."""
    window_days = (last_exit - first).days
    destination = (
        pl.when(pl.col("status").is_in(list(DESTINATIONS)))
        .then(pl.col("status"))
        .otherwise(pl.lit("other"))
    )
    people = people.with_columns(
        pl.when(pl.col("status").is_null()).then(None).otherwise(destination).alias("dest")
    )
    citizens, exits, exposure = [], [], []
    for g, _name in enumerate(GROUPS):
        part = people.filter(pl.col("long") == g)
        citizens.append(part.height)
        counts = dict(part.drop_nulls("dest").group_by("dest").len().iter_rows())
        exits.append(tuple(int(counts.get(d, 0)) for d in DESTINATIONS))
        exposure.append(float(part.get_column("days").sum()) / 7)
    years = sum(exposure) * 7 / 365.25
    changes = _changes(conn, members, people, first, last_exit)
    staff = int(changes.filter(pl.col("reason") == "staff_exit").height)
    handoffs = int(changes.filter(pl.col("reason") == "handoff").height)
    other = changes.height - staff
    caseload, caseload_source = _caseload(conn, members, first)
    return Calibration(
        source=f"{source}, exits {first.isoformat()} to {last_exit.isoformat()}",
        first=first.isoformat(),
        last_exit=last_exit.isoformat(),
        weeks=window_days / 7,
        citizens=tuple(citizens),
        exits=tuple(exits),
        exposure=tuple(exposure),
        caseload=caseload,
        caseload_source=caseload_source,
        change_rate=other / years if years else 0.0,
        staff_turnover=staff / years if years else 0.0,
        entrant_rate=_entrants(conn, first, last_exit),
        handoff_rate=handoffs / years if years else 0.0,
        role_model=_role_model(conn, members, first),
    )


def _changes(
    conn: Connection, members: Subquery, people: pl.DataFrame, first: date, last_exit: date
) -> pl.DataFrame:
    """Caseworker changes while on kontanthjælp in the window: citizen_id, day, reason (one a
    day per citizen; staff_exit when any of the day's changes followed one, else handoff when
    any was one, else other)."""
    r = s.responsibility
    rows = conn.execute(
        select(r.c.citizen_id, r.c.start_date, r.c.reason)
        .join(members, members.c.citizen_id == r.c.citizen_id)
        .where(r.c.reason != "intake", r.c.start_date > first, r.c.start_date <= last_exit)
    ).all()
    frame = pl.DataFrame(
        {
            "citizen_id": [row.citizen_id for row in rows],
            "after": [float((_day(row.start_date) - first).days) for row in rows],
            "reason": [row.reason for row in rows],
        },
        schema={"citizen_id": pl.Int64, "after": pl.Float64, "reason": pl.Utf8},
    )
    return (
        frame.join(people.select("citizen_id", "days"), on="citizen_id")
        .filter(pl.col("after") <= pl.col("days"))
        .group_by("citizen_id", "after")
        .agg(
            pl.when((pl.col("reason") == "staff_exit").any())
            .then(pl.lit("staff_exit"))
            .when((pl.col("reason") == "handoff").any())
            .then(pl.lit("handoff"))
            .otherwise(pl.lit("other"))
            .alias("reason")
        )
    )


def _caseload(conn: Connection, members: Subquery, first: date) -> tuple[float, str]:
    """The mean, over the population's citizens, of their coordinating caseworker's caseload
    on ``first``."""
    r = s.responsibility
    load = (
        select(r.c.professional_id, func.count(func.distinct(r.c.citizen_id)).label("n"))
        .where(r.c.role == KS, _covers(r, first))
        .group_by(r.c.professional_id)
        .subquery("load")
    )
    query: Select[Any] = (
        select(func.avg(load.c.n), func.count())
        .select_from(r)
        .join(members, members.c.citizen_id == r.c.citizen_id)
        .join(load, load.c.professional_id == r.c.professional_id)
        .where(r.c.role == KS, _covers(r, first))
    )
    mean, n = conn.execute(query).one()
    if not n:
        from caseload.evaluate.money import Costs

        fallback = float(Costs.control_caseload)
        return fallback, f"no coordinating caseworker on {first.isoformat()}: {fallback:g} assumed"
    return (
        float(mean),
        f"mean caseload of the coordinating caseworkers of {n} citizens on {first.isoformat()}",
    )


def _role_model(conn: Connection, members: Subquery, first: date) -> str | None:
    """The role model of the department of most of the population's coordinating caseworkers
    on ``first`` (ties: the first in the code list)."""
    r, p, d = s.responsibility, s.professional, s.department
    counts: dict[str, int] = dict(
        conn.execute(
            select(d.c.role_model, func.count(func.distinct(r.c.citizen_id)))
            .select_from(r)
            .join(members, members.c.citizen_id == r.c.citizen_id)
            .join(p, p.c.id == r.c.professional_id)
            .join(d, d.c.id == p.c.department_id)
            .where(r.c.role == KS, _covers(r, first))
            .group_by(d.c.role_model)
        )
        .tuples()
        .all()
    )
    if not counts:
        return None
    return max(codes.ROLE_MODELS, key=lambda m: (counts.get(m, 0), -codes.ROLE_MODELS.index(m)))


def _entrants(conn: Connection, first: date, last_exit: date) -> float:
    sp = s.benefit_spell
    stock = conn.execute(
        select(func.count(func.distinct(sp.c.citizen_id))).where(
            sp.c.benefit == "kontanthjaelp", _covers(sp, first)
        )
    ).scalar_one()
    new = conn.execute(
        select(func.count()).where(
            sp.c.benefit == "kontanthjaelp", sp.c.start_date > first, sp.c.start_date <= last_exit
        )
    ).scalar_one()
    weeks = (last_exit - first).days / 7
    return float(new) / (stock * weeks) if stock and weeks else 0.0
