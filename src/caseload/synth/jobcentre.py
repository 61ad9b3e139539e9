"""Build the synthetic job centre and write it through the import path users use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl
from sqlalchemy import Connection, Engine

from caseload.domain import codes
from caseload.evaluate.randomise import Design
from caseload.register import catalogue
from caseload.register.importer import ImportResult, import_frame
from caseload.store import bulk
from caseload.synth import absence, assemble, caseflow, outcomes, owners, population, timeline
from caseload.synth import calibration as cal

TRIAL_CODE = "CPH-2018"
Tick = Callable[[str, int, int], None]
"""Progress: (table, rows written so far in this table, rows in the table)."""


TABLES = tuple(spec.name for spec in catalogue.SPECS)
_STREAMS = tuple(name for name in TABLES if name != "jobcentres")
"""Each table's random stream is numbered by its place in the load order before the job
centres came first (they draw nothing), so every table's draws stayed as they were."""
JOBCENTRE_CODE = "101"
JOBCENTRE_NAME = "Jobcenter København"
"""The demo is one job centre: Københavns Kommune's (municipality number 101)."""


@dataclass
class JobCentre:
    """Who is where and when: the simulated core. Tables are made from it one at a time,
    each with its own random stream, so a table can be written and dropped before the
    next is made (memory stays at one big table)."""

    seed: int
    comp: population.Composition
    staff: pl.DataFrame
    people: pl.DataFrame
    responsibilities: pl.DataFrame
    trial: bool = True
    """The job centre runs the caseload trial (a trial department, the cohort assigned)."""
    _pending: dict[str, pl.DataFrame] = field(default_factory=dict)

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, _STREAMS.index(name)])

    @property
    def active(self) -> pl.DataFrame:
        return self.people.select(
            "citizen_id",
            "group",
            pl.col("entry").alias("start"),
            pl.coalesce("exit_date", pl.lit(cal.WINDOW_END)).alias("end"),
            (pl.col("entry") == cal.START).alias("initial"),
        )

    @property
    def leavers(self) -> pl.DataFrame:
        return self.people.filter(pl.col("exit_date").is_not_null()).with_columns(
            pl.col("entry").alias("start")
        )

    def table(self, name: str) -> pl.DataFrame:
        """The import frame of one table, in file column names."""
        if name in self._pending:
            return _dates(self._pending.pop(name))
        return _dates(self._make(name))

    def _make(self, name: str) -> pl.DataFrame:
        if name in _REGISTER:
            return _REGISTER[name](self)
        rng, resp = self.rng(name), self.responsibilities
        if name == "meetings":
            return assemble.meetings_table(self.active, resp, rng)
        if name == "spells":
            return outcomes.spells(self.people)
        if name == "absence":
            return absence.absence(self.staff, rng)
        if name == "orders":
            order, self._pending["progress_reports"] = caseflow.orders(self.active, rng)
            return assemble.with_staff(order, resp, "start_date")
        if name == "medical_requests":
            return assemble.with_staff(
                caseflow.medical_requests(self.active, rng), resp, "sent_date"
            )
        if name == "plans":
            plan, self._pending["recommendations"] = caseflow.plans(self.leavers, self.active, rng)
            return assemble.with_staff(plan, resp, "started_date")
        if name == "placements":
            active = self.active
            targets = cal.arm_targets()
            share = np.where(
                active.get_column("group").to_numpy() == "trial",
                targets["trial"].placed,
                targets["control"].placed,
            )
            return assemble.with_staff(caseflow.placements(active, share, rng), resp, "start_date")
        if name == "paid_hours":
            return caseflow.paid_hours(self.leavers, rng)
        raise KeyError(f"no synthetic table {name!r} (tables come in load order)")


def simulate(
    citizens: int | None = None,
    seed: int = 2018,
    *,
    trial: bool = True,
    exit_hazard: float = 1.0,
    trial_hazard: float = 1.0,
) -> JobCentre:
    """The job centre's people and their caseworkers over time; reproducible from ``seed``.

    ``citizens`` is about how many citizens the register ends up with (those on a caseload
    at the start and the later entrants who take the places of those who leave). Beyond
    the Copenhagen-like demo (synth.national): ``trial=False`` leaves out the trial (no
    trial department, no cohort assigned; everyone in ordinary departments, drawn like the
    control arm); ``exit_hazard`` multiplies every citizen's exit hazard and
    ``trial_hazard`` the trial arm's on top of it (1: Copenhagen's published margins).
    """
    rng = np.random.default_rng(seed)
    comp = population.composition(citizens)
    if not trial:
        comp = population.Composition(0, 0, comp.total)
    hazard = {"trial": exit_hazard * trial_hazard, "control": exit_hazard}
    if exit_hazard == 1.0 and trial_hazard == 1.0:
        hazard = {}
    staffing = population.staffing(comp, rng)
    slots = staffing.slots
    slot_arm = slots.get_column("arm").to_numpy()
    n = slots.height
    # the cohort: each arm seated in its department; which citizen is which is random, as
    # citizen ids are a random permutation (see _citizens)
    cohort_arm = np.empty(n, dtype=object)
    trial_slots = np.flatnonzero(slot_arm == "trial")
    control_slots = rng.permutation(np.flatnonzero(slot_arm == "control"))
    cohort_arm[trial_slots] = "trial"
    cohort_arm[control_slots[: comp.control]] = "control"
    cohort_arm[control_slots[comp.control :]] = "other"
    traits = population.traits(cohort_arm.astype(str), rng)
    long_term = traits.get_column("long_term").to_numpy()
    exit_days = outcomes.cohort_exits(slot_arm, long_term, rng, hazard)
    exits = [None if np.isnat(d) else date.fromisoformat(str(d)) for d in exit_days]
    occ, entrants = timeline.occupy(
        slots, exits, timeline.EntrantExit(rng, slot_arm.tolist(), hazard), rng, first_entrant=n
    )
    people = assemble.citizens(traits, cohort_arm, slot_arm, exits, entrants, occ, rng)
    own = owners.simulate(slots, staffing.staff, rng)
    resp = assemble.responsibilities(occ.frame(), own.segments, slots, people)
    return JobCentre(seed, comp, own.staff, people, resp, trial=trial)


def _dates(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col(c).cast(pl.Date)
        for c, t in frame.schema.items()
        if t == pl.Datetime("ms")
        or isinstance(t, pl.Datetime)
        or (c.endswith("_date") and t != pl.Date)
    )


def _jobcentres(_centre: JobCentre) -> pl.DataFrame:
    """The one job centre: the departments and citizens, naming none, belong to it."""
    return pl.DataFrame({"jobcentre_id": [JOBCENTRE_CODE], "name": [JOBCENTRE_NAME]})


def _departments(centre: JobCentre) -> pl.DataFrame:
    depts = [d for d in cal.departments() if centre.trial or not d.is_trial]
    return pl.DataFrame(
        {
            "department_id": [d.code for d in depts],
            "name": [d.name for d in depts],
            "is_trial": [d.is_trial for d in depts],
            "role_model": ["all_apart"] * len(depts),
        }
    )


def _teams(centre: JobCentre) -> pl.DataFrame:
    return (
        centre.staff.select(
            pl.col("team").alias("team_id"), pl.col("department").alias("department_id")
        )
        .unique(maintain_order=True)
        .with_columns(("Team " + pl.col("team_id").str.split("-").list.last()).alias("name"))
    )


def _staff(centre: JobCentre) -> pl.DataFrame:
    return centre.staff.select(
        pl.col("code").alias("staff_id"),
        "name",
        pl.col("department").alias("department_id"),
        pl.col("team").alias("team_id"),
        "fte",
        "start_date",
        "end_date",
        "exit_kind",
    )


def _roles(centre: JobCentre) -> pl.DataFrame:
    return centre.staff.select(pl.col("code").alias("staff_id"), "role", "start_date", "end_date")


def _caps(centre: JobCentre) -> pl.DataFrame:
    trial_dept = next(d.code for d in cal.departments() if d.is_trial)
    ks, vk = timeline.KS, timeline.VK
    cap = population.CAP
    caps = pl.DataFrame(
        {
            "role": [ks, ks, vk, ks, vk],
            "department_id": [None, None, None, trial_dept, trial_dept],
            "cap": [
                220,
                cap[("control", ks)],
                cap[("control", vk)],
                cap[("trial", ks)],
                cap[("trial", vk)],
            ],
            # before the trial the ordinary caseload was 220 (seed 003)
            "start_date": [date(2015, 1, 1), cal.START, cal.START, cal.START, cal.START],
            "end_date": [cal.START - timedelta(days=1), None, None, None, None],
        },
        schema_overrides={"department_id": pl.Utf8, "end_date": pl.Date},
    )
    return caps if centre.trial else caps.filter(pl.col("department_id").is_null())


def _citizen_rows(centre: JobCentre) -> pl.DataFrame:
    people = centre.people
    # a stream of its own, so adding complexity left every other table's draws as they were
    rng = np.random.default_rng([centre.seed, 1000])
    tiers = np.array(codes.COMPLEXITY_TIERS)
    shares = cal.ASSUMED.complexity_shares
    return people.select(
        "citizen_id",
        "birth_date",
        "sex",
        "origin",
        "target_group",
        "district",
        "public_benefit_since",
        "kontanthjaelp_since",
    ).with_columns(pl.Series("complexity", tiers[rng.choice(len(tiers), people.height, p=shares)]))


def _meeting_rules(_centre: JobCentre) -> pl.DataFrame:
    """The statutory default the simulated meetings follow (synth.meetings)."""
    return pl.DataFrame(
        {
            "target_group": [None],
            "interval_months": [3],
            "first_within_days": [30],
            "follow_up_within_days": [14],
            "outreach_after_missed": [2],
        },
        schema_overrides={"target_group": pl.Utf8},
    )


def _none(name: str) -> Callable[[JobCentre], pl.DataFrame]:
    """A table the demo leaves empty (its users fill it in): no rows, the file's columns."""

    def make(_centre: JobCentre) -> pl.DataFrame:
        spec = catalogue.spec(name)
        return pl.DataFrame(schema={f.name: pl.Utf8 for f in spec.fields})

    return make


def _trials(centre: JobCentre) -> pl.DataFrame:
    comp = centre.comp
    if not centre.trial:
        return _none("trials")(centre)
    return pl.DataFrame(
        {
            "trial_id": [TRIAL_CODE],
            "name": ["Lower caseloads 2018-2019 (synthetic)"],
            "unit": ["citizen"],
            "start_date": [cal.START],
            "end_date": [cal.TRIAL_END],
            "outcome_end_date": [cal.WINDOW_END],
            "scheme": [
                Design(
                    scheme="complete",
                    probability=comp.trial / (comp.trial + comp.control),
                    seed=centre.seed,
                    eligible={
                        "departments": [d.code for d in cal.departments()],
                        "target_groups": [],
                    },
                ).to_text()
            ],
            "seed": [str(centre.seed)],
            "created_by": ["caseload demo"],
        }
    )


def _assignments(centre: JobCentre) -> pl.DataFrame:
    comp = centre.comp
    if not centre.trial:
        return _none("assignments")(centre)
    probability = comp.trial / (comp.trial + comp.control)
    return centre.people.filter(pl.col("cohort").is_in(["trial", "control"])).select(
        pl.lit(TRIAL_CODE).alias("trial_id"),
        "citizen_id",
        pl.col("cohort").alias("arm"),
        pl.lit(probability).alias("probability"),
        pl.lit(None, pl.Utf8).alias("block"),
        pl.lit(cal.START).alias("assigned_date"),
    )


_REGISTER: dict[str, Callable[[JobCentre], pl.DataFrame]] = {
    "jobcentres": _jobcentres,
    "departments": _departments,
    "teams": _teams,
    "staff": _staff,
    "roles": _roles,
    "caps": _caps,
    "citizens": _citizen_rows,
    "responsibilities": lambda centre: centre.responsibilities,
    "trials": _trials,
    "assignments": _assignments,
    "caseload_rules": _none("caseload_rules"),
    "buddy_pairs": _none("buddy_pairs"),
    "meeting_rules": _meeting_rules,
}


def write(engine: Engine, centre: JobCentre, tick: Tick | None = None) -> list[ImportResult]:
    """Make and load every table in one transaction through :func:`import_frame`.

    On SQLite the per-row foreign-key check is switched off for this one bulk load and
    replaced by ``PRAGMA foreign_key_check`` over the whole register before the commit:
    the same guarantee, a fifth less time; and the load runs under a rollback journal,
    WAL coming back after it. (PostgreSQL re-adds its constraints after each
    COPY, see ``store.bulk``.)
    """
    results = []
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.driver_connection
        if sqlite:
            raw.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
            # one big transaction: a rollback journal records almost nothing for new pages,
            # where WAL would write every page twice (WAL, then checkpoint); 7 % faster
            raw.execute("PRAGMA journal_mode = DELETE")  # type: ignore[union-attr]
        try:
            with conn.begin():
                results = _write_tables(conn, centre, tick)
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchmany(5)
                    if broken:
                        raise RuntimeError(f"foreign keys broken after the bulk load: {broken}")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
                raw.execute("PRAGMA journal_mode = WAL")  # type: ignore[union-attr]
    bulk.vacuum_after_load(
        engine,
        [
            catalogue.spec(r.table).table.name
            for r in results
            if r.inserted + r.updated >= bulk.VACUUM_FROM
        ],
    )
    return results


def _write_tables(conn: Connection, centre: JobCentre, tick: Tick | None) -> list[ImportResult]:
    results = []
    for name in TABLES:
        frame = centre.table(name)
        done = 0

        def progress(rows: int, name: str = name, total: int = frame.height) -> None:
            nonlocal done
            done += rows
            if tick:
                tick(name, done, total)

        results.append(
            import_frame(
                conn, catalogue.spec(name), frame, source=f"synthetic:{name}", progress=progress
            )
        )
        del frame
    return results
