"""The greedy loop a spreadsheet does, kept as the baseline the optimiser is measured against.

Walk the citizens in register order; keep each with their professional while that
professional has room under the cap, otherwise give them to the least-loaded colleague
(load / cap) who has room. It never looks ahead, so with weighted cases it moves more
citizens than needed, and it ignores districts.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Sequence

from caseload.domain.load import TOLERANCE
from caseload.operate.optimise import Case, Plan, Seat, moves_of


def greedy(seats: Sequence[Seat], cases: Sequence[Case], reason: str = "reallocation") -> Plan:
    started = time.perf_counter()
    seat_by_id = {s.id: s for s in seats}
    present = [s for s in seats if s.capacity > 0]
    load = {s.id: 0.0 for s in seats}
    holder: dict[int, int | None] = {}
    queue = [(0.0, s.id) for s in present]  # (load / cap, id); stale entries are skipped
    for c in sorted(cases, key=lambda c: c.id):
        mine = c.current if c.current is not None else c.previous
        if (
            mine is not None
            and mine in seat_by_id
            and load[mine] + c.weight <= seat_by_id[mine].capacity + TOLERANCE
        ):
            holder[c.id] = mine
            load[mine] += c.weight
            if seat_by_id[mine].capacity > 0:
                heapq.heappush(queue, (load[mine] / seat_by_id[mine].capacity, mine))
            continue
        best = _least_loaded(queue, load, seat_by_id, c.weight)
        holder[c.id] = best
        if best is not None:
            load[best] += c.weight
            heapq.heappush(queue, (load[best] / seat_by_id[best].capacity, best))
    moves = moves_of(cases, holder, seat_by_id, reason)
    return Plan(holder, moves, time.perf_counter() - started, "greedy", load)


def _least_loaded(
    queue: list[tuple[float, int]],
    load: dict[int, float],
    seat_by_id: dict[int, Seat],
    weight: float,
) -> int | None:
    """Pop the least-loaded professional with room for ``weight`` (others go back)."""
    skipped = []
    found = None
    while queue:
        share, sid = heapq.heappop(queue)
        seat = seat_by_id[sid]
        if abs(share - load[sid] / seat.capacity) > 1e-12:
            continue  # stale: a newer entry for this professional is in the queue
        if load[sid] + weight <= seat.capacity + TOLERANCE:
            found = sid
            break
        skipped.append((share, sid))
    for entry in skipped:
        heapq.heappush(queue, entry)
    return found
