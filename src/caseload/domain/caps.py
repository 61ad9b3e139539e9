"""Caseload caps: which cap applies to a professional in a role on a day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Cap:
    role: str
    cap: int
    start_date: date
    end_date: date | None = None
    department: str | None = None
    professional: str | None = None

    def holds_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    @property
    def scope(self) -> int:
        """0 for a person, 1 for a department, 2 for the whole job centre: lower wins."""
        if self.professional is not None:
            return 0
        return 1 if self.department is not None else 2


def applicable_cap(
    caps: Iterable[Cap], role: str, department: str, professional: str, day: date
) -> Cap | None:
    """The most specific cap in force: the person's own, else the department's, else the
    job centre's; among equals, the one that started last."""
    fitting = [
        c
        for c in caps
        if c.role == role
        and c.holds_on(day)
        and c.professional in (None, professional)
        and c.department in (None, department)
    ]
    if not fitting:
        return None
    return min(fitting, key=lambda c: (c.scope, -c.start_date.toordinal()))
