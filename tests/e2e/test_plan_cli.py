"""`caseload plan caseload|measured|staffing` from the command line: JSON fields, CSV, the
figure, Danish and English, refusals as one line naming the file, key and reason (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import copy_register, run


def test_plan_caseload_writes_every_scenario(tmp_path: Path) -> None:
    out, table, figure = tmp_path / "c.json", tmp_path / "c.csv", tmp_path / "c.svg"
    result = run("plan", "caseload", "--json", str(out), "--csv", str(table), "--plot", str(figure))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    names = [s["name"] for s in data["scenarios"]]
    assert names == ["copenhagen_before_2018", "copenhagen_trial", "jobfirst"]
    jobfirst = {p["position"]: p for p in data["scenarios"][2]["positions"]}
    assert set(jobfirst) >= {"coordinating_caseworker", "mentor", "company_consultant+mentor"}
    for position in jobfirst.values():
        for field in ("caseload", "reported", "case_hours_per_month", "tasks", "hours"):
            assert field in position
    assert abs(jobfirst["mentor"]["caseload"] - 29) / 29 <= 0.10
    assert len(data["union_ranges"]) == 8 and data["reference_models"]
    assert table.read_text(encoding="utf-8").splitlines()[0].startswith("scenario,position,")
    assert figure.read_text(encoding="utf-8").lstrip().startswith("<svg")
    assert "Sustainable caseload" in result.output


def test_plan_caseload_in_danish_with_a_breakdown() -> None:
    result = run("plan", "caseload", "--scenario", "copenhagen_trial", "--lang", "da")
    assert result.exit_code == 0, result.output
    assert "koordinerende sagsbehandler" in result.output
    assert "49,1" in result.output  # the caseload with a decimal comma


def test_a_bad_config_is_one_line_naming_file_key_and_reason(tmp_path: Path) -> None:
    model = tmp_path / "bad.toml"
    text = (
        Path(__file__).resolve().parents[2] / "src/caseload/plan/scenarios/copenhagen_trial.toml"
    ).read_text(encoding="utf-8")
    model.write_text(text.replace("non_case_share = 0.2", "non_case_share = 1.4"), "utf-8")
    result = run("plan", "caseload", "--config", str(model))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    line = result.output.strip()
    assert line.startswith(f"{model}: hours.non_case_share: must be a share"), line
    unknown = run("plan", "caseload", "--scenario", "jobfirst", "--role", "boss")
    assert unknown.exit_code == 2 and "--role: unknown role 'boss'" in unknown.output


@pytest.fixture
def db(examples_register: Path, tmp_path: Path) -> str:
    return copy_register(examples_register, tmp_path / "register.sqlite")


def test_plan_staffing_and_measured_on_the_examples(db: str, tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    result = run(
        "plan", "staffing", "--caseload", "coordinating_caseworker=50,company_consultant=40",
        "--db", db, "--as-of", "2019-06-30", "--json", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [r["role"] for r in data["roles"]] == ["coordinating_caseworker", "company_consultant"]
    for field in ("citizens", "fte_needed", "fte_employed", "gap", "cost_needed", "steady_fte"):
        assert field in data["roles"][0]
    assert data["salary_assumed"] is True
    da = run("plan", "staffing", "--caseload", "50", "--db", db, "--as-of", "2019-06-30",
             "--lang", "da")  # fmt: skip
    assert da.exit_code == 0, da.output
    assert "koordinerende sagsbehandler" in da.output
    measured = run("plan", "measured", "--from", "2019-01-01", "--to", "2019-06-30", "--db", db,
                   "--json", "-")  # fmt: skip
    assert measured.exit_code == 0, measured.output
    assert {"groups", "meetings_without_duration"} <= set(json.loads(measured.output))


def test_staffing_refuses_bad_options(db: str) -> None:
    for args, said in (
        (("--caseload", "boss=5"), "--caseload: boss: unknown role"),
        (("--caseload", "-5"), "must be more than 0"),
        (("--caseload", "many"), "--caseload must be a number"),
        (("--caseload", "50", "--department", "NOPE"), "--department: NOPE: no such department"),
        (("--caseload", "50", "--inflow", "-1"), "--inflow must be a number from 0 to 1000000"),
        (("--caseload", "50", "--inflow", "nan"), "--inflow must be a number from 0 to 1000000"),
        (("--caseload", "50", "--months", "1e308"), "--months must be a number from 0 to 1200"),
    ):
        result = run("plan", "staffing", *args, "--db", db, "--as-of", "2019-06-30")
        assert result.exit_code == 2, (args, result.output)
        assert said in result.output, (args, result.output)


def test_staffing_from_a_scenario_warns_when_the_steady_state_cannot_be_trusted(
    demo_build: tuple[Path, Any], tmp_path: Path
) -> None:
    from caseload.plan import config
    from caseload.plan.workload import sustainable_caseload

    db = copy_register(demo_build[0], tmp_path / "demo.sqlite")
    out = tmp_path / "s.json"
    args = ("plan", "staffing", "--scenario", "jobfirst", "--db", db, "--as-of", "2019-06-01")
    result = run(*args, "--json", str(out))
    assert result.exit_code == 0, result.output
    model = config.scenario("jobfirst")
    single = {
        p.name: sustainable_caseload(model, p.name).caseload
        for p in model.positions
        if "+" not in p.name
    }
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {r["role"]: r["caseload"] for r in data["roles"]} == pytest.approx(single)
    ks = data["roles"][0]
    # the demo's citizens have been on the caseload for years: a year's ended spells are the
    # short ones, and the forecast says so
    doubt = ks["steady_state_doubt"]
    assert doubt["reason"] == "long_running"
    assert doubt["count"] == ks["running_before_window"] > ks["spells_running"] / 2
    assert "not to be trusted" in result.output
    given = run(*args, "--months", "24")
    assert given.exit_code == 0 and "not to be trusted" not in given.output
    both = run(*args, "--config", "x.toml")
    assert both.exit_code == 2 and "--scenario or --config, not both" in both.output
    none = run("plan", "staffing", "--db", db)
    assert none.exit_code == 2 and "give --caseload, --scenario or --config" in none.output
