"""Who holds which citizen: a min-cost flow that keeps caps, continuity, district and balance.

The objective is lexicographic, in cost points per citizen (``Preferences``):

1. hard caps: a citizen is left unplaced only when the capacity is not there at all;
2. the fewest caseworker changes: a citizen leaves their current professional only when
   that professional is over their cap or away;
3. a citizen without a contact goes back to the professional they had before;
4. the citizen's district;
5. an even weighted load: the sum over professionals of load² / capacity, whose optimum
   gives everyone the same load share (part-timers and new staff pro rata).

Caps count weighted load (``domain.load``). Flow units are weight units (weights scaled to
whole numbers), citizens are grouped by (current or previous professional, weight,
district), and pools per weight and district connect groups to professionals, so the network
has a few arcs per professional rather than one per citizen-professional pair (OR-Tools'
SimpleMinCostFlow solves 100,000 citizens in about a second). A weight-unit flow can split
one heavy citizen between two professionals; the split ones are rounded down and placed in
what capacity is left, so a cap is never broken.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from ortools.graph.python import min_cost_flow

RESOLUTION = 1000
"""Internal cost units per cost point (the balance term needs the finer grain)."""


@dataclass(frozen=True)
class Seat:
    """A professional who may hold citizens in the role being planned."""

    id: int
    code: str
    capacity: float
    """Weighted load they may carry (the effective cap); 0 when they have left or are away."""
    district: str | None = None
    away: str | None = None
    """Why the capacity is 0: ``staff_exit`` or ``staff_leave`` (the reason of moves out)."""


@dataclass(frozen=True)
class Case:
    """A citizen to be held: their weight, district and professionals now and before."""

    id: int
    code: str
    weight: float = 1.0
    district: str | None = None
    current: int | None = None
    since: date | None = None
    """When the current professional took over (the longest relations are kept)."""
    previous: int | None = None
    """For a citizen without a current professional: the one they had most recently; for
    one whose professional is away: the colleague covering meanwhile (seed 004)."""


@dataclass(frozen=True)
class Preferences:
    """Cost points per citizen; the defaults make the order of the module docstring strict."""

    change: int = 1_000_000
    previous: int = 10_000
    district: int = 100
    balance: int = 1
    unplaced: int = 100_000_000


@dataclass(frozen=True)
class Move:
    citizen: int
    code: str
    origin: int | None
    target: int
    reason: str


@dataclass
class Plan:
    holder: dict[int, int | None]
    """Citizen id → professional id (None: could not be placed within the caps)."""
    moves: list[Move]
    seconds: float = 0.0
    method: str = "min_cost_flow"
    loads: dict[int, float] = field(default_factory=dict)

    @property
    def unplaced(self) -> list[int]:
        return sorted(c for c, p in self.holder.items() if p is None)

    @property
    def changes(self) -> int:
        """Caseworker changes: moves of citizens who had a professional."""
        return sum(1 for m in self.moves if m.origin is not None)


def weight_scale(weights: Sequence[float]) -> int:
    """The smallest whole number that makes every weight whole (100 at most, then rounded)."""
    for scale in range(1, 101):
        if all(abs(w * scale - round(w * scale)) < 1e-9 for w in weights):
            return scale
    return 100


def loads_of(
    seats: Sequence[Seat], cases: Sequence[Case], holder: dict[int, int | None]
) -> dict[int, float]:
    load = {s.id: 0.0 for s in seats}
    weight = {c.id: c.weight for c in cases}
    for citizen, seat in holder.items():
        if seat is not None:
            load[seat] = load.get(seat, 0.0) + weight[citizen]
    return load


def spread(seats: Sequence[Seat], loads: dict[int, float]) -> float:
    """Standard deviation of utilisation (load / capacity) over the professionals present."""
    shares = [loads.get(s.id, 0.0) / s.capacity for s in seats if s.capacity > 0]
    return float(np.std(shares)) if shares else 0.0


class _Network:
    def __init__(self) -> None:
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.capacities: list[int] = []
        self.costs: list[int] = []
        self.nodes = 0

    def node(self) -> int:
        self.nodes += 1
        return self.nodes - 1

    def arc(self, tail: int, head: int, capacity: int, cost: int) -> int:
        self.tails.append(tail)
        self.heads.append(head)
        self.capacities.append(capacity)
        self.costs.append(cost)
        return len(self.tails) - 1


def plan(
    seats: Sequence[Seat],
    cases: Sequence[Case],
    prefer: Preferences | None = None,
    reason: str = "reallocation",
) -> Plan:
    """The best holder of every case under the caps; ``reason`` names moves from a
    professional who is present but over their cap (away ones give their own reason)."""
    started = time.perf_counter()
    prefer = prefer or Preferences()
    seat_by_id = {s.id: s for s in seats}
    scale = weight_scale([c.weight for c in cases] or [1.0])
    units = {c.id: max(1, round(c.weight * scale)) for c in cases}
    net = _Network()
    sink = net.node()
    seat_node = {s.id: net.node() for s in seats}

    def per_unit(points: int, weight_units: int) -> int:
        return round(points * RESOLUTION * scale / weight_units)

    # balance in steps of one weight-1 citizen, convex so the cheapest steps fill first
    for s in seats:
        cap_units = math.floor(s.capacity * scale + 1e-9)
        if cap_units <= 0:
            continue
        steps = math.ceil(cap_units / scale)
        for j in range(steps):
            size = min(scale, cap_units - j * scale)
            # Σ load² / capacity: its marginal cost grows with the load share, so the
            # optimum evens load / capacity (part-timers and new staff pro rata)
            marginal = prefer.balance * RESOLUTION * (2 * j + 1) / steps
            net.arc(seat_node[s.id], sink, size, round(marginal / scale))

    def present(pid: int | None) -> bool:
        return pid is not None and pid in seat_by_id and seat_by_id[pid].capacity > 0

    # groups of interchangeable citizens
    groups: dict[tuple[int | None, int | None, int, str | None], list[Case]] = defaultdict(list)
    for c in cases:
        previous = c.previous if not present(c.current) else None
        groups[(c.current, previous, units[c.id], c.district)].append(c)

    pools: dict[tuple[int, str | None], int] = {}
    by_district: dict[str | None, list[Seat]] = defaultdict(list)
    for s in seats:
        if s.capacity > 0:
            by_district[s.district].append(s)

    def pool(w: int, district: str | None) -> int:
        key = (w, district)
        if key not in pools:
            pools[key] = node = net.node()
            if district is None:  # the pool every district's overflow reaches
                for s in seats:
                    if s.capacity > 0:
                        net.arc(node, seat_node[s.id], 1 << 40, 0)
            else:
                for s in by_district.get(district, []):
                    net.arc(node, seat_node[s.id], 1 << 40, 0)
                net.arc(node, pool(w, None), 1 << 40, per_unit(prefer.district, w))
        return pools[key]

    supplies: dict[int, int] = {}
    group_arcs: dict[
        tuple[int | None, int | None, int, str | None], tuple[int | None, int | None]
    ] = {}
    for key, members in groups.items():
        current, previous, w, district = key
        node = net.node()
        supplies[node] = len(members) * w
        total = len(members) * w
        anchor_arc = None
        # stay with the professional now, else go (back) to the one preferred
        anchor = current if present(current) else previous
        if anchor is not None and present(anchor):
            moved = anchor != current
            points = prefer.change if moved and current is not None else 0
            if moved and district is not None and seat_by_id[anchor].district != district:
                points += prefer.district
            anchor_arc = net.arc(node, seat_node[anchor], total, per_unit(points, w))
        else:
            anchor = None
        leave_points = (prefer.change if current is not None else 0) + (
            prefer.previous if previous is not None else 0
        )
        net.arc(node, pool(w, district), total, per_unit(leave_points, w))
        net.arc(node, sink, total, per_unit(prefer.unplaced, w))
        group_arcs[key] = (anchor_arc, anchor)
    demand = sum(supplies.values())

    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        np.array(net.tails, dtype=np.int64),
        np.array(net.heads, dtype=np.int64),
        np.array(net.capacities, dtype=np.int64),
        np.array(net.costs, dtype=np.int64),
    )
    nodes = np.array([*supplies.keys(), sink], dtype=np.int64)
    solver.set_nodes_supplies(nodes, np.array([*supplies.values(), -demand], dtype=np.int64))
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"the allocation network could not be solved (status {status})")
    flows = solver.flows(arcs)

    holder: dict[int, int | None] = {}
    load = {s.id: 0.0 for s in seats}
    leavers: dict[tuple[int, str | None], list[Case]] = defaultdict(list)
    for key, members in groups.items():
        current, previous, w, district = key
        anchor_arc, anchor = group_arcs[key]
        stay = int(flows[anchor_arc]) // w if anchor_arc is not None else 0
        # the longest relations stay; the most recent ones move
        ordered = sorted(members, key=lambda c: (c.since or date.min, c.id))
        for c in ordered[:stay]:
            holder[c.id] = anchor
            load[anchor] += c.weight  # type: ignore[index]
        leavers[(w, district)].extend(ordered[stay:])
    # whole-citizen rounding can leave room with a citizen's own professional (a flow split
    # between two of their groups): those who still fit stay, longest relations first
    if any(c.current is not None for c in cases):
        for pool_key in list(leavers):
            left_over = []
            for c in leavers[pool_key]:
                seat = seat_by_id.get(c.current) if c.current is not None else None
                if seat is not None and load[seat.id] + c.weight <= seat.capacity + 1e-9:
                    holder[c.id] = seat.id
                    load[seat.id] += c.weight
                else:
                    left_over.append(c)
            leavers[pool_key] = left_over

    # arrivals per pool and professional, in whole citizens
    arrivals: dict[tuple[int, str | None], list[list[int]]] = defaultdict(list)
    node_seat = {n: sid for sid, n in seat_node.items()}
    pool_of_node = {n: key for key, n in pools.items()}
    for i, (tail, head) in enumerate(zip(net.tails, net.heads, strict=True)):
        if tail in pool_of_node and head in node_seat and flows[i] > 0:
            w, district = pool_of_node[tail]
            arrivals[(w, district)].append([node_seat[head], int(flows[i]) // w])

    def place(queue: list[Case], key: tuple[int, str | None]) -> list[Case]:
        waiting = list(reversed(queue))
        for slot in arrivals.get(key, []):
            sid = slot[0]
            while slot[1] > 0 and waiting:
                c = waiting[-1]
                if load[sid] + c.weight > seat_by_id[sid].capacity + 1e-9:
                    break
                waiting.pop()
                slot[1] -= 1
                holder[c.id] = sid
                load[sid] += c.weight
        return list(reversed(waiting))

    left: list[Case] = []
    overflow: dict[int, list[Case]] = defaultdict(list)
    for (w, district), waiting in leavers.items():
        rest = waiting if district is None else place(waiting, (w, district))
        overflow[w].extend(rest)
    # the job-centre-wide pool takes the citizens without a district and any overflow
    for w, waiting in overflow.items():
        left.extend(place(waiting, (w, None)))
    # what rounding left over: current holder first, then the same district, then most room
    _fit_rest(left, seats, load, holder)

    moves = moves_of(cases, holder, seat_by_id, reason)
    return Plan(holder, moves, time.perf_counter() - started, "min_cost_flow", load)


def _fit_rest(
    left: list[Case], seats: Sequence[Seat], load: dict[int, float], holder: dict[int, int | None]
) -> None:
    """Place the citizens the whole-citizen rounding left over, heaviest first: back with
    their current (or previous) professional if there is room, else in their district with
    the lowest load share, else anywhere with room; None when no one has room."""
    if not left:
        return
    index = {s.id: i for i, s in enumerate(seats)}
    capacity = np.array([s.capacity for s in seats], dtype=float)
    loads = np.array([load[s.id] for s in seats], dtype=float)
    districts = np.array([s.district or "" for s in seats], dtype=object)
    safe = np.where(capacity > 0, capacity, 1.0)
    for c in sorted(left, key=lambda c: (-c.weight, c.id)):
        room = capacity - loads + 1e-9 >= c.weight
        room &= capacity > 0
        chosen = None
        for sid in (c.current, c.previous):
            if sid is not None and sid in index and room[index[sid]]:
                chosen = index[sid]
                break
        if chosen is None and room.any():
            other = (districts != (c.district or "")).astype(float) if c.district else 0.0
            score = np.where(room, other + loads / safe / 2.0, np.inf)
            chosen = int(np.argmin(score))
        if chosen is None:
            holder[c.id] = None
            continue
        holder[c.id] = seats[chosen].id
        loads[chosen] += c.weight
        load[seats[chosen].id] += c.weight


def moves_of(
    cases: Sequence[Case],
    holder: dict[int, int | None],
    seat_by_id: dict[int, Seat],
    reason: str,
) -> list[Move]:
    moves = []
    for c in cases:
        target = holder.get(c.id)
        if target is None or target == c.current:
            continue
        if c.current is None:
            why = "intake" if c.previous in (None, target) else "reallocation"
        else:
            seat = seat_by_id.get(c.current)
            why = seat.away if seat is not None and seat.away else reason
        moves.append(Move(c.id, c.code, c.current, target, why))
    return moves
