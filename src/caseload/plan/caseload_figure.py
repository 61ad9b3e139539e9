"""The sustainable caseloads of workload models as SVG, beside the caseloads reported for
reference models and the union's recommended ranges: one row each, citizens per full-time
professional along the axis. Styled by ``charts.styled``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from textwrap import shorten

from caseload.charts import ARM_COLOURS, Caption, figure, styled, svg

KINDS = ("model", "reported", "reference", "union")


@dataclass(frozen=True)
class Row:
    """One row of the figure: a model's caseload (``value``) with what its source reported
    (``reported``), a reference model (``value`` a mean, ``low``-``high`` a range) or a
    union range."""

    label: str
    kind: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    reported: float | None = None


COLOURS = {
    "model": ARM_COLOURS["trial"],
    "reported": ARM_COLOURS["control"],
    "reference": "#777777",
    "union": "#2e8b57",
}


@styled
def caseloads(rows: Sequence[Row], legend: dict[str, str], x_label: str, words: Caption) -> str:
    """``legend`` names each kind (``model``, ``reported``, ``reference``, ``union``)."""
    fig = figure(9.0, 1.6 + 0.24 * len(rows))
    ax = fig.subplots()
    shown: set[str] = set()

    def once(kind: str) -> str | None:
        if kind in shown:
            return None
        shown.add(kind)
        return legend[kind]

    for y, row in enumerate(reversed(rows)):
        colour = COLOURS[row.kind]
        if row.low is not None and row.high is not None:
            ax.plot(
                [row.low, row.high],
                [y, y],
                color=colour,
                linewidth=5 if row.kind == "union" else 2,
                alpha=0.55 if row.kind == "union" else 0.9,
                solid_capstyle="butt",
                label=once(row.kind),
            )
        if row.low is None and row.high is not None:  # a cap only
            ax.plot([row.high], [y], marker="|", color=colour, markersize=9, linestyle="none")
        if row.value is not None:
            ax.plot(
                [row.value],
                [y],
                marker="o",
                color=colour,
                linestyle="none",
                markersize=6 if row.kind == "model" else 4,
                label=once(row.kind),
            )
        if row.reported is not None:
            ax.plot(
                [row.reported],
                [y],
                marker="D",
                markerfacecolor="none",
                color=COLOURS["reported"],
                linestyle="none",
                markersize=6,
                label=once("reported"),
            )
    ax.set_yticks(
        range(len(rows)),
        [shorten(row.label, 70, placeholder=" …") for row in reversed(rows)],
        fontsize=7.5,
    )
    ax.set_xlim(left=0)
    ax.set_xlabel(x_label)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    return svg(fig, words)
