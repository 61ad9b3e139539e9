"""Evaluate a trial in the register: the cohort frame from the database, then every table.

Outcome families (Holm-adjusted within each):
- ``exits``: destination two months after leaving kontanthjælp (Tables 3 and 5) and a
  company placement in the trial period (Table 4);
- ``case_flow``: preparatory plans and each rehabilitation-team recommendation (the measure
  Copenhagen could not count), and long-term recipients still on kontanthjælp at the end
  among those long-term at the start (Table 6).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl
from sqlalchemy import Engine

from caseload.evaluate import binary, cohort, estimate, staff
from caseload.evaluate.binary import BinaryResult
from caseload.evaluate.centres import Centres, by_centre
from caseload.evaluate.continuous import ContinuousResult
from caseload.evaluate.crossovers import Crossovers, crossovers
from caseload.evaluate.money import Costs, Money, money
from caseload.i18n import Message
from caseload.store.database import reader

log = logging.getLogger(__name__)

DESTINATIONS = (
    "job",
    "small_job",
    "education",
    "resource_course",
    "flex_job",
    "disability_pension",
)
COMPETING = ("job", "education", "resource_course", "flex_job", "disability_pension", "other")
"""Competing exits; ``other`` gathers small job, other benefits, back on kontanthjælp."""
RECOMMENDED = ("resource_course", "flex_job", "disability_pension", "postponed", "rejected")
COVARIATES = ("female", "age", "benefit_years", "long_term_at_start", "western", "non_western")
"""Baseline traits adjusted for (Danish origin and men are the reference)."""


@dataclass(frozen=True)
class Settings:
    lag_months: int = 2
    outcome_end: date | None = None
    alpha: float = 0.05
    cluster: bool = False
    """Standard errors clustered by the primary contact on the start day (coordinating
    caseworker, else company consultant, else mentor)."""
    costs: Costs = field(default_factory=Costs)


@dataclass(frozen=True)
class Timeliness:
    weekly: pl.DataFrame
    """arm, week (Monday of the due date), held, timely."""
    overall: dict[str, tuple[int, int]]
    """arm → (job meetings held, of which by the due date)."""

    def share(self, arm: str) -> float:
        held, timely = self.overall.get(arm, (0, 0))
        return timely / held if held else float("nan")

    def per_week(self, arm: str) -> tuple[float, float]:
        rows = self.weekly.filter(pl.col("arm") == arm)
        if rows.is_empty():
            return 0.0, 0.0
        held, timely = rows.get_column("held").mean(), rows.get_column("timely").mean()
        return float(held or 0.0), float(timely or 0.0)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Evaluation:
    trial: cohort.Trial
    window: cohort.Window
    settings: Settings
    arms: dict[str, int]
    later_entrants: dict[str, int]
    sample_ratio: estimate.SampleRatio
    balance: list[estimate.BalanceRow]
    exits: list[BinaryResult]
    case_flow: list[BinaryResult]
    continuous: list[ContinuousResult]
    long_term: dict[str, dict[str, int]]
    """arm → {at_start, at_end, and each status of those who left}."""
    spells: estimate.SurvivalResult
    competing: estimate.CompetingResult
    timeliness: Timeliness
    staff: list[staff.StaffRow]
    money: Money
    seconds: dict[str, float]
    crossovers: dict[str, Crossovers] = field(default_factory=dict)
    """Arm → citizens who went across the arm boundary while the trial ran."""
    centres: Centres | None = None
    """A trial in several job centres: each centre's effects and the pooled ones."""

    def by_name(self, name: str) -> BinaryResult:
        for r in [*self.exits, *self.case_flow]:
            if r.name == name:
                return r
        raise KeyError(name)


def _covariates(frame: pl.DataFrame, cluster: bool, unit: str = "citizen") -> estimate.Covariates:
    columns = {
        "female": (frame.get_column("sex") == "female").cast(pl.Float64),
        "age": frame.get_column("age"),
        "benefit_years": frame.get_column("benefit_years"),
        "long_term_at_start": frame.get_column("long_term_at_start").cast(pl.Float64),
        "western": (frame.get_column("origin") == "western").cast(pl.Float64),
        "non_western": (frame.get_column("origin") == "non_western").cast(pl.Float64),
    }
    keep = [name for name in COVARIATES if columns[name].n_unique() > 1]
    matrix = np.column_stack([columns[n].to_numpy() for n in keep]) if keep else None
    groups = None
    if unit != "citizen":
        # a cluster-randomised trial: standard errors always clustered by the randomised unit
        groups = (
            frame.get_column("cluster").fill_null("-").cast(pl.Categorical).to_physical().to_numpy()
        )
    elif cluster:
        # integer codes: sorting strings is the slow part of clustering a million rows
        groups = (
            frame.get_column("caseworker")
            .fill_null("-")
            .cast(pl.Categorical)
            .to_physical()
            .to_numpy()
        )
    return estimate.Covariates(matrix, tuple(keep), groups)


def _traits(frame: pl.DataFrame) -> dict[str, np.ndarray]:
    return {
        "women": (frame.get_column("sex") == "female").to_numpy(),
        "danish_origin": (frame.get_column("origin") == "danish").to_numpy(),
        "western_origin": (frame.get_column("origin") == "western").to_numpy(),
        "non_western_origin": (frame.get_column("origin") == "non_western").to_numpy(),
        "age_years": frame.get_column("age").to_numpy(),
        "years_on_public_benefit": frame.get_column("benefit_years").to_numpy(),
        "kontanthjaelp_3_years_or_more": frame.get_column("long_term_at_start").to_numpy(),
    }


def _long_term(frame: pl.DataFrame, win: cohort.Window) -> dict[str, dict[str, int]]:
    """Long-term recipients at the start, still on kontanthjælp at the trial's end, and the
    status of those who left by then (Table 6, and where they went)."""
    by_end = (win.trial_end - win.start).days
    out: dict[str, dict[str, int]] = {}
    for arm in ("trial", "control"):
        rows = frame.filter((pl.col("arm") == arm) & (pl.col("long_term_at_start") == 1))
        went = (
            rows.filter(pl.col("status").is_not_null() & (pl.col("exit_after") <= by_end))
            .group_by("status")
            .len()
        )
        out[arm] = {
            "at_start": rows.height,
            "at_end": int(rows.get_column("long_term_at_end").sum()),
            **{str(s): int(n) for s, n in went.iter_rows()},
        }
    return out


def from_frame(
    frame: pl.DataFrame,
    found: cohort.Trial,
    win: cohort.Window,
    settings: Settings,
) -> tuple[
    list[BinaryResult],
    list[BinaryResult],
    list[ContinuousResult],
    estimate.SurvivalResult,
    estimate.CompetingResult,
]:
    """Every estimate on the cohort frame (the per-citizen table from the database)."""
    treated = (frame.get_column("arm") == "trial").to_numpy()
    cov = _covariates(frame, settings.cluster, found.unit).independent_of(treated)
    alpha = settings.alpha
    status = frame.get_column("status").fill_null("").to_numpy()

    def outcome(name: str, values: np.ndarray, mask: np.ndarray | None = None) -> BinaryResult:
        if mask is None:
            return estimate.binary_outcome(name, values, treated, cov, alpha)
        sub = cov.subset(mask).independent_of(treated[mask])
        return estimate.binary_outcome(name, values[mask], treated[mask], sub, alpha)

    exits = [outcome(d, status == d) for d in DESTINATIONS]
    exits.append(outcome("company_placement", frame.get_column("placements").to_numpy() > 0))
    flow = [outcome("preparatory_plan", frame.get_column("plans").to_numpy() > 0)]
    flow += [
        outcome(f"recommended_{r}", frame.get_column(f"rec_{r}").to_numpy() > 0)
        for r in RECOMMENDED
    ]
    long_term = frame.get_column("long_term_at_start").to_numpy() == 1
    if long_term.any() and treated[long_term].any() and (~treated[long_term]).any():
        flow.append(
            outcome(
                "long_term_still_on_kontanthjaelp",
                frame.get_column("long_term_at_end").to_numpy() == 1,
                long_term,
            )
        )
    cont = binary.family(
        [
            estimate.continuous_outcome(
                name, frame.get_column(col).to_numpy().astype(float), treated, cov, alpha
            )
            for name, col in (
                ("days_on_kontanthjaelp", "time"),
                ("meetings_held", "meetings_held"),
                ("paid_hours", "paid_hours"),
            )
        ]
    )
    time_ = frame.get_column("time").to_numpy()
    event = frame.get_column("exited").to_numpy().astype(int)
    spells = estimate.survival_outcome(
        "kontanthjaelp_spell", time_, event, treated, cov, alpha, tau=float(win.days)
    )
    grouped = np.where(np.isin(status, COMPETING[:-1]), status, "other")
    cause = np.zeros(len(event), dtype=int)
    for k, name in enumerate(COMPETING, start=1):
        cause = np.where((event == 1) & (grouped == name), k, cause)
    competing = estimate.competing_outcome(time_, cause, COMPETING, treated, cov, alpha)
    return binary.family(exits), binary.family(flow), cont, spells, competing


def evaluate(
    engine: Engine,
    code: str | None,
    settings: Settings | None = None,
    step: Callable[[str], None] | None = None,
) -> Evaluation:
    """Everything the report shows; ``step`` hears which stage starts (for progress)."""
    settings = settings or Settings()
    step = step or (lambda _: None)
    step("cohort")
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    with reader(engine).connect() as conn:
        found = cohort.trial(conn, code)
        win = cohort.window(found, settings.lag_months, settings.outcome_end)
        frame = cohort.cohort(conn, found, win)
        seconds["cohort"] = time.perf_counter() - clock
        log.info(
            "cohort of %d citizens built in the database in %.2f s", frame.height, seconds["cohort"]
        )
        weekly = cohort.timely_meetings(conn, found, win)
        entrants = cohort.later_entrants(conn, found)
        staff_rows = staff.staff_table(conn, found.start, found.end, found.id)
        crossed = crossovers(conn, found.id)
    seconds["register"] = time.perf_counter() - clock
    arms = {arm: int((frame.get_column("arm") == arm).sum()) for arm in ("trial", "control")}
    missing = [arm for arm, n in arms.items() if n == 0]
    if missing:
        said = {
            "trial": Message("trial {code}: the trial arm has no citizens", {"code": found.code}),
            "control": Message(
                "trial {code}: the control arm has no citizens", {"code": found.code}
            ),
        }
        raise cohort.TrialNotFound(said[missing[0]])
    treated = (frame.get_column("arm") == "trial").to_numpy()
    clock = time.perf_counter()
    step("estimates")
    exits, flow, cont, spells, competing = from_frame(frame, found, win, settings)
    pooled = by_centre(frame, settings.alpha)
    seconds["estimates"] = time.perf_counter() - clock
    probability = float(frame.get_column("probability").mean())  # type: ignore[arg-type]
    totals = weekly.group_by("arm").agg(pl.col("held").sum(), pl.col("timely").sum())
    years = ((found.end - found.start).days + 1) / 365.25
    return Evaluation(
        trial=found,
        window=win,
        settings=settings,
        arms=arms,
        later_entrants=entrants,
        sample_ratio=estimate.sample_ratio(arms["trial"], arms["control"], probability),
        balance=estimate.balance(_traits(frame), treated),
        exits=exits,
        case_flow=flow,
        continuous=cont,
        long_term=_long_term(frame, win),
        spells=spells,
        competing=competing,
        timeliness=Timeliness(weekly, {r[0]: (int(r[1]), int(r[2])) for r in totals.iter_rows()}),
        staff=staff_rows,
        money=money(spells.rmst.difference, spells.rmst.ci, arms["trial"], years, settings.costs),
        seconds=seconds,
        crossovers=crossed,
        centres=pooled,
    )
