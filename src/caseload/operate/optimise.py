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
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

from caseload.domain.load import TOLERANCE

RESOLUTION = 1000
"""Internal cost units per cost point (the balance term needs the finer grain)."""
UNLIMITED = 1 << 40
"""Capacity of arcs with no limit of their own (a pool to its professionals and to the
job-centre-wide pool): far above any department's weight units, and safe in int64 costs."""


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
        if all(abs(w * scale - round(w * scale)) < TOLERANCE for w in weights):
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


class Group(NamedTuple):
    """Citizens the flow cannot tell apart: the same professional now and before (the one
    preferred when the current one is away), weight units and district."""

    current: int | None
    previous: int | None
    units: int
    district: str | None


class Pool(NamedTuple):
    """Where citizens who leave (or have no one) wait for a professional: one per weight and
    district; district None is the job-centre-wide pool every district overflows into."""

    units: int
    district: str | None


class Anchor(NamedTuple):
    """A group's arc to the professional it stays with (or goes back to), if any."""

    arc: int | None
    seat: int | None


class Slot(NamedTuple):
    """Whole citizens of one pool that the flow sends to one professional."""

    seat: int
    citizens: int


class Network:
    """The flow network of one plan: arcs in parallel lists (the form OR-Tools takes in
    bulk), and the nodes and arcs the later steps read the flow on."""

    def __init__(self, seats: Sequence[Seat], scale: int) -> None:
        self.scale = scale
        """Weight units per weight 1 (``weight_scale``)."""
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.capacities: list[int] = []
        self.costs: list[int] = []
        self.nodes = 0
        self.sink = self.node()
        self.seat_node = {s.id: self.node() for s in seats}
        self.pools: dict[Pool, int] = {}
        self.groups: dict[Group, list[Case]] = defaultdict(list)
        self.anchors: dict[Group, Anchor] = {}
        self.supplies: dict[int, int] = {}
        """Group node → its weight units (the sink takes them all)."""

    def node(self) -> int:
        self.nodes += 1
        return self.nodes - 1

    def arc(self, tail: int, head: int, capacity: int, cost: int) -> int:
        self.tails.append(tail)
        self.heads.append(head)
        self.capacities.append(capacity)
        self.costs.append(cost)
        return len(self.tails) - 1


class _Builder:
    """Adds the arcs of ``build_network``; node and arc order is fixed, so ties between
    equally good plans are broken the same way on every run."""

    def __init__(self, seats: Sequence[Seat], prefer: Preferences, net: Network) -> None:
        self.seats = seats
        self.prefer = prefer
        self.net = net
        self.seat_by_id = {s.id: s for s in seats}
        self.by_district: dict[str | None, list[Seat]] = defaultdict(list)
        for s in seats:
            if s.capacity > 0:
                self.by_district[s.district].append(s)

    def present(self, pid: int | None) -> bool:
        return pid is not None and pid in self.seat_by_id and self.seat_by_id[pid].capacity > 0

    def per_unit(self, points: int, weight_units: int) -> int:
        """Cost per weight unit of ``points`` per citizen of ``weight_units``."""
        return round(points * RESOLUTION * self.net.scale / weight_units)

    def balance(self) -> None:
        """Arcs professional → sink in steps of one weight-1 citizen, convex so the cheapest
        steps fill first: Σ load² / capacity, whose marginal cost grows with the load share,
        so the optimum evens load / capacity (part-timers and new staff pro rata)."""
        net, scale = self.net, self.net.scale
        for s in self.seats:
            cap_units = math.floor(s.capacity * scale + TOLERANCE)
            if cap_units <= 0:
                continue
            steps = math.ceil(cap_units / scale)
            for j in range(steps):
                size = min(scale, cap_units - j * scale)
                marginal = self.prefer.balance * RESOLUTION * (2 * j + 1) / steps
                net.arc(net.seat_node[s.id], net.sink, size, round(marginal / scale))

    def pool(self, key: Pool) -> int:
        """The pool's node, made on first use with its arcs to the professionals (a
        district's pool also reaches the job-centre-wide one, at the district's cost)."""
        net = self.net
        if key not in net.pools:
            net.pools[key] = node = net.node()
            if key.district is None:
                for s in self.seats:
                    if s.capacity > 0:
                        net.arc(node, net.seat_node[s.id], UNLIMITED, 0)
            else:
                for s in self.by_district.get(key.district, []):
                    net.arc(node, net.seat_node[s.id], UNLIMITED, 0)
                wide = self.pool(Pool(key.units, None))
                net.arc(node, wide, UNLIMITED, self.per_unit(self.prefer.district, key.units))
        return net.pools[key]

    def group(self, key: Group, members: list[Case]) -> None:
        """A group's node and its three ways out: stay with the professional now (or go back
        to the one preferred), wait in its pool, or stay unplaced."""
        net, prefer = self.net, self.prefer
        current, previous, w, district = key
        node = net.node()
        total = len(members) * w
        net.supplies[node] = total
        anchor_arc = None
        anchor = current if self.present(current) else previous
        if anchor is not None and self.present(anchor):
            moved = anchor != current
            points = prefer.change if moved and current is not None else 0
            if moved and district is not None and self.seat_by_id[anchor].district != district:
                points += prefer.district
            anchor_arc = net.arc(node, net.seat_node[anchor], total, self.per_unit(points, w))
        else:
            anchor = None
        leave_points = (prefer.change if current is not None else 0) + (
            prefer.previous if previous is not None else 0
        )
        net.arc(node, self.pool(Pool(w, district)), total, self.per_unit(leave_points, w))
        net.arc(node, net.sink, total, self.per_unit(prefer.unplaced, w))
        net.anchors[key] = Anchor(anchor_arc, anchor)


def build_network(seats: Sequence[Seat], cases: Sequence[Case], prefer: Preferences) -> Network:
    """Step 1: the min-cost flow network. Flow units are weight units; citizens come in
    interchangeable groups, and pools per weight and district connect groups to
    professionals, so there are a few arcs per professional, not one per pair."""
    scale = weight_scale([c.weight for c in cases] or [1.0])
    net = Network(seats, scale)
    build = _Builder(seats, prefer, net)
    build.balance()
    for c in cases:
        previous = c.previous if not build.present(c.current) else None
        units = max(1, round(c.weight * scale))
        net.groups[Group(c.current, previous, units, c.district)].append(c)
    for key, members in net.groups.items():
        build.group(key, members)
    return net


def solve(net: Network) -> NDArray[np.int64]:
    """Step 2: the optimal flow on every arc (OR-Tools' SimpleMinCostFlow)."""
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        np.array(net.tails, dtype=np.int64),
        np.array(net.heads, dtype=np.int64),
        np.array(net.capacities, dtype=np.int64),
        np.array(net.costs, dtype=np.int64),
    )
    demand = sum(net.supplies.values())
    nodes = np.array([*net.supplies.keys(), net.sink], dtype=np.int64)
    solver.set_nodes_supplies(nodes, np.array([*net.supplies.values(), -demand], dtype=np.int64))
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"the allocation network could not be solved (status {status})")
    flows: NDArray[np.int64] = np.asarray(solver.flows(arcs), dtype=np.int64)
    return flows


@dataclass
class Rounding:
    """Whole citizens so far: who holds whom, the load it gives, and who waits in a pool."""

    holder: dict[int, int | None]
    load: dict[int, float]
    waiting: dict[Pool, list[Case]]


def round_to_citizens(
    net: Network, flows: NDArray[np.int64], seats: Sequence[Seat], cases: Sequence[Case]
) -> Rounding:
    """Step 3: the flow that stays on a group's anchor arc, in whole citizens (the longest
    relations stay, the most recent ones move); the rest wait in their pool."""
    holder: dict[int, int | None] = {}
    load = {s.id: 0.0 for s in seats}
    waiting: dict[Pool, list[Case]] = defaultdict(list)
    for key, members in net.groups.items():
        anchor = net.anchors[key]
        stay = int(flows[anchor.arc]) // key.units if anchor.arc is not None else 0
        ordered = sorted(members, key=lambda c: (c.since or date.min, c.id))
        if stay:
            assert anchor.seat is not None  # an anchor arc leads to a professional
            for c in ordered[:stay]:
                holder[c.id] = anchor.seat
                load[anchor.seat] += c.weight
        waiting[Pool(key.units, key.district)].extend(ordered[stay:])
    # whole-citizen rounding can leave room with a citizen's own professional (a flow split
    # between two of their groups): those who still fit stay, longest relations first
    if any(c.current is not None for c in cases):
        seat_by_id = {s.id: s for s in seats}
        for pool_key in list(waiting):
            left_over = []
            for c in waiting[pool_key]:
                seat = seat_by_id.get(c.current) if c.current is not None else None
                if seat is not None and load[seat.id] + c.weight <= seat.capacity + TOLERANCE:
                    holder[c.id] = seat.id
                    load[seat.id] += c.weight
                else:
                    left_over.append(c)
            waiting[pool_key] = left_over
    return Rounding(holder, load, waiting)


def arrivals(net: Network, flows: NDArray[np.int64]) -> dict[Pool, list[Slot]]:
    """Per pool, the professionals its flow reaches and how many whole citizens it sends."""
    node_seat = {n: sid for sid, n in net.seat_node.items()}
    pool_of_node = {n: key for key, n in net.pools.items()}
    slots: dict[Pool, list[Slot]] = defaultdict(list)
    for i, (tail, head) in enumerate(zip(net.tails, net.heads, strict=True)):
        if tail in pool_of_node and head in node_seat and flows[i] > 0:
            key = pool_of_node[tail]
            slots[key].append(Slot(node_seat[head], int(flows[i]) // key.units))
    return slots


def place(
    net: Network, flows: NDArray[np.int64], rounding: Rounding, seats: Sequence[Seat]
) -> None:
    """Step 4: the citizens waiting in pools go where the flow sent their pool, in whole
    citizens and never past a cap: district pools first, their overflow and the citizens
    without a district through the job-centre-wide pool, and what is left by ``_fit_rest``."""
    slots = arrivals(net, flows)
    seat_by_id = {s.id: s for s in seats}
    holder, load = rounding.holder, rounding.load

    def from_pool(queue: list[Case], key: Pool) -> list[Case]:
        waiting = list(reversed(queue))
        for slot in slots.get(key, []):
            room = slot.citizens
            while room > 0 and waiting:
                c = waiting[-1]
                if load[slot.seat] + c.weight > seat_by_id[slot.seat].capacity + TOLERANCE:
                    break
                waiting.pop()
                room -= 1
                holder[c.id] = slot.seat
                load[slot.seat] += c.weight
        return list(reversed(waiting))

    left: list[Case] = []
    overflow: dict[int, list[Case]] = defaultdict(list)
    for key, queue in rounding.waiting.items():
        overflow[key.units].extend(queue if key.district is None else from_pool(queue, key))
    for units, queue in overflow.items():
        left.extend(from_pool(queue, Pool(units, None)))
    # what rounding left over: current holder first, then the same district, then most room
    _fit_rest(left, seats, load, holder)


def plan(
    seats: Sequence[Seat],
    cases: Sequence[Case],
    prefer: Preferences | None = None,
    reason: str = "reallocation",
) -> Plan:
    """The best holder of every case under the caps; ``reason`` names moves from a
    professional who is present but over their cap (away ones give their own reason)."""
    started = time.perf_counter()
    net = build_network(seats, cases, prefer or Preferences())
    flows = solve(net)
    rounding = round_to_citizens(net, flows, seats, cases)
    place(net, flows, rounding, seats)
    moves = moves_of(cases, rounding.holder, {s.id: s for s in seats}, reason)
    return Plan(
        rounding.holder, moves, time.perf_counter() - started, "min_cost_flow", rounding.load
    )


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
        room = capacity - loads + TOLERANCE >= c.weight
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
