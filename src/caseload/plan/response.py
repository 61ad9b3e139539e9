"""The caseload-response curve: how a coordinating caseworker's caseload moves each exit
hazard. It is the main unknown (seed 001: VIVE finds moderate evidence that lower caseloads
raise exits, probably with diminishing returns, and no study of how much), so the
microsimulation always runs over several shapes, never one.

A shape gives, per destination, the hazard ratio ``R`` at caseload 50 against caseload 130
(the Copenhagen trial's two arms) and a caseload ``scale`` for the diminishing returns. The
log hazard moves by ``ln R · g(c)``, where

    g(c) = (1 − exp(−(130 − c) / scale)) / (1 − exp(−80 / scale))     for c ≤ 130,

so g(130) = 0, g(50) = 1, and each case cut does less than the one before it (a cut from a
high caseload does more than the same cut from a low one). Above 130, g continues as a
straight line with its slope at 130 (more cases, proportionally lower hazards). A simulation
calibrated at caseload c0 multiplies the calibrated hazards by exp(ln R · (g(c) − g(c0))):
at its own calibration point nothing changes, whatever the shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from caseload.data import published
from caseload.domain import codes
from caseload.i18n import Message, Said

DESTINATIONS: tuple[str, ...] = (
    "job",
    "small_job",
    "education",
    "resource_course",
    "flex_job",
    "disability_pension",
    "other",
)
"""Where a citizen goes on leaving kontanthjælp (the status two months after leaving): every
benefit code but kontanthjælp itself."""
assert set(DESTINATIONS) == set(codes.BENEFITS) - {"kontanthjaelp"}

HIGH, LOW = 130.0, 50.0
"""The Copenhagen trial's control and trial caseloads: R is the hazard ratio at LOW vs HIGH."""
SCALE = 40.0
"""ASSUMED: the caseload scale of the diminishing returns (in cases). With 40, a cut from 50
to 35 adds about a twentieth of the effect of the cut from 130 to 50."""
STRONG_WORK = 1.5
"""ASSUMED: the 'strong' shape's hazard ratio at 50 vs 130 for job, small job and education."""
SHAPE_NAMES = ("none", "weak", "copenhagen", "strong")


class ShapeError(Said, ValueError):
    """A curve shape that does not exist or cannot be drawn."""


@dataclass(frozen=True)
class Shape:
    name: str
    ratios: tuple[float, ...]
    """Per destination (``DESTINATIONS``), the hazard ratio at caseload 50 vs 130."""
    scale: float = SCALE
    source: str = ""

    def g(self, caseload: float | np.ndarray) -> np.ndarray:
        """The curve's position at ``caseload``: 0 at 130, 1 at 50 (see the module)."""
        c = np.asarray(caseload, dtype=float)
        norm = 1.0 - math.exp(-(HIGH - LOW) / self.scale)
        below = (1.0 - np.exp(-np.clip(HIGH - c, 0.0, None) / self.scale)) / norm
        above = -(c - HIGH) / (self.scale * norm)
        return np.where(c <= HIGH, below, above)

    def multipliers(self, caseload: float, calibrated_at: float) -> np.ndarray:
        """Per destination, the factor on the hazards calibrated at ``calibrated_at``."""
        shift = float(self.g(caseload) - self.g(calibrated_at))
        return np.asarray(np.exp(np.log(np.asarray(self.ratios)) * shift))


@cache
def copenhagen_ratios() -> tuple[float, ...]:
    """Per destination, the trial arm's share over the control arm's in the published
    Tables 3 and 5 (917 vs 856 citizens; point estimates, significant or not). With few
    exits a share ratio is close to the hazard ratio; 'other' was not published: 1."""
    pub = published()
    t3, t5 = pub["table_3_exits_work_education"], pub["table_5_exits_other_benefits"]
    ratios = []
    for name in DESTINATIONS:
        table = t3 if name in t3["trial"] else t5 if name in t5["trial"] else None
        if table is None:
            ratios.append(1.0)
            continue
        trial = table["trial"][name] / table["trial"]["n"]
        control = table["control"][name] / table["control"]["n"]
        ratios.append(trial / control)
    return tuple(ratios)


def shape(name: str, scale: float = SCALE) -> Shape:
    """One of ``SHAPE_NAMES``."""
    if not scale > 0 or not math.isfinite(scale):
        raise ShapeError(
            Message("--scale must be a positive number of cases, not {value}", {"value": scale})
        )
    cph = copenhagen_ratios()
    if name == "none":
        return Shape(name, tuple(1.0 for _ in DESTINATIONS), scale, "no effect of caseload")
    if name == "weak":
        return Shape(
            name,
            tuple(math.sqrt(r) for r in cph),
            scale,
            "half the Copenhagen trial's log hazard ratios",
        )
    if name == "copenhagen":
        return Shape(name, cph, scale, "the Copenhagen trial's share ratios (Tables 3 and 5)")
    if name == "strong":
        work = ("job", "small_job", "education")
        return Shape(
            name,
            tuple(STRONG_WORK if d in work else r for d, r in zip(DESTINATIONS, cph, strict=True)),
            scale,
            "ASSUMED: 1.5 for job, small job and education; the trial's ratios for the rest",
        )
    raise ShapeError(
        Message(
            "--shapes: no curve shape {name!r}; choose from {names}",
            {"name": name, "names": ", ".join(SHAPE_NAMES)},
        )
    )
