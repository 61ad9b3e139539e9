"""Weighted caseloads: how heavy each citizen counts and how much a professional may carry.

The union's guidance (caseload_models.json): caps are per full-time professional, counted
in citizens with cases covered for absent colleagues included, lower for newly started
staff (about six months) and part-timers, and weighted by complexity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from caseload.domain.dates import add_months

TOLERANCE = 1e-9
"""Slack for float weights: a load this little over a cap still keeps it, and a scaled
weight this close to a whole number is whole (0.1 + 0.2 is not exactly 0.3)."""


@dataclass(frozen=True)
class CaseloadRule:
    """Weights per complexity tier and the lower cap of new staff (one department's rule)."""

    weight_simple: float = 1.0
    weight_complex: float = 1.0
    weight_very_complex: float = 1.0
    new_staff_months: int = 0
    new_staff_share: float = 1.0
    pro_rata_fte: bool = False

    def __post_init__(self) -> None:
        if min(self.weight_simple, self.weight_complex, self.weight_very_complex) <= 0:
            raise ValueError("complexity weights must be greater than 0")
        if self.new_staff_months < 0 or not 0 < self.new_staff_share <= 1:
            raise ValueError("new staff: months >= 0 and a share in (0, 1]")

    def weight(self, complexity: str | None) -> float:
        """An unassessed case (no tier) weighs 1."""
        if complexity is None:
            return 1.0
        return {
            "simple": self.weight_simple,
            "complex": self.weight_complex,
            "very_complex": self.weight_very_complex,
        }[complexity]

    def is_new(self, started: date, day: date) -> bool:
        return self.new_staff_months > 0 and day < add_months(started, self.new_staff_months)

    def effective_cap(self, cap: float, fte: float, started: date, day: date) -> float:
        """The cap a professional carries on ``day``: pro rata to FTE (when the rule says so),
        and the new-staff share while they are new."""
        share = self.new_staff_share if self.is_new(started, day) else 1.0
        return cap * (fte if self.pro_rata_fte else 1.0) * share


DEFAULT_RULE = CaseloadRule()
"""Without a rule in the register a cap is a plain count of citizens: every case weighs 1,
part-timers and new staff carry the full cap (as the caps file says)."""
