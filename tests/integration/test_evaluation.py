"""The register evaluation on the demo job centre recovers the synthetic truth.

The generator's truth (src/caseload/synth/calibration.py): each arm's probability of each
exit destination within the window (Tables 3 and 5), exits uniform over the window's days,
placements per Table 4. Intervals are Bonferroni-corrected over the outcomes checked, so the
family covers the truth with 95 % probability.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sqlalchemy import Engine, text

from caseload.domain.dates import add_months
from caseload.evaluate import cohort, enrolment, evaluation, report
from caseload.evaluate.evaluation import DESTINATIONS, Evaluation, Settings
from caseload.evaluate.randomise import Design
from caseload.evaluate.tables import tables
from caseload.synth import calibration as cal
from caseload.synth import jobcentre

CHECKED = len(DESTINATIONS) + 2
ALPHA = 0.05 / CHECKED


@pytest.fixture(scope="module")
def result(demo: Engine) -> Evaluation:
    return evaluation.evaluate(demo, jobcentre.TRIAL_CODE, Settings(alpha=ALPHA))


def test_cohort_is_the_frozen_randomised_cohort(result: Evaluation) -> None:
    assert result.arms == {"trial": 917, "control": 856}
    assert not result.sample_ratio.mismatch
    # complete randomisation: the arms are exactly the design's split
    assert result.sample_ratio.p_value > 0.99


@pytest.mark.parametrize("destination", DESTINATIONS)
def test_destination_effects_cover_the_synthetic_truth(
    result: Evaluation, destination: str
) -> None:
    truth = cal.arm_targets()
    effect = truth["trial"].destinations[destination] - truth["control"].destinations[destination]
    r = result.by_name(destination)
    assert r.ci[0] <= effect <= r.ci[1], (destination, effect, r.ci)
    assert r.adjusted is not None
    assert r.adjusted.ci[0] <= effect <= r.adjusted.ci[1], (destination, effect, r.adjusted.ci)


def test_placement_effect_covers_the_synthetic_truth(result: Evaluation) -> None:
    truth = cal.arm_targets()
    effect = truth["trial"].placed - truth["control"].placed
    r = result.by_name("company_placement")
    assert r.ci[0] <= effect <= r.ci[1]


def test_published_verdicts_are_reproduced_on_the_register(result: Evaluation) -> None:
    """Resource course and disability pension differ at 5 %; job does not (seed 003)."""
    for name, significant in (
        ("resource_course", True),
        ("disability_pension", True),
        ("job", False),
    ):
        assert (result.by_name(name).p_value < 0.05) is significant, name


def test_restricted_mean_time_covers_the_synthetic_truth(result: Evaluation) -> None:
    """Exits are uniform over days 1..span with probability P per arm, so with tau = span,
    RMST = tau - P * (tau - (span + 1) / 2)."""
    targets = cal.arm_targets()
    span = (cal.LAST_EXIT - cal.START).days
    tau = result.window.days
    assert tau == span

    def rmst(arm: str) -> float:
        return tau - targets[arm].exit_share * (tau - (span + 1) / 2)

    truth = rmst("trial") - rmst("control")
    rm = result.spells.rmst
    assert rm.ci[0] <= truth <= rm.ci[1], (truth, rm.ci)
    for arm, estimate in (("trial", rm.treated), ("control", rm.control)):
        assert abs(estimate.value - rmst(arm)) < 4 * estimate.se, arm


def test_trial_citizens_leave_sooner(result: Evaluation) -> None:
    _, ci, p = result.spells.hazard_ratio
    assert ci[0] > 1 and p < 1e-4
    assert result.spells.logrank.p_value < 1e-4
    assert result.spells.cox_adjusted is not None
    assert result.spells.cox_adjusted.names[0] == "treated"


def test_competing_incidence_at_the_end_equals_the_exit_shares(result: Evaluation) -> None:
    """With no censoring before the window's end, Aalen-Johansen at the end is the share."""
    frame_counts = {d: result.by_name(d) for d in ("job", "resource_course", "flex_job")}
    for k, name in enumerate(result.competing.causes, start=1):
        if name not in frame_counts:
            continue
        r = frame_counts[name]
        assert result.competing.treated.incidence[k][-1] == pytest.approx(r.treated.rate)
        assert result.competing.control.incidence[k][-1] == pytest.approx(r.control.rate)


def test_balance_matches_a_direct_count(demo: Engine, result: Evaluation) -> None:
    with demo.connect() as conn:
        women = dict(
            conn.execute(
                text(
                    "SELECT a.arm, AVG(CASE WHEN c.sex = 'female' THEN 1.0 ELSE 0 END) "
                    "FROM trial_assignment a JOIN citizen c ON c.id = a.citizen_id GROUP BY a.arm"
                )
            ).all()
        )
    row = next(b for b in result.balance if b.trait == "women")
    assert row.treated == pytest.approx(women["trial"])
    assert row.control == pytest.approx(women["control"])
    pooled = np.sqrt((row.treated * (1 - row.treated) + row.control * (1 - row.control)) / 2)
    assert row.smd == pytest.approx((row.treated - row.control) / pooled, rel=0.01)


def test_timeliness_matches_a_direct_count(demo: Engine, result: Evaluation) -> None:
    with demo.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT a.arm, COUNT(*), "
                "SUM(CASE WHEN m.held_date <= m.due_date THEN 1 ELSE 0 END) "
                "FROM trial_assignment a JOIN meeting m ON m.citizen_id = a.citizen_id "
                "WHERE m.kind = 'job_meeting' AND m.status = 'held' "
                "AND m.due_date BETWEEN '2018-01-01' AND '2019-12-31' GROUP BY a.arm"
            )
        ).all()
    assert result.timeliness.overall == {arm: (int(n), int(t)) for arm, n, t in rows}
    # the trial department keeps its meetings more often on time, as Table 7
    assert result.timeliness.share("trial") > result.timeliness.share("control")


def test_long_term_recipients_add_up(result: Evaluation) -> None:
    for counts in result.long_term.values():
        left = sum(v for k, v in counts.items() if k not in ("at_start", "at_end"))
        assert counts["at_end"] + left == counts["at_start"]
        assert counts["at_end"] > 0


def test_later_entrants_are_reported_not_estimated(demo: Engine) -> None:
    with demo.begin() as conn:
        trial_id = conn.execute(text("SELECT id FROM trial WHERE code = 'CPH-2018'")).scalar()
        outsider = conn.execute(
            text(
                "SELECT id FROM citizen WHERE id NOT IN (SELECT citizen_id FROM trial_assignment) "
                "ORDER BY id LIMIT 1"
            )
        ).scalar()
        conn.execute(
            text(
                "INSERT INTO trial_assignment (trial_id, citizen_id, arm, probability, "
                "assigned_date) VALUES (:t, :c, 'trial', 0.5, '2018-06-01')"
            ),
            {"t": trial_id, "c": outsider},
        )
    try:
        later = evaluation.evaluate(demo, jobcentre.TRIAL_CODE)
        assert later.later_entrants == {"trial": 1}
        assert later.arms == {"trial": 917, "control": 856}
    finally:
        with demo.begin() as conn:
            conn.execute(text("DELETE FROM trial_assignment WHERE assigned_date > '2018-01-01'"))


def test_money_adds_up(result: Evaluation) -> None:
    m = result.money
    assert m.extra_fte == pytest.approx(917 / 50 - 917 / 130)
    assert m.savings == pytest.approx(m.months_saved_per_citizen * 917 * 10_900)
    assert m.net == pytest.approx(m.savings - m.staff_cost)
    assert m.break_even_months_per_citizen * 917 * 10_900 == pytest.approx(m.staff_cost)
    # shorter spells in the trial arm (the generator's truth) mean months saved
    assert m.months_saved_ci[0] > 0


def test_lag_and_window_are_configurable(demo: Engine) -> None:
    late = evaluation.evaluate(demo, jobcentre.TRIAL_CODE, Settings(lag_months=4))
    # 2019-12-31 + 4 months = 2020-04-30 (clamped), the window's last day
    assert late.window.last_exit == date(2019, 12, 31)
    base = evaluation.evaluate(demo, jobcentre.TRIAL_CODE)
    # a longer lag leaves fewer observable exits
    assert late.spells.treated.events.sum() < base.spells.treated.events.sum()


def test_report_files(result: Evaluation, tmp_path: Path) -> None:
    html = report.write(result, tmp_path / "en", "en", 1.0)
    page = html.read_text(encoding="utf-8")
    assert page.count("<svg") == 5
    assert "Exits by destination" in page and "Resource course" in page
    data = json.loads((tmp_path / "en" / "evaluation.json").read_text())
    assert {r["name"] for r in data["exits"]} == {*DESTINATIONS, "company_placement"}
    job = next(r for r in data["exits"] if r["name"] == "job")
    assert job["trial_events"] == result.by_name("job").treated.events
    with (tmp_path / "en" / "exits.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert float(rows[0]["p_value"]) == pytest.approx(result.exits[0].p_value)
    danish = report.write(result, tmp_path / "da", "da", 1.0).read_text(encoding="utf-8")
    assert 'lang="da"' in danish and "Afgange efter destination" in danish
    assert "Ressourceforløb" in danish


def test_report_refuses_to_replace_a_folder_that_is_not_a_report(
    result: Evaluation, tmp_path: Path
) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        report.write(result, tmp_path, "en", 1.0)
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_cohort_frame_status_agrees_with_the_spells(demo: Engine) -> None:
    """Each leaver's status is the benefit two months after the exit (checked in Python)."""
    with demo.connect() as conn:
        found = cohort.trial(conn, jobcentre.TRIAL_CODE)
        frame = cohort.cohort(conn, found, cohort.window(found))
        spells = pl.DataFrame(
            [
                tuple(r)
                for r in conn.execute(
                    text("SELECT citizen_id, benefit, start_date, end_date FROM benefit_spell")
                )
            ],
            schema=["citizen_id", "benefit", "start_date", "end_date"],
            orient="row",
        )
    leavers = frame.filter(pl.col("exited") == 1).head(200)
    for cid, after, status in leavers.select("citizen_id", "exit_after", "status").iter_rows():
        exit_day = cal.START.toordinal() + after
        day = add_months(type(cal.START).fromordinal(exit_day), 2).isoformat()
        covering = (
            spells.filter(
                (pl.col("citizen_id") == cid)
                & (pl.col("start_date").cast(pl.Utf8) <= day)
                & (pl.col("end_date").is_null() | (pl.col("end_date").cast(pl.Utf8) >= day))
            )
            .get_column("benefit")
            .to_list()
        )
        assert status in covering or (status == "unknown" and not covering), (cid, status)


def test_cluster_randomised_trial_is_analysed_by_cluster(demo: Engine) -> None:
    """Randomising caseworkers: every citizen of one caseworker in one arm, and the
    evaluation's standard errors clustered by the randomised caseworker."""
    departments = [d.code for d in cal.departments()]
    design = Design(
        scheme="complete",
        probability=0.5,
        seed=5,
        unit="caseworker",
        eligible={"departments": departments, "target_groups": []},
    )
    run = enrolment.randomise(
        demo,
        "CL",
        design,
        start=date(2018, 1, 1),
        end=date(2019, 12, 31),
        outcome_end=date(2020, 4, 30),
    )
    try:
        assert run.clusters > 20
        with demo.connect() as conn:
            mixed = conn.execute(
                text(
                    "SELECT COUNT(*) FROM (SELECT cluster FROM trial_assignment a JOIN trial t "
                    "ON t.id = a.trial_id WHERE t.code = 'CL' GROUP BY cluster "
                    "HAVING COUNT(DISTINCT arm) > 1) x"
                )
            ).scalar()
        assert mixed == 0
        clustered = evaluation.evaluate(demo, "CL")
        job = clustered.by_name("job")
        assert job.adjusted is not None and job.adjusted.se_kind == "cluster"
        assert job.adjusted.clusters == run.clusters
        assert clustered.spells.cox.se_kind == "cluster"
        # the headline too: CR1 difference and the clustered Cox Wald test, said in the report
        assert (job.test, job.errors.kind, job.errors.clusters) == (
            "cluster",
            "cluster",
            run.clusters,
        )
        assert clustered.spells.test == "cox_wald" and not job.errors.few
        assert clustered.spells.p_value == clustered.spells.hazard_ratio[2]
        html = report.render(clustered, "en", 1.0, tables(clustered))
        assert f"Every interval and test accounts for the {run.clusters} clusters" in html
        assert "Permutation p" not in html  # 20 clusters or more: none needed
    finally:
        with demo.begin() as conn:
            conn.execute(
                text(
                    "DELETE FROM trial_assignment WHERE trial_id IN "
                    "(SELECT id FROM trial WHERE code = 'CL')"
                )
            )
            conn.execute(text("DELETE FROM trial WHERE code = 'CL'"))


def test_few_clusters_are_said_to_be_unreliable_and_get_a_permutation_test(demo: Engine) -> None:
    """Randomising teams (fewer than 20): the report says cluster-robust errors are
    unreliable and gives the cluster permutation p of every exit beside them."""
    design = Design(
        scheme="complete",
        probability=0.5,
        seed=11,
        unit="team",
        eligible={"departments": [d.code for d in cal.departments()], "target_groups": []},
    )
    run = enrolment.randomise(
        demo,
        "FEW",
        design,
        start=date(2018, 1, 1),
        end=date(2019, 12, 31),
        outcome_end=date(2020, 4, 30),
    )
    try:
        assert 2 <= run.clusters < 20
        ev = evaluation.evaluate(demo, "FEW")
        job = ev.by_name("job")
        assert job.errors.few and job.errors.permutation_p is not None and job.errors.exact
        html = report.render(ev, "en", 1.0, tables(ev))
        assert "cluster-robust errors are unreliable" in html and "Permutation p" in html
        rows = {r["name"]: r for r in tables(ev)["exits"]}
        assert rows["job"]["permutation_p"] == job.errors.permutation_p
    finally:
        with demo.begin() as conn:
            conn.execute(
                text(
                    "DELETE FROM trial_assignment WHERE trial_id IN "
                    "(SELECT id FROM trial WHERE code = 'FEW')"
                )
            )
            conn.execute(text("DELETE FROM trial WHERE code = 'FEW'"))
