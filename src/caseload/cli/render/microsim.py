"""What `caseload simulate` prints: the settings in words, a table per shape and policy
(exits, job exits, months on benefit, caseworkers, net result with percentile intervals),
how it was made, and the figures of --plot-response and --plot-money (worded in
``plan.policy_figures``, which the planning page shares)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from caseload.domain.labels import label
from caseload.i18n import Translator, translator

if TYPE_CHECKING:  # NumPy and the model: loaded when the command runs
    from caseload.plan.microsim import Policy, Result


def shape_name(name: str, lang: str) -> str:
    from caseload.plan.policy_figures import shape_name as named

    return named(name, lang)


def policy_name(policy: Policy, lang: str) -> str:
    from caseload.plan.policy_figures import policy_name as named

    return named(policy, lang)


def heading(result: Result, lang: str) -> str:
    from caseload.plan.policy_figures import heading as said

    return said(result, lang)


def table(result: Result, lang: str) -> Table:
    """Per shape and policy: means with their 2.5–97.5 percentile interval."""
    tr = translator(lang)
    _ = tr.gettext
    s = result.settings
    out = Table(title=_("Policies over caseload-response shapes (mean and 95 % interval)"))
    for header in (
        _("Shape"),
        _("Caseload"),
        _("Exits"),
        _("Job exits"),
        _("Months on benefit per citizen"),
        _("Caseworkers (FTE)"),
        _("Net result against {policy}", policy=policy_name(s.policies[0], lang)),
    ):
        out.add_column(header, no_wrap=True)
    for sc in result.scenarios:
        exits = result.summary(sc.shape, sc.policy, "exits")
        jobs = result.summary(sc.shape, sc.policy, "exits_job")
        months = result.summary(sc.shape, sc.policy, "months")
        fte = result.summary(sc.shape, sc.policy, "fte")
        net = result.summary(sc.shape, sc.policy, "net")
        people = s.citizens
        unit, (mean, low, high) = tr.money_scaled(net["mean"], net["p2_5"], net["p97_5"])
        net_cell = (
            "–"
            if sc.policy == s.policies[0]
            else unit.format(amount=mean) + " " + tr.interval(low, high)
        )
        out.add_row(
            shape_name(sc.shape, lang),
            policy_name(sc.policy, lang),
            _count_interval(tr, exits),
            _count_interval(tr, jobs),
            tr.decimal(months["mean"] / people, 1)
            + " "
            + tr.interval(
                tr.decimal(months["p2_5"] / people, 1), tr.decimal(months["p97_5"] / people, 1)
            ),
            tr.decimal(fte["mean"], 1),
            net_cell,
        )
    return out


def _count_interval(tr: Translator, summary: dict[str, float]) -> str:
    return (
        tr.count(round(summary["mean"]))
        + " "
        + tr.interval(tr.count(round(summary["p2_5"])), tr.count(round(summary["p97_5"])))
    )


def notes(result: Result, lang: str) -> list[str]:
    tr = translator(lang)
    _ = tr.gettext
    s = result.settings
    said = [
        _(
            "The caseload-response curve is the main unknown, so every policy is shown under "
            "each shape: none (caseload does not matter), weak, as in Copenhagen (the trial's "
            "published exits at 50 against 130) and strong; diminishing returns over a scale "
            "of {scale} cases.",
            scale=tr.decimal(s.scale, 0),
        ),
        _(
            "Exits and months count the first day's citizens and the {entrants} entrants "
            "expected; money: months on kontanthjælp × {month} a month; caseworkers = citizens "
            "on kontanthjælp ÷ caseload × {salary} a year.",
            entrants=tr.count(round(result.calibration.entrant_rate * s.citizens * s.weeks)),
            month=tr.money(s.costs.per_month),
            salary=tr.money(s.costs.salary_per_fte_year),
        ),
        _(
            "A caseworker change multiplies every exit hazard by {effect} for {weeks} weeks "
            "(assumed); {changes} changes per citizen-year, {staff} of them after staff exits.",
            effect=tr.decimal(s.change_effect, 2),
            weeks=tr.decimal(s.change_weeks, 0),
            changes=tr.decimal(
                result.calibration.change_rate + result.calibration.staff_turnover, 2
            ),
            staff=tr.decimal(result.calibration.staff_turnover, 2),
        ),
    ]
    if any(p.role_model is not None for p in s.policies):
        cal = result.calibration
        said.append(
            _(
                "A role model scales the register's {handoffs} handoffs per citizen-year by "
                "the professionals around a citizen less one (assumed: all apart 2, buddy pair "
                "1, all inclusive 0; the register's departments: {model}).",
                handoffs=tr.decimal(cal.handoff_rate, 2),
                model=label(cal.role_model, lang) if cal.role_model else "–",
            )
        )
    if s.displacement > 0:
        said.append(
            _(
                "Displacement: {share} of the job exits a policy adds are taken from other "
                "citizens.",
                share=tr.percent(s.displacement),
            )
        )
    return said


def response_figure(result: Result, lang: str) -> str:
    from caseload.plan.policy_figures import response_figure as drawn

    return drawn(result, lang)


def money_figure(result: Result, lang: str) -> str:
    from caseload.plan.policy_figures import money_figure as drawn

    return drawn(result, lang)
