"""What `caseload plan …` prints and writes: sustainable caseloads with their breakdown
beside the reference models and the union's ranges, the register's measured minutes, and
staffing per role; the JSON and CSV of each; the figure of `plan caseload --plot`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table

from caseload.domain.labels import label
from caseload.i18n import N_, translator
from caseload.plan.reference_words import position_label, role_words

if TYPE_CHECKING:
    from caseload.plan.measured import Measured
    from caseload.plan.staffing import Staffing
    from caseload.plan.workload import Reference, Sustainable, Workload

DASH = "–"


def _number(tr: Any, value: float | None, digits: int = 1) -> str:
    return DASH if value is None else tr.decimal(value, digits)


# --- plan caseload ----------------------------------------------------------------------------


def summary(results: list[tuple[Workload, list[Sustainable]]], lang: str) -> Table:
    """Each scenario's positions: the sustainable caseload beside what the source reported."""
    tr = translator(lang)
    _ = tr.gettext
    table = Table(title=_("Sustainable caseload per full-time professional (workload method)"))
    for heading, justify in (
        (_("Scenario"), "left"),
        (_("Role"), "left"),
        (_("Role model"), "left"),
        (_("Hours for casework a month"), "right"),
        (_("Minutes per citizen a month"), "right"),
        (_("Sustainable caseload"), "right"),
        (_("Reported"), "right"),
        (_("Difference"), "right"),
    ):
        table.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for model, rows in results:
        for r in rows:
            table.add_row(
                _(model.title),
                position_label(r.position, lang),
                label(r.role_model, lang),
                tr.decimal(r.case_hours_per_month, 1),
                tr.decimal(r.minutes_per_citizen_month, 1),
                tr.decimal(r.caseload, 1),
                _number(tr, r.reported, 0),
                DASH if r.deviation is None else tr.share(r.deviation, 1),
            )
    return table


def hours_table(r: Sustainable, lang: str) -> Table:
    tr = translator(lang)
    _ = tr.gettext
    table = Table(title=_("Hours of one full-time professional a month"))
    table.add_column(_("Hours"), justify="left")
    table.add_column(_("Hours a month"), justify="right")
    for line in r.hours:
        table.add_row(_(line.name), tr.decimal(line.hours_per_month, 1))
    return table


def breakdown(r: Sustainable, lang: str) -> Table:
    """The minutes one citizen needs a month, task by task, and per tier."""
    tr = translator(lang)
    _ = tr.gettext
    table = Table(
        title=_(
            "{role}: minutes per citizen a month, task by task",
            role=position_label(r.position, lang),
        )
    )
    for heading, justify in (
        (_("Task"), "left"),
        (_("Role"), "left"),
        (_("Times a month"), "right"),
        (_("Minutes each"), "right"),
        (_("Minutes a month"), "right"),
        *((label(tier, lang), "right") for tier, _m in r.by_tier),
    ):
        table.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for line in r.tasks:
        name = _(line.name)
        if not line.counted:
            name = _("{task} (done in one go with a longer task)", task=name)
        table.add_row(
            name,
            label(line.role, lang),
            tr.decimal(line.per_month, 2),
            tr.decimal(line.occurrence_minutes, 1),
            tr.decimal(line.minutes, 1) if line.counted else DASH,
            *(tr.decimal(m, 1) if line.counted else DASH for _t, m in line.by_tier),
        )
    if r.colleagues or r.coordination_minutes:
        coordination = tr.decimal(r.coordination_minutes, 1)
        table.add_row(
            _("coordination with {n} other professionals", n=tr.decimal(r.colleagues, 1)),
            DASH,
            DASH,
            DASH,
            coordination,
            *(coordination for _t in r.by_tier),
        )
    table.add_row(
        _("In all"),
        "",
        "",
        "",
        tr.decimal(r.minutes_per_citizen_month, 1),
        *(tr.decimal(m, 1) for _t, m in r.by_tier),
    )
    table.add_row(
        _("Sustainable caseload"),
        "",
        "",
        "",
        tr.decimal(r.caseload, 1),
        *(tr.decimal(c, 1) for _t, c in r.caseload_by_tier),
    )
    return table


def references(models: list[Reference], union: list[Reference], lang: str) -> Table:
    tr = translator(lang)
    _ = tr.gettext
    table = Table(title=_("Caseloads reported elsewhere, and the union's recommended ranges"))
    for heading, justify in (
        (_("Programme"), "left"),
        (_("Role"), "left"),
        (_("Mean"), "right"),
        (_("Range"), "right"),
        (_("Source"), "left"),
    ):
        table.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for ref in [*models, *union]:
        is_union = ref.source == "DS"
        name = _("Union recommendation: {group}", group=_(ref.name)) if is_union else _(ref.name)
        table.add_row(
            name,
            role_words(ref.role, lang),
            _number(tr, ref.mean, 1),
            _range(tr, ref),
            _("Dansk Socialrådgiverforening") if is_union else ref.source,
        )
    return table


def _range(tr: Any, ref: Reference) -> str:
    if ref.low is None and ref.high is None:
        return DASH
    if ref.low is None:
        return "≤ " + str(tr.decimal(ref.high, 0))
    if ref.high is None:
        return "≥ " + str(tr.decimal(ref.low, 0))
    return f"{tr.decimal(ref.low, 0)}–{tr.decimal(ref.high, 0)}"


def notes(results: list[tuple[Workload, list[Sustainable]]], lang: str) -> list[str]:
    _ = translator(lang).gettext
    said = [
        _(
            "Sustainable caseload = hours for casework a month ÷ hours one citizen needs a "
            "month (the workload-study method). Values marked ASSUMED in a scenario's file "
            "have no source; the shipped scenarios were made to be consistent with the "
            "caseloads their sources report."
        )
    ]
    for model, _rows in results:
        said.append(
            _(
                "{title}: each value's source is a comment in the scenario's file (docs/plan.md)",
                title=_(model.title),
            )
        )
    return said


def caseload_json(
    results: list[tuple[Workload, list[Sustainable]]],
    models: list[Reference],
    union: list[Reference],
) -> dict[str, Any]:
    from caseload.cli.render.machine import plain

    return {
        "scenarios": [
            {
                "name": model.name,
                "title": model.title,
                "source": model.source,
                "file": model.file,
                "positions": [
                    {
                        **plain(r),
                        "deviation": r.deviation,
                        "caseload_by_tier": dict(r.caseload_by_tier),
                        "by_tier": dict(r.by_tier),
                    }
                    for r in rows
                ],
            }
            for model, rows in results
        ],
        "reference_models": plain(models),
        "union_ranges": plain(union),
    }


def caseload_rows(results: list[tuple[Workload, list[Sustainable]]]) -> list[dict[str, Any]]:
    """One CSV row per scenario and position."""
    return [
        {
            "scenario": model.name,
            "position": r.position,
            "role_model": r.role_model,
            "caseload": r.caseload,
            "reported": r.reported,
            "deviation": r.deviation,
            "case_hours_per_month": r.case_hours_per_month,
            "minutes_per_citizen_month": r.minutes_per_citizen_month,
            "coordination_minutes": r.coordination_minutes,
            "travel_minutes": r.travel_minutes,
        }
        for model, rows in results
        for r in rows
    ]


def caseload_figure(
    results: list[tuple[Workload, list[Sustainable]]],
    models: list[Reference],
    union: list[Reference],
    lang: str,
) -> str:
    """The sustainable caseloads beside the reference models and the union's ranges (SVG)."""
    from caseload.plan.caseload_figure import figure

    return figure(results, models, union, lang)


# --- plan measured ----------------------------------------------------------------------------


def measured(m: Measured, lang: str) -> list[Table]:
    tr = translator(lang)
    _ = tr.gettext
    title = _(
        "Minutes per citizen a month from the register, {first} to {last} (model: {scenario})",
        first=tr.date(m.first),
        last=tr.date(m.last),
        scenario=_(m.title) if m.title else m.scenario,
    )
    table = Table(title=title)
    for heading, justify in (
        (_("Department") if m.by == "department" else _("Role"), "left"),
        (_("Professionals"), "right"),
        (_("Citizen-months"), "right"),
        (_("Minutes per citizen a month"), "right"),
        (_("Caseload (register only)"), "right"),
        (_("Not in the register (model)"), "right"),
        (_("Caseload"), "right"),
    ):
        table.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for g in m.groups:
        table.add_row(
            g.group if m.by == "department" else position_label(g.group, lang),
            tr.count(g.professionals),
            tr.decimal(g.citizen_months, 1),
            _number(tr, g.minutes_per_citizen_month),
            _number(tr, g.caseload_register_only),
            tr.decimal(g.unmeasured_minutes, 1),
            _number(tr, g.caseload),
        )
    counts = Table(title=_("What the register counts"))
    for heading, justify in (
        (_("Department") if m.by == "department" else _("Role"), "left"),
        (_("Work"), "left"),
        (_("Count"), "right"),
        (_("Minutes"), "right"),
        (_("Of which recorded durations"), "right"),
        (_("Without minutes"), "right"),
    ):
        counts.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for g in m.groups:
        for c in g.counts:
            counts.add_row(
                g.group if m.by == "department" else position_label(g.group, lang),
                _(WORK.get(c.counted_as, c.counted_as)),
                tr.count(c.n),
                tr.decimal(c.minutes, 0),
                tr.decimal(c.recorded_minutes, 0),
                tr.count(c.without_minutes),
            )
    return [table, counts]


WORK = {
    "job_meeting": N_("job meetings held"),
    "follow_up": N_("follow-up meetings held"),
    "three_party": N_("three-party meetings held"),
    "rehabilitation_team": N_("rehabilitation team meetings held"),
    "company_visit": N_("company visits held"),
    "phone_contact": N_("phone contacts held"),
    "other_meeting": N_("other meetings held"),
    "missed_meeting": N_("meetings missed by the citizen"),
    "supplier_order": N_("supplier orders started"),
    "progress_report": N_("progress reports received"),
    "medical_request": N_("medical information requests sent"),
    "preparatory_plan": N_("preparatory plans started"),
    "rehabilitation_recommendation": N_("rehabilitation team recommendations"),
    "company_placement": N_("company placements started"),
}
"""Each count's words (msgids: translated where shown)."""


def measured_notes(m: Measured, lang: str) -> list[str]:
    _ = translator(lang).gettext
    said = [
        _(
            "A held meeting counts its recorded duration, with the model's preparation and "
            "documentation, and the model's travel when held outside the job centre; a meeting "
            "without a duration and every other count take the model's minutes for one "
            "occurrence (the register keeps no minutes for them)."
        ),
        _(
            "{n} held meetings had no recorded duration: the model's minutes stood in for them.",
            n=m.meetings_without_duration,
        ),
    ]
    if m.unattributed:
        said.append(
            _("{n} recorded pieces of work name no professional: left out.", n=m.unattributed)
        )
    return said


def measured_json(m: Measured) -> dict[str, Any]:
    from caseload.cli.render.machine import plain

    out: dict[str, Any] = plain(m)
    for group, g in zip(out["groups"], m.groups, strict=True):
        group["register_minutes"] = g.register_minutes
        group["minutes_per_citizen_month"] = g.minutes_per_citizen_month
        group["caseload_register_only"] = g.caseload_register_only
        group["caseload"] = g.caseload
    return out


def measured_rows(m: Measured) -> list[dict[str, Any]]:
    return [
        {
            "group": g.group,
            "professionals": g.professionals,
            "citizen_months": g.citizen_months,
            "register_minutes": g.register_minutes,
            "minutes_per_citizen_month": g.minutes_per_citizen_month,
            "unmeasured_minutes": g.unmeasured_minutes,
            "caseload_register_only": g.caseload_register_only,
            "caseload": g.caseload,
        }
        for g in m.groups
    ]


# --- plan staffing ----------------------------------------------------------------------------


def staffing(st: Staffing, lang: str) -> list[Table]:
    tr = translator(lang)
    _ = tr.gettext
    where = st.department or _("all departments")
    today = Table(title=_("Staffing on {day}, {where}", day=tr.date(st.as_of), where=where))
    for heading, justify in (
        (_("Role"), "left"),
        (_("Citizens"), "right"),
        (_("Caseload"), "right"),
        (_("FTE needed"), "right"),
        (_("FTE employed"), "right"),
        (_("Gap (FTE)"), "right"),
        (_("Cost a year"), "right"),
        (_("Change a year"), "right"),
    ):
        today.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for r in st.roles:
        today.add_row(
            label(r.role, lang),
            tr.count(r.citizens),
            tr.decimal(r.caseload, 1),
            tr.decimal(r.fte_needed, 1),
            tr.decimal(r.fte_employed, 1),
            tr.signed(r.gap, 1),
            tr.money(r.cost_needed),
            tr.money(r.cost_change) if r.cost_change < 0 else "+" + tr.money(r.cost_change),
        )
    today.add_row(
        _("In all"),
        "",
        "",
        tr.decimal(st.fte_needed, 1),
        tr.decimal(st.fte_employed, 1),
        tr.signed(st.fte_needed - st.fte_employed, 1),
        tr.money(st.cost_needed),
        tr.money(st.cost_change) if st.cost_change < 0 else "+" + tr.money(st.cost_change),
    )
    forecast = Table(
        title=_(
            "Steady state: inflow × months on the caseload (measured {first} to {last})",
            first=tr.date(st.window[0]),
            last=tr.date(st.window[1]),
        )
    )
    for heading, justify in (
        (_("Role"), "left"),
        (_("New citizens a month"), "right"),
        (_("Months on the caseload"), "right"),
        (_("Spells ended"), "right"),
        (_("Citizens"), "right"),
        (_("FTE needed"), "right"),
        (_("Cost a year"), "right"),
    ):
        forecast.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for r in st.roles:
        forecast.add_row(
            label(r.role, lang),
            tr.decimal(r.inflow_per_month, 1),
            _number(tr, r.months_on_caseload),
            tr.count(r.spells_ended),
            _number(tr, r.steady_citizens, 0),
            _number(tr, r.steady_fte),
            DASH if r.steady_cost is None else tr.money(r.steady_cost),
        )
    return [today, forecast]


def staffing_notes(st: Staffing, lang: str) -> list[str]:
    tr = translator(lang)
    _ = tr.gettext
    said = [
        _(
            "FTE employed: professionals employed on the day in the role, each one's FTE split "
            "evenly over the roles they hold."
        )
    ]
    if st.salary_assumed:
        said.append(
            _(
                "Cost: {salary} a year per FTE, an ASSUMED figure (pension and overhead "
                "included; not in the seeds).",
                salary=tr.money(st.salary_per_fte_year),
            )
        )
    if st.inflow_given is not None:
        said.append(
            _(
                "Inflow given: {n} new citizens a month, shared between the roles as new "
                "citizens were in the window.",
                n=tr.decimal(st.inflow_given, 1),
            )
        )
    from caseload.plan.staffing import doubt_words, forecast_doubts

    for doubt in forecast_doubts(st):
        said.append(doubt_words(doubt, lang) + " " + _("Give --months."))
    return said


def staffing_json(st: Staffing) -> dict[str, Any]:
    from caseload.cli.render.machine import plain

    out: dict[str, Any] = plain(st)
    for role, r in zip(out["roles"], st.roles, strict=True):
        role["gap"] = r.gap
        role["cost_change"] = r.cost_change
    out["fte_needed"] = st.fte_needed
    out["fte_employed"] = st.fte_employed
    out["cost_needed"] = st.cost_needed
    out["cost_change"] = st.cost_change
    from caseload.plan.staffing import forecast_doubts

    doubts = {d.role: d for d in forecast_doubts(st)}
    for role, r in zip(out["roles"], st.roles, strict=True):
        found = doubts.get(r.role)
        role["steady_state_doubt"] = None if found is None else plain(found)
    return out


def staffing_rows(st: Staffing) -> list[dict[str, Any]]:
    return staffing_json(st)["roles"]  # type: ignore[no-any-return]
