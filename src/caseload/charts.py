"""What every figure of both faces shares: the house style, the caption every figure
carries (title, day or period, source), numbers in the reader's locale, SVG output, and
the weekly-share lines both faces draw.

The style is applied per figure (``styled``), never to matplotlib's global settings, so
importing a figure module changes nothing for anyone else in the process.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ParamSpec

import matplotlib
import matplotlib.dates as mdates
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, ScalarFormatter
from matplotlib.transforms import offset_copy

from caseload.i18n import Translator, translator

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays text: searchable, and it takes the page's font
    "svg.hashsalt": "caseload",  # the same figure gives the same SVG (ids of clip paths)
    # codes from the data ("JI$1", "a_b^2") are text, never matplotlib's maths notation
    "text.parse_math": False,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
ARM_COLOURS = {"trial": "#1b6ca8", "control": "#d9822b"}
CAP_COLOUR = "#a33333"

_P = ParamSpec("_P")


@dataclass(frozen=True)
class Caption:
    """What a figure says besides its data, in the reader's language: its title, the day or
    period it shows, its source, and an optional note (a finding to state in words)."""

    lang: str
    title: str
    period: str
    source: str
    note: str = ""


def caption(
    lang: str,
    title: str,
    source: str,
    *,
    day: date | None = None,
    period: tuple[date, date] | None = None,
    note: str = "",
) -> Caption:
    """A caption for ``lang``: ``source`` names what of the register is drawn (e.g. "JI1",
    "trial CPH-2018"); give the ``day`` a figure shows, or the ``period`` (first, last)."""
    tr = translator(lang)
    if day is not None:
        when = tr.gettext("Day: {day}", day=tr.date(day))
        source = tr.gettext("{source}, {day}", source=source, day=tr.date(day))
    elif period is not None:
        when = tr.gettext(
            "Period: {first} – {last}", first=tr.date(period[0]), last=tr.date(period[1])
        )
    else:
        raise ValueError("a figure's caption needs its day or its period")
    return Caption(
        lang,
        title,
        when,
        tr.gettext("Source: caseload register, {source}", source=source),
        note,
    )


def styled(draw: Callable[_P, str]) -> Callable[_P, str]:
    """Run a figure function with the house style in force; matplotlib's settings are
    restored afterwards (axes and text read them when made, the SVG when saved)."""

    @functools.wraps(draw)
    def with_style(*args: _P.args, **kwargs: _P.kwargs) -> str:
        with matplotlib.rc_context(STYLE):
            return draw(*args, **kwargs)

    return with_style


def figure(width: float, height: float) -> Figure:
    """A new figure in the house layout (constrained, so the caption fits around it)."""
    return Figure(figsize=(width, height), layout="constrained")


def _locale_ticks(axis: Axis, tr: Translator) -> None:
    """Numbers and dates on ``axis`` in the reader's locale (a decimal comma in Danish);
    category labels (fixed ticks) are left as they are."""
    formatter = axis.get_major_formatter()
    if isinstance(formatter, mdates.AutoDateFormatter | mdates.ConciseDateFormatter):
        axis.set_major_formatter(
            FuncFormatter(
                lambda v, _pos: tr.date(mdates.num2date(v).date(), "MMM y")  # type: ignore[no-untyped-call]
            )
        )
    elif isinstance(formatter, ScalarFormatter):
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: tr.number(round(v, 6))))


def _decorate(fig: Figure, words: Caption) -> None:
    """The caption around the figure: title and period above, note and source below (drawn
    outside the figure's box; the tight bounding box of ``svg`` takes them in)."""
    tr = translator(words.lang)
    for ax in fig.axes:
        _locale_ticks(ax.xaxis, tr)
        _locale_ticks(ax.yaxis, tr)

    def at(points: float) -> Any:
        return offset_copy(fig.transFigure, fig=fig, x=0, y=points, units="points")

    fig.text(0, 1, words.title, transform=at(18), fontsize=11, fontweight="bold")
    fig.text(0, 1, words.period, transform=at(5), color="#444444")
    below = [(line, "#222222") for line in words.note.splitlines()]
    below.append((words.source, "#666666"))
    for k, (line, colour) in enumerate(below):
        fig.text(0, 0, line, transform=at(-6 - 12 * k), va="top", color=colour, fontsize=8.5)


def svg(fig: Figure, words: Caption) -> str:
    """The figure with its caption as an inline ``<svg>`` element (no XML prologue)."""
    buffer = io.StringIO()
    with matplotlib.rc_context(STYLE):
        _decorate(fig, words)
        # the creator says who made it: a re-run may replace its own figure (cli/files.py);
        # no date, so the same figure gives the same text run after run
        metadata = {"Creator": "caseload", "Date": None}
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata=metadata)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


@styled
def weekly_shares(
    weeks: Mapping[str, tuple[Sequence[Any], Sequence[float]]],
    labels: Mapping[str, str],
    xlabel: str,
    ylabel: str,
    words: Caption,
) -> str:
    """A line per group of a weekly share (0–1, drawn in per cent), e.g. job meetings held
    by their due date; the trial's arms keep their colours."""
    fig = figure(6.4, 3.0)
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
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    for tick in ax.get_xticklabels():
        tick.set_rotation(30)
        tick.set_horizontalalignment("right")
    return svg(fig, words)
