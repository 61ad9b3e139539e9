"""`caseload evaluate`, `caseload analyze` and `caseload analyze-counts` from the command line.

`analyze` numbers are checked against statsmodels/scipy run on the same file's columns,
with the reference call beside each assertion.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import survdiff
from typer.testing import Result

from caseload.cli import common
from tests.copenhagen import published_counts
from tests.helpers import copy_register, run


@pytest.fixture(scope="module")
def demo_db(demo_build: tuple[Path, Result], tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the session's demo, shared by this module's tests."""
    template, result = demo_build
    assert result.exit_code == 0, result.output
    return copy_register(template, tmp_path_factory.mktemp("cli-demo") / "demo.sqlite")


def test_evaluate_writes_the_report_in_danish(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "rapport"
    result = run("evaluate", "--db", demo_db, "--out", str(out), "--lang", "da")
    assert result.exit_code == 0, result.output
    assert f"Rapport: {out / 'report.html'}" in result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="da">' in page and "Hvad forsøget viser" in page
    data = json.loads((out / "evaluation.json").read_text())
    assert data["meta"]["trial"] == "CPH-2018" and data["meta"]["language"] == "da"
    assert [r["citizens"] for r in data["design"]] == [917, 856]
    assert sorted(p.name for p in out.glob("*.csv")) == sorted(
        f"{name}.csv" for name in data if name != "meta"
    )


def test_evaluate_options_reach_the_estimates(demo_db: str, tmp_path: Path) -> None:
    result = run(
        "evaluate",
        "--db",
        demo_db,
        "--out",
        str(tmp_path / "r"),
        "--cluster",
        "--salary",
        "500000",
        "--trial-caseload",
        "40",
        "--lag-months",
        "3",
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "r" / "evaluation.json").read_text())
    assert data["meta"]["lag_months"] == 3 and data["meta"]["last_exit"] == "2020-01-31"
    assert {r["adjusted_se_kind"] for r in data["exits"]} == {"cluster"}
    money = data["money"][0]
    assert money["extra_fte"] == pytest.approx(917 / 40 - 917 / 130)
    assert money["staff_cost_dkk"] == pytest.approx(money["extra_fte"] * 500_000 * money["years"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trial", "NOPE"], "no trial 'NOPE'"),
        (["--alpha", "1.5"], "--alpha"),
        (["--lag-months", "0"], "--lag-months must be ≥ 1"),
        (["--outcome-end", "2017-06-30"], "must end after the trial's start"),
    ],
)
def test_evaluate_refuses_bad_options(
    demo_db: str, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run("evaluate", "--db", demo_db, "--out", str(tmp_path / "r"), *args)
    assert result.exit_code == common.EXIT_INPUT
    assert message in result.output
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trial", "NOPE"], "intet forsøg 'NOPE' i registret"),
        (["--outcome-end", "2017-06-30"], "effektvinduet skal slutte efter forsøgets start"),
    ],
)
def test_evaluate_refuses_bad_options_in_danish(
    demo_db: str, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run("evaluate", "--db", demo_db, "--out", str(tmp_path / "r"), *args, "--lang", "da")
    assert result.exit_code == common.EXIT_INPUT
    assert message in result.output
    assert not (tmp_path / "r").exists()


def test_evaluate_keeps_a_folder_in_danish(demo_db: str, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run("evaluate", "--db", demo_db, "--out", str(tmp_path), "--lang", "da")
    assert result.exit_code == common.EXIT_INPUT
    assert "findes og er ikke en caseload-rapportmappe" in result.output
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_evaluate_keeps_a_folder_that_is_not_a_report(demo_db: str, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run("evaluate", "--db", demo_db, "--out", str(tmp_path))
    assert result.exit_code == common.EXIT_INPUT
    assert "not a caseload report folder" in result.output
    assert (tmp_path / "notes.txt").read_text() == "mine"


def _trial_file(tmp_path: Path, n: int = 600, seed: int = 11) -> tuple[Path, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    group = np.where(rng.random(n) < 0.45, "low", "usual")
    treated = group == "low"
    age = rng.normal(45, 10, n)
    site = rng.choice(["north", "south", "west"], n)
    job = (rng.random(n) < 0.10 + 0.05 * treated + 0.002 * (age - 45)).astype(int)
    hours = rng.gamma(2.0, 20.0, n) + 8 * treated + 0.5 * (age - 45)
    days = np.minimum(rng.exponential(300 / np.where(treated, 1.3, 1.0)), 700).round()
    left = (days < 700).astype(int)
    frame = pl.DataFrame(
        {
            "unit": [f"U{i:04d}" for i in range(n)],
            "group": group,
            "age": age,
            "site": site,
            "job": job,
            "hours": hours,
            "days": days,
            "left": left,
        }
    )
    path = tmp_path / "trial.csv"
    frame.write_csv(path)
    return path, frame


def test_analyze_json_matches_statsmodels_and_scipy(tmp_path: Path) -> None:
    path, frame = _trial_file(tmp_path)
    out = tmp_path / "results.json"
    result = run(
        "analyze",
        str(path),
        "--arm",
        "group",
        "--treated",
        "low",
        "--outcome",
        "job",
        "--outcome",
        "hours",
        "--time",
        "days",
        "--event",
        "left",
        "--covariate",
        "age",
        "--json",
        str(out),
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    treated = (frame["group"] == "low").to_numpy()
    by_name = {row["name"]: row for row in data["outcomes"]}
    assert set(by_name) == {"job", "hours", "days"}

    job = by_name["job"]
    assert job["kind"] == "binary"
    assert job["treated"]["n"] == treated.sum() and job["control"]["n"] == (~treated).sum()
    y = frame["job"].to_numpy()
    assert job["treated"]["rate"] == pytest.approx(y[treated].mean())
    assert set(job) >= {"difference", "ci", "p_value", "p_value_holm", "significant", "adjusted"}
    design = sm.add_constant(np.column_stack([treated.astype(float), frame["age"].to_numpy()]))
    # reference: statsmodels.api.OLS(y, [1, treated, age]).fit(cov_type="HC1").params[1]
    ols = sm.OLS(y.astype(float), design).fit(cov_type="HC1")
    assert job["adjusted"]["difference"] == pytest.approx(ols.params[1], rel=1e-8)
    assert job["adjusted"]["p_value"] == pytest.approx(ols.pvalues[1], rel=1e-6)
    assert job["adjusted"]["ci"] == pytest.approx(list(ols.conf_int()[1]), rel=1e-6)

    hours = by_name["hours"]
    assert hours["kind"] == "continuous"
    h = frame["hours"].to_numpy()
    # reference: scipy.stats.ttest_ind(treated, control, equal_var=False)
    welch = stats.ttest_ind(h[treated], h[~treated], equal_var=False)
    assert hours["p_value"] == pytest.approx(welch.pvalue, rel=1e-8)
    assert hours["ci"] == pytest.approx(list(welch.confidence_interval(0.95)), rel=1e-8)
    assert hours["treated"]["mean"] == pytest.approx(h[treated].mean())
    # Holm across the two outcomes: the smaller p doubled, the larger kept (monotone)
    low, high = sorted([job["p_value"], hours["p_value"]])
    holm = sorted([job["p_value_holm"], hours["p_value_holm"]])
    assert holm[0] == pytest.approx(min(1.0, 2 * low))
    assert holm[1] == pytest.approx(max(min(1.0, 2 * low), high))

    days = by_name["days"]
    assert days["kind"] == "time_to_event"
    t, e = frame["days"].to_numpy(), frame["left"].to_numpy()
    # reference: PHReg(t, treated, status=e, ties="breslow").fit().params[0]
    cox = PHReg(t, treated.astype(float)[:, None], status=e, ties="breslow").fit()
    assert days["hazard_ratio"] == pytest.approx(np.exp(cox.params[0]), rel=1e-5)
    assert days["p_value"] == pytest.approx(cox.pvalues[0], rel=1e-4)
    # reference: statsmodels.duration.survfunc.survdiff(t, e, treated)
    _, logrank_p = survdiff(t, e, treated.astype(int))
    assert days["logrank_p"] == pytest.approx(logrank_p, rel=1e-6)
    adjusted = PHReg(
        t,
        np.column_stack([treated.astype(float), frame["age"].to_numpy()]),
        status=e,
        ties="breslow",
    ).fit()
    # reference: PHReg(t, [treated, age], status=e, ties="breslow").fit().params[0]
    assert days["adjusted"]["hazard_ratio"] == pytest.approx(np.exp(adjusted.params[0]), rel=1e-5)
    assert set(days["rmst"]) == {"tau", "difference", "ci", "p_value"}
    assert "median" in days["treated"] and "median" in days["control"]


def test_analyze_dummy_codes_a_categorical_covariate(tmp_path: Path) -> None:
    path, frame = _trial_file(tmp_path)
    out = tmp_path / "r.json"
    result = run(
        "analyze",
        str(path),
        "--arm",
        "group",
        "--treated",
        "low",
        "--outcome",
        "hours",
        "--covariate",
        "site",
        "--json",
        str(out),
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    common_site = frame["site"].value_counts(sort=True)["site"][0]
    assert f"site={common_site}" not in data["covariates"]
    assert len(data["covariates"]) == 2


@pytest.mark.parametrize(
    ("edit", "args", "column", "reason"),
    [
        (None, ["--outcome", "salary"], "salary", "no such column"),
        (
            lambda f: f.with_columns(pl.lit("low").alias("group")),
            ["--outcome", "job"],
            "group",
            "the control arm has no units",
        ),
        (
            lambda f: f.with_columns(
                pl.when(pl.col("unit") == "U0003").then(2).otherwise(pl.col("job")).alias("job")
            ),
            ["--binary", "job"],
            "job",
            "must be 0 or 1",
        ),
        (
            lambda f: f.with_columns(
                pl.when(pl.col("unit") == "U0004")
                .then(-5.0)
                .otherwise(pl.col("days"))
                .alias("days")
            ),
            ["--time", "days", "--event", "left"],
            "days",
            "negative time",
        ),
        (
            lambda f: f.with_columns(
                pl.when(pl.col("unit") == "U0005")
                .then(None)
                .otherwise(pl.col("days"))
                .alias("days")
            ),
            ["--time", "days", "--event", "left"],
            "days",
            "empty time",
        ),
    ],
)
def test_analyze_bad_input_names_the_column(
    tmp_path: Path, edit: object, args: list[str], column: str, reason: str
) -> None:
    path, frame = _trial_file(tmp_path)
    if callable(edit):
        edit(frame).write_csv(path)
    out = tmp_path / "r.json"
    result = run(
        "analyze", str(path), "--arm", "group", "--treated", "low", *args, "--json", str(out)
    )
    assert result.exit_code == common.EXIT_INPUT, result.output
    assert f"column {column}" in result.output and reason in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "english", "danish"),
    [
        (
            ["--outcome", "job", "--alpha", "2"],
            "column --alpha: --alpha must be between 0 and 1, not 2.0",
            "kolonne --alpha: --alpha skal være mellem 0 og 1, ikke 2,0",
        ),
        (
            ["--outcome", "job", "--covariate", "one"],
            "column one: a covariate must vary: every unit has '1'",
            "kolonne one: en kovariat skal variere: alle enheder har '1'",
        ),
        (
            ["--outcome", "job", "--cluster", "one"],
            "cluster-robust standard errors need at least 2 clusters, not 1",
            "klyngerobuste standardfejl kræver mindst 2 klynger, ikke 1",
        ),
    ],
)
def test_analyze_refuses_options_the_estimators_cannot_use(
    tmp_path: Path, args: list[str], english: str, danish: str
) -> None:
    path, frame = _trial_file(tmp_path, n=60)
    frame.with_columns(pl.lit(1).alias("one")).write_csv(path)
    for lang, said in (("en", english), ("da", danish)):
        result = run(
            "analyze", str(path), "--arm", "group", "--treated", "low", *args, "--lang", lang
        )
        assert result.exit_code == common.EXIT_INPUT, result.output
        assert said in result.output


def test_analyze_treated_value_must_occur(tmp_path: Path) -> None:
    path, _ = _trial_file(tmp_path)
    result = run("analyze", str(path), "--arm", "group", "--treated", "LOW", "--outcome", "job")
    assert result.exit_code == common.EXIT_INPUT
    assert "the treated value 'LOW' does not occur" in result.output
    assert "low, usual" in result.output


def test_analyze_reports_the_row_of_a_bad_cell(tmp_path: Path) -> None:
    path, frame = _trial_file(tmp_path, n=50)
    frame.with_columns(
        pl.when(pl.col("unit") == "U0007")
        .then(pl.lit("many"))
        .otherwise(pl.col("hours").cast(pl.Utf8))
        .alias("hours")
    ).write_csv(path)
    result = run("analyze", str(path), "--arm", "group", "--treated", "low", "--outcome", "hours")
    assert result.exit_code == common.EXIT_INPUT
    # U0007 is the 8th data row: row 9 of the file counting the header
    assert "row 9, column hours: not a number: 'many'" in result.output


def test_analyze_counts_command(tmp_path: Path) -> None:
    path = tmp_path / "copenhagen.json"
    path.write_text(json.dumps(published_counts()))
    out = tmp_path / "results.json"
    done = run("analyze-counts", str(path), "--json", str(out))
    assert done.exit_code == 0, done.output
    assert "Resource course" in done.output and "significant" in done.output
    written = {r["name"]: r for r in json.loads(out.read_text())}
    assert written["resource_course"]["significant"] is True
    assert written["job"]["significant"] is False
    assert written["job"]["ci"][0] < 0 < written["job"]["ci"][1]
    bad = tmp_path / "bad.json"
    bad.write_text('{"outcomes": {"job": {"trial": 1}}}')
    refused = run("analyze-counts", str(bad))
    assert refused.exit_code == 2
    assert "bad.json: outcome 'job' needs exactly 'trial' and 'control'" in refused.output
    danish = run("analyze-counts", str(path), "--lang", "da")
    assert "Konklusion" in danish.output
    refused = run("analyze-counts", str(bad), "--lang", "da")
    assert refused.exit_code == 2
    assert "bad.json: udfaldet 'job' skal have præcis 'trial' og 'control'" in refused.output
    bad.write_text(
        '{"arms": {"trial": 10, "control": 10}, "outcomes": {"job": {"trial": 11, "control": 2}}}'
    )
    refused = run("analyze-counts", str(bad), "--lang", "da")
    assert refused.exit_code == 2
    assert (
        "udfaldet 'job', gruppen 'trial': hændelser (11) skal være mellem 0 og n (10)"
        in refused.output
    )
    missing = run("analyze-counts", str(tmp_path / "none.json"), "--lang", "da")
    assert missing.exit_code == 2
    assert "none.json: filen findes ikke" in missing.output


def test_analyze_says_which_errors_and_gives_a_permutation_test_with_few_clusters(
    tmp_path: Path,
) -> None:
    """Eight clusters randomised whole: the headline is cluster-robust, the output says so
    and that eight are too few, and gives each outcome's exact permutation p (70 dealings)."""
    rows = ["unit,group,site,job,days,left"]
    for i in range(240):
        site = i % 8
        rows.append(
            f"u{i},{'low' if site % 2 == 0 else 'usual'},s{site},{int(i % 5 < 2 + site % 3)},"
            f"{10 + (i * 37) % 390},{(i // 8) % 2}"
        )
    data = tmp_path / "clustered.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    args = ("analyze", str(data), "--arm", "group", "--treated", "low", "--outcome", "job")
    args += ("--time", "days", "--event", "left", "--cluster", "site")
    result = run(*args, "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "accounts for the 8 clusters" in said and "are unreliable" in said
    assert said.count("(70 dealings, all of them)") == 2
    found = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    job = next(o for o in found["outcomes"] if o["name"] == "job")
    assert job["test"] == "cluster" and job["errors"]["few_clusters"] is True
    assert job["errors"]["permutation"]["dealings"] == 70
    danish = run(*args, "--lang", "da")
    assert "klyngerobuste standardfejl upålidelige" in " ".join(danish.output.split())


def test_a_first_randomisation_names_what_is_missing(demo_db: str) -> None:
    """A first run with its start and who is eligible, but no seed: it asks for the seed
    (not for a design it was given); with one, an unknown department is named."""
    first = ("randomise", "--db", demo_db, "--trial", "NEW", "--start", "2019-01-01")
    first += ("--end", "2019-12-31")
    no_seed = run(*first, "--department", "JI1", "--dry-run")
    assert no_seed.exit_code == 2 and "--seed is required" in no_seed.output
    unknown = run(*first, "--department", "NOPE", "--seed", "7", "--dry-run")
    assert unknown.exit_code == 2 and "no department NOPE in the register" in unknown.output
