"""Random allocation to the trial or control arm, reproducible from a stored seed.

Schemes
- ``simple``: each unit independently, P(trial) = p. A unit's draw depends only on the
  seed and its own code (a keyed hash), so order, batches and later entrants never change
  anyone's arm.
- ``complete``: floor(n * p) of a batch's n units get the trial arm, plus one more with
  probability equal to the fraction n * p - floor(n * p) (so every unit's probability is
  exactly p, also for a batch of one), chosen by a permutation seeded from (seed, batch).
  The initial cohort is one batch; each later batch (a run on a later day) is completely
  randomised on its own.
- ``blocked``: permuted blocks within each stratum (e.g. kontanthjælp < 3 / ≥ 3 years,
  age band, origin). Each stratum has its own endless sequence of blocks, seeded from
  (seed, stratum); the k-th unit ever assigned in a stratum takes slot k, so later
  entrants continue the sequence and earlier units keep their places. Within a batch,
  units take slots in the order of their codes. A block holds p * size trial places,
  which must be a whole number.

Every scheme gives each unit the marginal probability p, stored beside its arm. Cluster
randomisation uses the same functions with clusters (caseworkers, teams) as the units.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction

import numpy as np

from caseload.domain.labels import trait_name
from caseload.i18n import Message, Said, translator

SCHEMES = ("simple", "complete", "blocked")
TRIAL, CONTROL = "trial", "control"
MAX_DEFAULT_BLOCK = 40


class DesignError(Said, ValueError):
    """A design that cannot be run (say which option and why), in the reader's language."""


@dataclass(frozen=True)
class Design:
    scheme: str
    probability: float
    seed: int
    strata: tuple[str, ...] = ()
    block_size: int | None = None
    unit: str = "citizen"
    eligible: dict[str, list[str]] = field(default_factory=dict)
    """Who the register form draws from: department and target-group codes (empty = all)."""

    def __post_init__(self) -> None:
        if self.scheme not in SCHEMES:
            raise DesignError(
                Message(
                    "scheme must be one of {schemes}, not {scheme!r}",
                    {"schemes": ", ".join(SCHEMES), "scheme": self.scheme},
                )
            )
        if not 0 < self.probability < 1:
            raise DesignError(
                Message(
                    "the trial arm's probability must be between 0 and 1, not {probability}",
                    {"probability": self.probability},
                )
            )
        if self.block_size is not None and self.block_size < 1:
            raise DesignError(
                Message("--block-size must be 1 or more, not {size}", {"size": self.block_size})
            )
        if self.scheme == "blocked":
            size = self.block_size or default_block_size(self.probability)
            places = self.probability * size
            if abs(places - round(places)) > 1e-9:
                raise DesignError(
                    Message(
                        "a block of {size} units cannot hold {places:g} trial places: choose a "
                        "block size that makes probability × size a whole number",
                        {"size": size, "places": places},
                    )
                )
            object.__setattr__(self, "block_size", size)
        elif self.strata:
            raise DesignError(
                Message("strata need the blocked scheme, not {scheme!r}", {"scheme": self.scheme})
            )

    def to_text(self) -> str:
        data = asdict(self)
        data["strata"] = list(self.strata)
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_text(cls, text: str) -> Design:
        data = json.loads(text)
        data["strata"] = tuple(data.get("strata", ()))
        return cls(**data)

    def describe(self, lang: str = "en") -> str:
        """The design in a line, in ``lang`` (English by default: it is stored with runs)."""
        tr = translator(lang)
        _ = tr.gettext
        names = {
            "simple": tr.pgettext("randomisation scheme", "simple"),
            "complete": tr.pgettext("randomisation scheme", "complete"),
            "blocked": tr.pgettext("randomisation scheme", "blocked"),
        }
        scheme = names.get(self.scheme, self.scheme)
        text = _(
            "{scheme} randomisation, P(trial) = {p}",
            scheme=scheme,
            p=tr.number(round(self.probability, 4)),
        )
        if self.scheme == "blocked":
            text += _(", blocks of {size}", size=tr.count(self.block_size))
            if self.strata:
                traits = (trait_name(name, lang) for name in self.strata)
                text += _(" within {strata}", strata=" × ".join(traits))
        return text


def probability_of(prob: float | None, ratio: str | None) -> float:
    """P(trial) from ``--prob P`` or ``--ratio TRIAL:CONTROL`` (default 1:1)."""
    if prob is not None and ratio is not None:
        raise DesignError(Message("give --prob or --ratio, not both"))
    if ratio is None:
        return 0.5 if prob is None else prob
    try:
        treated, control = (int(part) for part in ratio.split(":"))
    except ValueError:
        raise DesignError(
            Message("--ratio must look like 2:1, not {ratio!r}", {"ratio": ratio})
        ) from None
    if treated <= 0 or control <= 0:
        raise DesignError(
            Message("--ratio needs two positive whole numbers, not {ratio!r}", {"ratio": ratio})
        )
    return treated / (treated + control)


def design_from(
    seed: int | None,
    scheme: str | None = None,
    prob: float | None = None,
    ratio: str | None = None,
    blocks: Sequence[str] = (),
    block_size: int | None = None,
    departments: Sequence[str] = (),
    target_groups: Sequence[str] = (),
) -> Design:
    """A design from what a user chose (command options or a form): blocked when blocks are
    given, else complete; the seed is required, since it is stored to reproduce the draw."""
    if seed is None:
        raise DesignError(
            Message("--seed is required to randomise (it is stored, so the draw can be reproduced)")
        )
    return Design(
        scheme=scheme or ("blocked" if blocks else "complete"),
        probability=probability_of(prob, ratio),
        seed=seed,
        strata=tuple(b.lower() for b in blocks),
        block_size=block_size,
        unit="citizen",
        eligible={"departments": list(departments), "target_groups": list(target_groups)},
    )


def default_block_size(probability: float) -> int:
    """Twice the smallest block with whole trial places (4 for 1:1, 6 for 2:1)."""
    fraction = Fraction(probability).limit_denominator(MAX_DEFAULT_BLOCK)
    if abs(float(fraction) - probability) > 1e-9 or 2 * fraction.denominator > MAX_DEFAULT_BLOCK:
        raise DesignError(
            Message(
                "P(trial) = {probability:g} has no block of at most {most} units: "
                "give --block-size, --ratio, or use the complete scheme",
                {"probability": probability, "most": MAX_DEFAULT_BLOCK},
            )
        )
    return 2 * fraction.denominator


def _generator(seed: int, label: str) -> np.random.Generator:
    key = int.from_bytes(hashlib.sha256(label.encode()).digest()[:8], "big")
    return np.random.default_rng(np.random.SeedSequence([seed, key]))


def _uniform(seed: int, unit: str) -> float:
    digest = hashlib.sha256(f"{seed}\x1f{unit}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _blocks(design: Design, stratum: str, upto: int) -> list[bool]:
    """The stratum's first ``upto`` slots (True = trial), from its own block sequence."""
    assert design.block_size is not None
    size = design.block_size
    places = round(design.probability * size)
    rng = _generator(design.seed, f"stratum\x1f{stratum}")
    template = np.array([True] * places + [False] * (size - places))
    slots: list[bool] = []
    while len(slots) < upto:
        slots.extend(rng.permutation(template).tolist())
    return slots[:upto]


def allocate(
    units: Sequence[str],
    design: Design,
    strata: Sequence[str] | None = None,
    batch: str = "",
    already: Mapping[str, int] | None = None,
) -> list[str]:
    """The arm of each unit (in the order given).

    ``strata`` holds each unit's stratum label (blocked scheme); ``already`` how many units
    each stratum held before this batch (blocked), and ``batch`` names the batch (complete).
    """
    if len(set(units)) != len(units):
        raise DesignError(Message("a unit appears twice in the list to randomise"))
    if strata is not None and len(strata) != len(units):
        raise DesignError(Message("every unit needs a stratum"))
    n = len(units)
    if design.scheme == "simple":
        return [TRIAL if _uniform(design.seed, u) < design.probability else CONTROL for u in units]
    order = sorted(range(n), key=lambda i: units[i])
    arms = [CONTROL] * n
    if design.scheme == "complete":
        rng = _generator(design.seed, f"batch\x1f{batch}")
        places = n * design.probability
        whole = math.floor(places + 1e-9)
        treated = whole + int(rng.random() < places - whole)
        chosen = rng.permutation(n)[:treated]
        for position in chosen:
            arms[order[position]] = TRIAL
        return arms
    labels = list(strata) if strata is not None else [""] * n
    before = dict(already or {})
    members: dict[str, list[int]] = {}
    for i in order:
        members.setdefault(labels[i], []).append(i)
    for label, indices in members.items():
        offset = before.get(label, 0)
        slots = _blocks(design, label, offset + len(indices))[offset:]
        for i, is_trial in zip(indices, slots, strict=True):
            arms[i] = TRIAL if is_trial else CONTROL
    return arms
