"""Randomising the register's citizens into a trial, on SQLite and PostgreSQL.

A small register is imported from hand-written CSV files. The trial starts on 2018-01-01;
the later-entrant run is on 2018-03-01. Who is eligible when (an open kontanthjælp spell
on the day, and a coordinating caseworker in the design's departments):

- C101-C118 (D1: K1 C101-C108, K2 C109-C114, K3 C115-C118) on kontanthjælp through the
  start; odd numbers since 2012 (>= 3 years), even numbers since 2017 (< 3 years). C117 is
  in another target group. C118's spell ends on 2018-01-31.
- C201-C204 (D2, K4) on kontanthjælp through the start.
- C119's spell ended the day before the start; C120 is on another benefit; C125's spell
  starts after 2018-03-01: never eligible here.
- Later entrants, eligible on 2018-03-01 but not on 2018-01-01: C121 (K1, spell from
  2018-01-02), C122 (K2, from 2018-02-15), C123 (K5, a caseworker who joins D1 on
  2018-02-01), C205 (D2). C124 has been on kontanthjælp since 2010 but moved from K4 (D2)
  to K3 (D1) on 2018-02-01: a later entrant of a D1-only trial, in the cohort otherwise.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from caseload.evaluate import enrolment
from caseload.evaluate.randomise import CONTROL, TRIAL, Design, DesignError, allocate
from caseload.register import importer
from caseload.store import schema as s
from tests.conftest import CopyOf

START = date(2018, 1, 1)
LATER = date(2018, 3, 1)
LONG, SHORT = "2012-06-01", "2017-06-01"

# (citizen, caseworker, responsibility start, responsibility end, benefit, spell start,
#  spell end, kontanthjaelp_since, target group)
AG = "activity_ready_30_plus"
PEOPLE: list[tuple[str, str, str, str, str, str, str, str, str]] = [
    *(
        (
            f"C1{i:02d}",
            "K1" if i <= 8 else "K2" if i <= 14 else "K3",
            "2017-06-01",
            "",
            "kontanthjaelp",
            LONG if i % 2 else SHORT,
            "2018-01-31" if i == 18 else "",
            LONG if i % 2 else SHORT,
            "job_ready_30_plus" if i == 17 else AG,
        )
        for i in range(1, 19)
    ),
    ("C119", "K1", "2015-01-01", "", "kontanthjaelp", "2015-01-01", "2017-12-31", "", AG),
    ("C120", "K2", "2017-01-01", "", "job", "2017-01-01", "", "", AG),
    ("C121", "K1", "2017-12-01", "", "kontanthjaelp", "2018-01-02", "", "2018-01-02", AG),
    ("C122", "K2", "2018-02-15", "", "kontanthjaelp", "2018-02-15", "", "2018-02-15", AG),
    ("C123", "K5", "2018-02-01", "", "kontanthjaelp", "2018-02-01", "", "2018-02-01", AG),
    ("C125", "K1", "2018-03-02", "", "kontanthjaelp", "2018-03-02", "", "2018-03-02", AG),
    *(
        (f"C20{i}", "K4", "2017-03-01", "", "kontanthjaelp", SHORT, "", SHORT, AG)
        for i in range(1, 5)
    ),
    ("C205", "K4", "2018-02-01", "", "kontanthjaelp", "2018-02-01", "", "2018-02-01", AG),
]
EXTRA_RESPONSIBILITIES = [
    ("C124", "K4", "2017-01-01", "2018-01-31", "intake"),
    ("C124", "K3", "2018-02-01", "", "reallocation"),
]
CASEWORKER = {p[0]: p[1] for p in PEOPLE} | {"C124": "K3"}

FILES: dict[str, str] = {
    "departments": "department_id,name,is_trial\nD1,Trial department,true\n"
    "D2,Control department,false\n",
    "teams": "team_id,department_id,name\nD1-A,D1,Team A\nD1-B,D1,Team B\nD2-A,D2,Team A\n",
    "staff": """staff_id,name,department_id,team_id,fte,start_date,end_date,exit_kind
K1,Anna,D1,D1-A,1,2015-01-01,,
K2,Bo,D1,D1-A,1,2015-01-01,,
K3,Carla,D1,D1-B,1,2015-01-01,,
K4,Dorte,D2,D2-A,1,2015-01-01,,
K5,Eva,D1,D1-B,1,2018-02-01,,
""",
    "roles": "staff_id,role,start_date,end_date\n"
    + "".join(f"K{i},coordinating_caseworker,2015-01-01,\n" for i in range(1, 5))
    + "K5,coordinating_caseworker,2018-02-01,\n",
    "citizens": "citizen_id,birth_date,sex,origin,target_group,kontanthjaelp_since\n"
    + "".join(f"{p[0]},1975-05-05,female,danish,{p[8]},{p[7]}\n" for p in PEOPLE)
    + f"C124,1960-02-02,male,western,{AG},2010-01-01\n",
    "responsibilities": "citizen_id,staff_id,role,start_date,end_date,reason\n"
    + "".join(f"{p[0]},{p[1]},coordinating_caseworker,{p[2]},{p[3]},intake\n" for p in PEOPLE)
    + "".join(
        ",".join((c, k, "coordinating_caseworker", b, e, r)) + "\n"
        for c, k, b, e, r in EXTRA_RESPONSIBILITIES
    ),
    "spells": "citizen_id,benefit,start_date,end_date\n"
    + "".join(f"{p[0]},{p[4]},{p[5]},{p[6]}\n" for p in PEOPLE)
    + "C124,kontanthjaelp,2010-01-01,\n",
}
ORDER = ["departments", "teams", "staff", "roles", "citizens", "responsibilities", "spells"]

D1_AT_START = [f"C1{i:02d}" for i in range(1, 19)]
D1_LATER = ["C121", "C122", "C123", "C124"]
ALL_AT_START = sorted([*D1_AT_START, "C201", "C202", "C203", "C204", "C124"])
ALL_LATER = ["C121", "C122", "C123", "C205"]
D1 = {"departments": ["D1"], "target_groups": []}


def _fill(engine: Engine, folder: Path) -> None:
    for table in ORDER:
        path = folder / f"{table}.csv"
        path.write_text(FILES[table], encoding="utf-8")
        result = importer.import_file(engine, table, path)
        assert result.inserted == FILES[table].count("\n") - 1, table


@pytest.fixture
def register(register_copy: CopyOf) -> Engine:
    """FILES imported (once per session and backend; this test gets a copy)."""
    return register_copy(_fill)


def _rows(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every assignment, by citizen code."""
    a, c, t = s.trial_assignment, s.citizen, s.trial
    with engine.connect() as conn:
        rows = conn.execute(
            select(a, c.c.code.label("citizen"), t.c.code.label("trial"))
            .join(c, c.c.id == a.c.citizen_id)
            .join(t, t.c.id == a.c.trial_id)
            .order_by(a.c.id)
        ).mappings()
        return {row["citizen"]: dict(row) for row in rows}


def _tables(engine: Engine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The full contents of trial and trial_assignment."""
    with engine.connect() as conn:
        trials = [tuple(r) for r in conn.execute(select(s.trial).order_by(s.trial.c.id))]
        rows = [
            tuple(r)
            for r in conn.execute(select(s.trial_assignment).order_by(s.trial_assignment.c.id))
        ]
    return trials, rows


def _arms(engine: Engine) -> dict[str, str]:
    return {code: row["arm"] for code, row in _rows(engine).items()}


# --- the first run ---------------------------------------------------------------------------


def test_first_run_creates_the_trial_and_assigns_exactly_the_eligible(register: Engine) -> None:
    design = Design("complete", 0.5, seed=2018, eligible=D1)
    run = enrolment.randomise(
        register,
        "T1",
        design,
        start=START,
        end=date(2019, 12, 31),
        outcome_end=date(2020, 6, 30),
        name="Lower caseloads",
        by="analyst",
    )
    assert run.created and not run.dry_run
    assert run.day == START
    assert run.kept == 0
    assert run.assigned == 18
    assert run.arms == {TRIAL: 9, CONTROL: 9}

    with register.connect() as conn:
        trial = conn.execute(select(s.trial)).mappings().one()
    assert trial["code"] == "T1"
    assert trial["name"] == "Lower caseloads"
    assert trial["unit"] == "citizen"
    assert (trial["start_date"], trial["end_date"], trial["outcome_end_date"]) == (
        START,
        date(2019, 12, 31),
        date(2020, 6, 30),
    )
    assert Design.from_text(trial["scheme"]) == design
    assert trial["seed"] == "2018"
    assert trial["created_by"] == "analyst"
    assert trial["created_at"] is not None

    rows = _rows(register)
    # the D1 cohort; not D2's citizens, not C124 (in D2 on the start day), not the others
    assert sorted(rows) == D1_AT_START
    expected = dict(
        zip(D1_AT_START, allocate(D1_AT_START, design, batch="2018-01-01"), strict=True)
    )
    assert {code: row["arm"] for code, row in rows.items()} == expected
    for row in rows.values():
        assert row["trial"] == "T1"
        assert row["probability"] == 0.5
        assert row["block"] is None and row["cluster"] is None
        assert row["assigned_date"] == START
        assert row["assigned_by"] == "analyst"
        assert row["assigned_at"] == trial["created_at"]


def test_without_a_department_filter_every_citizen_on_kontanthjaelp_is_assigned(
    register: Engine,
) -> None:
    run = enrolment.randomise(register, "T1", Design("complete", 0.5, seed=1), start=START)
    assert sorted(_rows(register)) == ALL_AT_START
    assert run.assigned == 23
    assert run.arms == {TRIAL: 12, CONTROL: 11}  # round(11.5) = 12


def test_target_group_filter(register: Engine) -> None:
    design = Design(
        "complete",
        0.5,
        seed=1,
        eligible={"departments": ["D1"], "target_groups": ["job_ready_30_plus"]},
    )
    enrolment.randomise(register, "T1", design, start=START)
    assert sorted(_rows(register)) == ["C117"]


def test_eligible_on_a_day(register: Engine) -> None:
    design = Design("complete", 0.5, seed=1, eligible=D1)
    with register.connect() as conn:
        at_start = enrolment.eligible(conn, design, START)
        later = enrolment.eligible(conn, design, LATER)
    assert [e.code for e in at_start] == D1_AT_START
    assert {e.code: e.caseworker for e in at_start} == {c: CASEWORKER[c] for c in D1_AT_START}
    assert {e.team for e in at_start} == {"D1-A", "D1-B"}
    assert Counter(e.traits["duration"] for e in at_start) == {"kh>=3y": 9, "kh<3y": 9}
    # C118's spell ended on 31 January
    assert sorted(e.code for e in later) == sorted(
        [*(c for c in D1_AT_START if c != "C118"), *D1_LATER]
    )


# --- reruns ----------------------------------------------------------------------------------


def test_identical_rerun_assigns_nobody_and_changes_nothing(register: Engine) -> None:
    design = Design("blocked", 0.5, seed=7, strata=("duration",), eligible=D1)
    enrolment.randomise(register, "T1", design, start=START, by="analyst")
    before = _tables(register)
    assert len(before[0]) == 1 and len(before[1]) == 18

    again = enrolment.randomise(register, "T1", design, start=START, by="someone else")
    assert not again.created
    assert again.assigned == 0 and again.arms == {}
    assert again.kept == 18
    # no design at all: the stored one is used
    stored = enrolment.randomise(register, "T1", None, by="someone else")
    assert stored.assigned == 0 and stored.kept == 18
    assert stored.design == design
    assert _tables(register) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seed": 8}, "seed"),
        ({"probability": 0.25, "block_size": 8}, "probability"),
        ({"scheme": "complete", "strata": ()}, "scheme"),
        ({"eligible": {"departments": ["D1", "D2"], "target_groups": []}}, "eligible"),
    ],
)
def test_rerun_with_another_design_is_refused_naming_the_field(
    register: Engine, change: dict[str, Any], field: str
) -> None:
    design = Design("blocked", 0.5, seed=7, strata=("duration",), eligible=D1)
    enrolment.randomise(register, "T1", design, start=START)
    before = _tables(register)
    fields = {
        "scheme": design.scheme,
        "probability": design.probability,
        "seed": design.seed,
        "strata": design.strata,
        "block_size": None,
        "unit": design.unit,
        "eligible": design.eligible,
    }
    other = Design(**(fields | change))
    with pytest.raises(DesignError) as raised:
        enrolment.randomise(register, "T1", other, start=START)
    message = str(raised.value)
    assert f"but {field}" in message and "differ" in message
    assert "trial T1 was randomised with blocked randomisation" in message
    assert "(seed 7)" in message
    with pytest.raises(DesignError, match="but seed differ"):
        enrolment.randomise(register, "T1", Design(**(fields | {"seed": 9})), day=LATER)
    assert _tables(register) == before


def test_a_new_trial_needs_a_design_and_a_start(register: Engine) -> None:
    with pytest.raises(DesignError, match="trial T9 does not exist"):
        enrolment.randomise(register, "T9", None, start=START)
    with pytest.raises(DesignError, match="trial T9 does not exist"):
        enrolment.randomise(register, "T9", Design("complete", 0.5, seed=1))
    assert _tables(register) == ([], [])


def test_a_day_before_the_start_is_refused(register: Engine) -> None:
    enrolment.randomise(register, "T1", Design("complete", 0.5, seed=1), start=START)
    before = _tables(register)
    with pytest.raises(DesignError, match="before the trial's start 2018-01-01"):
        enrolment.randomise(register, "T1", None, day=date(2017, 12, 31))
    assert _tables(register) == before


def test_a_trial_not_randomised_by_caseload_cannot_be_rerun(register: Engine) -> None:
    with register.begin() as conn:
        conn.execute(
            insert(s.trial).values(
                code="CPH",
                name="Imported",
                unit="citizen",
                start_date=START,
                scheme="complete, 1:1",
                seed="2018",
            )
        )
    with pytest.raises(DesignError, match="trial CPH has no design caseload can rerun"):
        enrolment.randomise(register, "CPH", None, day=LATER)


# --- later entrants --------------------------------------------------------------------------


def test_later_run_assigns_only_later_entrants_and_keeps_earlier_rows(register: Engine) -> None:
    design = Design("complete", 0.5, seed=2018, eligible=D1)
    enrolment.randomise(register, "T1", design, start=START, by="analyst")
    _, before = _tables(register)
    first = _rows(register)

    run = enrolment.randomise(register, "T1", None, day=LATER, by="clerk")
    assert not run.created
    assert run.day == LATER
    assert run.assigned == 4
    assert run.kept == 18  # everyone eligible on the start day was assigned then
    rows = _rows(register)
    assert sorted(rows) == sorted([*D1_AT_START, *D1_LATER])
    # earlier rows are untouched, byte for byte
    _, after = _tables(register)
    assert after[: len(before)] == before
    assert {c: rows[c] for c in D1_AT_START} == first
    # the later entrants: a batch of their own, drawn on the later day
    expected = dict(zip(D1_LATER, allocate(D1_LATER, design, batch="2018-03-01"), strict=True))
    for code in D1_LATER:
        assert rows[code]["arm"] == expected[code]
        assert rows[code]["assigned_date"] == LATER
        assert rows[code]["assigned_by"] == "clerk"
        assert rows[code]["probability"] == 0.5
    assert Counter(rows[c]["arm"] for c in D1_LATER) == {TRIAL: 2, CONTROL: 2}

    # the same later day again: nobody new, nothing moves
    snapshot = _tables(register)
    assert enrolment.randomise(register, "T1", None, day=LATER).assigned == 0
    assert _tables(register) == snapshot
    # the next day only C125 (spell from 2018-03-02) is new; everyone else stays put
    next_day = enrolment.randomise(register, "T1", None, day=date(2018, 3, 2))
    assert next_day.assigned == 1
    assert next_day.kept == 18
    trials, rows_after = _tables(register)
    assert (trials, rows_after[: len(snapshot[1])]) == snapshot
    assert sorted(_rows(register)) == sorted([*D1_AT_START, *D1_LATER, "C125"])
    assert _rows(register)["C125"]["assigned_date"] == date(2018, 3, 2)


def test_later_run_without_department_filter(register: Engine) -> None:
    enrolment.randomise(register, "T1", Design("simple", 0.5, seed=3), start=START)
    run = enrolment.randomise(register, "T1", None, day=LATER)
    assert run.assigned == 4
    rows = _rows(register)
    assert sorted(c for c, r in rows.items() if r["assigned_date"] == LATER) == ALL_LATER
    # C124 was in the cohort (with K4 on the start day); it keeps its start-day row
    assert rows["C124"]["assigned_date"] == START
    # simple: each arm is the unit's own draw, whichever run assigned it
    design = Design("simple", 0.5, seed=3)
    assert {c: r["arm"] for c, r in rows.items()} == dict(
        zip(sorted(rows), allocate(sorted(rows), design), strict=True)
    )


# --- blocked ---------------------------------------------------------------------------------


def test_blocked_by_duration_stores_the_stratum_and_balances_each(register: Engine) -> None:
    design = Design("blocked", 0.5, seed=11, strata=("duration",), eligible=D1)
    assert design.block_size == 4
    run = enrolment.randomise(register, "T1", design, start=START)
    rows = _rows(register)
    long_ = [f"C1{i:02d}" for i in range(1, 19, 2)]
    short = [f"C1{i:02d}" for i in range(2, 19, 2)]
    label = {**dict.fromkeys(long_, "duration=kh>=3y"), **dict.fromkeys(short, "duration=kh<3y")}
    assert {c: r["block"] for c, r in rows.items()} == label
    assert set(run.strata) == {"duration=kh>=3y", "duration=kh<3y"}
    for stratum, members in (("duration=kh>=3y", long_), ("duration=kh<3y", short)):
        arms = [rows[c]["arm"] for c in sorted(members)]
        trial = arms.count(TRIAL)
        assert abs(trial - len(arms) / 2) <= design.block_size / 2, stratum
        # exact after each complete block, in code order
        assert [arms[:k].count(TRIAL) for k in (4, 8)] == [2, 4], stratum
        assert run.strata[stratum] == {TRIAL: trial, CONTROL: len(arms) - trial}
        assert arms == allocate(sorted(members), design, [stratum] * len(members))


def test_blocked_later_entrants_continue_each_stratum_sequence(register: Engine) -> None:
    design = Design("blocked", 0.5, seed=11, strata=("duration",), eligible=D1)
    enrolment.randomise(register, "T1", design, start=START)
    first = _rows(register)
    held = Counter(r["block"] for r in first.values())
    assert held == {"duration=kh>=3y": 9, "duration=kh<3y": 9}

    enrolment.randomise(register, "T1", None, day=LATER)
    rows = _rows(register)
    later = {c: r for c, r in rows.items() if r["assigned_date"] == LATER}
    assert sorted(later) == D1_LATER
    # C121-C123 started in 2018 (< 3 years); C124 has been on kontanthjælp since 2010
    assert {c: r["block"] for c, r in later.items()} == {
        "C121": "duration=kh<3y",
        "C122": "duration=kh<3y",
        "C123": "duration=kh<3y",
        "C124": "duration=kh>=3y",
    }
    codes = sorted(later)
    labels = [later[c]["block"] for c in codes]
    expected = allocate(codes, design, labels, already=dict(held))
    assert [later[c]["arm"] for c in codes] == expected
    # the stratum's whole sequence (start batch, then the later batch, each in code order)
    # is the stratum's first slots: after 12 units of kh<3y exactly 6 are in the trial arm
    for stratum in ("duration=kh<3y", "duration=kh>=3y"):
        ordered = sorted(
            (r for r in rows.values() if r["block"] == stratum),
            key=lambda r: (r["assigned_date"], r["citizen"]),
        )
        arms = [r["arm"] for r in ordered]
        assert arms == allocate([r["citizen"] for r in ordered], design, [stratum] * len(ordered))
        assert [arms[:k].count(TRIAL) for k in range(4, len(arms) + 1, 4)] == [
            2 * (k + 1) for k in range(len(arms) // 4)
        ], stratum


# --- clusters --------------------------------------------------------------------------------


def test_caseworker_clusters_share_an_arm(register: Engine) -> None:
    design = Design("complete", 0.5, seed=5, unit="caseworker")
    run = enrolment.randomise(register, "T1", design, start=START)
    assert run.clusters == 4
    rows = _rows(register)
    assert sorted(rows) == ALL_AT_START
    at_start = {"C124": "K4"}
    for code, row in rows.items():
        assert row["cluster"] == at_start.get(code, CASEWORKER[code])
    arm_of_cluster: dict[str, set[str]] = {}
    for row in rows.values():
        arm_of_cluster.setdefault(row["cluster"], set()).add(row["arm"])
    assert set(arm_of_cluster) == {"K1", "K2", "K3", "K4"}
    assert all(len(arms) == 1 for arms in arm_of_cluster.values())
    cluster_arms = {k: next(iter(v)) for k, v in arm_of_cluster.items()}
    # two of the four caseworkers are in the trial arm, drawn as units themselves
    clusters = ["K1", "K2", "K3", "K4"]
    assert cluster_arms == dict(
        zip(clusters, allocate(clusters, design, batch="2018-01-01"), strict=True)
    )
    assert Counter(cluster_arms.values()) == {TRIAL: 2, CONTROL: 2}
    with register.connect() as conn:
        assert conn.execute(select(s.trial.c.unit)).scalar_one() == "caseworker"

    # later entrants join their caseworker's arm; a new caseworker is a new cluster
    later = enrolment.randomise(register, "T1", None, day=LATER)
    assert later.assigned == 4
    rows = _rows(register)
    for code in ("C121", "C122", "C205"):
        assert rows[code]["cluster"] == CASEWORKER[code]
        assert rows[code]["arm"] == cluster_arms[CASEWORKER[code]], code
    assert rows["C123"]["cluster"] == "K5"
    assert [rows["C123"]["arm"]] == allocate(["K5"], design, batch="2018-03-01")


def test_team_clusters_share_an_arm(register: Engine) -> None:
    design = Design("complete", 0.5, seed=5, unit="team")
    run = enrolment.randomise(register, "T1", design, start=START)
    assert run.clusters == 3
    rows = _rows(register)
    team = {"K1": "D1-A", "K2": "D1-A", "K3": "D1-B", "K4": "D2-A"}
    for code, row in rows.items():
        assert row["cluster"] == team["K4" if code == "C124" else CASEWORKER[code]]
    per_team: dict[str, set[str]] = {}
    for row in rows.values():
        per_team.setdefault(row["cluster"], set()).add(row["arm"])
    assert all(len(arms) == 1 for arms in per_team.values())


def test_clusters_blocked_on_a_trait_they_do_not_share_are_refused(register: Engine) -> None:
    design = Design("blocked", 0.5, seed=5, strata=("duration",), unit="caseworker")
    with pytest.raises(DesignError, match="holds citizens of several strata"):
        enrolment.randomise(register, "T1", design, start=START)
    assert _tables(register) == ([], [])


# --- dry run ---------------------------------------------------------------------------------


def test_dry_run_writes_nothing(register: Engine) -> None:
    design = Design("complete", 0.5, seed=2018, eligible=D1)
    run = enrolment.randomise(register, "T1", design, start=START, dry_run=True)
    assert run.dry_run and run.created
    assert run.assigned == 18
    assert _tables(register) == ([], [])
    # the real run draws what the dry run showed
    real = enrolment.randomise(register, "T1", design, start=START)
    assert real.arms == run.arms

    before = _tables(register)
    later = enrolment.randomise(register, "T1", None, day=LATER, dry_run=True)
    assert later.assigned == 4
    assert _tables(register) == before


def test_counts_per_arm(register: Engine) -> None:
    enrolment.randomise(
        register, "T1", Design("complete", 0.5, seed=2018, eligible=D1), start=START
    )
    with register.connect() as conn:
        assert enrolment.counts(conn, "T1") == {TRIAL: 9, CONTROL: 9}
        assert enrolment.counts(conn, "nope") == {}


# --- anniversaries ---------------------------------------------------------------------------


def test_three_years_on_kontanthjaelp_counts_from_the_third_anniversary(
    engine: Engine, tmp_path: Path
) -> None:
    """On 2019-03-01 a citizen on kontanthjælp since 2016-03-01 has been on it for three
    years (no 29 February in between), and one born on 1989-03-01 turns 30."""
    files = {
        "departments": "department_id,name\nD1,Trial\n",
        "staff": "staff_id,name,department_id,fte,start_date\nK1,Anna,D1,1,2015-01-01\n",
        "roles": "staff_id,role,start_date\nK1,coordinating_caseworker,2015-01-01\n",
        "citizens": "citizen_id,birth_date,sex,origin,target_group,kontanthjaelp_since\n"
        f"C1,1989-03-01,female,danish,{AG},2016-03-01\n"
        f"C2,1989-03-02,female,danish,{AG},2016-03-02\n",
        "responsibilities": "citizen_id,staff_id,role,start_date,reason\n"
        "C1,K1,coordinating_caseworker,2016-03-01,intake\n"
        "C2,K1,coordinating_caseworker,2016-03-02,intake\n",
        "spells": "citizen_id,benefit,start_date\nC1,kontanthjaelp,2016-03-01\n"
        "C2,kontanthjaelp,2016-03-02\n",
    }
    for table in ("departments", "staff", "roles", "citizens", "responsibilities", "spells"):
        path = tmp_path / f"{table}.csv"
        path.write_text(files[table], encoding="utf-8")
        importer.import_file(engine, table, path)
    design = Design("blocked", 0.5, seed=1, strata=("duration", "age"))
    with engine.connect() as conn:
        traits = {e.code: e.traits for e in enrolment.eligible(conn, design, date(2019, 3, 1))}
    assert (traits["C2"]["duration"], traits["C2"]["age"]) == ("kh<3y", "<30")
    assert (traits["C1"]["duration"], traits["C1"]["age"]) == ("kh>=3y", "30-39")


@pytest.mark.parametrize(
    ("eligible", "said"),
    [
        ({"departments": ["D1", "DX"]}, "no department DX in the register"),
        ({"target_groups": ["astronauts"]}, "unknown target group astronauts"),
    ],
)
def test_a_department_or_group_the_register_lacks_is_refused_and_nothing_stored(
    register: Engine, eligible: dict[str, list[str]], said: str
) -> None:
    """Issue 10: a mistyped department used to make an empty trial."""
    design = Design("complete", 0.5, seed=2018, eligible=eligible)
    with pytest.raises(DesignError) as caught:
        enrolment.randomise(register, "T1", design, start=START)
    assert said in str(caught.value)
    assert caught.value.text("da") != str(caught.value)  # in Danish too
    assert _tables(register) == ([], [])


def test_a_trial_that_would_assign_nobody_is_not_created(register: Engine) -> None:
    design = Design("complete", 0.5, seed=2018, eligible=D1)
    with pytest.raises(DesignError) as caught:
        enrolment.randomise(register, "T1", design, start=date(2001, 1, 1))
    assert "no citizen is eligible on 2001-01-01" in str(caught.value)
    assert _tables(register) == ([], [])
