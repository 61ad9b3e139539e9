"""The report's figures as inline SVG (matplotlib, no display needed); the weekly timeliness
lines are ``charts.weekly_shares``, shared with the operate face. Every figure carries its
``charts.Caption`` (title, period, source) and labels both axes."""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib
import numpy as np
from matplotlib.ticker import FixedLocator, NullFormatter, ScalarFormatter

from caseload.charts import ARM_COLOURS, Caption, figure, styled, svg
from caseload.evaluate import survival
from caseload.evaluate.binary import BinaryResult
from caseload.evaluate.estimate import BalanceRow, CompetingResult
from caseload.evaluate.pooled import CentreEstimates, Pooled


def _steps(times: np.ndarray, values: np.ndarray, start: float) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([[0.0], times]), np.concatenate([[start], values])


@styled
def km_curves(
    curves: dict[str, survival.KaplanMeier],
    labels: dict[str, str],
    xlabel: str,
    ylabel: str,
    words: Caption,
) -> str:
    fig = figure(6.4, 3.6)
    ax = fig.subplots()
    for arm, km in curves.items():
        x, y = _steps(km.times, km.survival, 1.0)
        ax.step(x, y, where="post", color=ARM_COLOURS.get(arm), label=labels[arm])
        lo = np.nan_to_num(km.lower, nan=0.0)
        hi = np.nan_to_num(km.upper, nan=0.0)
        xs, low = _steps(km.times, lo, 1.0)
        _, high = _steps(km.times, hi, 1.0)
        ax.fill_between(
            xs, low, high, step="post", color=ARM_COLOURS.get(arm), alpha=0.15, linewidth=0
        )
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    return svg(fig, words)


@styled
def cumulative_incidence(
    result: CompetingResult,
    names: dict[str, str],
    labels: dict[str, str],
    xlabel: str,
    ylabel: str,
    words: Caption,
) -> str:
    """One panel: a colour per destination, trial solid, control dashed; the y-axis is the
    share of the arm's citizens who left for the destination by then."""
    fig = figure(6.8, 3.8)
    ax = fig.subplots()
    palette = matplotlib.colormaps["tab10"]
    for k, cause in enumerate(result.causes, start=1):
        colour = palette(k - 1)
        for arm, ci, style in (("trial", result.treated, "-"), ("control", result.control, "--")):
            x, y = _steps(ci.times, ci.incidence[k], 0.0)
            ax.step(
                x,
                y,
                where="post",
                color=colour,
                linestyle=style,
                linewidth=1.2,
                label=names.get(cause, cause) if arm == "trial" else None,
            )
    ax.plot([], [], color="#444444", linestyle="-", label=labels["trial"])
    ax.plot([], [], color="#444444", linestyle="--", label=labels["control"])
    ax.set_ylim(bottom=0)
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_visible(True)
    ax.tick_params(axis="y", left=True, labelleft=True)
    ax.legend(frameon=False, fontsize=8, ncol=2)
    return svg(fig, words)


@styled
def forest(
    results: Sequence[BinaryResult],
    names: dict[str, str],
    xlabel: str,
    ylabel: str,
    words: Caption,
) -> str:
    fig = figure(6.4, 0.32 * len(results) + 1.2)
    ax = fig.subplots()
    ys = np.arange(len(results))[::-1]
    for y, r in zip(ys, results, strict=True):
        colour = "#b22222" if r.significant else "#444444"
        ax.plot([100 * r.ci[0], 100 * r.ci[1]], [y, y], color=colour, linewidth=1.5)
        ax.plot(100 * r.difference, y, "o", color=colour, markersize=4)
        if r.adjusted is not None:
            ax.plot(100 * r.adjusted.difference, y - 0.25, "^", color="#1b6ca8", markersize=3)
    ax.axvline(0, color="#888888", linewidth=0.8)
    ax.set_yticks(ys)
    ax.set_yticklabels([names.get(r.name, r.name) for r in results])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return svg(fig, words)


_RATIO_TICKS = (0.1, 0.2, 0.25, 0.33, 0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 5.0, 10.0)


@styled
def pooled_forest(
    labels: Sequence[str],
    centres: CentreEstimates,
    pooled: Sequence[tuple[str, Pooled]],
    xlabel: str,
    ylabel: str,
    words: Caption,
    *,
    alpha: float = 0.05,
    percentage_points: bool = False,
) -> str:
    """One row per job centre (its estimate as a square sized by its inverse-variance
    weight, and its interval) and, below a rule, one diamond per pooled estimate. The
    caller names the centres (``labels``, in the order of ``centres``) and the pooled rows,
    in the reader's language. A ratio is drawn on a log axis around 1, a difference around
    0 (in percentage points with ``percentage_points``)."""
    if len(labels) != centres.k:
        raise ValueError(f"{len(labels)} labels for {centres.k} job centres")
    for label, result in pooled:
        if result.measure != centres.measure:
            raise ValueError(
                f"{label!r} pools the {result.measure}, the job centres' rows show the "
                f"{centres.measure}"
            )
    scale = 100.0 if percentage_points and not centres.ratio else 1.0
    rows = centres.intervals(alpha) * scale
    weight = 1 / centres.variance
    size = 3 + 6 * np.sqrt(weight / weight.max())
    n = centres.k + len(pooled)
    fig = figure(6.4, 0.3 * (n + 1) + 1.2)
    ax = fig.subplots()
    ys = np.arange(n + 1)[::-1].astype(float)  # one empty row between centres and pooled
    for y, (estimate, low, high), marker in zip(ys[: centres.k], rows, size, strict=True):
        ax.plot([low, high], [y, y], color="#444444", linewidth=1.2)
        ax.plot(estimate, y, "s", color="#1b6ca8", markersize=float(marker))
    pooled_ys = ys[centres.k + 1 :]
    ax.axhline(ys[centres.k], color="#cccccc", linewidth=0.6)
    for y, (_, result) in zip(pooled_ys, pooled, strict=True):
        estimate, low, high = (scale * v for v in (result.estimate, result.ci_low, result.ci_high))
        colour = "#b22222" if result.significant else "#222222"
        ax.fill([low, estimate, high, estimate], [y, y + 0.3, y, y - 0.3], color=colour)
    ax.axvline(1.0 if centres.ratio else 0.0, color="#888888", linewidth=0.8)
    if centres.ratio:
        ax.set_xscale("log")
        values = np.concatenate([rows.ravel(), [r.ci_low for _, r in pooled]])
        values = np.concatenate([values, [r.ci_high for _, r in pooled]])
        values = values[np.isfinite(values) & (values > 0)]
        low, high = min(values.min(), 1.0), max(values.max(), 1.0)
        ticks = [t for t in _RATIO_TICKS if low / 1.3 <= t <= high * 1.3]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(np.concatenate([ys[: centres.k], pooled_ys]))
    ax.set_yticklabels([*labels, *(label for label, _ in pooled)])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return svg(fig, words)


@styled
def balance(
    rows: Sequence[BalanceRow],
    names: dict[str, str],
    xlabel: str,
    ylabel: str,
    words: Caption,
) -> str:
    fig = figure(6.4, 0.3 * len(rows) + 1.2)
    ax = fig.subplots()
    ys = np.arange(len(rows))[::-1]
    ax.axvspan(-0.1, 0.1, color="#e8f0e8")
    # a trait that does not vary within the arms has no standardised difference: no dot
    # (the table says why), and the axis is set by the traits that have one
    defined = [(r.smd, y) for r, y in zip(rows, ys, strict=True) if math.isfinite(r.smd)]
    ax.plot([d for d, _ in defined], [y for _, y in defined], "o", color="#1b6ca8")
    ax.axvline(0, color="#888888", linewidth=0.8)
    ax.set_yticks(ys)
    ax.set_yticklabels([names.get(r.trait, r.trait) for r in rows])
    ax.set_xlabel(xlabel)
    limit = max(0.25, max((abs(d) for d, _ in defined), default=0) * 1.2)
    ax.set_xlim(-limit, limit)
    ax.set_ylabel(ylabel)
    return svg(fig, words)
