"""Commands of the operate face: rebalance, assign (and overdue, sparring in their modules)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from datetime import date
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from caseload.cli.common import (
    EXIT_CONFLICT,
    EXIT_INPUT,
    AsOfOption,
    DbOption,
    LangOption,
    console,
    day_of,
    errors,
    lang_of,
    open_register,
)
from caseload.domain import codes
from caseload.i18n import t
from caseload.operate.allocation import Allocation
from caseload.operate.optimise import Preferences
from caseload.operate.refusals import CannotPlace, Conflict, NotFound, Refused
from caseload.store import schema as s
from caseload.store.database import reader

DepartmentOption = Annotated[str, typer.Option("--department", help="Department code")]
RoleOption = Annotated[str, typer.Option("--role", help="Role planned: " + ", ".join(codes.ROLES))]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Show the plan; change nothing")]
WeightsOption = Annotated[
    str | None,
    typer.Option(
        "--weights",
        help="Cost points per citizen, e.g. change=1000000,previous=10000,district=100,"
        "balance=1 (the defaults: each outweighs all the later ones)",
    ),
]
JsonOption = Annotated[
    Path | None, typer.Option("--json", help="Write the whole plan (every move) to this file")
]
PlotOption = Annotated[
    Path | None,
    typer.Option(
        "--plot",
        help="Write the caseload distribution (load / cap per professional: "
        "before, plan, greedy baseline) as an SVG figure",
    ),
]


def _role(role: str) -> str:
    if role not in codes.ROLES:
        errors.print(f"[red]--role must be one of: {', '.join(codes.ROLES)}[/red]")
        raise typer.Exit(EXIT_INPUT)
    return role


def rebalance(
    department: DepartmentOption,
    cap: Annotated[
        int | None,
        typer.Option("--cap", min=1, help="New cap for the department's role (e.g. 50)"),
    ] = None,
    role: RoleOption = "coordinating_caseworker",
    weights: WeightsOption = None,
    as_of: AsOfOption = None,
    dry_run: DryRunOption = False,
    json_out: JsonOption = None,
    plot: PlotOption = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Re-plan a department's caseloads: hard caps, then the fewest caseworker changes, then
    district and an even weighted load. Compared with a greedy loop in the same run."""
    from caseload.operate.allocation import rebalance as run

    language, day, role = lang_of(lang), day_of(as_of), _role(role)
    prefer = _preferences(weights)
    result = _allocate(
        db,
        dry_run,
        lambda conn, write: run(conn, department, day, role, cap, prefer, write=write),
        language,
    )
    show(result, language, json_out, plot)


def assign(
    department: DepartmentOption,
    role: RoleOption = "coordinating_caseworker",
    new: Annotated[
        bool,
        typer.Option("--new", help="Also citizens who never had a professional in the role"),
    ] = False,
    weights: WeightsOption = None,
    as_of: AsOfOption = None,
    dry_run: DryRunOption = False,
    json_out: JsonOption = None,
    plot: PlotOption = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Give every citizen without a contact one, within the caps: the professional they had
    before, else one in their district, else the least loaded."""
    from caseload.operate.allocation import assign as run

    language, day, role = lang_of(lang), day_of(as_of), _role(role)
    prefer = _preferences(weights)
    result = _allocate(
        db,
        dry_run,
        lambda conn, write: run(conn, department, day, role, new, prefer, write=write),
        language,
    )
    show(result, language, json_out, plot)


def _preferences(text: str | None) -> Preferences | None:
    """``name=points,…`` over the defaults; a bad name or number exits 2."""
    if not text:
        return None
    names = {f.name for f in fields(Preferences)}
    values: dict[str, int] = {}
    for part in text.split(","):
        name, _, number = part.partition("=")
        name = name.strip()
        if name not in names or not number.strip().isdigit():
            errors.print(
                f"[red]--weights: {escape(part.strip())!r} is not name=points with a "
                f"name among {', '.join(sorted(names))}[/red]"
            )
            raise typer.Exit(EXIT_INPUT)
        values[name] = int(number)
    return replace(Preferences(), **values)


def _allocate(
    db: str | None, dry_run: bool, run: Callable[[Connection, bool], Allocation], lang: str
) -> Allocation:
    """A dry run on a read-only connection, else the plan written in one transaction;
    a refusal is one clear line and exit code 2, with nothing written."""
    engine = open_register(db)
    with _edit(lang):
        if dry_run:
            with reader(engine).connect() as conn:
                return run(conn, False)
        with engine.begin() as conn:
            return run(conn, True)


def show(
    result: Allocation, lang: str, json_out: Path | None, plot: Path | None = None, limit: int = 20
) -> None:
    summary = result.summary()
    role = t(summary["role"], lang)
    if result.kind == "rebalance":
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
    methods = Table(title=title)
    for key in (
        "method",
        "caseworker_changes",
        "new_contacts",
        "unplaced",
        "over_cap",
        "load_sd",
        "seconds",
    ):
        methods.add_column(t(key, lang), justify="left" if key == "method" else "right")
    for key, name in (("plan", "optimiser"), ("greedy_baseline", "greedy")):
        m = summary[key]
        methods.add_row(
            t(name, lang),
            str(m["changes"]),
            str(m["new_contacts"]),
            str(m["unplaced"]),
            str(len(m["over_cap"])),
            f"{m['load_share_sd']:.3f}",
            f"{m['seconds']:.2f}",
        )
    console.print(methods)

    loads = Table(title=t("caseloads_on", lang, day=summary["day"]))
    for key in ("staff", "capacity", "load_before", "load_after", "away"):
        loads.add_column(t(key, lang), justify="left" if key in ("staff", "away") else "right")
    for row in summary["loads"]:
        loads.add_row(
            row["staff"],
            f"{row['capacity']:g}",
            f"{row['before']:g}",
            f"{row['after']:g}",
            row["away"] or "",
        )
    console.print(loads)

    moves = summary["moves"]
    table = Table(title=t("moves", lang, n=len(moves)))
    for key in ("citizen", "from", "to", "reason"):
        table.add_column(t(key, lang))
    for move in moves[:limit]:
        table.add_row(move["citizen"], move["from"] or "", move["to"], move["reason"])
    console.print(table)
    if len(moves) > limit:
        console.print(t("more_moves", lang, n=len(moves) - limit))
    if summary["unplaced"]:
        errors.print(
            f"[yellow]{t('cannot_place', lang, n=len(summary['unplaced']))} "
            f"{t('missing_fte', lang, fte=summary['missing_fte'], cap=summary['cap'])}[/yellow]"
        )
    if result.written is None:
        console.print(t("dry_run", lang))
    else:
        console.print(
            t("applied", lang, ended=result.written.ended, started=result.written.started)
        )
        if result.written.cap_recorded:
            console.print(t("cap_recorded", lang, cap=summary["cap"], day=summary["day"]))
        if result.written.kept:
            errors.print(f"[yellow]{t('roles_kept', lang, n=result.written.kept)}[/yellow]")
    if json_out is not None:
        json_out.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    if plot is not None:
        from caseload.operate.figures import load_shares

        labels = {
            "before": t("load_before", lang),
            "plan": t("optimiser", lang),
            "greedy": t("greedy", lang),
        }
        plot.write_text(
            load_shares(
                result.load_shares(),
                labels,
                t("load_share_pct", lang),
                t("professionals", lang),
                t("cap", lang),
            ),
            encoding="utf-8",
        )
        console.print(t("figure_written", lang, path=plot))


def _staff_id(conn: Connection, code: str) -> int:
    found = conn.execute(select(s.professional.c.id).where(s.professional.c.code == code)).first()
    if found is None:
        errors.print(f"[red]--caseworker: no professional {code!r} in the register[/red]")
        raise typer.Exit(EXIT_INPUT)
    return int(found[0])


def overdue(
    caseworker: Annotated[
        str | None, typer.Option("--caseworker", help="Only this caseworker (staff code)")
    ] = None,
    within: Annotated[int, typer.Option("--within", min=0, help="Days ahead counted as due")] = 14,
    as_of: AsOfOption = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Job meetings overdue and falling due soon, per caseworker (the statutory rhythm of
    the meeting rules), with citizens flagged for outreach after repeated cancellations."""
    from caseload.operate.rhythm import overdue as run

    language, day = lang_of(lang), day_of(as_of)
    engine = open_register(db)
    with reader(engine).connect() as conn:
        who = _staff_id(conn, caseworker) if caseworker else None
        rows, listed = run(conn, day, within, who)
    table = Table(title=t("overdue_title", language, day=day.isoformat(), within=within))
    for key in ("staff", "name", "citizens", "overdue", "due_soon", "outreach"):
        table.add_column(t(key, language), justify="left" if key in ("staff", "name") else "right")
    for row in rows:
        table.add_row(
            row.staff,
            row.name,
            str(row.citizens),
            str(row.overdue),
            str(row.due_soon),
            str(row.outreach),
        )
    console.print(table)
    if caseworker:
        detail = Table(title=t("caseworker_citizens", language, staff=caseworker, n=listed.height))
        for key in ("citizen", "due", "days_overdue", "last_held", "planned", "missed", "outreach"):
            detail.add_column(t(key, language))
        for r in listed.iter_rows(named=True):
            late = r["days_overdue"]
            detail.add_row(
                r["citizen"],
                str(r["due"]),
                str(late) if late > 0 else "",
                str(r["last_held"] or ""),
                str(r["planned"] or ""),
                str(r["missed_by_citizen"] or ""),
                "✔" if r["outreach"] else "",
            )
        console.print(detail)


def timeliness(
    first: Annotated[str, typer.Option("--from", help="First due day, YYYY-MM-DD")],
    last: Annotated[str, typer.Option("--to", help="Last due day, YYYY-MM-DD")],
    by: Annotated[str, typer.Option("--by", help="department or arm")] = "department",
    trial: Annotated[str | None, typer.Option("--trial", help="Trial code (with --by arm)")] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the weekly shares as an SVG figure")
    ] = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Job meetings held by their due date, per group over the period and per week (as
    seed 003's Table 7)."""
    from caseload.operate.figures import timeliness as figure
    from caseload.operate.rhythm import timeliness as run
    from caseload.operate.rhythm import timeliness_over

    language = lang_of(lang)
    if by not in ("department", "arm") or (by == "arm" and not trial):
        errors.print("[red]--by must be department, or arm with --trial CODE[/red]")
        raise typer.Exit(EXIT_INPUT)
    start, end = _date("--from", first), _date("--to", last)
    engine = open_register(db)
    with reader(engine).connect() as conn:
        weeks = run(conn, start, end, by, trial)
    totals = timeliness_over(weeks)
    name = {g: _group_name(g, by, language) for g in totals.get_column("group")}
    table = Table(title=t("timeliness_title", language, first=start, last=end))
    for key in ("group", "held", "timely", "share"):
        table.add_column(t(key, language), justify="left" if key == "group" else "right")
    for g, held, timely, share in totals.iter_rows():
        table.add_row(name[g], str(held), str(timely), f"{100 * share:.1f} %" if held else "")
    console.print(table)
    if plot is not None:
        series = {
            g: (part.get_column("week").to_list(), part.get_column("share").to_list())
            for (g,), part in weeks.partition_by("group", as_dict=True).items()
        }
        overall = dict(zip(totals.get_column("group"), totals.get_column("share"), strict=True))
        labels = {g: f"{name[g]} ({100 * overall[g]:.1f} %)" for g in series}
        plot.write_text(figure(series, labels, t("timely_share", language)), encoding="utf-8")
        console.print(t("figure_written", language, path=plot))


def _group_name(group: str, by: str, lang: str) -> str:
    """A trial arm in the reader's language; a department by its code."""
    if by == "arm" and group in ("trial", "control"):
        return t("trial" if group == "trial" else "control_arm", lang).lower()
    return group


def _date(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.print(f"[red]{option}: not a date (YYYY-MM-DD): {value!r}[/red]")
        raise typer.Exit(EXIT_INPUT) from None


CitizenOption = Annotated[str, typer.Option("--citizen", help="Citizen id (never a CPR number)")]
VersionOption = Annotated[
    int | None,
    typer.Option("--version", help="The case version you read; refused if it has changed since"),
]
OverrideOption = Annotated[
    str | None, typer.Option("--override", help="Go ahead despite a rule; the reason is stored")
]


def contact(
    citizen: CitizenOption,
    to: Annotated[str, typer.Option("--to", help="Staff code of the new professional")],
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            help="handoff, cover, reallocation, citizen_request, citizen_moved, staff_leave, other",
        ),
    ],
    role: RoleOption = "coordinating_caseworker",
    until: Annotated[str | None, typer.Option("--until", help="Last day of a cover")] = None,
    override: OverrideOption = None,
    version: VersionOption = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Change a citizen's professional in a role: a handoff to the company consultant, a
    cover during illness or holiday (only by someone already attached), or a reallocation.
    Refused over the cap or against the role model unless --override gives a reason."""
    from caseload.operate.casework import change_contact

    language, day, role = lang_of(lang), day_of(as_of), _role(role)
    last = _date("--until", until) if until else None
    engine = open_register(db)
    with _edit(language):
        with engine.begin() as conn:
            done = change_contact(conn, citizen, role, to, day, reason, last, override, version)
        console.print(
            t(
                "contact_changed",
                language,
                citizen=citizen,
                staff=to,
                role=t(role, language),
                day=day,
                reason=reason,
                version=done.version,
            )
        )


def meeting(
    citizen: CitizenOption,
    meeting_id: Annotated[str, typer.Option("--id", help="Meeting id")],
    status: Annotated[str, typer.Option("--status", help=", ".join(codes.MEETING_STATUSES))],
    kind: Annotated[str, typer.Option("--kind", help=", ".join(codes.MEETING_KINDS))] = (
        "job_meeting"
    ),
    staff: Annotated[str | None, typer.Option("--staff", help="Staff code")] = None,
    minutes: Annotated[int | None, typer.Option("--minutes", min=1)] = None,
    place: Annotated[
        str | None, typer.Option("--place", help=", ".join(codes.MEETING_PLACES))
    ] = None,
    accepted: Annotated[
        bool, typer.Option("--absence-accepted", help="A missed meeting with accepted absence")
    ] = False,
    version: VersionOption = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Record a meeting held, planned or missed on the day (--as-of); a job meeting gets the
    due date the rhythm gave. Refused before the citizen's entry."""
    from caseload.operate.casework import record_meeting

    language, day = lang_of(lang), day_of(as_of)
    engine = open_register(db)
    with _edit(language):
        with engine.begin() as conn:
            done = record_meeting(
                conn,
                citizen,
                meeting_id,
                kind,
                status,
                day,
                staff,
                minutes,
                place,
                accepted,
                version,
            )
        console.print(
            t(
                "meeting_recorded",
                language,
                citizen=citizen,
                meeting=meeting_id,
                status=status,
                day=day,
                version=done.version,
            )
        )


@contextmanager
def _edit(lang: str) -> Iterator[None]:
    """Refusals as one clear line in the reader's language and exit code 2, a conflicting
    edit exit code 4; the transaction was rolled back, so nothing was written. A clash with
    a stored row is said without the statement or its values (they may name a citizen)."""
    try:
        yield
    except (Refused, NotFound, CannotPlace) as error:
        errors.print(f"[red]{escape(t('refused', lang, why=error.message(lang)))}[/red]")
        raise typer.Exit(EXIT_INPUT) from None
    except Conflict as error:
        errors.print(f"[red]{escape(t('conflict', lang, why=error.message(lang)))}[/red]")
        raise typer.Exit(EXIT_CONFLICT) from None
    except IntegrityError:
        errors.print(f"[red]{escape(t('refused', lang, why=t('stored_conflict', lang)))}[/red]")
        raise typer.Exit(EXIT_INPUT) from None


def caseflow(
    first: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")],
    last: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD")],
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json", help="Write every table (and per citizen passive days) to this JSON file"
        ),
    ] = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """Case flow per department: supplier reports acted on, medical information followed up
    within a week, plans through the rehabilitation team, placements, passive periods."""
    from caseload.operate import caseflow as cf

    language = lang_of(lang)
    period = cf.Period(_date("--from", first), _date("--to", last))
    engine = open_register(db)
    with reader(engine).connect() as conn:
        tables = {
            "reports": cf.reports(conn, period),
            "medical": cf.medical(conn, period),
            "plans": cf.plans(conn, period),
            "placements": cf.placements(conn, period),
            "paid_hours": cf.paid_hours(conn, period),
        }
        per_citizen, tables["passive"] = cf.passive(conn, period)
    console.print(t("caseflow_title", language, first=period.first, last=period.last))
    for name, frame in tables.items():
        console.print(_frame_table(t(f"cf_{name}", language), frame, language))
    if json_out is not None:
        payload = {name: frame.to_dicts() for name, frame in tables.items()}
        payload["passive_per_citizen"] = per_citizen.drop("citizen_id").to_dicts()
        json_out.write_text(
            json.dumps(payload, indent=2, default=str, ensure_ascii=False), encoding="utf-8"
        )


def _frame_table(title: str, frame: pl.DataFrame, lang: str) -> Table:
    table = Table(title=title)
    for column in frame.columns:
        key = f"col_{column}"
        try:
            label = t(key, lang)
        except KeyError:
            label = column
        table.add_column(label, justify="left" if frame.schema[column] == pl.Utf8 else "right")
    for row in frame.iter_rows():
        table.add_row(
            *("" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v) for v in row)
        )
    return table


def sparring(
    caseworker: Annotated[str, typer.Option("--caseworker", help="Staff code")],
    out: Annotated[Path, typer.Option("--out", help="HTML file to write (print: a page each)")],
    as_of: AsOfOption = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """The sparring sheet: one printable page per citizen of a caseworker's caseload —
    where are we now, next step, barriers, last and next meeting, open requests."""
    from caseload.operate.sparring import render, sheet

    language, day = lang_of(lang), day_of(as_of)
    engine = open_register(db)
    try:
        with reader(engine).connect() as conn:
            result = sheet(conn, caseworker, day)
    except NotFound as error:
        errors.print(f"[red]{escape(error.message(language))}[/red]")
        raise typer.Exit(EXIT_INPUT) from None
    out.write_text(render(result, language), encoding="utf-8")
    console.print(t("sparring_written", language, n=len(result.pages), staff=caseworker, path=out))
