"""The sustainable caseloads of workload models as SVG, beside the caseloads reported for
reference models and the union's recommended ranges: one row each, citizens per full-time
professional along the axis. Styled by ``charts.styled``. ``figure`` words it in the
reader's language (``caseload plan caseload --plot`` and the planning page draw it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from textwrap import shorten
from typing import TYPE_CHECKING

from caseload.charts import ARM_COLOURS, Caption, styled, svg
from caseload.charts import figure as new_figure
from caseload.i18n import translator
from caseload.plan.reference_words import position_label, role_words

if TYPE_CHECKING:
    from caseload.plan.workload import Reference, Sustainable, Workload

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
    fig = new_figure(9.0, 1.6 + 0.24 * len(rows))
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


def figure(
    results: Sequence[tuple[Workload, Sequence[Sustainable]]],
    models: Sequence[Reference],
    union: Sequence[Reference],
    lang: str,
) -> str:
    """The sustainable caseloads beside the reference models and the union's ranges (SVG),
    in ``lang``."""
    tr = translator(lang)
    _ = tr.gettext
    rows: list[Row] = []
    for model, found in results:
        for r in found:
            rows.append(
                Row(
                    f"{_(model.title)}: {position_label(r.position, lang)}",
                    "model",
                    value=r.caseload,
                    reported=r.reported,
                )
            )
    for ref in models:
        rows.append(
            Row(
                f"{_(ref.name)}: {role_words(ref.role, lang)}",
                "reference",
                value=ref.mean,
                low=ref.low,
                high=ref.high,
            )
        )
    for ref in union:
        rows.append(
            Row(_("Union: {group}", group=_(ref.name)), "union", low=ref.low, high=ref.high)
        )
    words = Caption(
        lang,
        _("Sustainable caseloads beside reported ones and the union's ranges"),
        _("Workload models: {names}", names=", ".join(_(m.title) for m, _r in results)),
        _("Sources: seeds 000–004 and caseload_models.json; ASSUMED values in the scenario files"),
    )
    legend = {
        "model": _("Sustainable caseload (workload model)"),
        "reported": _("Reported by the scenario's source"),
        "reference": _("Reference model: mean or range"),
        "union": _("Union's recommended range"),
    }
    return caseloads(rows, legend, _("Citizens per full-time professional"), words)
