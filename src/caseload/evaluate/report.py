"""The evaluation report: self-contained HTML (Danish or English), JSON and one CSV per table.

Files are written to a temporary folder beside ``out`` and moved into place at the end, so
a failure leaves no half-written report.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jinja2

from caseload import charts
from caseload.domain.labels import OUTCOMES, label, outcome_names
from caseload.evaluate import figures, undefined
from caseload.evaluate.centres import Centres
from caseload.evaluate.downloads import csv_text
from caseload.evaluate.evaluation import Evaluation
from caseload.evaluate.tables import tables
from caseload.i18n import Message, Said, Translator, template_globals, translator

JSON_NAME = "evaluation.json"
HTML_NAME = "report.html"

NAMES = OUTCOMES
"""What the report calls each code of its tables (msgids; kept in domain.labels)."""


def names(tr: Translator) -> dict[str, str]:
    """Every code's name in the reader's language."""
    return outcome_names(tr.lang)


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
            "t": tr.share(r.treated.rate),
            "c": tr.share(r.control.rate),
            "d": tr.pp(r.difference),
            "lo": tr.signed(100 * r.ci[0]),
            "hi": tr.signed(100 * r.ci[1]),
            "p": tr.p(r.p_value),
            "mde": tr.pp(r.minimum_detectable_effect, sign=False),
        }
        if r.significant:
            shows.append(
                _(
                    "{outcome}: {t} in the trial arm vs {c} in control ({d}, 95 % CI {lo} to "
                    "{hi}; {p}).",
                    **values,
                )
            )
        else:
            shows.append(
                _(
                    "{outcome}: no effect found ({d}, 95 % CI {lo} to {hi}); a trial of this "
                    "size could not have found an effect smaller than {mde}.",
                    **values,
                )
            )
    rm = ev.spells.rmst
    hr, (hlo, hhi), _p_value = ev.spells.hazard_ratio
    if not math.isfinite(hr):
        shows.append(
            _(
                "Nobody left kontanthjælp in one of the arms within the window: no hazard ratio "
                "or difference in time on kontanthjælp can be estimated."
            )
        )
    else:
        shows.append(
            _(
                "Trial citizens spent {days} {direction} days on kontanthjælp within the window "
                "on average (95 % CI {lo} to {hi}); hazard ratio of leaving {hr} ({hlo}–{hhi}).",
                days=tr.decimal(abs(rm.difference), 0),
                direction=_("fewer") if rm.difference < 0 else _("more"),
                lo=tr.signed(rm.ci[0], 0),
                hi=tr.signed(rm.ci[1], 0),
                hr=tr.decimal(hr, 2),
                hlo=tr.decimal(hlo, 2),
                hhi=tr.decimal(hhi, 2),
            )
        )
    m = ev.money
    unit, (savings, cost) = tr.money_scaled(m.savings, m.staff_cost)
    shows.append(
        _(
            "At the assumed costs the lower caseload saved {savings} against {cost} of extra "
            "staff: a net result of {net}. It breaks even at {be} months saved per citizen.",
            savings=unit.format(amount=savings),
            cost=unit.format(amount=cost),
            net=tr.money_interval(m.net, *m.net_ci),
            be=tr.decimal(m.break_even_months_per_citizen, 2),
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
                n=tr.count(entrants),
            )
        )
    limits += [
        _("Sick days and turnover compare departments, not randomised units."),
        _(
            "The money account counts kontanthjælp months only; effects on later benefits, "
            "taxes and the citizens' lives are not in it."
        ),
        _("Outcomes after {end} are not observed.", end=tr.date(ev.window.outcome_end)),
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


def _errors_said(ev: Evaluation, tr: Translator) -> str:
    """Which errors the intervals and tests used; with few clusters, that they are
    unreliable and where the permutation test stands."""
    errors = ev.exits[0].errors if ev.exits else None
    if errors is None or errors.kind != "cluster":
        return tr.gettext("Standard errors treat the citizens as independent.")
    said = tr.gettext(
        "Every interval and test accounts for the {n} clusters: cluster-robust (CR1) errors for "
        "differences, the Wald test of the Cox model with cluster-robust errors for time on "
        "kontanthjælp.",
        n=tr.count(errors.clusters or 0),
    )
    if errors.few:
        said += " " + tr.gettext(
            "With fewer than 20 clusters cluster-robust errors are unreliable (too small): the "
            "column 'Permutation p' gives a cluster permutation test beside them."
        )
    return said


def figures_of(ev: Evaluation, lang: str) -> dict[str, str]:
    """The report's figures (SVG text by name), for a page that shows them."""
    return _figures(ev, lang)


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

    drawn = {
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
    if ev.centres is not None:
        drawn.update(_centre_figures(ev.centres, tr, words))
    return drawn


def _centre_figures(
    c: Centres, tr: Translator, words: Callable[[str], charts.Caption]
) -> dict[str, str]:
    """Forest plots of a trial in several job centres: job exits and the hazard ratio."""
    _ = tr.gettext
    job = c.outcome("job")
    out = {
        "centres_job": figures.pooled_forest(
            list(c.codes),
            job.centres,
            [
                (_("Mantel–Haenszel"), job.mantel_haenszel),
                (_("Fixed effect"), job.pooling.fixed),
                (_("Random effects"), job.pooling.random),
            ],
            _("Difference, percentage points"),
            _("Job centre"),
            words(_("Exits to a job by job centre: trial − control (95 % CI) and pooled")),
            alpha=c.alpha,
            percentage_points=True,
        )
    }
    h = c.hazards
    if h.centres is not None and h.pooling is not None:
        out["centres_hazard"] = figures.pooled_forest(
            list(c.codes),
            h.centres,
            [(_("Fixed effect"), h.pooling.fixed), (_("Random effects"), h.pooling.random)],
            _("Hazard ratio of leaving kontanthjælp"),
            _("Job centre"),
            words(_("Leaving kontanthjælp by job centre: hazard ratio (95 % CI) and pooled")),
            alpha=c.alpha,
        )
    return out


def _environment(tr: Translator) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("caseload.evaluate", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["pct"] = tr.share
    env.filters["pp"] = lambda v: tr.signed(None if v is None else 100 * v)
    env.filters["num"] = tr.decimal
    env.filters["signed"] = tr.signed
    env.filters["count"] = tr.count
    env.filters["p"] = tr.pvalue
    env.filters["day"] = tr.date
    env.filters["money"] = lambda v: "–" if v is None else tr.money(v)
    env.filters["label"] = lambda code: label(code, tr.lang)
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
    named = names(tr)
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
            json_name=JSON_NAME,
            crossovers_said=_crossovers_said(ev, tr),
            errors_said=_errors_said(ev, tr),
            covariates=", ".join(
                named.get(name, name).lower() for name in ev.spells.cox_adjusted.names[1:]
            )
            if ev.spells.cox_adjusted
            else "–",
            money_note=tr.gettext(
                "Months on kontanthjælp saved per trial citizen (difference in restricted "
                "mean) × {per_month} a month ({transfer} transfer + {activation} activation + "
                "{casework} casework), against the extra caseworkers a caseload of {trial_cap} "
                "instead of {control_cap} needs at {salary} a year each.",
                per_month=tr.money(m.costs.per_month),
                transfer=tr.money(m.costs.transfer),
                activation=tr.money(m.costs.activation),
                casework=tr.money(m.costs.casework),
                trial_cap=tr.count(m.costs.trial_caseload),
                control_cap=tr.count(m.costs.control_caseload),
                salary=tr.money(m.costs.salary_per_fte_year),
            ),
            net=tr.money_interval(m.net, *m.net_ci),
            seconds=tr.decimal(seconds, 1),
        )
    )


class FolderTaken(Said, FileExistsError):
    """The report folder holds something else; nothing is overwritten."""


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def evaluation_document(ev: Evaluation, lang: str) -> dict[str, Any]:
    """What evaluation.json holds: ``meta`` (the trial, the window, the settings) and
    every table by name, undefined values taken out into the ``undefined`` table."""
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
    return {"meta": meta, **data}


def json_text(document: dict[str, Any]) -> str:
    """The evaluation document as evaluation.json's text (days as ISO dates, no NaN)."""
    return json.dumps(document, indent=2, default=_json_default, allow_nan=False)


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
        document = evaluation_document(ev, lang)
        data = {name: rows for name, rows in document.items() if name != "meta"}
        (staging / JSON_NAME).write_text(json_text(document), encoding="utf-8")
        for name, rows in data.items():
            (staging / f"{name}.csv").write_text(csv_text(rows), encoding="utf-8", newline="")
        (staging / HTML_NAME).write_text(render(ev, lang, seconds, data), encoding="utf-8")
        # per-arm tables of a register: the owner's only (the folder is made 0700)
        for written in staging.iterdir():
            written.chmod(0o600)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out / HTML_NAME
