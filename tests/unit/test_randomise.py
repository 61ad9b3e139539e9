"""Pure allocation: the simple, complete and blocked schemes and the stored design.

Every expectation follows from the module docstring of :mod:`caseload.evaluate.randomise`:
simple draws depend only on (seed, unit); complete gives floor(n * p) or one more trial units
per batch; blocked fills each stratum's endless sequence of permuted blocks in code order,
so later entrants continue where the earlier batches stopped.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections import Counter

import pytest
from scipy.stats import binomtest

from caseload.evaluate.randomise import (
    CONTROL,
    TRIAL,
    Design,
    DesignError,
    allocate,
    default_block_size,
    probability_of,
)


def _codes(n: int, prefix: str = "U") -> list[str]:
    """Zero-padded codes, so string order is numeric order."""
    return [f"{prefix}{i:05d}" for i in range(n)]


def _arms_by_unit(units: list[str], design: Design, **kwargs: object) -> dict[str, str]:
    return dict(zip(units, allocate(units, design, **kwargs), strict=True))  # type: ignore[arg-type]


# --- simple --------------------------------------------------------------------------------


def test_simple_arm_does_not_depend_on_order_or_on_the_other_units() -> None:
    design = Design("simple", 0.5, seed=11)
    units = _codes(500)
    reference = _arms_by_unit(units, design)
    assert set(reference.values()) == {TRIAL, CONTROL}

    shuffled = units.copy()
    random.Random(4).shuffle(shuffled)
    assert _arms_by_unit(shuffled, design) == reference

    # subsets (in any order) and each unit on its own keep their arm
    subset = shuffled[:37]
    assert _arms_by_unit(subset, design) == {u: reference[u] for u in subset}
    for unit in units[:25]:
        assert allocate([unit], design) == [reference[unit]]
    # strangers in the list change nothing either
    mixed = [*units[100:150], *_codes(50, prefix="X")]
    got = _arms_by_unit(mixed, design)
    assert {u: got[u] for u in units[100:150]} == {u: reference[u] for u in units[100:150]}


def test_simple_same_seed_same_arms_other_seed_other_arms() -> None:
    units = _codes(400)
    first = allocate(units, Design("simple", 0.5, seed=2024))
    assert allocate(units, Design("simple", 0.5, seed=2024)) == first
    other = allocate(units, Design("simple", 0.5, seed=2025))
    changed = sum(a != b for a, b in zip(first, other, strict=True))
    # independent draws disagree for about half of the units
    assert 150 < changed < 250


def test_simple_batch_and_already_do_not_change_the_arms() -> None:
    design = Design("simple", 0.3, seed=5)
    units = _codes(300)
    plain = allocate(units, design)
    assert allocate(units, design, batch="2018-03-01") == plain
    assert allocate(units, design, already={"": 17}) == plain


@pytest.mark.parametrize(("probability", "seed"), [(0.5, 1), (0.3, 77), (2 / 3, 2018)])
def test_simple_trial_share_is_consistent_with_p(probability: float, seed: int) -> None:
    n = 20_000
    arms = allocate(_codes(n), Design("simple", probability, seed=seed))
    k = arms.count(TRIAL)
    assert arms.count(CONTROL) == n - k
    # reference: scipy.stats.binomtest(k, n, p).pvalue — exact two-sided binomial test that
    # the trial share k / n is a Binomial(n, p) draw; p = 0.001 is the rejection line
    assert binomtest(k, n, probability).pvalue > 0.001, (k, n, probability)
    # and the test has teeth: the same count is far from a shifted probability
    assert binomtest(k, n, probability + 0.03).pvalue < 0.001


def test_simple_a_unit_draw_moves_with_p_monotonically() -> None:
    """P(trial) is a threshold on the unit's own uniform: trial at p stays trial at p' > p."""
    units = _codes(2000)
    low = allocate(units, Design("simple", 0.2, seed=9))
    high = allocate(units, Design("simple", 0.6, seed=9))
    assert all(h == TRIAL for lo, h in zip(low, high, strict=True) if lo == TRIAL)
    assert low.count(TRIAL) < high.count(TRIAL)


# --- complete ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "probability"),
    [
        (10, 0.5),
        (11, 0.5),
        (13, 0.5),
        (9, 2 / 3),
        (10, 2 / 3),
        (100, 0.3),
        (7, 0.25),
        (1, 0.5),
        (3, 0.5),
        (1000, 0.37),
    ],
)
def test_complete_gives_floor_or_ceiling_of_n_p_trial_units(n: int, probability: float) -> None:
    """floor(n p) places, plus one with probability n p - floor(n p) (docstring)."""
    counts = set()
    for seed in range(40):
        arms = allocate(_codes(n), Design("complete", probability, seed=seed))
        assert len(arms) == n
        counts.add(arms.count(TRIAL))
    places = n * probability
    whole = math.floor(places + 1e-9)
    if abs(places - whole) < 1e-9:
        assert counts == {whole}
    else:
        assert counts == {whole, whole + 1}


def test_complete_is_independent_of_input_order() -> None:
    design = Design("complete", 0.5, seed=8)
    units = _codes(60)
    reference = _arms_by_unit(units, design)
    for shuffle_seed in range(5):
        shuffled = units.copy()
        random.Random(shuffle_seed).shuffle(shuffled)
        assert _arms_by_unit(shuffled, design) == reference
    reversed_units = list(reversed(units))
    assert _arms_by_unit(reversed_units, design) == reference


def test_complete_batch_label_changes_the_draw_but_not_the_count() -> None:
    design = Design("complete", 0.5, seed=8)
    units = _codes(60)
    draws = {
        batch: allocate(units, design, batch=batch)
        for batch in ("", "2018-01-01", "2018-02-01", "2018-03-01")
    }
    assert all(arms.count(TRIAL) == 30 for arms in draws.values())
    assert len({tuple(arms) for arms in draws.values()}) == len(draws)
    # the same batch label reproduces its draw; so does the seed
    assert allocate(units, design, batch="2018-02-01") == draws["2018-02-01"]
    assert (
        allocate(units, Design("complete", 0.5, seed=9), batch="2018-02-01") != draws["2018-02-01"]
    )


def test_complete_gives_every_unit_the_marginal_probability() -> None:
    """Across many batches each unit is in the trial arm about p of the time."""
    design = Design("complete", 0.25, seed=21)
    units = _codes(8)  # 2 trial places per batch
    batches = 4000
    trial_count: Counter[str] = Counter()
    for b in range(batches):
        for unit, arm in zip(units, allocate(units, design, batch=f"b{b}"), strict=True):
            trial_count[unit] += arm == TRIAL
    assert sum(trial_count.values()) == 2 * batches
    for unit in units:
        # reference: scipy.stats.binomtest(k, n, p).pvalue with n = batches, p = 0.25
        assert binomtest(trial_count[unit], batches, 0.25).pvalue > 0.001, unit


@pytest.mark.parametrize(
    ("n", "probability"), [(1, 0.5), (3, 0.5), (5, 0.5), (4, 2 / 3), (2, 0.25)]
)
def test_complete_marginal_probability_is_p_when_n_p_is_not_whole(
    n: int, probability: float
) -> None:
    """The docstring promises every scheme gives each unit the marginal probability p (the
    probability stored beside its arm). With n * p not a whole number, round(n * p) trial
    places per batch cannot give that: a batch of one at p = 0.5 has round(0.5) = 0 places,
    so a later entrant who arrives alone is control every time."""
    design = Design("complete", probability, seed=21)
    units = _codes(n)
    batches = 2000
    draws = [allocate(units, design, batch=f"b{b}") for b in range(batches)]
    first = sum(arms[0] == TRIAL for arms in draws)
    pooled = sum(arms.count(TRIAL) for arms in draws)
    # reference: scipy.stats.binomtest(k, n, p).pvalue — the first unit's trial share over
    # the batches must be consistent with p (each batch an independent permutation)
    assert binomtest(first, batches, probability).pvalue > 0.001, (first, batches)
    assert pooled / (n * batches) == pytest.approx(probability, abs=0.03)


# --- blocked -------------------------------------------------------------------------------


def _prefix_trial_counts(arms: list[str], size: int) -> list[int]:
    """Trial count after each complete block (positions size, 2*size, ...)."""
    return [arms[:end].count(TRIAL) for end in range(size, len(arms) + 1, size)]


@pytest.mark.parametrize(
    ("probability", "block_size", "places"),
    [(0.5, None, 2), (0.5, 6, 3), (2 / 3, None, 4), (0.25, 8, 2), (0.3, None, 6)],
)
def test_blocked_every_complete_block_holds_exactly_p_size_trial_places(
    probability: float, block_size: int | None, places: int
) -> None:
    design = Design("blocked", probability, seed=13, strata=("site",), block_size=block_size)
    assert design.block_size is not None
    size = design.block_size
    assert round(probability * size) == places
    per_stratum = {"site=A": 53, "site=B": 4 * size, "site=C": size - 1}
    units: list[str] = []
    labels: list[str] = []
    for label, n in per_stratum.items():
        units += _codes(n, prefix=label[-1])
        labels += [label] * n
    # hand them over shuffled: the blocks follow code order within each stratum regardless
    pairs = list(zip(units, labels, strict=True))
    random.Random(1).shuffle(pairs)
    arm_of = _arms_by_unit([u for u, _ in pairs], design, strata=[s for _, s in pairs])
    for label, n in per_stratum.items():
        in_code_order = [arm_of[u] for u in sorted(_codes(n, prefix=label[-1]))]
        full_blocks = n // size
        assert _prefix_trial_counts(in_code_order, size) == [
            places * (k + 1) for k in range(full_blocks)
        ], label
        # the incomplete last block cannot overshoot its places either
        rest = in_code_order[full_blocks * size :].count(TRIAL)
        assert 0 <= rest <= min(places, n - full_blocks * size), label


def test_blocked_blocks_are_permuted_not_fixed() -> None:
    """The order within blocks varies (not trial, trial, control, control every time)."""
    design = Design("blocked", 0.5, seed=4)
    arms = allocate(_codes(400), design)
    patterns = {tuple(arms[i : i + 4]) for i in range(0, 400, 4)}
    assert len(patterns) == 6  # all C(4, 2) arrangements of a block of 4 occur


def test_blocked_later_entrants_continue_the_sequence() -> None:
    design = Design("blocked", 0.5, seed=31, strata=("duration",))
    stratum = "duration=kh<3y"
    units = _codes(30)
    whole = allocate(units, design, strata=[stratum] * 30)
    first, rest = units[:12], units[12:]
    early = allocate(first, design, strata=[stratum] * 12)
    later = allocate(rest, design, strata=[stratum] * 18, already={stratum: 12})
    assert early + later == whole
    # the later batch handed over in any order still takes slots 12.. in code order
    shuffled = rest.copy()
    random.Random(6).shuffle(shuffled)
    assert _arms_by_unit(shuffled, design, strata=[stratum] * 18, already={stratum: 12}) == dict(
        zip(rest, later, strict=True)
    )
    # without ``already`` the later batch would restart the sequence at slot 0
    assert allocate(rest, design, strata=[stratum] * 18) == whole[:18]


def test_blocked_already_only_moves_its_own_stratum() -> None:
    design = Design("blocked", 0.5, seed=31, strata=("site",))
    units = [*_codes(10, prefix="A"), *_codes(10, prefix="B")]
    labels = ["site=A"] * 10 + ["site=B"] * 10
    plain = allocate(units, design, strata=labels)
    moved = allocate(units, design, strata=labels, already={"site=A": 3})
    assert moved[10:] == plain[10:]
    alone_a = allocate(_codes(13, prefix="A"), design, strata=["site=A"] * 13)
    assert moved[:10] == alone_a[3:]


def test_blocked_strata_have_their_own_sequences() -> None:
    design = Design("blocked", 0.5, seed=31, strata=("site",))
    a = allocate(_codes(40, prefix="A"), design, strata=["site=A"] * 40)
    b = allocate(_codes(40, prefix="A"), design, strata=["site=B"] * 40)
    assert a != b
    assert a.count(TRIAL) == b.count(TRIAL) == 20


def test_blocked_same_seed_reproduces_other_seed_differs() -> None:
    units = _codes(80)
    one = allocate(units, Design("blocked", 0.5, seed=1))
    assert allocate(units, Design("blocked", 0.5, seed=1)) == one
    assert allocate(units, Design("blocked", 0.5, seed=2)) != one


@pytest.mark.parametrize(
    ("probability", "size"),
    [(0.5, 4), (2 / 3, 6), (1 / 3, 6), (0.25, 8), (0.75, 8), (0.2, 10), (0.3, 20), (0.05, 40)],
)
def test_default_block_size_is_twice_the_smallest_whole_block(
    probability: float, size: int
) -> None:
    assert default_block_size(probability) == size
    assert Design("blocked", probability, seed=1).block_size == size


def test_ratio_two_to_one_gives_blocks_of_six() -> None:
    probability = probability_of(None, "2:1")
    assert probability == pytest.approx(2 / 3, abs=1e-15)
    design = Design("blocked", probability, seed=1)
    assert design.block_size == 6
    arms = allocate(_codes(60), design)
    assert _prefix_trial_counts(arms, 6) == [4 * (k + 1) for k in range(10)]


@pytest.mark.parametrize("probability", [0.01, 0.37, 1 / 41, 0.123])
def test_probability_without_a_block_of_at_most_40_is_refused(probability: float) -> None:
    with pytest.raises(DesignError, match="no block of at most 40"):
        default_block_size(probability)
    with pytest.raises(DesignError, match="no block of at most 40"):
        Design("blocked", probability, seed=1)
    # the other schemes take any probability
    assert Design("complete", probability, seed=1).block_size is None
    assert Design("simple", probability, seed=1).block_size is None


def test_an_explicit_block_size_must_hold_whole_trial_places() -> None:
    with pytest.raises(DesignError, match=re.escape("block of 6 units cannot hold 1.5")):
        Design("blocked", 0.25, seed=1, block_size=6)
    with pytest.raises(DesignError, match="cannot hold"):
        Design("blocked", 0.5, seed=1, block_size=3)
    assert Design("blocked", 0.25, seed=1, block_size=12).block_size == 12
    # p = 0.37 has no default block, but a block of 100 holds 37 places
    design = Design("blocked", 0.37, seed=1, block_size=100)
    arms = allocate(_codes(200), design)
    assert _prefix_trial_counts(arms, 100) == [37, 74]


@pytest.mark.parametrize("scheme", ["simple", "complete"])
def test_strata_need_the_blocked_scheme(scheme: str) -> None:
    with pytest.raises(DesignError, match=f"strata need the blocked scheme, not '{scheme}'"):
        Design(scheme, 0.5, seed=1, strata=("duration",))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scheme": "stratified", "probability": 0.5}, "scheme must be one of"),
        ({"scheme": "complete", "probability": 0.0}, "between 0 and 1"),
        ({"scheme": "complete", "probability": 1.0}, "between 0 and 1"),
        ({"scheme": "simple", "probability": -0.2}, "between 0 and 1"),
        ({"scheme": "blocked", "probability": 1.5}, "between 0 and 1"),
    ],
)
def test_impossible_designs_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(DesignError, match=message):
        Design(seed=1, **kwargs)  # type: ignore[arg-type]


# --- allocate's own checks -----------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["simple", "complete", "blocked"])
def test_a_unit_twice_is_refused(scheme: str) -> None:
    with pytest.raises(DesignError, match="appears twice"):
        allocate(["A", "B", "A"], Design(scheme, 0.5, seed=1))


def test_every_unit_needs_a_stratum() -> None:
    with pytest.raises(DesignError, match="every unit needs a stratum"):
        allocate(["A", "B", "C"], Design("blocked", 0.5, seed=1, strata=("x",)), ["x=1"] * 2)


@pytest.mark.parametrize("scheme", ["simple", "complete", "blocked"])
def test_no_units_no_arms(scheme: str) -> None:
    assert allocate([], Design(scheme, 0.5, seed=1)) == []


# --- probability_of ------------------------------------------------------------------------


def test_probability_of_prob_ratio_and_default() -> None:
    assert probability_of(None, None) == 0.5
    assert probability_of(0.3, None) == 0.3
    assert probability_of(None, "1:1") == 0.5
    assert probability_of(None, "3:1") == 0.75
    assert probability_of(None, "1:3") == 0.25


@pytest.mark.parametrize(
    ("prob", "ratio", "message"),
    [
        (0.5, "1:1", "not both"),
        (None, "2-1", "must look like 2:1"),
        (None, "a:b", "must look like 2:1"),
        (None, "1:2:3", "must look like 2:1"),
        (None, "0:1", "two positive whole numbers"),
        (None, "2:-1", "two positive whole numbers"),
    ],
)
def test_probability_of_refuses_bad_input(
    prob: float | None, ratio: str | None, message: str
) -> None:
    with pytest.raises(DesignError, match=message):
        probability_of(prob, ratio)


# --- the stored design ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "design",
    [
        Design("simple", 0.3, seed=7),
        Design("complete", 2 / 3, seed=2018, unit="caseworker"),
        Design("blocked", 0.5, seed=1, strata=("duration", "age")),
        Design(
            "blocked",
            0.25,
            seed=99,
            strata=("department",),
            block_size=12,
            unit="team",
            eligible={"departments": ["D1", "D2"], "target_groups": ["activity_ready_30_plus"]},
        ),
    ],
)
def test_design_round_trips_through_text(design: Design) -> None:
    text = design.to_text()
    data = json.loads(text)
    assert data["seed"] == design.seed
    assert data["strata"] == list(design.strata)
    assert data["block_size"] == design.block_size
    back = Design.from_text(text)
    assert back == design
    assert isinstance(back.strata, tuple)
    assert back.to_text() == text
    # and the design read back draws the same arms
    units = _codes(50)
    strata = [f"s={i % 3}" for i in range(50)] if design.strata else None
    assert allocate(units, back, strata) == allocate(units, design, strata)


def test_blocked_design_stores_its_resolved_block_size() -> None:
    design = Design("blocked", 2 / 3, seed=1)
    assert json.loads(design.to_text())["block_size"] == 6
    assert Design.from_text(design.to_text()).block_size == 6


def test_describe_names_scheme_probability_blocks_and_strata() -> None:
    assert Design("complete", 0.5, seed=1).describe() == ("complete randomisation, P(trial) = 0.5")
    assert Design("blocked", 0.5, seed=1, strata=("duration", "age")).describe() == (
        "blocked randomisation, P(trial) = 0.5, blocks of 4 within time on kontanthjælp × age"
    )
    assert Design("blocked", 2 / 3, seed=1, strata=("sex",)).describe("da") == (
        "blokvis randomisering, P(forsøg) = 0,667, blokke på 6 inden for køn"
    )
