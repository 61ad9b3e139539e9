"""`caseload randomise` end to end: the file form and the register form (SQLite)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from caseload.evaluate.randomise import CONTROL, TRIAL, Design, allocate
from caseload.store import schema as s
from caseload.store.database import connect
from tests.helpers import copy_register, plain_environment, run, settle, write


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- the file form ---------------------------------------------------------------------------

SITES = {"A": 12, "B": 8, "C": 4}
UNITS = [(f"U{site}{i:02d}", site) for site, n in SITES.items() for i in range(n)]


@pytest.fixture
def units(tmp_path: Path) -> Path:
    # listed out of code order: blocks follow code order within a site whatever the file says
    rows = sorted(UNITS, key=lambda u: (u[0][-1], u[0]))
    return write(tmp_path, "units.csv", "unit,site\n" + "".join(f"{u},{s}\n" for u, s in rows))


def test_file_form_writes_every_unit_once_with_arm_and_probability(
    units: Path, tmp_path: Path
) -> None:
    out = tmp_path / "arms.csv"
    result = run(
        "randomise",
        str(units),
        "--id",
        "unit",
        "--block",
        "site",
        "--prob",
        "0.5",
        "--seed",
        "3",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "blocked randomisation, P(trial) = 0.5, blocks of 4 within site" in result.output
    assert "trial 12" in result.output and "control 12" in result.output
    assert out.stat().st_mode & 0o777 == 0o600  # every unit's arm: the owner's only
    assert f"→ {out}" in result.output

    rows = _read(out)
    assert list(rows[0]) == ["unit", "site", "arm", "probability"]
    assert sorted(r["unit"] for r in rows) == sorted(u for u, _ in UNITS)
    assert len(rows) == len(UNITS)
    assert {r["probability"] for r in rows} == {"0.5"}
    assert {r["arm"] for r in rows} == {TRIAL, CONTROL}
    assert {r["unit"]: r["site"] for r in rows} == dict(UNITS)
    # each site holds whole blocks of 4: exactly half, and half of every block in code order
    for site, n in SITES.items():
        arms = [
            r["arm"]
            for r in sorted((r for r in rows if r["site"] == site), key=lambda r: r["unit"])
        ]
        assert [arms[:k].count(TRIAL) for k in range(4, n + 1, 4)] == [
            2 * (k + 1) for k in range(n // 4)
        ], site
    # the arms are the library's draw with the stored design
    design = Design("blocked", 0.5, seed=3, strata=("site",))
    codes = [r["unit"] for r in rows]
    assert [r["arm"] for r in rows] == allocate(codes, design, [f"site={r['site']}" for r in rows])


def test_file_form_twice_gives_identical_output(units: Path, tmp_path: Path) -> None:
    outputs = []
    for name in ("first.csv", "second.csv"):
        out = tmp_path / name
        result = run(
            "randomise",
            str(units),
            "--id",
            "unit",
            "--block",
            "site",
            "--prob",
            "0.5",
            "--seed",
            "3",
            "--out",
            str(out),
        )
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    # another seed draws differently
    other = tmp_path / "other.csv"
    result = run(
        "randomise",
        str(units),
        "--id",
        "unit",
        "--block",
        "site",
        "--prob",
        "0.5",
        "--seed",
        "4",
        "--out",
        str(other),
    )
    assert result.exit_code == 0, result.output
    assert other.read_bytes() != outputs[0]


def test_file_form_without_blocks(units: Path, tmp_path: Path) -> None:
    """The plainest call: no --block, so complete randomisation of the whole list."""
    out = tmp_path / "arms.csv"
    result = run("randomise", str(units), "--id", "unit", "--seed", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "complete randomisation, P(trial) = 0.5" in result.output
    rows = _read(out)
    assert list(rows[0]) == ["unit", "arm", "probability"]
    assert sorted(r["unit"] for r in rows) == sorted(u for u, _ in UNITS)
    assert [r["arm"] for r in rows].count(TRIAL) == 12
    design = Design("complete", 0.5, seed=3)
    assert [r["arm"] for r in rows] == allocate([r["unit"] for r in rows], design)


def test_file_form_ratio_and_parquet(units: Path, tmp_path: Path) -> None:
    import polars as pl

    out = tmp_path / "arms.parquet"
    result = run(
        "randomise",
        str(units),
        "--id",
        "unit",
        "--ratio",
        "2:1",
        "--scheme",
        "complete",
        "--seed",
        "9",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(out)
    assert frame.columns == ["unit", "arm", "probability"]
    assert frame.height == 24
    assert frame.get_column("probability").unique().to_list() == [pytest.approx(2 / 3)]
    assert frame.get_column("arm").to_list().count(TRIAL) == 16


def test_file_form_clusters_share_an_arm(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "people.csv",
        "person,caseworker\n" + "".join(f"P{i:02d},K{i % 4}\n" for i in range(20)),
    )
    out = tmp_path / "arms.csv"
    result = run(
        "randomise",
        str(path),
        "--id",
        "person",
        "--cluster",
        "caseworker",
        "--seed",
        "1",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    rows = _read(out)
    assert len(rows) == 20
    per_cluster: dict[str, set[str]] = {}
    for row in rows:
        per_cluster.setdefault(row["caseworker"], set()).add(row["arm"])
    assert all(len(arms) == 1 for arms in per_cluster.values())
    arms = {k: next(iter(v)) for k, v in per_cluster.items()}
    assert sorted(arms.values()) == [CONTROL, CONTROL, TRIAL, TRIAL]


def test_file_form_clusters_blocked_on_a_shared_trait(tmp_path: Path) -> None:
    # caseworkers K0-K3 work at site A, K4-K7 at site B; every person follows their caseworker
    path = write(
        tmp_path,
        "people.csv",
        "person,caseworker,site\n"
        + "".join(f"P{i:02d},K{i % 8},{'A' if i % 8 < 4 else 'B'}\n" for i in range(32)),
    )
    out = tmp_path / "arms.csv"
    result = run(
        "randomise",
        str(path),
        "--id",
        "person",
        "--cluster",
        "caseworker",
        "--block",
        "site",
        "--seed",
        "1",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    rows = _read(out)
    assert len(rows) == 32
    arm_of: dict[str, set[str]] = {}
    for row in rows:
        arm_of.setdefault(row["caseworker"], set()).add(row["arm"])
    assert all(len(arms) == 1 for arms in arm_of.values())
    # four caseworkers per site: one block of 4 clusters each, two of them in the trial arm
    for site in ("A", "B"):
        workers = {r["caseworker"] for r in rows if r["site"] == site}
        assert sorted(next(iter(arm_of[k])) for k in workers) == [CONTROL, CONTROL, TRIAL, TRIAL]

    # a caseworker spanning two sites cannot be blocked on site
    path = write(tmp_path, "split.csv", "person,caseworker,site\nP1,K1,A\nP2,K1,B\n")
    result = run(
        "randomise",
        str(path),
        "--id",
        "person",
        "--cluster",
        "caseworker",
        "--block",
        "site",
        "--seed",
        "1",
        "--out",
        str(tmp_path / "split_arms.csv"),
    )
    assert result.exit_code == 2, result.output
    assert "row 3, column caseworker: cluster 'K1' spans several blocks" in result.output


@pytest.mark.parametrize(
    ("options", "column"),
    [
        (["--id", "unit", "--block", "region"], "region"),
        (["--id", "unit_id", "--block", "site"], "unit_id"),
    ],
)
def test_file_form_missing_column_exits_2_naming_it(
    units: Path, tmp_path: Path, options: list[str], column: str
) -> None:
    out = tmp_path / "arms.csv"
    result = run("randomise", str(units), *options, "--seed", "3", "--out", str(out))
    assert result.exit_code == 2, result.output
    assert f"column {column}: no such column (the file has: unit, site)" in result.output
    assert not out.exists()


def test_file_form_duplicated_unit_exits_2_with_the_row(tmp_path: Path) -> None:
    # rows as a spreadsheet shows them: the header is row 1, U03 sits on rows 4 and 7
    path = write(
        tmp_path,
        "units.csv",
        "unit,site\nU01,A\nU02,A\nU03,A\nU04,B\nU05,B\nU03,B\nU06,B\n",
    )
    out = tmp_path / "arms.csv"
    result = run(
        "randomise",
        str(path),
        "--id",
        "unit",
        "--block",
        "site",
        "--seed",
        "3",
        "--out",
        str(out),
    )
    assert result.exit_code == 2, result.output
    assert "row 4, column unit: unit 'U03' appears more than once" in result.output
    assert "row 7, column unit: unit 'U03' appears more than once" in result.output
    assert "row 2," not in result.output
    assert not out.exists()


def test_file_form_empty_cell_exits_2_with_the_row(tmp_path: Path) -> None:
    path = write(tmp_path, "units.csv", "unit,site\nU01,A\nU02,\nU03,B\n")
    out = tmp_path / "arms.csv"
    result = run(
        "randomise",
        str(path),
        "--id",
        "unit",
        "--block",
        "site",
        "--seed",
        "3",
        "--out",
        str(out),
    )
    assert result.exit_code == 2, result.output
    assert "row 3, column site: empty" in result.output
    assert not out.exists()


def test_file_form_without_seed_exits_2(units: Path, tmp_path: Path) -> None:
    out = tmp_path / "arms.csv"
    result = run("randomise", str(units), "--id", "unit", "--prob", "0.5", "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "--seed is required" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--prob", "0.5", "--ratio", "1:1"], "give --prob or --ratio, not both"),
        (["--prob", "1.5"], "between 0 and 1"),
        (["--scheme", "simple", "--block", "site"], "strata need the blocked scheme"),
        (["--block", "site", "--prob", "0.37"], "no block of at most 40 units"),
        (["--block", "site", "--block-size", "6", "--prob", "0.25"], "cannot hold"),
    ],
)
def test_file_form_impossible_design_exits_2(
    units: Path, tmp_path: Path, options: list[str], message: str
) -> None:
    out = tmp_path / "arms.csv"
    result = run(
        "randomise", str(units), "--id", "unit", "--seed", "3", "--out", str(out), *options
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ([], "--seed er påkrævet for at randomisere"),
        (
            ["--seed", "3", "--prob", "0.5", "--ratio", "1:1"],
            "angiv --prob eller --ratio, ikke begge",
        ),
        (["--seed", "3", "--ratio", "2-1"], "--ratio skal skrives som 2:1, ikke '2-1'"),
        (["--seed", "3", "--prob", "1.5"], "skal være mellem 0 og 1, ikke 1,5"),
        (
            ["--seed", "3", "--block", "site", "--prob", "0.37"],
            "har ingen blok på højst 40 enheder",
        ),
        (
            ["--seed", "3", "--block", "site", "--block-size", "6", "--prob", "0.25"],
            "en blok på 6 enheder kan ikke rumme 1,5 forsøgspladser",
        ),
    ],
)
def test_design_errors_in_danish(
    units: Path, tmp_path: Path, options: list[str], message: str
) -> None:
    out = tmp_path / "arms.csv"
    result = run(
        "randomise", str(units), "--id", "unit", "--out", str(out), *options, "--lang", "da"
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()


def test_error_messages_are_plain_text(units: Path, tmp_path: Path) -> None:
    """Messages of the command itself are printed red, not with literal markup tags."""
    result = run("randomise", str(units), "--id", "unit", "--out", str(tmp_path / "a.csv"))
    assert result.exit_code == 2
    assert "--seed is required" in result.output
    assert "[red]" not in result.output and "[/red]" not in result.output


def test_file_form_needs_id_and_out(units: Path, tmp_path: Path) -> None:
    result = run("randomise", str(units), "--seed", "3", "--out", str(tmp_path / "a.csv"))
    assert result.exit_code == 2
    assert "the file form needs --id COLUMN and --out FILE" in result.output
    result = run("randomise", str(units), "--seed", "3", "--id", "unit")
    assert result.exit_code == 2
    assert "the file form needs --id COLUMN and --out FILE" in result.output
    result = run(
        "randomise", str(units), "--seed", "3", "--id", "unit", "--out", str(tmp_path / "a.txt")
    )
    assert result.exit_code == 2
    assert "write .csv or .parquet" in result.output


# --- the register form -----------------------------------------------------------------------

# Eight citizens on kontanthjælp on 2018-01-01 (C01-C04 with K1, C05-C08 with K2), and two
# later entrants whose spells start on 2018-02-01 (C09 with K1, C10 with K2).
REGISTER = {
    "departments": "department_id,name\nD1,Trial department\n",
    "staff": "staff_id,name,department_id,fte,start_date\nK1,Anna,D1,1,2015-01-01\n"
    "K2,Bo,D1,1,2015-01-01\n",
    "roles": "staff_id,role,start_date\nK1,coordinating_caseworker,2015-01-01\n"
    "K2,coordinating_caseworker,2015-01-01\n",
    "citizens": "citizen_id,birth_date,sex,origin,target_group,kontanthjaelp_since\n"
    + "".join(
        f"C{i:02d},1980-01-01,male,danish,activity_ready_30_plus,"
        f"{'2018-02-01' if i > 8 else '2016-01-01'}\n"
        for i in range(1, 11)
    ),
    "responsibilities": "citizen_id,staff_id,role,start_date,reason\n"
    + "".join(
        f"C{i:02d},{'K1' if i in (1, 2, 3, 4, 9) else 'K2'},coordinating_caseworker,"
        "2016-01-01,intake\n"
        for i in range(1, 11)
    ),
    "spells": "citizen_id,benefit,start_date\n"
    + "".join(
        f"C{i:02d},kontanthjaelp,{'2018-02-01' if i > 8 else '2016-01-01'}\n" for i in range(1, 11)
    ),
}


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """REGISTER imported with `caseload init` and `caseload import`, once for this module."""
    folder = tmp_path_factory.mktemp("trial-register")
    path = str(folder / "register.sqlite")
    with pytest.MonkeyPatch.context() as patch:
        plain_environment(patch)
        result = run("init", "--db", path)
        assert result.exit_code == 0, result.output
        for table, text in REGISTER.items():
            file = write(folder, f"{table}.csv", text)
            result = run("import", table, str(file), "--db", path)
            assert result.exit_code == 0, result.output
    settle(folder / "register.sqlite")
    return folder / "register.sqlite"


@pytest.fixture
def db(tmp_path: Path, register: Path) -> str:
    """A copy of the module's register for this test to change."""
    return copy_register(register, tmp_path / "register.sqlite")


def _assignments(db: str) -> dict[str, tuple[str, str | None, date]]:
    """citizen -> (arm, cluster, assigned_date)."""
    engine = connect(db)
    try:
        a, c = s.trial_assignment, s.citizen
        with engine.connect() as conn:
            rows = conn.execute(
                select(c.c.code, a.c.arm, a.c.cluster, a.c.assigned_date).join(
                    c, c.c.id == a.c.citizen_id
                )
            ).all()
        return {code: (arm, cluster, day) for code, arm, cluster, day in rows}
    finally:
        engine.dispose()


def _trials(db: str) -> list[str]:
    engine = connect(db)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(s.trial.c.code)).scalars())
    finally:
        engine.dispose()


def test_register_form_assigns_once_then_keeps_everyone(db: str) -> None:
    result = run(
        "randomise",
        "--db",
        db,
        "--trial",
        "T",
        "--start",
        "2018-01-01",
        "--seed",
        "1",
        "--by",
        "analyst",
    )
    assert result.exit_code == 0, result.output
    assert (
        "T: 8 citizen(s) assigned on 1 Jan 2018; 0 already assigned kept their arm" in result.output
    )
    assert "complete randomisation, P(trial) = 0.5, seed 1" in result.output
    first = _assignments(db)
    assert sorted(first) == [f"C{i:02d}" for i in range(1, 9)]
    assert sorted(arm for arm, _, _ in first.values()).count(TRIAL) == 4

    again = run("randomise", "--db", db, "--trial", "T")
    assert again.exit_code == 0, again.output
    assert (
        "T: 0 citizen(s) assigned on 1 Jan 2018; 8 already assigned kept their arm" in again.output
    )
    assert "complete randomisation, P(trial) = 0.5, seed 1" in again.output
    assert _assignments(db) == first


def test_register_form_later_entrants(db: str) -> None:
    assert (
        run(
            "randomise", "--db", db, "--trial", "T", "--start", "2018-01-01", "--seed", "1"
        ).exit_code
        == 0
    )
    first = _assignments(db)
    result = run("randomise", "--db", db, "--trial", "T", "--as-of", "2018-03-01")
    assert result.exit_code == 0, result.output
    assert (
        "T: 2 citizen(s) assigned on 1 Mar 2018; 8 already assigned kept their arm" in result.output
    )
    rows = _assignments(db)
    assert {c: rows[c] for c in first} == first
    assert {c: rows[c][2] for c in ("C09", "C10")} == {
        "C09": date(2018, 3, 1),
        "C10": date(2018, 3, 1),
    }


def test_register_form_rerun_with_another_seed_exits_2(db: str) -> None:
    assert (
        run(
            "randomise", "--db", db, "--trial", "T", "--start", "2018-01-01", "--seed", "1"
        ).exit_code
        == 0
    )
    first = _assignments(db)
    result = run("randomise", "--db", db, "--trial", "T", "--seed", "2")
    assert result.exit_code == 2, result.output
    assert "seed differ" in result.output
    assert _assignments(db) == first


def test_register_form_dry_run_stores_nothing(db: str) -> None:
    result = run(
        "randomise", "--db", db, "--trial", "T", "--start", "2018-01-01", "--seed", "1", "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert "T (dry run, nothing stored): 8 citizen(s) would be assigned on 1 Jan 2018" in (
        result.output
    )
    assert _trials(db) == []
    assert _assignments(db) == {}


def test_register_form_blocked_shows_each_stratum(db: str) -> None:
    result = run(
        "randomise",
        "--db",
        db,
        "--trial",
        "T",
        "--start",
        "2018-01-01",
        "--seed",
        "1",
        "--block",
        "duration",
    )
    assert result.exit_code == 0, result.output
    assert (
        "blocked randomisation, P(trial) = 0.5, blocks of 4 within time on kontanthjælp"
        in result.output
    )
    # all eight have been on kontanthjælp since 2016: < 3 years, two full blocks
    assert any(
        line.replace(" ", "") == "│timeonkontanthjælp<3years│4│4│"
        for line in result.output.splitlines()
    ), result.output


def test_register_form_caseworker_clusters(db: str) -> None:
    result = run(
        "randomise",
        "--db",
        db,
        "--trial",
        "T",
        "--start",
        "2018-01-01",
        "--seed",
        "1",
        "--unit",
        "caseworker",
    )
    assert result.exit_code == 0, result.output
    assert "2 cluster(s) by caseworker" in result.output
    rows = _assignments(db)
    per_cluster: dict[str | None, set[str]] = {}
    for arm, cluster, _ in rows.values():
        per_cluster.setdefault(cluster, set()).add(arm)
    assert per_cluster == {"K1": per_cluster["K1"], "K2": per_cluster["K2"]}
    assert {next(iter(v)) for v in per_cluster.values()} == {TRIAL, CONTROL}


def test_register_form_new_trial_needs_start_and_seed(db: str) -> None:
    result = run("randomise", "--db", db, "--trial", "T", "--seed", "1")
    assert result.exit_code == 2
    assert "trial T does not exist: give its design and --start" in result.output
    result = run("randomise", "--db", db, "--trial", "T", "--start", "2018-01-01")
    assert result.exit_code == 2
    assert "--seed is required" in result.output  # given its start, what is missing is named
    result = run("randomise", "--db", db, "--trial", "T", "--start", "2018-13-01", "--seed", "1")
    assert result.exit_code == 2
    assert "--start: not a date" in result.output
    assert _trials(db) == []


def test_register_form_errors_in_danish(db: str) -> None:
    result = run("randomise", "--db", db, "--trial", "T", "--seed", "1", "--lang", "da")
    assert result.exit_code == 2
    assert "forsøg T findes ikke: angiv dets design og --start" in result.output
    result = run(
        "randomise",
        "--db",
        db,
        "--trial",
        "T",
        "--start",
        "2018-01-01",
        "--seed",
        "1",
        "--unit",
        "district",
        "--lang",
        "da",
    )
    assert result.exit_code == 2
    assert "--unit skal være citizen, caseworker eller team, ikke 'district'" in result.output
    assert _trials(db) == []


def test_neither_file_nor_trial_exits_2(db: str) -> None:
    result = run("randomise", "--db", db, "--seed", "1")
    assert result.exit_code == 2
    assert "give a FILE" in result.output


def test_register_form_without_a_register_exits_3(tmp_path: Path) -> None:
    missing = str(tmp_path / "nothing.sqlite")
    result = run(
        "randomise", "--db", missing, "--trial", "T", "--start", "2018-01-01", "--seed", "1"
    )
    assert result.exit_code == 3
    assert "caseload init" in result.output


def test_file_form_replaces_its_own_list_but_not_an_unrelated_file(
    units: Path, tmp_path: Path
) -> None:
    args = ("randomise", str(units), "--id", "unit", "--prob", "0.5", "--seed", "3")
    out = tmp_path / "arms.csv"
    assert run(*args, "--out", str(out)).exit_code == 0
    assert run(*args, "--out", str(out)).exit_code == 0  # its own earlier list
    other = tmp_path / "budget.csv"
    other.write_text("account,amount\n4711,100\n", encoding="utf-8")
    refused = run(*args, "--out", str(other))
    assert refused.exit_code == 2
    assert "exists and is not this command's earlier output" in refused.output
    assert other.read_text(encoding="utf-8") == "account,amount\n4711,100\n"
    assert run(*args, "--out", str(other), "--force").exit_code == 0
    assert other.read_text(encoding="utf-8").startswith("unit,")
