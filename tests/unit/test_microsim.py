"""The policy microsimulation (plan/microsim.py) against what its hazards imply.

Expected values are computed here from the hazards the model is given, never copied from
its output: with constant competing hazards λ_d (total Λ), the share leaving by week W is
1 − exp(−ΛW), to destination d (λ_d/Λ)(1 − exp(−ΛW)), and the mean time on benefit within
W is (1 − exp(−ΛW))/Λ.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from caseload.domain import codes
from caseload.plan import calibrate, microsim, response
from caseload.plan.calibrate import Calibration
from caseload.plan.microsim import MicrosimError, Policy, Settings
from caseload.plan.response import DESTINATIONS

# weekly hazards per group (short, long) and destination: made up, two very different groups
HAZARDS = (
    (0.0040, 0.0008, 0.0010, 0.0020, 0.0006, 0.0004, 0.0012),
    (0.0010, 0.0002, 0.0003, 0.0015, 0.0005, 0.0008, 0.0007),
)
CITIZENS = (600, 400)
WEEKS = 100.0


def made_up(change_rate: float = 0.0, staff_turnover: float = 0.0) -> Calibration:
    """A calibration whose hazards are exactly ``HAZARDS`` (exits ÷ exposure)."""
    exposure = (1_000_000.0, 1_000_000.0)
    exits = tuple(
        tuple(round(h * e) for h in row) for row, e in zip(HAZARDS, exposure, strict=True)
    )
    return Calibration(
        source="made up",
        first="2018-01-01",
        last_exit="2019-12-01",
        weeks=WEEKS,
        citizens=CITIZENS,
        exits=exits,
        exposure=exposure,
        caseload=130.0,
        caseload_source="made up",
        change_rate=change_rate,
        staff_turnover=staff_turnover,
        entrant_rate=0.0,
    )


def plain(**kw: object) -> Settings:
    """No caseworker changes, no entrants, the calibration caseload, shape none."""
    base: dict[str, object] = dict(
        policies=(Policy(130),),
        shapes=("none",),
        citizens=20_000,
        weeks=int(WEEKS),
        reps=20,
        workers=1,
        change_effect=1.0,
        entrants=False,
    )
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]


def expected_shares(weeks: float) -> tuple[np.ndarray, float, float]:
    """Per destination the share leaving by ``weeks``, the total, and mean weeks on benefit
    within ``weeks``, over the groups in proportion to CITIZENS."""
    weights = np.asarray(CITIZENS) / sum(CITIZENS)
    per_dest = np.zeros(len(DESTINATIONS))
    total = on = 0.0
    for w, row in zip(weights, HAZARDS, strict=True):
        lam = sum(row)
        leave = 1 - math.exp(-lam * weeks)
        per_dest += w * np.asarray(row) / lam * leave
        total += w * leave
        on += w * leave / lam
    return per_dest, total, on


def test_exit_rates_at_the_calibration_point_match_the_hazards() -> None:
    settings = plain()
    result = microsim.simulate(made_up(), settings)
    n = settings.citizens * settings.reps
    per_dest, total, on = expected_shares(WEEKS)
    exits = result.values("none", Policy(130), "cohort_exits").sum() / n
    # 4 standard errors of a binomial share over every simulated citizen (the group draw
    # adds a little variance: the groups' shares are drawn per replication)
    assert abs(exits - total) < 4 * math.sqrt(total * (1 - total) / n) + 0.002
    for i, d in enumerate(DESTINATIONS):
        got = result.values("none", Policy(130), f"cohort_exits_{d}").sum() / n
        p = per_dest[i]
        assert abs(got - p) < 4 * math.sqrt(p * (1 - p) / n) + 0.0005, d
    months = result.values("none", Policy(130), "cohort_months").sum() / n
    assert months == pytest.approx(on * 7 / microsim.DAYS_PER_MONTH, rel=0.005)


def weekly_loop(
    cal: Calibration, settings: Settings, citizens: int, seed: int, windows: bool = True
) -> tuple[np.ndarray, float]:
    """The baseline: every citizen, every week. A week's changes are Poisson at the weekly
    rate and start a window of ``change_weeks`` at the week's start; the week's exit
    probability is 1 − exp(−Λ × factor), the destination by the hazards' shares."""
    rng = np.random.default_rng(seed)
    hazards = np.asarray(cal.hazards)
    rate = (cal.change_rate + cal.staff_turnover) / microsim.WEEKS_PER_YEAR
    counts = np.zeros(len(DESTINATIONS))
    weeks_on = 0.0
    # the same de-biasing as the model: the calibrated hazards include change periods
    debias = _debias(cal, settings)
    for _ in range(citizens):
        g = 1 if rng.random() < cal.shares[1] else 0
        lam = hazards[g] * debias
        total = lam.sum()
        window_end = -1.0
        for week in range(settings.weeks):
            if rng.poisson(rate) > 0:
                window_end = week + settings.change_weeks
            factor = settings.change_effect if windows and week < window_end else 1.0
            if rng.random() < 1 - math.exp(-total * factor):
                counts[rng.choice(len(DESTINATIONS), p=lam / total)] += 1
                weeks_on += week + 0.5
                break
        else:
            weeks_on += settings.weeks
    return counts, weeks_on


def _debias(cal: Calibration, s: Settings) -> float:
    rho = (cal.change_rate + cal.staff_turnover) / microsim.WEEKS_PER_YEAR
    w, d = cal.weeks, min(s.change_weeks, cal.weeks)
    inside = d - (1 - math.exp(-rho * d)) / rho + (w - d) * (1 - math.exp(-rho * d))
    return w / (w - (1 - s.change_effect) * inside)


def test_the_weekly_loop_agrees_with_the_direct_draw() -> None:
    """Strong change effects (half the hazard for 12 weeks, 2.5 changes a year) so that a
    wrong clock would show: the shares leaving and the weeks on benefit agree within Monte
    Carlo error (4 standard errors of the difference)."""
    cal = made_up(change_rate=2.0, staff_turnover=0.5)
    settings = plain(change_effect=0.5, change_weeks=12.0, citizens=20_000, reps=10)
    result = microsim.simulate(cal, settings)
    n_vec = settings.citizens * settings.reps
    vec_exits = result.values("none", Policy(130), "cohort_exits").sum() / n_vec
    vec_weeks = (
        result.values("none", Policy(130), "cohort_months").sum()
        * microsim.DAYS_PER_MONTH
        / 7
        / n_vec
    )
    n_loop = 4_000
    counts, weeks_on = weekly_loop(cal, settings, n_loop, seed=7)
    loop_exits = counts.sum() / n_loop
    se = math.sqrt(vec_exits * (1 - vec_exits) * (1 / n_vec + 1 / n_loop))
    assert abs(loop_exits - vec_exits) < 4 * se
    # weeks on benefit lie in [0, W], so their standard deviation is at most W / 2
    assert abs(weeks_on / n_loop - vec_weeks) < 4 * (settings.weeks / 2) / math.sqrt(n_loop)
    # the test can tell: a loop that forgot the windows leaves visibly more
    counts, _ = weekly_loop(cal, settings, n_loop, seed=8, windows=False)
    assert counts.sum() / n_loop - vec_exits > 4 * se


def test_one_and_two_workers_give_the_same_numbers() -> None:
    settings = plain(
        policies=(Policy(130), Policy(50)),
        shapes=("none", "strong"),
        citizens=2_000,
        reps=9,
        change_effect=0.8,
        entrants=True,
        displacement=0.3,
    )
    cal = calibrate.demo()
    one = microsim.simulate(cal, settings)
    two = microsim.simulate(cal, Settings(**{**settings.__dict__, "workers": 2}))
    assert np.array_equal(one.draws, two.draws)
    again = microsim.simulate(cal, settings)
    assert np.array_equal(one.draws, again.draws)
    other = microsim.simulate(cal, Settings(**{**settings.__dict__, "seed": 2}))
    assert not np.array_equal(one.draws, other.draws)


POLICIES = (Policy(130), Policy(50), Policy(35))


@pytest.fixture(scope="module")
def over_shapes() -> microsim.Result:
    settings = Settings(policies=POLICIES, citizens=3_000, reps=30, workers=1)
    return microsim.simulate(calibrate.demo(), settings)


def test_shape_none_makes_no_difference_between_policies(over_shapes: microsim.Result) -> None:
    for metric in ("exits", "exits_job", "months", "cohort_exits"):
        first = over_shapes.values("none", POLICIES[0], metric)
        for p in POLICIES[1:]:
            assert np.array_equal(over_shapes.values("none", p, metric), first)


def test_stronger_shapes_give_more_exits_at_lower_caseloads(over_shapes: microsim.Result) -> None:
    def mean(shape: str, p: Policy, metric: str = "exits") -> float:
        return float(over_shapes.values(shape, p, metric).mean())

    for p in POLICIES[1:]:
        order = [mean(s, p) for s in ("none", "weak", "copenhagen", "strong")]
        assert order == sorted(order) and order[0] < order[-1]
    for s in ("weak", "copenhagen", "strong"):
        assert mean(s, POLICIES[0]) < mean(s, POLICIES[1]) < mean(s, POLICIES[2])
    # diminishing returns: 130 → 50 adds far more exits than 50 → 35
    gain = mean("copenhagen", POLICIES[1]) - mean("copenhagen", POLICIES[0])
    more = mean("copenhagen", POLICIES[2]) - mean("copenhagen", POLICIES[1])
    assert 0 < more < gain / 4
    # the strong shape lifts job exits; copenhagen's job ratio is near 1
    assert mean("strong", POLICIES[1], "exits_job") > 1.2 * mean("strong", POLICIES[0], "exits_job")


def test_displacement_reduces_the_net_effect() -> None:
    base = Settings(
        policies=(Policy(130), Policy(50)), shapes=("strong",), citizens=3_000, reps=20, workers=1
    )
    cal = calibrate.demo()
    without = microsim.simulate(cal, base)
    half = microsim.simulate(cal, Settings(**{**base.__dict__, "displacement": 0.5}))
    p = Policy(50)
    helped = half.values("strong", p, "helped").sum()
    displaced = half.values("strong", p, "displaced").sum()
    assert helped > 0
    # binomial(helped, 0.5) in total: within 4 standard errors of half
    assert abs(displaced - helped / 2) < 4 * math.sqrt(helped * 0.25)
    assert without.values("strong", p, "displaced").sum() == 0
    assert (
        half.values("strong", p, "exits_job").mean()
        < without.values("strong", p, "exits_job").mean()
    )
    assert half.values("strong", p, "net").mean() < without.values("strong", p, "net").mean()
    # the reference itself is untouched
    ref = Policy(130)
    assert np.array_equal(
        half.values("strong", ref, "exits"), without.values("strong", ref, "exits")
    )


def test_the_curve_has_diminishing_returns() -> None:
    curve = response.shape("copenhagen")
    assert float(curve.g(130)) == pytest.approx(0.0)
    assert float(curve.g(50)) == pytest.approx(1.0)
    assert float(curve.g(90) - curve.g(130)) > float(curve.g(50) - curve.g(90)) > 0
    assert float(curve.g(160)) < 0
    assert np.allclose(curve.multipliers(117.0, 117.0), 1.0)
    # at 50 against 130, the published share ratios (job 102/917 over 89/856)
    job = DESTINATIONS.index("job")
    assert curve.multipliers(50, 130)[job] == pytest.approx((102 / 917) / (89 / 856))
    assert np.allclose(response.shape("none").multipliers(35, 130), 1.0)


@pytest.mark.parametrize(
    ("change", "option"),
    [
        ({"citizens": 0}, "--citizens"),
        ({"weeks": 5000}, "--weeks"),
        ({"reps": 0}, "--reps"),
        ({"workers": 0}, "--workers"),
        ({"displacement": 1.5}, "--displacement"),
        ({"policies": (Policy(0),)}, "--policies"),
        ({"policies": (Policy(50, 1.2),)}, "--policies"),
        ({"policies": (Policy(50, None, "two_by_two"),)}, "--policies"),
        ({"shapes": ("medium",)}, "--shapes"),
        ({"shapes": ()}, "--shapes"),
        ({"seed": -1}, "--seed"),
    ],
)
def test_bad_settings_are_refused_naming_the_option(change: dict[str, object], option: str) -> None:
    with pytest.raises((MicrosimError, response.ShapeError)) as caught:
        microsim.check(Settings(**{**Settings().__dict__, **change}))
    assert option in str(caught.value)


def test_policies_are_parsed() -> None:
    assert microsim.parse_policies("130, 50:0.05,35") == (
        Policy(130),
        Policy(50, 0.05),
        Policy(35),
    )
    assert microsim.parse_policies("130,50@all_inclusive,50:0.1@buddy_pair") == (
        Policy(130),
        Policy(50, None, "all_inclusive"),
        Policy(50, 0.1, "buddy_pair"),
    )
    assert Policy(50, 0.1, "buddy_pair").label == "50:0.1@buddy_pair"
    with pytest.raises(MicrosimError, match="--policies"):
        microsim.parse_policies("130,fifty")
    with pytest.raises(MicrosimError, match="--policies"):
        microsim.parse_policies("130,50@")


def test_a_role_model_scales_the_handoffs() -> None:
    # calibrated on all apart (2 handoff paths around a citizen): 0.3 changes a year, of
    # which 0.1 handoffs, and a staff turnover of 0.2
    cal = replace(made_up(0.3, 0.2), handoff_rate=0.1, role_model="all_apart")
    per_year = {
        model: microsim.changes_per_year(cal, Policy(50, None, model))
        for model in (None, *codes.ROLE_MODELS)
    }
    assert per_year[None] == pytest.approx(0.3 + 0.2)
    assert per_year["all_apart"] == pytest.approx(0.3 + 0.2)
    assert per_year["buddy_pair"] == pytest.approx(0.2 + 0.1 / 2 + 0.2)
    assert per_year["all_inclusive"] == pytest.approx(0.2 + 0.2)
    assert microsim.changes_per_year(cal, Policy(50, 0.05, "all_inclusive")) == pytest.approx(
        0.2 + 0.05
    )


@pytest.mark.parametrize(
    ("calibrated", "wanted", "reason"),
    [
        (None, "all_inclusive", "does not say which role model"),
        ("all_inclusive", "all_apart", "no handoffs to scale"),
    ],
)
def test_a_role_model_the_calibration_cannot_carry_is_refused(
    calibrated: str | None, wanted: str, reason: str
) -> None:
    cal = replace(made_up(0.3, 0.2), role_model=calibrated)
    settings = plain(policies=(Policy(130), Policy(50, None, wanted)))
    with pytest.raises(MicrosimError, match=reason):
        microsim.fits(cal, settings)
    with pytest.raises(MicrosimError, match=reason):
        microsim.simulate(cal, settings)


def test_fewer_handoffs_mean_earlier_exits() -> None:
    """Same caseload, shape none: all inclusive keeps a subset of all apart's caseworker
    changes (common random numbers), so in every replication at least as many leave."""
    cal = replace(made_up(2.0, 0.1), handoff_rate=1.5, role_model="all_apart")
    apart, inclusive = Policy(130), Policy(130, None, "all_inclusive")
    result = microsim.simulate(
        cal,
        plain(policies=(apart, inclusive), citizens=2_000, reps=20, change_effect=0.5),
    )
    a = result.values("none", apart, "cohort_exits")
    b = result.values("none", inclusive, "cohort_exits")
    assert (b >= a).all()
    assert b.mean() > a.mean() * 1.02


def test_the_shipped_calibration_reads_back() -> None:
    cal = calibrate.demo()
    again = calibrate.from_json(calibrate.to_json(cal))
    assert again == cal
    assert all(h > 0 for row in cal.hazards for h in row)
    assert 100 < cal.caseload < 140
