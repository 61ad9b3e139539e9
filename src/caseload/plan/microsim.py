"""The policy microsimulation: a job centre's citizens on kontanthjælp, week by week, under
caseload policies, over a range of caseload-response curves (docs/plan.md).

Each citizen has competing exit hazards, one per destination (``response.DESTINATIONS``),
constant per group (under 3 years on kontanthjælp, 3 years or more) at the calibration
point and moved by the policy's caseload through the curve shape's multipliers. A caseworker
change (after a staff exit, a reallocation, a handoff: a Poisson stream per citizen at the
calibrated rate, the staff-exit part set by the policy's staff turnover, the handoffs
scaled to the policy's role model) multiplies every
hazard by ``change_effect`` for ``change_weeks`` weeks. New citizens enter as a Poisson
stream. Nothing is stepped week by week: the hazards are constant within known periods, so
each citizen's exit time is drawn directly (a standard exponential through the inverse of
its cumulative hazard: slope 1 outside the windows after a change, ``change_effect`` inside)
and its destination by the hazards' shares (the change effect moves every hazard alike).

Common random numbers: in one replication every policy and shape reuses the same citizens,
exponentials, uniforms and changes (a lower staff turnover keeps a subset of the changes), so
differences between policies are not Monte Carlo noise between independent runs.

Displacement: a share of the *helped* job exits (citizens leaving for a job under the policy
who would not have under the reference policy, same replication and shape) is taken from
others — as many other job leavers (binomially drawn) lose their job exit and return to risk
from that day (a fresh exit time and destination from their hazards).

Replication r draws from ``SeedSequence(seed, spawn_key=(r,))`` (the r-th child of
``SeedSequence(seed)``), so the results do not depend on how replications are split among
worker processes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from caseload.domain import codes
from caseload.evaluate.money import DAYS_PER_MONTH, Costs
from caseload.i18n import Message, Said
from caseload.plan.calibrate import Calibration
from caseload.plan.response import DESTINATIONS, SCALE, SHAPE_NAMES, shape
from caseload.plan.workload import PROFESSIONALS_PER_CITIZEN

WEEKS_PER_YEAR = 365.25 / 7
CHANGE_EFFECT = 0.8
"""ASSUMED: every exit hazard is multiplied by this for a while after a caseworker change
(seed 000: changes hurt job chances; no figure in the seeds)."""
CHANGE_WEEKS = 12.0
"""ASSUMED: how long a caseworker change lowers the hazards (a new relation takes a quarter)."""
PERCENTILES = (2.5, 50.0, 97.5)
LIMITS = {
    "citizens": (1, 1_000_000),
    "weeks": (1, 1_040),
    "reps": (1, 100_000),
    "workers": (1, 64),
}

Tick = Callable[[int], None]
"""Called with the number of replications just finished (for a progress bar)."""


class MicrosimError(Said, ValueError):
    """Settings the microsimulation cannot run with (the message names the option)."""


@dataclass(frozen=True)
class Policy:
    caseload: float
    """Citizens per coordinating caseworker, held fixed over the simulated weeks."""
    turnover: float | None = None
    """The staff's yearly turnover (None: as calibrated)."""
    role_model: str | None = None
    """How roles are split around the citizen (None: as calibrated). Handoffs between the
    citizen's professionals scale with their number less one (ASSUMED, docs/plan.md)."""

    @property
    def label(self) -> str:
        shown = f"{self.caseload:g}"
        if self.turnover is not None:
            shown = f"{shown}:{self.turnover:g}"
        return shown if self.role_model is None else f"{shown}@{self.role_model}"


@dataclass(frozen=True)
class Settings:
    policies: tuple[Policy, ...] = (Policy(130), Policy(50), Policy(35))
    """The first is the reference the net result is counted against."""
    shapes: tuple[str, ...] = SHAPE_NAMES
    citizens: int = 10_000
    weeks: int = 104
    reps: int = 1_000
    seed: int = 1
    workers: int = 2
    displacement: float = 0.0
    change_effect: float = CHANGE_EFFECT
    change_weeks: float = CHANGE_WEEKS
    scale: float = SCALE
    entrants: bool = True
    costs: Costs = field(default_factory=Costs)


METRICS = (
    *(f"exits_{d}" for d in DESTINATIONS),
    "exits",
    *(f"cohort_exits_{d}" for d in DESTINATIONS),
    "cohort_exits",
    "months",
    "cohort_months",
    "entrants",
    "fte",
    "staff_cost",
    "benefit_cost",
    "transfer_cost",
    "net",
    "helped",
    "displaced",
)
"""Per replication and scenario. ``exits_*``, ``months``: every citizen (the first day's and
the entrants); ``cohort_*``: the first day's citizens only; ``months``: months on
kontanthjælp in the simulated weeks; ``fte``: coordinating caseworkers needed (mean citizens
on kontanthjælp ÷ caseload); ``staff_cost``: fte × salary × years; ``benefit_cost``: months ×
(transfer + activation + casework); ``transfer_cost``: months × transfer; ``net``: benefit
costs saved minus extra staff cost against the reference policy (same shape and
replication); ``helped``, ``displaced``: job exits the policy added, and taken from others."""
INDEX = {name: i for i, name in enumerate(METRICS)}


@dataclass(frozen=True)
class Scenario:
    shape: str
    policy: Policy


@dataclass(frozen=True)
class Result:
    settings: Settings
    calibration: Calibration
    scenarios: tuple[Scenario, ...]
    draws: np.ndarray
    """(reps, scenarios, METRICS)."""

    def values(self, shape_name: str, policy: Policy, metric: str) -> np.ndarray:
        k = self.scenarios.index(Scenario(shape_name, policy))
        return np.asarray(self.draws[:, k, INDEX[metric]])

    def summary(self, shape_name: str, policy: Policy, metric: str) -> dict[str, float]:
        """Mean and the 2.5, 50 and 97.5 percentiles over the replications."""
        v = self.values(shape_name, policy, metric)
        low, mid, high = np.percentile(v, PERCENTILES)
        return {
            "mean": float(v.mean()),
            "p2_5": float(low),
            "p50": float(mid),
            "p97_5": float(high),
        }


def parse_policies(text: str) -> tuple[Policy, ...]:
    """``130,50,35``, ``130,50:0.05`` (caseload, optionally a yearly staff turnover) or
    ``130,50@all_inclusive`` (and optionally a role model)."""
    policies = []
    for part in text.split(","):
        rest, at, role_model = part.strip().partition("@")
        load, _, turnover = rest.strip().partition(":")
        try:
            if at and not role_model.strip():
                raise ValueError(part)
            policy = Policy(
                float(load),
                float(turnover) if turnover else None,
                role_model.strip() if at else None,
            )
        except ValueError:
            raise MicrosimError(
                Message(
                    "--policies: {part!r} is not a caseload (a number, optionally :TURNOVER "
                    "and @ROLE_MODEL, e.g. 50, 50:0.05 or 50@all_inclusive)",
                    {"part": part.strip()},
                )
            ) from None
        policies.append(policy)
    return tuple(policies)


def handoff_factor(cal: Calibration, role_model: str | None) -> float:
    """How many times the register's handoffs a role model makes: handoffs happen between the
    professionals around a citizen, so they scale with their number less one (ASSUMED: all
    apart 2, buddy pair 1, all inclusive 0, against the calibrated departments' model)."""
    if role_model is None or role_model == cal.role_model:
        return 1.0
    if cal.role_model is None:
        raise MicrosimError(
            Message(
                "--policies: the calibration does not say which role model its departments "
                "used, so a policy's role model cannot be simulated against it"
            )
        )
    wanted = PROFESSIONALS_PER_CITIZEN[role_model] - 1
    calibrated = PROFESSIONALS_PER_CITIZEN[cal.role_model] - 1
    if calibrated == 0:
        if wanted == 0:
            return 1.0
        raise MicrosimError(
            Message(
                "--policies: the calibration's departments hold every role in one person, "
                "so it has no handoffs to scale to {model}",
                {"model": role_model},
            )
        )
    return wanted / calibrated


def changes_per_year(cal: Calibration, policy: Policy) -> float:
    """Caseworker changes per citizen-year under ``policy``: the register's changes but
    handoffs and staff exits, its handoffs scaled to the role model, and the staff turnover."""
    turnover = cal.staff_turnover if policy.turnover is None else policy.turnover
    handoffs = cal.handoff_rate * handoff_factor(cal, policy.role_model)
    return cal.change_rate - cal.handoff_rate + handoffs + turnover


def fits(cal: Calibration, settings: Settings) -> None:
    """Refuse policies the calibration cannot carry (a role model it cannot scale to)."""
    for policy in settings.policies:
        changes_per_year(cal, policy)


def check(settings: Settings) -> None:
    """Refuse settings that cannot be simulated, naming the option."""
    for name, (low, high) in LIMITS.items():
        value = getattr(settings, name)
        if not low <= value <= high:
            raise MicrosimError(
                Message(
                    "--{option} must be from {low} to {high}, not {value}",
                    {"option": name, "low": low, "high": high, "value": value},
                )
            )
    if not settings.policies:
        raise MicrosimError(Message("--policies: give at least one caseload"))
    for p in settings.policies:
        if not (math.isfinite(p.caseload) and 1 <= p.caseload <= 1_000):
            raise MicrosimError(
                Message(
                    "--policies: a caseload must be from 1 to 1000 citizens, not {value}",
                    {"value": f"{p.caseload:g}"},
                )
            )
        if p.turnover is not None and not 0 <= p.turnover < 1:
            raise MicrosimError(
                Message(
                    "--policies: a staff turnover must be a yearly share from 0 to below 1, "
                    "not {value}",
                    {"value": f"{p.turnover:g}"},
                )
            )
        if p.role_model is not None and p.role_model not in codes.ROLE_MODELS:
            raise MicrosimError(
                Message(
                    "--policies: {value!r} is not a role model (one of {known})",
                    {"value": p.role_model, "known": ", ".join(codes.ROLE_MODELS)},
                )
            )
    if len(set(settings.policies)) != len(settings.policies):
        raise MicrosimError(Message("--policies: each policy once"))
    if not settings.shapes or len(set(settings.shapes)) != len(settings.shapes):
        raise MicrosimError(Message("--shapes: give each curve shape once"))
    for name in settings.shapes:
        shape(name, settings.scale)
    if not 0 <= settings.displacement <= 1:
        raise MicrosimError(
            Message(
                "--displacement must be a share from 0 to 1, not {value}",
                {"value": settings.displacement},
            )
        )
    if not 0 < settings.change_effect <= 1:
        raise MicrosimError(
            Message(
                "--change-effect must be above 0 and at most 1, not {value}",
                {"value": settings.change_effect},
            )
        )
    if not 0 <= settings.change_weeks <= settings.weeks * 10:
        raise MicrosimError(
            Message(
                "--change-weeks must be from 0 to {high}, not {value}",
                {"high": settings.weeks * 10, "value": settings.change_weeks},
            )
        )
    if settings.seed < 0:
        raise MicrosimError(
            Message("--seed must be 0 or more, not {value}", {"value": settings.seed})
        )


def scenarios(settings: Settings) -> tuple[Scenario, ...]:
    return tuple(Scenario(s, p) for s in settings.shapes for p in settings.policies)


def simulate(cal: Calibration, settings: Settings, tick: Tick | None = None) -> Result:
    """Every policy under every shape, ``settings.reps`` times (over ``settings.workers``
    processes; the same numbers with any number of workers)."""
    check(settings)
    draws = np.empty((settings.reps, len(scenarios(settings)), len(METRICS)))
    chunks = _chunks(settings.reps, settings.workers)
    if settings.workers == 1 or len(chunks) == 1:
        for reps in chunks:
            draws[reps.start : reps.stop] = replications(cal, settings, reps)
            if tick:
                tick(len(reps))
    else:
        with ProcessPoolExecutor(max_workers=settings.workers) as pool:
            futures = {pool.submit(replications, cal, settings, reps): reps for reps in chunks}
            for future in as_completed(futures):
                reps = futures[future]
                draws[reps.start : reps.stop] = future.result()
                if tick:
                    tick(len(reps))
    return Result(settings, cal, scenarios(settings), draws)


def _chunks(reps: int, workers: int) -> list[range]:
    """Replications in chunks: several per worker, so the bar moves and the load evens out."""
    size = max(1, math.ceil(reps / (workers * 8))) if workers > 1 else max(1, math.ceil(reps / 20))
    return [range(i, min(i + size, reps)) for i in range(0, reps, size)]


def replications(cal: Calibration, settings: Settings, reps: Sequence[int]) -> np.ndarray:
    """Replications ``reps`` (indices into the seed's children): (len(reps), scenarios,
    METRICS)."""
    model = _Model(cal, settings)
    out = np.empty((len(reps), len(model.scenarios), len(METRICS)))
    for i, r in enumerate(reps):
        rng = np.random.default_rng(np.random.SeedSequence(settings.seed, spawn_key=(r,)))
        out[i] = model.replication(rng)
    return out


class _Model:
    """The calibrated hazards and the settings, ready for replications."""

    def __init__(self, cal: Calibration, settings: Settings) -> None:
        self.cal, self.settings = cal, settings
        self.scenarios = scenarios(settings)
        self.changes = settings.change_effect < 1 and settings.change_weeks > 0
        # per week, (groups, destinations), before the change windows lower them
        self.hazards = np.asarray(cal.hazards) * (self._debias() if self.changes else 1.0)
        self.long_share = cal.shares[1]
        # per policy, caseworker changes a week per citizen: the register's other changes,
        # the handoffs scaled to the policy's role model, and its staff turnover
        self.rate_of = {p: changes_per_year(cal, p) / WEEKS_PER_YEAR for p in settings.policies}
        self.rates = set(self.rate_of.values())
        self.multipliers = {
            (sc.shape, sc.policy): shape(sc.shape, settings.scale).multipliers(
                sc.policy.caseload, cal.caseload
            )
            for sc in self.scenarios
        }

    def _debias(self) -> float:
        """The register's hazards are averages over time with and without a recent change;
        the simulation's own change windows lower them again. Divide that out: over the
        calibration window W, the expected time in windows (changes at the calibrated rate
        rho from the start, each lasting D) is D - (1 - exp(-rho D)) / rho + (W - D)(1 -
        exp(-rho D)) (for W >= D), so the clock runs W - (1 - phi) x that on average."""
        s, cal = self.settings, self.cal
        rho = (cal.change_rate + cal.staff_turnover) / WEEKS_PER_YEAR
        w, d = cal.weeks, min(s.change_weeks, cal.weeks)
        if rho <= 0 or w <= 0:
            return 1.0
        inside = d - (1 - math.exp(-rho * d)) / rho + (w - d) * (1 - math.exp(-rho * d))
        return w / (w - (1 - s.change_effect) * inside)

    def replication(self, rng: np.random.Generator) -> np.ndarray:
        s, weeks = self.settings, float(self.settings.weeks)
        n = s.citizens
        k = int(rng.poisson(self.cal.entrant_rate * n * weeks)) if s.entrants else 0
        # citizens in group order: the first day's long-term recipients, the first day's
        # others, then the entrants (new spells: under 3 years)
        n_long = int(rng.binomial(n, self.long_share))
        start = np.concatenate([np.zeros(n), rng.random(k) * weeks])
        group = np.zeros(n + k, np.intp)
        group[:n_long] = 1
        slices = (slice(n_long, n + k), slice(0, n_long))
        expo = rng.standard_exponential(n + k)
        uniform = rng.random(n + k)
        clocks = self._clocks(rng, start, weeks)
        out = np.zeros((len(self.scenarios), len(METRICS)))
        reference: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        drawn: dict[tuple[bytes, float], tuple[np.ndarray, np.ndarray]] = {}
        for j, sc in enumerate(self.scenarios):
            multipliers = self.multipliers[(sc.shape, sc.policy)]
            rates = self.hazards * multipliers  # (groups, destinations)
            total = rates.sum(axis=1)
            cumulative = np.cumsum(rates, axis=1) / total[:, None]
            same = (multipliers.tobytes(), self.rate_of[sc.policy])
            if same not in drawn:  # shape none: every policy draws the same
                y = np.empty(n + k)
                for g, part in enumerate(slices):
                    y[part] = np.minimum(expo[part] / total[g], weeks)
                t = clocks[self.rate_of[sc.policy]].exit_times(start, y)
                drawn[same] = (t, _causes(cumulative, slices, uniform, t < weeks))
            t, cause = drawn[same]
            helped = displaced = 0
            if sc.policy == s.policies[0]:
                reference[sc.shape] = (t, cause)
            elif s.displacement > 0:
                t, cause, helped, displaced = _displace(
                    rng,
                    reference[sc.shape],
                    (t, cause),
                    group,
                    total,
                    cumulative,
                    weeks,
                    s.displacement,
                )
            out[j] = self._metrics(sc.policy, start, t, cause, n, weeks, helped, displaced)
        self._net(out)
        return out

    def _clocks(
        self, rng: np.random.Generator, start: np.ndarray, weeks: float
    ) -> dict[float, _Clock]:
        """Per staff turnover in the policies, each citizen's caseworker changes as windows of
        lower hazard; a lower rate keeps a subset of the highest rate's changes (thinning)."""
        top = max(self.rates)
        if not self.changes or top <= 0:  # no caseworker changes at all (a register without)
            return {rate: _Clock.plain() for rate in self.rates}
        counts = rng.poisson(top * (weeks - start))
        owner = np.repeat(np.arange(len(start)), counts)
        times = start[owner] + rng.random(len(owner)) * (weeks - start[owner])
        marks = rng.random(len(owner))
        return {
            rate: _Clock.of(owner[keep], times[keep], start, self.settings)
            for rate in self.rates
            for keep in [marks < rate / top]
        }

    def _metrics(
        self,
        policy: Policy,
        start: np.ndarray,
        t: np.ndarray,
        cause: np.ndarray,
        n: int,
        weeks: float,
        helped: int,
        displaced: int,
    ) -> np.ndarray:
        costs = self.settings.costs
        row = np.zeros(len(METRICS))
        exited = t < weeks
        d = len(DESTINATIONS)
        row[:d] = np.bincount(cause[exited], minlength=d)
        row[d] = row[:d].sum()
        row[d + 1 : 2 * d + 1] = np.bincount(cause[:n][exited[:n]], minlength=d)
        row[2 * d + 1] = row[d + 1 : 2 * d + 1].sum()
        on = np.minimum(t, weeks) - start
        months = on.sum() * 7 / DAYS_PER_MONTH
        row[INDEX["months"]] = months
        row[INDEX["cohort_months"]] = on[:n].sum() * 7 / DAYS_PER_MONTH
        row[INDEX["entrants"]] = len(start) - n
        fte = on.sum() / weeks / policy.caseload
        row[INDEX["fte"]] = fte
        row[INDEX["staff_cost"]] = fte * costs.salary_per_fte_year * weeks / WEEKS_PER_YEAR
        row[INDEX["benefit_cost"]] = months * costs.per_month
        row[INDEX["transfer_cost"]] = months * costs.transfer
        row[INDEX["helped"]] = helped
        row[INDEX["displaced"]] = displaced
        return row

    def _net(self, out: np.ndarray) -> None:
        """Benefit costs saved minus extra staff cost, against the reference (same shape)."""
        ref = self.settings.policies[0]
        b, st = INDEX["benefit_cost"], INDEX["staff_cost"]
        for j, sc in enumerate(self.scenarios):
            k = self.scenarios.index(Scenario(sc.shape, ref))
            out[j, INDEX["net"]] = (out[k, b] - out[j, b]) - (out[j, st] - out[k, st])


def _causes(
    cumulative: np.ndarray, slices: Sequence[slice], uniform: np.ndarray, exited: np.ndarray
) -> np.ndarray:
    """Each leaver's destination (index into DESTINATIONS; -1 while on kontanthjælp): where
    its uniform falls among its group's cumulative hazard shares."""
    cause = np.full(len(uniform), -1, np.intp)
    last = cumulative.shape[1] - 1
    for g, part in enumerate(slices):
        ids = np.flatnonzero(exited[part]) + (part.start or 0)
        found = np.searchsorted(cumulative[g], uniform[ids], side="right")
        cause[ids] = np.minimum(found, last)
    return cause


def _cause_one(cumulative: np.ndarray, group: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Destinations of a few citizens of mixed groups."""
    last = cumulative.shape[1] - 1
    found = (uniform[:, None] >= cumulative[group]).sum(axis=1)
    return np.asarray(np.minimum(found, last))


def _displace(
    rng: np.random.Generator,
    reference: tuple[np.ndarray, np.ndarray],
    drawn: tuple[np.ndarray, np.ndarray],
    group: np.ndarray,
    total: np.ndarray,
    cumulative: np.ndarray,
    weeks: float,
    share: float,
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Take ``share`` of the helped job exits from other job leavers (see the module)."""
    job = DESTINATIONS.index("job")
    t, cause = drawn
    ref_t, ref_cause = reference
    to_job = (t < weeks) & (cause == job)
    helped = to_job & ~((ref_t < weeks) & (ref_cause == job))
    n_helped = int(helped.sum())
    others = np.flatnonzero(to_job & ~helped)
    n_taken = min(int(rng.binomial(n_helped, share)), len(others))
    if n_taken == 0:
        return t, cause, n_helped, 0
    taken = rng.choice(others, n_taken, replace=False)
    t, cause = t.copy(), cause.copy()
    t[taken] = t[taken] + rng.standard_exponential(n_taken) / total[group[taken]]
    cause[taken] = np.where(
        t[taken] < weeks, _cause_one(cumulative, group[taken], rng.random(n_taken)), -1
    )
    return t, cause, n_helped, n_taken


@dataclass(frozen=True)
class _Clock:
    """Each citizen's cumulative hazard clock A(t): it runs at rate 1, and at rate
    ``change_effect`` in the windows after a caseworker change (merged where they overlap).
    Only citizens with a window have breakpoints: ``who`` (sorted citizen indices), and per
    breakpoint its citizen's rank in ``who``, its time, A there and the slope after it."""

    who: np.ndarray
    keys: np.ndarray
    at: np.ndarray
    clock: np.ndarray
    slope: np.ndarray
    span: float
    """Wider than any citizen's clock: keys = rank × span + A, sorted."""

    @classmethod
    def plain(cls) -> _Clock:
        empty = np.empty(0)
        return cls(np.empty(0, np.intp), empty, empty, empty, empty, 1.0)

    @classmethod
    def of(cls, owner: np.ndarray, times: np.ndarray, start: np.ndarray, s: Settings) -> _Clock:
        if len(owner) == 0:
            return cls.plain()
        # owners come sorted (np.repeat); sort the times within each owner by one key
        width = float(s.weeks) + 1.0
        keys = np.sort(owner * width + times)
        owner = (keys // width).astype(np.intp)
        times = keys - owner * width
        new = np.ones(len(owner), bool)
        new[1:] = (owner[1:] != owner[:-1]) | (times[1:] - times[:-1] >= s.change_weeks)
        firsts = np.flatnonzero(new)
        lasts = np.r_[firsts[1:] - 1, len(owner) - 1]
        a, b, who_of = times[firsts], times[lasts] + s.change_weeks, owner[firsts]
        length = b - a
        # time lost to the windows before each one, within its citizen
        lost = np.cumsum(length) - length
        citizen_first = np.r_[True, who_of[1:] != who_of[:-1]]
        lost -= np.maximum.accumulate(np.where(citizen_first, lost, 0.0))
        phi = s.change_effect
        a_clock = a - start[who_of] - (1 - phi) * lost
        b_clock = a_clock + phi * length
        who = who_of[citizen_first]
        rank = np.cumsum(citizen_first) - 1
        # per citizen in rank order: its start, then each window's start and end
        size = len(who) + 2 * len(a)
        at, clock, slope = np.empty(size), np.empty(size), np.ones(size)
        ranks = np.empty(size, np.intp)
        begin = np.arange(len(who)) + 2 * np.flatnonzero(citizen_first)
        block = rank + 2 * np.arange(len(a)) + 1
        at[begin], clock[begin], ranks[begin] = start[who], 0.0, np.arange(len(who))
        at[block], clock[block], slope[block], ranks[block] = a, a_clock, phi, rank
        at[block + 1], clock[block + 1], ranks[block + 1] = b, b_clock, rank
        span = float(s.weeks) + s.change_weeks + 1.0
        return cls(who, ranks * span + clock, at, clock, slope, span)

    def exit_times(self, start: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The time each citizen's clock reaches ``y`` (y below ``span``)."""
        t: np.ndarray = start + y
        if len(self.who) == 0:
            return t
        wanted = y[self.who]
        j = np.searchsorted(self.keys, np.arange(len(self.who)) * self.span + wanted, "right") - 1
        t[self.who] = self.at[j] + (wanted - self.clock[j]) / self.slope[j]
        return t


def to_json(result: Result) -> dict[str, Any]:
    """Settings, calibration, and per shape and policy every metric's distribution."""
    from caseload.plan.calibrate import to_json as calibration_json

    s = result.settings
    rows = []
    for sc in result.scenarios:
        rows.append(
            {
                "shape": sc.shape,
                "policy": sc.policy.label,
                "caseload": sc.policy.caseload,
                "staff_turnover": result.calibration.staff_turnover
                if sc.policy.turnover is None
                else sc.policy.turnover,
                "role_model": sc.policy.role_model or result.calibration.role_model,
                "changes_per_year": changes_per_year(result.calibration, sc.policy),
                "multipliers": dict(
                    zip(
                        DESTINATIONS,
                        shape(sc.shape, s.scale)
                        .multipliers(sc.policy.caseload, result.calibration.caseload)
                        .tolist(),
                        strict=True,
                    )
                ),
                **{m: result.summary(sc.shape, sc.policy, m) for m in METRICS},
            }
        )
    return {
        "settings": {
            "policies": [p.label for p in s.policies],
            "reference": s.policies[0].label,
            "shapes": list(s.shapes),
            "citizens": s.citizens,
            "weeks": s.weeks,
            "reps": s.reps,
            "seed": s.seed,
            "workers": s.workers,
            "displacement": s.displacement,
            "change_effect": s.change_effect,
            "change_weeks": s.change_weeks,
            "scale": s.scale,
            "entrants": s.entrants,
            "costs": {
                "transfer": s.costs.transfer,
                "activation": s.costs.activation,
                "casework": s.costs.casework,
                "salary_per_fte_year": s.costs.salary_per_fte_year,
            },
            "percentiles": list(PERCENTILES),
        },
        "shapes": {
            name: {
                "ratios_at_50_vs_130": dict(
                    zip(DESTINATIONS, shape(name, s.scale).ratios, strict=True)
                ),
                "source": shape(name, s.scale).source,
            }
            for name in s.shapes
        },
        "calibration": calibration_json(result.calibration),
        "results": rows,
    }


def response_curve(
    cal: Calibration, shape_name: str, caseloads: Sequence[float], scale: float = SCALE
) -> list[tuple[float, float]]:
    """(caseload, the first day's citizens' total exit hazard relative to the calibration
    point) for the figure of the caseload-response curves."""
    hazards = np.asarray(cal.hazards)
    weights = np.asarray(cal.shares)
    base = float(weights @ hazards.sum(axis=1))
    curve = shape(shape_name, scale)
    return [
        (
            float(c),
            float(weights @ (hazards * curve.multipliers(c, cal.caseload)).sum(axis=1)) / base,
        )
        for c in caseloads
    ]
