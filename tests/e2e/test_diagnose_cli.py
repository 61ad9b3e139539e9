"""`caseload diagnose` from the command line: the issue's command, refusals, languages, the
power curve."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseload.evaluate.binary import minimum_detectable_effect
from tests.helpers import run

DIAGNOSANDS = ("power", "bias", "rmse", "coverage", "type_s", "mde")


def test_the_issues_command_writes_the_diagnosands_as_top_level_fields(tmp_path: Path) -> None:
    out = tmp_path / "diagnosis.json"
    result = run(
        "diagnose",
        "--arms",
        "917,856",
        "--base-rate",
        "0.10",
        "--effect",
        "0.03",
        "--sims",
        "2000",
        "--seed",
        "1",
        "--json",
        str(out),
    )
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text(encoding="utf-8"))
    for field in DIAGNOSANDS:
        assert isinstance(written[field], float), field
    assert written["arms"] == {"treated": 917, "control": 856}
    assert (written["base_rate"], written["effect"]) == (0.10, 0.03)
    assert (written["sims"], written["seed"]) == (2000, 1)
    # the analytic MDE of the same two-sided z test at alpha 0.05 and 80 % power
    analytic = minimum_detectable_effect(917, 856, 0.10)
    assert abs(written["mde"] - analytic) <= 0.003
    assert written["mde_analytic"] == pytest.approx(analytic, rel=1e-12)
    assert "Minimum detectable effect (80% power)" in result.output
    assert "Power" in result.output and "Coverage of the 95% interval" in result.output


def test_json_on_standard_output_holds_only_the_json() -> None:
    result = run(
        "diagnose", "--arms", "300,300", "--base-rate", "0.2", "--effect", "0.05",
        "--sims", "200", "--json", "-",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert set(DIAGNOSANDS) <= set(json.loads(result.output))


def test_a_cluster_design_is_diagnosed_with_clusters(tmp_path: Path) -> None:
    out = tmp_path / "clusters.json"
    result = run(
        "diagnose", "--arms", "400,400", "--base-rate", "0.2", "--effect", "0.08",
        "--sims", "40", "--cluster-size", "20", "--icc", "0.05", "--json", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["analysis"] == "cluster"
    assert written["design_effect"] == pytest.approx(1 + 19 * 0.05)
    assert "cluster-robust (CR1)" in result.output


def test_too_few_clusters_are_said(tmp_path: Path) -> None:
    result = run(
        "diagnose", "--arms", "40,40", "--base-rate", "0.3", "--effect", "0.1",
        "--sims", "20", "--cluster-size", "20", "--icc", "0.1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Only 4 clusters (fewer than 20)" in " ".join(result.output.split())


def test_plot_writes_the_power_curve(tmp_path: Path) -> None:
    figure = tmp_path / "power.svg"
    result = run(
        "diagnose", "--arms", "917,856", "--base-rate", "0.10", "--effect", "0.03",
        "--sims", "100", "--plot", str(figure),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    svg = figure.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Power against the true effect" in svg
    assert "True effect (percentage points)" in svg


BAD = [
    (("--arms", "0,856"), "--arms"),
    (("--arms", "917,-5"), "--arms"),
    (("--arms", "917"), "--arms"),
    (("--arms", "a,b"), "--arms"),
    (("--base-rate", "1.5"), "--base-rate"),
    (("--base-rate", "-0.1"), "--base-rate"),
    (("--effect", "0.95"), "--effect"),
    (("--effect", "-0.2"), "--effect"),
    (("--sims", "0"), "--sims"),
    (("--seed", "-1"), "--seed"),
    (("--alpha", "1"), "--alpha"),
    (("--power", "0"), "--power"),
    (("--cluster-size", "20", "--icc", "1.2"), "--icc"),
    (("--icc", "0.1"), "--icc"),
    (("--cluster-size", "0"), "--cluster-size"),
    (("--cluster-size", "900"), "--cluster-size"),
]
"""A bad value and the option the refusal must name."""


@pytest.mark.parametrize(("bad", "option"), BAD)
def test_bad_input_is_one_line_naming_the_option(bad: tuple[str, ...], option: str) -> None:
    given = {"--arms": "917,856", "--base-rate": "0.10", "--effect": "0.03", "--sims": "10"}
    args = [*bad]
    for name, value in given.items():
        if name not in bad:
            args += [name, value]
    result = run("diagnose", *args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(option), lines[0]
    assert "Traceback" not in result.output


def test_numbers_follow_the_language_of_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASELOAD_LANG", "da")
    result = run(
        "diagnose", "--arms", "917,856", "--base-rate", "0.10", "--effect", "0.03",
        "--sims", "200",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "10,0 %" in result.output and "pct.-point" in result.output
    assert "4,33 pct.-point" in result.output  # the analytic MDE, with a decimal comma


def test_the_diagnosis_is_said_in_danish(monkeypatch: pytest.MonkeyPatch) -> None:
    """The words come from the catalogue (diagnose-da.json merged into caseload.po)."""
    monkeypatch.setenv("CASELOAD_LANG", "da")
    result = run(
        "diagnose", "--arms", "917,856", "--base-rate", "0.10", "--effect", "0.03",
        "--sims", "200",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Styrke" in result.output
    assert "Mindste påviselige effekt" in result.output
    refused = run("diagnose", "--arms", "917,856", "--base-rate", "2", "--effect", "0.03")
    assert refused.exit_code == 2
    assert refused.output.strip().startswith("--base-rate skal være mellem 0 og 1")
