"""What `caseload simulate` prints: the settings in words, a table per shape and policy
(exits, job exits, months on benefit, caseworkers, net result with percentile intervals),
how it was made, and the figures of --plot-response and --plot-money."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from caseload.i18n import N_, Translator, translator
from caseload.plan.calibrate import described

if TYPE_CHECKING:  # NumPy and the model: loaded when the command runs
    from caseload.plan.microsim import Result

SHAPE_WORDS = {
    "none": N_("none"),
    "weak": N_("weak"),
    "copenhagen": N_("as in Copenhagen"),
    "strong": N_("strong"),
}


def shape_name(name: str, lang: str) -> str:
    english = SHAPE_WORDS.get(name)
    return name if english is None else translator(lang).gettext(english)


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
        _("Net result against {policy}", policy=s.policies[0].label),
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
            sc.policy.label,
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
    from caseload.charts import Caption
    from caseload.plan.microsim import response_curve
    from caseload.plan.policy_figures import response_curves

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
    from caseload.charts import Caption
    from caseload.plan.policy_figures import net_by_caseload

    tr = translator(lang)
    _ = tr.gettext
    s = result.settings
    series = {}
    for name in s.shapes:
        points = []
        for p in s.policies:
            net = result.summary(name, p, "net")
            points.append((p.caseload, net["mean"] / 1e6, net["p2_5"] / 1e6, net["p97_5"] / 1e6))
        series[shape_name(name, lang)] = points
    words = Caption(
        lang,
        _(
            "Net result by caseload against {policy} (mean and 95 % interval)",
            policy=s.policies[0].label,
        ),
        heading(result, lang),
        _("Simulation: {reps} replications (seed {seed})", reps=tr.count(s.reps), seed=s.seed),
    )
    labels = {"x": _("Citizens per coordinating caseworker"), "y": _("Net result (DKK million)")}
    return net_by_caseload(series, labels, words)
