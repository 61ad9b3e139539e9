"""The operate face's figures as SVG: how caseloads spread across professionals, and job
meetings held on time week by week."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from caseload.charts import styled, svg, weekly_shares
from caseload.domain.load import TOLERANCE

LINES = {"before": "#777777", "plan": "#1b6ca8", "greedy": "#d9822b"}


@styled
def load_shares(
    shares: Mapping[str, Sequence[float]],
    labels: Mapping[str, str],
    xlabel: str,
    ylabel: str,
    cap_label: str,
) -> str:
    """Histograms (5-point bins, right-closed) of load / capacity in per cent, one line per
    series (the caseloads before, the plan, the greedy baseline), with the cap at 100 %."""
    fig = Figure(figsize=(6.4, 3.0))
    ax = fig.subplots()
    values = {k: 100 * np.asarray(v, dtype=float) for k, v in shares.items()}
    top = max([120.0, *(float(v.max()) for v in values.values() if v.size)])
    bins = [float(b) for b in np.arange(0, top + 10, 5)]
    for key, pct in values.items():
        # bins are (a, b]: a caseload exactly at the cap counts at or under it, not over
        ax.hist(
            pct - TOLERANCE,
            bins=bins,
            histtype="step",
            linewidth=1.3,
            color=LINES.get(key),
            label=labels[key],
        )
    ax.axvline(100, color="#a33333", linestyle="--", linewidth=1)
    ax.annotate(
        cap_label,
        xy=(100, 1),
        xycoords=("data", "axes fraction"),
        xytext=(3, -10),
        textcoords="offset points",
        color="#a33333",
    )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, loc="upper left")
    return svg(fig)


@styled
def caseloads(
    groups: Mapping[str, Sequence[tuple[float, float | None]]], xlabel: str, cap_label: str
) -> str:
    """One row per group (a department's role): a dot per professional at their weighted
    load, spread over the row in order of load, and a tick at each effective cap."""
    names = list(groups)
    fig = Figure(figsize=(6.4, 0.45 * len(names) + 1.0))
    ax = fig.subplots()
    for row, name in enumerate(names):
        points = sorted(groups[name], key=lambda p: p[0])
        loads = [load for load, _ in points]
        offsets = np.linspace(-0.28, 0.28, len(loads)) if len(loads) > 1 else np.zeros(1)
        over = [cap is not None and load > cap + TOLERANCE for load, cap in points]
        ax.scatter(
            loads,
            row + offsets[: len(loads)],
            s=12,
            c=["#a33333" if o else "#1b6ca8" for o in over],
            linewidths=0,
        )
        for cap in sorted({cap for _, cap in points if cap is not None}):
            ax.plot([cap, cap], [row - 0.38, row + 0.38], color="#555555", linewidth=1.2)
    ax.plot([], [], color="#555555", linewidth=1.2, label=cap_label)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    reach = [
        v
        for points in groups.values()
        for load, cap in points
        for v in (load, cap)
        if v is not None
    ]
    ax.set_xlim(0, 1.08 * max(reach, default=1.0))
    ax.set_xlabel(xlabel)
    ax.legend(frameon=False, loc="lower right")
    return svg(fig)


def timeliness(
    weeks: Mapping[str, tuple[Sequence[Any], Sequence[float]]],
    labels: Mapping[str, str],
    ylabel: str,
) -> str:
    """Per department or arm, the weekly share of job meetings held by their due date
    (``caseload timeliness --plot``; the evaluation report draws the same lines per arm)."""
    return weekly_shares(weeks, labels, ylabel)
