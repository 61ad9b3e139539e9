"""The demo job centre's margins against the published Tables 1-7 (and the staff tables).

Each check allows four standard errors of the quantity under the synthetic design
(binomial for shares, sd/sqrt(n) for means): with a fixed seed the result is
deterministic, and a wrong calibration (or a broken generator) moves a margin by far more.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from sqlalchemy import Engine

from caseload.data import published
from caseload.synth import absence, calibration, owners, population

PUB = published()
ARMS = ("trial", "control")


def _frame(engine: Engine, sql: str) -> pl.DataFrame:
    with engine.connect() as conn:
        result = conn.exec_driver_sql(sql)
        return pl.DataFrame(
            result.fetchall(), schema=list(result.keys()), orient="row", infer_schema_length=None
        )


def _cohort(engine: Engine) -> pl.DataFrame:
    return _frame(
        engine,
        """
        SELECT c.id, a.arm, c.sex, c.origin, c.birth_date, c.public_benefit_since,
               c.kontanthjaelp_since
        FROM trial_assignment a JOIN citizen c ON c.id = a.citizen_id""",
    ).with_columns(
        pl.col("birth_date", "public_benefit_since", "kontanthjaelp_since").str.to_date()
    )


def _share_ok(observed: float, expected: float, n: int) -> bool:
    return abs(observed - expected) <= 4 * math.sqrt(expected * (1 - expected) / n)


def test_arms_are_the_published_sizes(demo: Engine) -> None:
    counts = dict(_cohort(demo).group_by("arm").len().iter_rows())
    assert counts == {"trial": PUB["arms"]["trial"], "control": PUB["arms"]["control"]}


@pytest.mark.parametrize("arm", ARMS)
def test_table_1_origin_and_sex(demo: Engine, arm: str) -> None:
    cohort = _cohort(demo).filter(pl.col("arm") == arm)
    t1 = PUB["table_1_baseline"][arm]
    n = cohort.height
    for column, value, key in (
        ("origin", "danish", "danish_origin"),
        ("origin", "western", "western_origin"),
        ("origin", "non_western", "non_western_origin"),
        ("sex", "female", "women"),
    ):
        share = (cohort.get_column(column) == value).mean()
        assert _share_ok(share, t1[key] / t1["n"], n), (arm, key, share)


@pytest.mark.parametrize("arm", ARMS)
def test_table_1_age_and_years_on_benefit(demo: Engine, arm: str) -> None:
    cohort = _cohort(demo).filter(pl.col("arm") == arm)
    start = date(2018, 1, 1)
    years = cohort.select(
        ((pl.lit(start) - pl.col("birth_date")).dt.total_days() / 365.25).alias("age"),
        ((pl.lit(start) - pl.col("public_benefit_since")).dt.total_days() / 365.25).alias(
            "benefit"
        ),
    )
    t1 = PUB["table_1_baseline"][arm]
    for column, key in (("age", "mean_age_years"), ("benefit", "mean_years_on_public_benefit")):
        values = years.get_column(column)
        se = values.std() / math.sqrt(values.len())
        # the report rounds ages to whole years: allow that rounding on top
        slack = 0.5 if column == "age" else 0.05
        assert abs(values.mean() - t1[key]) <= 4 * se + slack, (arm, column, values.mean())


@pytest.mark.parametrize("arm", ARMS)
def test_table_2_long_term_recipients_at_start(demo: Engine, arm: str) -> None:
    cohort = _cohort(demo).filter(pl.col("arm") == arm)
    long_term = (cohort.get_column("kontanthjaelp_since") <= date(2015, 1, 1)).mean()
    t2 = PUB["table_2_kontanthjaelp_duration_2018_01"][arm]
    assert _share_ok(long_term, t2["3_years_or_more"] / t2["n"], cohort.height)


def _destinations(engine: Engine) -> pl.DataFrame:
    """Each cohort citizen's benefit two months after leaving kontanthjælp (the outcome)."""
    exits = _frame(
        engine,
        """
        SELECT a.arm, s.citizen_id, s.end_date
        FROM trial_assignment a JOIN benefit_spell s ON s.citizen_id = a.citizen_id
        WHERE s.benefit = 'kontanthjaelp' AND s.end_date IS NOT NULL
          AND s.end_date <= '2020-04-30'""",
    ).with_columns(pl.col("end_date").str.to_date())
    spells = _frame(
        engine,
        "SELECT citizen_id, benefit, start_date, end_date FROM benefit_spell "
        "WHERE benefit <> 'kontanthjaelp'",
    ).with_columns(pl.col("start_date", "end_date").cast(pl.Utf8).str.to_date())
    later = exits.with_columns((pl.col("end_date") + timedelta(days=61)).alias("probe")).join(
        spells, on="citizen_id", suffix="_next"
    )
    return later.filter(
        (pl.col("start_date") <= pl.col("probe"))
        & (pl.col("end_date_next").is_null() | (pl.col("end_date_next") >= pl.col("probe")))
    ).select("arm", "citizen_id", "benefit")


@pytest.mark.parametrize("arm", ARMS)
def test_tables_3_and_5_exits_by_destination(demo: Engine, arm: str) -> None:
    went = _destinations(demo).filter(pl.col("arm") == arm)
    n = PUB["arms"][arm]
    published_counts = (
        PUB["table_3_exits_work_education"][arm] | PUB["table_5_exits_other_benefits"][arm]
    )
    for destination in calibration.DESTINATIONS:
        share = went.filter(pl.col("benefit") == destination).height / n
        expected = published_counts[destination] / n
        assert _share_ok(share, expected, n), (arm, destination, share, expected)


@pytest.mark.parametrize("arm", ARMS)
def test_table_4_company_placements(demo: Engine, arm: str) -> None:
    placed = _frame(
        demo,
        f"""
        SELECT COUNT(DISTINCT p.citizen_id) FROM company_placement p
        JOIN trial_assignment a ON a.citizen_id = p.citizen_id
        WHERE a.arm = '{arm}' AND p.start_date <= '2019-12-31'""",
    ).item()
    t4 = PUB["table_4_company_placement_2018_2019"][arm]
    n = PUB["arms"][arm]
    assert _share_ok(placed / n, t4["placed"] / (t4["placed"] + t4["not_placed"]), n)


@pytest.mark.parametrize("arm", ARMS)
def test_table_6_long_term_recipients_still_on_kontanthjaelp(demo: Engine, arm: str) -> None:
    remaining = _frame(
        demo,
        f"""
        SELECT COUNT(*) FROM trial_assignment a
        JOIN citizen c ON c.id = a.citizen_id
        JOIN benefit_spell s ON s.citizen_id = c.id AND s.benefit = 'kontanthjaelp'
        WHERE a.arm = '{arm}' AND c.kontanthjaelp_since <= '2015-01-01'
          AND (s.end_date IS NULL OR s.end_date >= '2019-12-31')""",
    ).item()
    at_start = (
        _cohort(demo)
        .filter((pl.col("arm") == arm) & (pl.col("kontanthjaelp_since") <= date(2015, 1, 1)))
        .height
    )
    t6 = PUB["table_6_long_term_recipients_3y_plus"][arm]
    assert _share_ok(remaining / at_start, t6["2019-12"] / t6["2018-01"], at_start)


@pytest.mark.parametrize(("arm", "trial_department"), [("trial", 1), ("control", 0)])
def test_table_7_timely_job_meetings(demo: Engine, arm: str, trial_department: int) -> None:
    held = _frame(
        demo,
        f"""
        SELECT m.held_date <= m.due_date AS timely FROM meeting m
        JOIN professional p ON p.id = m.professional_id
        JOIN department d ON d.id = p.department_id
        WHERE m.kind = 'job_meeting' AND m.status = 'held' AND m.due_date IS NOT NULL
          AND m.due_date BETWEEN '2018-01-01' AND '2019-12-31'
          AND d.is_trial = {trial_department}""",
    )
    share = held.get_column("timely").mean()
    expected = PUB["table_7_timely_job_meetings_weekly_average"][arm]["timely_share_pct"] / 100
    assert _share_ok(share, expected, held.height), (arm, share, held.height)


def test_trial_caseworkers_never_exceed_fifty(demo: Engine) -> None:
    """The cap holds on every day, not just the days the status report shows."""
    rows = _frame(
        demo,
        """
        SELECT r.professional_id, r.start_date, r.end_date FROM responsibility r
        JOIN professional p ON p.id = r.professional_id
        JOIN department d ON d.id = p.department_id
        WHERE d.is_trial = 1 AND r.role = 'coordinating_caseworker'""",
    ).with_columns(pl.col("start_date", "end_date").str.to_date())
    events = (
        pl.concat(
            [
                rows.select(
                    "professional_id", pl.col("start_date").alias("day"), pl.lit(1).alias("d")
                ),
                rows.filter(pl.col("end_date").is_not_null()).select(
                    "professional_id",
                    (pl.col("end_date") + timedelta(days=1)).alias("day"),
                    pl.lit(-1).alias("d"),
                ),
            ]
        )
        .group_by("professional_id", "day")
        .agg(pl.col("d").sum())
        .sort("professional_id", "day")
    )
    load = events.with_columns(pl.col("d").cum_sum().over("professional_id").alias("load"))
    assert load.get_column("load").max() == 50


def test_staff_sick_days_match_tables_8_and_9() -> None:
    """Many staff per department, so per-FTE rates are tight: short and long per period.

    Sick days are a compound Poisson sum (spells x length); four standard errors of it.
    """
    per_dept = 1000
    names = {d.code: d.name for d in calibration.departments()}
    staff = pl.DataFrame(
        {
            "code": [f"{d}-{i}" for d in names for i in range(per_dept)],
            "department": [d for d in names for _ in range(per_dept)],
            "fte": [1.0] * per_dept * len(names),
            "start_date": [date(2010, 1, 1)] * per_dept * len(names),
            "end_date": [None] * per_dept * len(names),
        },
        schema_overrides={"end_date": pl.Date},
    )
    spells = absence.absence(staff, np.random.default_rng(3)).with_columns(
        pl.col("staff_id").str.split("-").list.first().alias("department")
    )
    # the spell lengths synth/absence.py draws uniformly, and their second moments
    lengths = {"short": absence.SHORT_DAYS, "long": absence.LONG_DAYS}
    second_moment = {t: np.mean(np.arange(lo, hi + 1) ** 2) for t, (lo, hi) in lengths.items()}
    mean_length = {t: (lo + hi) / 2 for t, (lo, hi) in lengths.items()}
    for dept, name in names.items():
        for first, last, key in (
            (date(2018, 5, 1), date(2018, 12, 31), "table_8_sick_days_per_fte_2018_may_dec"),
            (date(2019, 1, 1), date(2019, 12, 31), "table_9_sick_days_per_fte_2019"),
        ):
            inside = spells.filter(
                (pl.col("department") == dept) & pl.col("start_date").is_between(first, last)
            )
            _, short, long_ = PUB[key][name]
            for term, expected in (("short", short), ("long", long_)):
                per_fte = inside.filter(pl.col("term") == term).get_column("days").sum() / per_dept
                spells_expected = expected * per_dept / mean_length[term]
                se = math.sqrt(spells_expected * second_moment[term]) / per_dept
                assert abs(per_fte - expected) <= 4 * se + 0.05, (dept, key, term, per_fte)


def test_staff_turnover_matches_tables_10_and_11() -> None:
    comp = population.composition(400_000)
    staffing = population.staffing(comp, np.random.default_rng(5))
    result = owners.simulate(staffing.slots, staffing.staff, np.random.default_rng(6))
    staff = result.staff
    names = {d.code: d.name for d in calibration.departments()}
    for dept, name in names.items():
        heads = staffing.staff.filter(pl.col("department") == dept).height
        for first, last, key, _months in (
            (
                date(2018, 5, 1),
                date(2018, 12, 31),
                "table_10_external_staff_turnover_pct_2018_may_dec",
                8,
            ),
            (date(2019, 1, 1), date(2019, 12, 31), "table_11_external_staff_turnover_pct_2019", 12),
        ):
            left = staff.filter(
                (pl.col("department") == dept)
                & (pl.col("exit_kind") == "external")
                & (pl.col("end_date") + timedelta(days=1)).is_between(first, last)
            ).height
            expected = PUB[key][name] / 100 * heads
            assert abs(left - expected) <= 4 * math.sqrt(max(expected, 1)) + 1, (dept, key, left)


def test_demo_register_is_back_in_wal_with_foreign_keys_on(demo: Engine) -> None:
    """The bulk build switches journal and per-row FK checks off for itself only."""
    with demo.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
