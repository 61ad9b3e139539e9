"""Whose caseload a slot belongs to over time: staff exits with replacements, and swaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from caseload.synth import calibration as cal
from caseload.synth.population import FIRST, LAST

_PERIODS = (
    (date(2018, 1, 1), date(2018, 12, 31), "2018-05-01"),
    (date(2019, 1, 1), cal.WINDOW_END, "2019-01-01"),
)
"""Simulation periods and the published period whose monthly turnover rate they use."""


@dataclass
class Owners:
    segments: pl.DataFrame
    """slot, from_date, to_date (inclusive, null = open), staff, reason."""
    staff: pl.DataFrame
    """All staff, replacements included, with end_date and exit_kind."""


def _uniform_days(rng: np.random.Generator, first: date, last: date, count: int) -> list[date]:
    offsets = rng.integers(0, (last - first).days + 1, count).tolist()
    return [first + timedelta(days=o) for o in offsets]


def simulate(slots: pl.DataFrame, staff: pl.DataFrame, rng: np.random.Generator) -> Owners:
    names = {d.code: d.name for d in cal.departments()}
    owner = slots.get_column("staff").to_list()
    slot_dept = slots.get_column("department").to_list()
    slot_role = slots.get_column("role").to_list()
    slot_arm = slots.get_column("arm").to_list()
    history: list[list[tuple[date, str, str]]] = [[(cal.START, o, "intake")] for o in owner]
    slots_of: dict[str, set[int]] = {}
    for s, o in enumerate(owner):
        slots_of.setdefault(o, set()).add(s)
    rows = {r["code"]: dict(r) | {"end_date": None, "exit_kind": None} for r in staff.to_dicts()}
    counter: dict[tuple[str, str], int] = {}
    for r in rows.values():
        key = (r["department"], r["role"])
        counter[key] = counter.get(key, 0) + 1
    groups: dict[tuple[str, str], list[int]] = {}
    for s, key in enumerate(zip(slot_dept, slot_role, strict=True)):
        groups.setdefault(key, []).append(s)
    active: dict[str, list[str]] = {}
    for code, r in rows.items():
        if code in slots_of:
            active.setdefault(r["department"], []).append(code)
    events: list[tuple[date, str, str, str]] = []
    for dept in sorted({r["department"] for r in rows.values()}):
        people = sum(1 for r in rows.values() if r["department"] == dept)
        for first, last, published_period in _PERIODS:
            share, months = cal.turnover(names[dept])[published_period]
            expected = share * people * ((last - first).days / 30.44) / months
            for kind, mean in (
                ("external", expected),
                ("internal", expected * cal.ASSUMED.internal_exits_per_external),
            ):
                for day in _uniform_days(rng, first, last, rng.poisson(mean)):
                    events.append((day, "exit", dept, kind))
    for (dept, role), group in groups.items():
        arm = slot_arm[group[0]]
        years = len(group) * (cal.LAST_EXIT - cal.START).days / 365.25
        rate = cal.ASSUMED.reallocations_per_citizen_year[arm]
        for day in _uniform_days(rng, cal.START, cal.LAST_EXIT, rng.poisson(rate * years / 2)):
            events.append((day, "swap", dept, role))
    events.sort()
    picks = iter(rng.random(2 * len(events) + 2).tolist())
    for day, kind, dept, detail in events:
        if kind == "exit":
            candidates = [c for c in active.get(dept, []) if rows[c]["start_date"] < day]
            if not candidates:
                continue
            leaver = candidates[int(rng.integers(len(candidates)))]
            active[dept].remove(leaver)
            # the leaver's last day is the day before; the replacement takes over on ``day``
            rows[leaver] |= {"end_date": day - timedelta(days=1), "exit_kind": detail}
            base = rows[leaver]
            key = (dept, base["role"])
            counter[key] += 1
            prefix = base["code"].split("-")[1]
            code = f"{dept}-{prefix}-{counter[key]:04d}"
            rows[code] = base | {
                "code": code,
                "start_date": day,
                "end_date": None,
                "exit_kind": None,
                "fte": 1.0,
                "name": f"{FIRST[counter[key] % len(FIRST)]} {LAST[7 * counter[key] % len(LAST)]}",
            }
            active[dept].append(code)
            moved = slots_of.pop(leaver, set())
            slots_of[code] = moved
            for s in moved:
                history[s].append((day, code, "staff_exit"))
        else:
            group = groups[(dept, detail)]
            a, b = group[int(next(picks) * len(group))], group[int(next(picks) * len(group))]
            oa, ob = history[a][-1][1], history[b][-1][1]
            if oa == ob:
                continue
            history[a].append((day, ob, "reallocation"))
            history[b].append((day, oa, "reallocation"))
            slots_of[oa].discard(a)
            slots_of[ob].discard(b)
            slots_of[oa].add(b)
            slots_of[ob].add(a)
    return Owners(
        _segments(history),
        pl.DataFrame(list(rows.values())).with_columns(
            pl.col("start_date", "end_date").cast(pl.Date)
        ),
    )


def _segments(history: list[list[tuple[date, str, str]]]) -> pl.DataFrame:
    slot, start, end, staff, reason = [], [], [], [], []
    for s, changes in enumerate(history):
        for i, (day, who, why) in enumerate(changes):
            nxt = changes[i + 1][0] - timedelta(days=1) if i + 1 < len(changes) else None
            if nxt is not None and nxt < day:
                continue  # replaced the same day (two swaps on one day)
            slot.append(s)
            start.append(day)
            end.append(nxt)
            staff.append(who)
            reason.append(why)
    return pl.DataFrame(
        {"slot": slot, "from_date": start, "to_date": end, "staff": staff, "reason": reason},
        schema={
            "slot": pl.Int64,
            "from_date": pl.Date,
            "to_date": pl.Date,
            "staff": pl.Utf8,
            "reason": pl.Utf8,
        },
    )
