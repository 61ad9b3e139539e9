"""Targets of the synthetic job centre, derived from the published Copenhagen figures.

Every number the generator draws from is computed here from
``copenhagen_2018_2019.json`` (Tables 1-11), or is a documented assumption
(``ASSUMED``) where the report gives no figure. docs/synthetic.md lists both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from caseload.data import published

START = date(2018, 1, 1)
TRIAL_END = date(2019, 12, 31)
WINDOW_END = date(2020, 4, 30)
LAST_EXIT = date(2020, 2, 29)
"""Exits are drawn up to two months before the window ends, so the status two months
after leaving kontanthjælp (the outcome definition) falls inside the window."""

DESTINATIONS = (
    "job",
    "small_job",
    "education",
    "resource_course",
    "flex_job",
    "disability_pension",
)


@dataclass(frozen=True)
class Assumptions:
    """What the report does not say; each is a stated, documented choice (docs/synthetic.md)."""

    other_exit_share: float = 0.05
    """Exits not in Tables 3/5 (moved away, other benefit, died)."""
    reallocations_per_citizen_year: dict[str, float] = field(
        default_factory=lambda: {"trial": 0.08, "control": 0.30}
    )
    meeting_minutes: dict[str, tuple[int, int]] = field(
        default_factory=lambda: {"trial": (30, 90), "control": (25, 45)}
    )
    extra_contacts_per_month: dict[str, float] = field(
        default_factory=lambda: {"trial": 0.3, "control": 0.05}
    )
    meeting_missed_share: float = 0.10
    """Meetings first cancelled or missed, then followed up."""
    control_ks_share_of_citizens: float = 0.755
    """So control coordinating caseworkers sit at about 130."""
    orders_per_citizen_year: dict[str, float] = field(
        default_factory=lambda: {"trial": 0.6, "control": 0.4}
    )
    medical_requests_per_citizen_year: dict[str, float] = field(
        default_factory=lambda: {"trial": 0.35, "control": 0.2}
    )
    plans_without_recommended_exit: dict[str, float] = field(
        default_factory=lambda: {"trial": 0.06, "control": 0.03}
    )
    internal_exits_per_external: float = 0.3
    vacancy_days: tuple[int, int] = (7, 45)
    complexity_shares: tuple[float, float, float] = (0.3, 0.5, 0.2)
    """Simple, complex and very complex cases among activity-ready citizens (the register
    stores the tier; the job centre's weights decide what it costs, none in the demo)."""


ASSUMED = Assumptions()


@dataclass(frozen=True)
class ArmTargets:
    n: int
    danish: float
    western: float
    women: float
    mean_age: float
    mean_years_public_benefit: float
    long_term_share: float
    destinations: dict[str, float]
    """Probability of each exit destination within the outcome window (Tables 3 and 5)."""
    long_term_exit_by_trial_end: float
    """Share of long-term recipients at the start who left by the trial's end (Table 6)."""
    placed: float
    """Share in a company placement during 2018-2019 (Table 4)."""
    timely: float
    """Share of job meetings held by their deadline (Table 7)."""

    @property
    def exit_share(self) -> float:
        return sum(self.destinations.values()) + ASSUMED.other_exit_share

    def exit_probability(self, long_term: bool) -> float:
        """Chance of leaving kontanthjælp within the window, split so Table 6 also holds.

        Exit dates are uniform over START..LAST_EXIT, so P(exit by TRIAL_END | exit) is the
        share of those days up to TRIAL_END.
        """
        by_trial_end = (TRIAL_END - START).days / (LAST_EXIT - START).days
        q_long = min(0.95, self.long_term_exit_by_trial_end / by_trial_end)
        if long_term:
            return q_long
        s = self.long_term_share
        return min(0.95, (self.exit_share - s * q_long) / (1 - s))


def arm_targets() -> dict[str, ArmTargets]:
    pub = published()
    t1, t2, t3 = (
        pub["table_1_baseline"],
        pub["table_2_kontanthjaelp_duration_2018_01"],
        pub["table_3_exits_work_education"],
    )
    t4, t5, t6, t7 = (
        pub["table_4_company_placement_2018_2019"],
        pub["table_5_exits_other_benefits"],
        pub["table_6_long_term_recipients_3y_plus"],
        pub["table_7_timely_job_meetings_weekly_average"],
    )
    out = {}
    for arm in ("trial", "control"):
        n = pub["arms"][arm]
        base = t1[arm]
        dest = {k: t3[arm][k] / t3[arm]["n"] for k in ("job", "small_job", "education")}
        dest |= {
            k: t5[arm][k] / t5[arm]["n"]
            for k in ("resource_course", "flex_job", "disability_pension")
        }
        lt_start, lt_end = t6[arm]["2018-01"], t6[arm]["2019-12"]
        placed = t4[arm]["placed"] / (t4[arm]["placed"] + t4[arm]["not_placed"])
        out[arm] = ArmTargets(
            n=n,
            danish=base["danish_origin"] / base["n"],
            western=base["western_origin"] / base["n"],
            women=base["women"] / base["n"],
            mean_age=float(base["mean_age_years"]),
            mean_years_public_benefit=float(base["mean_years_on_public_benefit"]),
            long_term_share=t2[arm]["3_years_or_more"] / t2[arm]["n"],
            destinations=dest,
            long_term_exit_by_trial_end=(lt_start - lt_end) / lt_start,
            placed=placed,
            timely=t7[arm]["timely_share_pct"] / 100,
        )
    return out


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    is_trial: bool


def departments() -> list[Department]:
    names = [k for k in published()["table_8_sick_days_per_fte_2018_may_dec"] if k != "columns"]
    return [Department(f"JI{i}", name, "(trial)" in name) for i, name in enumerate(names, start=1)]


def sick_days(department_name: str) -> dict[str, tuple[float, float, int]]:
    """(short, long) sick days per FTE and the period's months, per period (Tables 8-9)."""
    pub = published()
    t8 = pub["table_8_sick_days_per_fte_2018_may_dec"][department_name]
    t9 = pub["table_9_sick_days_per_fte_2019"][department_name]
    return {"2018-05-01": (t8[1], t8[2], 8), "2019-01-01": (t9[1], t9[2], 12)}


def turnover(department_name: str) -> dict[str, tuple[float, int]]:
    """External staff turnover (share of staff leaving) and the period's months (Tables 10-11)."""
    pub = published()
    return {
        "2018-05-01": (
            pub["table_10_external_staff_turnover_pct_2018_may_dec"][department_name] / 100,
            8,
        ),
        "2019-01-01": (pub["table_11_external_staff_turnover_pct_2019"][department_name] / 100, 12),
    }
