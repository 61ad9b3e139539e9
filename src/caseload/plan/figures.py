"""The power curve of a planned trial as SVG: simulated power against the effect, the
analytic normal approximation beside it, the target power and the simulated MDE marked.
Styled by ``charts.styled``; the caption carries the design in words."""

from __future__ import annotations

from collections.abc import Sequence

from caseload.charts import ARM_COLOURS, CAP_COLOUR, Caption, figure, styled, svg


@styled
def power_curve(
    simulated: Sequence[tuple[float, float]],
    analytic: Sequence[tuple[float, float]],
    target: float,
    mde: float | None,
    labels: dict[str, str],
    words: Caption,
) -> str:
    """``simulated`` and ``analytic`` are (effect, power) points, effects in proportion
    units (shown in percentage points); ``labels`` names the axes (``x``, ``y``), the two
    curves (``simulated``, ``analytic``), the target line (``target``) and the MDE
    (``mde``, a signed effect like the points)."""
    fig = figure(6.4, 3.6)
    ax = fig.subplots()
    ax.plot(
        [100 * e for e, _ in analytic],
        [p for _, p in analytic],
        color="#888888",
        linestyle="--",
        linewidth=1.2,
        label=labels["analytic"],
    )
    ax.plot(
        [100 * e for e, _ in simulated],
        [p for _, p in simulated],
        color=ARM_COLOURS["trial"],
        marker="o",
        markersize=3,
        linewidth=1.5,
        label=labels["simulated"],
    )
    ax.axhline(target, color=CAP_COLOUR, linewidth=0.8, linestyle=":", label=labels["target"])
    if mde is not None:
        ax.axvline(100 * mde, color=ARM_COLOURS["control"], linewidth=0.8, label=labels["mde"])
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(labels["x"])
    ax.set_ylabel(labels["y"])
    ax.legend(frameon=False, loc="lower right")
    return svg(fig, words)
