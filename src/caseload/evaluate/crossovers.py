"""Crossovers: citizens who, while the trial ran, went to a professional across their arm's
boundary (a control citizen to a department marked as the trial's, a trial citizen to one
that is not), with how many of those changes carried an override reason.

Read from the register as recorded, imported history included: a responsibility that
starts in the trial period (from the trial's first day, not before the citizen was
randomised, to its last day) with a professional on the other side of the boundary is a
crossover, whatever made it. The override reasons are counted, never shown: they are free
text a caseworker typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, func, select

from caseload.domain import codes
from caseload.store import schema as s

__all__ = ["Crossovers", "crossovers", "rows"]


@dataclass(frozen=True)
class Crossovers:
    """One arm's crossovers."""

    arm: str
    randomised: int
    """Citizens randomised to the arm."""
    citizens: int
    """Of them, citizens with at least one responsibility across the boundary."""
    overridden: int
    """Of those, citizens for whom at least one such change carried an override reason."""
    changes: int
    """Responsibilities across the boundary (one citizen may have several)."""
    override_reasons: int
    """Of those, the ones that carried an override reason."""
    by_reason: dict[str, int] = field(default_factory=dict)
    """Responsibilities across the boundary per change reason (intake, reallocation …)."""


def crossovers(conn: Connection, trial: int) -> dict[str, Crossovers]:
    """Arm → its crossovers in trial ``trial`` (the trial's id)."""
    t, a, r, p, d = s.trial, s.trial_assignment, s.responsibility, s.professional, s.department
    start, end = conn.execute(select(t.c.start_date, t.c.end_date).where(t.c.id == trial)).one()
    randomised = {
        str(arm): int(n)
        for arm, n in conn.execute(
            select(a.c.arm, func.count()).where(a.c.trial_id == trial).group_by(a.c.arm)
        )
    }
    across = ((a.c.arm == "control") & d.c.is_trial.is_(True)) | (
        (a.c.arm == "trial") & d.c.is_trial.is_(False)
    )
    in_period = [r.c.start_date >= start, r.c.start_date >= a.c.assigned_date]
    if end is not None:
        in_period.append(r.c.start_date <= end)
    found = conn.execute(
        select(a.c.arm, r.c.citizen_id, r.c.reason, r.c.override_reason)
        .join(r, r.c.citizen_id == a.c.citizen_id)
        .join(p, p.c.id == r.c.professional_id)
        .join(d, d.c.id == p.c.department_id)
        .where(a.c.trial_id == trial, and_(*in_period), across)
    ).all()
    out = {}
    for arm in codes.ARMS:
        mine = [row for row in found if row[0] == arm]
        reasoned = [row for row in mine if row[3] is not None and str(row[3]).strip()]
        by_reason: dict[str, int] = {}
        for row in mine:
            by_reason[str(row[2])] = by_reason.get(str(row[2]), 0) + 1
        out[arm] = Crossovers(
            arm,
            int(randomised.get(arm, 0)),
            len({row[1] for row in mine}),
            len({row[1] for row in reasoned}),
            len(mine),
            len(reasoned),
            dict(sorted(by_reason.items())),
        )
    return out


def rows(found: dict[str, Crossovers]) -> list[dict[str, Any]]:
    """The crossovers table: one row per arm (``crossovers.csv``, the JSON's key)."""
    return [
        {
            "arm": c.arm,
            "randomised": c.randomised,
            "crossed_citizens": c.citizens,
            "crossed_with_override": c.overridden,
            "crossed_without_override": c.citizens - c.overridden,
            "changes_across": c.changes,
            "override_reasons": c.override_reasons,
            **{f"reason_{code}": c.by_reason.get(code, 0) for code in codes.RESPONSIBILITY_REASONS},
        }
        for c in found.values()
    ]
