"""Departments, staff, the randomised cohort and its traits (Tables 1-2)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from caseload.synth import calibration as cal

DISTRICTS = (
    "Indre By",
    "Østerbro",
    "Nørrebro",
    "Vesterbro",
    "Valby",
    "Vanløse",
    "Brønshøj-Husum",
    "Bispebjerg",
    "Amager Øst",
    "Amager Vest",
)
FIRST = (
    "Anna",
    "Bo",
    "Camilla",
    "Dorte",
    "Emil",
    "Frederik",
    "Gitte",
    "Hans",
    "Ida",
    "Jens",
    "Karen",
    "Lars",
    "Mette",
    "Niels",
    "Pia",
    "Rasmus",
    "Sofie",
    "Thomas",
)
LAST = (
    "Hansen",
    "Jensen",
    "Nielsen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Holm",
    "Dam",
    "Berg",
    "Lund",
)
BASE = {"trial": 917, "control": 856, "other": 4300}
"""The default job centre: the published cohort plus the control departments' other citizens."""
TRIAL_KS_SHARE = 500 / 917
"""10 coordinating caseworkers at 50 hold 500 of the 917; the 8 company consultants the rest."""
CAP = {
    ("trial", "coordinating_caseworker"): 50,
    ("trial", "company_consultant"): 55,
    ("control", "coordinating_caseworker"): 130,
    ("control", "company_consultant"): 55,
}


@dataclass(frozen=True)
class Composition:
    trial: int
    control: int
    other: int

    @property
    def total(self) -> int:
        return self.trial + self.control + self.other


ENTRANTS_PER_CITIZEN_AT_START = 0.39
"""Later entrants per citizen on a caseload at the start, as the default job centre yields
them (8,465 citizens in the register for 6,073 at the start)."""


def composition(citizens: int | None) -> Composition:
    """The job centre at the start, scaled so the register ends with about ``citizens``."""
    if citizens is None:
        return Composition(**BASE)
    if citizens < 100:
        raise ValueError("a synthetic job centre needs at least 100 citizens")
    at_start = round(citizens / (1 + ENTRANTS_PER_CITIZEN_AT_START))
    base = sum(BASE.values())
    trial = round(BASE["trial"] * at_start / base)
    control = round(BASE["control"] * at_start / base)
    return Composition(trial, control, at_start - trial - control)


def _spread(total: int, people: int) -> list[int]:
    return [total // people + (1 if i < total % people else 0) for i in range(people)]


@dataclass
class Staffing:
    staff: pl.DataFrame
    """code, name, department, team, role, fte, start_date, load (initial citizens)."""
    slots: pl.DataFrame
    """slot, department, role, staff (initial owner's code), arm."""


def staffing(comp: Composition, rng: np.random.Generator) -> Staffing:
    depts = cal.departments()
    control_depts = [d for d in depts if not d.is_trial]
    trial_dept = next(d for d in depts if d.is_trial)
    per_control = _spread(comp.control + comp.other, len(control_depts))
    ks_share = cal.ASSUMED.control_ks_share_of_citizens
    plan: list[tuple[str, str, str, int]] = []  # department, arm, role, citizens
    trial_ks = round(comp.trial * TRIAL_KS_SHARE)
    if comp.trial:  # a job centre without the trial has no trial department
        plan += [
            (trial_dept.code, "trial", "coordinating_caseworker", trial_ks),
            (trial_dept.code, "trial", "company_consultant", comp.trial - trial_ks),
        ]
    for control_dept, n in zip(control_depts, per_control, strict=True):
        ks = round(n * ks_share)
        plan += [
            (control_dept.code, "control", "coordinating_caseworker", ks),
            (control_dept.code, "control", "company_consultant", n - ks),
        ]
    staff_rows, slot_rows = [], []
    for dept, arm, role, citizens in plan:
        people = max(1, math.ceil(citizens / CAP[(arm, role)]))
        prefix = "KS" if role == "coordinating_caseworker" else "VK"
        for i, load in enumerate(_spread(citizens, people), start=1):
            code = f"{dept}-{prefix}-{i:04d}"
            staff_rows.append(
                {
                    "code": code,
                    "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    "department": dept,
                    "team": f"{dept}-T{(i - 1) // 10 + 1:03d}",
                    "role": role,
                    "fte": float(rng.choice([1.0, 1.0, 1.0, 1.0, 0.9, 0.8])),
                    "start_date": date(2008, 1, 1)
                    + (date(2017, 10, 1) - date(2008, 1, 1)) * float(rng.random()),
                    "load": load,
                }
            )
            slot_rows += [{"department": dept, "role": role, "staff": code, "arm": arm}] * load
    staff = pl.DataFrame(staff_rows).with_columns(pl.col("start_date").cast(pl.Date))
    slots = (
        pl.DataFrame(slot_rows).with_row_index("slot").with_columns(pl.col("slot").cast(pl.Int64))
    )
    return Staffing(staff, slots)


def _years(years: np.ndarray) -> np.ndarray:
    return (years * 365.25).astype("timedelta64[D]")


def traits(arms: np.ndarray, rng: np.random.Generator, on: date = cal.START) -> pl.DataFrame:
    """Citizens' baseline traits, drawn with each arm's published shares and means.

    ``arms`` holds trial/control/other per citizen; others are drawn like the control arm.
    """
    targets = cal.arm_targets()
    n = len(arms)
    group = np.where(arms == "trial", "trial", "control")
    get = {
        k: np.array([getattr(targets[g], k) for g in ("trial", "control")])
        for k in (
            "danish",
            "western",
            "women",
            "mean_age",
            "mean_years_public_benefit",
            "long_term_share",
        )
    }
    idx = (group == "control").astype(int)
    u = rng.random(n)
    origin = np.where(
        u < get["danish"][idx],
        "danish",
        np.where(u < get["danish"][idx] + get["western"][idx], "western", "non_western"),
    )
    sex = np.where(rng.random(n) < get["women"][idx], "female", "male")
    # activity-ready 30+: ages 30-64 around the published mean
    age = np.clip(rng.normal(get["mean_age"][idx], 9.0), 30.0, 64.9)
    long_term = rng.random(n) < get["long_term_share"][idx]
    kh_years = np.where(long_term, 3.0 + rng.exponential(3.0, n), rng.uniform(0.05, 2.99, n))
    expected_kh = get["long_term_share"] * 6.0 + (1 - get["long_term_share"]) * 1.52
    extra_mean = np.maximum(get["mean_years_public_benefit"] - expected_kh, 0.1)
    public_years = kh_years + rng.exponential(extra_mean[idx])
    start = np.datetime64(on, "D")
    return pl.DataFrame(
        {
            "arm": arms,
            "birth_date": start - _years(age),
            "sex": sex,
            "origin": origin,
            "district": rng.choice(np.array(DISTRICTS), n),
            "public_benefit_since": start - _years(public_years),
            "kontanthjaelp_since": start - _years(kh_years),
            "long_term": long_term,
        }
    ).with_columns(
        pl.col("birth_date", "public_benefit_since", "kontanthjaelp_since").cast(pl.Date)
    )
