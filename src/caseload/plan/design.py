"""A planned two-arm trial with a binary outcome, and the checks its inputs must pass.

A refused input is a :class:`DesignError` whose message names the command-line option and
why (said in the reader's language where it is shown)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from caseload.i18n import Message, Said

MAX_SIMS = 1_000_000
"""More simulated trials than anyone needs (and more than memory holds comfortably)."""


class DesignError(Said, ValueError):
    """A design or a setting the diagnosis cannot run (which option and why)."""


@dataclass(frozen=True)
class Design:
    """The planned trial: units per arm, the control arm's rate of the outcome, and for a
    cluster-randomised trial the units per cluster and their intra-cluster correlation
    (``cluster_size`` None: units are randomised one by one)."""

    treated: int
    control: int
    base_rate: float
    cluster_size: int | None = None
    icc: float = 0.0

    @property
    def clustered(self) -> bool:
        return self.cluster_size is not None

    def cluster_sizes(self, n: int) -> list[int]:
        """The clusters of an arm of ``n`` units: whole clusters, the last one the rest."""
        size = self.cluster_size or 1
        whole, rest = divmod(n, size)
        return [size] * whole + ([rest] if rest else [])

    @property
    def clusters(self) -> int:
        """Clusters in both arms together (every unit its own when randomised one by one)."""
        return len(self.cluster_sizes(self.treated)) + len(self.cluster_sizes(self.control))

    @property
    def design_effect(self) -> float:
        """1 + (m - 1) rho: how much clusters of m units inflate the variance of an arm's
        rate (Kish; 1 for individual randomisation)."""
        return 1.0 + ((self.cluster_size or 1) - 1) * self.icc


def check(design: Design, effect: float, sims: int, seed: int, alpha: float, power: float) -> None:
    """Refuse the first input that cannot be simulated, naming its option."""
    if design.treated < 1 or design.control < 1:
        raise DesignError(
            Message(
                "--arms: each arm needs at least one unit, got {treated},{control}",
                {"treated": design.treated, "control": design.control},
            )
        )
    if not 0 <= design.base_rate <= 1:
        raise DesignError(
            Message("--base-rate must be between 0 and 1, got {value}", {"value": design.base_rate})
        )
    if not math.isfinite(effect):
        raise DesignError(Message("--effect must be a number, got {value}", {"value": effect}))
    if not 0 <= design.base_rate + effect <= 1:
        raise DesignError(
            Message(
                "--effect {effect} would put the trial arm's rate at {rate:.4g}, outside 0 to 1",
                {"effect": effect, "rate": design.base_rate + effect},
            )
        )
    if not 1 <= sims <= MAX_SIMS:
        raise DesignError(
            Message(
                "--sims must be between 1 and {most:,}, got {value}",
                {"most": MAX_SIMS, "value": sims},
            )
        )
    if seed < 0:
        raise DesignError(Message("--seed must be 0 or more, got {value}", {"value": seed}))
    if not 0 < alpha < 1:
        raise DesignError(
            Message("--alpha must be between 0 and 1 (exclusive), got {value}", {"value": alpha})
        )
    if not 0 < power < 1:
        raise DesignError(
            Message("--power must be between 0 and 1 (exclusive), got {value}", {"value": power})
        )
    if not 0 <= design.icc < 1:
        raise DesignError(
            Message("--icc must be at least 0 and below 1, got {value}", {"value": design.icc})
        )
    if design.cluster_size is None:
        if design.icc > 0:
            raise DesignError(Message("--icc needs --cluster-size (a cluster design)"))
        return
    if design.cluster_size < 1:
        raise DesignError(
            Message(
                "--cluster-size must be at least 1, got {value}", {"value": design.cluster_size}
            )
        )
    if min(len(design.cluster_sizes(n)) for n in (design.treated, design.control)) < 2:
        raise DesignError(
            Message(
                "--cluster-size {size} leaves an arm with fewer than two clusters",
                {"size": design.cluster_size},
            )
        )
