"""What every figure of both faces shares: the house style, SVG output, weekly shares.

The style is applied per figure (``styled``), never to matplotlib's global settings, so
importing a figure module changes nothing for anyone else in the process.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec

import matplotlib
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays text: searchable, and it takes the page's font
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
ARM_COLOURS = {"trial": "#1b6ca8", "control": "#d9822b"}

_P = ParamSpec("_P")


def styled(draw: Callable[_P, str]) -> Callable[_P, str]:
    """Run a figure function with the house style in force; matplotlib's settings are
    restored afterwards (axes and text read them when made, the SVG when saved)."""

    @functools.wraps(draw)
    def with_style(*args: _P.args, **kwargs: _P.kwargs) -> str:
        with matplotlib.rc_context(STYLE):
            return draw(*args, **kwargs)

    return with_style


def svg(fig: Figure) -> str:
    """The figure as an inline ``<svg>`` element (no XML prologue)."""
    buffer = io.StringIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


@styled
def weekly_shares(
    weeks: Mapping[str, tuple[Sequence[Any], Sequence[float]]],
    labels: Mapping[str, str],
    ylabel: str,
) -> str:
    """A line per group of a weekly share (0–1, drawn in per cent), e.g. job meetings held
    by their due date; the trial's arms keep their colours."""
    fig = Figure(figsize=(6.4, 3.0))
    ax = fig.subplots()
    for group, (x, share) in weeks.items():
        ax.plot(
            list(x),
            [100 * v for v in share],
            color=ARM_COLOURS.get(group),
            label=labels[group],
            linewidth=1,
        )
    ax.set_ylim(0, 100)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    fig.autofmt_xdate()
    return svg(fig)
