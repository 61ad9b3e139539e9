"""Rich tables for what the commands print."""

from __future__ import annotations

from collections import defaultdict
from statistics import mean

from rich.console import Console
from rich.table import Table

from caseload.i18n import t
from caseload.operate.status import Caseload, Status
from caseload.register.importer import ImportResult
from caseload.register.problems import ImportRejected

MAX_PROBLEMS_SHOWN = 50


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


def imported(console: Console, result: ImportResult, lang: str) -> None:
    console.print(
        t(
            "imported",
            lang,
            table=result.table,
            inserted=result.inserted,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    )


def rejected(console: Console, error: ImportRejected, lang: str) -> None:
    console.print(f"[red]{t('rejected', lang, file=error.file, count=len(error.problems))}[/red]")
    for p in error.problems[:MAX_PROBLEMS_SHOWN]:
        console.print(
            "  " + t("problem", lang, row=p.row, column=p.column, reason=p.reason),
            markup=False,
            highlight=False,
        )
    if len(error.problems) > MAX_PROBLEMS_SHOWN:
        console.print(t("more_problems", lang, count=len(error.problems) - MAX_PROBLEMS_SHOWN))
