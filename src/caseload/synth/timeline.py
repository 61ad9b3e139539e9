"""Who sits on which caseload when: slots, their occupants and their owners.

A caseworker's caseload is a set of *slots*; a slot holds one citizen at a time,
so a caseload never exceeds its cap. A slot's occupant leaves when they leave
kontanthjælp; the slot is then refilled after a vacancy: a coordinating
caseworker's slot by a new citizen (a later entrant), a company consultant's
slot by a handoff from a coordinating caseworker in the same department.
A slot's *owner* changes when its caseworker leaves (the replacement takes
over every slot) or when two caseworkers swap citizens (reallocation): both
are caseworker changes for the citizens concerned, and loads stay unchanged.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl

from caseload.synth import calibration as cal

KS, VK = "coordinating_caseworker", "company_consultant"


@dataclass
class Occupancies:
    """Growing lists of (citizen, slot, start, end, reason) and of later entrants."""

    citizen: list[int] = field(default_factory=list)
    slot: list[int] = field(default_factory=list)
    start: list[date] = field(default_factory=list)
    end: list[date | None] = field(default_factory=list)
    reason: list[str] = field(default_factory=list)

    def add(self, citizen: int, slot: int, start: date, end: date | None, reason: str) -> None:
        self.citizen.append(citizen)
        self.slot.append(slot)
        self.start.append(start)
        self.end.append(end)
        self.reason.append(reason)

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "citizen": self.citizen,
                "slot": self.slot,
                "start": self.start,
                "end": self.end,
                "reason": self.reason,
            },
            schema={
                "citizen": pl.Int64,
                "slot": pl.Int64,
                "start": pl.Date,
                "end": pl.Date,
                "reason": pl.Utf8,
            },
        )


@dataclass
class Entrant:
    slot: int
    entry: date


def occupy(
    slots: pl.DataFrame,
    exits: list[date | None],
    entrant_exit: EntrantExit,
    rng: np.random.Generator,
    first_entrant: int,
) -> tuple[Occupancies, list[Entrant]]:
    """Run every department's slots from the cohort date to the window's end.

    ``exits[i]`` is initial occupant i's (= slot i's) exit date or None. Entrants get
    ids from ``first_entrant`` on; ``entrant_exit`` draws their exit dates.
    """
    occ = Occupancies()
    entrants: list[Entrant] = []
    role = slots.get_column("role").to_list()
    dept = slots.get_column("department").to_list()
    ks_by_dept: dict[str, list[int]] = {}
    for s, (r, d) in enumerate(zip(role, dept, strict=True)):
        if r == KS:
            ks_by_dept.setdefault(d, []).append(s)
    # per slot: current occupant, since when, why, and a version to drop stale exit events
    current: list[int | None] = list(range(len(slots)))
    since = [cal.START] * len(slots)
    why = ["intake"] * len(slots)
    version = [0] * len(slots)
    leave: dict[int, date | None] = dict(enumerate(exits))
    events: list[tuple[date, int, str, int, int]] = []
    for s, ex in enumerate(exits):
        if ex is not None:
            heapq.heappush(events, (ex, 0, "exit", s, 0))
    low, high = cal.ASSUMED.vacancy_days
    gaps = iter(rng.integers(low, high + 1, 4 * len(slots) + 16).tolist())

    def gap() -> timedelta:
        # drawn in bulk: one generator call per event would dominate the run time
        return timedelta(days=next(gaps))

    while events:
        day, _, kind, s, ver = heapq.heappop(events)
        if kind == "exit":
            if ver != version[s] or current[s] is None:
                continue
            c = current[s]
            assert c is not None
            occ.add(c, s, since[s], day, why[s])
            current[s] = None
            refill = day + gap()
            if refill <= cal.LAST_EXIT:
                heapq.heappush(events, (refill, 1, "fill", s, version[s]))
            continue
        # fill
        if role[s] == VK:
            taken = _handoff(day, dept[s], ks_by_dept, current, since, leave, rng)
            if taken is not None:
                k, c = taken
                occ.add(c, k, since[k], day - timedelta(days=1), why[k])
                current[k], version[k] = None, version[k] + 1
                heapq.heappush(events, (day + gap(), 1, "fill", k, version[k]))
                _seat(s, c, day, "handoff", current, since, why, version, leave, events)
                continue
        c = first_entrant + len(entrants)
        entrants.append(Entrant(s, day))
        leave[c] = entrant_exit(s, day)
        _seat(s, c, day, "intake", current, since, why, version, leave, events)
    for s, c in enumerate(current):
        if c is not None:
            occ.add(c, s, since[s], None, why[s])
    return occ, entrants


def _seat(
    s: int,
    c: int,
    day: date,
    reason: str,
    current: list[int | None],
    since: list[date],
    why: list[str],
    version: list[int],
    leave: dict[int, date | None],
    events: list[tuple[date, int, str, int, int]],
) -> None:
    current[s], since[s], why[s] = c, day, reason
    version[s] += 1
    ex = leave.get(c)
    if ex is not None:
        heapq.heappush(events, (ex, 0, "exit", s, version[s]))


def _handoff(
    day: date,
    department: str,
    ks_by_dept: dict[str, list[int]],
    current: list[int | None],
    since: list[date],
    leave: dict[int, date | None],
    rng: np.random.Generator,
) -> tuple[int, int] | None:
    """A citizen ready for company work: one on a coordinating caseworker's caseload."""
    candidates = ks_by_dept.get(department, [])
    if not candidates:
        return None
    for pick in rng.integers(len(candidates), size=8).tolist():
        k = candidates[pick]
        c = current[k]
        ex = leave.get(c) if c is not None else None
        # someone seated before today and not about to leave
        if c is not None and since[k] < day and (ex is None or ex > day + timedelta(days=30)):
            return k, c
    return None


class EntrantExit:
    """Exit dates of later entrants: exponential durations with each arm's short-term rate."""

    def __init__(
        self,
        rng: np.random.Generator,
        slot_arm: list[str],
        hazard: Mapping[str, float] | None = None,
    ):
        """``hazard`` multiplies an arm's rate (a job centre unlike Copenhagen)."""
        self.rng = rng
        months = (cal.LAST_EXIT - cal.START).days / 30.44
        targets = cal.arm_targets()
        self.rate = {
            arm: -np.log(1 - targets[arm].exit_probability(False)) / months
            for arm in ("trial", "control")
        }
        for arm, h in (hazard or {}).items():
            if h != 1.0:
                self.rate[arm] *= h
        self.slot_arm = slot_arm
        self.unit: Iterator[float] = iter(())  # standard exponential draws, refilled in bulk

    def _draw(self) -> float:
        try:
            return next(self.unit)
        except StopIteration:
            self.unit = iter(self.rng.exponential(1.0, 65536).tolist())
            return next(self.unit)

    def __call__(self, slot: int, entry: date) -> date | None:
        months = self._draw() / self.rate[self.slot_arm[slot]]
        out = entry + timedelta(days=int(months * 30.44) + 1)
        return out if out <= cal.LAST_EXIT else None
