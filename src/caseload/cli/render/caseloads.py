"""Caseloads against caps, continuity, and the plans of rebalance and assign."""

from __future__ import annotations

from collections import defaultdict
from statistics import mean
from typing import Any

from rich.console import Console
from rich.table import Table

from caseload.i18n import t
from caseload.operate.allocation import Allocation
from caseload.operate.status import Caseload, Status


def departments(status: Status, lang: str) -> Table:
    table = Table(title=t("caseloads_on", lang, day=status.as_of.isoformat()))
    for key in (
        "department",
        "role",
        "professionals",
        "citizens",
        "mean",
        "max",
        "cap",
        "over_cap",
    ):
        table.add_column(t(key, lang), justify="left" if key in ("department", "role") else "right")
    groups: dict[tuple[str, bool, str], list[int]] = defaultdict(list)
    caps: dict[tuple[str, bool, str], set[int | None]] = defaultdict(set)
    over: dict[tuple[str, bool, str], int] = defaultdict(int)
    for c in status.caseloads:
        group = (c.department, c.is_trial, c.role)
        groups[group].append(c.citizens)
        caps[group].add(c.cap)
        over[group] += c.over_cap
    for (dept, trial, role), loads in sorted(groups.items()):
        cap_values = [str(v) for v in sorted(v for v in caps[(dept, trial, role)] if v is not None)]
        table.add_row(
            dept + (f" ({t('trial', lang)})" if trial else ""),
            t(role, lang),
            str(len(loads)),
            str(sum(loads)),
            f"{mean(loads):.1f}",
            str(max(loads)),
            "/".join(cap_values) or "-",
            str(over[(dept, trial, role)]),
        )
    return table


def group_name(department: str, trial: bool, role: str, lang: str) -> str:
    """``JI6 (trial) coordinating caseworker``, in the reader's language."""
    return department + (f" ({t('trial', lang)})" if trial else "") + " " + t(role, lang)


def professionals(status: Status, lang: str, department: str | None = None) -> Table:
    table = Table(title=t("caseloads_on", lang, day=status.as_of.isoformat()))
    # weighted load and effective cap only when a caseload rule makes them differ
    weighted = any(_weighted(c) for c in status.caseloads)
    keys = ["staff", "department", "role", "citizens", "cap"]
    keys += ["load", "capacity"] if weighted else []
    for key in [*keys, "over_cap"]:
        table.add_column(
            t(key, lang),
            justify="right" if key in ("citizens", "cap", "load", "capacity") else "left",
            no_wrap=key != "staff",
        )
    for c in status.caseloads:
        if department and c.department != department:
            continue
        row = [
            c.staff_id,
            c.department,
            t(c.role, lang),
            str(c.citizens),
            str(c.cap) if c.cap is not None else "-",
        ]
        if weighted:
            row += [f"{c.load:g}", f"{c.capacity:g}" if c.capacity is not None else "-"]
        table.add_row(*row, "[red]yes[/red]" if c.over_cap else "")
    return table


def _weighted(c: Caseload) -> bool:
    return (c.load is not None and c.load != c.citizens) or (
        c.capacity is not None and c.capacity != c.cap
    )


def continuity(status: Status, lang: str) -> Table:
    table = Table(title=t("continuity", lang, day=status.as_of.isoformat()))
    for key in ("department", "changes", "citizen_years", "per_citizen_year", "by_reason"):
        table.add_column(
            t(key, lang), justify="left" if key in ("department", "by_reason") else "right"
        )
    for c in status.continuity:
        reasons = ", ".join(f"{reason} {n}" for reason, n in c.by_reason)
        table.add_row(
            c.department,
            str(c.changes),
            f"{c.citizen_years:.0f}",
            f"{c.per_citizen_year:.2f}",
            reasons,
        )
    return table


def over_cap(console: Console, status: Status, lang: str) -> None:
    if not status.over_cap:
        console.print(f"[green]{t('none_over_cap', lang)}[/green]")
        return
    console.print(f"[red]{t('over_cap_list', lang)}:[/red]")
    for c in status.over_cap:
        what = (
            f"{c.load:g} > {c.capacity:g} ({c.citizens}, {c.cap})"
            if _weighted(c)
            else f"{c.citizens} > {c.cap}"
        )
        console.print(f"  {c.staff_id} ({c.department}, {t(c.role, lang)}): {what}")


def status(
    console: Console, report: Status, lang: str, department: str | None, every: bool
) -> None:
    """``caseload status``: per department, per professional when asked, who is over their cap,
    and caseworker changes per citizen-year."""
    console.print(departments(report, lang))
    if department or every:
        console.print(professionals(report, lang, department))
    over_cap(console, report, lang)
    console.print(continuity(report, lang))


def allocation(
    console: Console, errors: Console, result: Allocation, lang: str, limit: int = 20
) -> None:
    """A rebalance or assign plan: both methods side by side, loads before and after, the
    first moves, and what was written (or that nothing was, on a dry run)."""
    summary = result.summary()
    console.print(_methods(result.kind, summary, lang))
    console.print(_loads(summary, lang))
    moves = summary["moves"]
    console.print(_moves(moves[:limit], len(moves), lang))
    if len(moves) > limit:
        console.print(t("more_moves", lang, n=len(moves) - limit))
    if summary["unplaced"]:
        errors.print(
            f"[yellow]{t('cannot_place', lang, n=len(summary['unplaced']))} "
            f"{t('missing_fte', lang, fte=summary['missing_fte'], cap=summary['cap'])}[/yellow]"
        )
    if result.written is None:
        console.print(t("dry_run", lang))
        return
    console.print(t("applied", lang, ended=result.written.ended, started=result.written.started))
    if result.written.cap_recorded:
        console.print(t("cap_recorded", lang, cap=summary["cap"], day=summary["day"]))
    if result.written.kept:
        errors.print(f"[yellow]{t('roles_kept', lang, n=result.written.kept)}[/yellow]")


def _methods(kind: str, summary: dict[str, Any], lang: str) -> Table:
    """The optimiser's plan beside the greedy baseline's."""
    role = t(summary["role"], lang)
    if kind == "rebalance":
        title = t(
            "rebalance_title",
            lang,
            department=summary["department"],
            role=role,
            day=summary["day"],
            cap=summary["cap"],
        )
    else:
        title = t(
            "assign_title",
            lang,
            department=summary["department"],
            role=role,
            day=summary["day"],
            citizens=summary["citizens"],
        )
    table = Table(title=title)
    for key in (
        "method",
        "caseworker_changes",
        "new_contacts",
        "unplaced",
        "over_cap",
        "load_sd",
        "seconds",
    ):
        table.add_column(t(key, lang), justify="left" if key == "method" else "right")
    for key, name in (("plan", "optimiser"), ("greedy_baseline", "greedy")):
        m = summary[key]
        table.add_row(
            t(name, lang),
            str(m["changes"]),
            str(m["new_contacts"]),
            str(m["unplaced"]),
            str(len(m["over_cap"])),
            f"{m['load_share_sd']:.3f}",
            f"{m['seconds']:.2f}",
        )
    return table


def _loads(summary: dict[str, Any], lang: str) -> Table:
    """Each professional's capacity and weighted load before and after the plan."""
    table = Table(title=t("caseloads_on", lang, day=summary["day"]))
    for key in ("staff", "capacity", "load_before", "load_after", "away"):
        table.add_column(t(key, lang), justify="left" if key in ("staff", "away") else "right")
    for row in summary["loads"]:
        table.add_row(
            row["staff"],
            f"{row['capacity']:g}",
            f"{row['before']:g}",
            f"{row['after']:g}",
            row["away"] or "",
        )
    return table


def _moves(shown: list[dict[str, Any]], total: int, lang: str) -> Table:
    table = Table(title=t("moves", lang, n=total))
    for key in ("citizen", "from", "to", "reason"):
        table.add_column(t(key, lang))
    for move in shown:
        table.add_row(move["citizen"], move["from"] or "", move["to"], move["reason"])
    return table
