"""Binary estimators against statsmodels and scipy, and the published Copenhagen verdicts."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

from caseload.evaluate import counts
from caseload.evaluate.binary import Counts, compare, holm, minimum_detectable_effect, wilson
from tests.copenhagen import published_counts

CASES = [
    (102, 917, 89, 856),
    (139, 917, 46, 856),
    (3, 40, 9, 38),
    (0, 25, 4, 30),
    (451, 917, 400, 855),
]


@pytest.mark.parametrize(("e1", "n1", "e0", "n0"), CASES)
def test_newcombe_interval_matches_statsmodels(e1: int, n1: int, e0: int, n0: int) -> None:
    ours = compare("x", Counts(e1, n1), Counts(e0, n0)).ci
    # statsmodels: confint_proportions_2indep(e1, n1, e0, n0, method="newcomb", compare="diff")
    low, high = confint_proportions_2indep(e1, n1, e0, n0, method="newcomb", compare="diff")
    assert ours == pytest.approx((low, high), abs=1e-10)


@pytest.mark.parametrize(("e", "n"), [(0, 10), (5, 10), (102, 917), (917, 917)])
def test_wilson_matches_statsmodels(e: int, n: int) -> None:
    # statsmodels: proportion_confint(e, n, alpha=0.05, method="wilson")
    assert wilson(Counts(e, n)) == pytest.approx(
        proportion_confint(e, n, method="wilson"), abs=1e-12
    )


@pytest.mark.parametrize(("e1", "n1", "e0", "n0"), CASES)
def test_p_value_matches_z_test_or_fisher(e1: int, n1: int, e0: int, n0: int) -> None:
    result = compare("x", Counts(e1, n1), Counts(e0, n0))
    total = e1 + e0
    expected_cells = [n * s for n in (n1, n0) for s in (total / (n1 + n0), 1 - total / (n1 + n0))]
    if min(expected_cells) < 5:
        assert result.test == "fisher"
        # scipy: fisher_exact([[e1, n1 - e1], [e0, n0 - e0]]) (two-sided)
        reference = stats.fisher_exact([[e1, n1 - e1], [e0, n0 - e0]]).pvalue
    else:
        assert result.test == "z"
        # statsmodels: proportions_ztest([e1, e0], [n1, n0]) (pooled variance, two-sided)
        reference = proportions_ztest([e1, e0], [n1, n0])[1]
    assert result.p_value == pytest.approx(reference, rel=1e-9)


@pytest.mark.parametrize(("e1", "n1", "e0", "n0"), [c for c in CASES if c[0] and c[2]])
def test_risk_ratio_interval_matches_statsmodels(e1: int, n1: int, e0: int, n0: int) -> None:
    result = compare("x", Counts(e1, n1), Counts(e0, n0))
    # statsmodels: confint_proportions_2indep(e1, n1, e0, n0, method="log", compare="ratio")
    reference = confint_proportions_2indep(e1, n1, e0, n0, method="log", compare="ratio")
    assert result.risk_ratio == pytest.approx((e1 / n1) / (e0 / n0))
    assert result.risk_ratio_ci == pytest.approx(reference, rel=1e-9)


def test_holm_matches_statsmodels() -> None:
    p = [*np.random.default_rng(4).uniform(0, 0.2, 9), 0.001, 0.04]
    # statsmodels: multipletests(p, method="holm")[1]
    assert holm(p) == pytest.approx(list(multipletests(p, method="holm")[1]), abs=1e-15)


def test_minimum_detectable_effect_has_the_asked_power() -> None:
    mde = minimum_detectable_effect(917, 856, 0.104)
    se = math.sqrt(0.104 * 0.896 / 856 + (0.104 + mde) * (0.896 - mde) / 917)
    # power of a two-sided z test at the MDE: P(Z > z_{0.975} - d/se) (the far tail ~ 0)
    power = stats.norm.sf(stats.norm.ppf(0.975) - mde / se)
    assert power == pytest.approx(0.8, abs=1e-9)
    assert minimum_detectable_effect(9170, 8560, 0.104) < mde / 3  # 10x units: ~1/sqrt(10)


def test_published_counts_give_the_reports_verdicts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "copenhagen.json"
    path.write_text(json.dumps(published_counts()))
    results = {r.name: r for r in counts.load(path)}
    significant = {name for name, r in results.items() if r.significant}
    assert significant == {"resource_course", "disability_pension"}
    # DOMAIN.md: with 917 vs 856 and a 10 % base rate the smallest detectable job effect
    # at 80 % power is about 4 percentage points
    assert 0.035 < results["job"].minimum_detectable_effect < 0.05
    assert results["placement"].control.n == 855
    assert all(r.p_value_holm is not None and r.p_value_holm >= r.p_value for r in results.values())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcomes": {}}, "'outcomes' is empty"),
        ({"arms": {"trial": 10, "control": 10}, "outcomes": {"job": {"trial": 3}}}, "exactly"),
        (
            {
                "arms": {"trial": 10, "control": 10},
                "outcomes": {"job": {"trial": 11, "control": 2}},
            },
            "between 0 and n",
        ),
        (
            {"arms": {"trial": 0, "control": 10}, "outcomes": {"job": {"trial": 0, "control": 2}}},
            "no units",
        ),
        ({"outcomes": {"job": {"trial": 1, "control": 2}}}, "no arm size"),
    ],
)
def test_bad_counts_files_name_the_problem(data: dict[str, object], message: str) -> None:
    with pytest.raises(counts.CountsError, match=message):
        counts.analyze(data)
