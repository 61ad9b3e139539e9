"""Caseloads against caps, continuity, and the plans of rebalance and assign."""

from __future__ import annotations

from collections import defaultdict
from statistics import mean
from typing import Any

from rich.console import Console, JustifyMethod
from rich.table import Table

from caseload.domain.labels import label
from caseload.i18n import translator
from caseload.operate.allocation import Allocation
from caseload.operate.plans import Applied
from caseload.operate.status import Caseload, Status

Columns = tuple[tuple[str, JustifyMethod], ...]


def departments(status: Status, lang: str) -> Table:
    tr = translator(lang)
    _ = tr.gettext
    table = Table(title=_("Caseloads on {day}", day=tr.date(status.as_of)))
    columns: Columns = (
        (_("Department"), "left"),
        (_("Role"), "left"),
        (_("Professionals"), "right"),
        (_("Citizens"), "right"),
        (_("Mean"), "right"),
        (_("Max"), "right"),
        (_("Cap"), "right"),
        (_("Over cap"), "right"),
    )
    for heading, justify in columns:
        table.add_column(heading, justify=justify)
    groups: dict[tuple[str, bool, str], list[int]] = defaultdict(list)
    caps: dict[tuple[str, bool, str], set[int | None]] = defaultdict(set)
    over: dict[tuple[str, bool, str], int] = defaultdict(int)
    for c in status.caseloads:
        group = (c.department, c.is_trial, c.role)
        groups[group].append(c.citizens)
        caps[group].add(c.cap)
        over[group] += c.over_cap
    for (dept, trial, role), loads in sorted(groups.items()):
        cap_values = [
            tr.count(v) for v in sorted(v for v in caps[(dept, trial, role)] if v is not None)
        ]
        table.add_row(
            dept + (" (" + _("trial") + ")" if trial else ""),
            label(role, lang),
            tr.count(len(loads)),
            tr.count(sum(loads)),
            tr.decimal(mean(loads), 1),
            tr.count(max(loads)),
            "/".join(cap_values) or "–",
            tr.count(over[(dept, trial, role)]),
        )
    return table


def group_name(department: str, trial: bool, role: str, lang: str) -> str:
    """``JI6 (trial) coordinating caseworker``, in the reader's language."""
    trial_mark = " (" + translator(lang).gettext("trial") + ")" if trial else ""
    return department + trial_mark + " " + label(role, lang)


def professionals(status: Status, lang: str, department: str | None = None) -> Table:
    tr = translator(lang)
    _ = tr.gettext
    table = Table(title=_("Caseloads on {day}", day=tr.date(status.as_of)))
    # weighted load and effective cap only when a caseload rule makes them differ
    weighted = any(_weighted(c) for c in status.caseloads)
    columns: Columns = (
        (_("Staff"), "left"),
        (_("Department"), "left"),
        (_("Role"), "left"),
        (_("Citizens"), "right"),
        (_("Cap"), "right"),
    )
    if weighted:
        columns += ((_("Weighted load"), "right"), (_("Capacity"), "right"))
    columns += ((_("Over cap"), "left"),)
    for i, (heading, justify) in enumerate(columns):
        table.add_column(heading, justify=justify, no_wrap=i != 0)
    for c in status.caseloads:
        if department and c.department != department:
            continue
        row = [
            c.staff_id,
            c.department,
            label(c.role, lang),
            tr.count(c.citizens),
            tr.count(c.cap),
        ]
        if weighted:
            row += [_load(c.load, lang), _load(c.capacity, lang)]
        table.add_row(*row, "[red]" + _("yes") + "[/red]" if c.over_cap else "")
    return table


def _load(value: float | None, lang: str) -> str:
    """A weighted load or capacity: as many decimals as it has, up to two (``41,5``)."""
    return "–" if value is None else translator(lang).number(round(value, 2))


def _weighted(c: Caseload) -> bool:
    return (c.load is not None and c.load != c.citizens) or (
        c.capacity is not None and c.capacity != c.cap
    )


def continuity(status: Status, lang: str) -> Table:
    tr = translator(lang)
    _ = tr.gettext
    table = Table(
        title=_("Caseworker changes per citizen-year (year to {day})", day=tr.date(status.as_of))
    )
    columns: Columns = (
        (_("Department"), "left"),
        (_("Changes"), "right"),
        (_("Citizen-years"), "right"),
        (_("Per citizen-year"), "right"),
        (_("By reason"), "left"),
    )
    for heading, justify in columns:
        table.add_column(heading, justify=justify)
    for c in status.continuity:
        reasons = ", ".join(f"{label(reason, lang)} {tr.count(n)}" for reason, n in c.by_reason)
        table.add_row(
            c.department,
            tr.count(c.changes),
            tr.decimal(c.citizen_years, 0),
            tr.decimal(c.per_citizen_year, 2),
            reasons,
        )
    return table


def over_cap(console: Console, status: Status, lang: str) -> None:
    tr = translator(lang)
    _ = tr.gettext
    if not status.over_cap:
        console.print(_("No professional is over their cap."), style="green")
        return
    console.print(_("Over their cap") + ":", style="red")
    for c in status.over_cap:
        what = (
            f"{_load(c.load, lang)} > {_load(c.capacity, lang)} "
            f"({tr.count(c.citizens)}, {tr.count(c.cap)})"
            if _weighted(c)
            else f"{tr.count(c.citizens)} > {tr.count(c.cap)}"
        )
        console.print(f"  {c.staff_id} ({c.department}, {label(c.role, lang)}): {what}")


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
    console: Console,
    errors: Console,
    result: Allocation,
    summary: dict[str, Any],
    lang: str,
    limit: int = 20,
) -> None:
    """A rebalance or assign plan: both methods side by side, loads before and after, the
    first moves, and what was written (or that nothing was, on a dry run)."""
    tr = translator(lang)
    _ = tr.gettext
    console.print(_methods(result.kind, summary, lang))
    console.print(_loads(summary, lang))
    moves = summary["moves"]
    console.print(_moves(moves[:limit], len(moves), lang))
    if len(moves) > limit:
        console.print(_("… and {n} more (use --json FILE for all)", n=tr.count(len(moves) - limit)))
    if summary["unplaced"]:
        cannot = _(
            "{n} citizen(s) cannot be placed within the caps: add staff or raise the cap.",
            n=tr.count(len(summary["unplaced"])),
        )
        missing = _(
            "That is {fte} more full-time professional(s) at cap {cap}.",
            fte=tr.decimal(summary["missing_fte"], 2),
            cap=tr.count(summary["cap"]),
        )
        errors.print(f"[yellow]{cannot} {missing}[/yellow]")
    if summary["held_back"]:
        errors.print(
            _(
                "{n} citizen(s) left out of the plan, neither moved nor given a "
                "professional here: this department lies across their arm of a running "
                "trial (a control citizen in a trial department, or a trial citizen outside "
                "one): {citizens}",
                n=len(summary["held_back"]),
                citizens=", ".join(h["citizen"] for h in summary["held_back"][:limit]),
            ),
            style="yellow",
            markup=False,
        )
    if result.written is None:
        console.print(_("Dry run: nothing was changed."))
        return
    console.print(
        _(
            "Applied: {ended} responsibilities ended, {started} started, in one transaction.",
            ended=tr.count(result.written.ended),
            started=tr.count(result.written.started),
        )
    )
    if result.written.cap_recorded:
        console.print(
            _(
                "Cap {cap} recorded from {day}.",
                cap=tr.count(summary["cap"]),
                day=tr.date(summary["day"]),
            )
        )
    if result.written.kept:
        kept = _(
            "{n} responsibility(ies) in other roles stayed with their professional: the new "
            "holder does not hold the role",
            n=tr.count(result.written.kept),
        )
        errors.print(f"[yellow]{kept}[/yellow]")


def plan_saved(console: Console, code: str, lang: str) -> None:
    """The stored plan's id, one line: what to give ``caseload apply-plan``."""
    said = translator(lang).gettext(
        "Plan {code} stored: apply it with `caseload apply-plan {code}` (refused if the "
        "department changes first).",
        code=code,
    )
    console.print(said, markup=False, soft_wrap=True)


def plan_applied(console: Console, applied: Applied, lang: str) -> None:
    """What applying a stored plan wrote."""
    tr = translator(lang)
    _ = tr.gettext
    console.print(
        _(
            "Plan {code} applied to {department} from {day}: {moves} citizen(s) moved, "
            "{ended} responsibilities ended, {started} started, in one transaction.",
            code=applied.code,
            department=applied.department,
            day=tr.date(applied.day),
            moves=tr.count(applied.moves),
            ended=tr.count(applied.written.ended),
            started=tr.count(applied.written.started),
        ),
        markup=False,
        soft_wrap=True,
    )
    if applied.written.cap_recorded:
        console.print(_("The plan's cap is recorded from {day}.", day=tr.date(applied.day)))


def _methods(kind: str, summary: dict[str, Any], lang: str) -> Table:
    """The optimiser's plan beside the greedy baseline's."""
    tr = translator(lang)
    _ = tr.gettext
    role = label(summary["role"], lang)
    if kind == "rebalance":
        title = _(
            "Rebalance {department} ({role}) on {day}: cap {cap}",
            department=summary["department"],
            role=role,
            day=tr.date(summary["day"]),
            cap=tr.count(summary["cap"]),
        )
    else:
        title = _(
            "Assign contacts in {department} ({role}) on {day}: {citizens} citizen(s) waiting",
            department=summary["department"],
            role=role,
            day=tr.date(summary["day"]),
            citizens=tr.count(summary["citizens"]),
        )
    table = Table(title=title)
    columns: Columns = (
        (_("Method"), "left"),
        (_("Caseworker changes"), "right"),
        (_("New contacts"), "right"),
        (_("Not placed"), "right"),
        (_("Over cap"), "right"),
        (_("Load share SD"), "right"),
        (_("Seconds"), "right"),
    )
    for heading, justify in columns:
        table.add_column(heading, justify=justify)
    for key, name in (
        ("plan", _("optimiser (min-cost flow)")),
        ("greedy_baseline", _("greedy baseline")),
    ):
        m = summary[key]
        table.add_row(
            name,
            tr.count(m["changes"]),
            tr.count(m["new_contacts"]),
            tr.count(m["unplaced"]),
            tr.count(len(m["over_cap"])),
            tr.decimal(m["load_share_sd"], 3),
            tr.decimal(m["seconds"], 2),
        )
    return table


def _loads(summary: dict[str, Any], lang: str) -> Table:
    """Each professional's capacity and weighted load before and after the plan."""
    tr = translator(lang)
    _ = tr.gettext
    table = Table(title=_("Caseloads on {day}", day=tr.date(summary["day"])))
    columns: Columns = (
        (_("Staff"), "left"),
        (_("Capacity"), "right"),
        (_("Before"), "right"),
        (_("After"), "right"),
        (_("Away"), "left"),
    )
    for heading, justify in columns:
        table.add_column(heading, justify=justify)
    for row in summary["loads"]:
        table.add_row(
            row["staff"],
            _load(row["capacity"], lang),
            _load(row["before"], lang),
            _load(row["after"], lang),
            label(row["away"], lang) if row["away"] else "",
        )
    return table


def _moves(shown: list[dict[str, Any]], total: int, lang: str) -> Table:
    tr = translator(lang)
    _ = tr.gettext
    table = Table(title=_("Moves ({n})", n=tr.count(total)))
    for heading in (_("Citizen"), _("From"), _("To"), _("Reason")):
        table.add_column(heading)
    for move in shown:
        table.add_row(move["citizen"], move["from"] or "", move["to"], label(move["reason"], lang))
    return table
