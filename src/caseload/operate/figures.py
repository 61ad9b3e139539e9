"""The operate face's figures as SVG: a rebalance's loads per professional (before, the
plan, the greedy baseline), how caseloads spread across professionals, and job meetings
held on time week by week. Every figure carries its ``charts.Caption``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np

from caseload.charts import CAP_COLOUR, Caption, figure, styled, svg, weekly_shares
from caseload.domain.load import TOLERANCE

LINES = {"before": "#777777", "plan": "#1b6ca8", "greedy": "#d9822b"}


@styled
def load_shares(
    professionals: Sequence[str],
    shares: Mapping[str, Sequence[float]],
    labels: Mapping[str, str],
    xlabel: str,
    ylabel: str,
    cap_label: str,
    words: Caption,
) -> str:
    """The rebalance figure: a panel per series (the caseloads before, the plan, the greedy
    baseline) side by side on one y-axis, a bar per professional at their load / capacity in
    per cent, the cap as a line at 100 %. ``labels`` name the panels (and may say who was
    not placed); the caption's note states the citizens not placed and the staff missing."""
    series = list(shares)
    fig = figure(7.2, 3.4)
    axes = fig.subplots(1, len(series), sharey=True, squeeze=False)[0]
    values = {k: 100 * np.asarray(v, dtype=float) for k, v in shares.items()}
    top = max([110.0, *(float(v.max()) for v in values.values() if v.size)])
    x = np.arange(len(professionals))
    for ax, key in zip(axes, series, strict=True):
        pct = values[key]
        over = pct > 100 + 100 * TOLERANCE
        ax.bar(
            x,
            pct,
            width=0.7,
            color=LINES.get(key, "#1b6ca8"),
            edgecolor=[CAP_COLOUR if o else "none" for o in over],
            linewidth=1.2,
        )
        ax.axhline(100, color=CAP_COLOUR, linestyle="--", linewidth=1)
        ax.set_title(labels[key], fontsize=9)
        ax.set_xticks(x, list(professionals), rotation=90, fontsize=7)
        ax.set_xlim(-0.6, len(professionals) - 0.4)
    axes[0].set_ylim(0, top * 1.08)
    axes[0].set_ylabel(ylabel)
    axes[-1].annotate(
        cap_label,
        xy=(1, 100),
        xycoords=("axes fraction", "data"),
        xytext=(-2, 3),
        textcoords="offset points",
        ha="right",
        color=CAP_COLOUR,
    )
    fig.supxlabel(xlabel, fontsize=9)
    return svg(fig, words)


@styled
def caseloads(
    groups: Mapping[str, Sequence[tuple[float, float | None]]],
    xlabel: str,
    ylabel: str,
    cap_label: str,
    words: Caption,
) -> str:
    """One row per group (a department's role): a dot per professional at their weighted
    load, spread over the row in order of load, and a tick at each effective cap."""
    names = list(groups)
    fig = figure(6.4, 0.45 * len(names) + 1.2)
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
            c=[CAP_COLOUR if o else "#1b6ca8" for o in over],
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
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, loc="lower right")
    return svg(fig, words)


def timeliness(
    weeks: Mapping[str, tuple[Sequence[Any], Sequence[float]]],
    labels: Mapping[str, str],
    xlabel: str,
    ylabel: str,
    words: Caption,
) -> str:
    """Per department or arm, the weekly share of job meetings held by their due date
    (``caseload timeliness --plot``; the evaluation report draws the same lines per arm)."""
    return weekly_shares(weeks, labels, xlabel, ylabel, words)


def department_spread(report: Any, department: str, lang: str) -> str:
    """The caseload distribution of one department on the status day (``report`` is
    ``operate.status.status``): a row per role, a dot per professional at their weighted
    load, a tick at each effective cap; who is over the cap in red."""
    from caseload.charts import caption
    from caseload.domain.labels import label
    from caseload.i18n import translator
    from caseload.operate.status import load_points

    tr = translator(lang)
    groups = {
        label(role, lang): points
        for (dep, _trial, role), points in load_points(report).items()
        if dep == department
    }
    words = caption(
        lang,
        tr.gettext("Caseloads in {department} against the caps", department=department),
        department,
        day=report.as_of,
        note=tr.gettext("A dot per professional; red: over the cap."),
    )
    return caseloads(
        groups,
        tr.gettext("Weighted caseload (citizens)"),
        tr.gettext("Role"),
        tr.gettext("Cap"),
        words,
    )


def plan_figure(summary: dict[str, Any], lang: str) -> str:
    """A stored plan's before and after (``Allocation.summary()``): each professional's
    load against their capacity, before and with the plan; who is not placed and the staff
    missing said on it."""
    from caseload.charts import caption
    from caseload.domain.labels import label
    from caseload.i18n import translator

    tr = translator(lang)
    present = [row for row in summary["loads"] if row["capacity"] > 0]
    shares = {key: [row[key] / row["capacity"] for row in present] for key in ("before", "after")}
    labels = {"before": tr.gettext("Before"), "after": tr.gettext("With the plan")}
    unplaced = len(summary["unplaced"])
    if unplaced:
        labels["after"] += "\n" + tr.gettext("{n} citizen(s) not placed", n=tr.number(unplaced))
        note = tr.gettext(
            "Not placed under the caps: {n} citizen(s); {fte} more full-time "
            "professional(s) needed at cap {cap}.",
            n=tr.number(unplaced),
            fte=tr.number(summary["missing_fte"]),
            cap=tr.number(summary["cap"]),
        )
    else:
        note = tr.gettext("Every citizen placed under the caps: no staff missing.")
    words = caption(
        lang,
        tr.gettext(
            "Rebalancing {department}: load per professional against the cap",
            department=summary["department"],
        ),
        f"{summary['department']}, {label(summary['role'], lang)}",
        day=date.fromisoformat(summary["day"]),
        note=note,
    )
    return load_shares(
        [row["staff"] for row in present],
        {"before": shares["before"], "plan": shares["after"]},
        {"before": labels["before"], "plan": labels["after"]},
        tr.gettext("Professional (staff code)"),
        tr.gettext("Weighted load / cap (%)"),
        tr.gettext("Cap"),
        words,
    )
