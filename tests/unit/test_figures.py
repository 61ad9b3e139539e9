"""Every figure stands alone: its SVG (text kept as text) carries the title, both axis
labels, the day or period and the source, in the reader's language, with the numbers on
its axes in the reader's locale; the rebalance figure draws before, plan and greedy in
panels of their own and states who was not placed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pytest

from caseload import charts
from caseload.evaluate import figures as evaluate_figures
from caseload.evaluate import survival
from caseload.evaluate.binary import BinaryResult, Counts, compare
from caseload.evaluate.estimate import BalanceRow, competing_outcome
from caseload.i18n import translator
from caseload.operate import figures as operate_figures

SVG = "{http://www.w3.org/2000/svg}"
START, END = date(2018, 1, 1), date(2019, 12, 31)


def texts(svg: str, within: str = "") -> list[str]:
    """The text of every ``<text>`` element (inside groups whose id starts ``within``)."""
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{SVG}g") if g.get("id", "").startswith(within)]
    scopes = groups if within else [root]
    return ["".join(t.itertext()).strip() for scope in scopes for t in scope.iter(f"{SVG}text")]


class Words:
    """A figure's words in one language, and the caption made of them."""

    def __init__(self, lang: str) -> None:
        tr = translator(lang)
        _ = tr.gettext
        self.lang = lang
        self.tr = tr
        self.title = _("Baseline balance of the arms")
        self.xlabel = _("Days since the start")
        self.ylabel = _("Share still on kontanthjælp")
        self.source = _("trial {code}", code="CPH-2018")
        self.caption = charts.caption(lang, self.title, self.source, period=(START, END))

    def expected(self) -> list[str]:
        tr = self.tr
        period = tr.gettext("Period: {first} – {last}", first=tr.date(START), last=tr.date(END))
        source = tr.gettext("Source: caseload register, {source}", source=self.source)
        return [self.title, self.xlabel, self.ylabel, period, source]


def _km(seed: int) -> survival.KaplanMeier:
    rng = np.random.default_rng(seed)
    time = rng.integers(1, 700, 200)
    return survival.kaplan_meier(time, rng.random(200) < 0.6)


def _competing(w: Words) -> str:
    rng = np.random.default_rng(3)
    n = 400
    treated = np.arange(n) % 2 == 0
    result = competing_outcome(
        rng.integers(1, 700, n).astype(float),
        rng.integers(0, 4, n),
        ["job", "edu", "flex"],
        treated,
    )
    return evaluate_figures.cumulative_incidence(
        result,
        {"job": "Job"},
        {"trial": "Trial", "control": "Control"},
        w.xlabel,
        w.ylabel,
        w.caption,
    )


def _weeks() -> dict[str, tuple[list[date], list[float]]]:
    days = [START + timedelta(weeks=k) for k in range(52)]
    return {"trial": (days, [0.9] * 52), "control": (days, [0.8] * 52)}


def _binary() -> list[BinaryResult]:
    return [
        compare("job", Counts(102, 917), Counts(89, 856)),
        compare("resource_course", Counts(139, 917), Counts(46, 856)),
    ]


FIGURES: dict[str, Callable[[Words], str]] = {
    "km_curves": lambda w: evaluate_figures.km_curves(
        {"trial": _km(1), "control": _km(2)},
        {"trial": "T", "control": "C"},
        w.xlabel,
        w.ylabel,
        w.caption,
    ),
    "cumulative_incidence": _competing,
    "forest": lambda w: evaluate_figures.forest(
        _binary(), {"job": "Job"}, w.xlabel, w.ylabel, w.caption
    ),
    "balance": lambda w: evaluate_figures.balance(
        [
            BalanceRow("women", "share", 0.5, 0.45, 0.1),
            BalanceRow("age_years", "mean", 40, 41, -0.08),
        ],
        {"women": "Women"},
        w.xlabel,
        w.ylabel,
        w.caption,
    ),
    "weekly_shares": lambda w: charts.weekly_shares(
        _weeks(), {"trial": "T", "control": "C"}, w.xlabel, w.ylabel, w.caption
    ),
    "operate.timeliness": lambda w: operate_figures.timeliness(
        _weeks(), {"trial": "T", "control": "C"}, w.xlabel, w.ylabel, w.caption
    ),
    "operate.caseloads": lambda w: operate_figures.caseloads(
        {"JI1 KS": [(120.0, 130.0), (131.5, 130.0)], "JI6 KS": [(48.0, 50.0)]},
        w.xlabel,
        w.ylabel,
        "Cap",
        w.caption,
    ),
    "operate.load_shares": lambda w: operate_figures.load_shares(
        ["P1", "P2"],
        {"before": [1.2, 0.5], "plan": [1.0, 0.7], "greedy": [1.0, 0.7]},
        {"before": "B", "plan": "P", "greedy": "G"},
        w.xlabel,
        w.ylabel,
        "Cap",
        w.caption,
    ),
}


@pytest.mark.parametrize("lang", ["en", "da"])
@pytest.mark.parametrize("name", list(FIGURES))
def test_every_figure_carries_its_title_axes_period_and_source(name: str, lang: str) -> None:
    w = Words(lang)
    svg = FIGURES[name](w)
    assert svg.startswith("<svg")
    shown = texts(svg)
    for text in w.expected():
        assert text in shown, (name, lang, text, shown)
    period = "Periode: 1. jan. 2018 – 31. dec. 2019" if lang == "da" else "Period: 1 Jan 2018"
    assert any(t.startswith(period) for t in shown), shown


@pytest.mark.parametrize("name", ["km_curves", "forest"])
def test_the_same_figure_gives_the_same_svg_run_after_run(name: str) -> None:
    """No date and no random ids: a report written twice from the same register is the
    same file, so a re-run changes nothing a reader or a diff would see."""
    first, second = FIGURES[name](Words("en")), FIGURES[name](Words("en"))
    assert first == second
    assert "<dc:date>" not in first
    assert 'id="p' in first  # clip paths: their ids come from the fixed salt


def test_the_caption_of_a_day_names_it_beside_the_source() -> None:
    words = charts.caption("da", "T", "JI1", day=date(2019, 6, 30))
    assert words.period == "Dag: 30. jun. 2019"
    assert words.source == "Kilde: caseload-registret, JI1, 30. jun. 2019"
    english = charts.caption("en", "T", "JI1", day=date(2019, 6, 30))
    assert english.source == "Source: caseload register, JI1, 30 Jun 2019"
    with pytest.raises(ValueError, match="day or its period"):
        charts.caption("en", "T", "JI1")


@pytest.mark.parametrize(("lang", "mark"), [("en", "."), ("da", ",")])
def test_tick_labels_use_the_readers_decimal_mark(lang: str, mark: str) -> None:
    """The Kaplan–Meier y-axis runs 0–1: its ticks read 0.2, 0.4 … in English and 0,2,
    0,4 … in Danish; the weekly lines' dates are the locale's month names."""
    w = Words(lang)
    ticks = texts(FIGURES["km_curves"](w), "ytick")
    assert f"0{mark}2" in ticks and f"0{mark}8" in ticks, ticks
    other = "," if mark == "." else "."
    assert not any(other in t for t in ticks), ticks
    months = texts(FIGURES["weekly_shares"](w), "xtick")
    assert ("nov. 2018" if lang == "da" else "Nov 2018") in months, months


def test_the_competing_exits_figure_has_a_labelled_y_axis_with_ticks() -> None:
    w = Words("da")
    svg = _competing(w)
    assert w.ylabel in texts(svg)
    ticks = [t for t in texts(svg, "ytick") if t]
    assert len(ticks) >= 3, ticks
    assert ticks[0] == "0" and all(re.fullmatch(r"\d+(,\d+)?", t) for t in ticks), ticks


def test_the_rebalance_figure_draws_three_panels_side_by_side() -> None:
    """Before, plan and greedy each get a panel (one axes each) with a bar per professional
    at load / cap in per cent; the cap line and the note stand on the figure."""
    note = "Not placed under the caps: 463 citizen(s); 9.26 more full-time professional(s)"
    words = charts.caption("en", "Rebalancing JI1", "JI1", day=date(2019, 6, 1), note=note)
    svg = operate_figures.load_shares(
        ["P1", "P2", "P3"],
        {"before": [2.5, 2.4, 2.6], "plan": [1.0, 1.0, 1.0], "greedy": [1.0, 0.9, 1.0]},
        {"before": "Before", "plan": "optimiser\n463 citizen(s) not placed", "greedy": "greedy"},
        "Professional (staff code)",
        "Weighted load / cap (%)",
        "Cap",
        words,
    )
    root = ET.fromstring(svg)
    axes = [g for g in root.iter(f"{SVG}g") if re.fullmatch(r"axes_\d+", g.get("id", ""))]
    assert len(axes) == 3
    for ax, colour in zip(axes, operate_figures.LINES.values(), strict=True):
        bars = [
            g
            for g in ax
            if g.get("id", "").startswith("patch_")
            and any(f"fill: {colour}" in (p.get("style") or "") for p in g.iter(f"{SVG}path"))
        ]
        assert len(bars) == 3, colour  # a bar per professional, in the panel's colour
        ticks = ["".join(t.itertext()) for t in ax.iter(f"{SVG}text")]
        assert {"P1", "P2", "P3"} <= set(ticks)
    shown = texts(svg)
    for text in ("Before", "optimiser", "463 citizen(s) not placed", "greedy", note, "Cap"):
        assert text in shown, text
    # one shared y-axis: only the first panel has tick labels (0 … 250)
    first = [t for t in texts(svg, "axes_1") if t in {"0", "100", "200"}]
    assert first == ["0", "100", "200"]
    assert not [t for t in texts(svg, "axes_2") if t in {"0", "100", "200"}]


def test_codes_with_maths_characters_are_drawn_as_they_are() -> None:
    """A staff or department code with `$`, `_` or `^` must not start maths text (an odd
    number of `$` crashed matplotlib)."""
    codes = ["JI$1", "$KS_2^x$", "A$B$C$"]
    words = charts.caption("en", "Caseloads $ of JI$1", "JI$1", day=date(2019, 6, 1))
    svg = operate_figures.load_shares(
        codes,
        {"before": [1.0, 0.5, 0.2], "plan": [1.0, 0.5, 0.2], "greedy": [1.0, 0.5, 0.2]},
        {"before": "B", "plan": "P", "greedy": "G"},
        "Professional",
        "Load",
        "Cap",
        words,
    )
    shown = texts(svg)
    assert set(codes) <= set(shown)
    assert "Caseloads $ of JI$1" in shown
