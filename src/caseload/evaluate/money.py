"""What a lower caseload costs and what shorter benefit spells save.

Savings: months on kontanthjælp saved per trial citizen (the difference in restricted mean
time on benefit within the window, control − trial) × the monthly cost of a citizen on
benefit (seed 003: 9,000 DKK transfer + 1,400 activation + 500 casework).

Cost: the extra caseworkers a lower caseload needs for the trial arm, n / trial caseload −
n / control caseload full-time equivalents, × the yearly cost of one, × the trial's years.

Break-even: the months saved per citizen at which savings equal the cost.
"""

from __future__ import annotations

from dataclasses import dataclass

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Costs:
    transfer: float = 9_000.0
    """DKK a month per citizen on kontanthjælp (seed 003)."""
    activation: float = 1_400.0
    casework: float = 500.0
    salary_per_fte_year: float = 650_000.0
    """ASSUMED: a caseworker's yearly cost with pension and overhead, DKK (not in the seeds)."""
    trial_caseload: int = 50
    control_caseload: int = 130

    @property
    def per_month(self) -> float:
        return self.transfer + self.activation + self.casework


@dataclass(frozen=True)
class Money:
    citizens: int
    years: float
    months_saved_per_citizen: float
    months_saved_ci: tuple[float, float]
    savings: float
    savings_ci: tuple[float, float]
    extra_fte: float
    staff_cost: float
    net: float
    net_ci: tuple[float, float]
    break_even_months_per_citizen: float
    costs: Costs

    @property
    def pays_off(self) -> bool:
        return self.net > 0


def money(
    rmst_difference_days: float,
    ci_days: tuple[float, float],
    citizens: int,
    years: float,
    costs: Costs | None = None,
) -> Money:
    """``rmst_difference_days`` is trial − control days on benefit (negative = saved)."""
    costs = costs or Costs()
    per_citizen = -rmst_difference_days / DAYS_PER_MONTH
    ci = (-ci_days[1] / DAYS_PER_MONTH, -ci_days[0] / DAYS_PER_MONTH)
    scale = citizens * costs.per_month
    extra_fte = citizens / costs.trial_caseload - citizens / costs.control_caseload
    staff = extra_fte * costs.salary_per_fte_year * years
    return Money(
        citizens=citizens,
        years=years,
        months_saved_per_citizen=per_citizen,
        months_saved_ci=ci,
        savings=per_citizen * scale,
        savings_ci=(ci[0] * scale, ci[1] * scale),
        extra_fte=extra_fte,
        staff_cost=staff,
        net=per_citizen * scale - staff,
        net_ci=(ci[0] * scale - staff, ci[1] * scale - staff),
        break_even_months_per_citizen=staff / scale if scale else float("inf"),
        costs=costs,
    )
