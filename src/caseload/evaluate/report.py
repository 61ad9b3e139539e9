"""The evaluation report: self-contained HTML (Danish or English), JSON and one CSV per table.

Files are written to a temporary folder beside ``out`` and moved into place at the end, so
a failure leaves no half-written report.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jinja2

from caseload import charts
from caseload.evaluate import figures, undefined
from caseload.evaluate.evaluation import Evaluation
from caseload.evaluate.tables import tables
from caseload.i18n import N_, Message, Said, Translator, template_globals, translator

JSON_NAME = "evaluation.json"
HTML_NAME = "report.html"

NAMES: dict[str, str] = {
    # arms, outcomes, destinations and baseline traits, by their code in the tables
    "trial": N_("Trial"),
    "control": N_("Control"),
    "job": N_("Job"),
    "small_job": N_("Small job"),
    "education": N_("Education"),
    "resource_course": N_("Resource course"),
    "flex_job": N_("Flex job"),
    "disability_pension": N_("Disability pension"),
    "company_placement": N_("Company placement"),
    "other": N_("Other"),
    "kontanthjaelp": N_("Back on kontanthjælp"),
    "preparatory_plan": N_("Preparatory plan"),
    "recommended_resource_course": N_("Team: resource course"),
    "recommended_flex_job": N_("Team: flex job"),
    "recommended_disability_pension": N_("Team: disability pension"),
    "recommended_postponed": N_("Team: postponed"),
    "recommended_rejected": N_("Team: rejected"),
    "long_term_still_on_kontanthjaelp": N_("Long-term, still on kontanthjælp"),
    "days_on_kontanthjaelp": N_("Days on kontanthjælp"),
    "meetings_held": N_("Meetings held"),
    "paid_hours": N_("Paid hours"),
    "women": N_("Women"),
    "danish_origin": N_("Danish origin"),
    "western_origin": N_("Western origin"),
    "non_western_origin": N_("Non-western origin"),
    "age_years": N_("Age (years)"),
    "years_on_public_benefit": N_("Years on public benefit"),
    "kontanthjaelp_3_years_or_more": N_("Kontanthjælp ≥ 3 years"),
}
"""What the report calls each code of its tables (msgids)."""


def names(tr: Translator) -> dict[str, str]:
    """Every code's name in the reader's language."""
    return {code: tr.gettext(msgid) for code, msgid in NAMES.items()}


def summary(ev: Evaluation, lang: str) -> tuple[list[str], list[str]]:
    """Plain-language findings and limits."""
    tr = translator(lang)
    return _findings(ev, tr), _limits(ev, tr)


def _findings(ev: Evaluation, tr: Translator) -> list[str]:
    """What the trial shows: each exit (with the effect a null result could have missed),
    case flow that moved, spells on kontanthjælp, money."""
    _ = tr.gettext
    named = names(tr)
    shows = []
    # every exit outcome (a null result needs its detectable size); case flow where it moved
    for r in [*ev.exits, *(r for r in ev.case_flow if r.significant)]:
        values = {
            "outcome": named.get(r.name, r.name),
            "t": 100 * r.treated.rate,
            "c": 100 * r.control.rate,
            "d": 100 * r.difference,
            "lo": 100 * r.ci[0],
            "hi": 100 * r.ci[1],
            "p": r.p_value,
            "mde": 100 * r.minimum_detectable_effect,
        }
        if r.significant:
            shows.append(
                _(
                    "{outcome}: {t:.1f} % in the trial arm vs {c:.1f} % in control ({d:+.1f} "
                    "pp, 95 % CI {lo:+.1f} to {hi:+.1f}; p = {p:.2g}).",
                    **values,
                )
            )
        else:
            shows.append(
                _(
                    "{outcome}: no effect found ({d:+.1f} pp, 95 % CI {lo:+.1f} to {hi:+.1f}); "
                    "a trial of this size could not have found an effect smaller than "
                    "{mde:.1f} pp.",
                    **values,
                )
            )
    rm = ev.spells.rmst
    hr, (hlo, hhi), _p_value = ev.spells.hazard_ratio
    shows.append(
        _(
            "Trial citizens spent {days:.0f} {direction} days on kontanthjælp within the "
            "window on average (95 % CI {lo:.0f} to {hi:.0f}); hazard ratio of leaving "
            "{hr:.2f} ({hlo:.2f}–{hhi:.2f}).",
            days=abs(rm.difference),
            direction=_("fewer") if rm.difference < 0 else _("more"),
            lo=rm.ci[0],
            hi=rm.ci[1],
            hr=hr,
            hlo=hlo,
            hhi=hhi,
        )
    )
    m = ev.money
    shows.append(
        _(
            "At the assumed costs the lower caseload saved {savings:,.0f} DKK against "
            "{cost:,.0f} DKK of extra staff: a net result of {net:,.0f} DKK (95 % CI {lo:,.0f} "
            "to {hi:,.0f}). It breaks even at {be:.2f} months saved per citizen.",
            savings=m.savings,
            cost=m.staff_cost,
            net=m.net,
            lo=m.net_ci[0],
            hi=m.net_ci[1],
            be=m.break_even_months_per_citizen,
        )
    )
    return shows


def _limits(ev: Evaluation, tr: Translator) -> list[str]:
    """What the trial cannot show."""
    _ = tr.gettext
    limits = [
        _(
            "Effects are of being randomised to the trial arm (intention to treat), not of "
            "every citizen receiving the lower caseload."
        )
    ]
    entrants = sum(ev.later_entrants.values())
    if entrants:
        limits.append(
            _(
                "{n} later entrants are not in the estimates; they were not randomised with "
                "the cohort.",
                n=entrants,
            )
        )
    limits += [
        _("Sick days and turnover compare departments, not randomised units."),
        _(
            "The money account counts kontanthjælp months only; effects on later benefits, "
            "taxes and the citizens' lives are not in it."
        ),
        _("Outcomes after {end} are not observed.", end=ev.window.outcome_end),
    ]
    return limits


def _crossovers_said(ev: Evaluation, tr: Translator) -> str:
    """The crossovers in one sentence (also when there are none)."""
    control, trial = ev.crossovers.get("control"), ev.crossovers.get("trial")
    crossed_control = control.citizens if control else 0
    crossed_trial = trial.citizens if trial else 0
    if not crossed_control and not crossed_trial:
        return tr.gettext(
            "No citizen crossed the arm boundary while the trial ran: no control citizen went "
            "to a professional of a trial department, and no trial citizen to one outside them."
        )
    overridden = sum(c.overridden for c in ev.crossovers.values())
    return tr.gettext(
        "While the trial ran, {control} control citizen(s) went to a professional of a trial "
        "department and {trial} trial citizen(s) to one outside them ({overridden} with an "
        "override reason). They stay in the arm they were randomised to (intention to treat), "
        "which makes the difference between the arms smaller than the lower caseload's effect.",
        control=crossed_control,
        trial=crossed_trial,
        overridden=overridden,
    )


def _figures(ev: Evaluation, lang: str) -> dict[str, str]:
    tr = translator(lang)
    _ = tr.gettext
    named = names(tr)
    arms = {"trial": named["trial"], "control": named["control"]}
    weekly = ev.timeliness.weekly
    weeks: dict[str, tuple[list[object], list[float]]] = {}
    for arm in ("trial", "control"):
        rows = weekly.filter(weekly["arm"] == arm)
        weeks[arm] = (
            rows["week"].to_list(),
            [t / d if d else 0.0 for d, t in zip(rows["held"], rows["timely"], strict=True)],
        )
    source = _("trial {code}", code=ev.trial.code)
    outcomes = (ev.window.start, ev.window.outcome_end)
    days = _("Days since the start")

    def words(title: str, period: tuple[date, date] = outcomes) -> charts.Caption:
        return charts.caption(lang, title, source, period=period)

    return {
        "km": figures.km_curves(
            {"trial": ev.spells.treated, "control": ev.spells.control},
            arms,
            days,
            _("Share still on kontanthjælp"),
            words(_("Time on kontanthjælp: Kaplan–Meier curves by arm (95 % CI)")),
        ),
        "incidence": figures.cumulative_incidence(
            ev.competing,
            named,
            arms,
            days,
            _("Cumulative incidence (share of the arm)"),
            words(_("Competing exits: where citizens went, by arm")),
        ),
        "forest": figures.forest(
            [*ev.exits, *ev.case_flow],
            named,
            _("Difference, percentage points (▲ adjusted)"),
            _("Outcome"),
            words(_("Effects on exits and case flow: trial − control (95 % CI)")),
        ),
        "balance": figures.balance(
            ev.balance,
            named,
            _("Standardised mean difference (trial − control)"),
            _("Baseline trait"),
            charts.caption(lang, _("Baseline balance of the arms"), source, day=ev.trial.start),
        ),
        "timeliness": charts.weekly_shares(
            weeks,
            arms,
            _("Week of the due date"),
            tr.pgettext("evaluation report", "Held on time (%)"),
            words(
                _("Job meetings held by their due date, per week and arm"),
                (ev.window.start, ev.window.trial_end),
            ),
        ),
    }


def _environment(tr: Translator) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("caseload.evaluate", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["pct"] = lambda v: "–" if v is None else f"{100 * v:.1f} %"
    env.filters["pp"] = lambda v: "–" if v is None else f"{100 * v:+.1f}"
    env.filters["num"] = lambda v, d=1: "–" if v is None else f"{v:,.{d}f}"
    env.filters["p"] = lambda v: "–" if v is None else ("< 0.001" if v < 0.001 else f"{v:.3f}")
    env.globals.update(template_globals(tr))
    env.globals["names"] = names(tr)
    return env


def render(
    ev: Evaluation, lang: str, seconds: float, data: dict[str, list[dict[str, Any]]] | None = None
) -> str:
    """The HTML page; ``data`` is ``tables(ev)`` when the caller has it already."""
    shows, limits = summary(ev, lang)
    data = data if data is not None else tables(ev)
    tr = translator(lang)
    m = ev.money
    return (
        _environment(tr)
        .get_template("report.html.j2")
        .render(
            ev=ev,
            t=data,
            lang=lang,
            shows=shows,
            limits=limits,
            fig=_figures(ev, lang),
            version=version("caseload"),
            seconds=seconds,
            json_name=JSON_NAME,
            crossovers_said=_crossovers_said(ev, tr),
            covariates=", ".join(ev.spells.cox_adjusted.names[1:])
            if ev.spells.cox_adjusted
            else "–",
            money_note=tr.gettext(
                "Months on kontanthjælp saved per trial citizen (difference in restricted "
                "mean) × {per_month:,.0f} DKK a month ({transfer:,.0f} transfer + "
                "{activation:,.0f} activation + {casework:,.0f} casework), against the extra "
                "caseworkers a caseload of {trial_cap} instead of {control_cap} needs at "
                "{salary:,.0f} DKK a year each.",
                per_month=m.costs.per_month,
                transfer=m.costs.transfer,
                activation=m.costs.activation,
                casework=m.costs.casework,
                trial_cap=m.costs.trial_caseload,
                control_cap=m.costs.control_caseload,
                salary=m.costs.salary_per_fte_year,
            ),
        )
    )


class FolderTaken(Said, FileExistsError):
    """The report folder holds something else; nothing is overwritten."""


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write(ev: Evaluation, out: Path, lang: str, seconds: float) -> Path:
    """Write report.html, evaluation.json and <table>.csv into ``out``; returns the HTML."""
    if out.exists() and any(out.iterdir()) and not (out / JSON_NAME).exists():
        raise FolderTaken(
            Message(
                "{folder} exists and is not a caseload report folder; choose a new or empty folder",
                {"folder": str(out)},
            )
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".caseload-report-", dir=out.parent))
    try:
        data, not_defined = undefined.clean(tables(ev))
        data["undefined"] = not_defined  # a table too: undefined.csv
        meta = {
            "trial": ev.trial.code,
            "name": ev.trial.name,
            "start": ev.trial.start,
            "trial_end": ev.trial.end,
            "outcome_end": ev.window.outcome_end,
            "last_exit": ev.window.last_exit,
            "lag_months": ev.window.lag_months,
            "alpha": ev.settings.alpha,
            "clustered": ev.settings.cluster,
            "language": lang,
        }
        (staging / JSON_NAME).write_text(
            json.dumps(
                {"meta": meta, **data},
                indent=2,
                default=_json_default,
                allow_nan=False,
            ),
            encoding="utf-8",
        )
        for name, rows in data.items():
            with (staging / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
                if rows:
                    fields = list(dict.fromkeys(k for row in rows for k in row))
                    writer = csv.DictWriter(handle, fieldnames=fields)
                    writer.writeheader()
                    writer.writerows(rows)
        (staging / HTML_NAME).write_text(render(ev, lang, seconds, data), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out / HTML_NAME
