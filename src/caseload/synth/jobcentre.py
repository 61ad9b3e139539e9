"""Build the synthetic job centre and write it through the import path users use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl
from sqlalchemy import Connection, Engine

from caseload.register import catalogue
from caseload.register.importer import ImportResult, import_frame
from caseload.synth import absence, caseflow, meetings, outcomes, owners, population, timeline
from caseload.synth import calibration as cal
from caseload.synth.ids import sequence_codes

TRIAL_CODE = "CPH-2018"
Tick = Callable[[str, int, int], None]
"""Progress: (table, rows written so far in this table, rows in the table)."""


TABLES = tuple(spec.name for spec in catalogue.SPECS)


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
    _pending: dict[str, pl.DataFrame] = field(default_factory=dict)

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, TABLES.index(name)])

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
        rng, resp = self.rng(name), self.responsibilities
        if name in _REGISTER:
            return _REGISTER[name](self)
        if name == "meetings":
            return _meetings(self.active, resp, rng)
        if name == "spells":
            return outcomes.spells(self.people)
        if name == "absence":
            return absence.absence(self.staff, rng)
        if name == "orders":
            order, self._pending["progress_reports"] = caseflow.orders(self.active, rng)
            return _with_staff(order, resp, "start_date")
        if name == "medical_requests":
            return _with_staff(caseflow.medical_requests(self.active, rng), resp, "sent_date")
        if name == "plans":
            plan, self._pending["recommendations"] = caseflow.plans(self.leavers, self.active, rng)
            return _with_staff(plan, resp, "started_date")
        if name == "placements":
            active = self.active
            targets = cal.arm_targets()
            share = np.where(
                active.get_column("group").to_numpy() == "trial",
                targets["trial"].placed,
                targets["control"].placed,
            )
            return _with_staff(caseflow.placements(active, share, rng), resp, "start_date")
        if name == "paid_hours":
            return caseflow.paid_hours(self.leavers, rng)
        raise KeyError(f"no synthetic table {name!r} (tables come in load order)")


def simulate(citizens: int | None = None, seed: int = 2018) -> JobCentre:
    """The job centre's people and their caseworkers over time; reproducible from ``seed``.

    ``citizens`` is about how many citizens the register ends up with (those on a caseload
    at the start and the later entrants who take the places of those who leave).
    """
    rng = np.random.default_rng(seed)
    comp = population.composition(citizens)
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
    exit_days = outcomes.cohort_exits(slot_arm, long_term, rng)
    exits = [None if np.isnat(d) else date.fromisoformat(str(d)) for d in exit_days]
    occ, entrants = timeline.occupy(
        slots, exits, timeline.EntrantExit(rng, slot_arm.tolist()), rng, first_entrant=n
    )
    people = _citizens(traits, cohort_arm, slot_arm, exits, entrants, occ, rng)
    own = owners.simulate(slots, staffing.staff, rng)
    resp = _responsibilities(occ.frame(), own.segments, slots, people)
    return JobCentre(seed, comp, own.staff, people, resp)


def _dates(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col(c).cast(pl.Date)
        for c, t in frame.schema.items()
        if t == pl.Datetime("ms")
        or isinstance(t, pl.Datetime)
        or (c.endswith("_date") and t != pl.Date)
    )


def _citizens(
    traits: pl.DataFrame,
    cohort_arm: np.ndarray,
    slot_arm: np.ndarray,
    exits: list[date | None],
    entrants: list[timeline.Entrant],
    occ: timeline.Occupancies,
    rng: np.random.Generator,
) -> pl.DataFrame:
    n, m = traits.height, len(entrants)
    entry = [cal.START] * n + [e.entry for e in entrants]
    group = np.concatenate([slot_arm, slot_arm[[e.slot for e in entrants]]])
    later = population.traits(np.array(["other"] * m), rng)
    recent = np.array([np.datetime64(e.entry, "D") for e in entrants], dtype="datetime64[D]")
    kh_since = recent - rng.integers(0, 181, m).astype("timedelta64[D]")
    later = later.with_columns(
        pl.Series("kontanthjaelp_since", kh_since).cast(pl.Date),
    ).with_columns(
        pl.min_horizontal("public_benefit_since", "kontanthjaelp_since").alias(
            "public_benefit_since"
        )
    )
    everyone = pl.concat([traits, later])
    exit_of = dict(enumerate(exits))
    for index, end in zip(occ.citizen, occ.end, strict=True):
        if index >= n and end is not None:
            exit_of[index] = end
    exit_date = [exit_of.get(i) for i in range(n + m)]
    # pseudonymous ids that do not reveal arm or order of entry
    codes = rng.permutation(n + m) + 1
    frame = everyone.with_columns(
        sequence_codes("C", n + m, order=codes).alias("citizen_id"),
        pl.Series("index", np.arange(n + m)),
        pl.Series(
            "cohort",
            np.concatenate([cohort_arm, np.array(["later"] * m, dtype=object)]).astype(str),
        ),
        pl.Series("group", group.astype(str)),
        pl.Series("entry", entry, dtype=pl.Date),
        pl.Series("exit_date", exit_date, dtype=pl.Date),
        pl.lit("activity_ready_30_plus").alias("target_group"),
    )
    leaving = frame.get_column("exit_date").is_not_null().to_numpy()
    dest = np.full(n + m, None, dtype=object)
    dest[leaving] = outcomes.destinations(group[leaving], rng)
    return frame.with_columns(pl.Series("destination", dest.tolist(), dtype=pl.Utf8))


def _responsibilities(
    occ: pl.DataFrame, segments: pl.DataFrame, slots: pl.DataFrame, people: pl.DataFrame
) -> pl.DataFrame:
    """Occupancies cut by owner changes: a row per citizen, caseworker and period."""
    far = date(2100, 1, 1)
    joined = (
        occ.join(segments, on="slot")
        .filter(
            (pl.col("from_date") <= pl.col("end").fill_null(far))
            & (pl.col("to_date").fill_null(far) >= pl.col("start"))
        )
        .join(slots.select("slot", "role"), on="slot")
    )
    start = pl.max_horizontal("start", "from_date")
    end = pl.min_horizontal(pl.col("end").fill_null(far), pl.col("to_date").fill_null(far))
    rows = joined.select(
        pl.col("citizen").alias("index"),
        pl.col("staff").alias("staff_id"),
        "role",
        start.alias("start_date"),
        pl.when(end == far).then(None).otherwise(end).alias("end_date"),
        pl.when(start == pl.col("start"))
        .then(pl.col("reason"))
        .otherwise(pl.col("reason_right"))
        .alias("reason"),
    )
    return (
        rows.join(people.select("index", "citizen_id"), on="index")
        .drop("index")
        .sort("citizen_id", "role", "start_date")
    )


def _with_staff(frame: pl.DataFrame, resp: pl.DataFrame, on: str) -> pl.DataFrame:
    """The professional responsible for the citizen on the row's date (none if between)."""

    # one sortable integer per (citizen, day): an as-of join without groups is a plain merge
    def key(day: pl.Expr) -> pl.Expr:
        citizen = pl.col("citizen_id").str.slice(1).cast(pl.Int64)
        return citizen * 1_000_000 + day.cast(pl.Int32).cast(pl.Int64)

    # an open end counts as far in the future; a match from an earlier citizen always
    # ends before this citizen's first key, so one comparison checks both
    lookup = resp.select(
        key(pl.col("start_date")).alias("_key"),
        "staff_id",
        key(pl.col("end_date").fill_null(date(2100, 1, 1))).alias("_to"),
    ).sort("_key")
    # only a narrow frame of keys is sorted and joined: the wide one is never copied
    keys = (
        frame.select(key(pl.col(on).cast(pl.Date)).alias("_key"))
        .with_row_index("_order")
        .sort("_key")
    )
    staff = (
        keys.join_asof(lookup, on="_key", strategy="backward")
        .sort("_order")
        .select(pl.when(pl.col("_to") >= pl.col("_key")).then(pl.col("staff_id")))
        .to_series()
        .alias("staff_id")
    )
    return frame.with_columns(staff)


def _meetings(active: pl.DataFrame, resp: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    held = pl.concat([meetings.job_meetings(active, rng), meetings.extra_contacts(active, rng)])
    held = held.with_columns(pl.col("due_date", "held_date").cast(pl.Date))
    done, missed = meetings.with_missed(held, rng)
    del held  # the biggest table: keep one copy alive at a time
    # codes follow the order rows are written in, so the unique index grows at its end
    codes = sequence_codes("M", done.height + missed.height)
    missed = missed.with_columns(codes[: missed.height].alias("meeting_id"))
    done = done.with_columns(codes[missed.height :].alias("meeting_id"))
    links = missed.select("n", pl.col("meeting_id").alias("follow_up_of"))
    done = done.join(links, on="n", how="left")
    columns = [
        "meeting_id",
        "citizen_id",
        "kind",
        "due_date",
        "scheduled_date",
        "held_date",
        "duration_minutes",
        "place",
        "status",
    ]
    frame = pl.concat(
        [
            missed.select(*columns, pl.lit(None, pl.Utf8).alias("follow_up_of")),
            done.select(*columns, "follow_up_of"),
        ]
    )
    del done, missed
    return _with_staff(frame, resp, "scheduled_date")


def _departments(_centre: JobCentre) -> pl.DataFrame:
    depts = cal.departments()
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


def _caps(_centre: JobCentre) -> pl.DataFrame:
    trial_dept = next(d.code for d in cal.departments() if d.is_trial)
    ks, vk = timeline.KS, timeline.VK
    cap = population.CAP
    return pl.DataFrame(
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


def _citizen_rows(centre: JobCentre) -> pl.DataFrame:
    return centre.people.select(
        "citizen_id",
        "birth_date",
        "sex",
        "origin",
        "target_group",
        "district",
        "public_benefit_since",
        "kontanthjaelp_since",
    )


def _trials(centre: JobCentre) -> pl.DataFrame:
    comp = centre.comp
    return pl.DataFrame(
        {
            "trial_id": [TRIAL_CODE],
            "name": ["Lower caseloads 2018-2019 (synthetic)"],
            "unit": ["citizen"],
            "start_date": [cal.START],
            "end_date": [cal.TRIAL_END],
            "outcome_end_date": [cal.WINDOW_END],
            "scheme": [f"complete randomisation, {comp.trial}:{comp.control}"],
            "seed": [str(centre.seed)],
            "created_by": ["caseload demo"],
        }
    )


def _assignments(centre: JobCentre) -> pl.DataFrame:
    comp = centre.comp
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
    "departments": _departments,
    "teams": _teams,
    "staff": _staff,
    "roles": _roles,
    "caps": _caps,
    "citizens": _citizen_rows,
    "responsibilities": lambda centre: centre.responsibilities,
    "trials": _trials,
    "assignments": _assignments,
}


def write(engine: Engine, centre: JobCentre, tick: Tick | None = None) -> list[ImportResult]:
    """Make and load every table in one transaction through :func:`import_frame`.

    On SQLite the per-row foreign-key check is switched off for this one bulk load and
    replaced by ``PRAGMA foreign_key_check`` over the whole register before the commit:
    the same guarantee, a fifth less time. (PostgreSQL re-adds its constraints after each
    COPY, see ``store.bulk``.)
    """
    results = []
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.driver_connection
        if sqlite:
            raw.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
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
