"""The microsimulation's figures as SVG: the caseload-response curves of every shape, and the
net result by caseload with its percentile interval per shape. Styled by ``charts.styled``;
the caption carries the settings in words. ``response_figure`` and ``money_figure`` word a
result's figures in the reader's language (``caseload simulate`` and the planning page),
``shape_name`` and ``heading`` the shapes and the settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

from caseload.charts import CAP_COLOUR, Caption, figure, styled, svg
from caseload.domain.labels import label
from caseload.i18n import N_, translator
from caseload.plan.calibrate import described

if TYPE_CHECKING:
    from caseload.plan.microsim import Policy, Result

SHAPE_COLOURS = ("#888888", "#6a9fcb", "#1b6ca8", "#d9822b", "#5b8c3a", "#7a4f9a")


@styled
def response_curves(
    curves: Mapping[str, Sequence[tuple[float, float]]],
    calibrated_at: float,
    policies: Sequence[float],
    labels: Mapping[str, str],
    words: Caption,
) -> str:
    """``curves``: per shape (its label), (caseload, exit hazard relative to the
    calibration point) points; ``labels`` names the axes (``x``, ``y``) and the calibration
    point (``calibration``); the policies' caseloads are marked."""
    fig = figure(6.4, 3.6)
    ax = fig.subplots()
    for i, (name, points) in enumerate(curves.items()):
        ax.plot(
            [c for c, _ in points],
            [r for _, r in points],
            color=SHAPE_COLOURS[i % len(SHAPE_COLOURS)],
            linewidth=1.5,
            label=name,
        )
    ax.axvline(
        calibrated_at, color=CAP_COLOUR, linewidth=0.8, linestyle=":", label=labels["calibration"]
    )
    for c in policies:
        ax.axvline(c, color="#cccccc", linewidth=0.6, zorder=0)
    ax.axhline(1.0, color="#cccccc", linewidth=0.6, zorder=0)
    ax.set_xlabel(labels["x"])
    ax.set_ylabel(labels["y"])
    ax.legend(frameon=False, loc="upper right")
    return svg(fig, words)


@styled
def net_by_caseload(
    series: Mapping[str, Sequence[tuple[float, float, float, float]]],
    labels: Mapping[str, str],
    words: Caption,
) -> str:
    """``series``: per shape (its label), (caseload, mean, low, high) of the net result in
    millions of kroner; each shape's points side by side at each caseload."""
    fig = figure(6.4, 3.6)
    ax = fig.subplots()
    caseloads = sorted({c for points in series.values() for c, *_ in points})
    gap = min((b - a for a, b in pairwise(caseloads)), default=10.0)
    step = gap * 0.6 / max(len(series), 1)
    for i, (name, points) in enumerate(series.items()):
        offset = (i - (len(series) - 1) / 2) * step
        xs = [c + offset for c, *_ in points]
        means = [m for _, m, _, _ in points]
        ax.errorbar(
            xs,
            means,
            yerr=[[m - lo for _, m, lo, _ in points], [hi - m for _, m, _, hi in points]],
            fmt="o",
            markersize=4,
            capsize=3,
            color=SHAPE_COLOURS[i % len(SHAPE_COLOURS)],
            label=name,
        )
    ax.axhline(0.0, color=CAP_COLOUR, linewidth=0.8, linestyle=":")
    ax.set_xticks(caseloads)
    ax.set_xlabel(labels["x"])
    ax.set_ylabel(labels["y"])
    ax.legend(frameon=False, loc="best")
    return svg(fig, words)


SHAPE_WORDS = {
    "none": N_("none"),
    "weak": N_("weak"),
    "copenhagen": N_("as in Copenhagen"),
    "strong": N_("strong"),
}


def shape_name(name: str, lang: str) -> str:
    english = SHAPE_WORDS.get(name)
    return name if english is None else translator(lang).gettext(english)


def policy_name(policy: Policy, lang: str) -> str:
    """A policy in the reader's words: its caseload, then a staff turnover and a role model
    when it sets them (``50``, ``50, staff turnover 5 %, all inclusive (one professional)``)."""
    tr = translator(lang)
    whole = policy.caseload == int(policy.caseload)
    shown = tr.decimal(policy.caseload, 0 if whole else 1)
    rest = variant_name(policy.turnover, policy.role_model, lang)
    return f"{shown}, {rest}" if rest else shown


def variant_name(turnover: float | None, role_model: str | None, lang: str) -> str:
    """A policy's staff turnover and role model in words ('' when it sets neither)."""
    tr = translator(lang)
    parts = []
    if turnover is not None:
        parts.append(tr.gettext("staff turnover {share}", share=tr.percent(turnover)))
    if role_model is not None:
        parts.append(label(role_model, lang))
    return ", ".join(parts)


def heading(result: Result, lang: str) -> str:
    tr = translator(lang)
    s = result.settings
    return tr.gettext(
        "Microsimulation: {citizens} citizens on kontanthjælp over {weeks} weeks, {reps} "
        "replications (seed {seed}); calibrated on {source}, caseload {caseload}.",
        citizens=tr.count(s.citizens),
        weeks=tr.count(s.weeks),
        reps=tr.count(s.reps),
        seed=s.seed,
        source=tr.message(described(result.calibration)),
        caseload=tr.decimal(result.calibration.caseload, 0),
    )


def response_figure(result: Result, lang: str) -> str:
    from caseload.plan.microsim import response_curve

    tr = translator(lang)
    _ = tr.gettext
    s = result.settings
    caseloads = [10.0 + 2.0 * i for i in range(106)]
    curves = {
        shape_name(name, lang): response_curve(result.calibration, name, caseloads, s.scale)
        for name in s.shapes
    }
    words = Caption(
        lang,
        _("Caseload-response curves: exit hazard against the caseload"),
        heading(result, lang),
        _("Calibration: {source}", source=translator(lang).message(described(result.calibration))),
    )
    labels = {
        "x": _("Citizens per coordinating caseworker"),
        "y": _("Exit hazard relative to the calibration point"),
        "calibration": _("Calibration point"),
    }
    return response_curves(
        curves, result.calibration.caseload, [p.caseload for p in s.policies], labels, words
    )


def money_figure(result: Result, lang: str) -> str:
    tr = translator(lang)
    _ = tr.gettext
    s = result.settings
    # one line per shape, and per staff turnover and role model when policies set them
    variants: dict[tuple[float | None, str | None], list[Policy]] = {}
    for p in s.policies:
        variants.setdefault((p.turnover, p.role_model), []).append(p)
    series = {}
    for name in s.shapes:
        for (turnover, role_model), policies in variants.items():
            points = []
            for p in sorted(policies, key=lambda p: p.caseload):
                net = result.summary(name, p, "net")
                points.append(
                    (p.caseload, net["mean"] / 1e6, net["p2_5"] / 1e6, net["p97_5"] / 1e6)
                )
            named = shape_name(name, lang)
            if len(variants) > 1 and (turnover, role_model) != (None, None):
                named += " · " + variant_name(turnover, role_model, lang)
            series[named] = points
    words = Caption(
        lang,
        _(
            "Net result by caseload against {policy} (mean and 95 % interval)",
            policy=policy_name(s.policies[0], lang),
        ),
        heading(result, lang),
        _("Simulation: {reps} replications (seed {seed})", reps=tr.count(s.reps), seed=s.seed),
    )
    labels = {"x": _("Citizens per coordinating caseworker"), "y": _("Net result (DKK million)")}
    return net_by_caseload(series, labels, words)
