"""The trials in the register, each with its period and the size of its arms: what an
analyst picks an evaluation from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, func, select

from caseload.store import schema as s


@dataclass(frozen=True)
class TrialSummary:
    code: str
    name: str
    unit: str
    start: date
    end: date | None
    outcome_end: date | None
    arms: dict[str, int] = field(default_factory=dict)
    """Units assigned per arm."""


def trials(conn: Connection) -> list[TrialSummary]:
    """Every trial, by code, with its arms' sizes."""
    t, a = s.trial, s.trial_assignment
    sizes: dict[int, dict[str, int]] = {}
    for row in conn.execute(
        select(a.c.trial_id, a.c.arm, func.count().label("n")).group_by(a.c.trial_id, a.c.arm)
    ):
        sizes.setdefault(int(row.trial_id), {})[str(row.arm)] = int(row.n)
    return [
        TrialSummary(
            row.code,
            row.name,
            row.unit,
            row.start_date,
            row.end_date,
            row.outcome_end_date,
            dict(sorted(sizes.get(int(row.id), {}).items())),
        )
        for row in conn.execute(select(t).order_by(t.c.code))
    ]
