"""Case review on SQLite and PostgreSQL: the seeded, stratified sample (stratum sizes,
reproducibility, extension, no reviewer given their own citizens), scores imported all or
nothing, the blinded case, and the results on a review with simulated scores of a known
difference, each statistic checked against a reference implementation."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import krippendorff
import numpy as np
import polars as pl
import pytest
from scipy import stats
from sqlalchemy import Connection, Engine, func, select
from statsmodels.stats.inter_rater import cohens_kappa
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from caseload.access import accounts
from caseload.register.problems import ImportRejected
from caseload.review import blind, indicators, results, sample, scores
from caseload.review.sample import Design, ReviewError
from caseload.store import schema as s
from caseload.store.database import reader
from caseload.synth import jobcentre
from caseload.synth.review import Simulated, simulate_scores
from tests.conftest import CopyOf

DAY = date(2019, 3, 1)
PASSWORD = "a-long-enough-password-1"


def fill(engine: Engine, _folder: Path) -> None:
    jobcentre.write(engine, jobcentre.simulate(3_000, 11))


@pytest.fixture
def register(register_copy: CopyOf) -> Engine:
    return register_copy(fill)


def reviewers(conn: Connection, n: int, **linked: object) -> list[str]:
    names = [f"reviewer-{k}" for k in range(n)]
    for name in names:
        accounts.add_account(conn, name, "reviewer", PASSWORD, lang="en", **linked)  # type: ignore[arg-type]
    return names


def drawn_cases(conn: Connection, code: str) -> list[tuple[int, str, str, int]]:
    rc, rv = s.review_case, s.review
    return [
        (int(c), str(lb), str(st), int(k))
        for c, lb, st, k in conn.execute(
            select(rc.c.citizen_id, rc.c.label, rc.c.stratum, rc.c.draw)
            .join(rv, rv.c.id == rc.c.review_id)
            .where(rv.c.code == code)
            .order_by(rc.c.label)
        )
    ]


def assignments(conn: Connection, code: str) -> list[tuple[str, str, int]]:
    rc, rv, ra, a = s.review_case, s.review, s.review_assignment, s.account
    return [
        (str(lb), str(u), int(sl))
        for lb, u, sl in conn.execute(
            select(rc.c.label, a.c.username, ra.c.slot)
            .join(rv, rv.c.id == rc.c.review_id)
            .join(ra, ra.c.review_case_id == rc.c.id)
            .join(a, a.c.id == ra.c.account_id)
            .where(rv.c.code == code)
            .order_by(rc.c.label, ra.c.slot)
        )
    ]


def test_the_sample_has_its_stratum_sizes_and_is_reproduced_by_its_seed(
    register: Engine,
) -> None:
    with register.begin() as conn:
        reviewers(conn, 3)
        got = sample.draw(conn, Design("R1", DAY, "arm", 15, "seed-1", 2))
        sample.draw(conn, Design("R2", DAY, "arm", 15, "seed-1", 2))
        sample.draw(conn, Design("R3", DAY, "arm", 15, "seed-2", 2))
        by_department = sample.draw(conn, Design("R4", DAY, "department", 4, "seed-1", 2))
    assert set(got.strata) == {"trial", "control"}
    assert all(n == 15 for n, _ in got.strata.values())
    with reader(register).connect() as conn:
        one, two, three = (drawn_cases(conn, c) for c in ("R1", "R2", "R3"))
        per_group = pl.DataFrame(one, schema=["citizen", "label", "group", "draw"], orient="row")
        assert per_group.group_by("group").len().sort("group").rows() == [
            ("control", 15),
            ("trial", 15),
        ]
        # the same seed draws the same citizens in the same order, with the same reviewers
        assert [(c, st, k) for c, _, st, k in one] == [(c, st, k) for c, _, st, k in two]
        assert [(lb[3:], u, sl) for lb, u, sl in assignments(conn, "R1")] == [
            (lb[3:], u, sl) for lb, u, sl in assignments(conn, "R2")
        ]
        assert {c for c, *_ in one} != {c for c, *_ in three}  # another seed, another draw
        # each case two different reviewers, and the loads even (45 ratings each of 3)
        dealt = assignments(conn, "R1")
        assert len(dealt) == 60 and len({(lb, u) for lb, u, _ in dealt}) == 60
        assert sorted(got.load.values()) == [20, 20, 20]
        # every stratum of a department draw holds its N (or all its citizens)
        for n, of in by_department.strata.values():
            assert n == min(4, of)
        # the citizens drawn were on a caseload in their arm on the day
        a = s.trial_assignment
        arms = dict(conn.execute(select(a.c.citizen_id, a.c.arm)).all())
        assert all(arms[c] == st for c, _, st, _ in one)


def test_a_larger_n_extends_the_sample_and_keeps_what_was_drawn(register: Engine) -> None:
    with register.begin() as conn:
        reviewers(conn, 2)
        sample.draw(conn, Design("R1", DAY, "arm", 5, "s", 2))
    with reader(register).connect() as conn:
        first = drawn_cases(conn, "R1")
    with register.begin() as conn:
        grown = sample.draw(conn, Design("R1", DAY, "arm", 8, "s", 2))
        fresh = sample.draw(conn, Design("R9", DAY, "arm", 8, "s", 2))
    assert grown.extended and grown.added == 6
    with reader(register).connect() as conn:
        now = drawn_cases(conn, "R1")
        assert set(first) <= set(now) and len(now) == 16
        # the extended sample is the sample a fresh draw of 8 makes
        assert sorted((c, st, k) for c, _, st, k in now) == sorted(
            (c, st, k) for c, _, st, k in drawn_cases(conn, "R9")
        )
    assert fresh.added == 16
    with pytest.raises(ReviewError, match="another --seed"), register.begin() as conn:
        sample.draw(conn, Design("R1", DAY, "arm", 9, "other", 2))
    with pytest.raises(ReviewError, match="never cut"), register.begin() as conn:
        sample.draw(conn, Design("R1", DAY, "arm", 3, "s", 2))


def test_no_reviewer_reviews_their_own_citizens_or_their_departments(register: Engine) -> None:
    """Two reviewers are professionals: a caseworker (their citizens are never theirs to
    review) and a leader of a department (none of its citizens); two are not."""
    r, p, d = s.responsibility, s.professional, s.department
    with register.begin() as conn:
        busiest = conn.execute(
            select(p.c.code, p.c.id)
            .join(r, r.c.professional_id == p.c.id)
            .where(r.c.start_date <= DAY, (r.c.end_date.is_(None)) | (r.c.end_date >= DAY))
            .group_by(p.c.code, p.c.id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        department = conn.execute(select(d.c.code).order_by(d.c.code).limit(1)).scalar_one()
        head = conn.execute(
            select(p.c.code).join(d, d.c.id == p.c.department_id).where(d.c.code == department)
        ).scalars().first()  # fmt: skip
        accounts.add_account(conn, "own-caseworker", "reviewer", PASSWORD, staff=busiest.code)
        accounts.add_account(conn, "a-leader", "leader", PASSWORD, staff=head,
                             departments=[department])  # fmt: skip
        accounts.add_account(conn, "leader-reviews", "reviewer", PASSWORD, staff=head)
        reviewers(conn, 2)
        sample.draw(conn, Design("R1", DAY, "caseworker", 3, "x", 2, trial=None))
        sample.draw(conn, Design("R2", DAY, "department", 25, "x", 2))
    with reader(register).connect() as conn:
        held = set(
            conn.execute(
                select(r.c.citizen_id).where(
                    r.c.professional_id == busiest.id, r.c.start_date <= DAY,
                    (r.c.end_date.is_(None)) | (r.c.end_date >= date(2018, 3, 1)),
                )
            ).scalars()
        )  # fmt: skip
        cases = {lb: c for code in ("R1", "R2") for c, lb, _, _ in drawn_cases(conn, code)}
        groups = {lb: st for code in ("R1", "R2") for _, lb, st, _ in drawn_cases(conn, code)}
        dealt = assignments(conn, "R1") + assignments(conn, "R2")
    own = [lb for lb, u, _ in dealt if u == "own-caseworker" and cases[lb] in held]
    assert own == []
    assert any(cases[lb] in held for lb in cases)  # the case was there to be wrongly given
    led = [lb for lb, u, _ in dealt if u == "leader-reviews" and groups[lb] == department]
    assert led == []
    assert any(g == department for g in groups.values())


def test_too_few_reviewers_or_no_trial_is_refused_in_words(register: Engine) -> None:
    with pytest.raises(ReviewError, match="reviewer accounts"), register.begin() as conn:
        reviewers(conn, 1)
        sample.draw(conn, Design("R1", DAY, "arm", 5, "s", 2))
    with pytest.raises(ReviewError, match="no trial NOPE"), register.begin() as conn:
        sample.draw(conn, Design("R1", DAY, "arm", 5, "s", 2, trial="NOPE"))
    with register.begin() as conn:
        assert conn.execute(select(func.count()).select_from(s.review)).scalar_one() == 0


def test_scores_are_imported_all_or_nothing_and_again_the_same(
    register: Engine, tmp_path: Path
) -> None:
    with register.begin() as conn:
        names = reviewers(conn, 2)
        sample.draw(conn, Design("R1", DAY, "arm", 3, "s", 2))
    with reader(register).connect() as conn:
        labels = [lb for _, lb, _, _ in drawn_cases(conn, "R1")]
    good = tmp_path / "scores.csv"
    rows = ["case,reviewer,arm_guess,information,common_thread,involvement,follow_up,outreach"]
    rows += [f"{lb},{names[0]},trial,4,3,5,2," for lb in labels]
    good.write_text("\n".join(rows) + "\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "\n".join(
            [
                rows[0],
                f"{labels[0]},{names[0]},maybe,9,3,5,2,1",
                f"R1-999,{names[0]},,1,1,1,1,1",
                f"{labels[1]},{names[1]},,x,1,1,1,1",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as caught, register.begin() as conn:
        scores.import_scores(conn, "R1", bad)
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {(2, "arm_guess"), (2, "information"), (3, "case"), (4, "information")}
    assert all(p.file == str(bad) for p in caught.value.problems)
    with reader(register).connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.review_score)).scalar_one() == 0
    for _ in range(2):
        with register.begin() as conn:
            done = scores.import_scores(conn, "R1", good)
        assert (done.rows, done.scores, done.guesses) == (6, 24, 6)
        with reader(register).connect() as conn:
            assert conn.execute(select(func.count()).select_from(s.review_score)).scalar_one() == 24


def test_the_blinded_case_names_no_professional_department_or_arm(register: Engine) -> None:
    with register.begin() as conn:
        reviewers(conn, 2)
        sample.draw(conn, Design("R1", DAY, "arm", 4, "s", 2))
        cases = conn.execute(select(s.review_case.c.id)).scalars().all()
        p, d = s.professional, s.department
        words = {str(w) for row in conn.execute(select(p.c.code, p.c.name)) for w in row}
        words |= {str(w) for row in conn.execute(select(d.c.code, d.c.name)) for w in row}
        citizen_codes = set(conn.execute(select(s.citizen.c.code)).scalars())
        shown = [blind.blinded(conn, int(c)) for c in cases]
    text = repr(shown)
    assert sum(len(b.entries) for b in shown) > 20
    assert not [w for w in words if w in text]
    assert not [c for c in citizen_codes if f"'{c}'" in text]
    assert "'trial'" not in text and "'control'" not in text


def test_redaction_hides_names_in_a_notes_text() -> None:
    import re

    pattern = re.compile(r"(?<!\w)(?:Anne Holm|Holm|JI1)(?!\w)", re.IGNORECASE)
    said = blind.redact(
        "Talked to Anne Holm (JI1); holm will call. Holmegaard is a place.", pattern
    )
    assert said == "Talked to […] ([…]); […] will call. Holmegaard is a place."


def test_results_find_a_known_difference_and_match_the_references(register: Engine) -> None:
    with register.begin() as conn:
        reviewers(conn, 4)
        sample.draw(conn, Design("R1", DAY, "arm", 60, "s", 2))
        sample.draw(conn, Design("R0", DAY, "arm", 60, "t", 2))
        simulate_scores(conn, "R1", Simulated(difference=0.8), seed=1)
        simulate_scores(conn, "R0", Simulated(difference=0.0), seed=2)
    with reader(register).connect() as conn:
        found = results.results(conn, "R1")
        null = results.results(conn, "R0")
        frame = results.ratings(conn, found.review.id)
    assert found.cases == 120 and found.rated == 120 and found.ratings == 240
    # one row per case, its columns always in this order (cases.csv is re-written in place)
    assert found.per_case.columns == [
        "label", "group", *found.review.rubric.keys, "overall", *indicators.INDICATORS,
    ]  # fmt: skip
    overall = next(c for c in found.comparisons if c.item == "overall")
    assert [g.group for g in overall.groups] == ["trial", "control"]
    assert overall.test == "welch" and overall.difference is not None
    # the simulated difference (0.8) lies in the interval, and the test sees it
    assert overall.diff_low is not None and overall.diff_high is not None
    assert overall.diff_low < 0.8 < overall.diff_high and overall.p_value < 0.001
    none = next(c for c in null.comparisons if c.item == "overall")
    assert none.diff_low is not None and none.diff_high is not None
    assert none.diff_low < 0 < none.diff_high
    # the Welch interval as statsmodels gives it:
    # CompareMeans(DescrStatsW(a), DescrStatsW(b)).tconfint_diff(usevar="unequal")
    table = found.per_case
    a = table.filter(pl.col("group") == "trial").get_column("overall").to_numpy()
    b = table.filter(pl.col("group") == "control").get_column("overall").to_numpy()
    low, high = CompareMeans(DescrStatsW(a), DescrStatsW(b)).tconfint_diff(usevar="unequal")
    assert overall.diff_low == pytest.approx(low, rel=1e-10)
    assert overall.diff_high == pytest.approx(high, rel=1e-10)
    # scipy.stats.ttest_ind(a, b, equal_var=False).pvalue
    assert overall.p_value == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue)
    # each group's mean and t interval: DescrStatsW(a).tconfint_mean()
    trial = overall.groups[0]
    assert (trial.ci_low, trial.ci_high) == pytest.approx(DescrStatsW(a).tconfint_mean())
    # agreement per item against the references
    for item in found.agreement:
        mine = frame.filter(pl.col("item") == item.item)
        wide = mine.pivot(on="slot", index="case_id", values="score").sort("case_id")
        matrix = wide.select("1", "2").to_numpy().astype(float)
        # krippendorff.alpha(reliability_data=..., level_of_measurement="ordinal")
        expected = krippendorff.alpha(
            reliability_data=matrix.T, level_of_measurement="ordinal",
            value_domain=list(found.review.rubric.scale),
        )  # fmt: skip
        assert item.alpha == pytest.approx(expected, rel=1e-9)
        # statsmodels cohens_kappa(table, wt="quadratic").kappa on the 5×5 table
        scale = list(found.review.rubric.scale)
        counts = np.zeros((len(scale), len(scale)))
        for x, y in matrix.astype(int):
            counts[scale.index(x), scale.index(y)] += 1
        assert item.kappa == pytest.approx(cohens_kappa(counts, wt="quadratic").kappa, rel=1e-9)
        assert item.flagged == (item.alpha < 0.8)
    # Bang's index from the guesses: (correct - wrong) / n per arm
    with reader(register).connect() as conn:
        rc, ra = s.review_case, s.review_assignment
        guesses = conn.execute(
            select(rc.c.stratum, ra.c.arm_guess)
            .join(ra, ra.c.review_case_id == rc.c.id)
            .where(rc.c.review_id == found.review.id)
        ).all()
    for arm in ("trial", "control"):
        mine = [g for st, g in guesses if st == arm]
        right = sum(g == arm for g in mine)
        wrong = sum(g not in (arm, "unknown") for g in mine)
        assert found.blinding[arm].index == pytest.approx((right - wrong) / len(mine))
    # a correlation per indicator, each with its cases
    assert {c.indicator for c in found.correlations} >= {"passive_days", "caseworker_changes"}
    assert all(c.cases <= found.cases for c in found.correlations)
    assert all(math.isnan(c.rho) or -1 <= c.rho <= 1 for c in found.correlations)
