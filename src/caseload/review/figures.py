"""The review's figure: each item's mean score per group with its interval, in the reader's
words (SVG text, the house style of charts.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from caseload.charts import Caption, figure, styled, svg
from caseload.review.results import Comparison

COLOURS = ("#1b6ca8", "#d98c1a", "#4a8f3c", "#8e4585", "#777777", "#b22222")


@styled
def means(
    comparisons: Sequence[Comparison],
    items: Sequence[str],
    groups: Sequence[str],
    scale: tuple[int, int],
    xlabel: str,
    words: Caption,
) -> str:
    """One row per item (named in ``items``, in the order of ``comparisons``), one marker
    per group (named in ``groups``, in the order of each comparison's groups) with its
    interval."""
    n, k = len(comparisons), max((len(c.groups) for c in comparisons), default=1)
    fig = figure(6.4, 0.45 * n * max(1, k / 2) + 1.4)
    ax = fig.subplots()
    ys = np.arange(n)[::-1].astype(float)
    step = 0.6 / max(k, 1)
    for y, comparison in zip(ys, comparisons, strict=True):
        for j, group in enumerate(comparison.groups):
            at = y + 0.3 - step / 2 - j * step
            colour = COLOURS[j % len(COLOURS)]
            if np.isfinite(group.ci_low):
                ax.plot([group.ci_low, group.ci_high], [at, at], color=colour, linewidth=1.2)
            if np.isfinite(group.mean):
                ax.plot(group.mean, at, "o", color=colour, markersize=5,
                        label=groups[j] if y == ys[0] else None)  # fmt: skip
    ax.set_yticks(ys, list(items))
    ax.set_xlim(scale[0] - 0.2, scale[1] + 0.2)
    ax.set_xlabel(xlabel)
    if k > 1:
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    return svg(fig, words)
